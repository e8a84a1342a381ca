// Quantile cut points and bins for patron/rfm.hpp.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "patron/core/cpu.hpp"
#include "patron/core/parallel.hpp"
#if PATRON_DISPATCH_AVX2
#include <immintrin.h>  // the AVX2 intrinsics, for the loop compiled for AVX2 alone
#endif

namespace patron::detail {

constexpr int rfm_min_bins = 2;
constexpr int rfm_max_bins = 10;

// numpy's linear interpolation (method "linear", R type 7), with numpy's two-sided
// lerp so that the breakpoints agree with pandas.qcut to the last bit:
//   q(p) = x[floor(h)] + (h - floor(h)) (x[floor(h)+1] - x[floor(h)]),  h = (n - 1) p.
inline double lerp_like_numpy(double a, double b, double t) {
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// Probability of the j-th cut point as numpy.linspace(0, 1, bins + 1) spells it,
// j * (1 / bins), which differs from j / bins in the last bit for some j.
inline double cut_probability(int j, int bins) {
  return static_cast<double>(j) * (1.0 / static_cast<double>(bins));
}

// The order statistics x_(i) and x_(i+1) behind one cut point (x_(i) twice when i is
// the last rank).
struct order_pair {
  double at, next;
};

// x_(i+1) once *nth holds x_(i) of [nth, end): the least value after nth (x_(i) itself
// when nothing follows).
template <class It>
double next_order_statistic(It nth, It end) {
  if (nth + 1 == end) return *nth;
  double least = *(nth + 1);
  for (It it = nth + 2; it < end; ++it) least = *it < least ? *it : least;
  return least;
}

// Pairs at ascending ranks by partial selections on a copy, each on the part of the
// range right of the previous one (O(n * bins) in all); x_(i+1) is the least value right
// of x_(i), a scan rather than a second selection.
inline std::vector<order_pair> selected_pairs(const double* values, std::size_t n,
                                              const std::vector<std::size_t>& rank) {
  std::vector<double> work(values, values + n);
  std::vector<order_pair> pairs;
  auto first = work.begin();
  std::size_t selected = n;  // the rank work[selected] holds; n: none yet
  for (const std::size_t i : rank) {
    if (i != selected) {
      const auto nth = work.begin() + static_cast<std::ptrdiff_t>(i);
      std::nth_element(first, nth, work.end());
      first = nth + 1;
      selected = i;
    }
    const auto nth = work.begin() + static_cast<std::ptrdiff_t>(i);
    pairs.push_back({*nth, next_order_statistic(nth, work.end())});
  }
  return pairs;
}

// One rank's bracket in a pass over the values: values below lo and up to lo and hi are
// counted, those strictly between kept, and the least value above hi remembered, so
// the order statistics from rank `below` to rank `upto_hi` (inclusive) are known:
//   [below, upto_lo) equal lo, then the kept values in order, then up to upto_hi equal
//   hi, and at rank upto_hi the least value above hi.
// Counting the ends rather than keeping them makes heavy ties (integer frequencies,
// days) cost nothing: a bracket between two tied values keeps none.
struct rank_bracket {
  double lo = 0.0, hi = 0.0;
  std::size_t below = 0, upto_lo = 0, upto_hi = 0, kept = 0;
  double least_above = std::numeric_limits<double>::infinity();
  std::unique_ptr<double[]> values;  // the kept values; uninitialised, so unused pages cost nothing
};

// Adds a vector loop's lanes to the bracket: counts below, up to lo and up to hi
// (lanes[0..2]) and the least values above hi.
template <std::size_t width>
void fold_bracket_lanes(rank_bracket& b, const std::int64_t (&lanes)[3][width],
                        const double (&least_lanes)[width]) {
  for (std::size_t j = 0; j < width; ++j) {
    b.below += static_cast<std::size_t>(lanes[0][j]);
    b.upto_lo += static_cast<std::size_t>(lanes[1][j]);
    b.upto_hi += static_cast<std::size_t>(lanes[2][j]);
    b.least_above = std::min(b.least_above, least_lanes[j]);
  }
}

#if defined(EIGEN_VECTORIZE_AVX2) || PATRON_DISPATCH_AVX2
// AVX2 has no compressing store: a mask's kept lanes move to the front by a permutation
// of 32-bit lanes (two per double) looked up by the mask, and the vector is stored whole.
struct bracket_compress_table {
  alignas(32) std::int32_t lane[16][8];
  std::int32_t count[16];
  constexpr bracket_compress_table() : lane{}, count{} {
    for (int mask = 0; mask < 16; ++mask)
      for (int j = 0; j < 4; ++j)
        if ((mask >> j) & 1) {
          lane[mask][2 * count[mask]] = 2 * j;
          lane[mask][2 * count[mask] + 1] = 2 * j + 1;
          ++count[mask];
        }
  }
};
inline constexpr bracket_compress_table bracket_compress{};

// add_to_bracket's loop four values at a time, from `k` while four remain; returns where
// it stopped. `kept` is the bracket's count of kept values (a register in the caller).
PATRON_TARGET_AVX2 inline std::size_t add_to_bracket_avx2(rank_bracket& b, const double* values,
                                                          std::size_t k, std::size_t end,
                                                          std::size_t& kept) {
  double* out = b.values.get();
  const __m256d lo = _mm256_set1_pd(b.lo), hi = _mm256_set1_pd(b.hi);
  const __m256d infinity = _mm256_set1_pd(std::numeric_limits<double>::infinity());
  // Comparisons give all-ones lanes (-1): subtracting them counts.
  __m256i below = _mm256_setzero_si256(), upto_lo = below, upto_hi = below;
  __m256d least = _mm256_set1_pd(b.least_above);
  for (; k + 4 <= end; k += 4) {
    const __m256d v = _mm256_loadu_pd(values + k);
    const __m256d le_lo = _mm256_cmp_pd(v, lo, _CMP_LE_OQ);
    const __m256d le_hi = _mm256_cmp_pd(v, hi, _CMP_LE_OQ);
    below = _mm256_sub_epi64(below, _mm256_castpd_si256(_mm256_cmp_pd(v, lo, _CMP_LT_OQ)));
    upto_lo = _mm256_sub_epi64(upto_lo, _mm256_castpd_si256(le_lo));
    upto_hi = _mm256_sub_epi64(upto_hi, _mm256_castpd_si256(le_hi));
    least = _mm256_min_pd(least, _mm256_blendv_pd(v, infinity, le_hi));  // v above hi
    const int inside =
        _mm256_movemask_pd(_mm256_andnot_pd(le_lo, _mm256_cmp_pd(v, hi, _CMP_LT_OQ)));
    const __m256i order =
        _mm256_load_si256(reinterpret_cast<const __m256i*>(bracket_compress.lane[inside]));
    _mm256_storeu_pd(out + kept, _mm256_castsi256_pd(
                                     _mm256_permutevar8x32_epi32(_mm256_castpd_si256(v), order)));
    kept += static_cast<std::size_t>(bracket_compress.count[inside]);
  }
  alignas(32) std::int64_t lanes[3][4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[0]), below);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[1]), upto_lo);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[2]), upto_hi);
  alignas(32) double least_lanes[4];
  _mm256_store_pd(least_lanes, least);
  fold_bracket_lanes(b, lanes, least_lanes);
  return k;
}
#endif

