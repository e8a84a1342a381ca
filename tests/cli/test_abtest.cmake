# patron abtest: verdicts, JSON, and one-line errors with exit code 2.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# statsmodels proportions_ztest([156, 120], [2400, 2400]): z = 2.2320672755215..., p = 0.0256105168742...
patron_expect(EXIT 0 STDOUT "z = 2\\.2321, p = 0\\.02561: significant at alpha = 0\\.05"
  ARGS abtest prop --a 120/2400 --b 156/2400)
patron_expect(EXIT 0 STDOUT "\"p_value\": 0\\.0256105168742[0-9]*,"
  ARGS abtest prop --a 120/2400 --b 156/2400 --json)
# scipy fisher_exact([[9, 11], [3, 17]]): p = 0.0823599...
patron_expect(EXIT 0 STDOUT "exact p = 0\\.08236: not significant"
  ARGS abtest fisher --a 3/20 --b 9/20)
patron_expect(EXIT 0 STDOUT "8158 users in A and 8158 in B"
  ARGS abtest power --baseline 0.05 --mde 0.01)
patron_expect(EXIT 0 STDOUT "P\\(p_B > p_A\\) = 0\\.9871"
  ARGS abtest bayes --a 120/2400 --b 156/2400)
patron_expect(EXIT 0 STDOUT "SAMPLE RATIO MISMATCH"
  ARGS abtest srm --observed 50000,48000)
# scipy chisquare([5050, 4950]): p = 0.31731050786291...
patron_expect(EXIT 0 STDOUT "\"p_value\": 0\\.3173105078629[0-9]*,\n  \"degrees_of_freedom\": 1,\n  \"mismatch\": false"
  ARGS abtest srm --observed 5050,4950 --json)
patron_expect(EXIT 0 STDOUT "1,0\\.2,4\\.87[0-9]*,"
  ARGS abtest sequential --looks 5)

patron_write_file(metric metric.csv "group,value\nA,1.5\nA,2.5\nA,3.0\nB,2.0\nB,4.0\nB,5.5\n")
patron_expect(EXIT 0 STDOUT "t = [0-9.]+ on [0-9.]+ df" ARGS abtest means ${metric})
patron_expect(EXIT 0 STDOUT "\"method\": \"exact\"" ARGS abtest means ${metric} --test mann-whitney --json)

# Bad input: one line, exit 2.
patron_expect(EXIT 2 STDERR "successes_a \\(12\\) must not exceed trials_a \\(10\\)"
  ARGS abtest prop --a 12/10 --b 1/10)
patron_expect(EXIT 2 STDERR "option --a: 'x' is not SUCCESSES/TRIALS" ARGS abtest prop --a x --b 1/10)
patron_expect(EXIT 2 STDERR "options.alpha \\(1\\.5\\) must be in \\(0, 1\\)"
  ARGS abtest power --baseline 0.05 --mde 0.01 --alpha 1.5)
patron_expect(EXIT 2 STDERR "unknown action 'nope'" ARGS abtest nope)
patron_expect(EXIT 2 STDERR "missing ACTION" ARGS abtest)
patron_write_file(three three.csv "group,value\nA,1\nB,2\nC,3\n")
patron_expect(EXIT 2 STDERR "must hold exactly 2 groups, found 3" ARGS abtest means ${three})
patron_write_file(nan nan.csv "group,value\nA,1\nA,2\nB,x\nB,3\n")
patron_expect(EXIT 2 STDERR "nan.csv:4: column 'value': 'x' is not a number" ARGS abtest means ${nan})
