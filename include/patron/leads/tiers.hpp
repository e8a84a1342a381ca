// Tiers A/B/C/D from score thresholds or score quantiles.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {
namespace detail {

// numpy.quantile(values, q) with the default linear interpolation, on sorted values.
inline double sorted_quantile(const std::vector<double>& sorted, double q) {
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  const double t = h - static_cast<double>(lo);
  const double a = sorted[lo], b = sorted[lo + 1];
  // numpy's _lerp: interpolate from the nearer end, so q = 1 gives the maximum exactly.
  return t >= 0.5 ? b - (b - a) * (1.0 - t) : a + (b - a) * t;
}

inline tier_assignment tiers_from_thresholds(const Eigen::Ref<const Eigen::VectorXd>& score,
                                             double a_min, double b_min, double c_min) {
  tier_assignment out;
  out.thresholds[0] = a_min;
  out.thresholds[1] = b_min;
  out.thresholds[2] = c_min;
  out.tiers.resize(static_cast<std::size_t>(score.size()));
  for (Eigen::Index i = 0; i < score.size(); ++i) {
    const double s = score(i);
    const tier t = s >= a_min ? tier::A : s >= b_min ? tier::B : s >= c_min ? tier::C : tier::D;
    out.tiers[static_cast<std::size_t>(i)] = t;
    ++out.counts[static_cast<int>(t)];
  }
  return out;
}

}  // namespace detail

inline char tier_letter(tier t) { return static_cast<char>('A' + static_cast<int>(t)); }

inline tier_assignment assign_tiers_by_thresholds(const Eigen::Ref<const Eigen::VectorXd>& score,
                                                  double a_min, double b_min, double c_min) {
  constexpr const char* fn = "assign_tiers_by_thresholds";
  detail::require_finite_scalar(fn, "a_min", a_min);
  detail::require_finite_scalar(fn, "b_min", b_min);
  detail::require_finite_scalar(fn, "c_min", c_min);
  detail::require(b_min <= a_min, fn, "b_min", b_min, "must not exceed a_min");
  detail::require(c_min <= b_min, fn, "c_min", c_min, "must not exceed b_min");
  detail::require_finite(fn, "score", score);
  return detail::tiers_from_thresholds(score, a_min, b_min, c_min);
}

inline tier_assignment assign_tiers_by_quantiles(const Eigen::Ref<const Eigen::VectorXd>& score,
                                                 double a, double b, double c) {
  constexpr const char* fn = "assign_tiers_by_quantiles";
  detail::require_in_range(fn, "a", a, 0.0, 1.0);
  detail::require_in_range(fn, "b", b, 0.0, 1.0);
  detail::require_in_range(fn, "c", c, 0.0, 1.0);
  detail::require(a + b + c <= 1.0 + 1e-12, fn, "a + b + c", a + b + c, "must not exceed 1");
  detail::require_non_empty(fn, "score", static_cast<std::size_t>(score.size()));
  detail::require_finite(fn, "score", score);
  std::vector<double> sorted(score.data(), score.data() + score.size());
  std::sort(sorted.begin(), sorted.end());
  // A share of 0 means an empty tier: its threshold sits above every score (or at the
  // tier above's threshold).
  const double inf = std::numeric_limits<double>::infinity();
  const double t_a = a > 0 ? detail::sorted_quantile(sorted, std::max(0.0, 1.0 - a)) : inf;
  const double t_b = b > 0 ? detail::sorted_quantile(sorted, std::max(0.0, 1.0 - a - b)) : t_a;
  const double t_c = c > 0 ? detail::sorted_quantile(sorted, std::max(0.0, 1.0 - a - b - c)) : t_b;
  return detail::tiers_from_thresholds(score, t_a, t_b, t_c);
}

}  // namespace patron