#if defined(EIGEN_VECTORIZE_SSE2)
// add_to_bracket's loop two values at a time with SSE2 alone (every x86-64 build): the
// counts and the least value above as the AVX2 loop does them, the two values stored
// one after the other, each advancing the end when kept. The compiler does not
// vectorise the portable loop below (its minimum is not a min instruction under strict
// IEEE rules) and kept one of its counts on the stack, a stalled store forwarding per
// value: scores and segments 21.3 -> 12.7 ms at -march=x86-64 (session 6). Returns
// where it stopped.
inline std::size_t add_to_bracket_sse2(rank_bracket& b, const double* values, std::size_t k,
                                       std::size_t end, std::size_t& kept) {
  double* out = b.values.get();
  const __m128d lo = _mm_set1_pd(b.lo), hi = _mm_set1_pd(b.hi);
  const __m128d infinity = _mm_set1_pd(std::numeric_limits<double>::infinity());
  // Comparisons give all-ones lanes (-1): subtracting them counts.
  __m128i below = _mm_setzero_si128(), upto_lo = below, upto_hi = below;
  __m128d least = _mm_set1_pd(b.least_above);
  for (; k + 2 <= end; k += 2) {
    const __m128d v = _mm_loadu_pd(values + k);
    const __m128d le_lo = _mm_cmple_pd(v, lo);
    const __m128d le_hi = _mm_cmple_pd(v, hi);
    below = _mm_sub_epi64(below, _mm_castpd_si128(_mm_cmplt_pd(v, lo)));
    upto_lo = _mm_sub_epi64(upto_lo, _mm_castpd_si128(le_lo));
    upto_hi = _mm_sub_epi64(upto_hi, _mm_castpd_si128(le_hi));
    // v above hi, else infinity (no blend instruction before SSE4.1).
    least = _mm_min_pd(least, _mm_or_pd(_mm_and_pd(le_hi, infinity), _mm_andnot_pd(le_hi, v)));
    const int inside = _mm_movemask_pd(_mm_andnot_pd(le_lo, _mm_cmplt_pd(v, hi)));
    _mm_storel_pd(out + kept, v);
    kept += static_cast<std::size_t>(inside & 1);
    _mm_storeh_pd(out + kept, v);
    kept += static_cast<std::size_t>(inside >> 1);
  }
  alignas(16) std::int64_t lanes[3][2];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes[0]), below);
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes[1]), upto_lo);
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes[2]), upto_hi);
  alignas(16) double least_lanes[2];
  _mm_store_pd(least_lanes, least);
  fold_bracket_lanes(b, lanes, least_lanes);
  return k;
}
#endif

