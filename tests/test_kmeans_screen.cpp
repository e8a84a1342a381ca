// The float screen of the double assignment (kernels.hpp, docs/kmeans.md "Float
// screening"): double data scored first in float must give exactly the labels, cluster
// sums, centres and inertia of the double-only scoring, on any thread count, including
// data built so that float scoring alone would pick other centres.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <patron/core/rng.hpp>
#include <patron/kmeans.hpp>
#include <vector>

namespace {

namespace pd = patron::detail;

template <class M>
bool bitwise_equal(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::equal(a.data(), a.data() + a.size(), b.data());
}

// Gaussian clusters around k random centres (spread `spread`, offset `offset` on every
// feature), each row with probability `tie_share` replaced by a point near the midpoint
// of two centres: exactly on it (a tie in exact arithmetic) or moved towards one of
// them by a relative 1e-12 .. 1e-4 of their distance.
struct dataset {
  Eigen::MatrixXd X;        // n x d
  Eigen::MatrixXd centres;  // k x d, the initial centres
};

dataset make_dataset(Eigen::Index n, Eigen::Index d, int k, double spread, double offset,
                     double tie_share, std::uint64_t seed) {
  patron::rng gen(seed);
  dataset out;
  out.centres.resize(k, d);
  for (int j = 0; j < k; ++j)
    for (Eigen::Index f = 0; f < d; ++f) out.centres(j, f) = offset + spread * 4.0 * gen.normal();
  out.X.resize(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto a = static_cast<Eigen::Index>(gen.uniform_index(static_cast<std::uint64_t>(k)));
    if (k > 1 && gen.uniform() < tie_share) {
      auto b = static_cast<Eigen::Index>(gen.uniform_index(static_cast<std::uint64_t>(k - 1)));
      if (b >= a) ++b;
      const int exponent = static_cast<int>(gen.uniform_index(10));  // 0: exact midpoint
      const double t = exponent == 0 ? 0.0 : (gen.uniform() < 0.5 ? -1.0 : 1.0) * std::pow(10.0, -3 - exponent);
      out.X.row(i) = 0.5 * (out.centres.row(a) + out.centres.row(b)) + t * (out.centres.row(b) - out.centres.row(a));
    } else {
      for (Eigen::Index f = 0; f < d; ++f) out.X(i, f) = out.centres(a, f) + spread * gen.normal();
    }
  }
  return out;
}

struct pass_result {
  Eigen::VectorXi labels;
  pd::chunk_sums total;
};

pass_result one_pass(const Eigen::MatrixXd& X, const Eigen::MatrixXd& centres, const double* w,
                     pd::double_scoring scoring, unsigned threads) {
  const Eigen::VectorXd mean = X.colwise().mean().transpose();
  const Eigen::MatrixXd centred = centres.transpose().colwise() - mean;
  pass_result r;
  r.labels = Eigen::VectorXi::Constant(X.rows(), -1);
  std::vector<pd::chunk_sums> parts;
  pd::assign_rows<double>(X, mean, w, pd::prepare_scores<double>(centred, scoring), threads, r.labels, &parts);
  r.total = pd::reduce_chunks(parts, X.cols(), centres.rows());
  return r;
}

// Labels a plain float scoring would give (the screen without its fallback).
Eigen::VectorXi float_only_labels(const Eigen::MatrixXd& X, const Eigen::MatrixXd& centres) {
  const Eigen::RowVectorXd mean = X.colwise().mean();
  const Eigen::MatrixXf xc = (X.rowwise() - mean).cast<float>();
  const Eigen::MatrixXd cc = centres.rowwise() - mean;
  const Eigen::MatrixXf m = (-2.0 * cc).cast<float>();
  Eigen::VectorXi labels(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    float best = std::numeric_limits<float>::infinity();
    for (Eigen::Index j = 0; j < centres.rows(); ++j) {
      float s = static_cast<float>(cc.row(j).squaredNorm());
      for (Eigen::Index f = 0; f < X.cols(); ++f) s = std::fma(xc(i, f), m(j, f), s);
      if (s < best) {
        best = s;
        labels(i) = static_cast<int>(j);
      }
    }
  }
  return labels;
}

pd::kmeans_run full_fit(const Eigen::MatrixXd& X, const Eigen::MatrixXd& centres, const double* w,
                        pd::double_scoring scoring, unsigned threads) {
  const pd::kmeans_data<double> data(X);
  auto fd = pd::make_fit_data<double>(data, w, threads);
  fd.scoring = scoring;
  patron::kmeans_options o;
  o.k = static_cast<int>(centres.rows());
  o.max_iter = 30;
  return pd::iterate(fd, Eigen::MatrixXd(centres.transpose().colwise() - fd.mean), o,
                     pd::scaled_tolerance(fd, 1e-6));
}

void check_same_pass(const pass_result& a, const pass_result& b) {
  CHECK(a.labels == b.labels);
  CHECK(bitwise_equal(a.total.sums, b.total.sums));
  CHECK(bitwise_equal(a.total.weights, b.total.weights));
  CHECK(a.total.changed == b.total.changed);
}

}  // namespace

