// CLV fits on data whose likelihood has its supremum on the boundary of the parameter
// space (no dropout, no repeat purchases, one customer, identical customers, BG/BB
// customers active at every opportunity or at none, identical spends): every fit
// returns finite parameters, a status and a message naming the limit, and finite
// predictions that approach the limit's closed forms. References:
// tests/reference/clv/boundary_values.py (mpmath) and closed forms named per case.
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <cmath>
#include <patron/clv.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/close_to.hpp"

namespace {

using names = std::vector<std::string>;

void check_finite(const patron::clv_fit_report& report, const Eigen::VectorXd& theta) {
  CHECK(theta.allFinite());
  CHECK((theta.array() > 0.0).all());
  CHECK(std::isfinite(report.log_likelihood));
  CHECK_FALSE(report.covariance.has_value());  // no covariance at a boundary
}

// Forty customers buying steadily, each with the last purchase at the end of
// calibration (t_x = T): nobody has dropped out.
struct btyd_data {
  Eigen::VectorXd x, t_x, T;
};
btyd_data no_dropout() {
  const int n = 40;
  btyd_data d{Eigen::VectorXd(n), Eigen::VectorXd(n), Eigen::VectorXd(n)};
  for (int i = 0; i < n; ++i) {
    d.T(i) = 30.0 + 3.0 * (i % 7);
    d.x(i) = 1.0 + (7 * i) % 13;
    d.t_x(i) = d.T(i);
  }
  return d;
}

// The NBD maximum of the no-dropout data (boundary_values.py: mpmath.findroot, 40 digits).
constexpr double nbd_r = 3.9656982729239895835, nbd_alpha = 21.96077733063919734;
constexpr double nbd_log_likelihood = -736.20992390140768418;
constexpr double nbd_expected_10 = 1.8058096092031924052;          // r t / alpha
constexpr double nbd_conditional_10 = 0.95566281492019085438;      // (r + x) t / (alpha + T), x = 1, T = 30

// One customer (x, t_x, T) = (3, 20, 30): the supremum over both models is at one rate
// lambda = x / T = 0.1 and no dropout, log L = 3 log(0.1) - 3 (boundary_values.py checks it
// by a grid over lambda and the dropout parameter).
constexpr double one_customer_log_likelihood = -9.9077552789821370521;

}  // namespace

TEST_CASE("fit_bgnbd without dropout: a -> 0, the NBD maximum, finite predictions", "[edge][boundary]") {
  const auto d = no_dropout();
  const auto m = patron::fit_bgnbd(d.x, d.t_x, d.T);
  const auto p = m.parameters();
  check_finite(m.report(), Eigen::Vector4d(p.r, p.alpha, p.a, p.b));
  CHECK(m.report().boundary_parameters == names{"a"});
  CHECK_THAT(m.report().message, Catch::Contains("maximum at the boundary: a -> 0 (dropout probability -> 0"));
  // The remaining parameters are the NBD estimates; a / (a + b) ~ 1e-15.
  CHECK_THAT(p.r, close_to(nbd_r, 1e-6));
  CHECK_THAT(p.alpha, close_to(nbd_alpha, 1e-6));
  CHECK(p.a / (p.a + p.b) < 1e-12);
  CHECK_THAT(m.report().log_likelihood, close_to(nbd_log_likelihood, 1e-12));
  CHECK_THAT(m.expected_purchases(10.0), close_to(nbd_expected_10, 1e-6));
  CHECK_THAT(m.conditional_expected_purchases(10.0, 1.0, 30.0, 30.0), close_to(nbd_conditional_10, 1e-6));
  CHECK_THAT(m.probability_alive(1.0, 30.0, 30.0), close_to(1.0, 1e-12));
}

TEST_CASE("fit_pareto_nbd without dropout: s -> 0, the NBD maximum, finite predictions", "[edge][boundary]") {
  const auto d = no_dropout();
  const auto m = patron::fit_pareto_nbd(d.x, d.t_x, d.T);
  const auto p = m.parameters();
  check_finite(m.report(), Eigen::Vector4d(p.r, p.alpha, p.s, p.beta));
  CHECK(m.report().boundary_parameters == names{"s"});
  CHECK_THAT(m.report().message, Catch::Contains("maximum at the boundary: s -> 0 (dropout rates -> 0"));
  CHECK_THAT(p.r, close_to(nbd_r, 1e-6));
  CHECK_THAT(p.alpha, close_to(nbd_alpha, 1e-6));
  CHECK(p.s / p.beta < 1e-12);  // mean dropout rate
  CHECK_THAT(m.report().log_likelihood, close_to(nbd_log_likelihood, 1e-12));
  CHECK_THAT(m.expected_purchases(10.0), close_to(nbd_expected_10, 1e-6));
  CHECK_THAT(m.conditional_expected_purchases(10.0, 1.0, 30.0, 30.0), close_to(nbd_conditional_10, 1e-6));
  CHECK_THAT(m.probability_alive(1.0, 30.0, 30.0), close_to(1.0, 1e-12));
  CHECK(std::isfinite(m.discounted_expected_residual_transactions(0.01, 1.0, 30.0, 30.0)));
}

