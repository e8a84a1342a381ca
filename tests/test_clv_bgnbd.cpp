// BG/NBD: the CDNOW reproduction of Fader, Hardie & Lee (2005), every quantity against
// an independent mpmath evaluation, properties on simulated data, and bad input.
#include <catch2/catch.hpp>

#include <boost/math/distributions/poisson.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/hypergeometric_1F1.hpp>
#include <cmath>
#include <patron/clv.hpp>
#include <patron/core/rng.hpp>

#include "reference/clv/clv_reference.hpp"
#include "support/close_to.hpp"
#include "test_clv_support.hpp"

namespace {

// The parameters the reference script uses (the "checked" CDNOW fit in REFERENCES.md).
const patron::bgnbd_model reference_model({0.242593, 4.413531, 0.792886, 2.425751});

struct simulated {
  Eigen::VectorXd x, t_x, T;
};

// Customers observed for 40-52 weeks, each with purchase rate rate(g) and dropout
// probability dropout(g) after every purchase (BG/NBD's story).
template <class Rate, class Dropout>
simulated simulate_customers(Eigen::Index n, std::uint64_t seed, Rate rate, Dropout dropout) {
  patron::rng g(seed);
  simulated s{Eigen::VectorXd(n), Eigen::VectorXd(n), Eigen::VectorXd(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    const double T = 40.0 + 12.0 * g.uniform();
    const double lambda = rate(g), p = dropout(g);
    double t = 0.0, x = 0.0, last = 0.0;
    for (;;) {
      t += g.exponential(lambda);
      if (t > T) break;
      x += 1.0;
      last = t;
      if (g.bernoulli(p)) break;
    }
    s.x(i) = x;
    s.t_x(i) = last;
    s.T(i) = T;
  }
  return s;
}

// Customers drawn from the BG/NBD itself.
simulated simulate_bgnbd(const patron::bgnbd_parameters& p, Eigen::Index n, std::uint64_t seed) {
  return simulate_customers(
      n, seed, [&](patron::rng& g) { return g.gamma(p.r, 1.0 / p.alpha); },
      [&](patron::rng& g) { return g.beta(p.a, p.b); });
}

}  // namespace

TEST_CASE("fit_bgnbd reproduces the CDNOW parameters and log-likelihood of FHL (2005)",
          "[reference]") {
  const auto data = clv_test::load_cdnow();
  const patron::bgnbd_model m = patron::fit_bgnbd(data.x, data.t_x, data.T);
  const auto& p = m.parameters();
  CHECK(m.report().converged);
  CHECK(m.report().boundary_parameters.empty());
  // Paper (Table/section 5): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
  CHECK(std::round(p.r * 1000) / 1000 == 0.243);
  CHECK(std::round(p.alpha * 1000) / 1000 == 4.414);
  CHECK(std::round(p.a * 1000) / 1000 == 0.793);
  CHECK(std::round(p.b * 1000) / 1000 == 2.426);
  CHECK(std::abs(m.report().log_likelihood - -9582.4) < 0.01 + 0.05);  // printed to 0.1
  // REFERENCES.md "checked" fit: r = 0.242593, alpha = 4.413531, a = 0.792886,
  // b = 2.425751, LL = -9582.4256 (an independent ML fit; the optimum is flat to ~1e-6).
  CHECK_THAT(p.r, close_to(0.242593, 1e-5));
  CHECK_THAT(p.alpha, close_to(4.413531, 1e-5));
  CHECK_THAT(p.a, close_to(0.792886, 1e-5));
  CHECK_THAT(p.b, close_to(2.425751, 1e-5));
  CHECK(std::abs(m.report().log_likelihood - -9582.4256) < 0.01);
  CHECK(m.report().patterns < 2357u);  // identical customers were merged
  CHECK(m.report().total_weight == 2357.0);
  // The customer of the paper's section 5: x = 2, t_x = 30.43, T = 38.86.
  CHECK(std::abs(m.conditional_expected_purchases(39.0, 2, 30.43, 38.86) - 1.2259) < 5e-5);
  CHECK(std::abs(m.probability_alive(2, 30.43, 38.86) - 0.72661) < 5e-6);
  // Standard errors as lifetimes' BetaGeoFitter.summary prints them for CDNOW
  // (0.013, 0.378, 0.186, 0.705).
  const auto se = m.report().standard_errors();
  REQUIRE(se.has_value());
  CHECK(std::abs((*se)(0) - 0.0126) < 0.001);
  CHECK(std::abs((*se)(1) - 0.378) < 0.001);
  CHECK(std::abs((*se)(2) - 0.186) < 0.001);
  CHECK(std::abs((*se)(3) - 0.705) < 0.001);
}

TEST_CASE("BG/NBD P(alive) and conditional expectations agree with mpmath quadrature to 1e-9",
          "[reference]") {
  // make_reference.py: bg_palive (likelihood terms) and P(alive) * bg_expect, the
  // quadrature over p of the posterior expectation, at 40 digits.
  for (const auto& c : clv_reference::bgnbd_customer_reference) {
    CAPTURE(c.x, c.t_x, c.T, c.t);
    CHECK_THAT(reference_model.probability_alive(c.x, c.t_x, c.T), close_to(c.p_alive, 1e-12));
    CHECK_THAT(reference_model.probability_alive_after(c.t, c.x, c.t_x, c.T), close_to(c.p_alive_after_t, 1e-12));
    CHECK_THAT(reference_model.conditional_expected_purchases(c.t, c.x, c.t_x, c.T), close_to(c.expected, 1e-9));
  }
  // bg_expect(r, alpha, a, b, t): E[X(t)] for a new customer.
  for (const auto& c : clv_reference::bgnbd_new_customer_reference) {
    CAPTURE(c.t);
    CHECK_THAT(reference_model.expected_purchases(c.t), close_to(c.expected, 1e-9));
  }
  // bg_pmf: eq. 8 with the finite negative-binomial sum.
  for (const auto& c : clv_reference::bgnbd_pmf_reference) {
    CAPTURE(c.t, c.x);
    CHECK_THAT(reference_model.probability_of_purchases(c.t, c.x), close_to(c.probability, 1e-9));
  }
}

TEST_CASE("BG/NBD expectations are continuous through a = 1, where the closed form is 0/0",
          "[edge]") {
  for (double a : {1.0 - 2e-5, 1.0 - 1e-6, 1.0, 1.0 + 1e-6, 1.0 + 2e-5}) {
    const patron::bgnbd_model m({0.5, 3.0, a, 2.0});
    const patron::bgnbd_model left({0.5, 3.0, 1.0 - 1e-3, 2.0}), right({0.5, 3.0, 1.0 + 1e-3, 2.0});
    // Linear interpolation between a = 1 -/+ 1e-3 (curvature error ~1e-7).
    const double l = left.expected_purchases(20.0), r = right.expected_purchases(20.0);
    CHECK_THAT(m.expected_purchases(20.0), close_to(l + (r - l) * (a - (1.0 - 1e-3)) / 2e-3, 1e-6));
    CHECK(std::isfinite(m.conditional_expected_purchases(20.0, 3, 10.0, 30.0)));
  }
}

TEST_CASE("BG/NBD probabilities and expectations obey their bounds and monotonicity", "[property]") {
  const auto s = simulate_bgnbd({0.5, 4.0, 0.8, 2.5}, 400, 11);
  for (Eigen::Index i = 0; i < s.x.size(); ++i) {
    const double p = reference_model.probability_alive(s.x(i), s.t_x(i), s.T(i));
    CHECK((p >= 0.0 && p <= 1.0));
    double previous = 0.0, previous_alive = p;
    for (double t : {1.0, 5.0, 26.0, 52.0, 260.0}) {
      const double e = reference_model.conditional_expected_purchases(t, s.x(i), s.t_x(i), s.T(i));
      CHECK(e >= previous);
      previous = e;
      const double alive = reference_model.probability_alive_after(t, s.x(i), s.t_x(i), s.T(i));
      CHECK(alive <= previous_alive);
      previous_alive = alive;
    }
  }
  // The PMF sums to 1 over x.
  double total = 0.0;
  for (int x = 0; x <= 400; ++x) total += reference_model.probability_of_purchases(39.0, x);
  CHECK_THAT(total, close_to(1.0, 1e-10));
  // ... and its mean is E[X(t)].
  double mean = 0.0;
  for (int x = 1; x <= 400; ++x) mean += x * reference_model.probability_of_purchases(39.0, x);
  CHECK_THAT(mean, close_to(reference_model.expected_purchases(39.0), 1e-8));
}

TEST_CASE("BG/NBD analytic gradient matches central differences of the likelihood", "[property]") {
  const auto s = simulate_bgnbd({0.5, 4.0, 0.8, 2.5}, 300, 5);
  const patron::btyd_patterns d = patron::compress_btyd(s.x, s.t_x, s.T);
  Eigen::VectorXd u(4), g(4), g_plus(4), g_minus(4);
  u << std::log(0.4), std::log(3.0), std::log(1.3), std::log(1.7);
  patron::detail::bgnbd_total_nll(d, u, g);
  for (int k = 0; k < 4; ++k) {
    Eigen::VectorXd up = u, down = u;
    up(k) += 1e-6;
    down(k) -= 1e-6;
    const double numeric = (patron::detail::bgnbd_total_nll(d, up, g_plus) -
                            patron::detail::bgnbd_total_nll(d, down, g_minus)) / 2e-6;
    CHECK_THAT(g(k), close_to(numeric, 1e-6, 1e-6));
  }
}

TEST_CASE("BG/NBD likelihood stays exact at the Poisson-geometric boundary (r, alpha, a, b -> inf)",
          "[edge]") {
  // With r = lambda * alpha and a = p * k, b = (1 - p) * k, k -> inf, BG/NBD tends to a fixed
  // purchase rate lambda and dropout probability p (Fader, Hardie & Lee 2005, eq. 3):
  //   L = (1-p)^x lambda^x e^(-lambda T) + [x > 0] p (1-p)^(x-1) lambda^x e^(-lambda t_x).
  // At r, k ~ 1e30 lgamma(r + x) - lgamma(r) cancels catastrophically (lgamma(r) ~ 7e31); a fit
  // on data without dropout heterogeneity runs there, so the likelihood must stay exact.
  const double lambda = 0.3, p = 0.1, scale = 1e30;
  Eigen::VectorXd x(4), t_x(4), T(4), w(4);
  x << 0, 1, 4, 12;
  t_x << 0, 5.5, 20.25, 37.0;
  T << 10, 30, 38, 39;
  w << 3, 1, 2, 5;
  const patron::btyd_patterns d = patron::btyd_pattern_accumulator(x, t_x, T, w).patterns();
  double expected = 0.0, expected_dlog_lambda = 0.0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double alive = std::pow(1 - p, x(i)) * std::pow(lambda, x(i)) * std::exp(-lambda * T(i));
    const double dead = x(i) > 0 ? p * std::pow(1 - p, x(i) - 1) * std::pow(lambda, x(i)) * std::exp(-lambda * t_x(i)) : 0.0;
    expected += w(i) * std::log(alive + dead);
    expected_dlog_lambda += w(i) * (x(i) - lambda * (T(i) * alive + t_x(i) * dead) / (alive + dead));
  }
  Eigen::VectorXd u(4), g(4);
  u << std::log(lambda * scale), std::log(scale), std::log(p * scale), std::log((1 - p) * scale);
  CHECK_THAT(-patron::detail::bgnbd_total_nll(d, u, g), close_to(expected, 1e-12));
  // d/dlog r at fixed alpha moves lambda; d/dlog alpha moves it back: no 1e26 rounding noise.
  CHECK(g.allFinite());
  CHECK_THAT(-g(0), close_to(expected_dlog_lambda, 1e-9));
  CHECK_THAT(g(1), close_to(-g(0), 1e-9));
}

