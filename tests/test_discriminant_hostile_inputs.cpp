// Hostile input for discriminant analysis: features whose covariances overflow or
// underflow (fits used to come back silently rank 0, or singular), new rows whose scores
// overflow (NaN probabilities, arbitrary classes), and Ledoit-Wolf on huge data (NaN).
#include <catch2/catch.hpp>

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
