// A mergeable quantile sketch with a relative-error guarantee: DDSketch (Masson, Rim &
// Lee 2019, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with Relative-Error
// Guarantees", PVLDB 12(12)). Used for RFM breakpoints of customer bases too large or
// too distributed to sort.
//
// Each value x != 0 falls in bucket k = ceil(log_gamma |x|), gamma = (1 + a) / (1 - a),
// and the bucket is represented by 2 gamma^k / (gamma + 1), which is within relative
// error a of every value in (gamma^(k-1), gamma^k]. quantile(p) returns the bucket
// holding the order statistic x_(floor((n-1) p)) (0-based), so
//   |quantile(p) - x_(floor((n-1) p))| <= a |x_(floor((n-1) p))|   (up to rounding of log).
// Zero is kept exactly. patron also keeps each bucket's smallest and largest value and
// clamps the representative into that range: this never increases the error (the order
// statistic lies in the range) and returns tied values exactly, so integer frequencies
// keep cut points such as 1, 1, 2, 4 instead of 0.99, 0.99, 1.99, 4.01. Merging adds
// counts and takes minima and maxima: a merged sketch is identical to the sketch of all
// values, whatever the order and the sharding. Memory: three numbers per bucket between
// the smallest and largest magnitude, about log(max/min) / (2a) buckets per sign.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {

// Everything a quantile_sketch holds, as plain arrays (the non-empty buckets of each
// sign in increasing key order): what a host ships between processes or stores.
struct quantile_sketch_state {
  struct buckets {
    std::vector<std::int64_t> keys;     // k: the bucket holds magnitudes in (gamma^(k-1), gamma^k]
    std::vector<std::uint64_t> counts;  // values in the bucket (> 0)
    std::vector<double> low, high;      // smallest and largest magnitude in the bucket
  };
  double relative_accuracy = 0.005;
  std::uint64_t zeros = 0;
  buckets positive, negative;
};

class quantile_sketch {
 public:
  // relative_accuracy a in (0, 1); default 0.005 (0.5%).
  explicit quantile_sketch(double relative_accuracy = 0.005) : alpha_(relative_accuracy) {
    detail::require_probability_open("quantile_sketch", "relative_accuracy", alpha_);
    gamma_ = (1.0 + alpha_) / (1.0 - alpha_);
    log_gamma_ = std::log(gamma_);
  }

  void add(double value) {
    if (!std::isfinite(value))
      detail::throw_invalid_element("quantile_sketch::add", "values", static_cast<std::size_t>(count_),
                                    value, "must be finite");
    ++count_;
    if (value == 0.0) ++zeros_;
    else {
      const double magnitude = std::abs(value);
      (value > 0.0 ? positive_ : negative_).add(key(magnitude), 1, magnitude, magnitude);
    }
  }