TEST_CASE("BTYD fits without any repeat purchase: r -> 0, log-likelihood -> 0", "[edge][boundary]") {
  // Every x = 0: the supremum of each customer's likelihood is 1 (no purchases for sure).
  const Eigen::VectorXd x = Eigen::VectorXd::Zero(20), T = Eigen::VectorXd::LinSpaced(20, 10.0, 50.0);
  const auto b = patron::fit_bgnbd(x, x, T);
  const auto bp = b.parameters();
  check_finite(b.report(), Eigen::Vector4d(bp.r, bp.alpha, bp.a, bp.b));
  CHECK(b.report().boundary_parameters.at(0) == "r");
  CHECK_THAT(b.report().message, Catch::Contains("r -> 0 (purchase rates -> 0: no repeat purchases)"));
  CHECK(b.report().log_likelihood <= 0.0);
  CHECK(b.report().log_likelihood > -1e-5);
  CHECK(b.expected_purchases(10.0) < 1e-6);
  CHECK(b.conditional_expected_purchases(10.0, 0.0, 0.0, 30.0) < 1e-6);
  const auto q = patron::fit_pareto_nbd(x, x, T);
  const auto qp = q.parameters();
  check_finite(q.report(), Eigen::Vector4d(qp.r, qp.alpha, qp.s, qp.beta));
  CHECK(q.report().boundary_parameters.at(0) == "r");
  CHECK(q.report().log_likelihood <= 0.0);
  CHECK(q.report().log_likelihood > -1e-5);
  CHECK(q.expected_purchases(10.0) < 1e-6);
  CHECK(q.conditional_expected_purchases(10.0, 0.0, 0.0, 30.0) < 1e-6);
}

TEST_CASE("BTYD fits on one customer and on identical customers: one rate, no dropout", "[edge][boundary]") {
  for (const int copies : {1, 10}) {
    CAPTURE(copies);
    const Eigen::VectorXd x = Eigen::VectorXd::Constant(copies, 3.0), t_x = Eigen::VectorXd::Constant(copies, 20.0),
                          T = Eigen::VectorXd::Constant(copies, 30.0);
    const auto b = patron::fit_bgnbd(x, t_x, T);
    const auto bp = b.parameters();
    check_finite(b.report(), Eigen::Vector4d(bp.r, bp.alpha, bp.a, bp.b));
    CHECK(b.report().boundary_parameters == names{"r", "alpha", "a"});
    CHECK_THAT(b.report().log_likelihood, close_to(copies * one_customer_log_likelihood, 1e-9));
    CHECK_THAT(bp.r / bp.alpha, close_to(0.1, 1e-6));  // lambda = x / T
    CHECK_THAT(b.expected_purchases(10.0), close_to(1.0, 1e-6));
    CHECK_THAT(b.conditional_expected_purchases(10.0, 3.0, 20.0, 30.0), close_to(1.0, 1e-6));
    const auto q = patron::fit_pareto_nbd(x, t_x, T);
    const auto qp = q.parameters();
    check_finite(q.report(), Eigen::Vector4d(qp.r, qp.alpha, qp.s, qp.beta));
    CHECK(q.report().boundary_parameters == names{"r", "alpha", "s"});
    CHECK_THAT(q.report().log_likelihood, close_to(copies * one_customer_log_likelihood, 1e-9));
    CHECK_THAT(qp.r / qp.alpha, close_to(0.1, 1e-6));
    CHECK_THAT(q.expected_purchases(10.0), close_to(1.0, 1e-6));
    CHECK_THAT(q.conditional_expected_purchases(10.0, 3.0, 20.0, 30.0), close_to(1.0, 1e-6));
  }
}

