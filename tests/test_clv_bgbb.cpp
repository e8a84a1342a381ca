// BG/BB: the donations reproduction of Fader, Hardie & Shang (2010), P(alive),
// conditional expectations and DERT against mpmath, bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <patron/clv.hpp>
#include <patron/core/rng.hpp>
#include <string>
#include <vector>

#include "reference/clv/clv_reference.hpp"
#include "support/close_to.hpp"
#include "test_clv_support.hpp"

TEST_CASE("fit_bgbb reproduces the donations parameters and log-likelihood of FHS (2010)", "[reference]") {
  const auto c = clv_test::read_numeric_csv(std::string(PATRON_TEST_DATA_DIR) + "/clv/donations.csv");
  const patron::bgbb_model m = patron::fit_bgbb(c[0], c[1], c[2], c[3]);
  const auto& p = m.parameters();
  CHECK(m.report().converged);
  CHECK(m.report().total_weight == 11104.0);
  CHECK(m.report().boundary_parameters.empty());
  CHECK(m.report().covariance.has_value());
  // Paper: alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783, LL = -33,225.6.
  CHECK(std::round(p.alpha * 1000) / 1000 == 1.204);
  CHECK(std::round(p.beta * 1000) / 1000 == 0.750);
  CHECK(std::round(p.gamma * 1000) / 1000 == 0.657);
  CHECK(std::round(p.delta * 1000) / 1000 == 2.783);
  CHECK(std::abs(m.report().log_likelihood - -33225.6) <= 0.05);
  // REFERENCES.md "checked": 1.2035, 0.7497, 0.6567, 2.7834, LL = -33225.58.
  CHECK(std::abs(p.alpha - 1.2035) <= 0.00005);
  CHECK(std::abs(p.beta - 0.7497) <= 0.00005);
  CHECK(std::abs(p.gamma - 0.6567) <= 0.00005);
  CHECK(std::abs(p.delta - 2.7834) <= 0.00005);
  CHECK(std::abs(m.report().log_likelihood - -33225.58) <= 0.01);
}

TEST_CASE("BG/BB P(alive), E[X(n, n+5)] and DERT agree with mpmath to 1e-9", "[reference]") {
  const patron::bgbb_model m({1.2035, 0.7497, 0.6567, 2.7834});
  for (const auto& c : clv_reference::bgbb_customer_reference) {
    CAPTURE(c.x, c.t_x, c.n);
    // bgbb_L: the sum of eq. 5 at 40 digits.
    CHECK_THAT(m.log_likelihood(c.x, c.t_x, c.n), close_to(c.log_likelihood, 1e-12));
    CHECK_THAT(m.probability_alive(c.x, c.t_x, c.n), close_to(c.p_alive, 1e-12));
    CHECK_THAT(m.conditional_expected_transactions(5, c.x, c.t_x, c.n), close_to(c.expected_5, 1e-10));
    // bgbb_dert: the discounted sum of per-opportunity expectations to infinity (no 2F1).
    CHECK_THAT(m.discounted_expected_residual_transactions(0.1, c.x, c.t_x, c.n), close_to(c.dert_0_1, 1e-9));
  }
}

TEST_CASE("BG/BB P(X(n) = x) and E[X(n)] agree with an mpmath Polya-urn recursion to 1e-9", "[reference]") {
  for (const auto& c : clv_reference::bgbb_pmf_reference) {
    CAPTURE(c.alpha, c.beta, c.gamma, c.delta, c.n, c.x);
    const patron::bgbb_model m({c.alpha, c.beta, c.gamma, c.delta});
    // bgbb_pmf_urn: dynamic programming over the opportunities at 40 digits.
    CHECK_THAT(m.probability_of_transactions(c.n, c.x), close_to(c.probability, 1e-10));
  }
  for (const auto& c : clv_reference::bgbb_mean_reference) {
    CAPTURE(c.alpha, c.beta, c.gamma, c.delta, c.n);
    const patron::bgbb_model m({c.alpha, c.beta, c.gamma, c.delta});
    CHECK_THAT(m.expected_transactions(c.n), close_to(c.expected, 1e-10));
  }
}

