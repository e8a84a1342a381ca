// Mergeable, numerically stable moment accumulators: a host adds observations shard by
// shard and merges the shards; the result equals one pass over all the data.
// Welford (1962) updates and the pairwise merge of Chan, Golub & LeVeque (1979);
// never sum-of-squares minus square-of-sum.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "patron/core/validate.hpp"

namespace patron {

// n, mean and the unbiased variance (ddof 1) of one group: the input of the
// summary-statistics t-test.
struct sample_summary {
  double count = 0.0;
  double mean = 0.0;
  double variance = 0.0;
};

namespace detail {
// A shipped state is finite, and its counts and sums of squares are non-negative.
template <std::size_t N>
void check_accumulator_state(const char* function, const std::array<double, N>& state,
                             std::initializer_list<std::size_t> non_negative) {
  for (std::size_t k = 0; k < N; ++k)
    if (!std::isfinite(state[k])) throw_invalid_element(function, "state", k, state[k], "must be finite");
  for (std::size_t k : non_negative)
    if (state[k] < 0.0) throw_invalid_element(function, "state", k, state[k], "must be non-negative");
}
}  // namespace detail

// Count, mean and second central moment of a stream of values.
class moment_accumulator {
 public:
  void add(double value) {
    detail::require(std::isfinite(value), "moment_accumulator::add", "value", value,
                    "must be finite");
    count_ += 1.0;
    const double delta = value - mean_;
    mean_ += delta / count_;
    m2_ += delta * (value - mean_);
  }
  void merge(const moment_accumulator& other) {
    if (other.count_ == 0.0) return;
    const double n = count_ + other.count_;
    const double delta = other.mean_ - mean_;
    mean_ += delta * other.count_ / n;
    m2_ += other.m2_ + delta * delta * count_ * other.count_ / n;
    count_ = n;
  }
  [[nodiscard]] double count() const { return count_; }
  [[nodiscard]] double mean() const { return mean_; }
  // Unbiased (ddof 1) variance; 0 for fewer than two values.
  [[nodiscard]] double variance() const { return count_ > 1.0 ? m2_ / (count_ - 1.0) : 0.0; }
  [[nodiscard]] sample_summary summary() const { return {count_, mean_, variance()}; }

  // The exact state (count, mean, M2), to ship an accumulator to another process:
  // from_state(a.state()) is a bit for bit, merges included.
  [[nodiscard]] std::array<double, 3> state() const { return {count_, mean_, m2_}; }
  [[nodiscard]] static moment_accumulator from_state(const std::array<double, 3>& state) {
    detail::check_accumulator_state("moment_accumulator::from_state", state, {0, 2});
    moment_accumulator out;
    out.count_ = state[0];
    out.mean_ = state[1];
    out.m2_ = state[2];
    return out;
  }

 private:
  double count_ = 0.0, mean_ = 0.0, m2_ = 0.0;
};

// Count, means, variances and the covariance of pairs (y, x): the metric y and its
// pre-period covariate x for CUPED.
class covariance_accumulator {
 public:
  void add(double y, double x) {
    detail::require(std::isfinite(y), "covariance_accumulator::add", "y", y, "must be finite");
    detail::require(std::isfinite(x), "covariance_accumulator::add", "x", x, "must be finite");
    count_ += 1.0;
    const double dy = y - mean_y_, dx = x - mean_x_;
    mean_y_ += dy / count_;
    mean_x_ += dx / count_;
    m2_y_ += dy * (y - mean_y_);
    m2_x_ += dx * (x - mean_x_);
    c_xy_ += dx * (y - mean_y_);
  }
  void merge(const covariance_accumulator& other) {
    if (other.count_ == 0.0) return;
    const double n = count_ + other.count_;
    const double dy = other.mean_y_ - mean_y_, dx = other.mean_x_ - mean_x_;
    const double w = count_ * other.count_ / n;
    mean_y_ += dy * other.count_ / n;
    mean_x_ += dx * other.count_ / n;
    m2_y_ += other.m2_y_ + dy * dy * w;
    m2_x_ += other.m2_x_ + dx * dx * w;
    c_xy_ += other.c_xy_ + dx * dy * w;
    count_ = n;
  }
  [[nodiscard]] double count() const { return count_; }
  [[nodiscard]] double mean_y() const { return mean_y_; }
  [[nodiscard]] double mean_x() const { return mean_x_; }
  [[nodiscard]] double variance_y() const { return ddof1(m2_y_); }
  [[nodiscard]] double variance_x() const { return ddof1(m2_x_); }
  [[nodiscard]] double covariance() const { return ddof1(c_xy_); }
  [[nodiscard]] sample_summary summary_y() const { return {count_, mean_y_, variance_y()}; }

  // The exact state (count, mean_y, mean_x, M2_y, M2_x, C_xy), to ship an accumulator to
  // another process: from_state(a.state()) is a bit for bit, merges included.
  [[nodiscard]] std::array<double, 6> state() const {
    return {count_, mean_y_, mean_x_, m2_y_, m2_x_, c_xy_};
  }
  [[nodiscard]] static covariance_accumulator from_state(const std::array<double, 6>& state) {
    detail::check_accumulator_state("covariance_accumulator::from_state", state, {0, 3, 4});
    covariance_accumulator out;
    out.count_ = state[0];
    out.mean_y_ = state[1];
    out.mean_x_ = state[2];
    out.m2_y_ = state[3];
    out.m2_x_ = state[4];
    out.c_xy_ = state[5];
    return out;
  }

 private:
  double ddof1(double m) const { return count_ > 1.0 ? m / (count_ - 1.0) : 0.0; }
  double count_ = 0.0, mean_y_ = 0.0, mean_x_ = 0.0, m2_y_ = 0.0, m2_x_ = 0.0, c_xy_ = 0.0;
};

}  // namespace patron
