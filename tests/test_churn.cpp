// Churn formulas, cohort tables, the sBG and BdW models (patron/churn.hpp).
#include <patron/churn.hpp>

#include <cmath>
#include <vector>

#include "reference/churn/sbg_reference.hpp"
#include "support/close_to.hpp"

namespace {

Eigen::VectorXd vec(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// Fader & Hardie (2007) Table 1, % alive at the start of years 0..12 (REFERENCES.md).
const std::vector<double> regular_pct = {100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2,
                                         24.1,  22.3, 20.7, 19.4, 18.3, 17.3};
const std::vector<double> high_end_pct = {100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7,
                                          49.1,  46.8, 44.5, 42.7, 40.9, 39.4};

double round_to(double x, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(x * scale) / scale;
}

}  // namespace

// ---- formulas ----------------------------------------------------------------------

TEST_CASE("period rates from counts separate churn from gains", "[churn]") {
  const auto r = patron::period_rates_from_counts(1000, 50, 80);
  CHECK_THAT(r.churn_rate, close_to(0.05, 1e-15));
  CHECK_THAT(r.retention_rate, close_to(0.95, 1e-15));
  CHECK_THAT(r.customers_at_end, close_to(1030, 1e-15));
  CHECK_THAT(r.net_growth_rate, close_to(0.03, 1e-13));
}

TEST_CASE("churn rates convert between period lengths by compounding", "[churn]") {
  // monthly 2% -> annual 1 - 0.98^12
  CHECK_THAT(patron::convert_churn_rate(0.02, 1, 12), close_to(1 - std::pow(0.98, 12), 1e-14));
  CHECK_THAT(patron::convert_churn_rate(patron::convert_churn_rate(0.02, 1, 12), 12, 1), close_to(0.02, 1e-13));
  CHECK(patron::convert_churn_rate(0.0, 1, 12) == 0.0);
  CHECK(patron::convert_churn_rate(1.0, 1, 12) == 1.0);
  CHECK_THAT(patron::expected_lifetime_constant_churn(0.25), close_to(4.0, 1e-15));
  CHECK_THAT(patron::survival_constant_churn(0.1, 3), close_to(0.729, 1e-14));
  CHECK(patron::survival_constant_churn(1.0, 0) == 1.0);
  CHECK(patron::survival_constant_churn(1.0, 2) == 0.0);
}

TEST_CASE("cohort retention table counts active customers by cohort and age", "[churn]") {
  // cohort 1: customers active 1..1, 1..3, 1..4; cohort 2: 2..2, 2..4; cohort 4: 4..4
  const std::vector<long long> start = {1, 1, 1, 2, 2, 4};
  const std::vector<long long> last = {1, 3, 4, 2, 4, 4};
  const auto t = patron::cohort_retention(start, last);
  REQUIRE(t.cohort == std::vector<long long>{1, 2, 4});
  CHECK(t.periods_observed == std::vector<long long>{4, 3, 1});
  CHECK(t.observation_end == 4);
  Eigen::MatrixXd expected(3, 4);
  expected << 3, 2, 2, 1,  //
      2, 1, 1, 0,          //
      1, 0, 0, 0;
  CHECK(t.active == expected);
  CHECK_THAT(t.retention(0, 1), close_to(2.0 / 3.0, 1e-15));
  CHECK_THAT(t.retention(1, 2), close_to(0.5, 1e-15));
  patron::cohort_table_options o;
  o.observation_end = 6;
  CHECK(patron::cohort_retention(start, last, o).active.cols() == 6);
}

TEST_CASE("formulas reject bad input with the function, argument and value", "[churn][invalid]") {
  CHECK_THROWS_WITH(patron::period_rates_from_counts(0, 0),
                    "patron::period_rates_from_counts: customers_at_start (0) must be finite and positive");
  CHECK_THROWS_WITH(patron::period_rates_from_counts(10, 11),
                    "patron::period_rates_from_counts: customers_lost (11) must not exceed customers_at_start");
  CHECK_THROWS_WITH(patron::period_rates_from_counts(10, -1),
                    "patron::period_rates_from_counts: customers_lost (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::convert_churn_rate(1.5, 1, 12),
                    "patron::convert_churn_rate: churn_rate (1.5) must be in [0, 1]");
  CHECK_THROWS_WITH(patron::convert_churn_rate(NAN, 1, 12),
                    "patron::convert_churn_rate: churn_rate (nan) must be in [0, 1]");
  CHECK_THROWS_WITH(patron::expected_lifetime_constant_churn(0),
                    "patron::expected_lifetime_constant_churn: churn_rate (0) must be in (0, 1]");
  CHECK_THROWS_WITH(patron::survival_constant_churn(0.1, -1),
                    "patron::survival_constant_churn: periods (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::cohort_retention({1, 2}, {1, 1}),
                    "patron::cohort_retention: last_active_period[1] (1) precedes the customer's start period");
  CHECK_THROWS_WITH(patron::cohort_retention({1}, {1, 2}),
                    "patron::cohort_retention: start_period has 1 elements but last_active_period has 2");
  CHECK_THROWS_WITH(patron::cohort_retention({0}, {2'000'000}),
                    "patron::cohort_retention: options.observation_end (2000000) is 1,000,000 or more periods after "
                    "the first start period (0): the table would not fit in memory");
  patron::cohort_table_options o;
  o.observation_end = 2;
  CHECK_THROWS_WITH(patron::cohort_retention({1}, {3}, o),
                    "patron::cohort_retention: options.observation_end (2) precedes a last active period (3)");
}

// ---- sBG: the paper -------------------------------------------------------------------

TEST_CASE("sBG reproduces Fader & Hardie (2007) on years 0..7 of both cohorts", "[sbg][reference]") {
  struct cohort {
    const std::vector<double>& alive;
    double alpha, beta, ll;               // sbg_reference.py (scipy fit of the same likelihood)
    double paper_alpha, paper_beta, paper_ll;  // the paper / REFERENCES.md
    const std::vector<double>& survival;
  };
  const cohort cohorts[] = {
      {sbg_reference::regular_alive, sbg_reference::regular_alpha, sbg_reference::regular_beta,
       sbg_reference::regular_log_likelihood, 0.704, 1.182, -1680.27, sbg_reference::regular_survival},
      {sbg_reference::high_end_alive, sbg_reference::high_end_alpha, sbg_reference::high_end_beta,
       sbg_reference::high_end_log_likelihood, 0.668, 3.806, -1611.16, sbg_reference::high_end_survival}};
  for (const auto& c : cohorts) {
    const auto fit = patron::sbg_fit_counts(vec(c.alive));
    REQUIRE(fit.converged);
    CHECK(fit.customers == 1000.0);
    // The printed digits of the paper.
    CHECK(round_to(fit.alpha, 3) == c.paper_alpha);
    CHECK(round_to(fit.beta, 3) == c.paper_beta);
    CHECK(round_to(fit.log_likelihood, 2) == c.paper_ll);
    // scipy's optimum of the same likelihood: 1e-6 on the parameters, 1e-9 on LL.
    CHECK_THAT(fit.alpha, close_to(c.alpha, 1e-6));
    CHECK_THAT(fit.beta, close_to(c.beta, 1e-6));
    CHECK_THAT(fit.log_likelihood, close_to(c.ll, 1e-9));
    // exp(betaln(a, b + t) - betaln(a, b)) at scipy's optimum, t = 0..12.
    const auto p = fit.project(12);
    for (int t = 0; t <= 12; ++t) CHECK_THAT(p.survival(t), close_to(c.survival[static_cast<std::size_t>(t)], 1e-6));
    REQUIRE(fit.alpha_se.has_value());
    CHECK(*fit.alpha_se > 0.0);
  }
}

TEST_CASE("sBG projection brackets the paper's holdout years 8..12", "[sbg][reference]") {
  // The paper's Figure: projections of the years-0..7 fit track the holdout within a
  // percentage point (Regular) and two (High End).
  const auto regular = patron::sbg_fit_counts(vec(sbg_reference::regular_alive)).project(12);
  const auto high_end = patron::sbg_fit_counts(vec(sbg_reference::high_end_alive)).project(12);
  for (int t = 8; t <= 12; ++t) {
    CHECK(std::abs(100 * regular.survival(t) - regular_pct[static_cast<std::size_t>(t)]) < 1.0);
    CHECK(std::abs(100 * high_end.survival(t) - high_end_pct[static_cast<std::size_t>(t)]) < 2.0);
    CHECK(regular.lower(t) < regular.survival(t));
    CHECK(regular.upper(t) > regular.survival(t));
  }
}

TEST_CASE("sBG fits weighted, right-censored durations like scipy", "[sbg][reference]") {
  const auto fit = patron::sbg_fit_durations(vec(sbg_reference::durations), vec(sbg_reference::durations_event),
                                             vec(sbg_reference::durations_weight));
  REQUIRE(fit.converged);
  // sbg_reference.py: scipy fit of sum(weight * (event ? log P(T = t) : log S(t)))
  CHECK_THAT(fit.alpha, close_to(sbg_reference::durations_alpha, 1e-6));
  CHECK_THAT(fit.beta, close_to(sbg_reference::durations_beta, 1e-6));
  CHECK_THAT(fit.log_likelihood, close_to(sbg_reference::durations_log_likelihood, 1e-9));
}

TEST_CASE("sBG from cohort counts equals the fit from the same customers' durations", "[sbg][property]") {
  // 1000 -> 631 -> ... as durations: churners at t with event 1, survivors censored at 7.
  std::vector<double> d, e, w;
  const auto& alive = sbg_reference::regular_alive;
  for (std::size_t t = 1; t < alive.size(); ++t) {
    d.push_back(static_cast<double>(t));
    e.push_back(1);
    w.push_back(alive[t - 1] - alive[t]);
  }
  d.push_back(7);
  e.push_back(0);
  w.push_back(alive.back());
  const auto a = patron::sbg_fit_counts(vec(alive));
  const auto b = patron::sbg_fit_durations(vec(d), vec(e), vec(w));
  CHECK_THAT(b.alpha, close_to(a.alpha, 1e-9));
  CHECK_THAT(b.log_likelihood, close_to(a.log_likelihood, 1e-12));

  // Very long durations take the sparse path: one customer still active after 2 * 10^6 periods.
  Eigen::VectorXd long_alive = Eigen::VectorXd::Ones(2'000'001);
  long_alive.head(4) << 5, 3, 2, 2;
  Eigen::VectorXd long_d(5), long_e(5);
  long_d << 1, 1, 2, 4, 2'000'000;
  long_e << 1, 1, 1, 1, 0;
  const auto c = patron::sbg_fit_counts(long_alive);
  const auto f = patron::sbg_fit_durations(long_d, long_e);
  CHECK(f.customers == 5.0);
  CHECK_THAT(f.log_likelihood, close_to(c.log_likelihood, 1e-9));
  CHECK_THAT(f.alpha, close_to(c.alpha, 1e-6));
}

TEST_CASE("sBG closed forms agree with each other", "[sbg][property]") {
  const patron::sbg_parameters p{0.704, 1.182};
  const Eigen::VectorXd curve = patron::sbg_survival_curve(p, 30);
  for (int t = 1; t <= 30; ++t) {
    CHECK_THAT(curve(t), close_to(patron::sbg_survival(p, t), 1e-12));
    CHECK_THAT(patron::sbg_churn_probability(p, t), close_to(curve(t - 1) - curve(t), 1e-10));
    CHECK_THAT(patron::sbg_retention_rate(p, t), close_to(curve(t) / curve(t - 1), 1e-12));
    // survival non-increasing, retention in (0, 1) and rising (heterogeneity)
    CHECK(curve(t) < curve(t - 1));
    CHECK(patron::sbg_retention_rate(p, t) > 0.0);
    CHECK(patron::sbg_retention_rate(p, t) < 1.0);
    if (t > 1) CHECK(patron::sbg_retention_rate(p, t) > patron::sbg_retention_rate(p, t - 1));
  }
  CHECK(std::isinf(patron::sbg_expected_lifetime(p)));
  // E[1/theta] for Beta(3, 2): (a + b - 1) / (a - 1) = 2
  CHECK_THAT(patron::sbg_expected_lifetime({3, 2}), close_to(2.0, 1e-15));
}

TEST_CASE("sBG DERL equals scipy's hypergeometric form", "[sbg][reference]") {
  // sbg_reference.py: betaln ratio * scipy.special.hyp2f1(1, b + n; a + b + n; 1 / (1 + d)),
  // also checked there against a direct discounted sum.
  const auto& rows = sbg_reference::derl_table;
  for (std::size_t i = 0; i < rows.size(); i += 3) {
    const double value = patron::sbg_derl({0.704, 1.182}, rows[i], static_cast<long long>(rows[i + 1]));
    CHECK_THAT(value, close_to(rows[i + 2], 1e-12));
  }
}

TEST_CASE("DERL decreases with the discount rate and grows with tenure", "[sbg][property]") {
  const patron::sbg_parameters p{0.668, 3.806};
  double previous = patron::sbg_derl(p, 0.001, 3);
  for (double d : {0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0}) {
    const double value = patron::sbg_derl(p, d, 3);
    CHECK(value < previous);
    previous = value;
  }
  CHECK(patron::sbg_derl(p, 0.1, 5) > patron::sbg_derl(p, 0.1, 4));
  // A homogeneous cohort (huge alpha, beta, churn 0.2): DERL = r / (1 - r / (1 + d)).
  const double r = 0.8, d = 0.1;
  CHECK_THAT(patron::sbg_derl({2e7, 8e7}, d, 2), close_to(r / (1 - r / (1 + d)), 1e-6));
}

// ---- BdW -----------------------------------------------------------------------------

TEST_CASE("BdW fits the paper's cohorts like scipy and nests the sBG", "[bdw][reference]") {
  struct cohort {
    const std::vector<double>& alive;
    double a, b, c, ll;  // sbg_reference.py: scipy fit of the BdW likelihood
    const std::vector<double>& survival;
  };
  using namespace sbg_reference;
  const cohort cohorts[] = {
      {regular_alive, regular_bdw_alpha, regular_bdw_beta, regular_bdw_c, regular_bdw_log_likelihood,
       regular_bdw_survival},
      {high_end_alive, high_end_bdw_alpha, high_end_bdw_beta, high_end_bdw_c, high_end_bdw_log_likelihood,
       high_end_bdw_survival}};
  for (const auto& c : cohorts) {
    const auto fit = patron::bdw_fit_counts(vec(c.alive));
    REQUIRE(fit.converged);
    CHECK_THAT(fit.alpha, close_to(c.a, 1e-5));
    CHECK_THAT(fit.beta, close_to(c.b, 1e-5));
    CHECK_THAT(fit.c, close_to(c.c, 1e-5));
    CHECK_THAT(fit.log_likelihood, close_to(c.ll, 1e-9));
    for (int t = 0; t <= 12; ++t)
      CHECK_THAT(fit.survival(t), close_to(c.survival[static_cast<std::size_t>(t)], 1e-5));
    const auto sbg = patron::sbg_fit_counts(vec(c.alive));
    const auto lr = patron::compare_sbg_bdw(sbg, fit);
    CHECK_THAT(lr.statistic, close_to(2 * (c.ll - (c.alive[1] == 631 ? regular_log_likelihood
                                                                        : high_end_log_likelihood)),
                                      1e-6));
    CHECK(lr.p_value > 0.0);
    CHECK(lr.p_value < 1.0);
  }
}

TEST_CASE("BdW with c = 1 is the sBG", "[bdw][property]") {
  const patron::bdw_parameters b{0.7, 1.2, 1.0};
  const patron::sbg_parameters s{0.7, 1.2};
  for (int t = 1; t <= 20; ++t) {
    CHECK_THAT(patron::bdw_survival(b, t), close_to(patron::sbg_survival(s, t), 1e-13));
    CHECK_THAT(patron::bdw_churn_probability(b, t), close_to(patron::sbg_churn_probability(s, t), 1e-10));
    CHECK_THAT(patron::bdw_retention_rate(b, t), close_to(patron::sbg_retention_rate(s, t), 1e-12));
  }
}

// ---- robustness ---------------------------------------------------------------------------

TEST_CASE("a cohort with no churn reports no finite optimum instead of failing", "[sbg][edge]") {
  const Eigen::VectorXd alive = Eigen::VectorXd::Constant(8, 500.0);
  const auto fit = patron::sbg_fit_counts(alive);
  CHECK_FALSE(fit.converged);
  CHECK(fit.message.find("no churn observed") != std::string::npos);
  CHECK(std::isfinite(fit.alpha));
  CHECK(std::isfinite(fit.beta));
  CHECK(std::isfinite(fit.log_likelihood));
  const auto bdw = patron::bdw_fit_counts(alive);
  CHECK_FALSE(bdw.converged);
  CHECK((std::isfinite(bdw.alpha) && std::isfinite(bdw.beta) && std::isfinite(bdw.c)));
}

TEST_CASE("a cohort with one churn probability reports the alpha, beta -> infinity boundary", "[sbg][edge]") {
  // Expected counts of a geometric lifetime (churn probability 0.3 for everyone): the sBG
  // likelihood rises towards alpha, beta -> inf at alpha / (alpha + beta) = the geometric
  // MLE, p = churned / (sum of churners' periods + survivors' periods), and its supremum
  // is the geometric log-likelihood sum_t lost_t log(p (1-p)^(t-1)) + alive_7 7 log(1-p).
  Eigen::VectorXd alive(8);
  for (int t = 0; t < 8; ++t) alive(t) = 1e4 * std::pow(0.7, t);
  double churned = 0.0, exposure = 0.0;
  for (int t = 1; t < 8; ++t) {
    churned += alive(t - 1) - alive(t);
    exposure += t * (alive(t - 1) - alive(t));
  }
  exposure += 7 * alive(7);
  const double p = churned / exposure;
  double geometric = 7 * alive(7) * std::log1p(-p);
  for (int t = 1; t < 8; ++t) geometric += (alive(t - 1) - alive(t)) * (std::log(p) + (t - 1) * std::log1p(-p));
  const auto fit = patron::sbg_fit_counts(alive);
  CHECK_FALSE(fit.converged);
  CHECK(fit.message.find("one churn probability for everyone") != std::string::npos);
  CHECK_FALSE(fit.log_covariance.has_value());
  CHECK_THAT(fit.alpha / (fit.alpha + fit.beta), close_to(p, 1e-6));
  CHECK_THAT(fit.log_likelihood, close_to(geometric, 1e-9));
  // With heterogeneity (the paper's cohorts, above) nothing is flagged; nor here:
  const auto mixed = patron::sbg_fit_counts(1e4 * patron::sbg_survival_curve({0.9, 2.5}, 7));
  CHECK(mixed.converged);
}

TEST_CASE("total churn in period 1 reports no finite optimum instead of failing", "[sbg][edge]") {
  Eigen::VectorXd alive(4);
  alive << 1000, 0, 0, 0;
  const auto fit = patron::sbg_fit_counts(alive);
  CHECK_FALSE(fit.converged);
  CHECK(fit.message.find("every customer churned in period 1") != std::string::npos);
  CHECK((std::isfinite(fit.alpha) && std::isfinite(fit.beta)));
  CHECK(fit.churn_probability(1) > 0.99);
  const auto durations = patron::sbg_fit_durations(Eigen::VectorXd::Ones(5), Eigen::VectorXd::Ones(5));
  CHECK_FALSE(durations.converged);
}

TEST_CASE("1,000 periods fit and recover the generating sBG", "[sbg][edge]") {
  // Expected counts of 10^6 customers under sBG(0.9, 2.5) for 1,000 periods.
  const patron::sbg_parameters truth{0.9, 2.5};
  const Eigen::VectorXd alive = 1e6 * patron::sbg_survival_curve(truth, 1000);
  const auto fit = patron::sbg_fit_counts(alive);
  REQUIRE(fit.converged);
  CHECK_THAT(fit.alpha, close_to(0.9, 1e-6));
  CHECK_THAT(fit.beta, close_to(2.5, 1e-6));
  const auto p = fit.project(1000);
  CHECK(p.survival(1000) > 0.0);
  CHECK((p.survival.tail(1000).array() <= p.survival.head(1000).array()).all());
}

TEST_CASE("10^7 customers fit as durations and as counts", "[sbg][edge]") {
  // Cohort counts of 10^7 customers (the expected sBG(0.704, 1.182) curve, rounded).
  const Eigen::VectorXd alive = (1e7 * patron::sbg_survival_curve({0.704, 1.182}, 7)).array().round();
  const auto counts = patron::sbg_fit_counts(alive);
  REQUIRE(counts.converged);
  CHECK_THAT(counts.alpha, close_to(0.704, 1e-3));
  CHECK(counts.customers == 1e7);
  // The same 10^7 customers one row each: churners first, then the survivors censored at 7.
  Eigen::VectorXd durations = Eigen::VectorXd::Constant(10'000'000, 7.0);
  Eigen::VectorXd events = Eigen::VectorXd::Zero(10'000'000);
  Eigen::Index row = 0;
  for (Eigen::Index t = 1; t < alive.size(); ++t) {
    const auto lost = static_cast<Eigen::Index>(alive(t - 1) - alive(t));
    durations.segment(row, lost).setConstant(static_cast<double>(t));
    events.segment(row, lost).setOnes();
    row += lost;
  }
  const auto rows = patron::sbg_fit_durations(durations, events);
  REQUIRE(rows.converged);
  CHECK_THAT(rows.alpha, close_to(counts.alpha, 1e-8));
  CHECK_THAT(rows.log_likelihood, close_to(counts.log_likelihood, 1e-12));
}

TEST_CASE("an unreachable tolerance is reported as not converged", "[sbg][edge]") {
  patron::retention_fit_options o;
  o.max_iterations = 1;
  o.gradient_tolerance = 1e-300;
  const auto fit = patron::sbg_fit_counts(vec(sbg_reference::regular_alive), o);
  CHECK_FALSE(fit.converged);
  CHECK(std::isfinite(fit.alpha));
  CHECK_FALSE(fit.message.empty());
}

// ---- bad input ---------------------------------------------------------------------------

TEST_CASE("sBG and BdW entry points reject bad input", "[sbg][invalid]") {
  Eigen::VectorXd increasing(3);
  increasing << 100, 60, 70;
  CHECK_THROWS_WITH(patron::sbg_fit_counts(increasing),
                    "patron::sbg_fit_counts: alive[2] (70) exceeds the previous period's count: survival counts "
                    "must not increase");
  Eigen::VectorXd negative(3);
  negative << 100, 60, -1;
  CHECK_THROWS_WITH(patron::sbg_fit_counts(negative),
                    "patron::sbg_fit_counts: alive[2] (-1) must be finite and non-negative");
  Eigen::VectorXd with_nan(3);
  with_nan << 100, NAN, 50;
  CHECK_THROWS_WITH(patron::bdw_fit_counts(with_nan),
                    "patron::bdw_fit_counts: alive[1] (nan) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::sbg_fit_counts(Eigen::VectorXd::Constant(1, 10.0)),
                    "patron::sbg_fit_counts: alive.size() (1) must be at least 2 (periods 0 and 1)");
  CHECK_THROWS_WITH(patron::sbg_fit_counts(Eigen::VectorXd::Zero(3)),
                    "patron::sbg_fit_counts: alive[0] (0) must be positive");

  Eigen::VectorXd d(3), e(3), w(3);
  d << 1, 0, 2;
  e << 1, 1, 0;
  CHECK_THROWS_WITH(patron::sbg_fit_durations(d, e),
                    "patron::sbg_fit_durations: durations[1] (0) must be a whole number of periods >= 1");
  d << 1, 2.5, 2;
  CHECK_THROWS_WITH(patron::sbg_fit_durations(d, e),
                    "patron::sbg_fit_durations: durations[1] (2.5) must be a whole number of periods >= 1");
  d << 1, 2, 2;
  e << 1, 2, 0;
  CHECK_THROWS_WITH(patron::bdw_fit_durations(d, e), "patron::bdw_fit_durations: event[1] (2) must be 0 or 1");
  e << 1, 1, 0;
  w << 1, -1, 1;
  CHECK_THROWS_WITH(patron::sbg_fit_durations(d, e, w),
                    "patron::sbg_fit_durations: weight[1] (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::sbg_fit_durations(d, e, Eigen::VectorXd::Zero(3)),
                    "patron::sbg_fit_durations: sum(weight) (0) must be positive");
  CHECK_THROWS_WITH(patron::sbg_fit_durations(d, Eigen::VectorXd::Ones(2)),
                    "patron::sbg_fit_durations: durations has 3 elements but event has 2");

  patron::retention_fit_options o;
  o.confidence_level = 1.0;
  CHECK_THROWS_WITH(patron::sbg_fit_counts(vec(sbg_reference::regular_alive), o),
                    "patron::sbg_fit_counts: options.confidence_level (1) must be in (0, 1)");
  o = {};
  o.max_iterations = 0;
  CHECK_THROWS_WITH(patron::sbg_fit_counts(vec(sbg_reference::regular_alive), o),
                    "patron::sbg_fit_counts: options.max_iterations (0) must be at least 1");

  CHECK_THROWS_WITH(patron::sbg_survival({-1, 1}, 2), "patron::sbg_survival: alpha (-1) must be finite and positive");
  CHECK_THROWS_WITH(patron::sbg_survival({1, 1}, -2), "patron::sbg_survival: t (-2) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::sbg_retention_rate({1, 1}, 0),
                    "patron::sbg_retention_rate: t (0) must be a whole number of periods >= 1");
  CHECK_THROWS_WITH(patron::sbg_churn_probability({1, NAN}, 1),
                    "patron::sbg_churn_probability: beta (nan) must be finite and positive");
  CHECK_THROWS_WITH(patron::sbg_derl({1, 1}, 0.0, 1), "patron::sbg_derl: discount_rate (0) must be finite and positive");
  CHECK_THROWS_WITH(patron::sbg_derl({1, 1}, 0.1, -1), "patron::sbg_derl: renewals (-1) must be non-negative");
  CHECK_THROWS_WITH(patron::sbg_survival_curve({1, 1}, -1), "patron::sbg_survival_curve: horizon (-1) must be non-negative");
  CHECK_THROWS_WITH(patron::bdw_survival({1, 1, 0}, 1), "patron::bdw_survival: c (0) must be finite and positive");
  const auto fit = patron::sbg_fit_counts(vec(sbg_reference::regular_alive));
  CHECK_THROWS_WITH(fit.project(-1), "patron::sbg_model::project: horizon (-1) must be non-negative");
  auto other = patron::bdw_fit_counts(vec(sbg_reference::high_end_alive));
  other.customers = 999;
  CHECK_THROWS_WITH(patron::compare_sbg_bdw(fit, other),
                    "patron::compare_sbg_bdw: bdw.customers (999) differs from sbg.customers: the fits must use the "
                    "same data");
}