TEST_CASE("BG/NBD predictions approach their Poisson-purchase limits as r, alpha -> inf",
          "[edge]") {
  // r = lambda * alpha with alpha -> inf: purchases are Poisson(lambda) while alive, p ~
  // Beta(a, b). The limits in closed form: ((alpha+T)/(alpha+t_x))^(r+x) -> e^(lambda (T-t_x)),
  // q^r 2F1(r, b; c; z) -> e^(-lambda t) 1F1(b; c; lambda t); the model's distance to them is
  // O(1/alpha). A fit on data without dropout walks to such parameters (r ~ 1e40).
  const double a = 0.8, b = 2.5, lambda = 0.3;
  for (const double alpha : {1e12, 1e40}) {
    INFO("alpha = " << alpha);
    const patron::bgnbd_model m({lambda * alpha, alpha, a, b});
    const double x = 4, t_x = 20, T = 38, t = 10;
    const double alive = 1.0 / (1.0 + a / (b + x - 1.0) * std::exp(lambda * (T - t_x)));
    CHECK_THAT(m.probability_alive(x, t_x, T), close_to(alive, 1e-10));
    auto expected = [&](double bb, double c) {
      return (c) / (a - 1.0) *
             (1.0 - std::exp(-lambda * t) * boost::math::hypergeometric_1F1(bb, c, lambda * t));
    };
    CHECK_THAT(m.expected_purchases(t), close_to(expected(b, a + b - 1.0), 1e-10));
    CHECK_THAT(m.conditional_expected_purchases(t, x, t_x, T),
               close_to(expected(b + x, a + b + x - 1.0) * alive, 1e-10));
    const boost::math::poisson_distribution<double> poisson(lambda * t);
    for (const double k : {0.0, 1.0, 3.0, 7.0}) {
      INFO("x = " << k);
      double pmf = boost::math::beta(a, b + k) / boost::math::beta(a, b) * boost::math::pdf(poisson, k);
      if (k > 0)
        pmf += boost::math::beta(a + 1.0, b + k - 1.0) / boost::math::beta(a, b) *
               boost::math::cdf(boost::math::complement(poisson, k - 1.0));
      CHECK_THAT(m.probability_of_purchases(t, k), close_to(pmf, 1e-10));
    }
  }
}

