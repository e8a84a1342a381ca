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
#include <cmath>
#include <cstddef>
#include <cstdint>
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
//
// Double data is scored first in float (twice the lanes per instruction) and the float
// argmin is kept only when the float scores provably pick the same centre as the double
// ones: the gap between the best and second-best float score must exceed twice a bound
// on |float score - double score| (float_screen below; derivation in docs/kmeans.md,
// "Float screening"). Other groups are scored again in double, so the labels are those
// of the double scoring bit for bit.
enum class double_scoring {
  float_screen,  // float first, double where the float margin is too small (default)
  double_only    // the reference path the screen must reproduce (tests)
};

// The float copy of the centre scores and the error bound. For a row with float
// ||x'||^2 = xx (computed from the float row), twice the bound on the difference between
// any centre's float and double scores is slope * xx + base, valid while
// xx < norm_limit (no float overflow).
struct float_screen {
  bool enabled = false;
  std::vector<float> minus_two, norm2;
  float slope = 0.0F, base = 0.0F, norm_limit = 0.0F;
};

template <class T>
struct centre_scores {
  std::ptrdiff_t k = 0;
  std::vector<T> minus_two;  // k x d, centre-major
  std::vector<T> norm2;      // k
  float_screen screen;       // double data only
};

// The float screen needs one float packet to hold exactly one group of double rows.
inline constexpr bool kmeans_float_screen_available =
    kmeans_packet_size<float> == kmeans_group<double>;

// The smallest float >= v (v >= 0 finite and below FLT_MAX).
inline float float_at_least(double v) {
  float f = static_cast<float>(v);
  if (static_cast<double>(f) < v) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

// The screen's bound (docs/kmeans.md, "Float screening"). With u = 2^-24, inputs rounded
// to float cost (2u + u^2) A, the float chain of at most 2d roundings gamma_2d(u) A, the
// double chain gamma_2d(2^-53) A, where A = N_j + sum_f |x'_f| |m_jf| <=
// N_j + ||x'||^2 + ||c'_j||^2 <= K + ||x'||^2 (K = max_j 2.001 N_j) and ||x'||^2 <=
// xx (1 + (2d + 2) u). For d <= 256 all of it is below (2d + 3) u (K + xx); the bound
// used is twice that, plus (d + 1) 2^-120 for underflow (also with flush-to-zero), and
// the float evaluation of slope * xx + base is rounded up.
inline float_screen make_float_screen(const Eigen::MatrixXd& centred, const std::vector<double>& norm2) {
  float_screen s;
  const Eigen::Index d = centred.rows();
  constexpr double u = 0x1p-24, limit = static_cast<double>(std::numeric_limits<float>::max()) / 16.0;
  if (!kmeans_float_screen_available || d > 256) return s;
  double k_max = 0.0;
  for (double n : norm2) k_max = std::max(k_max, 2.001 * n);
  if (!(k_max < limit)) return s;
  const double c = 2.0 * (2.0 * static_cast<double>(d) + 3.0) * u;
  const double eta = (static_cast<double>(d) + 1.0) * 0x1p-120;
  // The float fma in the kernel rounds once (relative u); 1 + 4u covers it.
  s.slope = float_at_least(2.0 * c * (1.0 + 4.0 * u));
  s.base = float_at_least(2.0 * (c * k_max + eta) * (1.0 + 4.0 * u));
  s.norm_limit = static_cast<float>(limit);
  const Eigen::MatrixXf m = (-2.0 * centred).cast<float>();
  s.minus_two.assign(m.data(), m.data() + m.size());
  s.norm2.resize(norm2.size());
  std::transform(norm2.begin(), norm2.end(), s.norm2.begin(), [](double v) { return static_cast<float>(v); });
  s.enabled = true;
  return s;
}

// centred: d x k centres minus the data mean (double).
template <class T>
centre_scores<T> prepare_scores(const Eigen::MatrixXd& centred,
                                double_scoring scoring = double_scoring::float_screen) {
  centre_scores<T> s;
  s.k = centred.cols();
  const kmeans_matrix<T> m = (-2.0 * centred).cast<T>();
  s.minus_two.assign(m.data(), m.data() + m.size());
  const kmeans_matrix<T> c = centred.cast<T>();
  s.norm2.resize(static_cast<std::size_t>(s.k));
  for (std::ptrdiff_t j = 0; j < s.k; ++j) s.norm2[static_cast<std::size_t>(j)] = c.col(j).squaredNorm();
  if constexpr (std::is_same_v<T, double>)
    if (scoring == double_scoring::float_screen) s.screen = make_float_screen(centred, s.norm2);
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

// One float packet holding a group of double rows (two double packets).
inline kmeans_packet<float> narrow_rows(const kmeans_packet<double>& low, const kmeans_packet<double>& high) {
#if defined(EIGEN_VECTORIZE_AVX512)
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(low))),
                                             _mm256_castps_pd(_mm512_cvtpd_ps(high)), 1));
