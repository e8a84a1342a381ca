// Power, sample size and minimum detectable effect of two-sample tests, equal to
// statsmodels NormalIndPower, TTestIndPower and power_proportions_2indep. Sample sizes
// and effects are solved with Boost's TOMS 748 root finder (Alefeld, Potra & Shi 1995).
#pragma once

#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "patron/abtest/common.hpp"

namespace patron {

struct power_options {
  double alpha = 0.05;                       // significance level, in (0, 1)
  alternative alt = alternative::two_sided;  // greater: the effect is B - A > 0
  double ratio = 1.0;                        // n_B / n_A (> 0)
};

namespace detail {

using ab_normal = boost::math::normal_distribution<double, math_policy>;

inline void require_power_options(const char* f, const power_options& o) {
  require_probability_open(f, "options.alpha", o.alpha);
  require_positive_scalar(f, "options.ratio", o.ratio);
}

// Power of a test whose statistic is N(shift, (sd_alt/sd_null)^2) in null-sd units:
// statsmodels normal_power_het (normal_power when the two sds are equal).
inline double normal_power_het(double shift, double sd_null, double sd_alt, double alpha,
                               alternative alt) {
  const ab_normal z;
  const double tail = alt == alternative::two_sided ? alpha / 2.0 : alpha;
  const double crit = quantile(complement(z, tail)) * sd_null / sd_alt;
  const double centre = shift / sd_alt;
  double power = 0.0;
  if (alt != alternative::less) power += cdf(complement(z, crit - centre));
  if (alt != alternative::greater) power += cdf(z, -crit - centre);
  return power;
}

// statsmodels ttest_power: the non-central t with df degrees of freedom.
inline double t_power(double noncentrality, double df, double alpha, alternative alt) {
  const boost::math::students_t_distribution<double, math_policy> t(df);
  const boost::math::non_central_t_distribution<double, math_policy> shifted(df, noncentrality);
  const double tail = alt == alternative::two_sided ? alpha / 2.0 : alpha;
  const double crit = quantile(complement(t, tail));
  double power = 0.0;
  if (alt != alternative::less) power += cdf(complement(shifted, crit));
  if (alt != alternative::greater) power += cdf(shifted, -crit);
  return power;
}

// Root of f bracketed by [lower, upper] (f(lower) <= 0 <= f(upper)), by TOMS 748 to
// 50 bits.
template <class F>
double bracketed_root(F f, double lower, double upper) {
  std::uintmax_t iterations = 200;
  const auto root = boost::math::tools::toms748_solve(
      f, lower, upper, boost::math::tools::eps_tolerance<double>(50), iterations);
  return 0.5 * (root.first + root.second);
}

// Root of an increasing function on (lower, inf): double the upper end until it
// brackets the root, then TOMS 748. With `shrink`, when f(lower) >= 0 already (a huge
// effect) the root lies below `lower`: the lower end is divided by 16 until it brackets
// the root (or reaches the smallest normal double, returned as is). Without, `lower` is
// a hard limit (positive degrees of freedom) where f may not even be computable.
template <class F>
double solve_increasing(F f, double lower, double upper, const char* fn, const char* what,
                        bool shrink = true) {
  if (shrink && f(lower) >= 0.0) {
    do {
      upper = lower;
      lower /= 16.0;
      if (lower < std::numeric_limits<double>::min()) return upper;
    } while (f(lower) >= 0.0);
    return bracketed_root(f, lower, upper);
  }
  int expansions = 0;
  while (f(upper) < 0.0) {
    lower = upper;
    upper *= 2.0;
    if (++expansions > 200)
      throw_invalid(fn, std::string("no ") + what + " reaches the requested power");
  }
  return bracketed_root(f, lower, upper);
}

inline double effective_n(double n_a, double ratio) {
  const double n_b = n_a * ratio;
  return 1.0 / (1.0 / n_a + 1.0 / n_b);
}

inline void require_target_power(const char* f, double power, const power_options& o) {
  require_probability_open(f, "power", power);
  require(power > o.alpha, f, "power", power, "must exceed options.alpha");
}

// Signed direction of a solved effect: negative only for `less`.
inline double direction(const power_options& o) { return o.alt == alternative::less ? -1.0 : 1.0; }

inline void require_effect_in_direction(const char* f, double effect_size, const power_options& o) {
  require(std::isfinite(effect_size) && effect_size * direction(o) > 0.0, f, "effect_size",
          effect_size, "must be finite, non-zero and in the direction of options.alt");
}

// Minimum detectable standardized effect: the smallest |d| whose power, signed by the
// alternative, reaches `power`.
template <class PowerOfEffect>
double minimum_standardized_effect(PowerOfEffect power_of, double power, const power_options& o,
                                   const char* f) {
  const double s = direction(o);
  return s * solve_increasing([&](double d) { return power_of(s * d) - power; }, 0.0, 1.0, f,
                              "effect");
}

}  // namespace detail

// Power of the z-test for a standardized effect d = (mu_B - mu_A) / sigma with n_A
// and n_B = ratio n_A: statsmodels NormalIndPower().power(d, n_A, alpha, ratio).
[[nodiscard]] inline double normal_power(double effect_size, double n_a,
                                         const power_options& options = {}) {
  constexpr const char* f = "normal_power";
  detail::require_finite_scalar(f, "effect_size", effect_size);
  detail::require_positive_scalar(f, "n_a", n_a);
  detail::require_power_options(f, options);
  return detail::normal_power_het(
      effect_size * std::sqrt(detail::effective_n(n_a, options.ratio)), 1.0, 1.0,
      options.alpha, options.alt);
}

// Power of the two-sample Student t-test: statsmodels TTestIndPower().power(d, n_A,
// alpha, ratio), non-central t on n_A + n_B - 2 degrees of freedom.
[[nodiscard]] inline double t_test_power(double effect_size, double n_a,
                                         const power_options& options = {}) {
  constexpr const char* f = "t_test_power";
  detail::require_finite_scalar(f, "effect_size", effect_size);
  detail::require_power_options(f, options);
  detail::require(std::isfinite(n_a) && n_a * (1.0 + options.ratio) > 2.0, f, "n_a", n_a,
                  "must leave positive degrees of freedom (n_a + n_b > 2)");
  // Boost's (non-central) t refuses an infinite non-centrality, and its quantiles
  // overflow for degrees of freedom near 0: an invalid_input naming the inputs, rather
  // than Boost's error from deep inside a sample-size search.
  try {
    return detail::t_power(effect_size * std::sqrt(detail::effective_n(n_a, options.ratio)),
                           n_a * (1.0 + options.ratio) - 2.0, options.alpha, options.alt);
  } catch (const std::exception& e) {
    detail::throw_invalid(f, "effect_size (" + detail::format_value(effect_size) + ") and n_a (" +
                                 detail::format_value(n_a) +
                                 ") are outside the range of Boost's t distributions: " + e.what());
  }
}

// Power of the pooled two-proportion z-test for true rates p_A and p_B:
// statsmodels power_proportions_2indep(p_B - p_A, p_A, n_B, ratio = 1 / ratio) — the
// null sd from the pooled rate, the alternative sd from the two rates.
[[nodiscard]] inline double two_proportion_power(double p_a, double p_b, double n_a,
                                                 const power_options& options = {}) {
  constexpr const char* f = "two_proportion_power";
  detail::require_probability_open(f, "p_a", p_a);
  detail::require_probability_open(f, "p_b", p_b);
  detail::require_positive_scalar(f, "n_a", n_a);
  detail::require_power_options(f, options);
  const double n_b = n_a * options.ratio;
  const double pooled = (p_a * n_a + p_b * n_b) / (n_a + n_b);
  const double sd_null = std::sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b));
  const double sd_alt = std::sqrt(p_a * (1.0 - p_a) / n_a + p_b * (1.0 - p_b) / n_b);
  detail::require(std::isfinite(sd_null) && std::isfinite(sd_alt), f, "n_a * options.ratio",
                  n_b, "is so small that the variance of the difference overflows");
  return detail::normal_power_het(p_b - p_a, sd_null, sd_alt, options.alpha, options.alt);
}

