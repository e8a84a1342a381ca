// Sequential testing: looking at an A/B test more than once without inflating the
// type-I error.
//  - Group-sequential boundaries for K planned looks by Lan-DeMets alpha spending
//    (Lan & DeMets 1983), with the O'Brien-Fleming-type and Pocock-type spending
//    functions, computed by the recursive numerical integration of Armitage, McPherson
//    & Rowe (1969) on the Brownian-motion scale.
//  - Always-valid inference for continuous monitoring: the normal-mixture sequential
//    probability ratio test (mSPRT; Robbins 1970, Johari et al. 2017) and its
//    confidence sequence.
//  - Evan Miller's simple sequential test (2015): count conversions only, stop when
//    B leads by d or when N conversions have been seen.
#pragma once

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "patron/abtest/common.hpp"

namespace patron {

// ---------------------------------------------------------------------------------
// Group-sequential designs
// ---------------------------------------------------------------------------------

enum class spending_function {
  obrien_fleming,  // alpha(t) = 2 - 2 Phi(z_{1 - alpha/2} / sqrt(t)): spends little early
  pocock           // alpha(t) = alpha log(1 + (e - 1) t): spends evenly
};

// Most Simpson nodes per look. Each look after the first costs grid_points^2 normal
// densities and each allocation grid_points doubles, so the option must be bounded (2e9
// nodes would exhaust memory and take centuries). The quadrature error, ~1e-9 at the
// default 1001 nodes and falling as h^4, is ~1e-13 at 10001: below the tolerance of the
// boundary's root search, so more nodes could only cost time.
inline constexpr int group_sequential_max_grid_points = 10001;

struct group_sequential_options {
  // Total type-I error. A two-sided design spends alpha/2 on each side with the
  // spending function of alpha/2 (as ldbounds, gsDesign and rpact do).
  double alpha = 0.05;
  spending_function spending = spending_function::obrien_fleming;
  // two_sided: reject when |Z_k| >= c_k; greater: Z_k >= c_k; less: Z_k <= -c_k
  // (`less` mirrors `greater`, so c_k is reported positive).
  alternative alt = alternative::two_sided;
  // Simpson nodes per look: odd, in [101, group_sequential_max_grid_points]; error ~ 1e-9.
  int grid_points = 1001;
};

struct group_sequential_design {
  std::vector<double> information_fraction;  // t_k, as given
  std::vector<double> z_boundary;            // c_k: critical |z| (or z) at look k
  std::vector<double> cumulative_alpha;      // alpha(t_k) spent up to look k (both sides)
  std::vector<double> nominal_p_value;       // the per-look p threshold matching c_k
};

namespace detail {

inline double spent_alpha(spending_function s, double alpha, double t) {
  const boost::math::normal_distribution<double, math_policy> z;
  if (t >= 1.0) return alpha;
  if (s == spending_function::pocock) return alpha * std::log1p((std::exp(1.0) - 1.0) * t);
  return 2.0 * cdf(complement(z, quantile(complement(z, alpha / 2.0)) / std::sqrt(t)));
}

// Composite Simpson weights for n (odd) equally spaced nodes on [lo, hi].
inline void simpson_grid(double lo, double hi, int n, std::vector<double>& nodes,
                         std::vector<double>& weights) {
  nodes.resize(static_cast<std::size_t>(n));
  weights.resize(static_cast<std::size_t>(n));
  const double h = (hi - lo) / (n - 1);
  for (int i = 0; i < n; ++i) {
    nodes[static_cast<std::size_t>(i)] = lo + h * i;
    weights[static_cast<std::size_t>(i)] =
        h / 3.0 * ((i == 0 || i == n - 1) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0));
  }
}

}  // namespace detail

