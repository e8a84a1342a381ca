// Quantile cut points and bins for patron/rfm.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

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

// The same pairs for a large sample without selecting in all of it: cut values around
// each rank are read off a sorted stride sample, one pass counts the values below the
// lower one and collects those between (about 5% of them), and the selection runs on
// that bracket. Exact whatever the sample: a bracket that misses its ranks (unusual
// data, about a 6-sigma event for random order) returns no pairs and the caller falls
// back to selected_pairs.
inline std::vector<order_pair> bracketed_pairs(const double* values, std::size_t n,
                                               const std::vector<std::size_t>& rank) {
  constexpr std::size_t sample_size = 4096, half_width = 100;
  if (n < 16 * sample_size) return {};
  std::vector<double> sample(sample_size);
  const std::size_t stride = n / sample_size;
  for (std::size_t k = 0; k < sample_size; ++k) sample[k] = values[k * stride];
  std::sort(sample.begin(), sample.end());
  std::vector<order_pair> pairs;
  // Every value is stored and the end advances only for those in the bracket: no
  // unpredictable branch, which heavy ties would otherwise cause.
  std::vector<double> bracket(n);
  for (const std::size_t i : rank) {
    const std::size_t centre = i / stride < sample_size ? i / stride : sample_size - 1;
    // Open-ended near the extremes, where the sample says least about the tail.
    const double lo = centre >= half_width ? sample[centre - half_width]
                                           : -std::numeric_limits<double>::infinity();
    const double hi = centre + half_width < sample_size ? sample[centre + half_width]
                                                        : std::numeric_limits<double>::infinity();
    std::size_t less = 0, size = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const double v = values[k];
      less += v < lo ? 1 : 0;
      bracket[size] = v;
      size += ((v >= lo) & (v <= hi)) ? 1 : 0;
    }
    // The bracket holds ranks less .. less + size - 1; it must hold i and i + 1.
    const std::size_t needed = i + 1 < n ? i + 1 : i;
    if (less > i || needed >= less + size) return {};
    const auto begin = bracket.begin(), end = begin + static_cast<std::ptrdiff_t>(size);
    const auto nth = begin + static_cast<std::ptrdiff_t>(i - less);
    std::nth_element(begin, nth, end);
    pairs.push_back({*nth, next_order_statistic(nth, end)});
  }
  return pairs;
}

// Exact quantile cut points at p_j, j = 1 .. bins-1.
inline std::vector<double> quantile_cuts(const double* values, std::size_t n, int bins) {
  const double last = static_cast<double>(n - 1);
  std::vector<std::size_t> rank;
  for (int j = 1; j < bins; ++j)
    rank.push_back(static_cast<std::size_t>(std::floor(last * cut_probability(j, bins))));
  std::vector<order_pair> x = bracketed_pairs(values, n, rank);
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

// Bin of each value: 1 + number of cut points strictly below it, i.e. right-closed bins
// (cut_{k-1}, cut_k] as in pandas.cut / qcut, so equal values always share a bin. One
// vectorisable pass per cut point rather than a branchy binary search per value.
template <class Values, class Bins>
void bins_of(const Values& values, const std::vector<double>& cuts, Bins& bin) {
  const auto n = values.size();
  for (decltype(values.size()) i = 0; i < n; ++i) bin[i] = 1;
  for (const double cut : cuts)
    for (decltype(values.size()) i = 0; i < n; ++i) bin[i] += cut < values[i] ? 1 : 0;
}

}  // namespace patron::detail
