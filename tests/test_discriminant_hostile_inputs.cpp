// Hostile input for discriminant analysis: features whose covariances overflow or
// underflow (fits used to come back silently rank 0, or singular), new rows whose scores
// overflow (NaN probabilities, arbitrary classes), and Ledoit-Wolf on huge data (NaN).
#include <catch2/catch.hpp>

#include <limits>

#include <patron/discriminant.hpp>

#include "support/close_to.hpp"

namespace {
Eigen::MatrixXd two_groups() {
  Eigen::MatrixXd X(6, 2);
  X << 1, 2, 2, 3, 3, 1, 10, 11, 11, 12, 12, 10;
  return X;
}
const Eigen::VectorXi labels = (Eigen::VectorXi(6) << 0, 0, 0, 1, 1, 1).finished();
}  // namespace

TEST_CASE("discriminant fits: features out of the covariance range", "[discriminant][invalid][edge]") {
  // The svd solver returned rank 0 for both (its scatter overflowed / underflowed).
  CHECK_THROWS_WITH(patron::fit_lda(Eigen::MatrixXd(two_groups() * 1e200), labels),
                    Catch::StartsWith("patron::fit_lda: X(5, 0) (") &&
                        Catch::Contains("column 0 spreads over") &&
                        Catch::Contains("so much that its variance overflows: rescale the features"));
  CHECK_THROWS_WITH(patron::fit_lda(Eigen::MatrixXd(two_groups() * 1e-200), labels),
                    Catch::Contains("so little that its variance underflows: rescale the features"));
  CHECK_THROWS_WITH(patron::fit_qda(Eigen::MatrixXd(two_groups() * 1e200), labels),
                    Catch::StartsWith("patron::fit_qda: X(5, 0) ("));
  CHECK_THROWS_WITH(patron::fit_fisher(Eigen::MatrixXd(two_groups() * 1e-200), labels),
                    Catch::StartsWith("patron::fit_fisher: X(5, 0) ("));
  CHECK_THROWS_WITH(patron::fit_mahalanobis(Eigen::MatrixXd(two_groups() * 1e200), labels),
                    Catch::StartsWith("patron::fit_mahalanobis: X(5, 0) ("));
  // A constant feature is not out of range (the solvers report it themselves), and
  // data scaled well inside the range fits as before.
  CHECK(patron::fit_lda(Eigen::MatrixXd(two_groups() * 1e100), labels).rank == 2);
}

TEST_CASE("discriminant predictions: rows whose scores overflow", "[discriminant][invalid][edge]") {
  const Eigen::MatrixXd far = Eigen::MatrixXd::Constant(2, 2, 1.7e308);
  const auto lda = patron::fit_lda(two_groups(), labels);
  // Was NaN probabilities.
  CHECK_THROWS_WITH(lda.predict_proba(far),
                    "patron::lda_model::predict_proba: X(0, 0) (1.6999999999999999e+308) is so "
                    "large that the scores of row 0 overflow");
  const auto qda = patron::fit_qda(two_groups(), labels);
  CHECK_THROWS_WITH(qda.predict_proba(Eigen::MatrixXd(two_groups() * 1e200)),
                    Catch::StartsWith("patron::qda_model::predict_proba: X(0, 1) (") &&
                        Catch::EndsWith(") is so large that the scores of row 0 overflow"));
  CHECK_THROWS_WITH(qda.predict(far), Catch::StartsWith("patron::qda_model::predict: X(0, 0)"));
  CHECK_THROWS_WITH(patron::fit_mahalanobis(two_groups(), labels).predict(far),
                    Catch::StartsWith("patron::mahalanobis_model::squared_distances: X(0, 0)"));
  CHECK_THROWS_WITH(patron::fit_fisher(two_groups(), labels).predict(far),
                    Catch::StartsWith("patron::fisher_model::project: X(0, 0)"));
}

TEST_CASE("Ledoit-Wolf: huge data", "[discriminant][invalid][edge]") {
  // The shrinkage is scale-free; its fourth powers overflowed to NaN from |x| ~ 1e77.
  const auto plain = patron::ledoit_wolf(two_groups());
  const auto scaled = patron::ledoit_wolf(Eigen::MatrixXd(two_groups() * 1e100));
  CHECK_THAT(scaled.shrinkage, patron_test::close_to(plain.shrinkage, 1e-12));
  CHECK_THAT(scaled.covariance(0, 1), patron_test::close_to(plain.covariance(0, 1) * 1e200, 1e-12));
  // A covariance beyond the double range cannot be returned.
  CHECK_THROWS_WITH(patron::ledoit_wolf(Eigen::MatrixXd(two_groups() * 1e200)),
                    Catch::StartsWith("patron::ledoit_wolf: X(") &&
                        Catch::Contains("is so large that the covariance overflows double"));
}

