#include "cli.hpp"

#include <algorithm>
#include <sstream>

namespace patron_cli {

namespace {
std::map<std::string, command>& registry() {
  static std::map<std::string, command> r;
  return r;
}
std::vector<demo_section>& demo_registry() {
  static std::vector<demo_section> r;
  return r;
}
}  // namespace

bool register_command(command c) {
  std::string name = c.name;
  registry().emplace(std::move(name), std::move(c));
  return true;
}
const std::map<std::string, command>& commands() { return registry(); }

bool register_demo_section(demo_section section) {
  auto& r = demo_registry();
  r.push_back(std::move(section));
  std::stable_sort(r.begin(), r.end(),
                   [](const demo_section& a, const demo_section& b) { return a.order < b.order; });
  return true;
}
const std::vector<demo_section>& demo_sections() { return demo_registry(); }

std::string help_text(const command& c) {
  std::ostringstream out;
  out << "usage: " << c.usage << "\n\n" << c.summary << "\n";
  if (!c.options.empty()) {
    out << "\noptions:\n";
    for (const auto& o : c.options) {
      std::string left = "  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
      out << left;
      if (left.size() < 28) out << std::string(28 - left.size(), ' ');
      else out << "\n" << std::string(28, ' ');
      out << o.help;
      if (!o.default_value.empty()) out << " (default " << o.default_value << ")";
      out << "\n";
    }
  }
  out << "  --help                    show this help\n";
  return out.str();
}

arguments::arguments(const std::string& command, const std::vector<option_spec>& specs,
                     const std::vector<std::string>& argv)
    : command_(command) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      std::string name = a.substr(2), value;
      bool inline_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      auto spec = std::find_if(specs.begin(), specs.end(),
                               [&](const option_spec& s) { return s.name == name; });
      if (spec == specs.end())
        throw usage_error("unknown option --" + name + " (see patron " + command + " --help)");
      if (spec->value_name.empty()) {
        if (inline_value) throw usage_error("option --" + name + " takes no value");
        values_[name] = "";
      } else if (inline_value) {
        values_[name] = value;
      } else {
        if (i + 1 >= argv.size()) throw usage_error("option --" + name + " needs a value");
        values_[name] = argv[++i];
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::string arguments::text(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

namespace {
double parse_double(const std::string& option, const std::string& text) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value))
    throw usage_error("option --" + option + ": '" + text + "' is not a finite number");
  return value;
}
}  // namespace

double arguments::number(const std::string& name, double fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : parse_double(name, it->second);
}

std::optional<double> arguments::optional_number(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return parse_double(name, it->second);
}

long long arguments::integer(const std::string& name, long long fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  long long value = 0;
  const std::string& text = it->second;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end)
    throw usage_error("option --" + name + ": '" + text + "' is not an integer");
  return value;
}

unsigned arguments::threads() const {
  const long long value = integer("threads", 1);
  if (value < 0 || value > 1024)
    throw usage_error("option --threads: '" + std::to_string(value) + "' must be in [0, 1024] (0: every core)");
  return static_cast<unsigned>(value);
}

const std::string& arguments::positional(std::size_t i, const std::string& what) const {
  if (i >= positional_.size())
    throw usage_error("missing " + what + " (see patron " + command_ + " --help)");
  return positional_[i];
}

std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, separator)) out.push_back(item);
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ptr);
}

json& json::set(const std::string& key, json v) {
  std::get<object_type>(value_).emplace_back(key, std::move(v));
  return *this;
}
json& json::push(json v) {
  std::get<array_type>(value_).push_back(std::move(v));
  return *this;
}

namespace {
void write_string(std::ostream& out, const std::string& s) {
  out << '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      case '\t': out << "\\t"; break;
      default:
        if (c < 0x20) {
          const char* hex = "0123456789abcdef";
          out << "\\u00" << hex[c >> 4] << hex[c & 15];
        } else {
          out << static_cast<char>(c);
        }
    }
  }
  out << '"';
}
}  // namespace

void json::write(std::ostream& out, int indent) const {
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  const std::string close(static_cast<std::size_t>(indent), ' ');
  if (std::holds_alternative<std::nullptr_t>(value_)) {
    out << "null";
  } else if (auto b = std::get_if<bool>(&value_)) {
    out << (*b ? "true" : "false");
  } else if (auto d = std::get_if<double>(&value_)) {
    // JSON has no NaN or infinity: they become null.
    if (std::isfinite(*d)) out << format_number(*d);
    else out << "null";
  } else if (auto s = std::get_if<std::string>(&value_)) {
    write_string(out, *s);
  } else if (auto a = std::get_if<array_type>(&value_)) {
    if (a->empty()) { out << "[]"; return; }
    out << "[\n";
    for (std::size_t i = 0; i < a->size(); ++i) {
      out << pad;
      (*a)[i].write(out, indent + 2);
      out << (i + 1 < a->size() ? ",\n" : "\n");
    }
    out << close << "]";
  } else if (auto o = std::get_if<object_type>(&value_)) {
    if (o->empty()) { out << "{}"; return; }
    out << "{\n";
    for (std::size_t i = 0; i < o->size(); ++i) {
      out << pad;
      write_string(out, (*o)[i].first);
      out << ": ";
      (*o)[i].second.write(out, indent + 2);
      out << (i + 1 < o->size() ? ",\n" : "\n");
    }
    out << close << "}";
  }
}

void table::add_row(std::vector<cell> row) {
  if (row.size() != columns_.size())
    throw std::logic_error("patron_cli::table: row width does not match the columns");
  rows_.push_back(std::move(row));
}

namespace {
std::string cell_text(const table::cell& c) {
  if (auto s = std::get_if<std::string>(&c)) return *s;
  if (auto d = std::get_if<double>(&c)) return format_number(*d);
  return std::to_string(std::get<long long>(c));
}
std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}
}  // namespace

void table::write_csv(std::ostream& out) const {
  for (std::size_t j = 0; j < columns_.size(); ++j)
    out << (j ? "," : "") << csv_quote(columns_[j]);
  out << "\n";
  for (const auto& row : rows_) {
    for (std::size_t j = 0; j < row.size(); ++j) out << (j ? "," : "") << csv_quote(cell_text(row[j]));
    out << "\n";
  }
}

json table::to_json() const {
  json rows = json::array();
  for (const auto& row : rows_) {
    json object = json::object();
    for (std::size_t j = 0; j < row.size(); ++j) {
      if (auto s = std::get_if<std::string>(&row[j])) object.set(columns_[j], *s);
      else if (auto d = std::get_if<double>(&row[j])) object.set(columns_[j], *d);
      else object.set(columns_[j], std::get<long long>(row[j]));
    }
    rows.push(std::move(object));
  }
  return rows;
}

void write_result(const arguments& args, std::ostream& out, const table& t, const json& extra) {
  if (!args.flag("json")) {
    t.write_csv(out);
    return;
  }
  json document = json::object();
  if (!extra.is_null()) document.set("result", extra);
  document.set("rows", t.to_json());
  document.write(out);
  out << "\n";
}

}  // namespace patron_cli
