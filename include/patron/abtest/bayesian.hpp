// Bayesian beta-binomial comparison of two conversion rates: P(p_B > p_A) in closed
// form, the expected loss of each choice, and credible intervals.
//
// With Beta(alpha, beta) posteriors X_B ~ Beta(a1, b1) and X_A ~ Beta(a2, b2) and a1 a
// whole number (Evan Miller, "Formulas for Bayesian A/B testing", 2015):
//   P(X_B > X_A) = sum_{i=0}^{a1-1} B(a2 + i, b1 + b2) / ((b1 + i) B(1 + i, b1) B(a2, b2))
// evaluated term by term in log space (log B via lgamma). The identities
// P(X > Y) = P(1 - Y > 1 - X) = 1 - P(Y > X) let any one whole-number parameter serve
// as the summation bound; the shortest direct sum is taken. Expected loss (Stucchio 2015):
//   E[max(X_A - X_B, 0)] = E[X_A] P(X_A' > X_B) - E[X_B] P(X_A > X_B'),
// X' with alpha + 1. When the sum would exceed options.exact_term_limit terms, the
// posteriors are replaced by normals with their means and variances (the Gaussian
// switch; the posteriors then have skewness below ~2/sqrt(limit)) and the result says so.
#pragma once

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "patron/abtest/common.hpp"