#elif defined(EIGEN_VECTORIZE_AVX)
  return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(low)), _mm256_cvtpd_ps(high), 1);
#else
  namespace ei = Eigen::internal;
  constexpr std::ptrdiff_t PS = kmeans_packet_size<double>;
  double wide[2 * PS];
  float narrow[2 * PS];
  ei::pstoreu(wide, low);
  ei::pstoreu(wide + PS, high);
  for (std::ptrdiff_t w = 0; w < 2 * PS; ++w) narrow[w] = static_cast<float>(wide[w]);
  return ei::ploadu<kmeans_packet<float>>(narrow);
#endif
}

// nearest_in_group for double data through the float screen: the group's centred rows
// (in double, written to centred as there) are rounded to float, scored against the
// float centres keeping the best and second-best score, and the float argmin is kept
// when every row's margin exceeds its error bound; otherwise the whole group is scored
// again in double. narrow: scratch for d float packets (used when D = 0).
template <int D>
void nearest_in_group_screened(const double* x, std::ptrdiff_t stride, std::ptrdiff_t dynamic_d,
                               const double* mean, const centre_scores<double>& s, double* centred,
                               float* narrow, int* labels) {
  namespace ei = Eigen::internal;
  using PD = kmeans_packet<double>;
  using PF = kmeans_packet<float>;
  constexpr std::ptrdiff_t PS = kmeans_packet_size<double>, G = kmeans_group<double>;
  const std::ptrdiff_t d = D > 0 ? D : dynamic_d;
  PF rows[D > 0 ? D : 1];
  PF xx = ei::pset1<PF>(0.0F);
  for (std::ptrdiff_t f = 0; f < d; ++f) {
    const PD m = ei::pset1<PD>(mean[f]);
    const PD low = ei::psub(ei::ploadu<PD>(x + f * stride), m);
    const PD high = ei::psub(ei::ploadu<PD>(x + f * stride + PS), m);
    ei::pstoreu(centred + f * G, low);
    ei::pstoreu(centred + f * G + PS, high);
    const PF r = narrow_rows(low, high);
    xx = ei::pmadd(r, r, xx);
    if constexpr (D > 0)
      rows[f] = r;
    else
      ei::pstoreu(narrow + f * G, r);
  }
  auto row = [&](std::ptrdiff_t f) {
    if constexpr (D > 0)
      return rows[f];
    else
      return ei::ploadu<PF>(narrow + f * G);
  };
  const float_screen& fs = s.screen;
  PF best = ei::pset1<PF>(std::numeric_limits<float>::infinity()), second = best;
#if defined(EIGEN_VECTORIZE_AVX512)
  // The same steps with the comparison kept in a mask register and the index in integer
  // lanes (Eigen's pcmp_lt / pselect go through a vector mask: one more instruction per
  // centre on the busiest ports).
  __m512i best_j = _mm512_setzero_si512();
#else
  PF best_j = ei::pset1<PF>(0.0F);
#endif
  for (std::ptrdiff_t j = 0; j < s.k; ++j) {
    // Two partial sums (even and odd features) halve the dependency chain.
    PF acc = ei::pset1<PF>(fs.norm2[static_cast<std::size_t>(j)]), odd = ei::pset1<PF>(0.0F);
    const float* c = fs.minus_two.data() + j * d;
    std::ptrdiff_t f = 0;
    for (; f + 1 < d; f += 2) {
      acc = ei::pmadd(row(f), ei::pset1<PF>(c[f]), acc);
      odd = ei::pmadd(row(f + 1), ei::pset1<PF>(c[f + 1]), odd);
    }
    if (f < d) acc = ei::pmadd(row(f), ei::pset1<PF>(c[f]), acc);
    acc = ei::padd(acc, odd);
    second = ei::pmin(second, ei::pmax(best, acc));
#if defined(EIGEN_VECTORIZE_AVX512)
    const __mmask16 closer = _mm512_cmp_ps_mask(acc, best, _CMP_LT_OQ);
    best_j = _mm512_mask_blend_epi32(closer, best_j, _mm512_set1_epi32(static_cast<int>(j)));
    best = _mm512_mask_blend_ps(closer, best, acc);
#else
    const PF closer = ei::pcmp_lt(acc, best);
    best_j = ei::pselect(closer, ei::pset1<PF>(static_cast<float>(j)), best_j);
    best = ei::pselect(closer, acc, best);
#endif
  }
  const PF twice_bound = ei::pmadd(xx, ei::pset1<PF>(fs.slope), ei::pset1<PF>(fs.base));
#if defined(EIGEN_VECTORIZE_AVX512)
  const __mmask16 safe = _mm512_cmp_ps_mask(twice_bound, _mm512_sub_ps(second, best), _CMP_LT_OQ) &
                         _mm512_cmp_ps_mask(xx, _mm512_set1_ps(fs.norm_limit), _CMP_LT_OQ);
  if (safe != 0xFFFF) {
    nearest_in_group<double, D>(x, stride, d, mean, s, centred, labels);
    return;
  }
  _mm512_storeu_si512(labels, best_j);
#else
  const PF safe = ei::pand(ei::pcmp_lt(twice_bound, ei::psub(second, best)),
                           ei::pcmp_lt(xx, ei::pset1<PF>(fs.norm_limit)));
  if (ei::predux_any(ei::pandnot(ei::ptrue(safe), safe))) {
    nearest_in_group<double, D>(x, stride, d, mean, s, centred, labels);
    return;
  }
  float index[G];
  ei::pstoreu(index, best_j);
  for (std::ptrdiff_t w = 0; w < G; ++w) labels[w] = static_cast<int>(index[w]);
#endif
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

// Transposes a square block of packets in registers. For AVX-512 doubles in 24 shuffles
// (Eigen's version goes through 256-bit halves and takes about twice as many).
template <class P>
EIGEN_ALWAYS_INLINE void transpose_tile(Eigen::internal::PacketBlock<P, Eigen::internal::unpacket_traits<P>::size>& tile) {
#if defined(EIGEN_VECTORIZE_AVX512)
  using traits = Eigen::internal::unpacket_traits<P>;
  if constexpr (std::is_same_v<typename traits::type, double> && traits::size == 8) {
    __m512d* p = tile.packet;
    const __m512d t0 = _mm512_unpacklo_pd(p[0], p[1]), t1 = _mm512_unpackhi_pd(p[0], p[1]);
    const __m512d t2 = _mm512_unpacklo_pd(p[2], p[3]), t3 = _mm512_unpackhi_pd(p[2], p[3]);
    const __m512d t4 = _mm512_unpacklo_pd(p[4], p[5]), t5 = _mm512_unpackhi_pd(p[4], p[5]);
    const __m512d t6 = _mm512_unpacklo_pd(p[6], p[7]), t7 = _mm512_unpackhi_pd(p[6], p[7]);
    // u0: rows 0 and 4, features 0-3, as 128-bit pieces (r0 f01, r4 f01, r0 f23, r4 f23).
    const __m512d u0 = _mm512_shuffle_f64x2(t0, t2, 0x88), u1 = _mm512_shuffle_f64x2(t0, t2, 0xDD);
    const __m512d u2 = _mm512_shuffle_f64x2(t1, t3, 0x88), u3 = _mm512_shuffle_f64x2(t1, t3, 0xDD);
    const __m512d u4 = _mm512_shuffle_f64x2(t4, t6, 0x88), u5 = _mm512_shuffle_f64x2(t4, t6, 0xDD);
    const __m512d u6 = _mm512_shuffle_f64x2(t5, t7, 0x88), u7 = _mm512_shuffle_f64x2(t5, t7, 0xDD);
    p[0] = _mm512_shuffle_f64x2(u0, u4, 0x88);
    p[4] = _mm512_shuffle_f64x2(u0, u4, 0xDD);
    p[2] = _mm512_shuffle_f64x2(u1, u5, 0x88);
    p[6] = _mm512_shuffle_f64x2(u1, u5, 0xDD);
    p[1] = _mm512_shuffle_f64x2(u2, u6, 0x88);
    p[5] = _mm512_shuffle_f64x2(u2, u6, 0xDD);
    p[3] = _mm512_shuffle_f64x2(u3, u7, 0x88);
    p[7] = _mm512_shuffle_f64x2(u3, u7, 0xDD);
    return;
  }
#endif
  Eigen::internal::ptranspose(tile);
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
    // x + w * acc for weighted rows; x + acc (the same value as x * 1 + acc) otherwise.
    auto add_rows = [&](auto weighted) {
      for (std::ptrdiff_t r = 0; r * PS < len; ++r) {
        const std::ptrdiff_t rows = std::min(PS, len - r * PS);
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
          transpose_tile(tile);  // tile.packet[v]: row r * PS + v, features t .. t + PS - 1
          for (std::ptrdiff_t v = 0; v < rows; ++v) {
            const std::ptrdiff_t i = r * PS + v;
            double* acc = sums + ((v & 1) * k + labels[i]) * stride + t;
            if constexpr (decltype(weighted)::value)
              ei::pstoreu(acc, ei::pmadd(tile.packet[v], ei::pset1<P>(weights[i]), ei::ploadu<P>(acc)));
            else
              ei::pstoreu(acc, ei::padd(tile.packet[v], ei::ploadu<P>(acc)));
          }
        }
      }
    };
    if (weights)
      add_rows(std::true_type{});
    else
      add_rows(std::false_type{});
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
  std::vector<float> narrow(D > 0 ? 0 : static_cast<std::size_t>(d * G));  // see nearest_in_group_screened
  std::vector<T> mean_t(static_cast<std::size_t>(d));
  for (std::ptrdiff_t f = 0; f < d; ++f) mean_t[static_cast<std::size_t>(f)] = static_cast<T>(mean(f));
  int fresh[G];
  // This chunk's cluster sums (two copies, see add_to_sums), centre-major with `stride`
  // per centre; added to out at the end.
  std::vector<double> sums(accumulate ? static_cast<std::size_t>(2 * stride * k) : 0, 0.0);
  std::vector<double> cluster_weight(accumulate ? static_cast<std::size_t>(k) : 0, 0.0);
  // Unweighted rows are counted in integers (the same totals, with a one-cycle add in the
  // read-modify-write chain).
  std::vector<std::int64_t> cluster_rows(accumulate ? static_cast<std::size_t>(k) : 0, 0);
  std::ptrdiff_t changed = 0;
  for (std::ptrdiff_t g = begin; g < end; g += G) {
    const std::ptrdiff_t len = std::min(G, end - g);
    const T* rows = X.data() + g;
    std::ptrdiff_t row_stride = X.outerStride();
    if (len < G) {  // the last rows, through a zero-padded copy
      std::fill(tail.begin(), tail.end(), T(0));
      for (std::ptrdiff_t f = 0; f < d; ++f)
        std::copy(X.col(f).data() + g, X.col(f).data() + end, tail.data() + f * G);
      rows = tail.data();
      row_stride = G;
    }
    if constexpr (std::is_same_v<T, double> && kmeans_float_screen_available) {
      if (scores.screen.enabled)
        nearest_in_group_screened<D>(rows, row_stride, d, mean_t.data(), scores, group.data(), narrow.data(), fresh);
      else
        nearest_in_group<T, D>(rows, row_stride, d, mean_t.data(), scores, group.data(), fresh);
    } else {
      nearest_in_group<T, D>(rows, row_stride, d, mean_t.data(), scores, group.data(), fresh);
    }
    int* previous = labels.data() + g;
    for (std::ptrdiff_t w = 0; w < len; ++w) {
      changed += previous[w] != fresh[w];
      previous[w] = fresh[w];
    }
    if (!accumulate) continue;
    const double* wt = weights ? weights + g : nullptr;
    add_to_sums(group.data(), d, k, stride, len, fresh, wt, sums.data());
    if (wt)
      for (std::ptrdiff_t w = 0; w < len; ++w) cluster_weight[static_cast<std::size_t>(fresh[w])] += wt[w];
    else
      for (std::ptrdiff_t w = 0; w < len; ++w) ++cluster_rows[static_cast<std::size_t>(fresh[w])];
  }
  out.changed += changed;
  if (!accumulate) return;
  if (!weights)
    for (std::ptrdiff_t j = 0; j < k; ++j)
      cluster_weight[static_cast<std::size_t>(j)] = static_cast<double>(cluster_rows[static_cast<std::size_t>(j)]);
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

// Column minima and maxima of X, in double, and whether X is finite, from one read of
// X: each column is reduced in blocks of 256 rows, in L1 between the minimum and the
// maximum (separate finiteness, minimum and maximum passes over a large X cost three
// reads from memory: 60% of a predict; blocks of 512, 1024, 2048 and 8192 rows measured
// about 4%, 7%, 18% and 35% slower than 256). Both reductions propagate NaN and an
// infinity is an extreme, so X is finite exactly when every extreme is.
struct column_ranges {
  Eigen::VectorXd low, high;
  bool finite = true;
};

template <class Derived>
column_ranges scan_column_ranges(const Eigen::MatrixBase<Derived>& X) {
  constexpr Eigen::Index block = 256;
  column_ranges r;
  r.low.resize(X.cols());
  r.high.resize(X.cols());
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (Eigen::Index b = 0; b < X.rows(); b += block) {
      const auto part = X.col(f).segment(b, std::min(block, X.rows() - b));
      const auto part_low = static_cast<double>(part.template minCoeff<Eigen::PropagateNaN>());
      const auto part_high = static_cast<double>(part.template maxCoeff<Eigen::PropagateNaN>());
      if (!(std::isfinite(part_low) && std::isfinite(part_high))) {
        r.finite = false;
        return r;
      }
      low = std::min(low, part_low);
      high = std::max(high, part_high);
    }
    r.low(f) = low;
    r.high(f) = high;
  }
  return r;
}

