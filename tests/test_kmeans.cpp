// k-means against scikit-learn: Lloyd from given centres, k-means++ restarts, cluster
// quality scores, scalers; and every bad input of the public entry points.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <patron/kmeans.hpp>
#include <string>
#include <vector>

#include "reference/kmeans/kmeans_support.hpp"
#include "support/close_to.hpp"

namespace ref = kmeans_reference;
using kmeans_test::as_labels;
using kmeans_test::as_matrix;
using kmeans_test::load;
using kmeans_test::rows_of;

namespace {

struct given_case {
  const char* name;
  int k;
  const std::vector<int>& rows;
  const std::vector<double>& centers;
  const std::vector<int>& labels;
  double inertia;
  int iterations;
};

void check_matrix(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& expected, double rel) {
  REQUIRE(actual.rows() == expected.rows());
  REQUIRE(actual.cols() == expected.cols());
  for (Eigen::Index r = 0; r < actual.rows(); ++r)
    for (Eigen::Index c = 0; c < actual.cols(); ++c)
      CHECK_THAT(actual(r, c), close_to(expected(r, c), rel, 1e-12));
}

}  // namespace

TEST_CASE("Lloyd and Hamerly from given centres reproduce scikit-learn's KMeans",
          "[kmeans][reference]") {
  // Each case: KMeans(n_clusters=k, init=X[rows], n_init=1, algorithm='lloyd', tol=1e-4)
  // .fit(X) in make_reference.py; centres and inertia to relative 1e-9, labels and the
  // iteration count exactly.
  const given_case cases[] = {
      {"iris", 3, ref::iris_given_rows, ref::iris_given_centers, ref::iris_given_labels,
       ref::iris_given_inertia, ref::iris_given_iterations},
      {"wine", 3, ref::wine_given_rows, ref::wine_given_centers, ref::wine_given_labels,
       ref::wine_given_inertia, ref::wine_given_iterations},
      {"blobs", 4, ref::blobs_given_rows, ref::blobs_given_centers, ref::blobs_given_labels,
       ref::blobs_given_inertia, ref::blobs_given_iterations},
  };
  for (const auto& c : cases) {
    for (auto algorithm : {patron::kmeans_algorithm::lloyd, patron::kmeans_algorithm::hamerly}) {
      INFO(c.name << (algorithm == patron::kmeans_algorithm::lloyd ? " lloyd" : " hamerly"));
      const auto data = load(c.name);
      patron::kmeans_options o;
      o.k = c.k;
      o.init = patron::kmeans_init::given_centers;
      o.initial_centers = rows_of(data.X, c.rows);
      o.algorithm = algorithm;
      const auto m = patron::kmeans_fit(data.X, o);
      check_matrix(m.centers, as_matrix(c.centers, data.X.cols()), 1e-9);
      CHECK(m.labels == as_labels(c.labels));
      CHECK_THAT(m.inertia, close_to(c.inertia, 1e-9));
      CHECK(m.iterations == c.iterations);
      CHECK(m.converged);
      CHECK(m.distinct_clusters == c.k);
    }
  }
}

TEST_CASE("Float data reproduces scikit-learn's float32 fit", "[kmeans][reference]") {
  const auto data = load("iris");
  const Eigen::MatrixXf X = data.X.cast<float>();
  patron::kmeans_options o;
  o.k = 3;
  o.init = patron::kmeans_init::given_centers;
  o.initial_centers = rows_of(data.X, {0, 50, 100});
  const patron::kmeans_model<float> m = patron::kmeans_fit(X, o);
  // KMeans(3, init=X[[0,50,100]], n_init=1).fit(iris.astype(float32)): both sum in
  // different precisions (patron in double), so centres agree to float rounding.
  check_matrix(m.centers.cast<double>(), as_matrix(ref::iris_float_given_centers, 4), 1e-6);
  CHECK(m.labels == as_labels(ref::iris_float_given_labels));
}

TEST_CASE("Sample weights reproduce scikit-learn's weighted fit", "[kmeans][reference]") {
  const auto data = load("wine");
  Eigen::VectorXd w(data.X.rows());
  for (Eigen::Index i = 0; i < w.size(); ++i) w(i) = 1.0 + static_cast<double>(i % 5);
  patron::kmeans_options o;
  o.k = 3;
  o.init = patron::kmeans_init::given_centers;
  o.initial_centers = rows_of(data.X, {0, 59, 130});
  const auto m = patron::kmeans_fit(data.X, w, o);
  // KMeans(3, init=X[[0,59,130]], n_init=1).fit(wine, sample_weight=1 + (arange(178) % 5))
  check_matrix(m.centers, as_matrix(ref::wine_weighted_centers, 13), 1e-9);
  CHECK(m.labels == as_labels(ref::wine_weighted_labels));
  CHECK_THAT(m.inertia, close_to(ref::wine_weighted_inertia, 1e-9));
}