TEST_CASE("fit_bgnbd recovers simulated parameters, and weights equal repeated rows", "[property]") {
  const patron::bgnbd_parameters truth{0.5, 4.0, 0.8, 2.5};
  const auto s = simulate_bgnbd(truth, 20000, 2024);
  const patron::bgnbd_model m = patron::fit_bgnbd(s.x, s.t_x, s.T);
  REQUIRE(m.report().converged);
  CHECK(m.report().gradient_norm <= 1e-8);  // the likelihood gradient is zero at the fit
  const auto se = m.report().standard_errors();
  REQUIRE(se.has_value());
  const double estimate[] = {m.parameters().r, m.parameters().alpha, m.parameters().a, m.parameters().b};
  const double expected[] = {truth.r, truth.alpha, truth.a, truth.b};
  for (int k = 0; k < 4; ++k) CHECK(std::abs(estimate[k] - expected[k]) < 4.0 * (*se)(k));

  // Compressed patterns with counts as weights give the same fit as the rows.
  const patron::btyd_patterns d = patron::compress_btyd(s.x, s.t_x, s.T);
  const patron::bgnbd_model w = patron::fit_bgnbd(d.x, d.t_x, d.T, d.weight);
  CHECK_THAT(w.parameters().r, close_to(m.parameters().r, 1e-9));
  CHECK_THAT(w.parameters().b, close_to(m.parameters().b, 1e-9));
  CHECK_THAT(w.report().log_likelihood, close_to(m.report().log_likelihood, 1e-12));
  CHECK(w.report().total_weight == 20000.0);
}

