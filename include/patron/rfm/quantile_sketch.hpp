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
// Zero is kept exactly. Merging adds bucket counts: a merged sketch is identical to the
// sketch of all values, whatever the order and the sharding. Memory: one counter per
// occupied bucket range, about log(max/min) / (2a) counters per sign.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {

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
    else (value > 0.0 ? positive_ : negative_).add(key(std::abs(value)), 1);
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
      if (seen > rank) return -value_of(negative_.offset + static_cast<std::int64_t>(i));
    }
    seen += zeros_;
    if (seen > rank) return 0.0;
    for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
      seen += positive_.counts[i];
      if (seen > rank) return value_of(positive_.offset + static_cast<std::int64_t>(i));
    }
    return value_of(positive_.offset + static_cast<std::int64_t>(positive_.counts.size()) - 1);
  }

 private:
  // Dense counters for keys offset .. offset + counts.size() - 1.
  struct store {
    std::int64_t offset = 0;
    std::vector<std::uint64_t> counts;

    void add(std::int64_t k, std::uint64_t n) {
      if (counts.empty()) {
        offset = k;
        counts.assign(1, 0);
      } else if (k < offset) {
        counts.insert(counts.begin(), static_cast<std::size_t>(offset - k), 0);
        offset = k;
      } else if (k >= offset + static_cast<std::int64_t>(counts.size())) {
        counts.resize(static_cast<std::size_t>(k - offset) + 1, 0);
      }
      counts[static_cast<std::size_t>(k - offset)] += n;
    }

    void merge(const store& other) {
      for (std::size_t i = 0; i < other.counts.size(); ++i)
        if (other.counts[i] != 0) add(other.offset + static_cast<std::int64_t>(i), other.counts[i]);
    }
  };

  [[nodiscard]] std::int64_t key(double magnitude) const {
    return static_cast<std::int64_t>(std::ceil(std::log(magnitude) / log_gamma_));
  }
  [[nodiscard]] double value_of(std::int64_t k) const {
    return 2.0 * std::exp(static_cast<double>(k) * log_gamma_) / (gamma_ + 1.0);
  }

  double alpha_;
  double gamma_ = 0.0;
  double log_gamma_ = 0.0;
  store positive_, negative_;
  std::uint64_t zeros_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace patron
