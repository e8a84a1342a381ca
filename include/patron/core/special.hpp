// Small special functions shared by the logistic lead model, the BTYD likelihoods and
// the survival models.
#pragma once

#include <cmath>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/log1p.hpp>

#include "patron/core/math_policy.hpp"

namespace patron::detail {

// log(1 + e^u), without overflow for large u or loss of digits for very negative u.
inline double softplus(double u) {
  return u > 0 ? u + std::log1p(std::exp(-u)) : std::log1p(std::exp(u));
}

// 1 / (1 + e^-u), the derivative of softplus, without overflow on either side.
inline double logistic(double u) {
  return u > 0 ? 1.0 / (1.0 + std::exp(-u)) : std::exp(u) / (1.0 + std::exp(u));
}

// log Gamma(x) for x > 0. Boost's, not std::lgamma: glibc's lgamma also writes the
// global `signgam`, a data race when a host calls patron from several threads (Python
// bindings release the GIL; Dask workers are threads). Past x ~ 2.5e305 it returns +inf,
// as std::lgamma does, rather than throwing.
inline double log_gamma(double x) {
  using namespace boost::math::policies;
  using policy = boost::math::policies::policy<promote_double<false>, overflow_error<ignore_error>>;
  return boost::math::lgamma(x, policy());
}

// Beyond this many factors the rising factorial and digamma difference below switch from
// their sums (exact, O(n)) to closed forms (O(1)): an absurd count (x = 1e15 purchases)
// must not loop for days, and up to 1000 terms the sums cost no more than an lgamma.
constexpr double rising_sum_terms = 1000.0;

// log Gamma(c + n) / Gamma(c) for c >= 1000, n >= 0 by Stirling's series with the
// logarithms rearranged so that nothing of size c log c is subtracted:
//   n log(c + n) + c log1pmx(n / c) - log1p(n / c) / 2 + mu(c + n) - mu(c),
// log1pmx(y) = log1p(y) - y and mu(v) = 1/(12 v) - 1/(360 v^3) + 1/(1260 v^5) Binet's
// remainder (the next term is below 1e-24 for v >= 1000). Every term is accurate to a
// few ulp of the result, whatever n / c (the lgamma difference loses log2(c / n) bits).
inline double log_rising_factorial_stirling(double c, double n) {
  auto mu = [](double v) {
    const double w = 1.0 / (v * v);
    return (1.0 / 12.0 - w * (1.0 / 360.0 - w / 1260.0)) / v;
  };
  const double y = n / c;
  return n * std::log(c + n) + c * boost::math::log1pmx(y, math_policy()) - 0.5 * std::log1p(y) + (mu(c + n) - mu(c));
}

// log Gamma(c + n) / Gamma(c) = sum_{i<n} log(c + i) for integer n >= 0, c > 0. As a
// difference of log_gamma values it loses every digit when c >> n (BTYD fits whose
// maximum lies on the Poisson boundary have r ~ 1e40): the sum is exact to a few ulp
// there. Past rising_sum_terms factors: Stirling's form for c >= 1000, the lgamma
// difference below (log Gamma(c) is then small beside the result).
inline double log_rising_factorial(double c, double n) {
  if (n > rising_sum_terms)
    return c >= 1000.0 ? log_rising_factorial_stirling(c, n) : log_gamma(c + n) - log_gamma(c);
  double sum = 0.0;
  for (double i = 0.0; i < n; i += 1.0) sum += std::log(c + i);
  return sum;
}

// psi(c + n) - psi(c) = sum_{i<n} 1 / (c + i) for integer n >= 0, c > 0: the sum up to
// rising_sum_terms terms; past that, for c >= 1000 the asymptotic series of psi with the
// logarithms as one log1p (the digamma difference cancels when c >> n; terms to v^-6,
// the next below 1e-22 relative), else the difference of Boost's digamma values.
inline double digamma_rising(double c, double n) {
  if (n > rising_sum_terms) {
    if (c >= 1000.0) {
      // psi(v) = log v - 1/(2v) - 1/(12 v^2) + 1/(120 v^4) - 1/(252 v^6) + ...
      auto tail = [](double v) {
        const double w = 1.0 / (v * v);
        return 1.0 / (2.0 * v) + w * (1.0 / 12.0 - w * (1.0 / 120.0 - w / 252.0));
      };
      return std::log1p(n / c) + (tail(c) - tail(c + n));
    }
    return boost::math::digamma(c + n, math_policy()) - boost::math::digamma(c, math_policy());
  }
  double sum = 0.0;
  for (double i = 0.0; i < n; i += 1.0) sum += 1.0 / (c + i);
  return sum;
}

}  // namespace patron::detail
