// The inner loops of k-means: nearest-centre assignment with per-chunk sums, the
// k-means++ scoring kernel, exact squared distances, and the chunk-ordered reductions
// that keep results independent of the thread count. The assignment works on the data
// *centred* by its column means (x' = x - mean, formed in registers), as scikit-learn
// does, so that the expansion ||x - c||^2 = ||x'||^2 - 2 x'.c' + ||c'||^2 loses little to
// cancellation; the k-means++ kernel computes sum_f (x_f - c_f)^2 directly, which needs
// no centring.
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

// Rows scored at once by the k-means++ kernel (kmeans_lanes accumulators per point,
// kept in SIMD registers).
inline constexpr std::ptrdiff_t kmeans_lanes = 32;

// The assignment kernel scores groups of kmeans_group<T> rows: kmeans_group_packets SIMD
// packets (Eigen's widest packet for T) side by side, so each centre's scores for the
// group sit in registers while the group's centred features are reused across centres.
template <class T>
using kmeans_packet = typename Eigen::internal::packet_traits<T>::type;
template <class T>
inline constexpr std::ptrdiff_t kmeans_packet_size =
    Eigen::internal::unpacket_traits<kmeans_packet<T>>::size;
inline constexpr std::ptrdiff_t kmeans_group_packets = 2;
template <class T>
inline constexpr std::ptrdiff_t kmeans_group = kmeans_group_packets * kmeans_packet_size<T>;

// Centres prepared for the assignment kernel, in the scalar type of the data:
// minus_two[j * d + f] = -2 c'_jf and norm2[j] = ||c'_j||^2, so the score of centre j is
// norm2[j] + sum_f x'_f minus_two[j * d + f] = ||x - c_j||^2 - ||x'||^2.
template <class T>
struct centre_scores {
  std::ptrdiff_t k = 0;
  std::vector<T> minus_two;  // k x d, centre-major
  std::vector<T> norm2;      // k
};

// centred: d x k centres minus the data mean (double).
template <class T>
centre_scores<T> prepare_scores(const Eigen::MatrixXd& centred) {
  centre_scores<T> s;
  s.k = centred.cols();
  const kmeans_matrix<T> m = (-2.0 * centred).cast<T>();
  s.minus_two.assign(m.data(), m.data() + m.size());
  const kmeans_matrix<T> c = centred.cast<T>();
  s.norm2.resize(static_cast<std::size_t>(s.k));
  for (std::ptrdiff_t j = 0; j < s.k; ++j) s.norm2[static_cast<std::size_t>(j)] = c.col(j).squaredNorm();
  return s;
}

// Per-chunk output of an assignment pass.
struct chunk_sums {
  Eigen::MatrixXd sums;     // d x k: sum of w x' over the chunk's rows of each cluster
  Eigen::VectorXd weights;  // k: sum of w
  std::ptrdiff_t changed = 0;  // rows whose label changed
};

