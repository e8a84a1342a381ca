// Kaplan-Meier curves and the log-rank test (patron/churn.hpp) against R survival.
#include <patron/churn.hpp>

#include <cmath>
#include <vector>

#include "reference/churn/km_reference.hpp"
#include "support/close_to.hpp"

namespace {

template <class T>
Eigen::VectorXd vec(const std::vector<T>& v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<Eigen::Index>(i)) = static_cast<double>(v[i]);
  return out;
}

// R reports NA (written -1 by km_reference.R) where S is 0 (and 1, for log-log); patron reports S.
void check_interval(const patron::kaplan_meier_result& fit, const std::vector<double>& lower,
                    const std::vector<double>& upper) {
  REQUIRE(fit.lower.size() == static_cast<Eigen::Index>(lower.size()));
  for (Eigen::Index j = 0; j < fit.lower.size(); ++j) {
    const auto k = static_cast<std::size_t>(j);
    CHECK_THAT(fit.lower(j), close_to(lower[k] < 0 ? fit.survival(j) : lower[k], 1e-9));
    CHECK_THAT(fit.upper(j), close_to(upper[k] < 0 ? fit.survival(j) : upper[k], 1e-9));
  }
}

struct curve_reference {
  const std::vector<double>& time;
  const std::vector<double>& n_risk;
  const std::vector<double>& n_event;
  const std::vector<double>& n_censor;
  const std::vector<double>& survival;
  const std::vector<double>& std_err;
  const std::vector<double>& lower;
  const std::vector<double>& upper;
  double rmst_tau, rmst, rmst_se, median, median_lower, median_upper;
  const std::vector<double>& at_risk_times;
  const std::vector<double>& at_risk;
};

void check_curve(const patron::kaplan_meier_result& fit, const curve_reference& r) {
  REQUIRE(fit.time.size() == static_cast<Eigen::Index>(r.time.size()));
  CHECK(fit.time == vec(r.time));
  CHECK(fit.n_risk == vec(r.n_risk));
  CHECK(fit.n_event == vec(r.n_event));
  CHECK(fit.n_censor == vec(r.n_censor));
  for (Eigen::Index j = 0; j < fit.time.size(); ++j) {
    const auto k = static_cast<std::size_t>(j);
    CHECK_THAT(fit.survival(j), close_to(r.survival[k], 1e-9, 1e-15));
    CHECK_THAT(fit.std_err(j), close_to(r.std_err[k], 1e-9));
    if (std::isfinite(r.std_err[k]))
      CHECK_THAT(fit.greenwood_variance(j),
                 close_to(r.survival[k] * r.survival[k] * r.std_err[k] * r.std_err[k], 1e-9));
  }
  check_interval(fit, r.lower, r.upper);
  const auto rm = fit.restricted_mean_survival(r.rmst_tau);
  CHECK_THAT(rm.estimate, close_to(r.rmst, 1e-9));
  CHECK_THAT(rm.std_err, close_to(r.rmst_se, 1e-9));
  REQUIRE(fit.median().has_value());
  CHECK(*fit.median() == r.median);
  REQUIRE(fit.median_lower().has_value());
  CHECK(*fit.median_lower() == r.median_lower);
  REQUIRE(fit.median_upper().has_value());
  CHECK(*fit.median_upper() == r.median_upper);
  CHECK(fit.at_risk(vec(r.at_risk_times)) == vec(r.at_risk));
}

}  // namespace

using namespace km_reference;

TEST_CASE("Kaplan-Meier with late entry, ties and censoring equals R survfit", "[km][reference]") {
  // survfit(Surv(entry, exit_time, event) ~ 1, conf.type = "log-log"), summary(fit, rmean = 15)
  const auto fit = patron::kaplan_meier(vec(entry), vec(exit_time), vec(event));
  check_curve(fit, {late_time, late_n_risk, late_n_event, late_n_censor, late_survival, late_std_err_log,
                    late_lower, late_upper, late_rmst_tau, late_rmst, late_rmst_se, late_median,
                    late_median_lower, late_median_upper, late_at_risk_times, late_at_risk});
}

TEST_CASE("Kaplan-Meier with right censoring equals R survfit", "[km][reference]") {
  // survfit(Surv(exit_time, event) ~ 1, conf.type = "log-log"), summary(fit, rmean = 20)
  const auto fit = patron::kaplan_meier(vec(exit_time), vec(event));
  check_curve(fit, {right_time, right_n_risk, right_n_event, right_n_censor, right_survival, right_std_err_log,
                    right_lower, right_upper, right_rmst_tau, right_rmst, right_rmst_se, right_median,
                    right_median_lower, right_median_upper, right_at_risk_times, right_at_risk});
}

TEST_CASE("Kaplan-Meier intervals follow the confidence level and type like R", "[km][reference]") {
  patron::kaplan_meier_options o;
  o.confidence_level = 0.9;  // survfit(..., conf.type = "log-log", conf.int = 0.9)
  check_interval(patron::kaplan_meier(vec(exit_time), vec(event), o), right90_lower, right90_upper);
  o = {};
  o.interval = patron::km_confidence_interval::log;  // survfit(Surv(entry, exit_time, event) ~ 1, conf.type = "log")
  check_interval(patron::kaplan_meier(vec(entry), vec(exit_time), vec(event), o), late_log_lower, late_log_upper);
}

TEST_CASE("log-rank test equals R survdiff", "[km][reference]") {
  // survdiff(Surv(exit_time, event) ~ group)
  const auto r = patron::logrank_test(vec(exit_time), vec(event), vec(group));
  CHECK(r.observed[0] == logrank_observed[0]);
  CHECK(r.observed[1] == logrank_observed[1]);
  CHECK_THAT(r.expected[0], close_to(logrank_expected[0], 1e-12));
  CHECK_THAT(r.expected[1], close_to(logrank_expected[1], 1e-12));
  CHECK_THAT(r.variance, close_to(logrank_variance, 1e-12));
  CHECK_THAT(r.statistic, close_to(logrank_chisq, 1e-10));
  CHECK_THAT(r.p_value, close_to(logrank_p_value, 1e-10));
}

