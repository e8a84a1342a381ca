// Lead-priority scoring: which prospects to call first.
//
//   // 1. Weighted criteria (rules-based scoring), total on 0..100 with an explanation.
//   std::vector<patron::criterion> criteria(2);
//   criteria[0].name = "intent";  criteria[0].weight = 3;
//   criteria[1].name = "risk";    criteria[1].weight = 1;
//   criteria[1].direction = patron::criterion_direction::lower_is_better;
//   auto scorer = patron::fit_lead_scorer(X, {"intent", "risk"}, criteria);
//   patron::lead_scores s = scorer.score(X);   // s.total, s.contribution
//
//   // 2. Logistic conversion model fitted on past leads, scorecard points, ranking.
//   patron::logistic_model m = patron::fit_logistic(X_history, converted);
//   Eigen::VectorXd p = m.predict_probability(X);
//   Eigen::VectorXd points = patron::scorecard_points(m.predict_log_odds(X));
//   auto order = patron::priority_order(patron::expected_value(p, deal_value));
//
//   // 3. Tiers and evaluation.
//   auto tiers = patron::assign_tiers_by_quantiles(s.total);
//   double auc = patron::roc_auc(converted, p);
//
// Rows are leads (customers), columns are criteria or features. Matrices are taken as
// Eigen::Ref<const Eigen::MatrixXd>: a column-major matrix or column block binds without
// a copy; a row-major matrix or an expression is copied once.
// Formulas, references and pitfalls: docs/leads.md.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "patron/core/class_weighting.hpp"
#include "patron/core/validate.hpp"

namespace patron {

// ---------------------------------------------------------------------------------
// 1. Weighted multi-criteria score
//
//   total_i = 100 * sum_j w_j u_ij / sum_j w_j,   contribution_ij = 100 * w_j u_ij / sum_j w_j
// where u_ij in [0, 1] is criterion j of lead i normalised (and flipped, u -> 1 - u,
// when lower is better). The normalisation statistics come from a reference sample
// (fit_lead_scorer), so a lead scores the same whichever batch it arrives in.
// ---------------------------------------------------------------------------------
enum class criterion_direction { higher_is_better, lower_is_better };

enum class criterion_normalisation {
  min_max,          // (x - min) / (max - min), clipped to [0, 1]; 0.5 if max == min
  z_score,          // Phi((x - mean) / sd), sd with n - 1; 0.5 if sd == 0
  percentile_rank,  // (#{ref < x} + #{ref == x} / 2) / n  (scipy percentileofscore "mean" / 100)
  bins              // points of the bin holding x, divided by the largest points
};

enum class missing_policy {
  reject,       // NaN is invalid input (default)
  worst,        // u = 0: a missing value earns nothing
  neutral,      // u = 0.5
  reweight      // the criterion is left out of this lead's weight sum
};

struct criterion {
  std::string name;           // column name (unique)
  double weight = 1.0;        // >= 0; at least one weight > 0
  criterion_direction direction = criterion_direction::higher_is_better;
  criterion_normalisation normalisation = criterion_normalisation::min_max;
  missing_policy missing = missing_policy::reject;
  // bins only: ascending inner edges e_1 < ... < e_k make k + 1 bins
  // (-inf, e_1), [e_1, e_2), ..., [e_k, inf); bin_points holds k + 1 values >= 0, not all 0.
  // The points already say which end is better, so `direction` must be higher_is_better.
  std::vector<double> bin_edges;
  std::vector<double> bin_points;
};

struct lead_scores {
  Eigen::VectorXd total;         // 0..100 per lead
  Eigen::MatrixXd normalised;    // u_ij in [0, 1] (after the direction flip); NaN-free
  Eigen::MatrixXd contribution;  // points of criterion j in lead i's total; rows sum to total
};

class lead_scorer {
 public:
  std::vector<criterion> criteria;
  std::vector<Eigen::Index> columns;  // column of X each criterion reads
  std::vector<Eigen::VectorXd> reference;  // sorted non-missing reference values (percentile_rank)
  Eigen::VectorXd location;  // min (min_max) or mean (z_score)
  Eigen::VectorXd scale;     // max - min (min_max) or sd (z_score)