// Values [begin, end) into the bracket; `values` has room for end - begin more (plus 8).
inline void add_to_bracket(rank_bracket& b, const double* values, std::size_t begin,
                           std::size_t end) {
  std::size_t k = begin, kept = b.kept;  // a local, so that it stays in a register
  double* out = b.values.get();
#if defined(EIGEN_VECTORIZE_AVX512)
  // The kept values are compressed in a register and stored whole (a compressing store
  // to memory is microcoded on some cores); the next store overwrites the unused tail.
  const __m512d lo = _mm512_set1_pd(b.lo), hi = _mm512_set1_pd(b.hi);
  const __m512i one = _mm512_set1_epi64(1);
  __m512i below = _mm512_setzero_si512(), upto_lo = below, upto_hi = below;
  __m512d least = _mm512_set1_pd(b.least_above);
  for (; k + 8 <= end; k += 8) {
    const __m512d v = _mm512_loadu_pd(values + k);
    const __mmask8 le_lo = _mm512_cmp_pd_mask(v, lo, _CMP_LE_OQ);
    const __mmask8 le_hi = _mm512_cmp_pd_mask(v, hi, _CMP_LE_OQ);
    const __mmask8 inside = _kandn_mask8(le_lo, _mm512_cmp_pd_mask(v, hi, _CMP_LT_OQ));
    below = _mm512_mask_add_epi64(below, _mm512_cmp_pd_mask(v, lo, _CMP_LT_OQ), below, one);
    upto_lo = _mm512_mask_add_epi64(upto_lo, le_lo, upto_lo, one);
    upto_hi = _mm512_mask_add_epi64(upto_hi, le_hi, upto_hi, one);
    least = _mm512_mask_min_pd(least, _knot_mask8(le_hi), least, v);
    _mm512_storeu_pd(out + kept, _mm512_maskz_compress_pd(inside, v));
    kept += static_cast<std::size_t>(__builtin_popcount(inside));
  }
  b.below += static_cast<std::size_t>(_mm512_reduce_add_epi64(below));
  b.upto_lo += static_cast<std::size_t>(_mm512_reduce_add_epi64(upto_lo));
  b.upto_hi += static_cast<std::size_t>(_mm512_reduce_add_epi64(upto_hi));
  b.least_above = _mm512_reduce_min_pd(least);
#elif defined(EIGEN_VECTORIZE_AVX2)
  k = add_to_bracket_avx2(b, values, k, end, kept);
#elif defined(EIGEN_VECTORIZE_SSE2)
  // Built for the baseline: AVX2 when the processor has it (core/cpu.hpp).
#if PATRON_DISPATCH_AVX2
  if (cpu_has_avx2()) k = add_to_bracket_avx2(b, values, k, end, kept);
#endif
  k = add_to_bracket_sse2(b, values, k, end, kept);
#endif
  // Portable: the counts and the least value above in one branch-free loop, the kept
  // values in another (every value stored, those inside advance the end), in locals.
  // In one loop the compiler had kept a flag on the stack, stored as a byte and
  // reloaded as a word: a stalled store forwarding per value, 3x slower. (Testing
  // min(v - low, high - v) > 0 instead of two comparisons is 5-10% faster still, but
  // wrong when a flush-to-zero mode turns a tiny difference into 0.)
  constexpr double infinity = std::numeric_limits<double>::infinity();
  const double low = b.lo, high = b.hi;
  std::size_t under = 0, upto_low = 0, upto_high = 0;
  double least_above = b.least_above;
  for (std::size_t i = k; i < end; ++i) {
    const double v = values[i];
    under += v < low ? 1 : 0;
    upto_low += v <= low ? 1 : 0;
    upto_high += v <= high ? 1 : 0;
    const double candidate = v + (v > high ? 0.0 : infinity);  // a select, not a branch
    least_above = candidate < least_above ? candidate : least_above;
  }
  for (; k < end; ++k) {
    const double v = values[k];
    out[kept] = v;
    kept += (v > low) > (v >= high) ? 1 : 0;  // low < v < high
  }
  b.below += under;
  b.upto_lo += upto_low;
  b.upto_hi += upto_high;
  b.least_above = least_above;
  b.kept = kept;
}

