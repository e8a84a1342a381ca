#include "transaction_input.hpp"

#include <charconv>

#include "csv.hpp"

namespace patron_cli {

std::vector<option_spec> transaction_input_options() {
  return {
      {"customer-column", "NAME", "column holding customer ids", "customer"},
      {"time-column", "NAME", "column holding purchase dates (YYYYMMDD or ISO-8601)", "date"},
      {"amount-column", "NAME", "column holding amounts", "amount"},
      {"numeric-time", "", "times are plain numbers, not dates", ""},
  };
}

transaction_input read_transactions(const arguments& args, const std::string& path) {
  const csv_table csv = read_csv_file(path);
  transaction_input input;
  input.numeric_time = args.flag("numeric-time");
  const std::size_t customer = csv.column(args.text("customer-column", "customer"));
  const std::size_t time = csv.column(args.text("time-column", "date"));
  const std::size_t amount = csv.column(args.text("amount-column", "amount"));
  input.times = input.numeric_time ? csv.numbers(time) : csv.dates(time);
  input.amounts = csv.numbers(amount);

  std::vector<long long> integer_ids(csv.size());
  bool all_integers = true;
  for (std::size_t i = 0; i < csv.size() && all_integers; ++i) {
    const std::string& text = csv.rows[i][customer];
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, integer_ids[i]);
    all_integers = !text.empty() && ec == std::errc() && ptr == end;
  }
  if (all_integers) input.customers = std::move(integer_ids);
  else input.customers = csv.texts(customer);
  return input;
}

std::string format_time(const transaction_input& input, double time) {
  return input.numeric_time ? format_number(time) : format_date(time);
}

double parse_time_option(const transaction_input& input, const arguments& args,
                         const std::string& name) {
  if (input.numeric_time) return args.number(name, 0.0);
  return parse_date(args.text(name), "option --" + name + ": ");
}

}  // namespace patron_cli
