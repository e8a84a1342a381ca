// The inner loops of k-means: nearest-centre assignment with per-chunk sums, exact
// squared distances, and the chunk-ordered reductions that keep results independent of
// the thread count. Everything here works on the data *centred* by its column means
// (x' = x - mean), as scikit-learn does, so that the expansion
// ||x - c||^2 = ||x'||^2 - 2 x'.c' + ||c'||^2 loses little to cancellation.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "patron/core/validate.hpp"
#include "patron/kmeans/parallel.hpp"

namespace patron::detail {

template <class T>
using kmeans_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using kmeans_data = Eigen::Ref<const kmeans_matrix<T>>;
using kmeans_labels = Eigen::VectorXi;

// Checks every element of a matrix expression (any storage, no linear access needed),
// reporting the first failure in row order as "argument(row, col) (value) what".
// Rows handled at once by the assignment kernel: the centred block (d x 256) stays in
// L1, and kmeans_lanes rows are scored against a centre in registers.
inline constexpr std::ptrdiff_t kmeans_block_rows = 256;
inline constexpr std::ptrdiff_t kmeans_lanes = 32;

// Centres prepared for the assignment kernel, in the scalar type of the data:
// minus_two(f, j) = -2 c'_jf and norm2(j) = ||c'_j||^2, so the score of centre j is
// norm2(j) + sum_f x'_f minus_two(f, j) = ||x - c_j||^2 - ||x'||^2.
template <class T>
struct centre_scores {
  kmeans_matrix<T> minus_two;           // d x k
  Eigen::Matrix<T, Eigen::Dynamic, 1> norm2;  // k
};

// centred: d x k centres minus the data mean (double).
template <class T>
centre_scores<T> prepare_scores(const Eigen::MatrixXd& centred) {
  centre_scores<T> s;
  s.minus_two = (-2.0 * centred).cast<T>();
  const kmeans_matrix<T> c = centred.cast<T>();
  s.norm2 = c.colwise().squaredNorm().transpose();
  return s;
}

// Per-chunk output of an assignment pass.
struct chunk_sums {
  Eigen::MatrixXd sums;     // d x k: sum of w x' over the chunk's rows of each cluster
  Eigen::VectorXd weights;  // k: sum of w
  std::ptrdiff_t changed = 0;  // rows whose label changed
};

// Copies rows [begin, begin + len) of X, centred, into block (f-major, stride
// kmeans_block_rows), zero-padding to a multiple of kmeans_lanes.
template <class T>
void load_centred_block(const kmeans_data<T>& X, const Eigen::VectorXd& mean, std::ptrdiff_t begin,
                        std::ptrdiff_t len, T* block) {
  const std::ptrdiff_t padded = (len + kmeans_lanes - 1) / kmeans_lanes * kmeans_lanes;
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    T* out = block + f * kmeans_block_rows;
    const T* in = X.col(f).data() + begin;
    const T m = static_cast<T>(mean(f));
    for (std::ptrdiff_t i = 0; i < len; ++i) out[i] = in[i] - m;
    for (std::ptrdiff_t i = len; i < padded; ++i) out[i] = T(0);
  }
}

// Nearest centre of each row of a centred block: labels[i] for i < len. Ties go to
// the lowest centre index. Vectorises across rows (kmeans_lanes accumulators).
// D > 0 is the number of features known at compile time (the loops over features
// unroll); D = 0 reads it from `dynamic_d`.
template <class T, int D>
void nearest_in_block(const T* block, std::ptrdiff_t dynamic_d, std::ptrdiff_t len,
                      const centre_scores<T>& s, int* labels) {
  const std::ptrdiff_t d = D > 0 ? D : dynamic_d;
  constexpr std::ptrdiff_t L = kmeans_lanes;
  const auto k = static_cast<int>(s.norm2.size());
  for (std::ptrdiff_t i0 = 0; i0 < len; i0 += L) {
    // Plain arrays with fixed trip counts: the compiler keeps them in SIMD registers and
    // turns the compare-and-select into blends (no branches to mispredict). The winning
    // index is kept as a T so the blend stays in one type.
    T best[L], best_j[L];
    for (std::ptrdiff_t w = 0; w < L; ++w) {
      best[w] = std::numeric_limits<T>::infinity();
      best_j[w] = T(0);
    }
    for (int j = 0; j < k; ++j) {
      T acc[L];
      const T base = s.norm2(j);
      for (std::ptrdiff_t w = 0; w < L; ++w) acc[w] = base;
      const T* c = s.minus_two.col(j).data();
      for (std::ptrdiff_t f = 0; f < d; ++f) {
        const T* x = block + f * kmeans_block_rows + i0;
        const T cf = c[f];
        for (std::ptrdiff_t w = 0; w < L; ++w) acc[w] += x[w] * cf;
      }
      const T tj = static_cast<T>(j);
      for (std::ptrdiff_t w = 0; w < L; ++w) {
        const bool closer = acc[w] < best[w];
        best_j[w] = closer ? tj : best_j[w];
        best[w] = closer ? acc[w] : best[w];
      }
    }
    const std::ptrdiff_t n = std::min<std::ptrdiff_t>(L, len - i0);
    for (std::ptrdiff_t w = 0; w < n; ++w) labels[i0 + w] = static_cast<int>(best_j[w]);
  }
}

