# The tool itself: help, version, unknown commands and options.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
patron_expect(EXIT 0 STDOUT "usage: patron <command>" ARGS --help)
patron_expect(EXIT 0 STDOUT "summary" ARGS --help)
patron_expect(EXIT 0 STDOUT "^patron [0-9]+\\.[0-9]+\\.[0-9]+" ARGS --version)
patron_expect(EXIT 2 STDERR "unknown command 'nonsense'" ARGS nonsense)
patron_expect(EXIT 2 STDERR "unknown option --bogus" ARGS summary x.csv --bogus)
patron_expect(EXIT 0 STDOUT "usage: patron summary FILE" ARGS summary --help)
patron_expect(EXIT 0 STDOUT "== The customer base ==" ARGS demo)