// Nearest centre of each row of a group of G = kmeans_group<T> rows: feature f of row w
// is x[f * stride + w]. The centred rows are written to centred[f * G + w] and the
// labels to labels[w]; ties go to the lowest centre index. D > 0 is the number of
// features known at compile time (the loops over features unroll); D = 0 reads it from
// `dynamic_d`. Written with Eigen's packet primitives: the compare-and-select must stay
// in registers, which auto-vectorisers do not reliably manage here.
template <class T, int D>
void nearest_in_group(const T* x, std::ptrdiff_t stride, std::ptrdiff_t dynamic_d,
                      const T* mean, const centre_scores<T>& s, T* centred, int* labels) {
  namespace ei = Eigen::internal;
  using P = kmeans_packet<T>;
  constexpr std::ptrdiff_t R = kmeans_group_packets, PS = kmeans_packet_size<T>, G = R * PS;
  const std::ptrdiff_t d = D > 0 ? D : dynamic_d;
  for (std::ptrdiff_t f = 0; f < d; ++f) {
    const P m = ei::pset1<P>(mean[f]);
    for (std::ptrdiff_t r = 0; r < R; ++r)
      ei::pstoreu(centred + f * G + r * PS, ei::psub(ei::ploadu<P>(x + f * stride + r * PS), m));
  }
  P best[R], best_j[R];
  for (std::ptrdiff_t r = 0; r < R; ++r) {
    best[r] = ei::pset1<P>(std::numeric_limits<T>::infinity());
    best_j[r] = ei::pset1<P>(T(0));
  }
  for (std::ptrdiff_t j = 0; j < s.k; ++j) {
    P acc[R];
    for (std::ptrdiff_t r = 0; r < R; ++r) acc[r] = ei::pset1<P>(s.norm2[static_cast<std::size_t>(j)]);
    const T* c = s.minus_two.data() + j * d;
    for (std::ptrdiff_t f = 0; f < d; ++f) {
      const P cf = ei::pset1<P>(c[f]);
      for (std::ptrdiff_t r = 0; r < R; ++r)
        acc[r] = ei::pmadd(ei::ploadu<P>(centred + f * G + r * PS), cf, acc[r]);
    }
    const P tj = ei::pset1<P>(static_cast<T>(j));
    for (std::ptrdiff_t r = 0; r < R; ++r) {
      const P closer = ei::pcmp_lt(acc[r], best[r]);
      best_j[r] = ei::pselect(closer, tj, best_j[r]);
      best[r] = ei::pselect(closer, acc[r], best[r]);
    }
  }
  T index[G];
  for (std::ptrdiff_t r = 0; r < R; ++r) ei::pstoreu(index + r * PS, best_j[r]);
  for (std::ptrdiff_t w = 0; w < G; ++w) labels[w] = static_cast<int>(index[w]);
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

// Adds the weighted centred rows of a group to their clusters' sums: for the first len
// rows i (labels[i] = j), sums[((i & 1) * k + j) * stride + f] += w_i x'_if, in row
// order. Odd and even rows go to separate copies so that consecutive rows of one
// cluster do not wait on each other's stores. centred holds the group feature-major (centred[f * G + i]) with zero rows for
// f >= d up to `stride` (a multiple of the packet size). For double data, packet-wide
// tiles of it are transposed in registers so that each row is added with a few packet
// operations instead of one scalar update per feature.
template <class T>
void add_to_sums(const T* centred, std::ptrdiff_t d, std::ptrdiff_t k, std::ptrdiff_t stride, std::ptrdiff_t len,
                 const int* labels, const double* weights, double* sums) {
  constexpr std::ptrdiff_t G = kmeans_group<T>;
  if constexpr (std::is_same_v<T, double>) {
    namespace ei = Eigen::internal;
    using P = kmeans_packet<double>;
    constexpr std::ptrdiff_t PS = kmeans_packet_size<double>;
    for (std::ptrdiff_t r = 0; r * PS < len; ++r) {
      for (std::ptrdiff_t t = 0; t < stride; t += PS) {
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // the packet's alignment attribute
#endif
        ei::PacketBlock<P, PS> tile;
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
        for (std::ptrdiff_t q = 0; q < PS; ++q) tile.packet[q] = ei::ploadu<P>(centred + (t + q) * G + r * PS);
        ei::ptranspose(tile);  // tile.packet[v]: row r * PS + v, features t .. t + PS - 1
        for (std::ptrdiff_t v = 0; v < PS && r * PS + v < len; ++v) {
          const std::ptrdiff_t i = r * PS + v;
          double* acc = sums + ((v & 1) * k + labels[i]) * stride + t;
          ei::pstoreu(acc, ei::pmadd(tile.packet[v], ei::pset1<P>(weights ? weights[i] : 1.0), ei::ploadu<P>(acc)));
        }
      }
    }
  } else {
    for (std::ptrdiff_t i = 0; i < len; ++i) {
      const double wt = weights ? weights[i] : 1.0;
      double* acc = sums + ((i & 1) * k + labels[i]) * stride;
      for (std::ptrdiff_t f = 0; f < d; ++f) acc[f] += wt * static_cast<double>(centred[f * G + i]);
    }
  }
}

// Rows [begin, end) of one chunk: nearest centres into labels (changes counted in
// out.changed) and, when accumulate is set, the weighted sums of the centred rows of each
// cluster into out.sums / out.weights (in row order). Rows are read straight from X a
// group at a time (centred in registers), so the memory reads interleave with the
// arithmetic.
template <class T, int D>
void assign_chunk(const kmeans_data<T>& X, const Eigen::VectorXd& mean, const double* weights,
                  const centre_scores<T>& scores, kmeans_labels& labels, bool accumulate,
                  std::ptrdiff_t begin, std::ptrdiff_t end, chunk_sums& out) {
  const std::ptrdiff_t d = D > 0 ? D : X.cols();
  const std::ptrdiff_t k = scores.k;
  constexpr std::ptrdiff_t G = kmeans_group<T>, PS = kmeans_packet_size<T>;
  // Feature rows padded to whole packets (the padding stays zero) for add_to_sums.
  const std::ptrdiff_t stride = (d + PS - 1) / PS * PS;
  std::vector<T> group(static_cast<std::size_t>(stride * G), T(0)), tail(static_cast<std::size_t>(d * G));
  std::vector<T> mean_t(static_cast<std::size_t>(d));
  for (std::ptrdiff_t f = 0; f < d; ++f) mean_t[static_cast<std::size_t>(f)] = static_cast<T>(mean(f));
  int fresh[G];
  // This chunk's cluster sums (two copies, see add_to_sums), centre-major with `stride`
  // per centre; added to out at the end.
  std::vector<double> sums(accumulate ? static_cast<std::size_t>(2 * stride * k) : 0, 0.0);
  std::vector<double> cluster_weight(accumulate ? static_cast<std::size_t>(k) : 0, 0.0);
  for (std::ptrdiff_t g = begin; g < end; g += G) {
    const std::ptrdiff_t len = std::min(G, end - g);
    if (len == G) {
      nearest_in_group<T, D>(X.data() + g, X.outerStride(), d, mean_t.data(), scores, group.data(), fresh);
    } else {  // the last rows, through a zero-padded copy
      std::fill(tail.begin(), tail.end(), T(0));
      for (std::ptrdiff_t f = 0; f < d; ++f)
        std::copy(X.col(f).data() + g, X.col(f).data() + end, tail.data() + f * G);
      nearest_in_group<T, D>(tail.data(), G, d, mean_t.data(), scores, group.data(), fresh);
    }
    for (std::ptrdiff_t w = 0; w < len; ++w) {
      out.changed += labels(g + w) != fresh[w];
      labels(g + w) = fresh[w];
    }
    if (!accumulate) continue;
    const double* wt = weights ? weights + g : nullptr;
    add_to_sums(group.data(), d, k, stride, len, fresh, wt, sums.data());
    for (std::ptrdiff_t w = 0; w < len; ++w) cluster_weight[static_cast<std::size_t>(fresh[w])] += wt ? wt[w] : 1.0;
  }
  if (!accumulate) return;
  for (std::ptrdiff_t j = 0; j < k; ++j) {
    out.sums.col(j) += Eigen::Map<const Eigen::VectorXd>(sums.data() + j * stride, d) +
                       Eigen::Map<const Eigen::VectorXd>(sums.data() + (k + j) * stride, d);
    out.weights(j) += cluster_weight[static_cast<std::size_t>(j)];
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
  const auto k = scores.k;
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