TEST_CASE("fit_bgnbd reports a maximum at the boundary instead of ridge values as estimates",
          "[edge]") {
  // One purchase rate for everyone (lambda = 0.5): the likelihood's supremum is at
  // r, alpha -> inf with r / alpha = lambda. One dropout probability (0.3): a, b -> inf.
  const auto one_rate = [](patron::rng&) { return 0.5; };
  const auto one_dropout = [](patron::rng&) { return 0.3; };
  const auto gamma_rate = [](patron::rng& g) { return g.gamma(0.8, 1.0 / 1.6); };
  const auto beta_dropout = [](patron::rng& g) { return g.beta(0.8, 2.5); };
  const auto poisson = simulate_customers(5000, 1, one_rate, beta_dropout);
  const auto m = patron::fit_bgnbd(poisson.x, poisson.t_x, poisson.T);
  CHECK(m.report().boundary_parameters == std::vector<std::string>{"r", "alpha"});
  CHECK_FALSE(m.report().covariance.has_value());
  CHECK_THAT(m.report().message, Catch::Contains("maximum at the boundary: r, alpha -> infinity"));
  CHECK(std::abs(m.parameters().r / m.parameters().alpha - 0.5) < 0.03);  // lambda, within sampling error
  const auto geometric = simulate_customers(5000, 1, gamma_rate, one_dropout);
  const auto g = patron::fit_bgnbd(geometric.x, geometric.t_x, geometric.T);
  CHECK(g.report().boundary_parameters == std::vector<std::string>{"a", "b"});
  CHECK(std::abs(g.parameters().a / (g.parameters().a + g.parameters().b) - 0.3) < 0.03);
  const auto mixed = simulate_customers(5000, 1, gamma_rate, beta_dropout);
  const auto h = patron::fit_bgnbd(mixed.x, mixed.t_x, mixed.T);
  CHECK(h.report().boundary_parameters.empty());
  CHECK(h.report().covariance.has_value());
  // A penalised fit has an interior optimum: not checked.
  patron::clv_fit_options penalised;
  penalised.l2_penalty = 1e-3;
  CHECK(patron::fit_bgnbd(poisson.x, poisson.t_x, poisson.T, penalised).report().boundary_parameters.empty());
}