TEST_CASE("log-rank test with late entry equals R's Cox score test on untied data", "[km][reference]") {
  // summary(coxph(Surv(entry2, exit_time2, event2) ~ group2, ties = "breslow"))$sctest
  const auto r = patron::logrank_test(vec(entry2), vec(exit_time2), vec(event2), vec(group2));
  CHECK_THAT(r.statistic, close_to(late_logrank_chisq, 1e-9));
  CHECK_THAT(r.p_value, close_to(late_logrank_p_value, 1e-9));
}

TEST_CASE("Kaplan-Meier curves are non-increasing and bracket S", "[km][property]") {
  const auto fit = patron::kaplan_meier(vec(entry), vec(exit_time), vec(event));
  for (Eigen::Index j = 0; j < fit.survival.size(); ++j) {
    if (j > 0) CHECK(fit.survival(j) <= fit.survival(j - 1));
    CHECK(fit.lower(j) <= fit.survival(j));
    CHECK(fit.upper(j) >= fit.survival(j));
    CHECK(fit.lower(j) >= 0.0);
    CHECK(fit.upper(j) <= 1.0);
  }
  CHECK(fit.survival_at(-1) == 1.0);
  CHECK(fit.survival_at(0.5) == 1.0);
  CHECK(fit.survival_at(fit.time(3)) == fit.survival(3));
  CHECK(fit.survival_at(fit.time(3) + 0.5) == fit.survival(3));
  // Without censoring the curve is the empirical survival function.
  Eigen::VectorXd t(4), e = Eigen::VectorXd::Ones(4);
  t << 3, 1, 2, 2;
  const auto plain = patron::kaplan_meier(t, e);
  CHECK(plain.survival == Eigen::Vector3d(0.75, 0.25, 0.0));
  CHECK(std::isinf(plain.std_err(2)));
  CHECK(plain.greenwood_variance(2) == 0.0);
  CHECK(plain.restricted_mean_survival(10).estimate == 2.0);  // = mean of 3, 1, 2, 2
}

TEST_CASE("the median is the midpoint of a flat stretch exactly at one half, as in R", "[km][edge]") {
  // S = 0.5 on [2, 4): R's minmin returns (2 + 4) / 2
  Eigen::VectorXd t(4), e = Eigen::VectorXd::Ones(4);
  t << 1, 2, 4, 5;
  CHECK(*patron::kaplan_meier(t, e).median() == 3.0);
  // A curve that never reaches one half has no median.
  Eigen::VectorXd c = Eigen::VectorXd::Zero(4);
  c(0) = 1;
  CHECK_FALSE(patron::kaplan_meier(t, c).median().has_value());
}

TEST_CASE("Kaplan-Meier and log-rank reject bad input", "[km][invalid]") {
  Eigen::VectorXd t(3), e(3), g(3), s(3);
  t << 1, 2, 3;
  e << 1, 0.5, 0;
  CHECK_THROWS_WITH(patron::kaplan_meier(t, e), "patron::kaplan_meier: event[1] (0.5) must be 0 or 1");
  e << 1, 0, 1;
  t << 1, NAN, 3;
  CHECK_THROWS_WITH(patron::kaplan_meier(t, e), "patron::kaplan_meier: exit_time[1] (nan) must be finite and non-negative");
  t << 1, -2, 3;
  CHECK_THROWS_WITH(patron::kaplan_meier(t, e), "patron::kaplan_meier: exit_time[1] (-2) must be finite and non-negative");
  t << 1, 2, 3;
  s << 0, 2, 1;
  CHECK_THROWS_WITH(patron::kaplan_meier(s, t, e), "patron::kaplan_meier: entry[1] (2) must be before exit_time[1] (2)");
  CHECK_THROWS_WITH(patron::kaplan_meier(t, Eigen::VectorXd::Ones(2)),
                    "patron::kaplan_meier: exit_time has 3 elements but event has 2");
  CHECK_THROWS_WITH(patron::kaplan_meier(Eigen::VectorXd(), Eigen::VectorXd()),
                    "patron::kaplan_meier: exit_time must not be empty");
  patron::kaplan_meier_options o;
  o.confidence_level = 0;
  CHECK_THROWS_WITH(patron::kaplan_meier(t, e, o), "patron::kaplan_meier: options.confidence_level (0) must be in (0, 1)");
  const auto fit = patron::kaplan_meier(t, e);
  CHECK_THROWS_WITH(fit.restricted_mean_survival(-1),
                    "patron::kaplan_meier_result::restricted_mean_survival: tau (-1) must be after the start of the "
                    "curve (0)");
  CHECK_THROWS_WITH(fit.survival_at(NAN), "patron::kaplan_meier_result::survival_at: t (nan) must be finite");

  g << 0, 1, 2;
  CHECK_THROWS_WITH(patron::logrank_test(t, e, g), "patron::logrank_test: group[2] (2) must be 0 or 1");
  g << 1, 1, 1;
  CHECK_THROWS_WITH(patron::logrank_test(t, e, g),
                    "patron::logrank_test: group has only 1 values: the log-rank test needs both groups");
  g << 0, 1, 1;
  CHECK_THROWS_WITH(patron::logrank_test(t, Eigen::VectorXd::Zero(3), g),
                    "patron::logrank_test: no event time has customers of both groups at risk: the log-rank "
                    "variance is 0");
}
