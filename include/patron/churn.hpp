// Churn and retention: period formulas, cohort retention tables, the shifted-beta-
// geometric (sBG) and beta-discrete-Weibull (BdW) models of contractual retention, and
// Kaplan-Meier survival curves with the log-rank test.
//
//   auto fit = patron::sbg_fit_counts(alive);   // alive at the start of periods 0..T
//   fit.alpha, fit.beta, fit.log_likelihood, fit.converged
//   auto proj = fit.project(12);                 // S(t), 95% interval, r(t) for t = 0..12
//   double derl = patron::sbg_derl(fit.parameters(), 0.10, 4);
//
//   auto km = patron::kaplan_meier(exit_time, event);   // or (entry, exit_time, event)
//   km.survival, km.lower, km.upper, km.median(), km.restricted_mean(24)
//
// Rows are customers. Time is counted in whole periods for the discrete models (a
// customer who churns in period t has lifetime T = t >= 1) and in any unit for
// Kaplan-Meier. See docs/churn.md.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

namespace patron {

// ---- 1. Formulas -------------------------------------------------------------------

struct period_rates {
  double churn_rate = 0;        // lost / start
  double retention_rate = 0;    // 1 - churn_rate: share of the starting customers kept
  double customers_at_end = 0;  // start - lost + gained
  double net_growth_rate = 0;   // (end - start) / start
};

// Churn, retention and growth of one period from its counts (start > 0, 0 <= lost <= start,
// gained >= 0). Customers gained during the period do not offset churn: they are not in
// the denominator's cohort.
[[nodiscard]] period_rates period_rates_from_counts(double customers_at_start,
                                                    double customers_lost,
                                                    double customers_gained = 0.0);

// A constant per-period churn rate c over a period of length `from_length` expressed
// over a period of length `to_length` (same unit): 1 - (1 - c)^(to_length / from_length).
// Monthly 2% is annual 1 - 0.98^12 = 21.5%, not 24%.
[[nodiscard]] double convert_churn_rate(double churn_rate, double from_length, double to_length);

// Under a constant churn rate c (0 < c <= 1) the lifetime is geometric: E[T] = 1 / c
// periods, counting the period in which the customer churns.
[[nodiscard]] double expected_lifetime_constant_churn(double churn_rate);

// Share still active after t >= 0 periods under a constant churn rate c: (1 - c)^t.
[[nodiscard]] double survival_constant_churn(double churn_rate, double periods);

// Cohort retention table from (customer start period, last active period) records,
// periods being integers (months, years, ...). A customer is active in every period
// from start to last active inclusive (the contractual setting).
struct cohort_retention_table {
  std::vector<long long> cohort;  // start periods, ascending (one row per cohort)
  // active(i, k): customers of cohort i active k periods after their start; columns
  // k = 0 .. (observation_end - first cohort). Cells the cohort has not reached yet
  // (k >= periods_observed[i]) are 0 and must be read together with periods_observed.
  Eigen::MatrixXd active;
  Eigen::MatrixXd retention;            // active(i, k) / active(i, 0), 0 where unobserved
  std::vector<long long> periods_observed;  // observation_end - cohort[i] + 1
  long long observation_end = 0;        // as used: the option or the last active period
};
struct cohort_table_options {
  // Last period observed (inclusive); unset: the latest last-active period. Must not
  // precede any last-active period.
  std::optional<long long> observation_end;
};
[[nodiscard]] cohort_retention_table cohort_retention(const std::vector<long long>& start_period,
                                                      const std::vector<long long>& last_active_period,
                                                      const cohort_table_options& options = {});

// ---- 2. Shifted-beta-geometric (Fader & Hardie 2007, "How to Project Customer Retention",
// J. Interactive Marketing 21(1)) -----------------------------------------------------
// Each customer churns at the end of any period with probability theta, constant for the
// customer; theta ~ Beta(alpha, beta) across customers. With B the beta function:
//   P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)        t = 1, 2, ...
//   S(t)     = B(alpha, beta + t) / B(alpha, beta)                 t = 0, 1, ...
//   r(t)     = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)
// r(t) rises with t: the cohort's churn falls although no customer's churn changes
// (heterogeneity sorts the loyal customers in): "average churn is not the churn of the
// average customer".
struct sbg_parameters {
  double alpha = 1.0;  // > 0
  double beta = 1.0;   // > 0
};

[[nodiscard]] double sbg_survival(const sbg_parameters& p, double t);           // S(t), t >= 0
[[nodiscard]] double sbg_churn_probability(const sbg_parameters& p, double t);  // P(T = t), t >= 1
[[nodiscard]] double sbg_retention_rate(const sbg_parameters& p, double t);     // r(t), t >= 1
// S(0), ..., S(horizon): the curve CLV-from-churn multiplies by margins.
[[nodiscard]] Eigen::VectorXd sbg_survival_curve(const sbg_parameters& p, int horizon);
// E[T] = E[1 / theta] = (alpha + beta - 1) / (alpha - 1) periods; +infinity when
// alpha <= 1 (a heavy tail of customers who practically never leave).
[[nodiscard]] double sbg_expected_lifetime(const sbg_parameters& p);
// Discounted expected residual lifetime of a customer who has renewed `renewals` times
// (Fader & Hardie 2010, "Customer-Base Valuation in a Contractual Setting: The Perils of
// Ignoring Heterogeneity", Marketing Science 29(1), eq. 6, n = renewals + 1):
//   DERL = sum_{t >= n} S(t) / S(n - 1) / (1 + d)^(t - n)
//        = B(alpha, beta + n) / B(alpha, beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d)).
// The expected number of further payments, each discounted to the next renewal.
// CLV = margin per period * DERL. discount_rate d > 0 per period.
[[nodiscard]] double sbg_derl(const sbg_parameters& p, double discount_rate, long long renewals);

// ---- 3. Beta-discrete-Weibull (Fader, Hardie, Liu, Davin & Steenburgh 2018, "How to
// Project Customer Retention Revisited: The Role of Duration Dependence",
// J. Interactive Marketing 43) ----------------------------------------------------------
// The individual churn probability changes with tenure: P(survive t | theta) =
// (1 - theta)^(t^c); c < 1 individual churn falls with tenure, c > 1 it rises, c = 1 is
// the sBG. S(t) = B(alpha, beta + t^c) / B(alpha, beta), P(T = t) = S(t - 1) - S(t).
struct bdw_parameters {
  double alpha = 1.0;  // > 0
  double beta = 1.0;   // > 0
  double c = 1.0;      // > 0
};
[[nodiscard]] double bdw_survival(const bdw_parameters& p, double t);           // t >= 0
[[nodiscard]] double bdw_churn_probability(const bdw_parameters& p, double t);  // t >= 1
[[nodiscard]] double bdw_retention_rate(const bdw_parameters& p, double t);     // t >= 1

// ---- Fitting the discrete models by maximum likelihood ---------------------------------
// Data are either cohort counts alive at the start of periods 0..T (n_{t-1} - n_t churn in
// period t, n_T are still active: LL = sum_t (n_{t-1} - n_t) log P(T = t) + n_T log S(T)),
// or individual durations: customer i churned in period t_i (event 1) or is known to be
// active after t_i periods (event 0, right-censored), with optional weights:
//   LL = sum_i w_i [event_i log P(T = t_i) + (1 - event_i) log S(t_i)].
// Fits run patron::minimize on log parameters with the analytic gradient.
struct retention_fit_options {
  int max_iterations = 500;          // L-BFGS iterations (>= 1)
  double gradient_tolerance = 1e-8;  // on the gradient of LL / total weight, log parameters (> 0)
  double confidence_level = 0.95;    // of the intervals in project() (in (0, 1))
};

struct retention_projection {
  Eigen::VectorXd period;          // t = 0 .. horizon
  Eigen::VectorXd survival;        // S(t)
  Eigen::VectorXd lower, upper;    // delta-method interval on logit S(t); = S(t) at t = 0,
                                   // and when standard errors are unavailable
  Eigen::VectorXd retention_rate;  // r(t); r(0) is reported as 1
  double confidence_level = 0.95;
};

struct sbg_model {
  double alpha = 0, beta = 0;
  std::optional<double> alpha_se, beta_se;       // empty when the Hessian is not positive definite
  std::optional<Eigen::Matrix2d> log_covariance;  // covariance of (log alpha, log beta)
  double log_likelihood = 0;
  double customers = 0;  // total weight
  bool converged = false;
  int iterations = 0;
  double gradient_norm = 0;
  std::string message;  // why the optimiser stopped, or why the data have no interior optimum
  double confidence_level = 0.95;