TEST_CASE("BG/BB P(X(n) = x) sums to 1 with mean E[X(n)], also at gamma = 1", "[property]") {
  for (const patron::bgbb_parameters& p : {patron::bgbb_parameters{1.2035, 0.7497, 0.6567, 2.7834},
                                           patron::bgbb_parameters{0.3, 4.0, 1.0, 0.5}}) {
    const patron::bgbb_model m(p);
    for (double n : {0.0, 3.0, 25.0}) {
      double total = 0.0, mean = 0.0;
      for (double x = 0; x <= n; ++x) {
        const double q = m.probability_of_transactions(n, x);
        CHECK((q > 0.0 && q <= 1.0));
        total += q;
        mean += x * q;
      }
      CHECK(m.probability_of_transactions(n, n + 1) == 0.0);
      CHECK_THAT(total, close_to(1.0, 1e-13));
      CHECK_THAT(mean, close_to(m.expected_transactions(n), 1e-12, 1e-15));
    }
  }
}

TEST_CASE("BG/BB quantities are bounded, monotone and continuous at gamma = 1", "[property]") {
  const patron::bgbb_model m({1.2035, 0.7497, 0.6567, 2.7834});
  for (double n : {1.0, 6.0, 20.0})
    for (double t_x = 0; t_x <= n; ++t_x)
      for (double x = t_x == 0 ? 0 : 1; x <= t_x; ++x) {
        const double p = m.probability_alive(x, t_x, n);
        CHECK((p >= 0.0 && p <= 1.0));
        double previous = 0.0;
        for (double k : {1.0, 2.0, 5.0, 50.0}) {
          const double e = m.conditional_expected_transactions(k, x, t_x, n);
          CHECK(e >= previous);
          previous = e;
        }
        // DERT over all future opportunities exceeds the discounted first 50.
        CHECK(m.discounted_expected_residual_transactions(0.1, x, t_x, n) >= 0.0);
      }
  const patron::bgbb_model one({1.2, 0.75, 1.0, 2.8}), near({1.2, 0.75, 1.0 + 1e-7, 2.8});
  CHECK_THAT(one.conditional_expected_transactions(5, 3, 5, 6), close_to(near.conditional_expected_transactions(5, 3, 5, 6), 1e-6));
}

TEST_CASE("BG/BB rejects inconsistent (x, t_x, n) rows and weights", "[invalid]") {
  Eigen::VectorXd x(2), t_x(2), n(2), w(2);
  x << 1, 3;
  t_x << 1, 2;
  n << 6, 6;
  w << 10, 5;
  CHECK_THROWS_WITH(patron::fit_bgbb(x, t_x, n, w), "patron::fit_bgbb: x[1] (3) exceeds t_x[1] (2)");
  x(1) = 2;
  t_x(1) = 7;
  CHECK_THROWS_WITH(patron::fit_bgbb(x, t_x, n, w), "patron::fit_bgbb: t_x[1] (7) exceeds n[1] (6)");
  t_x(1) = 3;
  n(0) = 0;
  CHECK_THROWS_WITH(patron::fit_bgbb(x, t_x, n, w), "patron::fit_bgbb: n[0] (0) must be a positive integer");
  n(0) = 6;
  w(1) = -1;
  CHECK_THROWS_WITH(patron::fit_bgbb(x, t_x, n, w), "patron::fit_bgbb: weights[1] (-1) must be finite and non-negative");
  const patron::bgbb_model m({1.2, 0.75, 0.66, 2.8});
  CHECK_THROWS_WITH(m.probability_alive(0, 2, 6), "patron::bgbb_model::probability_alive: t_x[0] (2) must be 0 when x[0] is 0");
  CHECK_THROWS_WITH(m.conditional_expected_transactions(1.5, 1, 2, 6),
                    "patron::bgbb_model::conditional_expected_transactions: n_star (1.5) must be a non-negative integer");
  CHECK_THROWS_WITH(m.probability_of_transactions(6, -1),
                    "patron::bgbb_model::probability_of_transactions: x (-1) must be a non-negative integer");
  CHECK_THROWS_WITH(m.probability_of_transactions(2.5, 1),
                    "patron::bgbb_model::probability_of_transactions: n (2.5) must be a non-negative integer");
  CHECK_THROWS_WITH(m.expected_transactions(std::nan("")),
                    "patron::bgbb_model::expected_transactions: n (nan) must be a non-negative integer");
  CHECK_THROWS_WITH(m.discounted_expected_residual_transactions(-0.1, 1, 2, 6),
                    "patron::bgbb_model::discounted_expected_residual_transactions: discount (-0.10000000000000001) must be finite and positive");
}