TEST_CASE("k-means++ with 10 restarts is within 0.5% of scikit-learn's best inertia",
          "[kmeans][reference]") {
  struct best_case {
    const char* name;
    int k;
    double best;  // min over random_state 0..4 of KMeans(k, n_init=10).fit(X).inertia_
  };
  for (const auto& c : {best_case{"iris", 3, ref::iris_best_inertia},
                        best_case{"wine", 3, ref::wine_best_inertia},
                        best_case{"blobs", 4, ref::blobs_best_inertia}}) {
    INFO(c.name);
    const auto data = load(c.name);
    for (std::uint64_t seed : {0u, 1u, 2u}) {
      patron::kmeans_options o;
      o.k = c.k;
      o.n_init = 10;
      o.seed = seed;
      for (auto algorithm : {patron::kmeans_algorithm::lloyd, patron::kmeans_algorithm::hamerly}) {
        o.algorithm = algorithm;
        const auto m = patron::kmeans_fit(data.X, o);
        CHECK(m.inertia <= c.best * 1.005);
        CHECK(m.converged);
      }
    }
  }
}

TEST_CASE("Silhouette, Calinski-Harabasz and Davies-Bouldin equal sklearn.metrics",
          "[kmeans][reference]") {
  struct metric_case {
    const char* name;
    const std::vector<int>& labels;
    double silhouette, calinski_harabasz, davies_bouldin;
  };
  // Labels of KMeans(init=X[rows], n_init=1).fit(X); values from sklearn.metrics.*_score.
  for (const auto& c :
       {metric_case{"iris", ref::iris_given_labels, ref::iris_silhouette,
                    ref::iris_calinski_harabasz, ref::iris_davies_bouldin},
        metric_case{"wine", ref::wine_given_labels, ref::wine_silhouette,
                    ref::wine_calinski_harabasz, ref::wine_davies_bouldin},
        metric_case{"blobs", ref::blobs_given_labels, ref::blobs_silhouette,
                    ref::blobs_calinski_harabasz, ref::blobs_davies_bouldin}}) {
    INFO(c.name);
    const auto data = load(c.name);
    const Eigen::VectorXi labels = as_labels(c.labels);
    CHECK_THAT(patron::silhouette_score(data.X, labels), close_to(c.silhouette, 1e-9));
    CHECK_THAT(patron::calinski_harabasz_score(data.X, labels), close_to(c.calinski_harabasz, 1e-9));
    CHECK_THAT(patron::davies_bouldin_score(data.X, labels), close_to(c.davies_bouldin, 1e-9));
  }
  const auto wine = load("wine");
  // silhouette_score / calinski_harabasz_score / davies_bouldin_score(wine, wine.target)
  CHECK_THAT(patron::silhouette_score(wine.X, wine.target), close_to(ref::wine_true_silhouette, 1e-9));
  CHECK_THAT(patron::calinski_harabasz_score(wine.X, wine.target),
             close_to(ref::wine_true_calinski_harabasz, 1e-9));
  CHECK_THAT(patron::davies_bouldin_score(wine.X, wine.target),
             close_to(ref::wine_true_davies_bouldin, 1e-9));
  // A singleton cluster (iris row 0 relabelled 7): its silhouette is 0 by definition.
  const auto iris = load("iris");
  Eigen::VectorXi y = iris.target;
  y(0) = 7;
  CHECK_THAT(patron::silhouette_score(iris.X, y), close_to(ref::iris_singleton_silhouette, 1e-9));
  CHECK_THAT(patron::davies_bouldin_score(iris.X, y), close_to(ref::iris_singleton_davies_bouldin, 1e-9));
  CHECK(patron::silhouette_samples(iris.X, y)(0) == 0.0);
}

TEST_CASE("Standard and robust scalers equal scikit-learn's", "[kmeans][reference]") {
  const auto wine = load("wine");
  const auto standard = patron::fit_standard_scaler(wine.X);
  const auto robust = patron::fit_robust_scaler(wine.X);
  for (Eigen::Index f = 0; f < 13; ++f) {
    const auto uf = static_cast<std::size_t>(f);
    // StandardScaler().fit(wine).mean_ / .scale_; RobustScaler().fit(wine).center_ / .scale_
    CHECK_THAT(standard.center(f), close_to(ref::wine_standard_mean[uf], 1e-12));
    CHECK_THAT(standard.scale(f), close_to(ref::wine_standard_scale[uf], 1e-12));
    CHECK_THAT(robust.center(f), close_to(ref::wine_robust_center[uf], 1e-12));
    CHECK_THAT(robust.scale(f), close_to(ref::wine_robust_scale[uf], 1e-12));
  }
  const Eigen::MatrixXd back = standard.inverse_transform(standard.transform(wine.X));
  CHECK((back - wine.X).cwiseAbs().maxCoeff() <= 1e-12 * wine.X.cwiseAbs().maxCoeff());
}