// Order-preserving image of a double (-0.0 just below 0.0) as an unsigned integer.
inline std::uint64_t ordered_key(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits ^ ((bits >> 63) != 0 ? ~std::uint64_t{0} : std::uint64_t{1} << 63);
}

// The kept values' order statistics r and r + 1 (the latter unset when r is the last
// kept). A histogram of the values' keys over the bracket (2,048 buckets) finds the
// bucket of rank r, and the selection runs on that bucket alone: nth_element's
// comparisons mispredict about half the time on fresh values (about 9 ns a value, 230
// us for a bracket of 25,000), the histogram's passes do not.
inline std::pair<double, std::optional<double>> kept_order_pair(const rank_bracket& b,
                                                                std::size_t r) {
  constexpr int bucket_bits = 11;
  const double* values = b.values.get();
  const std::uint64_t low = ordered_key(b.lo), width = ordered_key(b.hi) - low;
  int shift = 0;
  while ((width >> shift) >= (std::uint64_t{1} << bucket_bits)) ++shift;
  const auto bucket_of = [&](double v) {
    return static_cast<std::size_t>((ordered_key(v) - low) >> shift);
  };
  std::vector<std::size_t> count((std::size_t{1} << bucket_bits) + 1, 0);
  for (std::size_t k = 0; k < b.kept; ++k) ++count[bucket_of(values[k])];
  std::size_t bucket = 0, before = 0;
  while (before + count[bucket] <= r) before += count[bucket++];
  std::vector<double> in;
  in.reserve(count[bucket]);
  double above = std::numeric_limits<double>::infinity();  // least value of later buckets
  for (std::size_t k = 0; k < b.kept; ++k) {
    const double v = values[k];
    const std::size_t c = bucket_of(v);
    if (c == bucket) in.push_back(v);  // rare: predicted
    const double candidate = c > bucket ? v : above;
    above = candidate < above ? candidate : above;
  }
  const auto nth = in.begin() + static_cast<std::ptrdiff_t>(r - before);
  std::nth_element(in.begin(), nth, in.end());
  std::optional<double> next;
  if (nth + 1 != in.end()) next = *std::min_element(nth + 1, in.end());
  else if (r + 1 < b.kept) next = above;
  return {*nth, next};
}

// Order statistic x_(q) from a filled bracket, or nothing when q lies outside it.
inline std::optional<double> bracket_order_statistic(const rank_bracket& b, std::size_t q,
                                                     std::size_t n) {
  if (q < b.below || q >= n) return std::nullopt;
  if (q < b.upto_lo) return b.lo;
  if (q < b.upto_lo + b.kept) return kept_order_pair(b, q - b.upto_lo).first;
  if (q < b.upto_hi) return b.hi;
  if (q == b.upto_hi) return b.least_above;
  return std::nullopt;
}

// Values a thread of a pass over one dimension's values should have at least.
constexpr std::size_t min_values_per_thread = std::size_t{1} << 16;

