// The one Boost.Math policy used throughout patron.
//
// promote_double<false>: Boost's default evaluates double functions in long double,
// which costs ~60% of the time of a normal cdf and buys nothing the references can see
// (the tests check p-values to 1e-10 against scipy with this policy). Errors keep
// Boost's default of throwing: patron validates inputs before calling Boost, so an
// error that still reaches Boost is a bug to surface, never a silent NaN.
#pragma once

#include <boost/math/policies/policy.hpp>

namespace patron::detail {

using math_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

}  // namespace patron::detail
