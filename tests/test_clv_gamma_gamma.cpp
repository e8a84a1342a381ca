// Gamma-Gamma spend: the CDNOW reproduction (FHL 2005 JMR; Fader & Hardie 2013 note),
// conditional expected spend, the q <= 1 report, bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <patron/clv.hpp>
#include <patron/core/rng.hpp>

#include "support/close_to.hpp"
#include "test_clv_support.hpp"

TEST_CASE("fit_gamma_gamma reproduces the CDNOW spend parameters", "[reference]") {
  const auto data = clv_test::load_cdnow();
  // The whole summary is passed: x = 0 rows carry no spend information and are skipped.
  const patron::gamma_gamma_model m = patron::fit_gamma_gamma(data.x, data.zbar);
  const auto& p = m.parameters();
  CHECK(m.report().converged);
  CHECK(m.report().total_weight == 946.0);  // the 946 repeat customers of the paper
  // Paper: p = 6.25, q = 3.74, gamma = 15.44.
  CHECK(std::round(p.p * 100) / 100 == 6.25);
  CHECK(std::round(p.q * 100) / 100 == 3.74);
  // The maximum is at gamma = 15.4477 (the checked fit agrees), which the paper prints
  // truncated as 15.44 rather than rounded to 15.45.
  CHECK(std::floor(p.gamma * 100) / 100 == 15.44);
  // REFERENCES.md "checked": p = 6.2488, q = 3.7446, gamma = 15.4477.
  CHECK(std::abs(p.p - 6.2488) <= 0.00005);
  CHECK(std::abs(p.q - 3.7446) <= 0.00005);
  CHECK(std::abs(p.gamma - 15.4477) <= 0.00005);
  CHECK(m.mean_spend_is_finite());
}

TEST_CASE("Gamma-Gamma conditional spend is the credibility-weighted mean", "[property]") {
  const patron::gamma_gamma_model m({6.25, 3.74, 15.44});
  const double population = 6.25 * 15.44 / 2.74;  // p gamma / (q - 1)
  CHECK_THAT(m.population_mean_spend(), close_to(population, 1e-15));
  CHECK_THAT(m.conditional_expected_spend(0, 0), close_to(population, 1e-15));
  for (double x : {1.0, 2.0, 10.0}) {
    const double weight = 6.25 * x / (6.25 * x + 2.74);
    CHECK_THAT(m.conditional_expected_spend(x, 30.0), close_to(weight * 30.0 + (1 - weight) * population, 1e-14));
  }
  // More transactions pull the estimate towards the customer's own mean.
  CHECK(std::abs(m.conditional_expected_spend(20, 100) - 100) < std::abs(m.conditional_expected_spend(1, 100) - 100));
}

TEST_CASE("Gamma-Gamma with q <= 1 reports infinite mean spend instead of a negative value", "[edge]") {
  // Spend with a heavy-tailed customer rate: nu ~ Gamma(q = 0.7, ...).
  patron::rng g(17);
  const Eigen::Index n = 3000;
  Eigen::VectorXd x(n), zbar(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i) = 1.0 + static_cast<double>(g.uniform_index(5));
    const double nu = g.gamma(0.7, 1.0 / 10.0);
    double total = 0.0;
    for (int k = 0; k < x(i); ++k) total += g.gamma(4.0, 1.0 / nu);
    zbar(i) = total / x(i);
  }
  const patron::gamma_gamma_model m = patron::fit_gamma_gamma(x, zbar);
  REQUIRE(m.parameters().q <= 1.0);
  CHECK_FALSE(m.mean_spend_is_finite());
  CHECK_THAT(m.report().message, Catch::Contains("q <= 1"));
  CHECK_THROWS_AS(m.population_mean_spend(), patron::numerical_error);
  CHECK_THROWS_WITH(m.conditional_expected_spend(0, 0), Catch::Contains("population mean spend is infinite"));
  // A repeat customer still has a finite expectation while p x + q - 1 > 0.
  CHECK(m.conditional_expected_spend(3, 20) > 0.0);
  const patron::gamma_gamma_model extreme({0.1, 0.5, 10.0});
  CHECK_THROWS_WITH(extreme.conditional_expected_spend(1, 20), Catch::Contains("is not positive: the expected spend is infinite"));
}

TEST_CASE("Gamma-Gamma rejects non-positive spend and bad rows", "[invalid]") {
  Eigen::VectorXd x(3), zbar(3);
  x << 1, 0, 2;
  zbar << 10, 0, 0;
  CHECK_THROWS_WITH(patron::fit_gamma_gamma(x, zbar),
                    "patron::fit_gamma_gamma: zbar[2] (0) must be finite and positive (mean spend of a repeat customer)");
  zbar(2) = -5;
  CHECK_THROWS_WITH(patron::fit_gamma_gamma(x, zbar), Catch::StartsWith("patron::fit_gamma_gamma: zbar[2] (-5)"));
  zbar(2) = 5;
  x(0) = -1;
  CHECK_THROWS_WITH(patron::fit_gamma_gamma(x, zbar), "patron::fit_gamma_gamma: x[0] (-1) must be a non-negative integer");
  x << 0, 0, 0;
  CHECK_THROWS_WITH(patron::fit_gamma_gamma(x, zbar),
                    "patron::fit_gamma_gamma: x has no repeat customer (x > 0) with positive weight");
  CHECK_THROWS_WITH(patron::fit_gamma_gamma(x, Eigen::VectorXd::Ones(2)), "patron::fit_gamma_gamma: x has 3 elements but zbar has 2");
  CHECK_THROWS_WITH(patron::gamma_gamma_model({1, 2, std::nan("")}),
                    "patron::gamma_gamma_model: parameters.gamma (nan) must be finite and positive");
  const patron::gamma_gamma_model m({6.25, 3.74, 15.44});
  CHECK_THROWS_WITH(m.conditional_expected_spend(2, std::nan("")),
                    Catch::StartsWith("patron::gamma_gamma_model::conditional_expected_spend: zbar[0] (nan)"));
}
