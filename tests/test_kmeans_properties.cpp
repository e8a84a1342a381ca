// k-means properties that hold whatever the data: monotone inertia, determinism across
// thread counts, relabelling invariance, degenerate inputs, mini-batch and the k sweep.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <patron/core/rng.hpp>
#include <patron/kmeans.hpp>
#include <vector>

#include "reference/kmeans/kmeans_support.hpp"
#include "support/close_to.hpp"

using kmeans_test::load;
using kmeans_test::rows_of;

namespace {

// n rows in `blobs` seeded gaussian clusters of d features, cluster c centred at 4c on
// every feature: more than one 4096-row chunk, so thread counts really differ.
Eigen::MatrixXd gaussian_blobs(Eigen::Index n, Eigen::Index d, int blobs, std::uint64_t seed) {
  patron::rng gen(seed);
  Eigen::MatrixXd X(n, d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index f = 0; f < d; ++f)
      X(i, f) = gen.normal() + 4.0 * static_cast<double>(i % blobs) + (f == 0 ? 0.3 * static_cast<double>(i % 7) : 0.0);
  return X;
}

template <class M>
bool bitwise_equal(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::equal(a.data(), a.data() + a.size(), b.data());
}

}  // namespace

TEST_CASE("Inertia never increases across Lloyd iterations", "[kmeans][property]") {
  const auto wine = load("wine");
  const auto X = patron::fit_standard_scaler(wine.X).transform(wine.X);
  for (auto algorithm : {patron::kmeans_algorithm::lloyd, patron::kmeans_algorithm::hamerly}) {
    patron::kmeans_options o;
    o.k = 6;
    o.init = patron::kmeans_init::given_centers;
    o.initial_centers = rows_of(X, {0, 1, 2, 3, 4, 5});  // a poor start: many iterations
    o.algorithm = algorithm;
    o.tol = 0.0;
    double previous = std::numeric_limits<double>::infinity();
    int changes = 0;
    for (int iterations = 1; iterations <= 15; ++iterations) {
      o.max_iter = iterations;
      const auto m = patron::kmeans_fit(X, o);
      CHECK(m.inertia <= previous * (1.0 + 1e-14));
      if (m.inertia < previous) ++changes;
      previous = m.inertia;
    }
    CHECK(changes >= 3);  // the check above did bite
  }
}

TEST_CASE("One and two threads give bitwise-identical fits", "[kmeans][property]") {
  const Eigen::MatrixXd X = gaussian_blobs(20000, 5, 6, 11);
  for (auto algorithm : {patron::kmeans_algorithm::lloyd, patron::kmeans_algorithm::hamerly}) {
    patron::kmeans_options o;
    o.k = 6;
    o.n_init = 2;
    o.seed = 5;
    o.algorithm = algorithm;
    o.threads = 1;
    const auto one = patron::kmeans_fit(X, o);
    o.threads = 2;
    const auto two = patron::kmeans_fit(X, o);
    o.threads = 3;
    const auto three = patron::kmeans_fit(X, o);
    CHECK(bitwise_equal(one.centers, two.centers));
    CHECK(bitwise_equal(one.centers, three.centers));
    CHECK(one.labels == two.labels);
    CHECK(one.inertia == two.inertia);
    CHECK(one.iterations == two.iterations);
  }
  const Eigen::MatrixXf Xf = X.cast<float>();
  patron::kmeans_options o;
  o.k = 6;
  o.n_init = 1;
  o.threads = 1;
  const auto one = patron::kmeans_fit(Xf, o);
  o.threads = 2;
  const auto two = patron::kmeans_fit(Xf, o);
  CHECK(bitwise_equal(one.centers, two.centers));
  CHECK(one.labels == two.labels);
  CHECK(bitwise_equal(patron::kmeans_plus_plus(X, 6, 9, 1), patron::kmeans_plus_plus(X, 6, 9, 2)));
  Eigen::VectorXd w(X.rows());
  for (Eigen::Index i = 0; i < w.size(); ++i) w(i) = 0.5 + static_cast<double>(i % 3);
  o.threads = 1;
  const auto w1 = patron::kmeans_fit(X, w, o);
  o.threads = 2;
  const auto w2 = patron::kmeans_fit(X, w, o);
  CHECK(bitwise_equal(w1.centers, w2.centers));
}