[[nodiscard]] inline group_sequential_design group_sequential_boundaries(
    const std::vector<double>& information_fractions,
    const group_sequential_options& options = {}) {
  constexpr const char* f = "group_sequential_boundaries";
  detail::require_non_empty(f, "information_fractions", information_fractions.size());
  detail::require_probability_open(f, "options.alpha", options.alpha);
  if (!(options.grid_points >= 101 && options.grid_points % 2 == 1 &&
        options.grid_points <= group_sequential_max_grid_points))
    detail::throw_invalid_value(f, "options.grid_points", options.grid_points,
                                "must be odd and in [101, " +
                                    std::to_string(group_sequential_max_grid_points) + "]");
  for (std::size_t k = 0; k < information_fractions.size(); ++k) {
    const double t = information_fractions[k];
    const double previous = k == 0 ? 0.0 : information_fractions[k - 1];
    if (!(t > previous && t <= 1.0))
      detail::throw_invalid_element(f, "information_fractions", k, t,
                                    "must increase strictly within (0, 1]");
  }
  const bool two_sided = options.alt == alternative::two_sided;
  const boost::math::normal_distribution<double, detail::math_policy> z;
  group_sequential_design d;
  d.information_fraction = information_fractions;
  std::vector<double> nodes, weights, density, next_nodes, next_weights, next_density;
  double spent = 0.0, previous_t = 0.0;
  for (std::size_t k = 0; k < information_fractions.size(); ++k) {
    const double t = information_fractions[k];
    const double target =
        (two_sided ? 2.0 * detail::spent_alpha(options.spending, options.alpha / 2.0, t)
                   : detail::spent_alpha(options.spending, options.alpha, t)) -
        spent;
    const double root_t = std::sqrt(t), root_dt = std::sqrt(t - previous_t);
    // Probability of crossing at look k (and not before) for boundary c.
    auto crossing = [&](double c) {
      if (k == 0) return (two_sided ? 2.0 : 1.0) * cdf(complement(z, c));
      double total = 0.0;
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        double p = cdf(complement(z, (c * root_t - nodes[i]) / root_dt));
        if (two_sided) p += cdf(z, (-c * root_t - nodes[i]) / root_dt);
        total += weights[i] * density[i] * p;
      }
      return total;
    };
    double c = std::numeric_limits<double>::infinity();
    if (target > 0.0) {
      std::uintmax_t iterations = 200;
      const auto root = boost::math::tools::toms748_solve(
          [&](double x) { return crossing(x) - target; }, 0.0, 40.0,
          boost::math::tools::eps_tolerance<double>(45), iterations);
      c = 0.5 * (root.first + root.second);
    }
    spent += crossing(c);
    d.z_boundary.push_back(c);
    d.cumulative_alpha.push_back(spent);
    d.nominal_p_value.push_back(cdf(complement(z, c)) * (two_sided ? 2.0 : 1.0));
    if (k + 1 == information_fractions.size()) break;
    // Density of S_k = B(t_k) on the continuation region, by convolving the previous
    // density with the N(0, t_k - t_{k-1}) increment (or the N(0, t_1) start).
    const double upper = std::min(c, 40.0) * root_t;
    const double lower = two_sided ? -upper : -(std::min(c, 40.0) + 12.0) * root_t;
    detail::simpson_grid(lower, upper, options.grid_points, next_nodes, next_weights);
    next_density.assign(next_nodes.size(), 0.0);
    for (std::size_t j = 0; j < next_nodes.size(); ++j) {
      if (k == 0) {
        next_density[j] = pdf(z, next_nodes[j] / root_t) / root_t;
        continue;
      }
      double total = 0.0;
      for (std::size_t i = 0; i < nodes.size(); ++i)
        total += weights[i] * density[i] * pdf(z, (next_nodes[j] - nodes[i]) / root_dt);
      next_density[j] = total / root_dt;
    }
    nodes.swap(next_nodes);
    weights.swap(next_weights);
    density.swap(next_density);
    previous_t = t;
  }
  return d;
}

// ---------------------------------------------------------------------------------
// Always-valid inference (mSPRT with a normal mixture)
// ---------------------------------------------------------------------------------

struct always_valid_result {
  double p_value = 1.0;              // always-valid p-value (running minimum)
  confidence_interval interval;      // confidence sequence (running intersection)
  double likelihood_ratio = 1.0;     // mixture likelihood ratio at this look
};