  [[nodiscard]] sbg_parameters parameters() const { return {alpha, beta}; }
  [[nodiscard]] double survival(double t) const { return sbg_survival(parameters(), t); }
  [[nodiscard]] double retention_rate(double t) const { return sbg_retention_rate(parameters(), t); }
  [[nodiscard]] double churn_probability(double t) const { return sbg_churn_probability(parameters(), t); }
  [[nodiscard]] double expected_lifetime() const { return sbg_expected_lifetime(parameters()); }
  [[nodiscard]] double derl(double discount_rate, long long renewals) const {
    return sbg_derl(parameters(), discount_rate, renewals);
  }
  [[nodiscard]] retention_projection project(int horizon) const;
};

struct bdw_model {
  double alpha = 0, beta = 0, c = 0;
  std::optional<double> alpha_se, beta_se, c_se;
  std::optional<Eigen::Matrix3d> log_covariance;  // of (log alpha, log beta, log c)
  double log_likelihood = 0;
  double customers = 0;
  bool converged = false;
  int iterations = 0;
  double gradient_norm = 0;
  std::string message;
  double confidence_level = 0.95;

  [[nodiscard]] bdw_parameters parameters() const { return {alpha, beta, c}; }
  [[nodiscard]] double survival(double t) const { return bdw_survival(parameters(), t); }
  [[nodiscard]] double retention_rate(double t) const { return bdw_retention_rate(parameters(), t); }
  [[nodiscard]] double churn_probability(double t) const { return bdw_churn_probability(parameters(), t); }
  [[nodiscard]] retention_projection project(int horizon) const;
};

// alive: customers active at the start of periods 0..T (non-increasing, non-negative,
// alive[0] > 0, at least two periods). Percentages work too: the likelihood then counts
// 100 customers, so scale by the cohort size for correct standard errors.
[[nodiscard]] sbg_model sbg_fit_counts(const Eigen::Ref<const Eigen::VectorXd>& alive,
                                       const retention_fit_options& options = {});
// durations: integer periods >= 1; event: 1 churned in that period, 0 still active
// after it; weight: optional, >= 0 (empty = all 1).
[[nodiscard]] sbg_model sbg_fit_durations(const Eigen::Ref<const Eigen::VectorXd>& durations,
                                          const Eigen::Ref<const Eigen::VectorXd>& event,
                                          const Eigen::Ref<const Eigen::VectorXd>& weight = Eigen::VectorXd(),
                                          const retention_fit_options& options = {});
// The BdW fits start from the sBG fit (c = 1), so their log-likelihood is never below it.
[[nodiscard]] bdw_model bdw_fit_counts(const Eigen::Ref<const Eigen::VectorXd>& alive,
                                       const retention_fit_options& options = {});
[[nodiscard]] bdw_model bdw_fit_durations(const Eigen::Ref<const Eigen::VectorXd>& durations,
                                          const Eigen::Ref<const Eigen::VectorXd>& event,
                                          const Eigen::Ref<const Eigen::VectorXd>& weight = Eigen::VectorXd(),
                                          const retention_fit_options& options = {});

// Is duration dependence worth its parameter? Likelihood-ratio test of c = 1:
// statistic 2 (LL_bdw - LL_sbg) ~ chi-square(1) under the sBG. Both fits on the same data.
struct likelihood_ratio_test {
  double statistic = 0;
  double degrees_of_freedom = 1;
  double p_value = 1;
};
[[nodiscard]] likelihood_ratio_test compare_sbg_bdw(const sbg_model& sbg, const bdw_model& bdw);

// ---- 4. Kaplan-Meier (right censoring, late entry) ---------------------------------------
// S(t) = prod_{t_j <= t} (1 - d_j / n_j), n_j = #{entry < t_j <= exit} at risk, d_j events.
// Greenwood: var(log S(t)) = sum_{t_j <= t} d_j / (n_j (n_j - d_j)). Matches R
// survival::survfit(Surv(entry, exit, event) ~ 1) (times compared exactly: no timefix merging).
enum class km_confidence_interval {
  log_log,  // exp(-exp(log(-log S) +- z se / log S)); never leaves (0, 1)  (R conf.type = "log-log")
  log,      // S exp(+- z se), capped at 1                                  (R conf.type = "log", R's default)
};
struct kaplan_meier_options {
  double confidence_level = 0.95;  // in (0, 1)
  km_confidence_interval interval = km_confidence_interval::log_log;
};

struct restricted_mean {
  double estimate = 0;  // integral of S from 0 to tau
  double std_err = 0;   // R's print(fit, rmean = tau) standard error
  double tau = 0;
};

struct kaplan_meier_result {
  // One row per distinct exit time (event or censoring), ascending, as R reports them.
  Eigen::VectorXd time, n_risk, n_event, n_censor;
  Eigen::VectorXd survival;
  Eigen::VectorXd std_err;             // se of log S(t) (R's std.err); +inf once S = 0
  Eigen::VectorXd greenwood_variance;  // var S(t) = S^2 std_err^2; 0 once S = 0
  Eigen::VectorXd lower, upper;        // pointwise interval; where R gives NA (S = 0, and S = 1
                                       // for log-log) patron gives S itself (a degenerate interval)
  double confidence_level = 0.95;

