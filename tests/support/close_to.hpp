// A Catch2 matcher with an explicit relative tolerance, because Catch2 v2's Approx
// defaults to ~1.2e-5, far too loose for p-values and fitted parameters.
//   CHECK_THAT(value, close_to(expected, 1e-9));          // relative
//   CHECK_THAT(value, close_to(expected, 1e-9, 1e-300));  // relative, absolute floor
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

namespace patron_test {

class close_to_matcher : public Catch::MatcherBase<double> {
 public:
  close_to_matcher(double expected, double relative, double absolute)
      : expected_(expected), relative_(relative), absolute_(absolute) {}

  bool match(const double& actual) const override {
    if (std::isnan(expected_) || std::isnan(actual)) return false;
    if (std::isinf(expected_) || std::isinf(actual)) return actual == expected_;
    const double tolerance = std::max(relative_ * std::abs(expected_), absolute_);
    return std::abs(actual - expected_) <= tolerance;
  }

  std::string describe() const override {
    std::ostringstream out;
    out.precision(17);
    out << "is within relative " << relative_ << " (absolute " << absolute_ << ") of "
        << expected_;
    return out.str();
  }

 private:
  double expected_, relative_, absolute_;
};

inline close_to_matcher close_to(double expected, double relative, double absolute = 0.0) {
  return close_to_matcher(expected, relative, absolute);
}

}  // namespace patron_test

using patron_test::close_to;