// One look: estimate theta_hat ~ N(theta, v) of the effect (e.g. mean_B - mean_A with
// v = var_A/n_A + var_B/n_B), mixture N(0, tau^2) over the alternative:
//   Lambda = sqrt(v / (v + tau^2)) exp(tau^2 theta_hat^2 / (2 v (v + tau^2))),
// p = min(1, 1 / Lambda); the confidence sequence is the set of theta with
// Lambda(theta_hat - theta) < 1 / alpha.
[[nodiscard]] inline always_valid_result msprt_look(double estimate, double variance,
                                                    double mixture_variance, double alpha) {
  constexpr const char* f = "msprt_look";
  detail::require_finite_scalar(f, "estimate", estimate);
  detail::require_positive_scalar(f, "variance", variance);
  detail::require_positive_scalar(f, "mixture_variance", mixture_variance);
  detail::require_probability_open(f, "alpha", alpha);
  const double v = variance, tau2 = mixture_variance;
  // In the ratio tau^2 / v and the squared z-score (estimate / sqrt(v))^2, so that no
  // intermediate overflows to inf / inf where the variances or the estimate are huge.
  const double tau_over_v = tau2 / v;
  const bool huge_ratio = std::isinf(tau_over_v);
  const double log_ratio = huge_ratio ? std::log(tau2) - std::log(v) : std::log1p(tau_over_v);
  const double weight = huge_ratio ? 1.0 : tau_over_v / (1.0 + tau_over_v);  // tau^2 / (v + tau^2)
  const double z = estimate / std::sqrt(v);
  const double log_lambda = -0.5 * log_ratio + 0.5 * z * z * weight;
  always_valid_result r;
  r.likelihood_ratio = std::exp(log_lambda);
  r.p_value = std::min(1.0, std::exp(-log_lambda));
  // v (v + tau^2) / tau^2 = v (1 + v / tau^2)
  const double half = std::sqrt(v * (1.0 + v / tau2) *
                                (log_ratio - 2.0 * std::log(alpha)));
  r.interval = {estimate - half, estimate + half};
  return r;
}

// Continuous monitoring: feed every look; the p-value never increases and the
// interval never widens, so stopping at any time keeps the type-I error <= alpha.
class always_valid_monitor {
 public:
  always_valid_monitor(double mixture_variance, double alpha = 0.05)
      : tau2_(mixture_variance), alpha_(alpha) {
    detail::require_positive_scalar("always_valid_monitor", "mixture_variance", tau2_);
    detail::require_probability_open("always_valid_monitor", "alpha", alpha_);
    current_.interval = {-std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::infinity()};
  }
  always_valid_result update(double estimate, double variance) {
    const auto look = msprt_look(estimate, variance, tau2_, alpha_);
    current_.p_value = std::min(current_.p_value, look.p_value);
    current_.interval.lower = std::max(current_.interval.lower, look.interval.lower);
    current_.interval.upper = std::min(current_.interval.upper, look.interval.upper);
    current_.likelihood_ratio = look.likelihood_ratio;
    return current_;
  }
  [[nodiscard]] const always_valid_result& current() const { return current_; }
  [[nodiscard]] bool rejected() const { return current_.p_value <= alpha_; }
  [[nodiscard]] double mixture_variance() const { return tau2_; }
  [[nodiscard]] double alpha() const { return alpha_; }