// n_A (fractional; round up) giving `power` for the standardized effect.
[[nodiscard]] inline double normal_sample_size(double effect_size, double power,
                                               const power_options& options = {}) {
  constexpr const char* f = "normal_sample_size";
  detail::require_power_options(f, options);
  detail::require_target_power(f, power, options);
  detail::require_effect_in_direction(f, effect_size, options);
  return detail::solve_increasing(
      [&](double n) { return normal_power(effect_size, n, options) - power; }, 1e-8, 2.0, f,
      "sample size");
}

[[nodiscard]] inline double t_test_sample_size(double effect_size, double power,
                                               const power_options& options = {}) {
  constexpr const char* f = "t_test_sample_size";
  detail::require_power_options(f, options);
  detail::require_target_power(f, power, options);
  detail::require_effect_in_direction(f, effect_size, options);
  const double lower = 2.0 / (1.0 + options.ratio) * (1.0 + 1e-9);
  return detail::solve_increasing(
      [&](double n) { return t_test_power(effect_size, n, options) - power; }, lower,
      2.0 * lower + 2.0, f, "sample size", false);
}

[[nodiscard]] inline double two_proportion_sample_size(double p_a, double p_b, double power,
                                                       const power_options& options = {}) {
  constexpr const char* f = "two_proportion_sample_size";
  detail::require_probability_open(f, "p_a", p_a);
  detail::require_probability_open(f, "p_b", p_b);
  detail::require_power_options(f, options);
  detail::require_target_power(f, power, options);
  detail::require((p_b - p_a) * detail::direction(options) > 0.0, f, "p_b", p_b,
                  "must differ from p_a in the direction of options.alt");
  return detail::solve_increasing(
      [&](double n) { return two_proportion_power(p_a, p_b, n, options) - power; }, 1e-8, 2.0,
      f, "sample size");
}