TEST_CASE("fit_bgbb with every customer active at every opportunity: beta -> 0, gamma -> 0", "[edge][boundary]") {
  // Limit: transaction probability 1 and no dropout, so log L -> 0, P(alive) -> 1 and the
  // next 5 opportunities hold 5 transactions (closed forms).
  Eigen::VectorXd x(3), w(3);
  x << 6, 5, 4;
  w << 10, 20, 5;
  const auto m = patron::fit_bgbb(x, x, x, w);
  const auto p = m.parameters();
  check_finite(m.report(), Eigen::Vector4d(p.alpha, p.beta, p.gamma, p.delta));
  CHECK(m.report().boundary_parameters == names{"beta", "gamma"});
  CHECK_THAT(m.report().message, Catch::Contains("beta -> 0 (transaction probability -> 1"));
  CHECK_THAT(m.report().message, Catch::Contains("gamma -> 0 (dropout probability -> 0"));
  CHECK(m.report().log_likelihood <= 0.0);
  CHECK(m.report().log_likelihood > -1e-5);
  CHECK_THAT(m.probability_alive(6.0, 6.0, 6.0), close_to(1.0, 1e-6));
  CHECK_THAT(m.expected_transactions(5.0), close_to(5.0, 1e-6));
  CHECK_THAT(m.conditional_expected_transactions(5.0, 6.0, 6.0, 6.0), close_to(5.0, 1e-6));
  CHECK(m.conditional_expected_transactions(5.0, 6.0, 6.0, 6.0) <= 5.0);
}

TEST_CASE("fit_bgbb with no customer ever active: alpha -> 0, delta -> 0", "[edge][boundary]") {
  // Either nobody transacts or everybody drops out at once: log L -> 0, E[X(n)] -> 0.
  Eigen::VectorXd x = Eigen::VectorXd::Zero(2), n(2), w(2);
  n << 6, 4;
  w << 10, 5;
  const auto m = patron::fit_bgbb(x, x, n, w);
  const auto p = m.parameters();
  check_finite(m.report(), Eigen::Vector4d(p.alpha, p.beta, p.gamma, p.delta));
  CHECK(m.report().boundary_parameters == names{"alpha", "delta"});
  CHECK(m.report().log_likelihood <= 0.0);
  CHECK(m.report().log_likelihood > -1e-5);
  CHECK(m.expected_transactions(5.0) < 1e-6);
  CHECK(m.conditional_expected_transactions(5.0, 0.0, 0.0, 6.0) < 1e-6);
}

TEST_CASE("BG/BB expected transactions stay exact as gamma -> 0 (a fit's no-dropout boundary)", "[edge][boundary]") {
  // boundary_values.py: the beta-function sums of FHS (2010) term by term at 50 digits.
  // The lgamma differences used before were 5e-6 (first row) to 2e-3 (last row) off.
  struct row {
    patron::bgbb_parameters p;
    double conditional, unconditional;  // E[X(6, 6 + 5) | 6, 6, 6], E[X(5)]
  };
  const row rows[] = {
      {{96391.9, 0.000127807, 0.000127807, 96391.9}, 4.999999973483722417, 4.9999999734820719048},
      {{2.5, 0.5, 0.001, 30000.0}, 4.7222217501154397834, 4.1666662500185493796},
      {{0.7, 1.3, 1e-7, 5e6}, 4.1874999999997487504, 1.749999999999895},
  };
  for (const row& r : rows) {
    CAPTURE(r.p.gamma);
    const patron::bgbb_model m(r.p);
    CHECK_THAT(m.conditional_expected_transactions(5.0, 6.0, 6.0, 6.0), close_to(r.conditional, 1e-12));
    CHECK_THAT(m.expected_transactions(5.0), close_to(r.unconditional, 1e-12));
  }
}

TEST_CASE("fit_gamma_gamma with identical spends: no estimate, the documented point p = q = 1e6", "[edge][boundary]") {
  // Every repeat customer spends the same: the likelihood of identical zbar grows without
  // bound as spend loses its spread (p, q -> inf at a fixed mean). No optimisation is run
  // (it used to stop wherever rounding noise of size 1e16 ended its line search); the fit
  // returns p = q = 1e6, gamma = zbar (q - 1) / p with converged = false, and every expected
  // spend is the common value (closed form of that point). log L there:
  // boundary_values.py (mpmath, 60 digits).
  const std::pair<double, double> cases[] = {{10.0, 17.535276268190451648}, {35.5, 11.200538250753829509}};
  for (const auto& [spend, log_likelihood] : cases) {
    CAPTURE(spend);
    Eigen::VectorXd x(5);
    x << 1, 2, 3, 4, 5;
    const Eigen::VectorXd zbar = Eigen::VectorXd::Constant(5, spend);
    const auto m = patron::fit_gamma_gamma(x, zbar);
    const auto p = m.parameters();
    CHECK(p.p == 1e6);
    CHECK(p.q == 1e6);
    CHECK_FALSE(m.report().converged);
    CHECK(m.report().iterations == 0);
    CHECK(m.report().boundary_parameters == names{"p", "q"});
    CHECK_THAT(m.report().message, Catch::Contains("the likelihood grows without bound"));
    CHECK_THAT(m.report().message, Catch::Contains("maximum at the boundary: p, q -> infinity (no spread in spend"));
    CHECK_THAT(m.report().log_likelihood, close_to(log_likelihood, 1e-8));
    CHECK_FALSE(m.report().covariance.has_value());
    CHECK_THAT(m.population_mean_spend(), close_to(spend, 1e-14));
    CHECK_THAT(m.conditional_expected_spend(2.0, spend), close_to(spend, 1e-14));
  }
  // One customer is the same case; a penalised fit has a finite optimum (far out for a
  // small penalty: the likelihood gains log(p) / 2 per customer) and runs as usual.
  const auto one = patron::fit_gamma_gamma(Eigen::VectorXd::Constant(1, 3.0), Eigen::VectorXd::Constant(1, 20.0));
  CHECK(one.report().boundary_parameters == names{"p", "q"});
  patron::clv_fit_options penalised;
  penalised.l2_penalty = 1e-3;
  const auto pen = patron::fit_gamma_gamma(Eigen::VectorXd::Constant(1, 3.0), Eigen::VectorXd::Constant(1, 20.0), penalised);
  CHECK(pen.report().boundary_parameters.empty());
  CHECK_THAT(pen.report().message, !Catch::Contains("grows without bound"));
  CHECK(pen.parameters().p != 1e6);
}

