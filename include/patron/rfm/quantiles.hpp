// Quantile cut points and bins for patron/rfm.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
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

// Interior quantile cut points at p_j, j = 1 .. bins-1, of values already sorted.
inline std::vector<double> quantile_cuts_sorted(const std::vector<double>& sorted, int bins) {
  std::vector<double> cuts;
  cuts.reserve(static_cast<std::size_t>(bins - 1));
  const double last = static_cast<double>(sorted.size() - 1);
  for (int j = 1; j < bins; ++j) {
    const double h = last * cut_probability(j, bins);
    const double lo = std::floor(h);
    const auto i = static_cast<std::size_t>(lo);
    const double hi_value = i + 1 < sorted.size() ? sorted[i + 1] : sorted[i];
    cuts.push_back(lerp_like_numpy(sorted[i], hi_value, h - lo));
  }
  return cuts;
}

// Exact quantile cut points: a partial selection per order statistic needed (each
// nth_element runs on the part of the range right of the previous one), O(n * bins).
inline std::vector<double> quantile_cuts(const double* values, std::size_t n, int bins) {
  std::vector<double> work(values, values + n);
  std::vector<std::size_t> positions;
  const double last = static_cast<double>(n - 1);
  for (int j = 1; j < bins; ++j) {
    const auto i = static_cast<std::size_t>(
        std::floor(last * cut_probability(j, bins)));
    positions.push_back(i);
    if (i + 1 < n) positions.push_back(i + 1);
  }
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  auto first = work.begin();
  for (std::size_t p : positions) {
    auto nth = work.begin() + static_cast<std::ptrdiff_t>(p);
    std::nth_element(first, nth, work.end());
    first = nth + 1;
  }
  // Only the selected order statistics are read, so `work` acts as the sorted sample.
  return quantile_cuts_sorted(work, bins);
}

// Bin of a value: 1 + number of cut points strictly below it, i.e. right-closed bins
// (cut_{k-1}, cut_k] as in pandas.cut / qcut. Equal values always share a bin.
inline int bin_of(double value, const std::vector<double>& cuts) {
  return 1 + static_cast<int>(std::lower_bound(cuts.begin(), cuts.end(), value) - cuts.begin());
}

}  // namespace patron::detail
