// patron::hyp2f1 (patron/core/hypergeometric.hpp), the special function behind the
// BG/NBD expectations, the Pareto/NBD likelihood and the BG/BB DERT.
#include <catch2/catch.hpp>

#include <cmath>
#include <patron/core/hypergeometric.hpp>

#include "reference/clv/clv_reference.hpp"
#include "support/close_to.hpp"

TEST_CASE("hyp2f1 agrees with mpmath.hyp2f1 on every branch", "[reference]") {
  // make_reference.py: mpmath.hyp2f1(a, b, c, z) at 40 digits; the points cover the
  // series, the 1 - z connection formula up to z = 0.99999, integer c - a - b near 1
  // (series), Pfaff for z down to -250, a = 10^4 and Gauss's theorem at z = 1.
  for (const auto& c : clv_reference::hyp2f1_reference) {
    CAPTURE(c.a, c.b, c.c, c.z);
    CHECK_THAT(patron::hyp2f1(c.a, c.b, c.c, c.z), close_to(c.value, 1e-12));
    CHECK_THAT(patron::log_hyp2f1(c.a, c.b, c.c, c.z), close_to(std::log(c.value), 1e-12, 1e-14));
  }
}

TEST_CASE("hyp2f1 special cases", "[edge]") {
  CHECK(patron::hyp2f1(1.5, 2.5, 3.5, 0.0) == 1.0);
  // 2F1(1, 1; 2; z) = -log(1 - z) / z.
  CHECK_THAT(patron::hyp2f1(1, 1, 2, 0.3), close_to(-std::log1p(-0.3) / 0.3, 1e-15));
  // 2F1(a, b; b; z) = (1 - z)^-a on both sides of 0.
  CHECK_THAT(patron::hyp2f1(0.7, 2.2, 2.2, -3.0), close_to(std::pow(4.0, -0.7), 1e-14));
  CHECK_THAT(patron::hyp2f1(0.7, 2.2, 2.2, 0.95), close_to(std::pow(0.05, -0.7), 1e-13));
  // A terminating series (a a negative integer): a polynomial.
  CHECK_THAT(patron::hyp2f1(-2, 3, 4, 0.5), close_to(1 - 2 * 3 * 0.5 / 4 + 3 * 4 * 0.25 / (4 * 5), 1e-15));
  // Values beyond the double range only through the log.
  CHECK_THROWS_AS(patron::hyp2f1(400, 400, 1, 0.9), patron::numerical_error);
  CHECK(std::isfinite(patron::log_hyp2f1(400, 400, 1, 0.9)));
}

TEST_CASE("hyp2f1 validates its domain and reports a series that fails to converge", "[invalid]") {
  CHECK_THROWS_WITH(patron::hyp2f1(1, 1, -2, 0.5), "patron::hyp2f1: c (-2) must not be a non-positive integer");
  CHECK_THROWS_WITH(patron::hyp2f1(1, 1, 2, 1.5), "patron::hyp2f1: z (1.5) must be at most 1");
  CHECK_THROWS_WITH(patron::hyp2f1(1, 1, 2, 1.0), "patron::hyp2f1: z (1) may be 1 only when c - a - b > 0");
  CHECK_THROWS_WITH(patron::hyp2f1(std::nan(""), 1, 2, 0.5), "patron::hyp2f1: a (nan) must be finite");
  CHECK_THROWS_WITH(patron::detail::log_hyp2f1_signed(1, 1, 2, 0.5, 5),
                    Catch::StartsWith("patron::hyp2f1: series for 2F1(1, 1; 2; 0.5) did not converge in 5 terms"));
}
