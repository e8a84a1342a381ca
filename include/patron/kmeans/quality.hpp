// Cluster-quality scores (silhouette, Calinski-Harabasz, Davies-Bouldin) and the
// feature scalers, as scikit-learn defines them. Included by patron/kmeans.hpp only.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "patron/core/rng.hpp"
#include "patron/core/validate.hpp"
#include "patron/kmeans/kernels.hpp"

namespace patron::detail {

// Labels recoded to 0..L-1 in ascending order of their values (scikit-learn's
// LabelEncoder), after checking them against X.
struct encoded_labels {
  std::vector<int> code;       // per row
  std::vector<Eigen::Index> size;  // per cluster
};

template <class Derived>
encoded_labels encode_labels(const char* fn, const Eigen::MatrixBase<Derived>& X,
                             const Eigen::Ref<const Eigen::VectorXi>& labels) {
  require_non_empty(fn, "X", static_cast<std::size_t>(X.rows()));
  require_same_length(fn, "labels", static_cast<std::size_t>(labels.size()), "X (rows)",
                      static_cast<std::size_t>(X.rows()));
  require_distances_in_range<double>(fn, "X", X, require_finite_ranges(fn, "X", X),
                                     static_cast<double>(X.rows()));
  std::map<int, int> codes;
  for (Eigen::Index i = 0; i < labels.size(); ++i) codes.emplace(labels(i), 0);
  const auto clusters = static_cast<Eigen::Index>(codes.size());
  if (clusters < 2 || clusters > X.rows() - 1)
    throw_invalid_value(fn, "number of distinct labels", clusters,
                        "must be in [2, rows - 1] (rows = " + std::to_string(X.rows()) + ")");
  int next = 0;
  for (auto& entry : codes) entry.second = next++;
  encoded_labels e;
  e.code.resize(static_cast<std::size_t>(labels.size()));
  e.size.assign(codes.size(), 0);
  for (Eigen::Index i = 0; i < labels.size(); ++i) {
    const int c = codes[labels(i)];
    e.code[static_cast<std::size_t>(i)] = c;
    ++e.size[static_cast<std::size_t>(c)];
  }
  return e;
}

// Silhouette of every row (Rousseeuw 1987): a = mean distance to the other rows of its
// cluster, b = lowest mean distance to the rows of another cluster, s = (b - a) /
// max(a, b); 0 for a row alone in its cluster (and for a = b = 0).
inline Eigen::VectorXd silhouette_of(const Eigen::MatrixXd& rows_by_col, const encoded_labels& e) {
  const Eigen::Index n = rows_by_col.cols();  // one column per row of X
  const auto clusters = static_cast<Eigen::Index>(e.size.size());
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(clusters, n);  // sums(l, i): distances to cluster l
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = i + 1; j < n; ++j) {
      const double dist = (rows_by_col.col(i) - rows_by_col.col(j)).norm();
      sums(e.code[static_cast<std::size_t>(j)], i) += dist;
      sums(e.code[static_cast<std::size_t>(i)], j) += dist;
    }
  Eigen::VectorXd s(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const int own = e.code[static_cast<std::size_t>(i)];
    const auto own_size = e.size[static_cast<std::size_t>(own)];
    if (own_size <= 1) {
      s(i) = 0.0;
      continue;
    }
    const double a = sums(own, i) / static_cast<double>(own_size - 1);
    double b = std::numeric_limits<double>::infinity();
    for (Eigen::Index l = 0; l < clusters; ++l)
      if (l != own) b = std::min(b, sums(l, i) / static_cast<double>(e.size[static_cast<std::size_t>(l)]));
    const double denominator = std::max(a, b);
    s(i) = denominator > 0.0 ? (b - a) / denominator : 0.0;
  }
  return s;
}

// Rows of X as columns of a double matrix (contiguous per row for the pair loop).
template <class Derived>
Eigen::MatrixXd rows_as_columns(const Eigen::MatrixBase<Derived>& X) {
  return X.template cast<double>().transpose();
}

// Per-cluster means of the rows (d x L) and the overall mean.
template <class Derived>
Eigen::MatrixXd cluster_means(const Eigen::MatrixBase<Derived>& X, const encoded_labels& e) {
  Eigen::MatrixXd means = Eigen::MatrixXd::Zero(X.cols(), static_cast<Eigen::Index>(e.size.size()));
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    means.col(e.code[static_cast<std::size_t>(i)]) += X.row(i).template cast<double>().transpose();
  for (Eigen::Index l = 0; l < means.cols(); ++l)
    means.col(l) /= static_cast<double>(e.size[static_cast<std::size_t>(l)]);
  return means;
}