TEST_CASE("fit_bgnbd's L2 penalty shrinks log parameters towards 0", "[property]") {
  const auto data = clv_test::load_cdnow();
  patron::clv_fit_options options;
  options.l2_penalty = 0.1;
  const patron::bgnbd_model plain = patron::fit_bgnbd(data.x, data.t_x, data.T);
  const patron::bgnbd_model shrunk = patron::fit_bgnbd(data.x, data.t_x, data.T, options);
  CHECK(shrunk.report().converged);
  CHECK(shrunk.report().l2_penalty == 0.1);
  auto log_norm = [](const patron::bgnbd_parameters& p) {
    return std::pow(std::log(p.r), 2) + std::pow(std::log(p.alpha), 2) + std::pow(std::log(p.a), 2) +
           std::pow(std::log(p.b), 2);
  };
  CHECK(log_norm(shrunk.parameters()) < log_norm(plain.parameters()));
  CHECK(shrunk.report().log_likelihood < plain.report().log_likelihood);
}

TEST_CASE("BG/NBD cohort tracking sums E[X] over the customers already acquired", "[property]") {
  Eigen::VectorXd first(4), at(3);
  first << 0.0, 0.0, 3.0, 10.0;
  at << 2.0, 5.0, 10.0;
  const Eigen::VectorXd c = reference_model.expected_cumulative_repeat_purchases(first, at);
  CHECK_THAT(c(0), close_to(2 * reference_model.expected_purchases(2.0), 1e-15));
  CHECK_THAT(c(1), close_to(2 * reference_model.expected_purchases(5.0) + reference_model.expected_purchases(2.0), 1e-14));
  CHECK_THAT(c(2), close_to(2 * reference_model.expected_purchases(10.0) + reference_model.expected_purchases(7.0), 1e-14));
}

