// Checks an experimentation platform runs on every test: the sample-ratio-mismatch
// (SRM) test and CUPED variance reduction (Deng, Xu, Kohavi & Walker 2013).
#pragma once

#include <Eigen/Core>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstddef>
#include <utility>

#include "patron/abtest/common.hpp"
#include "patron/abtest/moments.hpp"

namespace patron {

struct srm_result {
  double statistic = 0.0;  // Pearson chi-square of the observed counts vs the planned split
  double p_value = 1.0;    // upper tail, by complement: exact down to ~1e-300
  int degrees_of_freedom = 0;
  Eigen::VectorXd expected;  // total * weight / sum(weights)
};

// Sample-ratio mismatch: chi-square goodness of fit of the users per arm to the
// planned allocation weights (scipy.stats.chisquare(observed, expected)). A tiny p
// (platforms alert below 0.001) means the assignment or the logging is broken.
[[nodiscard]] inline srm_result sample_ratio_mismatch_test(
    const Eigen::Ref<const Eigen::VectorXd>& observed,
    const Eigen::Ref<const Eigen::VectorXd>& weights) {
  constexpr const char* f = "sample_ratio_mismatch_test";
  detail::require(observed.size() >= 2, f, "observed.size()", observed.size(),
                  "must be at least 2");
  detail::require_same_length(f, "observed", static_cast<std::size_t>(observed.size()),
                              "weights", static_cast<std::size_t>(weights.size()));
  detail::require_non_negative(f, "observed", observed);
  detail::require_positive(f, "weights", weights);
  const double total = observed.sum();
  detail::require(total > 0.0 && std::isfinite(total), f, "observed.sum()", total,
                  "must be finite and positive");
  // Weights only matter as shares: divided by the largest first, their sum cannot overflow.
  const Eigen::VectorXd shares = weights / weights.maxCoeff();
  srm_result r;
  r.expected = shares * (total / shares.sum());
  for (Eigen::Index i = 0; i < r.expected.size(); ++i)
    if (!(r.expected(i) > 0.0))
      detail::throw_invalid_value(f, "observed.sum()", total,
                                  "times the share of weights[" + std::to_string(i) + "] (" +
                                      detail::format_value(weights(i)) +
                                      ") underflows: the expected count is 0");
  r.degrees_of_freedom = static_cast<int>(observed.size() - 1);
  r.statistic = ((observed - r.expected).array().square() / r.expected.array()).sum();
  // A count where the plan expects (almost) nobody: the mismatch is certain.
  r.p_value = std::isinf(r.statistic)
                  ? 0.0
                  : cdf(complement(boost::math::chi_squared_distribution<double, detail::math_policy>(
                                       r.degrees_of_freedom),
                                   r.statistic));
  return r;
}

struct cuped_options {
  alternative alt = alternative::two_sided;
  double confidence = 0.95;
};

struct cuped_result {
  double theta = 0.0;             // cov(y, x) / var(x), both groups pooled
  double adjusted_mean_a = 0.0;   // mean(y_A) - theta (mean(x_A) - mean(x))
  double adjusted_mean_b = 0.0;
  double difference = 0.0;        // adjusted_mean_b - adjusted_mean_a
  double standard_error = 0.0;    // sqrt(var_adj_A / n_A + var_adj_B / n_B)
  double unadjusted_standard_error = 0.0;
  double variance_reduction = 0.0;  // 1 - (se / unadjusted se)^2
  double statistic = 0.0;           // difference / standard_error (normal)
  double p_value = 1.0;
  confidence_interval difference_interval;
};

// CUPED from mergeable accumulators of (metric y, pre-period covariate x) per group.
// var_adj = var(y) + theta^2 var(x) - 2 theta cov(x, y) within each group.
[[nodiscard]] inline cuped_result cuped_test(const covariance_accumulator& a,
                                             const covariance_accumulator& b,
                                             const cuped_options& options = {}) {
  constexpr const char* f = "cuped_test";
  detail::require(a.count() >= 2.0, f, "a.count()", a.count(), "must be at least 2");
  detail::require(b.count() >= 2.0, f, "b.count()", b.count(), "must be at least 2");
  detail::require_confidence(f, "options.confidence", options.confidence);
  covariance_accumulator all = a;
  all.merge(b);
  // Moments past the double range (values near 1e154 and beyond) would give inf / inf.
  const std::pair<const char*, double> moments[] = {
      {"a.variance_y()", a.variance_y()},   {"a.variance_x()", a.variance_x()},
      {"a.covariance()", a.covariance()},   {"b.variance_y()", b.variance_y()},
      {"b.variance_x()", b.variance_x()},   {"b.covariance()", b.covariance()},
      {"pooled variance of x", all.variance_x()}, {"pooled covariance", all.covariance()}};
  for (const auto& [name, value] : moments)
    detail::require(std::isfinite(value), f, name, value,
                    "must be finite (the values are too large for double moments)");
  detail::require(all.variance_x() > 0.0, f, "variance of x", all.variance_x(),
                  "must be positive (the covariate is constant)");
  cuped_result r;
  r.theta = all.covariance() / all.variance_x();
  auto adjusted_variance = [&](const covariance_accumulator& g) {
    return std::max(0.0, g.variance_y() + r.theta * r.theta * g.variance_x() -
                             2.0 * r.theta * g.covariance());
  };
  r.adjusted_mean_a = a.mean_y() - r.theta * (a.mean_x() - all.mean_x());
  r.adjusted_mean_b = b.mean_y() - r.theta * (b.mean_x() - all.mean_x());
  r.difference = r.adjusted_mean_b - r.adjusted_mean_a;
  r.standard_error = std::sqrt(adjusted_variance(a) / a.count() + adjusted_variance(b) / b.count());
  r.unadjusted_standard_error = std::sqrt(a.variance_y() / a.count() + b.variance_y() / b.count());
  r.variance_reduction =
      r.unadjusted_standard_error > 0.0
          ? 1.0 - (r.standard_error / r.unadjusted_standard_error) *
                      (r.standard_error / r.unadjusted_standard_error)
          : 0.0;
  r.statistic = detail::ratio_statistic(r.difference, r.standard_error);
  const boost::math::normal_distribution<double, detail::math_policy> z;
  r.p_value = detail::p_value_of(z, r.statistic, options.alt);
  const double q = quantile(complement(z, (1.0 - options.confidence) / 2.0));
  r.difference_interval = {r.difference - q * r.standard_error,
                           r.difference + q * r.standard_error};
  return r;
}

// CUPED from raw per-user data: metric y and pre-period covariate x of each group.
[[nodiscard]] inline cuped_result cuped_test(const Eigen::Ref<const Eigen::VectorXd>& y_a,
                                             const Eigen::Ref<const Eigen::VectorXd>& x_a,
                                             const Eigen::Ref<const Eigen::VectorXd>& y_b,
                                             const Eigen::Ref<const Eigen::VectorXd>& x_b,
                                             const cuped_options& options = {}) {
  constexpr const char* f = "cuped_test";
  detail::require_same_length(f, "y_a", static_cast<std::size_t>(y_a.size()), "x_a",
                              static_cast<std::size_t>(x_a.size()));
  detail::require_same_length(f, "y_b", static_cast<std::size_t>(y_b.size()), "x_b",
                              static_cast<std::size_t>(x_b.size()));
  detail::require_finite(f, "y_a", y_a);
  detail::require_finite(f, "x_a", x_a);
  detail::require_finite(f, "y_b", y_b);
  detail::require_finite(f, "x_b", x_b);
  covariance_accumulator a, b;
  for (Eigen::Index i = 0; i < y_a.size(); ++i) a.add(y_a(i), x_a(i));
  for (Eigen::Index i = 0; i < y_b.size(); ++i) b.add(y_b(i), x_b(i));
  return cuped_test(a, b, options);
}

}  // namespace patron