namespace patron {

struct beta_prior {
  double alpha = 1.0;  // in (0, 1e15]; pseudo-successes
  double beta = 1.0;   // in (0, 1e15]; pseudo-failures
};

struct bayesian_options {
  beta_prior prior_a;        // default Beta(1, 1), uniform
  beta_prior prior_b;        // default Beta(1, 1), uniform
  double credible = 0.95;    // level of the equal-tailed credible intervals
  // Longest exact sum; beyond it the Gaussian approximation is used. Default 1e5:
  // five sums of 1e5 lgamma terms take ~50 ms; at that size the normal approximation
  // of P(B > A) is within ~1e-6 (2e-7 at 100 000 conversions per arm). In [0, 2^53].
  std::int64_t exact_term_limit = 100000;
};

struct bayesian_result {
  double probability_b_better = 0.5;  // P(p_B > p_A | data)
  double expected_loss_a = 0.0;       // E[max(p_B - p_A, 0)]: the cost of keeping A
  double expected_loss_b = 0.0;       // E[max(p_A - p_B, 0)]: the cost of shipping B
  double posterior_mean_a = 0.0;
  double posterior_mean_b = 0.0;
  confidence_interval credible_a;     // equal-tailed interval of p_A
  confidence_interval credible_b;     // equal-tailed interval of p_B
  bool gaussian_approximation = false;  // true when the term limit was exceeded
};

namespace detail {

inline double log_beta(double a, double b) {
  return boost::math::lgamma(a, math_policy()) + boost::math::lgamma(b, math_policy()) -
         boost::math::lgamma(a + b, math_policy());
}

inline bool whole(double v) { return v == std::floor(v); }

// Evan Miller's sum for P(X > Y), X ~ Beta(a1, b1), Y ~ Beta(a2, b2), a1 whole.
inline double beta_greater_sum(double a1, double b1, double a2, double b2) {
  const double constant = log_beta(a2, b2);
  const double lg_b1 = boost::math::lgamma(b1, math_policy());
  const double lg_b12 = boost::math::lgamma(b1 + b2, math_policy());
  double total = 0.0;
  for (double i = 0.0; i < a1; i += 1.0) {
    const double log_term = boost::math::lgamma(a2 + i, math_policy()) + lg_b12 -
                            boost::math::lgamma(a2 + i + b1 + b2, math_policy()) -
                            std::log(b1 + i) -
                            (boost::math::lgamma(1.0 + i, math_policy()) + lg_b1 -
                             boost::math::lgamma(1.0 + i + b1, math_policy())) -
                            constant;
    total += std::exp(log_term);
  }
  return std::min(total, 1.0);
}

// P(X > Y) by the cheapest route within `limit` terms: a direct sum (full relative
// precision even for tiny probabilities) when a1 or b2 is a small enough whole number,
// otherwise a complement; empty when no route fits.
inline std::optional<double> beta_greater_exact(double a1, double b1, double a2, double b2,
                                                double limit) {
  auto fits = [limit](double v) { return whole(v) && v <= limit; };
  if (fits(a1) && (!fits(b2) || a1 <= b2)) return beta_greater_sum(a1, b1, a2, b2);
  if (fits(b2)) return beta_greater_sum(b2, a2, b1, a1);  // P(1 - Y > 1 - X)
  if (fits(a2) && (!fits(b1) || a2 <= b1)) return 1.0 - beta_greater_sum(a2, b2, a1, b1);
  if (fits(b1)) return 1.0 - beta_greater_sum(b1, a1, b2, a2);
  return std::nullopt;
}

inline double beta_greater_gaussian(double a1, double b1, double a2, double b2) {
  auto mean = [](double a, double b) { return a / (a + b); };
  auto var = [](double a, double b) { return a * b / ((a + b) * (a + b) * (a + b + 1.0)); };
  const double z = (mean(a1, b1) - mean(a2, b2)) / std::sqrt(var(a1, b1) + var(a2, b2));
  return cdf(boost::math::normal_distribution<double, math_policy>(), z);
}

// E[max(X - Y, 0)] for independent normals X - Y ~ N(mu, s^2): mu Phi(mu/s) + s phi(mu/s).
inline double gaussian_loss(double mu, double s) {
  const boost::math::normal_distribution<double, math_policy> z;
  return mu * cdf(z, mu / s) + s * pdf(z, mu / s);
}

}  // namespace detail

[[nodiscard]] inline bayesian_result bayesian_ab_test(std::int64_t successes_a,
                                                      std::int64_t trials_a,
                                                      std::int64_t successes_b,
                                                      std::int64_t trials_b,
                                                      const bayesian_options& options = {}) {
  constexpr const char* f = "bayesian_ab_test";
  detail::require_counts(f, "successes_a", successes_a, "trials_a", trials_a);
  detail::require_counts(f, "successes_b", successes_b, "trials_b", trials_b);
  // Beyond 1e15 pseudo-observations the posterior moments (cubes of alpha + beta) and
  // log-gammas leave the double range; no real prior is that strong.
  const std::pair<const char*, double> priors[] = {
      {"options.prior_a.alpha", options.prior_a.alpha}, {"options.prior_a.beta", options.prior_a.beta},
      {"options.prior_b.alpha", options.prior_b.alpha}, {"options.prior_b.beta", options.prior_b.beta}};
  for (const auto& [name, value] : priors) {
    detail::require_positive_scalar(f, name, value);
    detail::require(value <= 1e15, f, name, value, "must not exceed 1e15");
  }
  detail::require_confidence(f, "options.credible", options.credible);
  // 2^53: the exact sums count terms in a double, which stops at 2^53.
  detail::require(options.exact_term_limit >= 0 && options.exact_term_limit <= (std::int64_t{1} << 53),
                  f, "options.exact_term_limit", options.exact_term_limit, "must be in [0, 2^53]");
  const double a1 = options.prior_b.alpha + static_cast<double>(successes_b);
  const double b1 = options.prior_b.beta + static_cast<double>(trials_b - successes_b);
  const double a2 = options.prior_a.alpha + static_cast<double>(successes_a);
  const double b2 = options.prior_a.beta + static_cast<double>(trials_a - successes_a);
  bayesian_result r;
  r.posterior_mean_b = a1 / (a1 + b1);
  r.posterior_mean_a = a2 / (a2 + b2);
  if (!(detail::whole(a1) || detail::whole(b1) || detail::whole(a2) || detail::whole(b2)))
    detail::throw_invalid(f, "options.prior_a, options.prior_b: the closed form needs a "
                             "whole-number alpha or beta in at least one prior");
  const double limit = static_cast<double>(options.exact_term_limit);
  // E[max(X_A - X_B, 0)] = E[X_A] P(X_A+ > X_B) - E[X_B] P(X_A > X_B+), '+': alpha + 1.
  const auto p_better = detail::beta_greater_exact(a1, b1, a2, b2, limit);
  const auto p_a_plus = detail::beta_greater_exact(a2 + 1.0, b2, a1, b1, limit);
  const auto p_b_plus = detail::beta_greater_exact(a2, b2, a1 + 1.0, b1, limit);
  const auto p_b_plus_wins = detail::beta_greater_exact(a1 + 1.0, b1, a2, b2, limit);
  const auto p_a_plus_loses = detail::beta_greater_exact(a1, b1, a2 + 1.0, b2, limit);
  r.gaussian_approximation =
      !(p_better && p_a_plus && p_b_plus && p_b_plus_wins && p_a_plus_loses);
  if (r.gaussian_approximation) {
    auto var = [](double a, double b) { return a * b / ((a + b) * (a + b) * (a + b + 1.0)); };
    const double s = std::sqrt(var(a1, b1) + var(a2, b2));
    const double mu = r.posterior_mean_b - r.posterior_mean_a;
    r.probability_b_better = detail::beta_greater_gaussian(a1, b1, a2, b2);
    r.expected_loss_a = detail::gaussian_loss(mu, s);
    r.expected_loss_b = detail::gaussian_loss(-mu, s);
  } else {
    r.probability_b_better = *p_better;
    r.expected_loss_b = std::max(0.0, r.posterior_mean_a * *p_a_plus - r.posterior_mean_b * *p_b_plus);
    r.expected_loss_a =
        std::max(0.0, r.posterior_mean_b * *p_b_plus_wins - r.posterior_mean_a * *p_a_plus_loses);
  }
  const double tail = (1.0 - options.credible) / 2.0;
  using beta = boost::math::beta_distribution<double, detail::math_policy>;
  const beta post_a(a2, b2), post_b(a1, b1);
  r.credible_a = {quantile(post_a, tail), quantile(complement(post_a, tail))};
  r.credible_b = {quantile(post_b, tail), quantile(complement(post_b, tail))};
  return r;
}

}  // namespace patron