TEST_CASE("BG/NBD rejects bad customer rows naming the row", "[invalid]") {
  Eigen::VectorXd x(3), t_x(3), T(3);
  x << 1, 2, 0;
  t_x << 5, 6, 0;
  T << 10, 10, 10;
  auto fit_with = [&](int row, double xv, double tv, double Tv) {
    Eigen::VectorXd xx = x, tt = t_x, TT = T;
    xx(row) = xv;
    tt(row) = tv;
    TT(row) = Tv;
    return patron::fit_bgnbd(xx, tt, TT);
  };
  CHECK_THROWS_WITH(fit_with(1, -1, 6, 10), "patron::fit_bgnbd: x[1] (-1) must be a non-negative integer");
  CHECK_THROWS_WITH(fit_with(1, 1.5, 6, 10), "patron::fit_bgnbd: x[1] (1.5) must be a non-negative integer");
  CHECK_THROWS_WITH(fit_with(0, 1, 12, 10), "patron::fit_bgnbd: t_x[0] (12) exceeds T[0] (10)");
  CHECK_THROWS_WITH(fit_with(1, 2, 0, 10),
                    "patron::fit_bgnbd: t_x[1] (0) must be positive when x[1] (2) is positive");
  CHECK_THROWS_WITH(fit_with(2, 0, 4, 10), Catch::StartsWith("patron::fit_bgnbd: t_x[2] (4) must be 0 when x[2] is 0"));
  CHECK_THROWS_WITH(fit_with(2, 0, 0, std::nan("")), "patron::fit_bgnbd: T[2] (nan) must be finite and positive");
  CHECK_THROWS_WITH(fit_with(0, 1, std::nan(""), 10), "patron::fit_bgnbd: t_x[0] (nan) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::fit_bgnbd(x, t_x, Eigen::VectorXd::Ones(2)),
                    "patron::fit_bgnbd: x has 3 elements but T has 2");
  CHECK_THROWS_WITH(patron::fit_bgnbd(Eigen::VectorXd(0), Eigen::VectorXd(0), Eigen::VectorXd(0)),
                    "patron::fit_bgnbd: x must not be empty");
  Eigen::VectorXd w(3);
  w << 1, -2, 1;
  CHECK_THROWS_WITH(patron::fit_bgnbd(x, t_x, T, w),
                    "patron::fit_bgnbd: weights[1] (-2) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::fit_bgnbd(x, t_x, T, Eigen::VectorXd::Zero(3)),
                    "patron::fit_bgnbd: weights (0) must not all be zero");
  patron::clv_fit_options bad;
  bad.l2_penalty = -1;
  CHECK_THROWS_WITH(patron::fit_bgnbd(x, t_x, T, bad),
                    "patron::fit_bgnbd: options.l2_penalty (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::bgnbd_model({0.2, -1, 1, 1}),
                    "patron::bgnbd_model: parameters.alpha (-1) must be finite and positive");
  CHECK_THROWS_WITH(reference_model.conditional_expected_purchases(-1, 1, 2, 3),
                    "patron::bgnbd_model::conditional_expected_purchases: t (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(reference_model.probability_alive(2, 5, 4),
                    "patron::bgnbd_model::probability_alive: t_x[0] (5) exceeds T[0] (4)");
  CHECK_THROWS_WITH(reference_model.probability_of_purchases(10, 0.5),
                    "patron::bgnbd_model::probability_of_purchases: x (0.5) must be a non-negative integer");
  CHECK_THROWS_WITH(reference_model.probability_alive(x, t_x, Eigen::VectorXd::Constant(3, 5.5)),
                    "patron::bgnbd_model::probability_alive: t_x[1] (6) exceeds T[1] (5.5)");
}

TEST_CASE("BG/NBD at an absurd repeat-purchase count: exact in O(1), and rejected past 2^53", "[edge]") {
  // The likelihood's rising factorials advanced one purchase at a time: x = 1e15 never
  // returned, a fit with one x = 1e9 customer took minutes. mpmath at 80 digits
  // (tests/reference/clv/rising_values.py, bgnbd_ll): {t_x, log L, P(alive)}, T = 38.
  const patron::bgnbd_model m({0.243, 4.414, 0.793, 2.426});
  CHECK_THAT(m.log_likelihood(1e15, 37.9, 38), close_to(29793658394349488.252, 1e-15));
  CHECK(m.probability_alive(1e15, 37.9, 38) == 0.0);  // mpmath: 9.75e-1025150324692
  CHECK_THAT(m.log_likelihood(1e15, 38, 38), close_to(29791297898493776.724, 1e-15));
  CHECK_THAT(m.probability_alive(1e15, 38, 38), close_to(0.999999999999999207, 1e-15));

  Eigen::VectorXd x(4), t_x(4), T(4);
  x << 2, 0, 5, 1e9;
  t_x << 30, 0, 20, 37.5;
  T << 38, 38, 38, 38;
  for (const double big : {1e9, 1e15, 9007199254740992.0}) {
    INFO("x[3] = " << big);
    x(3) = big;
    const patron::bgnbd_model fit = patron::fit_bgnbd(x, t_x, T);  // a status, never a hang or a NaN
    CHECK(std::isfinite(fit.report().log_likelihood));
    for (const double v : {fit.parameters().r, fit.parameters().alpha, fit.parameters().a, fit.parameters().b})
      CHECK(std::isfinite(v));
  }
  x(3) = 9007199254740994.0;  // 2^53 + 2: x + 1 is not a double
  CHECK_THROWS_WITH(patron::fit_bgnbd(x, t_x, T),
                    "patron::fit_bgnbd: x[3] (9007199254740994) exceeds 2^53 (9007199254740992), the largest "
                    "count a double holds exactly");
  CHECK_THROWS_WITH(m.probability_alive(1e300, 20, 38),
                    "patron::bgnbd_model::probability_alive: x[0] (1.0000000000000001e+300) exceeds 2^53 (9007199254740992), the "
                    "largest count a double holds exactly");
  CHECK_THROWS_WITH(m.probability_of_purchases(10, 1e16),
                    "patron::bgnbd_model::probability_of_purchases: x (10000000000000000) exceeds 2^53 (9007199254740992), the "
                    "largest count a double holds exactly");
}

