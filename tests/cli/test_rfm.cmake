# patron rfm: per-customer scores and segments, the segment summary, table checks,
# and one-line errors with exit code 2.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
set(CDNOW ${SOURCE_DIR}/examples/data/cdnow_sample.csv)

# CDNOW customer 1 as of 1998-06-30: last purchase 1997-12-12 (200 days), 4 purchases.
patron_expect(EXIT 0 STDOUT "^customer,recency,frequency,monetary,recency_score,frequency_score,monetary_score,rfm_code,total_score,segment\n1,200,4,100\\.5[0-9]*,4,4,4,444,12,Potential Loyalist\n"
  ARGS rfm ${CDNOW} --as-of 1998-06-30)
# The segment summary (values pinned by tests/data/rfm/cdnow_segment_summary.csv, pandas).
patron_expect(EXIT 0 STDOUT "\nChampions,234,[^\n]*\nPotential Loyalist,825,.*\nOthers,7,0\\.00296[^\n]*\n$"
  ARGS rfm ${CDNOW} --summary --as-of 1998-06-30)
patron_expect(EXIT 0 STDOUT "\"collapsed_bins\": \\[\n? *2\n? *\\]" ARGS rfm ${CDNOW} --summary --json)
# --threads: the same customers and scores for any number of threads.
patron_expect(EXIT 0 STDOUT "^customer,recency,frequency,monetary,recency_score,frequency_score,monetary_score,rfm_code,total_score,segment\n1,200,4,100\\.5[0-9]*,4,4,4,444,12,Potential Loyalist\n"
  ARGS rfm ${CDNOW} --as-of 1998-06-30 --threads 2)
patron_expect(EXIT 0 STDOUT "\nChampions,234,[^\n]*\nPotential Loyalist,825,.*\nOthers,7,0\\.00296[^\n]*\n$"
  ARGS rfm ${CDNOW} --summary --as-of 1998-06-30 --threads 3)
patron_expect(EXIT 0 STDOUT "\nChampions,234,[^\n]*\nPotential Loyalist,825,.*\nOthers,7,0\\.00296[^\n]*\n$"
  ARGS rfm ${CDNOW} --summary --as-of 1998-06-30 --threads 0)
patron_expect(EXIT 0 STDOUT "--threads N +threads for the pass over the transactions" ARGS rfm --help)
# The validator on R rfm 0.2.x: three rows can never match.
patron_expect(EXIT 0 STDOUT "shadowed,New Customers,0\nshadowed,Promising,0\n"
  ARGS rfm ${CDNOW} --check-table --segments-table r-rfm-0.2)

# Sketched quantile cut points (1% relative accuracy): tied integer frequencies come back
# exactly, so the cut points stay 1, 1, 2, 4 and only score 2 collapses.
patron_expect(EXIT 0 STDOUT "\"frequency\": {[^}]*\"breakpoints\": \\[\n *1,\n *1,\n *2,\n *4\n *\\],\n *\"collapsed_bins\": \\[\n *2\n *\\]"
  ARGS rfm ${CDNOW} --summary --json --quantiles sketch --sketch-accuracy 0.01)
patron_expect(EXIT 2 STDERR "options.sketch_relative_accuracy \\(2\\) must be in \\(0, 1\\)"
  ARGS rfm ${CDNOW} --quantiles sketch --sketch-accuracy 2)

# User breakpoints, other measures, string ids, a table from a file.
patron_write_file(segments table.csv "segment,r_low,r_high,f_low,f_high,m_low,m_high\nLow,2,2,1,2,1,2\nLost,1,1,1,2,1,2\n")
patron_write_file(small small.csv "customer,date,amount\na,2024-01-01,10\na,2024-01-01,5\nb,2024-01-20,1\nc,2024-01-30,100\n")
# Recency cut at 15 days; the monetary median 15 is its own bin's upper end (right-closed).
patron_expect(EXIT 0 STDOUT "\na,30,1,15,1,1,1,111,3,Lost\nb,11,1,1,2,1,1,211,4,Low\nc,1,1,100,2,1,2,212,5,Low\n$"
  ARGS rfm ${small} --as-of 2024-01-31 --frequency days --monetary mean --bins 2
       --recency-breaks 15 --segments-table ${segments})

# Bad input: one line on stderr, exit code 2.
patron_expect(EXIT 2 STDERR "options.recency.bins \\(11\\) must be in \\[2, 10\\]" ARGS rfm ${small} --bins 11)
patron_expect(EXIT 2 STDERR "options.monetary.bins \\(1\\) must be in \\[2, 10\\]" ARGS rfm ${small} --monetary-bins 1)
patron_expect(EXIT 2 STDERR "option --bins: '99999999999' is out of range" ARGS rfm ${small} --bins 99999999999)
patron_expect(EXIT 2 STDERR "options.monetary.breakpoints\\[1\\] \\(3\\) must be greater than the breakpoint before it \\(5\\)"
  ARGS rfm ${small} --monetary-breaks 5,3)
patron_expect(EXIT 2 STDERR "option --recency-breaks: 'x' is not a finite number" ARGS rfm ${small} --recency-breaks 1,x)
patron_expect(EXIT 2 STDERR "options.as_of \\(19722\\) precedes times\\[3\\] \\(19752\\)" ARGS rfm ${small} --as-of 2023-12-31)
patron_write_file(negative negative.csv "customer,date,amount\n1,20240101,3\n1,20240102,-4\n")
patron_expect(EXIT 2 STDERR "rfm_from_transactions: amounts\\[1\\] \\(-4\\) must be finite and non-negative" ARGS rfm ${negative})
patron_write_file(badtable badtable.csv "segment,r_low,r_high,f_low,f_high,m_low,m_high\nTop,5,6,1,5,1,5\n")
patron_expect(EXIT 2 STDERR "table.rules\\[0\\].recency.high \\(6\\) must be in \\[5, 5\\] \\(segment \"Top\"\\)"
  ARGS rfm ${CDNOW} --segments-table ${badtable})
patron_expect(EXIT 2 STDERR "option --segments-table: 'r-rfm-9' is neither" ARGS rfm ${small} --segments-table r-rfm-9)
patron_expect(EXIT 2 STDERR "option --frequency: 'often' is neither transactions nor days" ARGS rfm ${small} --frequency often)
patron_expect(EXIT 2 STDERR "option --threads: '-3' must be in \\[0, 1024\\]" ARGS rfm ${small} --threads -3)
patron_expect(EXIT 2 STDERR "option --threads: '1025' must be in \\[0, 1024\\]" ARGS rfm ${small} --threads 1025)
patron_expect(EXIT 2 STDERR "option --threads: 'two' is not an integer" ARGS rfm ${small} --threads two)