  // Scores the rows of X (same columns as the reference sample).
  [[nodiscard]] lead_scores score(const Eigen::Ref<const Eigen::MatrixXd>& X) const;
};

// Learns each criterion's normalisation from the reference rows X. `column_names`
// names the columns of X; every criterion names one of them (unknown name: invalid_input).
[[nodiscard]] lead_scorer fit_lead_scorer(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                          const std::vector<std::string>& column_names,
                                          const std::vector<criterion>& criteria);
// Criteria in column order (criteria.size() == X.cols()).
[[nodiscard]] lead_scorer fit_lead_scorer(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                          const std::vector<criterion>& criteria);

// ---------------------------------------------------------------------------------
// 2. Behavioural points with exponential decay
//
//   points of one event = points * 2^(-(as_of - time) / half_life)
// summed per lead and event type, first_time_only keeping the earliest occurrence, then
// capped per event type (the cap applies to the decayed sum). Events after as_of are
// not yet known and are ignored (counted in events_after_as_of).
// ---------------------------------------------------------------------------------
enum class event_repeat { repeatable, first_time_only };

struct event_rule {
  std::string event;   // event type name (unique)
  double points = 0;   // finite; negative points (unsubscribed, bounced) are allowed
  event_repeat repeat = event_repeat::repeatable;
  double cap = std::numeric_limits<double>::infinity();  // > 0 cap on |decayed sum|
  double half_life = std::numeric_limits<double>::infinity();  // > 0; inf = no decay
};

struct behaviour_points {
  Eigen::MatrixXd points;  // leads x rules: decayed, capped points per event type
  Eigen::VectorXd total;   // row sums
  std::size_t events_after_as_of = 0;
};

// lead[e] in [0, n_leads) and event[e] (a rule's name) and time[e] of event e.
[[nodiscard]] behaviour_points score_behaviour(std::size_t n_leads,
                                               const std::vector<std::size_t>& lead,
                                               const std::vector<std::string>& event,
                                               const std::vector<double>& time,
                                               const std::vector<event_rule>& rules,
                                               double as_of);

// ---------------------------------------------------------------------------------
// 3. Logistic conversion model (Newton / IRLS)
//
// Maximises  sum_i s_i c_{y_i} [y_i eta_i - log(1 + e^eta_i)] - l2/2 * ||beta||^2,
// eta_i = beta_0 + x_i' beta, with sample weights s_i, class weights c_0, c_1 and the
// intercept beta_0 not penalised. l2 = 1/C gives scikit-learn's LogisticRegression(C)
// (lbfgs). With l2 = 0 and unit class weights: standard errors from the inverse of the
// observed information X' W X, z = beta / se, two-sided p = 2 * (1 - Phi(|z|)) as
// statsmodels Logit (sample weights act as frequency weights, as statsmodels GLM
// freq_weights; McCullagh & Nelder 1989, ch. 4). Complete or quasi-complete separation
// has no finite maximum (Albert & Anderson 1984): it is reported (status separation)
// with a suggestion to set l2, never returned as a fit.
// ---------------------------------------------------------------------------------
enum class intercept_term { fit, none };

struct logistic_options {
  double l2 = 0.0;                          // >= 0, penalty on the slopes (1/C)
  intercept_term intercept = intercept_term::fit;
  class_weighting class_weights = class_weighting::none;
  double weight_0 = 1.0, weight_1 = 1.0;    // class weights when explicit_weights (> 0)
  int max_iterations = 100;                 // Newton iterations (>= 1)
  double tolerance = 1e-10;  // converged when max |Newton step| <= tolerance * (1 + max |beta|)
  // Threads for the passes over the rows (0 = every hardware thread). Rows are summed
  // in fixed chunks of 32,768 in a fixed order, so the fit is bit-identical for any
  // value; a fit of fewer rows than two chunks uses one thread.
  unsigned threads = 1;
};

enum class fit_status { converged, max_iterations, separation, singular };

struct logistic_model {
  double intercept = 0.0;              // 0 when intercept_term::none
  Eigen::VectorXd coefficients;        // slopes, one per column of X
  // Unpenalised fits only (l2 == 0, no class weights), else empty. Intercept first.
  Eigen::VectorXd standard_error, z, p_value;
  Eigen::MatrixXd covariance;          // of (intercept, coefficients), same condition
  double log_likelihood = 0.0;         // weighted, unpenalised
  double null_log_likelihood = 0.0;    // intercept-only model (weighted)
  fit_status status = fit_status::max_iterations;
  bool converged = false;
  int iterations = 0;
  double gradient_norm = 0.0;          // max |gradient of the penalised objective|
  std::string message;

