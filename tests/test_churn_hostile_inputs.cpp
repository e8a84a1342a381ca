// Hostile input for the churn models: periods at both ends of the long long range (signed
// overflow), tables too large for memory, parameters and times beyond the range of
// log-gamma (NaN survival), and weights whose sum overflows.
#include <catch2/catch.hpp>

#include <climits>
#include <limits>
#include <patron/churn.hpp>
#include <vector>

TEST_CASE("cohort_retention: extreme periods and oversized tables", "[churn][invalid][edge]") {
  // end - first overflowed long long (UB) before the size check could run.
  CHECK_THROWS_WITH(patron::cohort_retention(std::vector<long long>{LLONG_MIN},
                                             std::vector<long long>{LLONG_MAX}),
                    "patron::cohort_retention: options.observation_end (9223372036854775807) is "
                    "1,000,000 or more periods after the first start period "
                    "(-9223372036854775808): the table would not fit in memory");
  // 100 cohorts of a 999,999-period table are 1e8 cells per matrix (3 of them).
  std::vector<long long> start, last;
  for (long long c = 0; c < 100; ++c) {
    start.push_back(c);
    last.push_back(c == 0 ? 999998 : c);
  }
  CHECK_THROWS_WITH(patron::cohort_retention(start, last),
                    "patron::cohort_retention: start_period[50] (50) starts cohort 51 of a table "
                    "999999 periods wide: more than 5e7 cells would not fit in memory");
  // Periods near the limits of long long work when the table is small.
  const auto t = patron::cohort_retention(std::vector<long long>{LLONG_MAX - 2, LLONG_MAX - 1},
                                          std::vector<long long>{LLONG_MAX, LLONG_MAX - 1});
  CHECK(t.active.rows() == 2);
  CHECK(t.active(0, 2) == 1.0);
  CHECK(t.periods_observed[1] == 2);
}

TEST_CASE("sBG and BdW formulas: arguments beyond the range of log-gamma", "[churn][invalid][edge]") {
  // Each of these returned NaN.
  CHECK_THROWS_WITH(patron::sbg_survival({1e308, 1e308}, 5),
                    "patron::sbg_survival: alpha + beta + t (inf) must not exceed 1e305 (the range "
                    "of log-gamma)");
  CHECK_THROWS_WITH(patron::sbg_churn_probability({1, 1}, 1e308),
                    "patron::sbg_churn_probability: alpha + beta + t (1e+308) must not exceed 1e305 "
                    "(the range of log-gamma)");
  CHECK_THROWS_WITH(patron::sbg_retention_rate({1e308, 1e308}, 1e308),
                    Catch::StartsWith("patron::sbg_retention_rate: alpha + beta + t (inf)"));
  CHECK_THROWS_WITH(patron::bdw_survival({1, 1, 1e308}, 5),
                    "patron::bdw_survival: alpha + beta + t^c (inf) must not exceed 1e305 (the "
                    "range of log-gamma)");
  CHECK_THROWS_WITH(patron::bdw_retention_rate({1e308, 1, 2}, 1e308),
                    Catch::StartsWith("patron::bdw_retention_rate: alpha + beta + t^c (inf)"));
  // sbg_derl returned 0 (1e308 / inf) for huge parameters.
  CHECK_THROWS_WITH(patron::sbg_derl({1e308, 1e308}, 0.1, 1),
                    Catch::StartsWith("patron::sbg_derl: alpha + beta + t (inf)"));
  // Large but representable arguments still work.
  CHECK(patron::sbg_survival({1, 1}, 1e300) > 0.0);
}

TEST_CASE("retention fits: weights whose sum overflows", "[churn][invalid]") {
  const Eigen::VectorXd durations = (Eigen::VectorXd(3) << 1, 2, 3).finished();
  const Eigen::VectorXd event = Eigen::VectorXd::Ones(3);
  const Eigen::VectorXd weight = Eigen::VectorXd::Constant(3, 1e308);  // was: LL -inf, unfitted
  CHECK_THROWS_WITH(patron::sbg_fit_durations(durations, event, weight),
                    "patron::sbg_fit_durations: sum(weight) (inf) must be finite");
  CHECK_THROWS_WITH(patron::bdw_fit_durations(durations, event, weight),
                    "patron::bdw_fit_durations: sum(weight) (inf) must be finite");
}

TEST_CASE("retention projections and Kaplan-Meier queries reject a hand-built model",
          "[churn][invalid]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  patron::sbg_model sbg;  // alpha = beta = 0: the curve was NaN
  CHECK_THROWS_WITH(sbg.project(5), "patron::sbg_model::project: alpha (0) must be finite and positive");
  sbg.alpha = 1.0;
  sbg.beta = nan;
  CHECK_THROWS_WITH(sbg.project(5), "patron::sbg_model::project: beta (nan) must be finite and positive");
  sbg.beta = 2.0;
  sbg.confidence_level = 1.5;
  CHECK_THROWS_WITH(sbg.project(5), "patron::sbg_model::project: confidence_level (1.5) must be in (0, 1)");
  sbg.confidence_level = 0.9;
  sbg.log_covariance = Eigen::Matrix2d::Constant(nan);
  CHECK_THROWS_WITH(sbg.project(5), "patron::sbg_model::project: log_covariance(0, 0) (nan) must be finite");
  sbg.log_covariance = Eigen::Matrix2d::Identity() * 0.01;
  CHECK(sbg.project(5).lower.allFinite());
  patron::bdw_model bdw;
  bdw.alpha = 1.0;
  bdw.beta = 2.0;
  bdw.c = -1.0;
  CHECK_THROWS_WITH(bdw.project(5), "patron::bdw_model::project: c (-1) must be finite and positive");
  bdw.c = 200.0;
  CHECK_THROWS_WITH(bdw.project(100), "patron::bdw_model::project: alpha + beta + t^c (inf) must not "
                                      "exceed 1e305 (the range of log-gamma)");

  const Eigen::VectorXd exit_time = (Eigen::VectorXd(4) << 1, 2, 3, 4).finished();
  const Eigen::VectorXd event = (Eigen::VectorXd(4) << 1, 1, 0, 1).finished();
  const auto km = patron::kaplan_meier(exit_time, event);
  auto r = km;
  r.survival.resize(1);
  CHECK_THROWS_WITH(r.survival_at(1.0),
                    "patron::kaplan_meier_result::survival_at: survival has 1 elements but time has 4");
  r = km;
  r.n_risk.resize(0);
  CHECK_THROWS_WITH(r.at_risk(exit_time),
                    "patron::kaplan_meier_result::at_risk: n_risk has 0 elements but time has 4");
  r = km;
  r.lower.resize(2);
  CHECK_THROWS_WITH(r.median_lower(),
                    "patron::kaplan_meier_result::median_lower: lower has 2 elements but time has 4");
  r = km;
  r.n_event(0) = nan;
  CHECK_THROWS_WITH(r.restricted_mean_survival(5.0),
                    "patron::kaplan_meier_result::restricted_mean_survival: n_event[0] (nan) must be "
                    "finite and non-negative");
  r = km;
  r.time(1) = 1.0;
  CHECK_THROWS_WITH(r.restricted_mean_survival(5.0),
                    "patron::kaplan_meier_result::restricted_mean_survival: time[1] (1) must be "
                    "strictly increasing");
  CHECK(km.restricted_mean_survival(5.0).estimate > 0.0);
}
