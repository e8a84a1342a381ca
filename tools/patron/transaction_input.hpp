// Reading a transaction log (customer, time, amount) for the subcommands that take one
// (summary, rfm, clv). Customer ids that are all integers sort numerically; otherwise
// they are kept as text.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "cli.hpp"

namespace patron_cli {

struct transaction_input {
  std::variant<std::vector<long long>, std::vector<std::string>> customers;
  std::vector<double> times;  // days since 1970-01-01 (or raw numbers with --numeric-time)
  std::vector<double> amounts;
  bool numeric_time = false;
};

// The options every transaction-reading subcommand accepts.
std::vector<option_spec> transaction_input_options();
transaction_input read_transactions(const arguments& args, const std::string& path);

// Text of a time for output: an ISO date, or the number with --numeric-time.
std::string format_time(const transaction_input& input, double time);
// A time given on the command line (--cutoff 1997-09-30, or a number).
double parse_time_option(const transaction_input& input, const arguments& args,
                         const std::string& name);

}  // namespace patron_cli
