# patron clv: fits reproduce the papers from the bundled data, predict scores every
# customer, bad input exits 2 with one line.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
set(DATA ${SOURCE_DIR}/tests/data)

# BG/NBD on the CDNOW summary (FHL 2005: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426).
patron_expect(EXIT 0 STDOUT "^parameter,value,std_error\nr,0\\.24259[0-9]*,0\\.0125[0-9]*\nalpha,4\\.41353[0-9]*,[^\n]*\na,0\\.79288[0-9]*,[^\n]*\nb,2\\.42575[0-9]*,[^\n]*\nlog_likelihood,-9582\\.42[0-9]*,\n$"
  ARGS clv fit ${DATA}/cdnow_summary.csv --model bgnbd)
patron_expect(EXIT 0 STDOUT "\"converged\": true" ARGS clv fit ${DATA}/cdnow_summary.csv --json)
# Pareto/NBD, Gamma-Gamma, BG/BB.
patron_expect(EXIT 0 STDOUT "\nr,0\\.5532[0-9]*,[^\n]*\nalpha,10\\.577[0-9]*,[^\n]*\ns,0\\.6062[0-9]*,[^\n]*\nbeta,11\\.667[0-9]*,[^\n]*\nlog_likelihood,-9594\\.97[0-9]*,"
  ARGS clv fit ${DATA}/cdnow_summary.csv --model pnbd)
patron_expect(EXIT 0 STDOUT "\np,6\\.2488[0-9]*,[^\n]*\nq,3\\.7445[0-9]*,[^\n]*\ngamma,15\\.4477[0-9]*,"
  ARGS clv fit ${DATA}/cdnow_summary_with_spend.csv --model gg)
patron_expect(EXIT 0 STDOUT "\nalpha,1\\.2035[0-9]*,[^\n]*\nbeta,0\\.7497[0-9]*,[^\n]*\ngamma,0\\.6567[0-9]*,[^\n]*\ndelta,2\\.7834[0-9]*,[^\n]*\nlog_likelihood,-33225\\.58[0-9]*,"
  ARGS clv fit ${DATA}/clv/donations.csv --model bgbb)
# A transaction log summarised at a cut-off.
patron_expect(EXIT 0 STDOUT "\nr,0\\.2425[0-9]*,"
  ARGS clv fit ${SOURCE_DIR}/examples/data/cdnow_sample.csv --cutoff 1997-09-30)

# predict: the paper's customer 1 (P(alive) = 0.7266, E[Y(39)] = 1.2259).
patron_expect(EXIT 0 STDOUT "^customer,x,t_x,T,p_alive,expected_purchases,expected_spend,clv\n1,2,30\\.43,38\\.86,0\\.72660[0-9]*,1\\.22591[0-9]*,[0-9.]+,[0-9.]+\n"
  ARGS clv predict ${DATA}/cdnow_summary_with_spend.csv)
patron_expect(EXIT 0 STDOUT "^customer,x,t_x,T,p_alive,expected_purchases\n1,2,30\\.43,38\\.86,0\\.8691[0-9]*,"
  ARGS clv predict ${DATA}/cdnow_summary.csv --model pnbd)
# predict --model bgbb on the donations rows: P(alive), E[X(6, 6+5)] and DERT at 10%
# (mpmath at the paper's parameters, tests/reference/clv: 0.108137, 0.0728651, 0.114756;
# the fit's parameters differ in the fifth digit).
patron_expect(EXIT 0 STDOUT "^customer,x,t_x,n,weight,p_alive,expected_transactions,dert\n1,0,0,6,3464,0\\.1081[0-9]*,0\\.07286[0-9]*,0\\.1147[0-9]*\n2,1,1,6,1091,0\\.0694[0-9]*,0\\.0856[0-9]*,0\\.1349[0-9]*\n"
  ARGS clv predict ${DATA}/clv/donations.csv --model bgbb)
patron_expect(EXIT 0 STDOUT "\"model\": \"bgbb\""
  ARGS clv predict ${DATA}/clv/donations.csv --model bgbb --json)

# Bad input: one line, exit 2.
patron_expect(EXIT 2 STDERR "n_star \\(1\\.5\\) must be a non-negative integer"
  ARGS clv predict ${DATA}/clv/donations.csv --model bgbb --horizon 1.5)
patron_expect(EXIT 2 STDERR "--model bgbb needs a summary CSV"
  ARGS clv predict ${DATA}/clv/donations.csv --model bgbb --cutoff 2000-01-01)
patron_write_file(bad_bgbb bad_bgbb.csv "x,t_x,n,weight\n1,1,6,10\n3,2,6,5\n")
patron_expect(EXIT 2 STDERR "patron::fit_bgbb: x\\[1\\] \\(3\\) exceeds t_x\\[1\\] \\(2\\)"
  ARGS clv predict ${bad_bgbb} --model bgbb)
patron_expect(EXIT 2 STDERR "option --model: 'gg' is not one of bgnbd, pnbd, bgbb \\(predict\\)"
  ARGS clv predict ${DATA}/cdnow_summary.csv --model gg)
patron_write_file(bad_tx bad_tx.csv "ID,frequency,recency,T\n1,2,30,38\n2,1,50,38\n")
patron_expect(EXIT 2 STDERR "patron::fit_bgnbd: t_x\\[1\\] \\(50\\) exceeds T\\[1\\] \\(38\\)" ARGS clv fit ${bad_tx})
patron_write_file(bad_x bad_x.csv "ID,frequency,recency,T\n1,-2,30,38\n")
patron_expect(EXIT 2 STDERR "x\\[0\\] \\(-2\\) must be a non-negative integer" ARGS clv fit ${bad_x} --model pnbd)
patron_write_file(rfm_recency rfm.csv "ID,frequency,recency,T\n1,0,12,38\n")
patron_expect(EXIT 2 STDERR "t_x\\[0\\] \\(12\\) must be 0 when x\\[0\\] is 0" ARGS clv predict ${rfm_recency})
patron_write_file(bad_spend bad_spend.csv "x,t_x,T,zbar\n1,3,10,0\n")
patron_expect(EXIT 2 STDERR "zbar\\[0\\] \\(0\\) must be finite and positive" ARGS clv fit ${bad_spend} --model gg)
patron_expect(EXIT 2 STDERR "needs a zbar" ARGS clv fit ${DATA}/cdnow_summary.csv --model gg)
patron_expect(EXIT 2 STDERR "option --model: 'weibull' is not one of bgnbd, pnbd, gg, bgbb"
  ARGS clv fit ${DATA}/cdnow_summary.csv --model weibull)
patron_expect(EXIT 2 STDERR "unknown action 'score'" ARGS clv score ${DATA}/cdnow_summary.csv)
patron_expect(EXIT 2 STDERR "no column 'x'" ARGS clv fit ${SOURCE_DIR}/examples/data/cdnow_sample.csv)
patron_expect(EXIT 2 STDERR "options.l2_penalty \\(-1\\) must be finite and non-negative"
  ARGS clv fit ${DATA}/cdnow_summary.csv --penalty -1)
patron_expect(EXIT 0 STDOUT "usage: patron clv fit FILE" ARGS clv --help)
patron_expect(EXIT 0 STDOUT "== Customer lifetime value ==\nBG/NBD: r = 0\\.2426" ARGS demo)
