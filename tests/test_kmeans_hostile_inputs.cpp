// Hostile input for k-means: finite data whose squared distances overflow (they used to
// give an infinite or NaN inertia, NaN centres, or every row in one cluster, silently),
// weights whose sum overflows, scalings assembled by hand, and scalers of huge columns.
#include <catch2/catch.hpp>

#include <limits>
#include <patron/kmeans.hpp>

namespace {
patron::kmeans_options two_clusters() {
  patron::kmeans_options o;
  o.k = 2;
  o.n_init = 2;
  return o;
}

Eigen::MatrixXd spread_rows(double scale) {
  Eigen::MatrixXd X(6, 2);
  X << 1, 0, -1, 0, 1, 1, 0, 0, 0.5, 1, -1, 1;
  X.col(0) *= scale;
  return X;
}
}  // namespace

TEST_CASE("k-means: squared distances that overflow are rejected", "[kmeans][invalid][edge]") {
  // Was: inertia inf, one cluster for k = 2.
  CHECK_THROWS_WITH(patron::kmeans_fit(spread_rows(1e200), two_clusters()),
                    "patron::kmeans_fit: X(0, 0) (9.9999999999999997e+199) is so far from the other rows that "
                    "squared distances overflow double: rescale the features (fit_standard_scaler)");
  // Float data is scored in float: 1e20 apart overflows float's squares (was: one cluster).
  Eigen::MatrixXf Xf(4, 1);
  Xf << 1e20F, -1e20F, 0.0F, 1.0F;
  CHECK_THROWS_WITH(patron::kmeans_fit(Xf, two_clusters()),
                    "patron::kmeans_fit: X(0, 0) (1.0000000200408773e+20) is so far from the other "
                    "rows that squared distances overflow float: rescale the features "
                    "(fit_standard_scaler)");
  CHECK_THROWS_WITH(patron::kmeans_plus_plus(spread_rows(1e200), 2),
                    Catch::StartsWith("patron::kmeans_plus_plus: X(0, 0) (9.9999999999999997e+199) is so far"));
  // The same data scaled into range fits, and the check costs nothing there.
  const auto m = patron::kmeans_fit(spread_rows(1e100), two_clusters());
  CHECK(std::isfinite(m.inertia));
  CHECK(m.distinct_clusters == 2);
  // New rows far from the centres: predict used to put them anywhere.
  CHECK_THROWS_WITH(m.predict(spread_rows(1e200)),
                    Catch::StartsWith("patron::kmeans_model::predict: X(0, 0) (9.9999999999999997e+199) is so far"));
  CHECK_THROWS_WITH(patron::silhouette_score(spread_rows(1e200),
                                             (Eigen::VectorXi(6) << 0, 1, 0, 1, 0, 1).finished()),
                    Catch::StartsWith("patron::silhouette_score: X(0, 0) (9.9999999999999997e+199) is so far"));
  patron::minibatch_kmeans<double> stream(two_clusters());
  stream.partial_fit(spread_rows(1.0));
  CHECK_THROWS_WITH(stream.partial_fit(spread_rows(1e200)),
                    Catch::StartsWith("patron::minibatch_kmeans::partial_fit: batch(0, 0) (9.9999999999999997e+199) "
                                      "is so far"));
}

TEST_CASE("k-means: sample weights whose sum overflows", "[kmeans][invalid]") {
  const Eigen::VectorXd w = Eigen::VectorXd::Constant(6, 1e308);  // was: NaN inertia and centres
  CHECK_THROWS_WITH(patron::kmeans_fit(spread_rows(1.0), w, two_clusters()),
                    "patron::kmeans_fit: sum(sample_weight) (inf) must be finite");
}

