#include "csv.hpp"

#include <patron/core/calendar.hpp>

#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

namespace patron_cli {

namespace {

std::string where(const std::string& source, std::size_t line) {
  return source + ":" + std::to_string(line) + ": ";
}

// Splits the whole text into records; a quoted field may span lines.
void parse(const std::string& text, const std::string& source, csv_table& out) {
  std::vector<std::string> record;
  std::string field;
  std::size_t line = 1, record_line = 1;
  bool in_quotes = false, field_was_quoted = false, at_record_start = true;
  auto end_record = [&]() {
    record.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
    const bool blank = record.size() == 1 && record[0].empty();
    if (blank) {
      record.clear();
      return;
    }
    if (out.header.empty()) {
      out.header = std::move(record);
    } else {
      if (record.size() != out.header.size())
        throw usage_error(where(source, record_line) + "expected " +
                          std::to_string(out.header.size()) + " fields, found " +
                          std::to_string(record.size()));
      out.rows.push_back(std::move(record));
      out.line.push_back(record_line);
    }
    record.clear();
  };
  std::size_t blank_line = 0;  // first blank line seen after data, if any
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (at_record_start) {
      record_line = line;
      at_record_start = false;
    }
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty() || field_was_quoted)
        throw usage_error(where(source, line) + "quote inside an unquoted field");
      in_quotes = true;
      field_was_quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      field_was_quoted = false;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      const bool blank = record.empty() && field.empty() && !field_was_quoted;
      if (blank && !out.header.empty() && blank_line == 0) blank_line = line;
      if (!blank && blank_line != 0)
        throw usage_error(where(source, blank_line) + "blank line inside the data");
      end_record();
      ++line;
      at_record_start = true;
    } else {
      if (field_was_quoted)
        throw usage_error(where(source, line) + "text after a closing quote");
      field += c;
    }
  }
  if (in_quotes) throw usage_error(where(source, record_line) + "unterminated quoted field");
  if (!record.empty() || !field.empty() || field_was_quoted) {
    if (blank_line != 0) throw usage_error(where(source, blank_line) + "blank line inside the data");
    end_record();
  }
  if (out.header.empty()) throw usage_error(source + ": empty file (a header row is required)");
}

bool parse_int(const char*& p, const char* end, int digits, int& value) {
  value = 0;
  for (int k = 0; k < digits; ++k, ++p) {
    if (p == end || *p < '0' || *p > '9') return false;
    value = value * 10 + (*p - '0');
  }
  return true;
}

}  // namespace

double parse_date(const std::string& text, const std::string& context) {
  const char* p = text.data();
  const char* end = p + text.size();
  int y = 0, m = 0, d = 0;
  auto bad = [&](const std::string& why) -> double {
    throw usage_error(context + "'" + text + "' is not a date (YYYYMMDD or YYYY-MM-DD): " + why);
  };
  if (text.size() == 8) {
    if (!parse_int(p, end, 4, y) || !parse_int(p, end, 2, m) || !parse_int(p, end, 2, d))
      return bad("expected 8 digits");
  } else {
    if (!parse_int(p, end, 4, y) || p == end || *p++ != '-' || !parse_int(p, end, 2, m) ||
        p == end || *p++ != '-' || !parse_int(p, end, 2, d))
      return bad("malformed");
  }
  if (m < 1 || m > 12) return bad("month out of range");
  if (d < 1 || d > patron::days_in_month(y, m)) return bad("day out of range");
  double seconds = 0.0;
  if (p != end) {
    if (*p != 'T' && *p != ' ') return bad("unexpected text after the date");
    ++p;
    int hh = 0, mm = 0, ss = 0;
    if (!parse_int(p, end, 2, hh) || p == end || *p++ != ':' || !parse_int(p, end, 2, mm))
      return bad("malformed time");
    double fraction = 0.0;
    if (p != end && *p == ':') {
      ++p;
      if (!parse_int(p, end, 2, ss)) return bad("malformed seconds");
      if (p != end && *p == '.') {
        const char* start = p;
        ++p;
        while (p != end && *p >= '0' && *p <= '9') ++p;
        if (p == start + 1) return bad("malformed fraction of a second");
        std::from_chars(start, p, fraction);
      }
    }
    if (p != end && *p == 'Z') ++p;
    if (p != end) return bad("unexpected text after the time");
    if (hh > 23 || mm > 59 || ss > 60) return bad("time out of range");
    seconds = hh * 3600.0 + mm * 60.0 + ss + fraction;
  }
  return static_cast<double>(patron::days_from_civil(y, m, d)) + seconds / 86400.0;
}

std::string format_date(double days) {
  const double whole = std::floor(days);
  const patron::civil_date date = patron::civil_from_days(static_cast<std::int64_t>(whole));
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year, date.month, date.day);
  std::string out = buffer;
  const double seconds = std::round((days - whole) * 86400.0);
  if (seconds > 0) {
    const auto s = static_cast<long long>(seconds);
    std::snprintf(buffer, sizeof buffer, "T%02lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    out += buffer;
  }
  return out;
}

std::size_t csv_table::column(const std::string& name) const {
  for (std::size_t j = 0; j < header.size(); ++j)
    if (header[j] == name) return j;
  std::string list;
  for (const auto& h : header) list += (list.empty() ? "" : ", ") + h;
  throw usage_error(source + ": no column '" + name + "' (columns: " + list + ")");
}

bool csv_table::has_column(const std::string& name) const {
  for (const auto& h : header)
    if (h == name) return true;
  return false;
}

void csv_table::fail(std::size_t row, std::size_t col, const std::string& what) const {
  throw usage_error(where(source, line[row]) + "column '" + header[col] + "': " + what);
}

double csv_table::number(std::size_t row, std::size_t col) const {
  const std::string& text = rows[row][col];
  double value = 0.0;
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, value);
  if (text.empty() || ec != std::errc() || ptr != e)
    fail(row, col, "'" + text + "' is not a number");
  return value;
}

long long csv_table::integer(std::size_t row, std::size_t col) const {
  const std::string& text = rows[row][col];
  long long value = 0;
  const char* e = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), e, value);
  if (text.empty() || ec != std::errc() || ptr != e)
    fail(row, col, "'" + text + "' is not an integer");
  return value;
}

double csv_table::date(std::size_t row, std::size_t col) const {
  return parse_date(rows[row][col], where(source, line[row]) + "column '" + header[col] + "': ");
}

std::vector<double> csv_table::numbers(std::size_t col) const {
  std::vector<double> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = number(i, col);
  return out;
}
std::vector<double> csv_table::dates(std::size_t col) const {
  std::vector<double> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = date(i, col);
  return out;
}
std::vector<std::string> csv_table::texts(std::size_t col) const {
  std::vector<std::string> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = rows[i][col];
  return out;
}

csv_table read_csv(std::istream& in, const std::string& source) {
  std::ostringstream buffer;
  buffer << in.rdbuf();
  csv_table table;
  table.source = source;
  std::string text = buffer.str();
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // BOM
  parse(text, source, table);
  return table;
}

csv_table read_csv_file(const std::string& path) {
  if (path == "-") return read_csv(std::cin, "<stdin>");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw usage_error(path + ": cannot open file");
  return read_csv(in, path);
}

}  // namespace patron_cli
