// Multiple comparisons: adjusted p-values and rejections for a family of tests
// (several variants against one control, several metrics), as statsmodels
// multipletests.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {

enum class correction_method {
  bonferroni,          // min(1, m p): family-wise error rate (FWER), any dependence
  sidak,               // 1 - (1 - p)^m: FWER, independent tests (Sidak 1967)
  holm,                // step-down Bonferroni: FWER, any dependence (Holm 1979)
  hochberg,            // step-up: FWER, independent or positively dependent (Hochberg 1988)
  benjamini_hochberg,  // false discovery rate (FDR), independent/positive (BH 1995)
  benjamini_yekutieli  // FDR under any dependence (Benjamini & Yekutieli 2001)
};

struct multiple_comparison_result {
  Eigen::VectorXd adjusted_p_value;  // same order as the input, in [0, 1]
  std::vector<bool> reject;          // H0 rejected at family level alpha
};

[[nodiscard]] inline multiple_comparison_result adjust_p_values(
    const Eigen::Ref<const Eigen::VectorXd>& p_values, correction_method method,
    double alpha = 0.05) {
  constexpr const char* f = "adjust_p_values";
  detail::require_non_empty(f, "p_values", static_cast<std::size_t>(p_values.size()));
  detail::require_each(f, "p_values", p_values,
                       [](double p) { return p >= 0.0 && p <= 1.0; }, "must be in [0, 1]");
  detail::require_probability_open(f, "alpha", alpha);
  const std::size_t m = static_cast<std::size_t>(p_values.size());
  const double md = static_cast<double>(m);
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return p_values(x) < p_values(y); });
  std::vector<double> p(m), adjusted(m);
  for (std::size_t i = 0; i < m; ++i) p[i] = p_values(order[i]);
  std::vector<bool> reject(m, false);  // in sorted order
  switch (method) {
    case correction_method::bonferroni:
      for (std::size_t i = 0; i < m; ++i) {
        adjusted[i] = p[i] * md;
        reject[i] = p[i] <= alpha / md;
      }
      break;
    case correction_method::sidak: {
      const double level = -std::expm1(std::log1p(-alpha) / md);
      for (std::size_t i = 0; i < m; ++i) {
        adjusted[i] = -std::expm1(md * std::log1p(-p[i]));
        reject[i] = p[i] <= level;
      }
      break;
    }
    case correction_method::holm: {
      double running = 0.0;
      bool stopped = false;
      for (std::size_t i = 0; i < m; ++i) {
        const double remaining = md - static_cast<double>(i);
        running = std::max(running, p[i] * remaining);
        adjusted[i] = running;
        stopped = stopped || p[i] > alpha / remaining;
        reject[i] = !stopped;
      }
      break;
    }
    case correction_method::hochberg:
    case correction_method::benjamini_hochberg:
    case correction_method::benjamini_yekutieli: {
      // Step-up: p_(i) times a factor, then a running minimum from the largest p down;
      // reject every hypothesis up to the largest i with p_(i) <= alpha / factor_i.
      double harmonic = 1.0;
      if (method == correction_method::benjamini_yekutieli) {
        harmonic = 0.0;
        for (std::size_t i = 1; i <= m; ++i) harmonic += 1.0 / static_cast<double>(i);
      }
      auto factor = [&](std::size_t i) {
        const double rank = static_cast<double>(i + 1);
        return method == correction_method::hochberg ? md - static_cast<double>(i)
                                                     : md * harmonic / rank;
      };
      double running = 1.0;
      std::size_t last_reject = m;
      for (std::size_t i = m; i-- > 0;) {
        running = std::min(running, p[i] * factor(i));
        adjusted[i] = running;
        const double threshold = method == correction_method::hochberg
                                     ? alpha / factor(i)
                                     : static_cast<double>(i + 1) / md / harmonic * alpha;
        if (last_reject == m && p[i] <= threshold) last_reject = i;
      }
      for (std::size_t i = 0; last_reject < m && i <= last_reject; ++i) reject[i] = true;
      break;
    }
  }
  multiple_comparison_result r;
  r.adjusted_p_value.resize(p_values.size());
  r.reject.assign(m, false);
  for (std::size_t i = 0; i < m; ++i) {
    r.adjusted_p_value(static_cast<Eigen::Index>(order[i])) = std::min(adjusted[i], 1.0);
    r.reject[order[i]] = reject[i];
  }
  return r;
}

}  // namespace patron