  [[nodiscard]] Eigen::VectorXd predict_log_odds(const Eigen::Ref<const Eigen::MatrixXd>& X) const;
  [[nodiscard]] Eigen::VectorXd predict_probability(
      const Eigen::Ref<const Eigen::MatrixXd>& X) const;
};

// y: 0/1 labels; sample_weight: empty or one finite value >= 0 per row.
[[nodiscard]] logistic_model fit_logistic(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                          const Eigen::Ref<const Eigen::VectorXd>& y,
                                          const logistic_options& options = {},
                                          const Eigen::Ref<const Eigen::VectorXd>& sample_weight =
                                              Eigen::VectorXd());

// Scorecard scaling (Siddiqi 2006, ch. 6): points = offset + factor * ln(odds) with
// factor = pdo / ln 2 and offset = base_points - factor * ln(base_odds): base_points at
// odds base_odds (conversion : no conversion), pdo more points for twice the odds.
struct scorecard_scaling {
  double base_points = 600.0;  // finite
  double base_odds = 1.0;      // > 0
  double pdo = 20.0;           // > 0, points to double the odds
};
[[nodiscard]] Eigen::VectorXd scorecard_points(const Eigen::Ref<const Eigen::VectorXd>& log_odds,
                                               const scorecard_scaling& scaling = {});

// probability * deal value, per lead.
[[nodiscard]] Eigen::VectorXd expected_value(const Eigen::Ref<const Eigen::VectorXd>& probability,
                                             const Eigen::Ref<const Eigen::VectorXd>& deal_value);
// Row indices by descending value, ties by ascending index (call order is stable).
[[nodiscard]] std::vector<Eigen::Index> priority_order(const Eigen::Ref<const Eigen::VectorXd>& value);

// ---------------------------------------------------------------------------------
// 4. Tiers A/B/C/D: tier A when score >= thresholds[0], B when >= thresholds[1], C when
// >= thresholds[2], else D. Equal scores always share a tier.
// ---------------------------------------------------------------------------------
enum class tier { A = 0, B = 1, C = 2, D = 3 };
[[nodiscard]] char tier_letter(tier t);

struct tier_assignment {
  std::vector<tier> tiers;
  double thresholds[3] = {0, 0, 0};  // lowest score of A, B and C
  std::size_t counts[4] = {0, 0, 0, 0};
};

// thresholds: non-increasing, finite.
[[nodiscard]] tier_assignment assign_tiers_by_thresholds(const Eigen::Ref<const Eigen::VectorXd>& score,
                                                         double a_min, double b_min, double c_min);
// Top fractions: A the top `a` share, B the next `b`, C the next `c` (each >= 0, sum <= 1).
// The thresholds are the score quantiles 1 - a, 1 - a - b, 1 - a - b - c (linear
// interpolation, numpy.quantile's default).
[[nodiscard]] tier_assignment assign_tiers_by_quantiles(const Eigen::Ref<const Eigen::VectorXd>& score,
                                                        double a = 0.1, double b = 0.2,
                                                        double c = 0.3);

// ---------------------------------------------------------------------------------
// 5. Evaluation. y holds 0/1 labels; sample_weight is empty or one value >= 0 per lead.
// ---------------------------------------------------------------------------------
// Area under the ROC curve in the Mann-Whitney form: P(score of a converted lead >
// score of a lost one) + P(tie) / 2 (Hanley & McNeil 1982); equals the trapezoidal area.
[[nodiscard]] double roc_auc(const Eigen::Ref<const Eigen::VectorXd>& y,
                             const Eigen::Ref<const Eigen::VectorXd>& score,
                             const Eigen::Ref<const Eigen::VectorXd>& sample_weight = Eigen::VectorXd());

struct roc_curve_points {
  Eigen::VectorXd false_positive_rate, true_positive_rate;
  Eigen::VectorXd threshold;  // decreasing; the first is +inf (nothing predicted positive)
};
// One point per distinct score (sklearn.metrics.roc_curve with drop_intermediate=False).
[[nodiscard]] roc_curve_points roc_curve(const Eigen::Ref<const Eigen::VectorXd>& y,
                                         const Eigen::Ref<const Eigen::VectorXd>& score,
                                         const Eigen::Ref<const Eigen::VectorXd>& sample_weight = Eigen::VectorXd());

// Kolmogorov-Smirnov statistic max |TPR - FPR| between the score distributions of
// converted and lost leads (scipy.stats.ks_2samp statistic, unweighted).
[[nodiscard]] double ks_statistic(const Eigen::Ref<const Eigen::VectorXd>& y,
                                  const Eigen::Ref<const Eigen::VectorXd>& score,
                                  const Eigen::Ref<const Eigen::VectorXd>& sample_weight = Eigen::VectorXd());

// Mean squared error of predicted probabilities (Brier 1950; sklearn.metrics.brier_score_loss).
[[nodiscard]] double brier_score(const Eigen::Ref<const Eigen::VectorXd>& y,
                                 const Eigen::Ref<const Eigen::VectorXd>& probability,
                                 const Eigen::Ref<const Eigen::VectorXd>& sample_weight = Eigen::VectorXd());

// Ties across a group border (leads with equal scores straddling a decile boundary):
enum class tie_handling {
  split,          // the tied leads are shared pro rata: every group holds exactly n/groups
                  // leads and the tied group's conversions at its mean rate (default)
  keep_together   // a tied block goes wholly to the group where it starts; sizes vary
};

struct gains_table {
  // One row per group, best scores first.
  Eigen::VectorXd leads, conversions;     // may be fractional with tie_handling::split
  Eigen::VectorXd conversion_rate;        // conversions / leads
  Eigen::VectorXd cumulative_leads, cumulative_conversions;
  Eigen::VectorXd cumulative_gain;        // cumulative_conversions / all conversions
  Eigen::VectorXd lift;                   // conversion_rate / overall rate
  Eigen::VectorXd cumulative_lift;        // cumulative rate / overall rate
  Eigen::VectorXd min_score, max_score;   // score range of the leads in the group
};
[[nodiscard]] gains_table gains_by_group(const Eigen::Ref<const Eigen::VectorXd>& y,
                                         const Eigen::Ref<const Eigen::VectorXd>& score,
                                         int groups = 10, tie_handling ties = tie_handling::split);

struct calibration_bins {
  // Non-empty bins only, in increasing probability (sklearn.calibration.calibration_curve).
  Eigen::VectorXd mean_predicted, observed_rate, count, lower, upper;
};
enum class calibration_strategy { uniform, quantile };
// Most bins of calibration. A reliability diagram needs tens; the bound keeps the per-bin
// arrays (32 bytes a bin, allocated whatever the rows) at 32 MB, where 2^31 bins would
// ask for 69 GB.
inline constexpr int calibration_max_bins = 1000000;
[[nodiscard]] calibration_bins calibration(const Eigen::Ref<const Eigen::VectorXd>& y,
                                           const Eigen::Ref<const Eigen::VectorXd>& probability,
                                           int bins = 10,  // 1..calibration_max_bins
                                           calibration_strategy strategy = calibration_strategy::uniform);

}  // namespace patron

// The implementations need the complete types above.
#include "patron/leads/criteria.hpp"
#include "patron/leads/behaviour.hpp"
#include "patron/leads/logistic.hpp"
#include "patron/leads/tiers.hpp"
#include "patron/leads/evaluation.hpp"