TEST_CASE("feature scaling: hand-made scalings and huge columns", "[kmeans][invalid]") {
  const Eigen::MatrixXd X = spread_rows(1.0);
  // Mismatched sizes read out of bounds; a zero scale divided by zero.
  const patron::feature_scaling mismatched{Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(1)};
  CHECK_THROWS_WITH(mismatched.transform(X),
                    "patron::feature_scaling::transform: center has 2 elements but scale has 1");
  const patron::feature_scaling zero{Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(2)};
  CHECK_THROWS_WITH(zero.inverse_transform(X),
                    "patron::feature_scaling::inverse_transform: scale[0] (0) must be finite and "
                    "positive");
  // Columns whose variance (or interquartile range) overflows gave an infinite scale,
  // which maps every value to 0.
  CHECK_THROWS_WITH(patron::fit_standard_scaler(spread_rows(1e200)),
                    "patron::fit_standard_scaler: column variance[0] (inf) must be finite (values "
                    "too large for double)");
  Eigen::MatrixXd extreme(4, 1);
  extreme << 1.7e308, -1.7e308, 1.7e308, 0.0;
  CHECK_THROWS_WITH(patron::fit_robust_scaler(extreme),
                    "patron::fit_robust_scaler: column interquartile range[0] (inf) must be finite "
                    "(values too large for double)");
}

// The finiteness and range checks share one read of X, reduced in blocks of 256 rows per
// column: values past the first block, in any column, are still found, and a non-finite
// X is still reported at its first bad element in row order (row, then column).
TEST_CASE("k-means: checks on rows past the first block of the scan", "[kmeans][invalid]") {
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(5000, 3);
  for (Eigen::Index i = 0; i < X.rows(); ++i) X(i, i % 3) = static_cast<double>(i % 7);
  const auto m = patron::kmeans_fit(X, two_clusters());
  Eigen::MatrixXd bad = X;
  bad(4100, 1) = std::numeric_limits<double>::quiet_NaN();
  bad(3000, 2) = -std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(patron::kmeans_fit(bad, two_clusters()), "patron::kmeans_fit: X(3000, 2) (-inf) must be finite");
  CHECK_THROWS_WITH(m.predict(bad), "patron::kmeans_model::predict: X(3000, 2) (-inf) must be finite");
  const Eigen::MatrixXf bad_f = bad.cast<float>();
  CHECK_THROWS_WITH(patron::kmeans_fit(bad_f, two_clusters()), "patron::kmeans_fit: X(3000, 2) (-inf) must be finite");
  bad(3000, 2) = 0.0;
  CHECK_THROWS_WITH(m.transform(bad), "patron::kmeans_model::transform: X(4100, 1) (nan) must be finite");
  // Range: the extremes of column 2 lie in one late block, rows 4500 and 4600.
  Eigen::MatrixXd far = X;
  far(4500, 2) = 1e200;
  far(4600, 2) = -1e200;
  CHECK_THROWS_WITH(patron::kmeans_fit(far, two_clusters()),
                    "patron::kmeans_fit: X(4500, 2) (9.9999999999999997e+199) is so far from the other rows that "
                    "squared distances overflow double: rescale the features (fit_standard_scaler)");
  CHECK_THROWS_WITH(m.predict(far), Catch::StartsWith("patron::kmeans_model::predict: X(4500, 2) (9.9999999999999997e+199) is so far"));
  // The float range check (max(float) / 16) on values in the last, partial block.
  Eigen::MatrixXf far_f = X.cast<float>();
  far_f(4999, 0) = 3e18F;
  far_f(4998, 0) = -3e18F;
  CHECK_THROWS_WITH(patron::kmeans_fit(far_f, two_clusters()),
                    "patron::kmeans_fit: X(4998, 0) (-2.9999998842007716e+18) is so far from the other rows "
                    "that squared distances overflow float: rescale the features (fit_standard_scaler)");
}

TEST_CASE("k-means predict rejects a hand-built model without centres or with a NaN centre",
          "[kmeans][invalid]") {
  Eigen::MatrixXd X(4, 2);
  X << 0, 0, 0, 1, 5, 5, 5, 6;
  patron::kmeans_model<double> m;
  m.centers.resize(0, 2);  // score read centre -1 of the rows predict left unassigned
  CHECK_THROWS_WITH(m.score(X), "patron::kmeans_model::predict: centers must not be empty");
  CHECK_THROWS_WITH(m.transform(X), "patron::kmeans_model::transform: centers must not be empty");
  m.centers = (Eigen::MatrixXd(2, 2) << 0, 0.5, std::numeric_limits<double>::quiet_NaN(), 5.5).finished();
  CHECK_THROWS_WITH(m.predict(X), "patron::kmeans_model::predict: centers(1, 0) (nan) must be finite");
  m.centers(1, 0) = 5.0;
  CHECK(m.predict(X) == (Eigen::VectorXi(4) << 0, 0, 1, 1).finished());
}
