// patron/leads.hpp, part 2: the logistic conversion model and the evaluation metrics
// against statsmodels, scikit-learn and scipy (values from
// tests/reference/leads/make_reference.py), plus their bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <patron/core/rng.hpp>
#include <patron/leads.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "reference/leads/leads_reference.hpp"
#include "support/close_to.hpp"
#include "support/sklearn_csv.hpp"

namespace ref = leads_reference;

namespace {

// Numeric CSV under tests/data/leads; `skip` header lines.
Eigen::MatrixXd read_matrix(const std::string& name, int skip = 1) {
  std::ifstream in(std::string(PATRON_TEST_DATA_DIR) + "/leads/" + name);
  REQUIRE(in.good());
  std::string line;
  for (int i = 0; i < skip; ++i) std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) row.push_back(std::stod(field));
    rows.push_back(row);
  }
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows[r][c];
  return m;
}

void check_params(const patron::logistic_model& m, const std::vector<double>& expected, double tol) {
  REQUIRE(static_cast<std::size_t>(m.coefficients.size()) + 1 == expected.size());
  CHECK_THAT(m.intercept, close_to(expected[0], tol));
  for (Eigen::Index j = 0; j < m.coefficients.size(); ++j)
    CHECK_THAT(m.coefficients(j), close_to(expected[static_cast<std::size_t>(j) + 1], tol));
}

void check_vector(const Eigen::VectorXd& actual, const std::vector<double>& expected, double tol,
                  double abs_tol = 0.0) {
  REQUIRE(static_cast<std::size_t>(actual.size()) == expected.size());
  for (Eigen::Index j = 0; j < actual.size(); ++j)
    CHECK_THAT(actual(j), close_to(expected[static_cast<std::size_t>(j)], tol, abs_tol));
}

struct generated_data {
  Eigen::MatrixXd X;
  Eigen::VectorXd y, w;
};
generated_data load_generated() {
  const Eigen::MatrixXd m = read_matrix("generated.csv");
  return {m.leftCols(3), m.col(3), m.col(4)};
}

generated_data load_breast_cancer() {
  const auto d = patron_test::read_sklearn_csv("sklearn/breast_cancer.csv");
  return {d.X, d.target, Eigen::VectorXd()};
}

}  // namespace

TEST_CASE("unpenalised logistic fit equals statsmodels Logit on generated data", "[reference]") {
  const auto d = load_generated();
  const auto m = patron::fit_logistic(d.X, d.y);
  REQUIRE(m.converged);
  CHECK(m.status == patron::fit_status::converged);
  // statsmodels Logit(y, add_constant(X)).fit(method="newton"): params, bse, tvalues, pvalues.
  check_params(m, ref::generated_params, 1e-8);
  check_vector(m.standard_error, ref::generated_bse, 1e-8);
  check_vector(m.z, ref::generated_z, 1e-8);
  check_vector(m.p_value, ref::generated_pvalues, 1e-7);
  CHECK_THAT(m.log_likelihood, close_to(ref::generated_llf, 1e-12));       // .llf
  // .llnull: statsmodels fits the null model iteratively (default tolerance); patron uses
  // the closed form n1 log(rate) + n0 log(1 - rate), hence 1e-9.
  CHECK_THAT(m.null_log_likelihood, close_to(ref::generated_llnull, 1e-9));
  CHECK(m.gradient_norm < 1e-8);
}

TEST_CASE("sample weights act as statsmodels GLM frequency weights", "[reference]") {
  const auto d = load_generated();
  const auto m = patron::fit_logistic(d.X, d.y, {}, d.w);
  REQUIRE(m.converged);
  // statsmodels GLM(y, add_constant(X), Binomial(), freq_weights=w).fit(): params, bse.
  check_params(m, ref::generated_weighted_params, 1e-8);
  check_vector(m.standard_error, ref::generated_weighted_bse, 1e-8);
}