// Folds the brackets of later shares of the values into the first share's: counts add,
// the least value above is the least of all, the kept values are concatenated (their
// order does not matter to the selection).
inline void merge_brackets(std::vector<std::vector<rank_bracket>>& share) {
  for (std::size_t j = 0; j < share[0].size(); ++j) {
    rank_bracket& into = share[0][j];
    std::size_t kept = 0;
    for (const auto& s : share) kept += s[j].kept;
    std::unique_ptr<double[]> values(new double[kept + 1]);
    kept = 0;
    for (std::size_t k = 0; k < share.size(); ++k) {
      const rank_bracket& b = share[k][j];
      std::copy(b.values.get(), b.values.get() + b.kept, values.get() + kept);
      kept += b.kept;
      if (k == 0) continue;
      into.below += b.below;
      into.upto_lo += b.upto_lo;
      into.upto_hi += b.upto_hi;
      into.least_above = std::min(into.least_above, b.least_above);
    }
    into.values = std::move(values);
    into.kept = kept;
  }
}

// The same pairs for a large sample without selecting in all of it: cut values around
// each rank are read off a sorted stride sample, and one pass over the values (a block
// at a time, so that each block is read from memory once and from L1 for every rank)
// fills a bracket per rank, about 5% of the values each; the selection runs on the
// bracket. Exact whatever the sample: a bracket that misses its ranks or outgrows an
// eighth of the values returns no pairs and the caller falls back to selected_pairs. For
// values in random order the sample's rank has a standard deviation of at most 32
// (sqrt(4096 p (1 - p))), so a bracket of 100 sample ranks each way misses about one
// rank in 500. With several threads each fills
// brackets of its own share of the values, merged before the selection; the pairs are
// order statistics, the same for any thread count.
inline std::vector<order_pair> bracketed_pairs(const double* values, std::size_t n,
                                               const std::vector<std::size_t>& rank,
                                               std::size_t threads = 1) {
  constexpr std::size_t sample_size = 4096, half_width = 100, block = 2048;
  if (n < 16 * sample_size) return {};
  std::vector<double> sample(sample_size);
  const std::size_t stride = n / sample_size;
  for (std::size_t k = 0; k < sample_size; ++k) sample[k] = values[k * stride];
  std::sort(sample.begin(), sample.end());
  const std::size_t shares = thread_count(threads, n, min_values_per_thread);
  std::vector<std::vector<rank_bracket>> share(shares);
  for (auto& brackets : share) brackets.resize(rank.size());
  for (std::size_t j = 0; j < rank.size(); ++j) {
    // The sample's own rank for rank[j] (not rank[j] / stride: the sample covers only
    // the first stride * sample_size values, up to 1/16 fewer than n).
    const std::size_t centre = rank[j] * sample_size / n;
    // Open-ended near the extremes, where the sample says least about the tail.
    const double lo = centre >= half_width ? sample[centre - half_width]
                                           : -std::numeric_limits<double>::infinity();
    const double hi = centre + half_width < sample_size ? sample[centre + half_width]
                                                        : std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < shares; ++k) {
      const share_range values_of_share = share_of(n, shares, k);
      share[k][j].lo = lo;
      share[k][j].hi = hi;
      share[k][j].values.reset(
          new double[(values_of_share.end - values_of_share.begin) / 8 + block + 8]);
    }
  }
  std::atomic<bool> outgrown{false};
  for_each_share(n, shares, [&](std::size_t k, std::size_t first, std::size_t end) {
    const std::size_t capacity = (end - first) / 8;
    for (std::size_t begin = first; begin < end && !outgrown; begin += block) {
      for (auto& b : share[k]) {
        add_to_bracket(b, values, begin, std::min(end, begin + block));
        if (b.kept > capacity) outgrown = true;
      }
    }
  });
  if (outgrown) return {};
  if (shares > 1) merge_brackets(share);
  std::vector<rank_bracket>& brackets = share[0];
  // The selections, one per rank, are independent: a thread each.
  std::vector<std::optional<order_pair>> selected(rank.size());
  parallel_for(rank.size(), shares, [&](std::size_t j) {
    const std::size_t i = rank[j];
    const rank_bracket& b = brackets[j];
    // x_(i), and x_(i+1) (x_(i) at the last rank): both from one selection among the kept
    // values when they lie there, else read off the counts.
    std::optional<double> at, next;
    if (i >= b.below && i >= b.upto_lo && i < b.upto_lo + b.kept) {
      const auto pair = kept_order_pair(b, i - b.upto_lo);
      at = pair.first;
      next = pair.second;
    } else {
      at = bracket_order_statistic(b, i, n);
    }
    if (i + 1 == n) next = at;
    else if (!next) next = bracket_order_statistic(b, i + 1, n);
    if (at && next) selected[j] = order_pair{*at, *next};
  });
  std::vector<order_pair> pairs;
  for (const auto& pair : selected) {
    if (!pair) return {};
    pairs.push_back(*pair);
  }
  return pairs;
}