TEST_CASE("discriminant predictions reject a hand-built model whose members disagree",
          "[discriminant][invalid]") {
  const Eigen::MatrixXd X = two_groups();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto lda_fit = patron::fit_lda(X, labels);
  auto lda = lda_fit;
  lda.classes.resize(0);
  CHECK_THROWS_WITH(lda.predict(X),
                    "patron::lda_model::predict: model.classes (size 0) must hold at least 2 classes");
  lda = lda_fit;
  lda.priors = (Eigen::VectorXd(3) << 0.3, 0.3, 0.4).finished();
  CHECK_THROWS_WITH(lda.predict_proba(X), "patron::lda_model::predict_proba: model.priors (size 3) must "
                                          "have one entry per class (model.classes has 2)");
  lda = lda_fit;
  lda.priors(1) = -0.5;
  CHECK_THROWS_WITH(lda.predict(X),
                    "patron::lda_model::predict: model.priors[1] (-0.5) must be finite and positive");
  lda = lda_fit;
  lda.means = Eigen::MatrixXd::Zero(3, 2);
  CHECK_THROWS_WITH(lda.predict(X), "patron::lda_model::predict: model.means (rows 3) must have one "
                                    "row per class (model.classes has 2)");
  lda = lda_fit;
  lda.coef = Eigen::MatrixXd::Zero(2, 3);
  CHECK_THROWS_WITH(lda.decision_function(X),
                    "patron::lda_model::decision_function: model.coef (columns 3) must have one "
                    "column per feature (model.means has 2 columns)");
  lda = lda_fit;
  lda.intercept.resize(1);
  CHECK_THROWS_WITH(lda.predict_log_proba(X),
                    "patron::lda_model::predict_log_proba: model.intercept (size 1) must have one "
                    "entry per class (model.classes has 2)");
  lda = lda_fit;
  lda.coef(1, 0) = nan;
  CHECK_THROWS_WITH(lda.predict(X), "patron::lda_model::predict: model.coef(1, 0) (nan) must be finite");
  lda = lda_fit;
  lda.scalings = Eigen::MatrixXd::Zero(3, 1);
  CHECK_THROWS_WITH(lda.transform(X), "patron::lda_model::transform: model.scalings (rows 3) must have "
                                      "one row per feature (model.means has 2 columns)");
  lda = lda_fit;
  lda.xbar.resize(1);
  CHECK_THROWS_WITH(lda.transform(X), "patron::lda_model::transform: model.xbar (size 1) must have one "
                                      "entry per feature (model.means has 2 columns)");

  const auto qda_fit = patron::fit_qda(X, labels);
  auto qda = qda_fit;
  qda.rotations.pop_back();
  CHECK_THROWS_WITH(qda.predict(X), "patron::qda_model::predict: model.rotations (size 1) must have one "
                                    "matrix per class (model.classes has 2)");
  qda = qda_fit;
  qda.rotations[1] = Eigen::MatrixXd::Identity(3, 3);
  CHECK_THROWS_WITH(qda.predict(X), "patron::qda_model::predict: model.rotations[1] (rows 3) must have "
                                    "one row per feature (model.means has 2 columns)");
  qda = qda_fit;
  qda.variances[0](1) = 0.0;
  CHECK_THROWS_WITH(qda.predict_proba(X),
                    "patron::qda_model::predict_proba: model.variances[0][1] (0) must be finite and positive");
  qda = qda_fit;
  qda.log_det.resize(3);
  CHECK_THROWS_WITH(qda.predict(X), "patron::qda_model::predict: model.log_det (size 3) must have one "
                                    "entry per class (model.classes has 2)");
  qda = qda_fit;
  qda.means(0, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(qda.decision_function(X),
                    "patron::qda_model::decision_function: model.means(0, 1) (inf) must be finite");

  const auto fisher_fit = patron::fit_fisher(X, labels);
  auto fisher = fisher_fit;
  fisher.classes = (Eigen::VectorXi(3) << 0, 1, 2).finished();
  CHECK_THROWS_WITH(fisher.predict(X),
                    "patron::fisher_model::project: model.classes (size 3) must hold exactly 2 classes");
  fisher = fisher_fit;
  fisher.direction.resize(3);
  CHECK_THROWS_WITH(fisher.project(X), "patron::fisher_model::project: model.direction (size 3) must "
                                       "have one entry per feature (model.means has 2 columns)");
  fisher = fisher_fit;
  fisher.threshold = nan;
  CHECK_THROWS_WITH(fisher.predict(X), "patron::fisher_model::project: model.threshold (nan) must be finite");

  const auto mahalanobis_fit = patron::fit_mahalanobis(X, labels);
  auto mahalanobis = mahalanobis_fit;
  mahalanobis.inverse_factor = Eigen::MatrixXd::Identity(2, 1);
  CHECK_THROWS_WITH(mahalanobis.predict(X),
                    "patron::mahalanobis_model::squared_distances: model.inverse_factor (columns 1) "
                    "must have one column per feature (model.means has 2 columns)");
  mahalanobis = mahalanobis_fit;
  mahalanobis.inverse_factor(1, 1) = nan;
  CHECK_THROWS_WITH(mahalanobis.squared_distances(X),
                    "patron::mahalanobis_model::squared_distances: model.inverse_factor(1, 1) (nan) "
                    "must be finite");
  // The fitted models themselves pass.
  CHECK(lda_fit.predict(X) == labels);
  CHECK(qda_fit.predict(X) == labels);
  CHECK(fisher_fit.predict(X) == labels);
  CHECK(mahalanobis_fit.predict(X) == labels);
}

TEST_CASE("LDA transform keeps only the directions the svd solver found for collinear class means",
          "[discriminant][edge]") {
  // Three classes whose means lie on a line: one between-class direction passes tol, but
  // two variance ratios are reported; transform read a second, absent, scaling column.
  Eigen::MatrixXd X(9, 2);
  X << 0, 0, 1, 0, 0, 1, 2, 2, 3, 2, 2, 3, 4, 4, 5, 4, 4, 5;
  const Eigen::VectorXi y = (Eigen::VectorXi(9) << 0, 0, 0, 1, 1, 1, 2, 2, 2).finished();
  const auto lda = patron::fit_lda(X, y);
  REQUIRE(lda.scalings.cols() == 1);
  REQUIRE(lda.explained_variance_ratio.size() == 2);
  const Eigen::MatrixXd coordinates = lda.transform(X);
  CHECK(coordinates.cols() == 1);
  CHECK(coordinates.allFinite());
}
