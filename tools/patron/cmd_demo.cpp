// patron demo: a short customer report of the bundled CDNOW sample. Each capability
// contributes a section (register_demo_section in its cmd_<name>.cpp); this file loads
// the data once and prints the opening section, the customer base at a glance.
#include <patron/transactions.hpp>

#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "csv.hpp"
#include "demo_data.hpp"

#ifndef PATRON_EXAMPLES_DATA_DIR
#define PATRON_EXAMPLES_DATA_DIR "examples/data"
#endif

namespace patron_cli {
namespace {

demo_data load(const std::string& path) {
  const csv_table csv = read_csv_file(path);
  demo_data data;
  data.path = path;
  const auto customer = csv.column("customer");
  data.days = csv.dates(csv.column("date"));
  data.amounts = csv.numbers(csv.column("amount"));
  data.customers.resize(csv.size());
  for (std::size_t i = 0; i < csv.size(); ++i) data.customers[i] = csv.integer(i, customer);
  data.calibration_end = parse_date("1997-09-30", "");
  data.observation_end = parse_date("1998-06-30", "");
  patron::summary_options options;
  options.time_unit = 7.0;
  options.calibration_end = data.calibration_end;
  options.observation_end = data.observation_end;
  data.weekly = patron::summarize_transactions(data.customers, data.days, data.amounts, options);
  return data;
}

void overview(const demo_data& data, std::ostream& out) {
  const auto& s = data.weekly;
  const double revenue = s.total_spend.sum() + s.holdout_spend.sum();
  char line[256];
  std::snprintf(line, sizeof line,
                "%zu transactions by %zu customers, %s to %s, $%.2f in total.\n",
                data.days.size(), s.size(), format_date(s.first_purchase.minCoeff()).c_str(),
                format_date(data.observation_end).c_str(), revenue);
  out << line;
  const auto repeaters = (s.x.array() > 0).count();
  std::snprintf(line, sizeof line,
                "Calibration period to %s (39 weeks): %ld customers (%.1f%%) came back at least "
                "once;\n  mean repeat purchases %.3f, mean spend per transaction $%.2f.\n",
                format_date(data.calibration_end).c_str(), static_cast<long>(repeaters),
                100.0 * static_cast<double>(repeaters) / static_cast<double>(s.size()),
                s.x.mean(), s.total_spend.sum() / static_cast<double>(s.transactions.sum()));
  out << line;
  std::snprintf(line, sizeof line,
                "Holdout period (%.1f weeks): %ld repeat transactions by the same customers.\n",
                s.holdout_length, static_cast<long>(s.holdout_transactions.sum()));
  out << line;
}

[[maybe_unused]] const bool overview_registered =
    register_demo_section({0, "The customer base", overview});

int run(const arguments& args, std::ostream& out) {
  const std::string path = args.positional().empty()
                               ? std::string(PATRON_EXAMPLES_DATA_DIR) + "/cdnow_sample.csv"
                               : args.positional()[0];
  const demo_data data = load(path);
  out << "patron demo: customer report of " << path << "\n";
  for (const auto& section : demo_sections()) {
    out << "\n== " << section.title << " ==\n";
    section.run(data, out);
  }
  return 0;
}

[[maybe_unused]] const bool registered = register_command(
    {"demo", "customer report of the bundled CDNOW sample (or FILE)",
     "patron demo [FILE]\n\nFILE is a CSV with columns customer, date, amount.", {}, run});

}  // namespace
}  // namespace patron_cli
