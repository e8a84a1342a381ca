// Small special functions shared by the logistic lead model, the BTYD likelihoods and
// the survival models.
#pragma once

#include <cmath>

#include <boost/math/special_functions/gamma.hpp>

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

// log Gamma(c + n) / Gamma(c) = sum_{i<n} log(c + i) for integer n >= 0, c > 0. As a
// difference of log_gamma values it loses every digit when c >> n (BTYD fits whose
// maximum lies on the Poisson boundary have r ~ 1e40): the sum is exact to a few ulp
// there; the difference is used only when n is large and c is not much larger.
inline double log_rising_factorial(double c, double n) {
  if (n > 1000.0 && c < 1000.0 * n) return log_gamma(c + n) - log_gamma(c);
  double sum = 0.0;
  for (double i = 0.0; i < n; i += 1.0) sum += std::log(c + i);
  return sum;
}

}  // namespace patron::detail
