// Implementation of the churn formulas and cohort tables of patron/churn.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>

#include "patron/core/validate.hpp"

namespace patron {

inline period_rates period_rates_from_counts(double customers_at_start, double customers_lost,
                                             double customers_gained) {
  const char* fn = "period_rates_from_counts";
  detail::require_positive_scalar(fn, "customers_at_start", customers_at_start);
  detail::require(std::isfinite(customers_lost) && customers_lost >= 0.0, fn, "customers_lost",
                  customers_lost, "must be finite and non-negative");
  detail::require(customers_lost <= customers_at_start, fn, "customers_lost", customers_lost,
                  "must not exceed customers_at_start");
  detail::require(std::isfinite(customers_gained) && customers_gained >= 0.0, fn,
                  "customers_gained", customers_gained, "must be finite and non-negative");
  period_rates r;
  r.churn_rate = customers_lost / customers_at_start;
  r.retention_rate = 1.0 - r.churn_rate;
  r.customers_at_end = customers_at_start - customers_lost + customers_gained;
  r.net_growth_rate = (customers_gained - customers_lost) / customers_at_start;
  return r;
}

namespace detail {
inline void require_churn_rate(const char* fn, double churn_rate, bool allow_zero) {
  const bool ok = std::isfinite(churn_rate) && churn_rate <= 1.0 &&
                  (allow_zero ? churn_rate >= 0.0 : churn_rate > 0.0);
  require(ok, fn, "churn_rate", churn_rate, allow_zero ? "must be in [0, 1]" : "must be in (0, 1]");
}
}  // namespace detail

inline double convert_churn_rate(double churn_rate, double from_length, double to_length) {
  detail::require_churn_rate("convert_churn_rate", churn_rate, true);
  detail::require_positive_scalar("convert_churn_rate", "from_length", from_length);
  detail::require_positive_scalar("convert_churn_rate", "to_length", to_length);
  // 1 - exp(k log1p(-c)) keeps precision for small rates.
  if (churn_rate == 1.0) return 1.0;
  return -std::expm1(to_length / from_length * std::log1p(-churn_rate));
}

inline double expected_lifetime_constant_churn(double churn_rate) {
  detail::require_churn_rate("expected_lifetime_constant_churn", churn_rate, false);
  return 1.0 / churn_rate;
}

inline double survival_constant_churn(double churn_rate, double periods) {
  detail::require_churn_rate("survival_constant_churn", churn_rate, true);
  detail::require(std::isfinite(periods) && periods >= 0.0, "survival_constant_churn", "periods",
                  periods, "must be finite and non-negative");
  if (churn_rate == 1.0) return periods == 0.0 ? 1.0 : 0.0;
  return std::exp(periods * std::log1p(-churn_rate));
}

inline cohort_retention_table cohort_retention(const std::vector<long long>& start_period,
                                               const std::vector<long long>& last_active_period,
                                               const cohort_table_options& options) {
  const char* fn = "cohort_retention";
  detail::require_non_empty(fn, "start_period", start_period.size());
  detail::require_same_length(fn, "start_period", start_period.size(), "last_active_period",
                              last_active_period.size());
  for (std::size_t i = 0; i < start_period.size(); ++i)
    if (last_active_period[i] < start_period[i])
      detail::throw_invalid_element(fn, "last_active_period", i, last_active_period[i],
                                    "precedes the customer's start period");
  const long long latest = *std::max_element(last_active_period.begin(), last_active_period.end());
  const long long end = options.observation_end.value_or(latest);
  if (end < latest)
    detail::throw_invalid_value(fn, "options.observation_end", end,
                                "precedes a last active period (" + std::to_string(latest) + ")");

  const long long first = *std::min_element(start_period.begin(), start_period.end());
  // Differences of periods in unsigned arithmetic: exact, since later >= earlier here,
  // where the signed difference can overflow (periods at both ends of the long long range).
  const auto span = [](long long later, long long earlier) {
    return static_cast<unsigned long long>(later) - static_cast<unsigned long long>(earlier);
  };
  if (span(end, first) >= 1'000'000)
    detail::throw_invalid_value(fn, "options.observation_end", end,
                                "is 1,000,000 or more periods after the first start period (" +
                                    std::to_string(first) + "): the table would not fit in memory");
  // Active counts by (cohort, age) via a difference array per cohort: +1 at age 0,
  // -1 at the first inactive age.
  std::map<long long, std::vector<double>> delta;
  const auto width = static_cast<std::size_t>(span(end, first) + 1);
  for (std::size_t i = 0; i < start_period.size(); ++i) {
    auto& d = delta[start_period[i]];
    if (d.empty()) {
      // Each cohort holds `width` cells (three times over): bound the whole table.
      if ((delta.size()) * width > 50'000'000)
        detail::throw_invalid_element(fn, "start_period", i, start_period[i],
                                      "starts cohort " + std::to_string(delta.size()) + " of a table " +
                                          std::to_string(width) +
                                          " periods wide: more than 5e7 cells would not fit in memory");
      d.assign(width + 1, 0.0);
    }
    d[0] += 1.0;
    d[static_cast<std::size_t>(span(last_active_period[i], start_period[i]) + 1)] -= 1.0;
  }

  cohort_retention_table table;
  table.observation_end = end;
  table.active = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(delta.size()),
                                       static_cast<Eigen::Index>(width));
  table.retention = table.active;
  Eigen::Index row = 0;
  for (const auto& [cohort, d] : delta) {
    table.cohort.push_back(cohort);
    const auto observed = static_cast<long long>(span(end, cohort) + 1);
    table.periods_observed.push_back(observed);
    double running = 0.0;
    for (long long k = 0; k < observed; ++k) {
      running += d[static_cast<std::size_t>(k)];
      table.active(row, k) = running;
      table.retention(row, k) = running / table.active(row, 0);
    }
    ++row;
  }
  return table;
}

}  // namespace patron