TEST_CASE("class weights without sample weights equal the same weights given per row",
          "[property]") {
  // Without sample weights the fit sums w log(1 + e) as logs of per-class products; with
  // them, one log per row (checked against statsmodels and scikit-learn above).
  const auto d = load_generated();
  for (const double l2 : {0.0, 2.0}) {
    patron::logistic_options o;
    o.l2 = l2;
    o.class_weights = patron::class_weighting::explicit_weights;
    o.weight_0 = 0.7;
    o.weight_1 = 3.0;
    const auto by_class = patron::fit_logistic(d.X, d.y, o);
    const Eigen::VectorXd per_row = (d.y.array() * 3.0 + (1.0 - d.y.array()) * 0.7).matrix();
    patron::logistic_options plain;
    plain.l2 = l2;
    const auto by_row = patron::fit_logistic(d.X, d.y, plain, per_row);
    REQUIRE(by_class.converged);
    REQUIRE(by_row.converged);
    CHECK_THAT(by_class.intercept, close_to(by_row.intercept, 1e-9));
    for (Eigen::Index j = 0; j < d.X.cols(); ++j)
      CHECK_THAT(by_class.coefficients(j), close_to(by_row.coefficients(j), 1e-9));
    CHECK_THAT(by_class.log_likelihood, close_to(by_row.log_likelihood, 1e-13));
  }
}

TEST_CASE("a fit on many rows (subsample warm start, threads) keeps statsmodels' optimum",
          "[reference][property]") {
  // The 400 generated rows repeated 330 times (132,000 rows: past the size where the fit
  // starts from a fit on every 16th block, and 5 chunks for the threads). Repeating rows
  // leaves the maximum likelihood estimate unchanged and divides the standard errors by
  // sqrt(330); the fit must land on statsmodels' optimum and be bit-identical for any
  // number of threads.
  const auto d = load_generated();
  const Eigen::Index copies = 330, rows = d.X.rows();
  Eigen::MatrixXd X(rows * copies, d.X.cols());
  Eigen::VectorXd y(rows * copies);
  for (Eigen::Index k = 0; k < copies; ++k) {
    X.middleRows(k * rows, rows) = d.X;
    y.segment(k * rows, rows) = d.y;
  }
  const auto m = patron::fit_logistic(X, y);
  REQUIRE(m.converged);
  check_params(m, ref::generated_params, 1e-8);
  check_vector(m.standard_error * std::sqrt(static_cast<double>(copies)), ref::generated_bse, 1e-8);
  for (unsigned threads : {2u, 3u, 0u}) {  // 0: every hardware thread
    patron::logistic_options o;
    o.threads = threads;
    const auto t = patron::fit_logistic(X, y, o);
    CHECK(t.intercept == m.intercept);
    CHECK(t.coefficients == m.coefficients);
    CHECK(t.standard_error == m.standard_error);
    CHECK(t.log_likelihood == m.log_likelihood);
    CHECK(t.iterations == m.iterations);
  }
}

TEST_CASE("unpenalised logistic fit equals statsmodels Logit on breast_cancer", "[reference]") {
  const auto d = load_breast_cancer();
  Eigen::MatrixXd X(d.X.rows(), 5);
  const int columns[] = {0, 1, 4, 8, 9};  // radius, texture, smoothness, symmetry, fractal dim.
  for (int j = 0; j < 5; ++j) X.col(j) = d.X.col(columns[j]);
  const auto m = patron::fit_logistic(X, d.y);
  REQUIRE(m.converged);
  // statsmodels Logit(target, add_constant(data[:, [0, 1, 4, 8, 9]])).fit(): params, bse, pvalues.
  check_params(m, ref::breast_cancer_params, 1e-7);
  check_vector(m.standard_error, ref::breast_cancer_bse, 1e-7);
  check_vector(m.p_value, ref::breast_cancer_pvalues, 1e-6);
  CHECK_THAT(m.log_likelihood, close_to(ref::breast_cancer_llf, 1e-10));
}

