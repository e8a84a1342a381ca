// Hostile input for the transaction summary: period lengths and time units so small, or
// times so far apart, that periods or ages overflow (purchases used to merge into one
// infinite period, and t_x and T to become inf, silently).
#include <catch2/catch.hpp>

#include <patron/transactions.hpp>
#include <vector>

#include "support/close_to.hpp"

TEST_CASE("summarize_transactions: periods and ages beyond the double range", "[invalid][edge]") {
  const std::vector<int> ids{1, 1, 1};
  const std::vector<double> times{0, 1, 2}, amounts{1, 2, 3};
  patron::summary_options tiny_period;
  tiny_period.period_length = 5e-324;  // 1 / 5e-324 and 2 / 5e-324 were both inf: x = 1
  CHECK_THROWS_WITH(patron::summarize_transactions(ids, times, amounts, tiny_period),
                    "patron::summarize_transactions: options.period_length "
                    "(4.9406564584124654e-324) is so small that time / period_length overflows "
                    "at time 2");
  patron::summary_options tiny_unit;
  tiny_unit.time_unit = 5e-324;  // t_x and T were inf
  CHECK_THROWS_WITH(patron::summarize_transactions(ids, times, amounts, tiny_unit),
                    "patron::summarize_transactions: options.time_unit (4.9406564584124654e-324) "
                    "and the time span from 0 to 2 give ages beyond the double range");
  const std::vector<double> far{-1e308, 0, 1e308};  // 1e308 - (-1e308) overflows
  CHECK_THROWS_WITH(patron::summarize_transactions(ids, far, amounts),
                    "patron::summarize_transactions: options.time_unit (1) and the time span from "
                    "-1e+308 to 1e+308 give ages beyond the double range");
  patron::transaction_accumulator<int> acc;
  acc.add(ids, times, amounts);
  CHECK_THROWS_WITH(acc.summarize(tiny_period),
                    Catch::StartsWith("patron::transaction_accumulator::summarize: "
                                      "options.period_length (4.9406564584124654e-324)"));
  // Large times with a matching period length are fine.
  patron::summary_options coarse;
  coarse.period_length = 1e300;
  coarse.time_unit = 1e300;
  const std::vector<double> large{0, 1e307, 2e307};
  const auto s = patron::summarize_transactions(ids, large, amounts, coarse);
  CHECK(s.x(0) == 2.0);  // periods 0, 1e7 and 2e7
  CHECK_THAT(s.t_x(0), patron_test::close_to(2e7, 1e-15));
}
