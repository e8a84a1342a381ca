// Closed-form CLV (retention, survival curve, customer equity) and CLV from the
// fitted models: explicit sums, the first-margin conventions, bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <patron/clv.hpp>

#include "reference/clv/clv_reference.hpp"
#include "support/close_to.hpp"
#include "test_clv_support.hpp"

TEST_CASE("retention_clv matches explicit sums for both margin conventions", "[reference]") {
  // make_reference.py: sum_{t=1}^{H} m (r/(1+d))^t (end) and sum_{t=0}^{H-1} (start),
  // and mpmath.nsum to infinity.
  for (const auto& c : clv_reference::retention_clv_reference) {
    CAPTURE(c.margin, c.retention, c.discount, c.horizon);
    patron::retention_clv_options o;
    o.horizon = static_cast<int>(c.horizon);
    CHECK_THAT(patron::retention_clv(c.margin, c.retention, c.discount, o), close_to(c.end_finite, 1e-13));
    o.timing = patron::margin_timing::start_of_period;
    CHECK_THAT(patron::retention_clv(c.margin, c.retention, c.discount, o), close_to(c.start_finite, 1e-13));
    o.horizon.reset();
    CHECK_THAT(patron::retention_clv(c.margin, c.retention, c.discount, o), close_to(c.start_infinite, 1e-13));
    o.timing = patron::margin_timing::end_of_period;
    CHECK_THAT(patron::retention_clv(c.margin, c.retention, c.discount, o), close_to(c.end_infinite, 1e-13));
  }
  // The textbook value: m r / (1 + d - r) = 100 * 0.8 / 0.3.
  CHECK_THAT(patron::retention_clv(100, 0.8, 0.1), close_to(800.0 / 3.0, 1e-15));
  // Retention 1 with a discount too small to change 1 + d: m / d, not inf (margin 1)
  // or nan (margin 0).
  CHECK_THAT(patron::retention_clv(1, 1.0, 1e-17), close_to(1e17, 1e-15));
  CHECK(patron::retention_clv(0, 1.0, 1e-17) == 0.0);
  patron::retention_clv_options with_cost;
  with_cost.acquisition_cost = 50;
  CHECK_THAT(patron::retention_clv(100, 0.8, 0.1, with_cost), close_to(800.0 / 3.0 - 50, 1e-15));
}

TEST_CASE("survival_clv with a geometric curve equals retention_clv; customer equity", "[property]") {
  Eigen::VectorXd end(30), start(30);
  for (int k = 0; k < 30; ++k) {
    end(k) = std::pow(0.85, k + 1);
    start(k) = std::pow(0.85, k);
  }
  patron::retention_clv_options o;
  o.horizon = 30;
  CHECK_THAT(patron::survival_clv(40, end, 0.08), close_to(patron::retention_clv(40, 0.85, 0.08, o), 1e-13));
  o.timing = patron::margin_timing::start_of_period;
  CHECK_THAT(patron::survival_clv(40, start, 0.08, patron::margin_timing::start_of_period),
             close_to(patron::retention_clv(40, 0.85, 0.08, o), 1e-13));
  CHECK(patron::customer_equity(1000, 120.0, 20.0) == 100000.0);
}

