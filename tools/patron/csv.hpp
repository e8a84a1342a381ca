// CSV input for the command-line tool (RFC 4180: a header row, quoted fields with ""
// escapes, CRLF or LF line ends). A malformed row is reported with its file and line
// number as a usage_error (exit code 2); nothing is ever skipped silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace patron_cli {

class csv_table {
 public:
  std::string source;                          // file name, for messages
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // every row has header.size() fields
  std::vector<std::size_t> line;               // 1-based line where each row starts

  std::size_t size() const { return rows.size(); }
  // Index of a named column; a usage_error listing the columns when it is missing.
  std::size_t column(const std::string& name) const;
  bool has_column(const std::string& name) const;

  // Typed access; a bad field is a usage_error "file:line: column 'x': ...".
  double number(std::size_t row, std::size_t col) const;
  long long integer(std::size_t row, std::size_t col) const;
  // Days since 1970-01-01 from YYYYMMDD or ISO-8601 (YYYY-MM-DD[THH:MM[:SS[.f]]][Z]).
  double date(std::size_t row, std::size_t col) const;

  std::vector<double> numbers(std::size_t col) const;
  std::vector<double> dates(std::size_t col) const;
  std::vector<std::string> texts(std::size_t col) const;

  [[noreturn]] void fail(std::size_t row, std::size_t col, const std::string& what) const;
};

csv_table read_csv(std::istream& in, const std::string& source);
// "-" reads standard input.
csv_table read_csv_file(const std::string& path);

// Days since 1970-01-01 of a date text, or a usage_error naming `context`.
double parse_date(const std::string& text, const std::string& context);
// ISO-8601 text (YYYY-MM-DD, with a time when not a whole day) of days since 1970-01-01.
std::string format_date(double days);

}  // namespace patron_cli