  // S at any time (right-continuous step function; 1 before the first time).
  [[nodiscard]] double survival_at(double t) const;
  // Smallest time with S <= 1/2 (midpoint of a flat stretch exactly at 1/2, as R); empty
  // when the curve never drops to 1/2. The limits apply the same rule to lower / upper.
  [[nodiscard]] std::optional<double> median() const;
  [[nodiscard]] std::optional<double> median_lower() const;
  [[nodiscard]] std::optional<double> median_upper() const;
  // Restricted mean survival time up to tau (R's rmean), with its standard error.
  [[nodiscard]] restricted_mean restricted_mean_survival(double tau) const;
  // Number at risk at each requested time, R's summary(fit, times, extend = TRUE)
  // convention: the risk set of the first curve time >= t (0 beyond the last time).
  [[nodiscard]] Eigen::VectorXd at_risk(const Eigen::Ref<const Eigen::VectorXd>& times) const;
};

// exit_time >= 0 finite; event 0/1 (1 = churned at exit_time, 0 = censored).
[[nodiscard]] kaplan_meier_result kaplan_meier(const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                               const Eigen::Ref<const Eigen::VectorXd>& event,
                                               const kaplan_meier_options& options = {});
// Late entry (left truncation): customer i is observed from entry[i] < exit_time[i].
[[nodiscard]] kaplan_meier_result kaplan_meier(const Eigen::Ref<const Eigen::VectorXd>& entry,
                                               const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                               const Eigen::Ref<const Eigen::VectorXd>& event,
                                               const kaplan_meier_options& options = {});

// Log-rank test of equal survival in two cohorts (group 0/1), R survival::survdiff:
// O_g observed and E_g = sum_j n_gj d_j / n_j expected events,
// V = sum_j n_0j n_1j d_j (n_j - d_j) / (n_j^2 (n_j - 1)), statistic (O_0 - E_0)^2 / V ~ chi-square(1).
struct logrank_result {
  double statistic = 0;
  double p_value = 1;
  double degrees_of_freedom = 1;
  double observed[2] = {0, 0};
  double expected[2] = {0, 0};
  double variance = 0;
};
[[nodiscard]] logrank_result logrank_test(const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                          const Eigen::Ref<const Eigen::VectorXd>& event,
                                          const Eigen::Ref<const Eigen::VectorXd>& group);
[[nodiscard]] logrank_result logrank_test(const Eigen::Ref<const Eigen::VectorXd>& entry,
                                          const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                          const Eigen::Ref<const Eigen::VectorXd>& event,
                                          const Eigen::Ref<const Eigen::VectorXd>& group);

}  // namespace patron

#include "patron/churn/formulas.hpp"
#include "patron/churn/kaplan_meier.hpp"
#include "patron/churn/retention_models.hpp"