// --- bad input ----------------------------------------------------------------------

TEST_CASE("kmeans_fit rejects bad options and data with the offending index",
          "[kmeans][invalid]") {
  Eigen::MatrixXd X(4, 2);
  X << 0, 0, 1, 1, 2, 2, 3, 3;
  patron::kmeans_options o;
  o.k = 0;
  CHECK_THROWS_WITH(patron::kmeans_fit(X, o), "patron::kmeans_fit: options.k (0) must be at least 1");
  o.k = 5;
  CHECK_THROWS_WITH(patron::kmeans_fit(X, o),
                    "patron::kmeans_fit: options.k (5) must not exceed the number of rows (4)");
  o.k = 2;
  o.n_init = 0;
  CHECK_THROWS_WITH(patron::kmeans_fit(X, o), "patron::kmeans_fit: options.n_init (0) must be at least 1");
  o.n_init = 1;
  o.max_iter = 0;
  CHECK_THROWS_WITH(patron::kmeans_fit(X, o), "patron::kmeans_fit: options.max_iter (0) must be at least 1");
  o.max_iter = 10;
  o.tol = -1;
  CHECK_THROWS_WITH(patron::kmeans_fit(X, o),
                    "patron::kmeans_fit: options.tol (-1) must be finite and non-negative");
  o.tol = 1e-4;

  Eigen::MatrixXd bad = X;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(patron::kmeans_fit(bad, o), "patron::kmeans_fit: X(2, 1) (nan) must be finite");
  bad(2, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(patron::kmeans_fit(bad, o), "patron::kmeans_fit: X(2, 1) (inf) must be finite");
  Eigen::MatrixXf badf = X.cast<float>();
  badf(3, 0) = -std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(patron::kmeans_fit(badf, o), "patron::kmeans_fit: X(3, 0) (-inf) must be finite");
  CHECK_THROWS_WITH(patron::kmeans_fit(Eigen::MatrixXd(0, 2), o), "patron::kmeans_fit: X must not be empty");
  CHECK_THROWS_WITH(patron::kmeans_fit(Eigen::MatrixXd(3, 0), o),
                    "patron::kmeans_fit: X.cols() (0) must be at least 1");

  Eigen::VectorXd w = Eigen::VectorXd::Ones(3);
  CHECK_THROWS_WITH(patron::kmeans_fit(X, w, o),
                    "patron::kmeans_fit: sample_weight has 3 elements but X (rows) has 4");
  w = Eigen::VectorXd::Ones(4);
  w(1) = -0.5;
  CHECK_THROWS_WITH(patron::kmeans_fit(X, w, o),
                    "patron::kmeans_fit: sample_weight[1] (-0.5) must be finite and non-negative");
  w.setZero();
  CHECK_THROWS_WITH(patron::kmeans_fit(X, w, o), "patron::kmeans_fit: sum(sample_weight) (0) must be positive");

  o.init = patron::kmeans_init::given_centers;
  o.initial_centers = Eigen::MatrixXd::Zero(3, 2);
  CHECK_THROWS_WITH(patron::kmeans_fit(X, o),
                    "patron::kmeans_fit: options.initial_centers.rows() (3) must equal options.k");
  o.initial_centers = Eigen::MatrixXd::Zero(2, 3);
  CHECK_THROWS_WITH(patron::kmeans_fit(X, o),
                    "patron::kmeans_fit: options.initial_centers.cols() (3) must equal the number "
                    "of columns of X");
  o.initial_centers = Eigen::MatrixXd::Zero(2, 2);
  o.initial_centers(1, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(patron::kmeans_fit(X, o),
                    "patron::kmeans_fit: options.initial_centers(1, 0) (nan) must be finite");
  CHECK_THROWS_WITH(patron::kmeans_plus_plus(X, 9),
                    "patron::kmeans_plus_plus: options.k (9) must not exceed the number of rows (4)");
}

TEST_CASE("Model methods, mini-batch, scalers and scores reject bad input", "[kmeans][invalid]") {
  Eigen::MatrixXd X(6, 2);
  X << 0, 0, 0, 1, 1, 0, 5, 5, 5, 6, 6, 5;
  patron::kmeans_options o;
  o.k = 2;
  const auto m = patron::kmeans_fit(X, o);
  CHECK_THROWS_WITH(m.predict(Eigen::MatrixXd::Zero(2, 3)),
                    "patron::kmeans_model::predict: X.cols() (3) must equal the number of centre "
                    "columns (2)");
  Eigen::MatrixXd bad = X;
  bad(4, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(m.predict(bad), "patron::kmeans_model::predict: X(4, 1) (nan) must be finite");
  CHECK_THROWS_WITH(m.transform(Eigen::MatrixXd(0, 2)), "patron::kmeans_model::transform: X must not be empty");
  CHECK_THROWS_WITH(m.score(bad), "patron::kmeans_model::predict: X(4, 1) (nan) must be finite");

  patron::minibatch_kmeans<double> mb(o);
  CHECK_THROWS_WITH(mb.partial_fit(X.topRows(1)),
                    "patron::minibatch_kmeans::partial_fit: options.k (2) must not exceed the "
                    "number of rows (1)");
  mb.partial_fit(X);
  CHECK_THROWS_WITH(mb.partial_fit(Eigen::MatrixXd::Zero(2, 3)),
                    "patron::minibatch_kmeans::partial_fit: batch.cols() (3) must equal the number "
                    "of columns of the first batch");
  CHECK_THROWS_WITH(mb.partial_fit(bad), "patron::minibatch_kmeans::partial_fit: batch(4, 1) (nan) must be finite");
  CHECK_THROWS_WITH(mb.partial_fit(X, Eigen::VectorXd::Constant(6, -1.0)),
                    "patron::minibatch_kmeans::partial_fit: sample_weight[0] (-1) must be finite "
                    "and non-negative");
  patron::kmeans_options zero = o;
  zero.k = 0;
  CHECK_THROWS_WITH(patron::minibatch_kmeans<double>(zero),
                    "patron::minibatch_kmeans: options.k (0) must be at least 1");

  Eigen::MatrixXd constant = X;
  constant.col(1).setConstant(3.0);
  CHECK_THROWS_WITH(patron::fit_standard_scaler(constant),
                    "patron::fit_standard_scaler: column variance[1] (0) must be positive "
                    "(constant column)");
  CHECK_THROWS_WITH(patron::fit_robust_scaler(constant),
                    "patron::fit_robust_scaler: column interquartile range[1] (0) must be positive");
  CHECK_THROWS_WITH(patron::fit_standard_scaler(bad), "patron::fit_standard_scaler: X(4, 1) (nan) must be finite");
  const auto scaling = patron::fit_standard_scaler(X);
  CHECK_THROWS_WITH(scaling.transform(Eigen::MatrixXd::Zero(2, 3)),
                    "patron::feature_scaling::transform: X.cols() (3) must equal the number of "
                    "fitted columns");
  Eigen::MatrixXd negative = X;
  negative(2, 0) = -1.0;
  CHECK_THROWS_WITH(patron::log1p_features(negative),
                    "patron::log1p_features: X(2, 0) (-1) must be finite and greater than -1");

  const Eigen::VectorXi one_cluster = Eigen::VectorXi::Zero(6);
  CHECK_THROWS_WITH(patron::silhouette_score(X, one_cluster),
                    "patron::silhouette_score: number of distinct labels (1) must be in [2, rows - "
                    "1] (rows = 6)");
  CHECK_THROWS_WITH(patron::calinski_harabasz_score(X, Eigen::VectorXi::Zero(5)),
                    "patron::calinski_harabasz_score: labels has 5 elements but X (rows) has 6");
  Eigen::VectorXi labels(6);
  labels << 0, 0, 0, 1, 1, 1;
  CHECK_THROWS_WITH(patron::davies_bouldin_score(bad, labels),
                    "patron::davies_bouldin_score: X(4, 1) (nan) must be finite");
  CHECK_THROWS_WITH(patron::silhouette_score_sampled(X, labels, 1, 0),
                    "patron::silhouette_score_sampled: sample_size (1) must be at least 2");

  patron::kmeans_sweep_options sweep;
  sweep.k_min = 1;
  CHECK_THROWS_WITH(patron::kmeans_sweep(X, o, sweep), "patron::kmeans_sweep: sweep.k_min (1) must be at least 2");
  sweep.k_min = 2;
  sweep.k_max = 6;
  CHECK_THROWS_WITH(patron::kmeans_sweep(X, o, sweep),
                    "patron::kmeans_sweep: sweep.k_max (6) must be less than the number of rows");
}