  void merge(const quantile_sketch& other) {
    if (other.alpha_ != alpha_)
      detail::throw_invalid_value("quantile_sketch::merge", "other.relative_accuracy()",
                                  other.alpha_,
                                  "differs from this sketch's (" + detail::format_value(alpha_) + ")");
    positive_.merge(other.positive_);
    negative_.merge(other.negative_);
    zeros_ += other.zeros_;
    count_ += other.count_;
  }

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] double relative_accuracy() const { return alpha_; }

  // The whole state; from_state(state()) is a sketch equal in every query and merge.
  [[nodiscard]] quantile_sketch_state state() const {
    quantile_sketch_state out;
    out.relative_accuracy = alpha_;
    out.zeros = zeros_;
    positive_.export_to(out.positive);
    negative_.export_to(out.negative);
    return out;
  }

  // Rebuilds a sketch from state(), checking that it is one: equal lengths, keys
  // increasing, counts positive, 0 < low <= high finite and inside the key's bucket.
  [[nodiscard]] static quantile_sketch from_state(const quantile_sketch_state& state) {
    quantile_sketch out(state.relative_accuracy);
    out.zeros_ = state.zeros;
    out.count_ = state.zeros;
    out.import(out.positive_, state.positive, "state.positive");
    out.import(out.negative_, state.negative, "state.negative");
    return out;
  }

  // Estimate of the order statistic x_(floor((n - 1) p)), p in [0, 1].
  [[nodiscard]] double quantile(double p) const {
    detail::require(p >= 0.0 && p <= 1.0, "quantile_sketch::quantile", "p", p, "must be in [0, 1]");
    detail::require(count_ > 0, "quantile_sketch::quantile", "count()", count_,
                    "must be positive: the sketch is empty");
    const auto rank = static_cast<std::uint64_t>(std::floor(p * static_cast<double>(count_ - 1)));
    std::uint64_t seen = 0;
    // Most negative first: the negative store's highest key.
    for (std::size_t i = negative_.counts.size(); i-- > 0;) {
      seen += negative_.counts[i];
      if (seen > rank) return -magnitude_of(negative_, i);
    }
    seen += zeros_;
    if (seen > rank) return 0.0;
    // The rank lies among the positive values, so that store is not empty.
    std::size_t i = 0;
    while (seen + positive_.counts[i] <= rank && i + 1 < positive_.counts.size())
      seen += positive_.counts[i++];
    return magnitude_of(positive_, i);
  }

 private:
  // Dense buckets for keys offset .. offset + counts.size() - 1: count, smallest and
  // largest magnitude seen.
  struct store {
    std::int64_t offset = 0;
    std::vector<std::uint64_t> counts;
    std::vector<double> low, high;

    void add(std::int64_t k, std::uint64_t n, double smallest, double largest) {
      constexpr double inf = std::numeric_limits<double>::infinity();
      if (counts.empty()) {
        offset = k;
        counts.assign(1, 0);
        low.assign(1, inf);
        high.assign(1, -inf);
      } else if (k < offset) {
        const auto grow = static_cast<std::size_t>(offset - k);
        counts.insert(counts.begin(), grow, 0);
        low.insert(low.begin(), grow, inf);
        high.insert(high.begin(), grow, -inf);
        offset = k;
      } else if (k >= offset + static_cast<std::int64_t>(counts.size())) {
        const auto size = static_cast<std::size_t>(k - offset) + 1;
        counts.resize(size, 0);
        low.resize(size, inf);
        high.resize(size, -inf);
      }
      const auto i = static_cast<std::size_t>(k - offset);
      counts[i] += n;
      low[i] = std::min(low[i], smallest);
      high[i] = std::max(high[i], largest);
    }

    void export_to(quantile_sketch_state::buckets& out) const {
      for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i] != 0) {
          out.keys.push_back(offset + static_cast<std::int64_t>(i));
          out.counts.push_back(counts[i]);
          out.low.push_back(low[i]);
          out.high.push_back(high[i]);
        }
    }

    void merge(const store& other) {
      for (std::size_t i = 0; i < other.counts.size(); ++i)
        if (other.counts[i] != 0)
          add(other.offset + static_cast<std::int64_t>(i), other.counts[i], other.low[i],
              other.high[i]);
    }
  };

  void import(store& s, const quantile_sketch_state::buckets& b, const std::string& name) {
    constexpr const char* f = "quantile_sketch::from_state";
    const std::size_t n = b.keys.size();
    detail::require_same_length(f, (name + ".keys").c_str(), n, (name + ".counts").c_str(), b.counts.size());
    detail::require_same_length(f, (name + ".keys").c_str(), n, (name + ".low").c_str(), b.low.size());
    detail::require_same_length(f, (name + ".keys").c_str(), n, (name + ".high").c_str(), b.high.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0 && b.keys[i] <= b.keys[i - 1])
        detail::throw_invalid_element(f, (name + ".keys").c_str(), i, b.keys[i], "must increase strictly");
      if (b.counts[i] == 0)
        detail::throw_invalid_element(f, (name + ".counts").c_str(), i, b.counts[i], "must be positive");
      if (!(std::isfinite(b.low[i]) && b.low[i] > 0.0 && key(b.low[i]) == b.keys[i]))
        detail::throw_invalid_element(f, (name + ".low").c_str(), i, b.low[i],
                                      "must be a positive magnitude in bucket keys[i]");
      if (!(std::isfinite(b.high[i]) && b.high[i] >= b.low[i] && key(b.high[i]) == b.keys[i]))
        detail::throw_invalid_element(f, (name + ".high").c_str(), i, b.high[i],
                                      "must be at least low[i] and in bucket keys[i]");
      s.add(b.keys[i], b.counts[i], b.low[i], b.high[i]);
      count_ += b.counts[i];
    }
  }

  // The bucket's representative, clamped into the range of the values it holds.
  [[nodiscard]] double magnitude_of(const store& s, std::size_t i) const {
    const double representative =
        2.0 * std::exp(static_cast<double>(s.offset + static_cast<std::int64_t>(i)) * log_gamma_) /
        (gamma_ + 1.0);
    return std::clamp(representative, s.low[i], s.high[i]);
  }

  [[nodiscard]] std::int64_t key(double magnitude) const {
    return static_cast<std::int64_t>(std::ceil(std::log(magnitude) / log_gamma_));
  }

  double alpha_;
  double gamma_ = 0.0;
  double log_gamma_ = 0.0;
  store positive_, negative_;
  std::uint64_t zeros_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace patron
