# patron summary: CSV parsing rules, dates, errors with line numbers, JSON.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# The bundled CDNOW sample: customer 1 in the BG/NBD paper's weeks.
patron_expect(EXIT 0 STDOUT "\n1,1997-01-01,1997-08-02,3,3,[^\n]*,2,30\\.42857[0-9]*,38\\.857[0-9]*,1,26\\.48\n"
  ARGS summary ${SOURCE_DIR}/examples/data/cdnow_sample.csv --cutoff 1997-09-30 --time-unit 7)

# Quoted fields (with commas and doubled quotes), CRLF line ends, ISO dates, string ids.
patron_write_file(quoted quoted.csv
  "customer,date,amount\r\n\"a,1\",2024-01-05,10\r\n\"a,1\",2024-01-06T10:30:00Z,5\r\n\"b \"\"x\"\"\",20240110,1.5\r\n")
patron_expect(EXIT 0 STDOUT "\"a,1\",2024-01-05,2024-01-06T10:30:00,2,2,15,"
  ARGS summary ${quoted})
patron_expect(EXIT 0 STDOUT "\"customer\": \"b \\\\\"x\\\\\"\"" ARGS summary ${quoted} --json)

# Malformed rows are reported with their line number and exit code 2.
patron_write_file(short short.csv "customer,date,amount\n1,20240101,3\n2,20240102\n")
patron_expect(EXIT 2 STDERR "short.csv:3: expected 3 fields, found 2" ARGS summary ${short})
patron_write_file(baddate baddate.csv "customer,date,amount\n1,20240230,3\n")
patron_expect(EXIT 2 STDERR "baddate.csv:2: column 'date': '20240230' is not a date.*day out of range"
  ARGS summary ${baddate})
patron_write_file(badnum badnum.csv "customer,date,amount\n1,20240101,abc\n")
patron_expect(EXIT 2 STDERR "badnum.csv:2: column 'amount': 'abc' is not a number" ARGS summary ${badnum})
patron_write_file(quote quote.csv "customer,date,amount\n1,\"20240101,3\n")
patron_expect(EXIT 2 STDERR "quote.csv:2: unterminated quoted field" ARGS summary ${quote})
patron_write_file(blank blank.csv "customer,date,amount\n1,20240101,3\n\n2,20240101,3\n")
patron_expect(EXIT 2 STDERR "blank.csv:3: blank line inside the data" ARGS summary ${blank})
patron_expect(EXIT 2 STDERR "cannot open file" ARGS summary ${WORK_DIR}/missing.csv)

# Library validation becomes one line and exit code 2.
patron_write_file(negative negative.csv "customer,date,amount\n1,20240101,3\n1,20240102,-4\n")
patron_expect(EXIT 2 STDERR "amounts\\[1\\] \\(-4\\) must be finite and non-negative" ARGS summary ${negative})
patron_write_file(good good.csv "customer,date,amount\n1,20240101,3\n1,20240102,4\n")
patron_expect(EXIT 2 STDERR "no column 'when' \\(columns: customer, date, amount\\)" ARGS summary ${good} --time-column when)
patron_expect(EXIT 2 STDERR "options.calibration_end .* precedes every transaction"
  ARGS summary ${good} --cutoff 2023-01-01)

# Standard input.
patron_expect(EXIT 0 STDOUT "^customer,first_purchase" INPUT ${quoted} ARGS summary -)