// Calls fn(std::integral_constant<int, D>) with D = d for d <= 8 (customer feature sets
// are small, and the unrolled kernels are much faster) and D = 0 (runtime d) otherwise.
template <class Fn>
void with_feature_count(std::ptrdiff_t d, Fn&& fn) {
  switch (d) {
    case 1: fn(std::integral_constant<int, 1>{}); break;
    case 2: fn(std::integral_constant<int, 2>{}); break;
    case 3: fn(std::integral_constant<int, 3>{}); break;
    case 4: fn(std::integral_constant<int, 4>{}); break;
    case 5: fn(std::integral_constant<int, 5>{}); break;
    case 6: fn(std::integral_constant<int, 6>{}); break;
    case 7: fn(std::integral_constant<int, 7>{}); break;
    case 8: fn(std::integral_constant<int, 8>{}); break;
    default: fn(std::integral_constant<int, 0>{}); break;
  }
}

// acc[w] = ||x_w - p||^2 for kmeans_lanes rows and one point, computed directly (no
// expansion, so no centring is needed). Feature f of row w is x[f * stride + w].
template <class T, int D>
void lane_squared_distances(const T* x, std::ptrdiff_t stride, std::ptrdiff_t dynamic_d,
                            const T* point, T* acc) {
  const std::ptrdiff_t d = D > 0 ? D : dynamic_d;
  constexpr std::ptrdiff_t L = kmeans_lanes;
  for (std::ptrdiff_t w = 0; w < L; ++w) acc[w] = T(0);
  for (std::ptrdiff_t f = 0; f < d; ++f) {
    const T* xf = x + f * stride;
    const T c = point[f];
    for (std::ptrdiff_t w = 0; w < L; ++w) {
      const T diff = xf[w] - c;
      acc[w] += diff * diff;
    }
  }
}

// The k-means++ kernel on kmeans_lanes rows (laid out as in lane_squared_distances).
// have[w] is the row's running closest squared distance. When `pending` is non-null,
// have is first lowered to the distance to that point. Then, for each of `count`
// candidates q (d values each, one after another), lane_sums[q * kmeans_lanes + w] +=
// weight[w] min(have[w], ||x_w - q||^2).
template <class T, int D>
void plus_plus_lanes(const T* x, std::ptrdiff_t stride, std::ptrdiff_t dynamic_d, const T* pending,
                     const T* candidates, std::ptrdiff_t count, double* have,
                     const double* weight, double* lane_sums) {
  const std::ptrdiff_t d = D > 0 ? D : dynamic_d;
  constexpr std::ptrdiff_t L = kmeans_lanes;
  T acc[L];
  if (pending) {
    lane_squared_distances<T, D>(x, stride, d, pending, acc);
    for (std::ptrdiff_t w = 0; w < L; ++w) have[w] = std::min(have[w], static_cast<double>(acc[w]));
  }
  for (std::ptrdiff_t q = 0; q < count; ++q) {
    lane_squared_distances<T, D>(x, stride, d, candidates + q * d, acc);
    double* s = lane_sums + q * L;
    for (std::ptrdiff_t w = 0; w < L; ++w) s[w] += weight[w] * std::min(have[w], static_cast<double>(acc[w]));
  }
}