TEST_CASE("penalised logistic fit equals scikit-learn LogisticRegression(C) with unpenalised intercept",
          "[reference]") {
  SECTION("generated data, C = 0.05") {
    const auto d = load_generated();
    patron::logistic_options o;
    o.l2 = 1.0 / 0.05;
    const auto m = patron::fit_logistic(d.X, d.y, o);
    REQUIRE(m.converged);
    // LogisticRegression(C=0.05, solver="newton-cholesky", tol=1e-12): [intercept_, coef_].
    check_params(m, ref::generated_l2_params, 1e-8);
    CHECK(m.standard_error.size() == 0);  // no unpenalised inference for a penalised fit
  }
  SECTION("class_weight balanced and sample weights, C = 0.5") {
    const auto d = load_generated();
    patron::logistic_options o;
    o.l2 = 1.0 / 0.5;
    o.class_weights = patron::class_weighting::balanced;
    const auto m = patron::fit_logistic(d.X, d.y, o, d.w);
    REQUIRE(m.converged);
    // LogisticRegression(C=0.5, class_weight="balanced").fit(X, y, sample_weight=w).
    check_params(m, ref::generated_l2_weighted_params, 1e-8);
  }
  SECTION("breast_cancer, all 30 standardised features, C = 0.1") {
    const auto d = load_breast_cancer();
    const Eigen::RowVectorXd mean = d.X.colwise().mean();
    const Eigen::MatrixXd centred = d.X.rowwise() - mean;
    const Eigen::RowVectorXd sd =
        (centred.array().square().colwise().sum() / static_cast<double>(d.X.rows())).sqrt();
    const Eigen::MatrixXd Z = centred.array().rowwise() / sd.array();
    patron::logistic_options o;
    o.l2 = 1.0 / 0.1;
    const auto m = patron::fit_logistic(Z, d.y, o);
    REQUIRE(m.converged);
    // LogisticRegression(C=0.1, solver="newton-cholesky").fit((data - mean) / std(ddof=0), target).
    check_params(m, ref::breast_cancer_l2_params, 1e-7);
  }
}

TEST_CASE("separated classes are reported with a suggestion to add L2, not a divergent fit", "[edge]") {
  SECTION("complete separation on one feature") {
    Eigen::MatrixXd X(6, 1);
    X << 1, 2, 3, 4, 5, 6;
    Eigen::VectorXd y(6);
    y << 0, 0, 0, 1, 1, 1;
    const auto m = patron::fit_logistic(X, y);
    CHECK_FALSE(m.converged);
    CHECK(m.status == patron::fit_status::separation);
    CHECK(m.message.find("options.l2") != std::string::npos);
    CHECK(m.standard_error.size() == 0);
    patron::logistic_options o;
    o.l2 = 1.0;
    const auto penalised = patron::fit_logistic(X, y, o);
    CHECK(penalised.converged);
    CHECK(std::isfinite(penalised.coefficients(0)));
  }
  SECTION("quasi-complete separation: all 30 breast_cancer features") {
    const auto d = load_breast_cancer();
    const auto m = patron::fit_logistic(d.X, d.y);
    CHECK_FALSE(m.converged);
    CHECK(m.status == patron::fit_status::separation);
  }
  SECTION("one class only") {
    Eigen::MatrixXd X(4, 1);
    X << 1, 2, 3, 4;
    const auto m = patron::fit_logistic(X, Eigen::VectorXd::Ones(4));
    CHECK(m.status == patron::fit_status::separation);
  }
}

TEST_CASE("collinear columns are reported as singular", "[edge]") {
  Eigen::MatrixXd X(5, 2);
  X << 1, 2, 2, 4, 3, 6, 4, 8, 5, 10;
  Eigen::VectorXd y(5);
  y << 0, 1, 0, 1, 1;
  const auto m = patron::fit_logistic(X, y);
  CHECK(m.status == patron::fit_status::singular);
  CHECK_FALSE(m.converged);
}

// Finite features too large for double overflow X'WX: that used to come back as status
// "singular"; it is bad input, named by its largest entry in the first overflowing column.
TEST_CASE("features whose sums overflow are rejected, not reported as singular", "[invalid]") {
  Eigen::MatrixXd X(6, 2);
  X << 0.5, 1e200, -1.0, 2e200, 0.25, 3e200, 2.0, 4e200, -0.5, 6e200, 1.0, 5e200;
  Eigen::VectorXd y(6);
  y << 0, 1, 0, 1, 1, 0;
  CHECK_THROWS_WITH(patron::fit_logistic(X, y),
                    "patron::fit_logistic: X(4, 1) (5.9999999999999998e+200) is too large: X'WX and "
                    "the gradient overflow double; rescale the columns of X");
  // Without the intercept, with a penalty, and with sample weights: the same.
  patron::logistic_options o;
  o.intercept = patron::intercept_term::none;
  o.l2 = 1.0;
  X.col(0).swap(X.col(1));
  CHECK_THROWS_WITH(patron::fit_logistic(X, y, o, Eigen::VectorXd::Constant(6, 2.0)),
                    "patron::fit_logistic: X(4, 0) (5.9999999999999998e+200) is too large: X'WX and "
                    "the gradient overflow double; rescale the columns of X");
  // The same data with that column divided by 1e200 is an ordinary fit.
  X.col(0) /= 1e200;
  CHECK(patron::fit_logistic(X, y, o).converged);
}