TEST_CASE("Same seed, same result; restarts keep the lowest inertia", "[kmeans][property]") {
  const auto iris = load("iris");
  patron::kmeans_options o;
  o.k = 4;
  o.n_init = 1;
  o.seed = 3;
  const auto a = patron::kmeans_fit(iris.X, o);
  const auto b = patron::kmeans_fit(iris.X, o);
  CHECK(bitwise_equal(a.centers, b.centers));
  double best = std::numeric_limits<double>::infinity();
  int best_restart = -1;
  o.init = patron::kmeans_init::random_rows;  // a weak seeding, so restarts differ
  for (int r = 0; r < 8; ++r) {
    // Restart r of a multi-start fit draws from rng(seed, r): it is the single fit
    // whose seeding stream is r, which kmeans_fit exposes only through n_init.
    o.n_init = r + 1;
    const auto m = patron::kmeans_fit(iris.X, o);
    CHECK(m.inertia <= best);
    if (m.inertia < best) best_restart = m.best_restart;
    best = m.inertia;
    CHECK(m.best_restart == best_restart);
  }
}

TEST_CASE("Results do not depend on how clusters are numbered", "[kmeans][property]") {
  const auto iris = load("iris");
  patron::kmeans_options o;
  o.k = 3;
  o.init = patron::kmeans_init::given_centers;
  o.initial_centers = rows_of(iris.X, {0, 50, 100});
  const auto m = patron::kmeans_fit(iris.X, o);
  o.initial_centers = rows_of(iris.X, {100, 0, 50});  // the same centres, renumbered
  const auto p = patron::kmeans_fit(iris.X, o);
  const int map[3] = {1, 2, 0};  // old cluster j is new cluster map[j]
  for (Eigen::Index i = 0; i < iris.X.rows(); ++i) CHECK(p.labels(i) == map[m.labels(i)]);
  for (int j = 0; j < 3; ++j) CHECK((p.centers.row(map[j]) - m.centers.row(j)).norm() <= 1e-12);
  CHECK_THAT(p.inertia, close_to(m.inertia, 1e-12));

  Eigen::VectorXi renamed(m.labels.size());
  for (Eigen::Index i = 0; i < renamed.size(); ++i) renamed(i) = 10 * (2 - m.labels(i)) + 3;
  CHECK_THAT(patron::silhouette_score(iris.X, renamed), close_to(patron::silhouette_score(iris.X, m.labels), 1e-12));
  CHECK_THAT(patron::calinski_harabasz_score(iris.X, renamed),
             close_to(patron::calinski_harabasz_score(iris.X, m.labels), 1e-12));
  CHECK_THAT(patron::davies_bouldin_score(iris.X, renamed),
             close_to(patron::davies_bouldin_score(iris.X, m.labels), 1e-12));
}

TEST_CASE("predict, transform and score agree with the fit", "[kmeans][property]") {
  const auto blobs = load("blobs");
  patron::kmeans_options o;
  o.k = 4;
  const auto m = patron::kmeans_fit(blobs.X, o);
  CHECK(m.predict(blobs.X) == m.labels);
  const Eigen::MatrixXd distances = m.transform(blobs.X);
  for (Eigen::Index i = 0; i < blobs.X.rows(); ++i) {
    Eigen::Index nearest;
    distances.row(i).minCoeff(&nearest);
    CHECK(nearest == m.labels(i));
  }
  CHECK_THAT(m.score(blobs.X), close_to(-m.inertia, 1e-12));
  CHECK_THAT(distances.rowwise().minCoeff().squaredNorm(), close_to(m.inertia, 1e-10));
}