TEST_CASE("customer_lifetime_value: discrete monthly sums and continuous DERT", "[property]") {
  const patron::bgnbd_model bg({0.242593, 4.413531, 0.792886, 2.425751});
  const patron::pareto_nbd_model pnbd({0.5533, 10.5776, 0.6062, 11.6679});
  const patron::gamma_gamma_model gg({6.2488, 3.7446, 15.4477});
  Eigen::VectorXd x(3), t_x(3), T(3), zbar(3);
  x << 2, 0, 7;
  t_x << 30.43, 0, 29.43;
  T << 38.86, 38.86, 35.14;
  zbar << 22.35, 0, 40.0;
  patron::model_clv_options o;
  o.margin = 0.3;
  const Eigen::VectorXd clv = patron::customer_lifetime_value(bg, gg, x, t_x, T, zbar, o);
  for (Eigen::Index i = 0; i < 3; ++i) {
    // The definition: month k's expected purchases discounted by 1.01^k.
    double expected = 0.0;
    for (int k = 1; k <= 12; ++k)
      expected += (bg.conditional_expected_purchases(k * 52.0 / 12.0, x(i), t_x(i), T(i)) -
                   bg.conditional_expected_purchases((k - 1) * 52.0 / 12.0, x(i), t_x(i), T(i))) /
                  std::pow(1.01, k);
    CHECK_THAT(clv(i), close_to(0.3 * gg.conditional_expected_spend(x(i), zbar(i)) * expected, 1e-12));
  }
  // Continuous discounting to infinity: Pareto/NBD uses the closed-form DERT, BG/NBD
  // integrates; both close to a long finite horizon.
  o.discounting = patron::clv_discounting::continuous;
  o.discount_rate = 0.05;
  o.infinite_horizon = true;
  const double delta = std::log(1.05) / (52.0 / 12.0);
  const Eigen::VectorXd pnbd_dert = patron::discounted_expected_purchases(pnbd, x, t_x, T, o);
  // Two routes to the same DERT: equal to a few ulp (fused multiply-adds, with
  // -march=native, round the two routes differently).
  CHECK_THAT(pnbd_dert(0), close_to(pnbd.discounted_expected_residual_transactions(delta, 2, 30.43, 38.86), 1e-14));
  const Eigen::VectorXd bg_dert = patron::discounted_expected_purchases(bg, x, t_x, T, o);
  patron::model_clv_options long_horizon = o;
  long_horizon.infinite_horizon = false;
  long_horizon.periods = 1200;  // 100 years: e^(-delta t) is below 1e-25 at the end
  const Eigen::VectorXd bg_long = patron::discounted_expected_purchases(bg, x, t_x, T, long_horizon);
  const Eigen::VectorXd pnbd_long = patron::discounted_expected_purchases(pnbd, x, t_x, T, long_horizon);
  for (Eigen::Index i = 0; i < 3; ++i) {
    CHECK_THAT(bg_dert(i), close_to(bg_long(i), 1e-8));
    CHECK_THAT(pnbd_dert(i), close_to(pnbd_long(i), 1e-8));
  }
}

TEST_CASE("CLV formulas reject bad input", "[invalid]") {
  CHECK_THROWS_WITH(patron::retention_clv(10, 1.2, 0.1), "patron::retention_clv: retention (1.2) must be in [0, 1]");
  CHECK_THROWS_WITH(patron::retention_clv(10, 0.5, -0.1),
                    "patron::retention_clv: discount (-0.10000000000000001) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::retention_clv(std::nan(""), 0.5, 0.1), "patron::retention_clv: margin (nan) must be finite");
  CHECK_THROWS_WITH(patron::retention_clv(10, 1.0, 0.0),
                    "patron::retention_clv: retention (1) must be below 1 when discount is 0 and the horizon is infinite");
  patron::retention_clv_options o;
  o.horizon = 0;
  CHECK_THROWS_WITH(patron::retention_clv(10, 0.5, 0.1, o), "patron::retention_clv: options.horizon (0) must be at least 1");
  Eigen::VectorXd s(2);
  s << 0.9, 1.3;
  CHECK_THROWS_WITH(patron::survival_clv(10, s, 0.1), "patron::survival_clv: survival[1] (1.3) must be in [0, 1]");
  CHECK_THROWS_WITH(patron::customer_equity(-5, 10), "patron::customer_equity: customers (-5) must be finite and non-negative");
  const patron::bgnbd_model bg({0.24, 4.4, 0.79, 2.4});
  const patron::gamma_gamma_model gg({6.2, 3.7, 15.4});
  Eigen::VectorXd x(2), t_x(2), T(2), zbar(2);
  x << 1, 2;
  t_x << 3, 4;
  T << 10, 10;
  zbar << 10, -2;
  CHECK_THROWS_WITH(patron::customer_lifetime_value(bg, gg, x, t_x, T, zbar),
                    Catch::StartsWith("patron::customer_lifetime_value: zbar[1] (-2) must be finite and positive"));
  zbar(1) = 5;
  patron::model_clv_options bad;
  bad.periods = 0;
  CHECK_THROWS_WITH(patron::customer_lifetime_value(bg, gg, x, t_x, T, zbar, bad),
                    "patron::customer_lifetime_value: options.periods (0) must be at least 1");
  bad = {};
  bad.infinite_horizon = true;
  CHECK_THROWS_WITH(patron::customer_lifetime_value(bg, gg, x, t_x, T, zbar, bad),
                    "patron::customer_lifetime_value: options.infinite_horizon (1) needs continuous discounting with a positive discount rate");
  const patron::gamma_gamma_model infinite_mean({6.2, 0.9, 15.4});
  x(0) = 0;
  t_x(0) = 0;
  CHECK_THROWS_AS(patron::customer_lifetime_value(bg, infinite_mean, x, t_x, T, zbar), patron::numerical_error);
}