// Rows [begin, end) of one chunk: nearest centres into labels (changes counted in
// out.changed) and, when accumulate is set, the weighted sums of the centred rows of each
// cluster into out.sums / out.weights (in row order).
template <class T, int D>
void assign_chunk(const kmeans_data<T>& X, const Eigen::VectorXd& mean, const double* weights,
                  const centre_scores<T>& scores, kmeans_labels& labels, bool accumulate,
                  std::ptrdiff_t begin, std::ptrdiff_t end, chunk_sums& out) {
  const std::ptrdiff_t d = D > 0 ? D : X.cols();
  std::vector<T> block(static_cast<std::size_t>(d * kmeans_block_rows));
  int fresh[kmeans_block_rows];
  for (std::ptrdiff_t b = begin; b < end; b += kmeans_block_rows) {
    const std::ptrdiff_t len = std::min(kmeans_block_rows, end - b);
    load_centred_block(X, mean, b, len, block.data());
    nearest_in_block<T, D>(block.data(), d, len, scores, fresh);
    for (std::ptrdiff_t i = 0; i < len; ++i) {
      const int j = fresh[i];
      out.changed += labels(b + i) != j;
      labels(b + i) = j;
      if (!accumulate) continue;
      const double w = weights ? weights[b + i] : 1.0;
      double* acc = out.sums.col(j).data();
      const T* x = block.data() + i;
      for (std::ptrdiff_t f = 0; f < d; ++f) acc[f] += w * static_cast<double>(x[f * kmeans_block_rows]);
      out.weights(j) += w;
    }
  }
}

// One pass over the rows: nearest centre for every row (written to labels, changes
// counted) and, when `sums` is non-null, the weighted per-cluster sums of the centred
// rows per chunk. weights may be null (all ones).
template <class T>
void assign_rows(const kmeans_data<T>& X, const Eigen::VectorXd& mean, const double* weights,
                 const centre_scores<T>& scores, unsigned threads, kmeans_labels& labels,
                 std::vector<chunk_sums>* sums) {
  const std::ptrdiff_t n = X.rows(), d = X.cols();
  const auto k = scores.norm2.size();
  std::vector<chunk_sums> parts(static_cast<std::size_t>(chunk_count(n)));
  for_each_chunk(n, threads, [&](std::ptrdiff_t chunk, std::ptrdiff_t begin, std::ptrdiff_t end) {
    chunk_sums& out = parts[static_cast<std::size_t>(chunk)];
    if (sums) {
      out.sums = Eigen::MatrixXd::Zero(d, k);
      out.weights = Eigen::VectorXd::Zero(k);
    }
    with_feature_count(d, [&](auto features) {
      assign_chunk<T, decltype(features)::value>(X, mean, weights, scores, labels, sums != nullptr,
                                                 begin, end, out);
    });
  });
  if (sums) *sums = std::move(parts);
}

// Sums the chunk partials in chunk order (the fixed reduction order).
inline chunk_sums reduce_chunks(const std::vector<chunk_sums>& parts, Eigen::Index d,
                                Eigen::Index k) {
  chunk_sums total;
  total.sums = Eigen::MatrixXd::Zero(d, k);
  total.weights = Eigen::VectorXd::Zero(k);
  for (const auto& p : parts) {
    total.sums += p.sums;
    total.weights += p.weights;
    total.changed += p.changed;
  }
  return total;
}

// Squared distance between row i of X (centred by mean) and a centred centre, in double.
template <class T>
double squared_distance(const kmeans_data<T>& X, const Eigen::VectorXd& mean, Eigen::Index i,
                        const double* centre) {
  double s = 0.0;
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    const double diff = (static_cast<double>(X(i, f)) - mean(f)) - centre[f];
    s += diff * diff;
  }
  return s;
}

// sum_i w_i ||x_i - c_{label_i}||^2, computed directly (not by the expansion), summed
// per chunk and then in chunk order.
template <class T>
double weighted_inertia(const kmeans_data<T>& X, const Eigen::VectorXd& mean, const double* weights,
                        const Eigen::MatrixXd& centred, const kmeans_labels& labels,
                        unsigned threads) {
  std::vector<double> parts(static_cast<std::size_t>(chunk_count(X.rows())), 0.0);
  for_each_chunk(X.rows(), threads, [&](std::ptrdiff_t chunk, std::ptrdiff_t begin, std::ptrdiff_t end) {
    double s = 0.0;
    for (std::ptrdiff_t i = begin; i < end; ++i)
      s += (weights ? weights[i] : 1.0) * squared_distance(X, mean, i, centred.col(labels(i)).data());
    parts[static_cast<std::size_t>(chunk)] = s;
  });
  double total = 0.0;
  for (double p : parts) total += p;
  return total;
}

}  // namespace patron::detail