// Exact quantile cut points at p_j, j = 1 .. bins-1.
inline std::vector<double> quantile_cuts(const double* values, std::size_t n, int bins,
                                         std::size_t threads = 1) {
  const double last = static_cast<double>(n - 1);
  std::vector<std::size_t> rank;
  for (int j = 1; j < bins; ++j)
    rank.push_back(static_cast<std::size_t>(std::floor(last * cut_probability(j, bins))));
  std::vector<order_pair> x = bracketed_pairs(values, n, rank, threads);
  if (x.empty()) x = selected_pairs(values, n, rank);
  std::vector<double> cuts;
  for (int j = 1; j < bins; ++j) {
    const double h = last * cut_probability(j, bins);
    const double lo = std::floor(h);
    const auto& pair = x[static_cast<std::size_t>(j - 1)];
    cuts.push_back(lerp_like_numpy(pair.at, pair.next, h - lo));
  }
  return cuts;
}

// Scores of values [begin, end) (first, plus step for each cut point below the value)
// and, added to above[j], the number of them above cut j.
PATRON_ALWAYS_INLINE void score_block(const double* values, std::size_t begin, std::size_t end,
                                      const std::vector<double>& cuts, int first, int step,
                                      int* score, std::size_t* above) {
  for (std::size_t i = begin; i < end; ++i) score[i] = first;
  for (std::size_t j = 0; j < cuts.size(); ++j) {
    const double cut = cuts[j];
    int count = 0;  // at most a block
    for (std::size_t i = begin; i < end; ++i) {
      const int over = cut < values[i] ? 1 : 0;
      score[i] += step * over;
      count += over;
    }
    above[j] += static_cast<std::size_t>(count);
  }
}

#if PATRON_DISPATCH_AVX2
// The same compiled for AVX2, for builds for the baseline (core/cpu.hpp): SSE2 does not
// vectorise it.
PATRON_TARGET_AVX2 inline void score_block_avx2(const double* values, std::size_t begin,
                                                std::size_t end, const std::vector<double>& cuts,
                                                int first, int step, int* score,
                                                std::size_t* above) {
  score_block(values, begin, end, cuts, first, step, score, above);
}
#endif

// Score of each value from its bin, 1 + the number of cut points strictly below it,
// i.e. right-closed bins (cut_{k-1}, cut_k] as in pandas.cut / qcut, so equal values
// always share a bin; reversed, the score is bins + 1 - bin. Returns the number of
// values above each cut point, from which the customers per score follow (the cut
// points never decrease). Per cut
// point a vectorisable pass over a block of values that stays in L1, rather than a
// branchy binary search per value.
inline std::vector<std::size_t> scores_of(const double* values, std::size_t n,
                                          const std::vector<double>& cuts, bool reversed,
                                          int* score, std::size_t threads = 1) {
  constexpr std::size_t block = 2048;
  const int first = reversed ? static_cast<int>(cuts.size()) + 1 : 1, step = reversed ? -1 : 1;
  const std::size_t shares = thread_count(threads, n, min_values_per_thread);
  std::vector<std::vector<std::size_t>> above(shares, std::vector<std::size_t>(cuts.size(), 0));
  for_each_share(n, shares, [&](std::size_t k, std::size_t first_value, std::size_t end_value) {
    for (std::size_t begin = first_value; begin < end_value; begin += block) {
      const std::size_t end = std::min(end_value, begin + block);
#if PATRON_DISPATCH_AVX2
      if (cpu_has_avx2()) {
        score_block_avx2(values, begin, end, cuts, first, step, score, above[k].data());
        continue;
      }
#endif
      score_block(values, begin, end, cuts, first, step, score, above[k].data());
    }
  });
  for (std::size_t k = 1; k < shares; ++k)
    for (std::size_t j = 0; j < cuts.size(); ++j) above[0][j] += above[k][j];
  return above[0];
}

}  // namespace patron::detail