// Minimum detectable standardized effect for n_A (negative for `less`).
[[nodiscard]] inline double normal_minimum_effect(double n_a, double power,
                                                  const power_options& options = {}) {
  constexpr const char* f = "normal_minimum_effect";
  detail::require_positive_scalar(f, "n_a", n_a);
  detail::require_power_options(f, options);
  detail::require_target_power(f, power, options);
  return detail::minimum_standardized_effect(
      [&](double d) { return normal_power(d, n_a, options); }, power, options, f);
}

[[nodiscard]] inline double t_test_minimum_effect(double n_a, double power,
                                                  const power_options& options = {}) {
  constexpr const char* f = "t_test_minimum_effect";
  detail::require_power_options(f, options);
  detail::require(std::isfinite(n_a) && n_a * (1.0 + options.ratio) > 2.0, f, "n_a", n_a,
                  "must leave positive degrees of freedom (n_a + n_b > 2)");
  detail::require_target_power(f, power, options);
  return detail::minimum_standardized_effect(
      [&](double d) { return t_test_power(d, n_a, options); }, power, options, f);
}

// Minimum detectable absolute difference p_B - p_A for baseline p_A and n_A; the
// search stays inside (0, 1) for p_B and fails with invalid_input if even p_B at the
// boundary lacks the power.
[[nodiscard]] inline double two_proportion_minimum_effect(double p_a, double n_a, double power,
                                                          const power_options& options = {}) {
  constexpr const char* f = "two_proportion_minimum_effect";
  detail::require_probability_open(f, "p_a", p_a);
  detail::require_positive_scalar(f, "n_a", n_a);
  detail::require_power_options(f, options);
  detail::require_target_power(f, power, options);
  const double s = detail::direction(options);
  const double room = s > 0 ? 1.0 - p_a : p_a;  // distance to the boundary
  auto gap = [&](double fraction) {
    return two_proportion_power(p_a, p_a + s * fraction * room, n_a, options) - power;
  };
  const double edge = 1.0 - 1e-12;
  if (gap(edge) < 0.0)
    detail::throw_invalid_value(f, "n_a", n_a, "is too small to reach the power at any p_b");
  return s * detail::bracketed_root(gap, 0.0, edge) * room;
}

}  // namespace patron