TEST_CASE("BG/BB bounds the opportunities it sums over", "[invalid][edge]") {
  // One likelihood term per opportunity: n = 1e12 used to run for hours (and store 40 TB
  // of terms); the bound is checked before any term.
  Eigen::VectorXd x(2), t_x(2), n(2), w(2);
  x << 1, 2;
  t_x << 1, 3;
  n << 6, 1e12;
  w << 10, 5;
  CHECK_THROWS_WITH(patron::fit_bgbb(x, t_x, n, w),
                    "patron::fit_bgbb: n[1] (1000000000000) exceeds 1000000, the most opportunities "
                    "BG/BB sums over (one likelihood term each)");
  const patron::bgbb_model m({1.2, 0.75, 0.66, 2.8});
  CHECK_THROWS_WITH(m.probability_alive(2, 3, 1e12),
                    "patron::bgbb_model::probability_alive: n[0] (1000000000000) exceeds 1000000, the most "
                    "opportunities BG/BB sums over (one likelihood term each)");
  CHECK_THROWS_WITH(m.probability_of_transactions(1000001, 3),
                    "patron::bgbb_model::probability_of_transactions: n (1000001) exceeds 1000000, the most "
                    "opportunities BG/BB sums over (one likelihood term each)");
  // At the bound: computed, a probability.
  const double alive = m.probability_alive(2, 3, 1e6);
  CHECK(alive >= 0.0);
  CHECK(alive <= 1.0);
}

namespace {

// Customers over 6 opportunities: before each, an alive customer dies with probability
// theta(g); if still alive, transacts with probability p(g) (BG/BB's story).
template <class Transact, class Dropout>
std::vector<Eigen::VectorXd> simulate_bgbb_rows(Eigen::Index customers, std::uint64_t seed, Transact p, Dropout theta) {
  patron::rng g(seed);
  Eigen::VectorXd x(customers), t_x(customers);
  for (Eigen::Index i = 0; i < customers; ++i) {
    const double pi = p(g), thetai = theta(g);
    double count = 0, last = 0;
    for (int t = 1; t <= 6; ++t) {
      if (g.uniform() < thetai) break;
      if (g.uniform() < pi) {
        count += 1;
        last = t;
      }
    }
    x(i) = count;
    t_x(i) = last;
  }
  return {x, t_x, Eigen::VectorXd::Constant(customers, 6.0), Eigen::VectorXd::Ones(customers)};
}

}  // namespace