TEST_CASE("a likelihood that throws at a trial point is an infeasible step, not an exception", "[edge][boundary]") {
  // A likelihood beyond its reach at extreme parameters throws (invalid_input from a
  // series, domain_error from Boost). Here -LL = sum (u_k - 1)^2 cannot be evaluated for
  // u_0 > 1, right at its minimum, so the line search, the Newton polish's and the
  // standard errors' finite-difference probes step into the region that throws. Before,
  // the exception reached the caller.
  auto nll = [](const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
    if (u(0) > 1.0) throw patron::invalid_input("patron::test_likelihood: parameters beyond reach");
    gradient = 2.0 * (u.array() - 1.0);
    return (u.array() - 1.0).square().sum();
  };
  patron::detail::fitted_parameters f;
  // A dynamic start vector: a fixed 2-vector converted in the call sets off GCC 12's
  // -Warray-bounds on Eigen's AVX-512 loads (a false positive) in -march=native builds.
  Eigen::VectorXd start(2);
  start << -2.0, 3.0;
  REQUIRE_NOTHROW(f = patron::detail::fit_log_parameters(nll, start, 1.0, 1, {}, {"a", "b"}));
  CHECK(f.theta.allFinite());
  CHECK_THAT(f.theta(0), close_to(std::exp(1.0), 1e-6));
  CHECK_THAT(f.theta(1), close_to(std::exp(1.0), 1e-6));
  CHECK(std::isfinite(f.report.log_likelihood));
  CHECK_FALSE(f.report.covariance.has_value());  // the Hessian touched the infeasible region
}

TEST_CASE("fit_gamma_gamma without spread within a customer: p -> inf, gamma -> 0, the inverse-gamma limit",
          "[edge][boundary]") {
  // Twelve mean spends with no sign of shrinking towards the population mean as x grows:
  // the maximum is at zbar = p / nu exactly, i.e. zbar ~ InverseGamma(q, p gamma)
  // (boundary_values.py: that likelihood's maximum by mpmath.findroot, 40 digits). The
  // likelihood used to lose every digit there (px log x + (px - 1) log zbar - px log(gamma + x zbar)
  // at px ~ 1e20) and the fit stalled at p ~ 1e7 in its line search, unflagged.
  Eigen::VectorXd x(12), zbar(12);
  zbar << 13.63, 11.85, 5.36, 66.28, 7.93, 13.2, 15.05, 7.95, 8.84, 5.76, 6.39, 45.98;
  for (Eigen::Index i = 0; i < 12; ++i) x(i) = 1.0 + static_cast<double>(i % 5);
  const auto m = patron::fit_gamma_gamma(x, zbar);
  const auto p = m.parameters();
  CHECK(Eigen::Vector3d(p.p, p.q, p.gamma).allFinite());
  CHECK(m.report().converged);
  CHECK(m.report().boundary_parameters == names{"p", "gamma"});
  CHECK_THAT(m.report().message,
             Catch::Contains("maximum at the boundary: p -> infinity, gamma -> 0 (no spread in spend within a customer)"));
  constexpr double q = 2.4992706393334218438, scale = 24.613673304331167964;
  CHECK_THAT(p.q, close_to(q, 1e-7));
  CHECK_THAT(p.p * p.gamma, close_to(scale, 1e-7));
  CHECK_THAT(m.report().log_likelihood, close_to(-42.329510852961357134, 1e-12));
  CHECK_THAT(m.population_mean_spend(), close_to(scale / (q - 1.0), 1e-7));
  CHECK_THAT(m.conditional_expected_spend(3.0, 7.5), close_to(7.5, 1e-9));  // a customer's own mean
}