  // A monitor that continues from mixture_variance(), alpha() and current() of an earlier
  // one (its whole state): a test running for weeks is persisted between looks, or
  // shipped to another process, and resumes exactly where it stopped.
  [[nodiscard]] static always_valid_monitor resume(double mixture_variance, double alpha,
                                                   const always_valid_result& current) {
    constexpr const char* f = "always_valid_monitor::resume";
    detail::require_positive_scalar(f, "mixture_variance", mixture_variance);
    detail::require_probability_open(f, "alpha", alpha);
    detail::require(current.p_value >= 0.0 && current.p_value <= 1.0, f, "current.p_value",
                    current.p_value, "must be in [0, 1]");
    detail::require(!std::isnan(current.interval.lower), f, "current.interval.lower",
                    current.interval.lower, "must not be NaN");
    detail::require(!std::isnan(current.interval.upper), f, "current.interval.upper",
                    current.interval.upper, "must not be NaN");
    detail::require(current.likelihood_ratio >= 0.0, f, "current.likelihood_ratio",
                    current.likelihood_ratio, "must be non-negative");
    always_valid_monitor m(mixture_variance, alpha);
    m.current_ = current;
    return m;
  }

 private:
  double tau2_, alpha_;
  always_valid_result current_;
};

// ---------------------------------------------------------------------------------
// Evan Miller's simple sequential A/B test
// ---------------------------------------------------------------------------------

struct simple_sequential_plan {
  std::int64_t total_conversions = 0;  // N: stop with no winner when C + T reaches N
  std::int64_t threshold = 0;          // d: B wins when T - C reaches d
  double type_one_error = 0.0;         // exact one-sided level of the plan
};

// Smallest d with P(max_{k <= N} S_k >= d) <= alpha for the fair +-1 walk S of
// conversions (equal traffic, H0: each conversion is B's with probability 1/2). By the
// reflection principle P(max >= d) = P(S_N >= d) + P(S_N > d), S_N = 2 Binomial(N, 1/2) - N.
[[nodiscard]] inline simple_sequential_plan simple_sequential_design(std::int64_t total_conversions,
                                                                     double alpha = 0.05) {
  constexpr const char* f = "simple_sequential_design";
  // 2^53: beyond it consecutive counts are no longer distinct doubles (and N + 1 below
  // must not overflow).
  detail::require(total_conversions >= 1, f, "total_conversions", total_conversions,
                  "must be positive");
  detail::require(total_conversions <= (std::int64_t{1} << 53), f, "total_conversions",
                  total_conversions, "must not exceed 2^53");
  detail::require_probability_open(f, "alpha", alpha);
  const double n = static_cast<double>(total_conversions);
  const boost::math::binomial_distribution<double, detail::math_policy> walk(n, 0.5);
  auto at_least = [&](double m) {  // P(T >= m)
    if (m <= 0.0) return 1.0;
    if (m > n) return 0.0;
    return cdf(complement(walk, m - 1.0));
  };
  auto level = [&](std::int64_t d) {
    const double half = (n + static_cast<double>(d)) / 2.0;
    return at_least(std::ceil(half)) + at_least(std::floor(half) + 1.0);
  };
  simple_sequential_plan plan;
  plan.total_conversions = total_conversions;
  std::int64_t lo = 1, hi = total_conversions + 1;  // level(N + 1) = 0
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (level(mid) <= alpha) hi = mid;
    else lo = mid + 1;
  }
  plan.threshold = lo;
  plan.type_one_error = lo > total_conversions ? 0.0 : level(lo);
  return plan;
}

enum class sequential_decision { keep_going, b_wins, no_winner };

[[nodiscard]] inline sequential_decision simple_sequential_decision(
    const simple_sequential_plan& plan, std::int64_t conversions_a, std::int64_t conversions_b) {
  constexpr const char* f = "simple_sequential_decision";
  detail::require(conversions_a >= 0, f, "conversions_a", conversions_a, "must be non-negative");
  detail::require(conversions_b >= 0, f, "conversions_b", conversions_b, "must be non-negative");
  detail::require(plan.threshold >= 1, f, "plan.threshold", plan.threshold, "must be positive");
  detail::require(plan.total_conversions >= 1, f, "plan.total_conversions", plan.total_conversions,
                  "must be positive");
  if (conversions_b - conversions_a >= plan.threshold) return sequential_decision::b_wins;
  // a + b >= N without forming a + b, which can overflow.
  if (conversions_a >= plan.total_conversions - conversions_b) return sequential_decision::no_winner;
  return sequential_decision::keep_going;
}

}  // namespace patron