TEST_CASE("BG/NBD expectations at a + b = 1 and at parameters near 1e+-300", "[edge][invalid]") {
  // At a + b = 1 the 2F1 of E[X(t)] has c = 0 (a pole its factor c cancels): "patron::hyp2f1:
  // c (0) must not be a non-positive integer" before. mpmath quadrature over the dropout
  // probability at 80 digits (tests/reference/clv/rising_values.py): {a, b, t, E[X(t)]}.
  const struct {
    double a, b, t, value;
  } rows[] = {{0.5, 0.5, 39.0, 0.91794689274571382973},
              {0.25, 0.75, 10.0, 0.44774156263328402325},
              {0.5, 0.500003, 39.0, 0.91794863686722258285}};
  for (const auto& row : rows) {
    INFO("a = " << row.a << ", b = " << row.b);
    const patron::bgnbd_model m({0.243, 4.414, row.a, row.b});
    CHECK_THAT(m.expected_purchases(row.t), close_to(row.value, 1e-9));
    CHECK(std::isfinite(m.conditional_expected_purchases(row.t, 0, 0, 10)));
  }
  // Beyond the 2F1's reach: an invalid_input naming the call and the parameters, not
  // "patron::hyp2f1: ..." (the series ran 1e7 terms before giving up).
  CHECK_THROWS_WITH(patron::bgnbd_model({1e300, 1, 1, 1}).expected_purchases(10),
                    Catch::StartsWith("patron::bgnbd_model::expected_purchases: parameters (r = 1.0000000000000001e+300, "
                                      "alpha = 1, a = 1, b = 1) are beyond the range where the expectation can be "
                                      "evaluated (2F1 series for"));
  CHECK_THROWS_AS(patron::bgnbd_model({1, 1, 1e-300, 1e-300}).expected_purchases(10), patron::invalid_input);
  CHECK_THROWS_WITH(patron::bgnbd_model({1, 1e-300, 1, 1}).expected_purchases(10),
                    Catch::StartsWith("patron::bgnbd_model::expected_purchases: parameters (r = 1, alpha = 1e-300"));
  CHECK_THROWS_WITH(patron::bgnbd_model({1e300, 1, 1, 1}).conditional_expected_purchases(100, 2, 38, 38),
                    Catch::StartsWith("patron::bgnbd_model::conditional_expected_purchases: parameters (r = "));
  // a / (b + x - 1) = 1e-600 underflowed: P(alive) was 1 for a customer with rate 1e300 and
  // two purchases in 38 weeks (log odds of death 1e300 log(39/31)).
  CHECK(patron::bgnbd_model({1e300, 1, 1e-300, 1e300}).probability_alive(2, 30, 38) == 0.0);
  // A customer certainly gone buys nothing: the kernel's 2F1(1e15, ...) failed before.
  const patron::bgnbd_model m({0.243, 4.414, 0.793, 2.426});
  CHECK(m.conditional_expected_purchases(10, 1e15, 20, 38) == 0.0);
}

TEST_CASE("BG/NBD E[Y(t) | x, t_x, T] for customers with 1e6 to 1e15 purchases", "[edge]") {
  // The direct 2F1 series needs ~(r+x) z / (1-z) terms: at x = 1e6 it was 1.3e-8 off, at
  // 1e9 and 1e15 it gave up. Pfaff's form takes a few terms. mpmath quadrature over the
  // posterior dropout probability at 80 digits (tests/reference/clv/rising_values.py).
  const patron::bgnbd_model m({0.243, 4.414, 0.793, 2.426});
  const struct {
    double x, value;
  } rows[] = {{1e6, 216401.98967914048502}, {1e9, 216402074.89050772012}, {1e15, 216402074975804.5224}};
  for (const auto& row : rows) {
    INFO("x = " << row.x);
    CHECK_THAT(m.conditional_expected_purchases(10, row.x, 38, 38), close_to(row.value, 1e-13));
  }
}
