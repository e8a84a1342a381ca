// patron summary: transaction log -> one row per customer (patron/transactions.hpp).
#include <patron/transactions.hpp>

#include "cli.hpp"
#include "transaction_input.hpp"

namespace patron_cli {
namespace {

template <class Id>
table summary_table(const patron::customer_summary<Id>& s, const transaction_input& input) {
  table t({"customer", "first_purchase", "last_purchase", "transactions", "purchase_periods",
           "total_spend", "mean_spend", "mean_repeat_spend", "x", "t_x", "T",
           "holdout_transactions", "holdout_spend"});
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    table::cell id;
    if constexpr (std::is_integral_v<Id>) id = static_cast<long long>(s.customer[i]);
    else id = s.customer[i];
    t.add_row({id, format_time(input, s.first_purchase(r)), format_time(input, s.last_purchase(r)),
               static_cast<long long>(s.transactions(r)),
               static_cast<long long>(s.purchase_periods(r)), s.total_spend(r), s.mean_spend(r),
               s.mean_repeat_spend(r), s.x(r), s.t_x(r), s.T(r),
               static_cast<long long>(s.holdout_transactions(r)), s.holdout_spend(r)});
  }
  return t;
}

int run(const arguments& args, std::ostream& out) {
  const transaction_input input = read_transactions(args, args.positional(0, "FILE"));
  patron::summary_options options;
  options.time_unit = args.number("time-unit", 1.0);
  options.period_length = args.number("period-length", 1.0);
  if (args.has("cutoff")) options.calibration_end = parse_time_option(input, args, "cutoff");
  if (args.has("end")) options.observation_end = parse_time_option(input, args, "end");
  return std::visit(
      [&](const auto& ids) {
        const auto s = patron::summarize_transactions(ids, input.times, input.amounts, options);
        json extra = json::object();
        extra.set("customers", s.size());
        extra.set("customers_after_cutoff", static_cast<long long>(s.customers_after_cutoff));
        extra.set("calibration_end", format_time(input, s.calibration_end));
        extra.set("observation_end", format_time(input, s.observation_end));
        extra.set("holdout_length", s.holdout_length);
        write_result(args, out, summary_table(s, input), extra);
        return 0;
      },
      input.customers);
}

std::vector<option_spec> options() {
  auto o = transaction_input_options();
  o.push_back({"cutoff", "DATE", "end of the calibration period; later purchases are holdout", ""});
  o.push_back({"end", "DATE", "end of the observation window", "the last purchase"});
  o.push_back({"time-unit", "DAYS", "unit of t_x and T in days (7 = weeks)", "1"});
  o.push_back({"period-length", "DAYS", "purchases within one period merge (BTYD)", "1"});
  return o;
}

[[maybe_unused]] const bool registered = register_command(
    {"summary", "transaction log -> per-customer summary and BTYD (x, t_x, T)",
     "patron summary FILE [options]\n\nFILE is a CSV with a header; '-' reads standard input.",
     options(), run});

}  // namespace
}  // namespace patron_cli