TEST_CASE("Degenerate data: fewer distinct rows than k, k = 1, empty clusters",
          "[kmeans][edge]") {
  Eigen::MatrixXd X(9, 2);
  X << 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5;
  patron::kmeans_options o;
  o.k = 5;
  for (auto algorithm : {patron::kmeans_algorithm::lloyd, patron::kmeans_algorithm::hamerly}) {
    o.algorithm = algorithm;
    const auto m = patron::kmeans_fit(X, o);
    CHECK(m.distinct_clusters == 3);  // reported, not an error
    CHECK(m.inertia == 0.0);
    CHECK(m.converged);
    CHECK(m.centers.allFinite());
  }
  o.k = 1;
  const auto one = patron::kmeans_fit(X, o);
  CHECK_THAT(one.centers(0, 0), close_to(2.0, 1e-15));
  CHECK(one.converged);

  // A centre far from every row is emptied at once and takes the row farthest from its
  // own centre (row 8, the 5s, are far from the centre at 0).
  o.k = 2;
  o.init = patron::kmeans_init::given_centers;
  o.initial_centers.resize(2, 2);
  o.initial_centers << 0.5, 0.5, 100, 100;
  const auto relocated = patron::kmeans_fit(X, o);
  CHECK(relocated.distinct_clusters == 2);
  CHECK(relocated.centers.allFinite());
  CHECK(relocated.labels.tail(3) == Eigen::VectorXi::Constant(3, relocated.labels(8)));
  CHECK(relocated.labels(0) != relocated.labels(8));
}

TEST_CASE("Non-convergence is a status, not an exception", "[kmeans][edge]") {
  const auto wine = load("wine");
  patron::kmeans_options o;
  o.k = 6;
  o.n_init = 1;
  o.max_iter = 1;
  o.tol = 0.0;
  const auto m = patron::kmeans_fit(wine.X, o);
  CHECK_FALSE(m.converged);
  CHECK(m.iterations == 1);
  CHECK(m.predict(wine.X) == m.labels);  // labels match the returned centres
}

TEST_CASE("Mini-batch k-means approaches the full fit", "[kmeans][property]") {
  const Eigen::MatrixXd X = gaussian_blobs(6000, 3, 4, 2);
  patron::kmeans_options o;
  o.k = 4;
  o.seed = 1;
  const auto full = patron::kmeans_fit(X, o);
  patron::minibatch_kmeans<double> mb(o);
  for (int epoch = 0; epoch < 3; ++epoch)
    for (Eigen::Index b = 0; b < X.rows(); b += 500) mb.partial_fit(X.middleRows(b, 500));
  const auto m = mb.model();
  CHECK(mb.batches() == 36);
  CHECK(m.distinct_clusters == 4);
  CHECK(-m.score(X) <= full.inertia * 1.02);
}

TEST_CASE("Mini-batch k-means resumed from its state continues bit for bit", "[kmeans][property][invalid]") {
  const Eigen::MatrixXd X = gaussian_blobs(3000, 3, 4, 5);
  patron::kmeans_options o;
  o.k = 4;
  o.seed = 2;
  patron::minibatch_kmeans<double> whole(o);
  std::optional<patron::minibatch_kmeans<double>> resumed;
  for (Eigen::Index b = 0; b < X.rows(); b += 300) {
    whole.partial_fit(X.middleRows(b, 300));
    if (b == 900) resumed = patron::minibatch_kmeans<double>::resume(whole.options(), whole.state());
    else if (b > 900) resumed->partial_fit(X.middleRows(b, 300));
  }
  CHECK(resumed->batches() == whole.batches());
  CHECK(resumed->model().centers == whole.model().centers);
  CHECK(resumed->model().inertia == whole.model().inertia);
  // Before the first batch the state is empty, and resuming from it is a fresh run.
  const auto fresh = patron::minibatch_kmeans<double>::resume(o, patron::minibatch_kmeans<double>(o).state());
  CHECK(fresh.batches() == 0);
  auto bad = whole.state();
  bad.counts(2) = -1.0;
  CHECK_THROWS_WITH(patron::minibatch_kmeans<double>::resume(o, bad),
                    "patron::minibatch_kmeans::resume: state.counts[2] (-1) must be finite and non-negative");
  bad = whole.state();
  bad.batches = 0;
  CHECK_THROWS_WITH(patron::minibatch_kmeans<double>::resume(o, bad),
                    "patron::minibatch_kmeans::resume: state.centers.rows() (4) must be 0 before the first batch");
}