// require_finite(fn, name, X) and the column ranges that require_distances_in_range
// needs, in one read of X; a non-finite X is reported as require_finite reports it.
template <class Derived>
column_ranges require_finite_ranges(const char* fn, const char* name, const Eigen::MatrixBase<Derived>& X) {
  column_ranges r = scan_column_ranges(X);
  if (!r.finite) require_finite(fn, name, X.derived());
  return r;
}

// Squared distances are formed in T (float data is scored in float) and summed with the
// weights in double: data whose column ranges give sum_f (max_f - min_f)^2 beyond
// max(T) / 16, or beyond max(double) / 16 once multiplied by the total weight, would
// overflow to inf and leave NaN centres, a NaN inertia or every row in one cluster,
// silently. The range is that of the rows of X (x_range, from require_finite_ranges) and
// (when given) of the centres C together; rejected naming the element farthest from its
// column's midrange in the first column that breaks the bound.
template <class T, class DerivedX, class DerivedC>
void require_distances_in_range(const char* fn, const char* x_name,
                                const Eigen::MatrixBase<DerivedX>& X, const column_ranges& x_range,
                                const char* c_name, const Eigen::MatrixBase<DerivedC>& C,
                                double total_weight) {
  const double limit = std::min(static_cast<double>(std::numeric_limits<T>::max()),
                                std::numeric_limits<double>::max() / std::max(1.0, total_weight)) /
                       16.0;
  const bool with_c = C.rows() > 0;
  double spread2 = 0.0;
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    double low = x_range.low(f), high = x_range.high(f);
    if (with_c) {
      low = std::min(low, static_cast<double>(C.col(f).minCoeff()));
      high = std::max(high, static_cast<double>(C.col(f).maxCoeff()));
    }
    const double half_range = 0.5 * high - 0.5 * low;  // cannot overflow
    spread2 += 4.0 * half_range * half_range;
    if (spread2 <= limit) continue;
    const auto x = X.col(f).template cast<double>();
    const double middle = 0.5 * low + 0.5 * high;
    Eigen::Index at = 0;
    const double x_far = (x.array() - middle).abs().maxCoeff(&at);
    const char* name = x_name;
    double value = x(at);
    if (with_c) {
      Eigen::Index c_at = 0;
      const auto c = C.col(f).template cast<double>();
      if ((c.array() - middle).abs().maxCoeff(&c_at) > x_far) {
        name = c_name;
        at = c_at;
        value = c(c_at);
      }
    }
    throw_invalid(fn, std::string(name) + "(" + std::to_string(at) + ", " + std::to_string(f) +
                          ") (" + format_value(value) +
                          ") is so far from the other rows that squared distances overflow " +
                          (std::is_same_v<T, float> ? "float" : "double") +
                          ": rescale the features (fit_standard_scaler)");
  }
}

template <class T, class Derived>
void require_distances_in_range(const char* fn, const char* x_name,
                                const Eigen::MatrixBase<Derived>& X, const column_ranges& x_range,
                                double total_weight) {
  require_distances_in_range<T>(fn, x_name, X, x_range, x_name, Eigen::MatrixXd(0, X.cols()),
                                total_weight);
}

}  // namespace patron::detail