TEST_CASE("fit_bgbb reports a maximum at the boundary instead of ridge values as estimates", "[edge]") {
  // One transaction probability (0.6): the supremum is at alpha, beta -> inf with
  // alpha / (alpha + beta) = 0.6; one dropout probability (0.2): at gamma, delta -> inf.
  // Without heterogeneity the maximum lies on the boundary for part of the samples only
  // (of seeds 1-6 at 2000 customers: 4 for p, 5 for theta; the others peak at a large
  // finite value, alpha ~ 30-80 or gamma ~ 7, and nothing is flagged). Seed 2 is a boundary
  // sample for both.
  const auto one_p = [](patron::rng&) { return 0.6; };
  const auto one_theta = [](patron::rng&) { return 0.2; };
  const auto beta_p = [](patron::rng& g) { return g.beta(1.2, 0.75); };
  const auto beta_theta = [](patron::rng& g) { return g.beta(0.66, 2.8); };
  const auto a = simulate_bgbb_rows(2000, 2, one_p, beta_theta);
  const auto m = patron::fit_bgbb(a[0], a[1], a[2], a[3]);
  CHECK(m.report().boundary_parameters == std::vector<std::string>{"alpha", "beta"});
  CHECK_FALSE(m.report().covariance.has_value());
  CHECK_THAT(m.report().message, Catch::Contains("maximum at the boundary: alpha, beta -> infinity"));
  CHECK(std::abs(m.parameters().alpha / (m.parameters().alpha + m.parameters().beta) - 0.6) < 0.02);
  const auto b = simulate_bgbb_rows(2000, 2, beta_p, one_theta);
  const auto h = patron::fit_bgbb(b[0], b[1], b[2], b[3]);
  CHECK(h.report().boundary_parameters == std::vector<std::string>{"gamma", "delta"});
  CHECK(std::abs(h.parameters().gamma / (h.parameters().gamma + h.parameters().delta) - 0.2) < 0.02);
  const auto c = simulate_bgbb_rows(2000, 1, beta_p, beta_theta);
  const auto k = patron::fit_bgbb(c[0], c[1], c[2], c[3]);
  CHECK(k.report().boundary_parameters.empty());
  CHECK(k.report().covariance.has_value());
}

TEST_CASE("BG/BB likelihood stays exact at its boundary (alpha, beta, gamma, delta -> inf)", "[edge]") {
  // With alpha = p k, beta = (1-p) k, gamma = theta k, delta = (1-theta) k and k -> inf,
  // the BG/BB becomes one transaction probability p and one dropout probability theta:
  //   L = p^x (1-p)^(n-x) (1-theta)^n + sum_{i<n-t_x} p^x (1-p)^(t_x-x+i) theta (1-theta)^(t_x+i).
  // The distance is O(n^2 / k); the lgamma differences of size k log(k) lost every digit.
  const double p = 0.6, theta = 0.2, x = 3, t_x = 4, n = 6;
  double expected = std::pow(p, x) * std::pow(1 - p, n - x) * std::pow(1 - theta, n);
  for (double i = 0; i < n - t_x; ++i)
    expected += std::pow(p, x) * std::pow(1 - p, t_x - x + i) * theta * std::pow(1 - theta, t_x + i);
  for (const double k : {1e13, 1e40}) {
    INFO("k = " << k);
    const patron::bgbb_model m({p * k, (1 - p) * k, theta * k, (1 - theta) * k});
    CHECK_THAT(m.log_likelihood(x, t_x, n), close_to(std::log(expected), 1e-11));
    CHECK_THAT(m.probability_alive(x, t_x, n),
               close_to(std::pow(p, x) * std::pow(1 - p, n - x) * std::pow(1 - theta, n + 1) / expected, 1e-11));
  }
}

TEST_CASE("BG/BB analytic gradient matches central differences", "[property]") {
  const patron::bgbb_parameters p{1.2035, 0.7497, 0.6567, 2.7834};
  const double rows[][3] = {{0, 0, 6}, {3, 4, 6}, {2, 2, 30}, {10, 25, 40}};
  for (const auto& row : rows) {
    double g[4], unused[4];
    patron::detail::bgbb_log_likelihood(p, row[0], row[1], row[2], g);
    for (int k = 0; k < 4; ++k) {
      patron::bgbb_parameters up = p, down = p;
      double* u[] = {&up.alpha, &up.beta, &up.gamma, &up.delta};
      double* d[] = {&down.alpha, &down.beta, &down.gamma, &down.delta};
      *u[k] += 1e-6;
      *d[k] -= 1e-6;
      const double numeric = (patron::detail::bgbb_log_likelihood(up, row[0], row[1], row[2], unused) -
                              patron::detail::bgbb_log_likelihood(down, row[0], row[1], row[2], unused)) / 2e-6;
      CAPTURE(row[0], row[1], row[2], k);
      CHECK_THAT(g[k], close_to(numeric, 1e-7, 1e-8));
    }
  }
}