template <class Derived>
double calinski_harabasz(const Eigen::MatrixBase<Derived>& X, const encoded_labels& e) {
  const Eigen::MatrixXd means = cluster_means(X, e);
  const Eigen::VectorXd overall = X.template cast<double>().colwise().mean().transpose();
  double between = 0.0, within = 0.0;
  for (Eigen::Index l = 0; l < means.cols(); ++l)
    between += static_cast<double>(e.size[static_cast<std::size_t>(l)]) *
               (means.col(l) - overall).squaredNorm();
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    within += (X.row(i).template cast<double>().transpose() -
               means.col(e.code[static_cast<std::size_t>(i)])).squaredNorm();
  const auto n = static_cast<double>(X.rows());
  const auto clusters = static_cast<double>(means.cols());
  return within == 0.0 ? 1.0 : between * (n - clusters) / (within * (clusters - 1.0));
}

template <class Derived>
double davies_bouldin(const Eigen::MatrixBase<Derived>& X, const encoded_labels& e) {
  const Eigen::MatrixXd means = cluster_means(X, e);
  const Eigen::Index clusters = means.cols();
  Eigen::VectorXd spread = Eigen::VectorXd::Zero(clusters);  // mean distance to the centroid
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const int l = e.code[static_cast<std::size_t>(i)];
    spread(l) += (X.row(i).template cast<double>().transpose() - means.col(l)).norm();
  }
  for (Eigen::Index l = 0; l < clusters; ++l)
    spread(l) /= static_cast<double>(e.size[static_cast<std::size_t>(l)]);
  Eigen::MatrixXd gap(clusters, clusters);
  for (Eigen::Index a = 0; a < clusters; ++a)
    for (Eigen::Index b = 0; b < clusters; ++b) gap(a, b) = (means.col(a) - means.col(b)).norm();
  // scikit-learn returns 0 when every spread, or every centroid distance, is ~0
  // (np.allclose with its absolute tolerance 1e-8).
  if ((spread.array().abs() <= 1e-8).all() || (gap.array().abs() <= 1e-8).all()) return 0.0;
  double total = 0.0;
  for (Eigen::Index a = 0; a < clusters; ++a) {
    double worst = 0.0;
    for (Eigen::Index b = 0; b < clusters; ++b)
      if (gap(a, b) != 0.0) worst = std::max(worst, (spread(a) + spread(b)) / gap(a, b));
    total += worst;
  }
  return total / static_cast<double>(clusters);
}

// `count` distinct row indices drawn uniformly (partial Fisher-Yates), in draw order.
inline std::vector<Eigen::Index> sample_rows(Eigen::Index n, Eigen::Index count, std::uint64_t seed) {
  std::vector<Eigen::Index> index(static_cast<std::size_t>(n));
  std::iota(index.begin(), index.end(), Eigen::Index{0});
  rng gen(seed);
  for (Eigen::Index i = 0; i < count; ++i) {
    const auto j = i + static_cast<Eigen::Index>(gen.uniform_index(static_cast<std::uint64_t>(n - i)));
    std::swap(index[static_cast<std::size_t>(i)], index[static_cast<std::size_t>(j)]);
  }
  index.resize(static_cast<std::size_t>(count));
  return index;
}

// Column statistics for the scalers, after checking X.
template <class Derived>
void check_scaler_input(const char* fn, const Eigen::MatrixBase<Derived>& X) {
  require_non_empty(fn, "X", static_cast<std::size_t>(X.rows()));
  require(X.cols() >= 1, fn, "X.cols()", X.cols(), "must be at least 1");
  require_finite(fn, "X", X);
}

// Population variance by Welford's update.
template <class Derived>
double column_variance(const Eigen::MatrixBase<Derived>& X, Eigen::Index f, double& mean) {
  double m = 0.0, m2 = 0.0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double x = static_cast<double>(X(i, f));
    const double delta = x - m;
    m += delta / static_cast<double>(i + 1);
    m2 += delta * (x - m);
  }
  mean = m;
  return m2 / static_cast<double>(X.rows());
}

// numpy's default percentile (linear interpolation between order statistics).
inline double percentile_linear(std::vector<double> sorted, double q) {
  std::sort(sorted.begin(), sorted.end());
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(position));
  const std::size_t high = std::min(low + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(low);
  return sorted[low] + fraction * (sorted[high] - sorted[low]);
}

}  // namespace patron::detail