TEST_CASE("predicted probability, scorecard points and priority order", "[property]") {
  const auto d = load_generated();
  const auto m = patron::fit_logistic(d.X, d.y);
  const Eigen::VectorXd log_odds = m.predict_log_odds(d.X);
  const Eigen::VectorXd p = m.predict_probability(d.X);
  CHECK_THAT(p(0), close_to(1.0 / (1.0 + std::exp(-log_odds(0))), 1e-15));
  // Scorecard: base_points at base_odds, +pdo per doubling of the odds.
  patron::scorecard_scaling s;
  s.base_points = 600;
  s.base_odds = 50;
  s.pdo = 20;
  Eigen::VectorXd lo(3);
  lo << std::log(50.0), std::log(100.0), std::log(25.0);
  const Eigen::VectorXd points = patron::scorecard_points(lo, s);
  CHECK_THAT(points(0), close_to(600.0, 1e-14));
  CHECK_THAT(points(1), close_to(620.0, 1e-14));
  CHECK_THAT(points(2), close_to(580.0, 1e-14));
  Eigen::VectorXd prob(4), value(4);
  prob << 0.5, 0.1, 0.9, 0.25;
  value << 100, 1000, 50, 200;
  const Eigen::VectorXd ev = patron::expected_value(prob, value);
  CHECK(ev(1) == 100.0);
  const auto order = patron::priority_order(ev);
  // ev = 50, 100, 45, 50: lead 1 first, then the tied leads 0 and 3 by index, then 2.
  REQUIRE(order.size() == 4);
  CHECK(order[0] == 1);
  CHECK(order[1] == 0);
  CHECK(order[2] == 3);
  CHECK(order[3] == 2);
}

TEST_CASE("fit_logistic rejects bad input", "[invalid]") {
  Eigen::MatrixXd X(3, 1);
  X << 1, 2, 3;
  Eigen::VectorXd y(3);
  y << 0, 2, 1;
  CHECK_THROWS_WITH(patron::fit_logistic(X, y), "patron::fit_logistic: y[1] (2) must be 0 or 1");
  y << 0, 1, 1;
  Eigen::MatrixXd bad = X;
  bad(2, 0) = std::nan("");
  CHECK_THROWS_WITH(patron::fit_logistic(bad, y), "patron::fit_logistic: X(2, 0) (nan) must be finite");
  patron::logistic_options o;
  o.l2 = -1;
  CHECK_THROWS_WITH(patron::fit_logistic(X, y, o),
                    "patron::fit_logistic: options.l2 (-1) must be finite and non-negative");
  o = {};
  o.max_iterations = 0;
  CHECK_THROWS_WITH(patron::fit_logistic(X, y, o),
                    "patron::fit_logistic: options.max_iterations (0) must be at least 1");
  CHECK_THROWS_WITH(patron::fit_logistic(X, Eigen::VectorXd::Ones(2)),
                    "patron::fit_logistic: y has 2 elements but X rows has 3");
  Eigen::VectorXd w(3);
  w << 1, -1, 1;
  CHECK_THROWS_WITH(patron::fit_logistic(X, y, {}, w),
                    "patron::fit_logistic: sample_weight[1] (-1) must be finite and non-negative");
  w << 1e308, 1e308, 1e308;
  CHECK_THROWS_WITH(patron::fit_logistic(X, y, {}, w),
                    "patron::fit_logistic: sum(sample_weight) (inf) must be finite (the log-likelihood would overflow)");
  const auto m = patron::fit_logistic(X, y, [] { patron::logistic_options l; l.l2 = 1; return l; }());
  CHECK_THROWS_WITH(m.predict_probability(Eigen::MatrixXd::Ones(2, 2)),
                    "patron::logistic_model::predict_log_odds: X has 2 columns but the model has 1 coefficients");
  patron::scorecard_scaling s;
  s.pdo = 0;
  CHECK_THROWS_WITH(patron::scorecard_points(Eigen::VectorXd::Zero(1), s),
                    "patron::scorecard_points: scaling.pdo (0) must be finite and positive");
  Eigen::VectorXd prob(1), value(1);
  prob << 1.5;
  value << 1;
  CHECK_THROWS_WITH(patron::expected_value(prob, value),
                    "patron::expected_value: probability[0] (1.5) must be in [0, 1]");
}