TEST_CASE("Float-screened scoring gives the labels and sums of double scoring", "[kmeans][screen]") {
  struct shape {
    Eigen::Index n, d;
    int k;
  };
  // d = 8 and fewer: the unrolled kernels; 11: the runtime-d kernel; 9000 rows: three
  // chunks and a partial last group.
  const shape shapes[] = {{9000, 8, 8}, {9000, 1, 3}, {5003, 2, 2}, {4099, 3, 5}, {6001, 5, 1}, {3001, 11, 6}};
  std::uint64_t seed = 100;
  int float_disagreements = 0;
  for (const auto& s : shapes) {
    for (double spread : {1.0, 1e-3, 1e4}) {
      for (double offset : {0.0, 1e6}) {
        // Many near-ties (most groups fall back to double) or few (most are screened).
        const double tie_share = seed % 2 == 0 ? 0.3 : 0.01;
        const dataset ds = make_dataset(s.n, s.d, s.k, spread, offset, tie_share, ++seed);
        const pass_result exact = one_pass(ds.X, ds.centres, nullptr, pd::double_scoring::double_only, 1);
        for (unsigned threads : {1U, 2U, 3U}) {
          INFO("n " << s.n << " d " << s.d << " k " << s.k << " spread " << spread << " offset "
                    << offset << " ties " << tie_share << " threads " << threads);
          check_same_pass(one_pass(ds.X, ds.centres, nullptr, pd::double_scoring::float_screen, threads), exact);
        }
        float_disagreements += static_cast<int>((float_only_labels(ds.X, ds.centres).array() != exact.labels.array()).count());
      }
    }
  }
  // The data are hard enough: float scoring alone would have changed labels.
  CHECK(float_disagreements > 100);
}

TEST_CASE("Float-screened fits equal double-scored fits, weighted and on any thread count",
          "[kmeans][screen]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const Eigen::Index d = 1 + static_cast<Eigen::Index>(seed % 9);
    const int k = 2 + static_cast<int>(seed % 7);
    const dataset ds = make_dataset(6000, d, k, seed % 3 == 0 ? 1e-2 : 1.0, seed % 2 == 0 ? 0.0 : 1e5, 0.2, 1000 + seed);
    Eigen::VectorXd w(ds.X.rows());
    for (Eigen::Index i = 0; i < w.size(); ++i) w(i) = 0.25 + static_cast<double>((i * 7) % 5);
    for (const double* weights : {static_cast<const double*>(nullptr), static_cast<const double*>(w.data())}) {
      const auto exact = full_fit(ds.X, ds.centres, weights, pd::double_scoring::double_only, 1);
      for (unsigned threads : {1U, 2U}) {
        INFO("seed " << seed << " threads " << threads << " weighted " << (weights != nullptr));
        const auto screened = full_fit(ds.X, ds.centres, weights, pd::double_scoring::float_screen, threads);
        CHECK(screened.labels == exact.labels);
        CHECK(bitwise_equal(screened.centred, exact.centred));
        CHECK(screened.inertia == exact.inertia);
        CHECK(screened.iterations == exact.iterations);
        CHECK(screened.converged == exact.converged);
      }
    }
  }
}

TEST_CASE("The float screen stands aside where float would overflow or underflow", "[kmeans][screen]") {
  // Squared norms beyond float's range disable the screen for the pass (centres) or
  // send the rows to double (rows); tiny values exercise float's subnormals.
  for (double scale : {1e18, 1e25, 1e-18, 1e-25, 1e-40}) {
    const dataset ds = make_dataset(5000, 4, 4, scale, 0.0, 0.2, 77);
    INFO("scale " << scale);
    check_same_pass(one_pass(ds.X, ds.centres, nullptr, pd::double_scoring::float_screen, 2),
                    one_pass(ds.X, ds.centres, nullptr, pd::double_scoring::double_only, 1));
  }
  // A few huge rows among ordinary ones: only their groups fall back.
  dataset ds = make_dataset(5000, 3, 3, 1.0, 0.0, 0.1, 78);
  for (Eigen::Index i = 0; i < ds.X.rows(); i += 997) ds.X(i, 1) = 1e30;
  check_same_pass(one_pass(ds.X, ds.centres, nullptr, pd::double_scoring::float_screen, 1),
                  one_pass(ds.X, ds.centres, nullptr, pd::double_scoring::double_only, 1));
}
