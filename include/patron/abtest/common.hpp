// Shared vocabulary of the A/B tests: the alternative hypothesis, intervals, the one
// Boost.Math policy every abtest distribution uses, and the p-value of a statistic.
#pragma once

#include "patron/core/math_policy.hpp"

#include <algorithm>
#include <boost/math/distributions/complement.hpp>
#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "patron/core/validate.hpp"

namespace patron {

// The alternative hypothesis. Every two-sample test in patron compares B (treatment)
// with A (control): `greater` means "B is larger than A", `less` "B is smaller".
enum class alternative { two_sided, greater, less };

// A confidence (or credible) interval [lower, upper].
struct confidence_interval {
  double lower = 0.0;
  double upper = 0.0;
};

// Continuity correction of an asymptotic test (Yates for 2x2 tables, 1/2 for
// Mann-Whitney U).
enum class continuity_correction { off, on };

namespace detail {

// Statistic for an estimate `difference` with standard error `se`: 0 when both are
// zero (nothing differs and nothing varies), +-inf when only the error is zero.
inline double ratio_statistic(double difference, double se) {
  if (se > 0.0) return difference / se;
  if (difference == 0.0) return 0.0;
  return std::copysign(std::numeric_limits<double>::infinity(), difference);
}

// p-value of `statistic` under a continuous null distribution `dist` symmetric about 0.
// Upper tails through complements so tiny p-values keep full relative precision.
template <class Distribution>
double p_value_of(const Distribution& dist, double statistic, alternative alt) {
  if (std::isinf(statistic)) {
    const bool upper = statistic > 0;
    switch (alt) {
      case alternative::greater: return upper ? 0.0 : 1.0;
      case alternative::less: return upper ? 1.0 : 0.0;
      case alternative::two_sided: return 0.0;
    }
  }
  switch (alt) {
    case alternative::greater: return cdf(complement(dist, statistic));
    case alternative::less: return cdf(dist, statistic);
    case alternative::two_sided: break;
  }
  return std::min(1.0, 2.0 * cdf(complement(dist, std::abs(statistic))));
}

inline void require_counts(const char* function, const char* successes_name,
                           std::int64_t successes, const char* trials_name,
                           std::int64_t trials) {
  require(trials > 0, function, trials_name, trials, "must be positive");
  require(successes >= 0, function, successes_name, successes, "must be non-negative");
  if (successes > trials)
    throw_invalid_value(function, successes_name, successes,
                        "must not exceed " + std::string(trials_name) + " (" +
                            std::to_string(trials) + ")");
}

inline void require_confidence(const char* function, const char* argument, double level) {
  require_probability_open(function, argument, level);
}

}  // namespace detail
}  // namespace patron