// --- evaluation ----------------------------------------------------------------------
namespace {
struct metrics_data {
  Eigen::VectorXd score, y, w, probability;
};
metrics_data load_metrics() {
  const Eigen::MatrixXd m = read_matrix("metrics.csv");
  return {m.col(0), m.col(1), m.col(2), m.col(3)};
}
}  // namespace

TEST_CASE("ROC AUC with heavy ties equals sklearn roc_auc_score", "[reference]") {
  const auto d = load_metrics();
  // sklearn.metrics.roc_auc_score(y, score) on 300 scores with 11 distinct values.
  CHECK_THAT(patron::roc_auc(d.y, d.score), close_to(ref::auc_ties, 1e-12));
  // ... with sample_weight=weight.
  CHECK_THAT(patron::roc_auc(d.y, d.score, d.w), close_to(ref::auc_ties_weighted, 1e-12));
}

TEST_CASE("ROC curve, KS and Brier equal sklearn and scipy", "[reference]") {
  const auto d = load_metrics();
  const auto roc = patron::roc_curve(d.y, d.score);
  // sklearn.metrics.roc_curve(y, score, drop_intermediate=False): fpr, tpr, thresholds[1:].
  check_vector(roc.false_positive_rate, ref::roc_fpr, 1e-15);
  check_vector(roc.true_positive_rate, ref::roc_tpr, 1e-15);
  CHECK(std::isinf(roc.threshold(0)));
  check_vector(roc.threshold.tail(roc.threshold.size() - 1), ref::roc_thresholds, 0.0);
  const auto weighted = patron::roc_curve(d.y, d.score, d.w);
  check_vector(weighted.false_positive_rate, ref::roc_weighted_fpr, 1e-13);
  check_vector(weighted.true_positive_rate, ref::roc_weighted_tpr, 1e-13);
  // scipy.stats.ks_2samp(score[y == 1], score[y == 0]).statistic
  CHECK_THAT(patron::ks_statistic(d.y, d.score), close_to(ref::ks_ties, 1e-14));
  // sklearn.metrics.brier_score_loss(y, probability[, sample_weight=weight])
  CHECK_THAT(patron::brier_score(d.y, d.probability), close_to(ref::brier, 1e-13));
  CHECK_THAT(patron::brier_score(d.y, d.probability, d.w), close_to(ref::brier_weighted, 1e-13));
}

// The bin count is bounded: 2^31 - 1 bins used to ask for 69 GB before looking at a row.
TEST_CASE("calibration rejects bin counts outside [1, calibration_max_bins]", "[invalid]") {
  Eigen::VectorXd y(4), p(4);
  y << 0, 1, 0, 1;
  p << 0.1, 0.7, 0.4, 0.9;
  CHECK_THROWS_WITH(patron::calibration(y, p, 2147483647),
                    "patron::calibration: bins (2147483647) must be in [1, 1000000]");
  CHECK_THROWS_WITH(patron::calibration(y, p, 1000001, patron::calibration_strategy::quantile),
                    "patron::calibration: bins (1000001) must be in [1, 1000000]");
  CHECK_THROWS_WITH(patron::calibration(y, p, 0), "patron::calibration: bins (0) must be in [1, 1000000]");
  // The largest count is allowed: four non-empty bins of one row each.
  const auto most = patron::calibration(y, p, patron::calibration_max_bins);
  CHECK(most.count.size() == 4);
  CHECK(most.count.isOnes(0.0));
}

TEST_CASE("calibration bins equal sklearn calibration_curve", "[reference]") {
  const auto d = load_metrics();
  // calibration_curve(y, probability, n_bins=10, strategy="uniform"): prob_true, prob_pred;
  // the probabilities are tied and some sit on bin edges (0.05 + 0.9 k / 10).
  const auto u = patron::calibration(d.y, d.probability, 10);
  check_vector(u.observed_rate, ref::calibration_uniform_true, 1e-14);
  check_vector(u.mean_predicted, ref::calibration_uniform_pred, 1e-14);
  CHECK(u.count.sum() == 300);
  const Eigen::MatrixXd c = read_matrix("calibration.csv");
  // calibration_curve(y, probability, n_bins=5, strategy="quantile")
  const auto q = patron::calibration(c.col(0), c.col(1), 5, patron::calibration_strategy::quantile);
  check_vector(q.observed_rate, ref::calibration_quantile_true, 1e-14);
  check_vector(q.mean_predicted, ref::calibration_quantile_pred, 1e-14);
}

