// Infrastructure of the `patron` command-line tool: the subcommand registry, option
// parsing, errors that become one line on stderr and exit code 2, and CSV/JSON output.
// Each subcommand lives in its own cmd_<name>.cpp and registers itself at start-up.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace patron_cli {

// Bad command line or bad input file: one line on stderr, exit code 2.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct option_spec {
  std::string name;         // without the leading "--"
  std::string value_name;   // empty for a flag
  std::string help;
  std::string default_value;  // shown in --help; empty when there is none
};

class arguments {
 public:
  arguments(const std::string& command, const std::vector<option_spec>& specs,
            const std::vector<std::string>& argv);

  bool flag(const std::string& name) const { return values_.count(name) != 0; }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string text(const std::string& name, const std::string& fallback = "") const;
  double number(const std::string& name, double fallback) const;
  std::optional<double> optional_number(const std::string& name) const;
  long long integer(const std::string& name, long long fallback) const;
  // --threads: 0 (every hardware thread) to 1024, default 1; any other value is a usage error.
  unsigned threads() const;
  const std::vector<std::string>& positional() const { return positional_; }
  // The i-th positional argument, or a usage error naming `what`.
  const std::string& positional(std::size_t i, const std::string& what) const;
  const std::string& command() const { return command_; }

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

struct command {
  std::string name;     // e.g. "summary"; sub-subcommands are positional arguments
  std::string summary;  // one line for `patron --help`
  std::string usage;    // "patron summary FILE [options]" plus any extra paragraphs
  std::vector<option_spec> options;
  std::function<int(const arguments&, std::ostream&)> run;
};

// Registers a subcommand; use from a namespace-scope initialiser in cmd_<name>.cpp:
//   static const bool registered = patron_cli::register_command({...});
bool register_command(command c);
const std::map<std::string, command>& commands();
std::string help_text(const command& c);

// --- demo sections: each capability adds its part of `patron demo` -----------------
struct demo_data;  // the bundled CDNOW sample, loaded once (demo_data.hpp)
struct demo_section {
  int order;          // sections print in ascending order
  std::string title;
  std::function<void(const demo_data&, std::ostream&)> run;
};
bool register_demo_section(demo_section section);
const std::vector<demo_section>& demo_sections();

// "a,b,,c" -> {"a", "b", "", "c"}: lists given to options such as --features. Empty
// items are kept so that a typo surfaces as an unknown name instead of vanishing.
std::vector<std::string> split_list(const std::string& text, char separator = ',');

// --- output ----------------------------------------------------------------------
// Shortest decimal text that reads back to the same double.
std::string format_number(double value);

// A minimal JSON value for `--json` output.
class json {
 public:
  using object_type = std::vector<std::pair<std::string, json>>;
  using array_type = std::vector<json>;
  json() : value_(nullptr) {}
  json(std::nullptr_t) : value_(nullptr) {}
  json(bool v) : value_(v) {}
  json(double v) : value_(v) {}
  json(int v) : value_(static_cast<double>(v)) {}
  json(long v) : value_(static_cast<double>(v)) {}
  json(long long v) : value_(static_cast<double>(v)) {}
  json(unsigned long v) : value_(static_cast<double>(v)) {}
  json(unsigned long long v) : value_(static_cast<double>(v)) {}
  json(const char* v) : value_(std::string(v)) {}
  json(std::string v) : value_(std::move(v)) {}
  json(array_type v) : value_(std::move(v)) {}
  json(object_type v) : value_(std::move(v)) {}
  static json object() { return json(object_type{}); }
  static json array() { return json(array_type{}); }
  json& set(const std::string& key, json v);  // object: append a member
  json& push(json v);                         // array: append an element
  void write(std::ostream& out, int indent = 0) const;
  bool is_null() const { return std::holds_alternative<std::nullptr_t>(value_); }

 private:
  std::variant<std::nullptr_t, bool, double, std::string, array_type, object_type> value_;
};

// A rectangular result: named columns of text or numbers, written as CSV or JSON
// (an array of row objects).
class table {
 public:
  using cell = std::variant<std::string, double, long long>;
  explicit table(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  void add_row(std::vector<cell> row);
  void write_csv(std::ostream& out) const;
  json to_json() const;
  const std::vector<std::string>& columns() const { return columns_; }
  std::size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<cell>> rows_;
};

// Writes `t` as CSV, or as JSON when --json was given (with `extra` members, if any,
// placed beside the rows under "rows").
void write_result(const arguments& args, std::ostream& out, const table& t,
                  const json& extra = json());

}  // namespace patron_cli
