# patron churn: sBG/BdW fits from survival lists or files, Kaplan-Meier, the demo section.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# Fader & Hardie (2007) Regular cohort, fitted on years 0..7: the paper's alpha and beta.
set(regular 100,63.1,46.8,38.2,32.6,28.9,26.2,24.1,22.3,20.7,19.4,18.3,17.3)
patron_expect(EXIT 0 STDOUT "^parameter,estimate,std_err\nalpha,0\\.7040[0-9]*,[0-9.]+\nbeta,1\\.1820[0-9]*,[0-9.]+\nlog_likelihood,-1680\\.26[0-9]*,\n$"
  ARGS churn sbg --survival ${regular} --cohort-size 1000 --fit-periods 7 --output parameters)
patron_expect(EXIT 0 STDOUT "\n8,0\\.223,holdout,0\\.2200[0-9]*,0\\.19[0-9]*,0\\.24[0-9]*,0\\.92[0-9]*\n"
  ARGS churn sbg --survival ${regular} --cohort-size 1000 --fit-periods 7)
patron_expect(EXIT 0 STDOUT "\"converged\": true" ARGS churn sbg --survival ${regular} --cohort-size 1000 --json)
patron_expect(EXIT 0 STDOUT "\nc,1\\.28[0-9]*,"
  ARGS churn sbg --survival ${regular} --cohort-size 1000 --fit-periods 7 --model bdw --output parameters)
# From a CSV column, projected beyond the data.
patron_write_file(cohort cohort.csv "year,pct\n0,100\n1,86.9\n2,74.3\n3,65.3\n4,59.3\n5,55.1\n6,51.7\n7,49.1\n")
patron_expect(EXIT 0 STDOUT "\nalpha,0\\.668[0-9]*,[^\n]*\nbeta,3\\.806[0-9]*,"
  ARGS churn sbg ${cohort} --column pct --cohort-size 1000 --output parameters)
patron_expect(EXIT 0 STDOUT "\n12,,,0\\.377[0-9]*,"
  ARGS churn sbg ${cohort} --column pct --cohort-size 1000 --horizon 12)
# No churn: a result that says it did not converge, not a failure.
patron_expect(EXIT 0 STDOUT "\"converged\": false,[^}]*no churn observed"
  ARGS churn sbg --survival 100,100,100 --json)

# Kaplan-Meier with late entry and a log-rank test.
patron_write_file(km km.csv "time,event,start,g\n3,1,0,0\n1,1,0,1\n2,0,0.5,0\n2,1,0,1\n5,1,1,0\n4,0,0,1\n")
patron_expect(EXIT 0 STDOUT "^group,time,n_risk,n_event,n_censor,survival,std_err,lower,upper\n0,1,5,1,0,0\\.8,"
  ARGS churn km ${km} --entry-column start)
patron_expect(EXIT 0 STDOUT "\"logrank\": {\n *\"statistic\": [0-9.]+,\n *\"p_value\": [0-9.]+"
  ARGS churn km ${km} --group-column g --rmst 4 --json)
patron_expect(EXIT 0 STDOUT "\"rmst\": " ARGS churn km ${km} --rmst 4 --json)

# Bad input: exit code 2 and one line.
patron_expect(EXIT 2 STDERR "alive\\[1\\] \\(120\\) exceeds the previous period's count"
  ARGS churn sbg --survival 100,120)
patron_expect(EXIT 2 STDERR "alive\\[2\\] \\(-1\\) must be finite and non-negative" ARGS churn sbg --survival 100,50,-1)
patron_expect(EXIT 2 STDERR "option --survival: 'x' is not a number" ARGS churn sbg --survival 100,x)
patron_expect(EXIT 2 STDERR "option --model: 'weibull' is not sbg or bdw" ARGS churn sbg --survival 100,50 --model weibull)
patron_expect(EXIT 2 STDERR "option --fit-periods must be in \\[1, 2\\]" ARGS churn sbg --survival 100,50,40 --fit-periods 3)
patron_expect(EXIT 2 STDERR "unknown action 'foo'" ARGS churn foo)
patron_expect(EXIT 2 STDERR "missing action" ARGS churn)
patron_expect(EXIT 2 STDERR "event\\[0\\] \\(3\\) must be 0 or 1" ARGS churn km ${km} --event-column time)
patron_write_file(late late.csv "time,event,start\n3,1,3\n")
patron_expect(EXIT 2 STDERR "entry\\[0\\] \\(3\\) must be before exit_time\\[0\\] \\(3\\)"
  ARGS churn km ${late} --entry-column start)
patron_write_file(nan nan.csv "time,event\nnan,1\n")
patron_expect(EXIT 2 STDERR "nan" ARGS churn km ${nan})
patron_expect(EXIT 2 STDERR "group\\[0\\] \\(3\\) must be 0 or 1" ARGS churn km ${km} --group-column time)

# The demo section reproduces the paper.
patron_expect(EXIT 0 STDOUT "== Retention: the shifted-beta-geometric model ==\n[^\n]*\nRegular   alpha = 0\\.704, beta = 1\\.182, LL = -1680\\.27"
  ARGS demo)