TEST_CASE("gains table: ties across decile borders are split pro rata or kept together", "[property]") {
  // 10 leads, scores with a tie block of 4 straddling the border between groups 1 and 2
  // (groups of 2 with 5 groups).
  Eigen::VectorXd score(10), y(10);
  score << 9, 8, 7, 7, 7, 7, 3, 2, 1, 0;
  y << 1, 1, 1, 0, 0, 1, 0, 1, 0, 0;
  const auto split = patron::gains_by_group(y, score, 5);
  // Ranks 2..5 hold the tie (2 conversions in 4 leads): groups 1 and 2 take 2 leads each
  // at the block's rate 0.5, so 1 conversion each.
  CHECK(split.leads(1) == 2.0);
  CHECK(split.conversions(0) == 2.0);
  CHECK_THAT(split.conversions(1), close_to(1.0, 1e-15));
  CHECK_THAT(split.conversions(2), close_to(1.0, 1e-15));
  CHECK_THAT(split.cumulative_gain(4), close_to(1.0, 1e-15));
  CHECK_THAT(split.lift(0), close_to(2.0 / 2.0 / 0.5, 1e-15));
  const auto together = patron::gains_by_group(y, score, 5, patron::tie_handling::keep_together);
  CHECK(together.leads(1) == 4.0);
  CHECK(together.leads(2) == 0.0);
  CHECK(together.conversions(1) == 2.0);
  CHECK(together.conversion_rate(2) == 0.0);
  CHECK(std::isnan(together.min_score(2)));  // an empty group has no score range
  CHECK(together.leads.sum() == 10.0);
  // Both are invariant to the order of tied leads.
  Eigen::VectorXd y_swapped = y;
  std::swap(y_swapped(2), y_swapped(3));
  const auto swapped = patron::gains_by_group(y_swapped, score, 5);
  CHECK((swapped.conversions - split.conversions).cwiseAbs().maxCoeff() < 1e-15);
}

TEST_CASE("AUC and KS are invariant to monotone transforms and perfect scores give 1", "[property]") {
  patron::rng r(7);
  Eigen::VectorXd score(200), y(200);
  for (Eigen::Index i = 0; i < 200; ++i) {
    score(i) = std::round(10 * r.uniform()) / 10;
    y(i) = r.bernoulli(score(i)) ? 1 : 0;
  }
  const Eigen::VectorXd transformed = score.array().exp() * 3 + 1;
  CHECK(patron::roc_auc(y, score) == patron::roc_auc(y, transformed));
  CHECK(patron::ks_statistic(y, score) == patron::ks_statistic(y, transformed));
  CHECK_THAT(patron::roc_auc(y, -score), close_to(1 - patron::roc_auc(y, score), 1e-14));
  CHECK(patron::roc_auc(y, y) == 1.0);
}

TEST_CASE("evaluation functions reject bad input", "[invalid]") {
  Eigen::VectorXd y(3), s(3);
  y << 0, 1, 1;
  s << 0.2, 0.5, std::nan("");
  CHECK_THROWS_WITH(patron::roc_auc(y, s), "patron::roc_auc: score[2] (nan) must be finite");
  s << 0.2, 0.5, 0.7;
  CHECK_THROWS_WITH(patron::roc_auc(Eigen::VectorXd::Ones(3), s),
                    "patron::roc_auc: y must contain both classes (with positive weight): found 3 "
                    "positive and 0 negative");
  Eigen::VectorXd y_bad = y;
  y_bad(0) = -1;
  CHECK_THROWS_WITH(patron::roc_curve(y_bad, s), "patron::roc_curve: y[0] (-1) must be 0 or 1");
  s << 0.2, 0.5, 1.7;
  CHECK_THROWS_WITH(patron::brier_score(y, s), "patron::brier_score: probability[2] (1.7) must be in [0, 1]");
  CHECK_THROWS_WITH(patron::gains_by_group(y, s, 4),
                    "patron::gains_by_group: groups (4) must be between 1 and the number of leads");
  CHECK_THROWS_WITH(patron::calibration(y, Eigen::VectorXd::Zero(2)),
                    "patron::calibration: y has 3 elements but probability has 2");
}