TEST_CASE("log1p features and the k sweep", "[kmeans][property]") {
  Eigen::MatrixXd spend(3, 1);
  spend << 0.0, 1e-20, 99.0;
  const Eigen::MatrixXd logged = patron::log1p_features(spend);
  CHECK(logged(0) == 0.0);
  CHECK(logged(1) == 1e-20);  // log1p keeps tiny values exact
  CHECK_THAT(logged(2), close_to(std::log(100.0), 1e-15));

  const auto blobs = load("blobs");
  patron::kmeans_options o;
  o.n_init = 3;
  patron::kmeans_sweep_options sweep;
  sweep.k_min = 2;
  sweep.k_max = 7;
  const auto result = patron::kmeans_sweep(blobs.X, o, sweep);
  REQUIRE(result.rows.size() == 6);
  CHECK(result.best_silhouette_k == 4);  // make_blobs(centers=4)
  CHECK(result.elbow_k == 4);
  for (std::size_t i = 1; i < result.rows.size(); ++i)
    CHECK(result.rows[i].inertia < result.rows[i - 1].inertia);
  sweep.silhouette_sample_size = 300;
  const auto sampled = patron::kmeans_sweep(blobs.X, o, sweep);
  CHECK(sampled.best_silhouette_k == 4);
  CHECK(std::abs(sampled.rows[2].silhouette - result.rows[2].silhouette) < 0.05);
}

TEST_CASE("Weighted seeding draws rows in proportion to their weight, never weight 0",
          "[kmeans][property]") {
  // 9000 distinct rows (three 4096-row chunks); every third row has weight 0, rows
  // 100..109 weigh 1000 each and the rest 1. The seeding functions are internal, so the
  // chosen rows are read back from the centred centres: row i has X(i, 0) = i.
  const Eigen::Index n = 9000;
  Eigen::MatrixXd X(n, 2);
  Eigen::VectorXd w(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    X(i, 0) = static_cast<double>(i);
    X(i, 1) = static_cast<double>(i % 11);
    w(i) = i % 3 == 0 ? 0.0 : (i >= 100 && i < 110 ? 1000.0 : 1.0);
  }
  const patron::detail::kmeans_data<double> data(X);
  const auto fd = patron::detail::make_fit_data<double>(data, w.data(), 1);
  auto row_of = [&](const Eigen::MatrixXd& centred, Eigen::Index j) {
    return static_cast<Eigen::Index>(std::lround(centred(0, j) + fd.mean(0)));
  };
  int heavy = 0, draws = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    patron::rng gen(seed);
    const Eigen::MatrixXd random = patron::detail::seed_random_rows(fd, 5, gen);
    std::vector<Eigen::Index> chosen;
    for (Eigen::Index j = 0; j < 5; ++j) {
      const Eigen::Index i = row_of(random, j);
      CHECK(w(i) > 0.0);
      CHECK(std::find(chosen.begin(), chosen.end(), i) == chosen.end());  // distinct
      chosen.push_back(i);
    }
    // The first draw: P(heavy) = 7 * 1000 / (7 * 1000 + 5993) = 0.54 (rows 100..109
    // of positive weight: 100, 101, 103, 104, 106, 107, 109); uniform draws would give
    // 10 / 9000.
    heavy += chosen[0] >= 100 && chosen[0] < 110;
    ++draws;
    patron::rng gen_pp(seed);
    const Eigen::MatrixXd plus_plus = patron::detail::seed_plus_plus(fd, 5, gen_pp);
    for (Eigen::Index j = 0; j < 5; ++j) CHECK(w(row_of(plus_plus, j)) > 0.0);
  }
  // Binomial(200, 0.54): mean 108, sd 7.0; 70..130 is more than 3 sd either side.
  CHECK(heavy > 70);
  CHECK(heavy < 130);
  CHECK(draws == 200);
}

TEST_CASE("Weighted random_rows needs k rows of positive weight", "[kmeans][bad-input]") {
  Eigen::MatrixXd X(5, 1);
  X << 0, 1, 2, 3, 4;
  Eigen::VectorXd w(5);
  w << 0, 1, 0, 2, 0;
  patron::kmeans_options o;
  o.k = 3;
  o.init = patron::kmeans_init::random_rows;
  CHECK_THROWS_WITH(patron::kmeans_fit(X, w, o),
                    "patron::kmeans_fit: options.k (3) must not exceed the number of rows with "
                    "positive sample_weight (2) for kmeans_init::random_rows");
  o.k = 2;
  const auto m = patron::kmeans_fit(X, w, o);
  CHECK(m.inertia == 0.0);  // the two weighted rows are the two centres
}
