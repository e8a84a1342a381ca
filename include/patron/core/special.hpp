// Small special functions Boost.Math does not provide, shared by the logistic lead
// model and the BTYD likelihoods.
#pragma once

#include <cmath>

namespace patron::detail {

// log(1 + e^u), without overflow for large u or loss of digits for very negative u.
inline double softplus(double u) {
  return u > 0 ? u + std::log1p(std::exp(-u)) : std::log1p(std::exp(u));
}

// 1 / (1 + e^-u), the derivative of softplus, without overflow on either side.
inline double logistic(double u) {
  return u > 0 ? 1.0 / (1.0 + std::exp(-u)) : std::exp(u) / (1.0 + std::exp(u));
}

}  // namespace patron::detail
