// CART growth. Every feature is sorted once; each node owns the same range
// [start, end) of every feature's sorted order, and a split stably partitions those
// ranges, so the split search costs O(rows x features) per tree level without
// re-sorting (scikit-learn sorts again in every node).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <queue>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron::detail {

// A node whose impurity is at most this is pure (scikit-learn's EPSILON).
inline constexpr double tree_epsilon = std::numeric_limits<double>::epsilon();

struct growth_limits {
  int max_depth;
  int min_samples_split;
  int min_samples_leaf;
  double min_impurity_decrease;
  int max_leaf_nodes;  // 0: depth-first growth
};

inline growth_limits validate_growth(const char* function, const tree_options& o) {
  if (o.max_depth) require(*o.max_depth >= 1, function, "options.max_depth", *o.max_depth, "must be >= 1");
  require(o.min_samples_split >= 2, function, "options.min_samples_split", o.min_samples_split,
          "must be >= 2");
  require(o.min_samples_leaf >= 1, function, "options.min_samples_leaf", o.min_samples_leaf,
          "must be >= 1");
  require(std::isfinite(o.min_impurity_decrease) && o.min_impurity_decrease >= 0.0, function,
          "options.min_impurity_decrease", o.min_impurity_decrease,
          "must be finite and non-negative");
  if (o.max_leaf_nodes)
    require(*o.max_leaf_nodes >= 2, function, "options.max_leaf_nodes", *o.max_leaf_nodes,
            "must be >= 2");
  require(std::isfinite(o.ccp_alpha) && o.ccp_alpha >= 0.0, function, "options.ccp_alpha",
          o.ccp_alpha, "must be finite and non-negative");
  return {o.max_depth.value_or(std::numeric_limits<int>::max()),
          std::max(o.min_samples_split, 2 * o.min_samples_leaf), o.min_samples_leaf,
          o.min_impurity_decrease, o.max_leaf_nodes.value_or(0)};
}

template <class Derived>
void validate_features(const char* function, const Eigen::MatrixBase<Derived>& X) {
  using scalar = typename Derived::Scalar;
  static_assert(std::is_same_v<scalar, float> || std::is_same_v<scalar, double>,
                "patron trees take float or double features");
  require_non_empty(function, "X", static_cast<std::size_t>(X.rows()));
  require(X.cols() >= 1, function, "X.cols()", X.cols(), "must be >= 1");
  require(X.rows() < std::numeric_limits<std::int32_t>::max(), function, "X.rows()", X.rows(),
          "must be below 2^31 - 1");
  // The Derived object: given a MatrixBase, require_finite skips its vectorised test
  // and scans the elements row by row.
  require_finite(function, "X", X.derived());
}

// Validated sample weights (all 1 when none are given).
inline std::vector<double> validated_weights(const char* function, Eigen::Index rows,
                                             const Eigen::Ref<const Eigen::VectorXd>& weight) {
  if (weight.size() == 0) return std::vector<double>(static_cast<std::size_t>(rows), 1.0);
  require_same_length(function, "X rows", static_cast<std::size_t>(rows), "sample_weight",
                      static_cast<std::size_t>(weight.size()));
  require_non_negative(function, "sample_weight", weight);
  require(weight.sum() > 0.0, function, "sum(sample_weight)", weight.sum(), "must be positive");
  return std::vector<double>(weight.data(), weight.data() + weight.size());
}

// Each feature's sample indices sorted by value (equal values by index), with the
// values alongside so the split scan reads memory in order.
template <class Scalar>
struct presorted_columns {
  std::int32_t rows = 0;
  std::vector<std::int32_t> index;  // column-major: feature f at [f * rows, (f + 1) * rows)
  std::vector<Scalar> value;

  template <class Derived>
  explicit presorted_columns(const Eigen::MatrixBase<Derived>& X)
      : rows(static_cast<std::int32_t>(X.rows())),
        index(static_cast<std::size_t>(X.size())),
        value(static_cast<std::size_t>(X.size())) {
    // Sorting (value, index) pairs in place is several times faster than sorting
    // indices through a comparator that looks the values up.
    std::vector<std::pair<Scalar, std::int32_t>> column(static_cast<std::size_t>(rows));
    for (Eigen::Index f = 0; f < X.cols(); ++f) {
      for (std::int32_t i = 0; i < rows; ++i) column[static_cast<std::size_t>(i)] = {X(i, f), i};
      std::sort(column.begin(), column.end());
      const auto offset = static_cast<std::size_t>(f) * static_cast<std::size_t>(rows);
      for (std::int32_t i = 0; i < rows; ++i) {
        index[offset + static_cast<std::size_t>(i)] = column[static_cast<std::size_t>(i)].second;
        value[offset + static_cast<std::size_t>(i)] = column[static_cast<std::size_t>(i)].first;
      }
    }
  }
};

// Classification statistics: weighted class counts. The formulas and their order of
// operations are scikit-learn's, so the same candidate gets the same score.
class class_counts {
 public:
  class_counts(const std::vector<int>& label, const std::vector<double>& weight, int n_classes,
               tree_criterion criterion)
      : label_(label), weight_(weight), k_(n_classes), criterion_(criterion),
        total_(static_cast<std::size_t>(n_classes)), left_(static_cast<std::size_t>(n_classes)) {}

  int outputs() const { return k_; }

  template <class Index>
  void init(const Index* samples, std::int32_t count) {
    std::fill(total_.begin(), total_.end(), 0.0);
    w_total_ = 0.0;
    for (std::int32_t i = 0; i < count; ++i) {
      const auto s = static_cast<std::size_t>(samples[i]);
      total_[static_cast<std::size_t>(label_[s])] += weight_[s];
      w_total_ += weight_[s];
    }
  }
  double weight() const { return w_total_; }
  double impurity() const { return impurity_of(total_.data(), w_total_); }
  void node_value(double* out) const { std::copy(total_.begin(), total_.end(), out); }

  void reset_left() {
    std::fill(left_.begin(), left_.end(), 0.0);
    w_left_ = 0.0;
  }
  void add_left(std::int32_t s) {
    const double w = weight_[static_cast<std::size_t>(s)];
    left_[static_cast<std::size_t>(label_[static_cast<std::size_t>(s)])] += w;
    w_left_ += w;
  }
  double weight_left() const { return w_left_; }
  // -N_R i(R) - N_L i(L): larger is better, and cheaper than the full improvement.
  double proxy() {
    right_.resize(total_.size());
    for (std::size_t k = 0; k < total_.size(); ++k) right_[k] = total_[k] - left_[k];
    const double w_right = w_total_ - w_left_;
    return -w_right * impurity_of(right_.data(), w_right) - w_left_ * impurity_of(left_.data(), w_left_);
  }
  // Impurities of the children of the current left/right division.
  std::pair<double, double> children_impurity() {
    proxy();
    return {impurity_of(left_.data(), w_left_), impurity_of(right_.data(), w_total_ - w_left_)};
  }

 private:
  double impurity_of(const double* counts, double w) const {
    if (criterion_ == tree_criterion::gini) {
      double sq = 0.0;
      for (int k = 0; k < k_; ++k) sq += counts[k] * counts[k];
      return 1.0 - sq / (w * w);
    }
    double entropy = 0.0;
    for (int k = 0; k < k_; ++k) {
      if (counts[k] <= 0.0) continue;
      const double p = counts[k] / w;
      entropy -= p * (std::log(p) / std::log(2.0));
    }
    return entropy;
  }

  const std::vector<int>& label_;
  const std::vector<double>& weight_;
  int k_;
  tree_criterion criterion_;
  std::vector<double> total_, left_, right_;
  double w_total_ = 0.0, w_left_ = 0.0;
};

// Regression statistics: weighted sums. Node impurities are computed in two passes
// (mean, then squared deviations) rather than as E[y^2] - E[y]^2.
class response_sums {
 public:
  response_sums(const std::vector<double>& y, const std::vector<double>& weight)
      : y_(y), weight_(weight) {}

  int outputs() const { return 1; }

  template <class Index>
  void init(const Index* samples, std::int32_t count) {
    samples_.assign(samples, samples + count);
    sum_ = w_total_ = 0.0;
    for (std::int32_t i = 0; i < count; ++i) {
      const auto s = static_cast<std::size_t>(samples[i]);
      sum_ += weight_[s] * y_[s];
      w_total_ += weight_[s];
    }
  }
  double weight() const { return w_total_; }
  double impurity() const { return variance(0, static_cast<std::int32_t>(samples_.size())); }
  void node_value(double* out) const { *out = sum_ / w_total_; }

  void reset_left() { sum_left_ = w_left_ = 0.0; }
  void add_left(std::int32_t s) {
    const double w = weight_[static_cast<std::size_t>(s)];
    sum_left_ += w * y_[static_cast<std::size_t>(s)];
    w_left_ += w;
  }
  double weight_left() const { return w_left_; }
  // sum_L^2 / N_L + sum_R^2 / N_R, which orders splits as the impurity decrease does.
  double proxy() const {
    const double sum_right = sum_ - sum_left_;
    return sum_left_ * sum_left_ / w_left_ + sum_right * sum_right / (w_total_ - w_left_);
  }

  std::pair<double, double> children_impurity_at(std::int32_t left_count) const {
    return {variance(0, left_count), variance(left_count, static_cast<std::int32_t>(samples_.size()))};
  }

 private:
  double variance(std::int32_t from, std::int32_t to) const {
    double w = 0.0, sum = 0.0;
    for (std::int32_t i = from; i < to; ++i) {
      const auto s = static_cast<std::size_t>(samples_[static_cast<std::size_t>(i)]);
      w += weight_[s];
      sum += weight_[s] * y_[s];
    }
    const double mean = sum / w;
    double ss = 0.0;
    for (std::int32_t i = from; i < to; ++i) {
      const auto s = static_cast<std::size_t>(samples_[static_cast<std::size_t>(i)]);
      ss += weight_[s] * (y_[s] - mean) * (y_[s] - mean);
    }
    return ss / w;
  }

  const std::vector<double>& y_;
  const std::vector<double>& weight_;
  std::vector<std::int32_t> samples_;  // the node's samples, in the split feature's order
  double sum_ = 0.0, w_total_ = 0.0, sum_left_ = 0.0, w_left_ = 0.0;
};

struct node_record {
  int node = 0;
  std::int32_t start = 0, end = 0, pos = 0;
  int depth = 0;
  bool is_leaf = true;
  double improvement = 0.0;
};

template <class Scalar, class Stats>
class tree_grower {
 public:
  tree_grower(presorted_columns<Scalar>& columns, Stats& stats, const growth_limits& limits,
              int n_features, tree_structure& tree)
      : cols_(columns), stats_(stats), limits_(limits), d_(n_features), tree_(tree),
        goes_left_(static_cast<std::size_t>(columns.rows)),
        buffer_index_(static_cast<std::size_t>(columns.rows)),
        buffer_value_(static_cast<std::size_t>(columns.rows)) {}

  void grow() {
    if (limits_.max_leaf_nodes > 0) grow_best_first();
    else grow_depth_first();
    tree_.value = Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        values_.data(), tree_.node_count(), stats_.outputs());
  }

 private:
  // Depth-first: node ids in pre-order (left subtree first), as scikit-learn's
  // DepthFirstTreeBuilder numbers them.
  void grow_depth_first() {
    struct pending { std::int32_t start, end; int depth, parent; bool is_left; };
    std::vector<pending> stack{{0, cols_.rows, 0, tree_undefined, false}};
    while (!stack.empty()) {
      const pending p = stack.back();
      stack.pop_back();
      const node_record r = add_node(p.start, p.end, p.depth, p.parent, p.is_left);
      if (r.is_leaf) continue;
      stack.push_back({r.pos, r.end, r.depth + 1, r.node, false});
      stack.push_back({r.start, r.pos, r.depth + 1, r.node, true});
    }
  }

  // Best-first (max_leaf_nodes): expand the frontier node with the largest impurity
  // decrease; a node's two children get consecutive ids when it is expanded.
  void grow_best_first() {
    auto later = [](const node_record& a, const node_record& b) {
      return a.improvement < b.improvement || (a.improvement == b.improvement && a.node > b.node);
    };
    std::priority_queue<node_record, std::vector<node_record>, decltype(later)> frontier(later);
    frontier.push(add_node(0, cols_.rows, 0, tree_undefined, false));
    int splits_left = limits_.max_leaf_nodes - 1;
    while (!frontier.empty()) {
      const node_record r = frontier.top();
      frontier.pop();
      if (r.is_leaf || splits_left <= 0) {
        make_leaf(r.node);
        continue;
      }
      --splits_left;
      frontier.push(add_node(r.start, r.pos, r.depth + 1, r.node, true));
      frontier.push(add_node(r.pos, r.end, r.depth + 1, r.node, false));
    }
  }

  void make_leaf(int node) {
    const auto t = static_cast<std::size_t>(node);
    tree_.children_left[t] = tree_.children_right[t] = tree_leaf;
    tree_.feature[t] = tree_undefined;
    tree_.threshold[t] = tree_undefined;
  }

  node_record add_node(std::int32_t start, std::int32_t end, int depth, int parent, bool is_left) {
    node_record r;
    r.node = tree_.node_count();
    r.start = start;
    r.end = end;
    r.pos = end;
    r.depth = depth;
    const std::int32_t n = end - start;
    stats_.init(cols_.index.data() + start, n);
    const double w_node = stats_.weight();
    if (parent == tree_undefined) w_root_ = w_node;
    const double impurity = stats_.impurity();
    values_.resize(values_.size() + static_cast<std::size_t>(stats_.outputs()));
    stats_.node_value(values_.data() + values_.size() - static_cast<std::size_t>(stats_.outputs()));

    bool leaf = depth >= limits_.max_depth || n < limits_.min_samples_split ||
                n < 2 * limits_.min_samples_leaf || impurity <= tree_epsilon;
    int best_feature = tree_undefined;
    double threshold = tree_undefined;
    if (!leaf) {
      const split_candidate best = best_split(start, end, w_node);
      if (best.pos < end) {
        const auto [imp_left, imp_right] = child_impurities(best, start, end);
        const double w_left = best.weight_left, w_right = w_node - w_left;
        r.improvement = w_node / w_root_ *
                        (impurity - w_right / w_node * imp_right - w_left / w_node * imp_left);
        if (r.improvement + tree_epsilon >= limits_.min_impurity_decrease) {
          best_feature = best.feature;
          threshold = best.threshold;
          r.pos = best.pos;
          partition(best, start, end);
        }
      }
      leaf = best_feature == tree_undefined;
    }
    r.is_leaf = leaf;
    if (leaf) r.improvement = 0.0;

    tree_.children_left.push_back(tree_leaf);
    tree_.children_right.push_back(tree_leaf);
    tree_.feature.push_back(best_feature);
    tree_.threshold.push_back(threshold);
    tree_.impurity.push_back(impurity);
    tree_.n_node_samples.push_back(n);
    tree_.weighted_n_node_samples.push_back(w_node);
    if (parent != tree_undefined)
      (is_left ? tree_.children_left : tree_.children_right)[static_cast<std::size_t>(parent)] = r.node;
    return r;
  }

  struct split_candidate {
    int feature = tree_undefined;
    std::int32_t pos = 0;
    double threshold = 0.0;
    double weight_left = 0.0;
  };

  // Scans every feature in index order and every boundary between distinct values in
  // ascending order; only a strictly better score replaces the incumbent, which makes
  // the tie-break "lowest feature, then smallest threshold".
  split_candidate best_split(std::int32_t start, std::int32_t end, double w_node) {
    split_candidate best;
    best.pos = end;
    double best_proxy = -std::numeric_limits<double>::infinity();
    const std::int32_t min_leaf = limits_.min_samples_leaf;
    for (int f = 0; f < d_; ++f) {
      const auto offset = static_cast<std::size_t>(f) * static_cast<std::size_t>(cols_.rows);
      const std::int32_t* idx = cols_.index.data() + offset;
      const Scalar* v = cols_.value.data() + offset;
      if (v[start] == v[end - 1]) continue;  // constant in this node
      stats_.reset_left();
      for (std::int32_t p = start; p + 1 < end; ++p) {
        stats_.add_left(idx[p]);
        if (v[p + 1] == v[p]) continue;
        const std::int32_t n_left = p + 1 - start;
        if (n_left < min_leaf) continue;
        if (end - p - 1 < min_leaf) break;
        const double w_left = stats_.weight_left();
        if (!(w_left > 0.0 && w_node - w_left > 0.0)) continue;
        const double proxy = stats_.proxy();
        if (proxy > best_proxy) {
          best_proxy = proxy;
          best.feature = f;
          best.pos = p + 1;
          best.weight_left = w_left;
          // Midpoint as a sum of halves (no overflow); when it rounds up to the right
          // value, the left value keeps x <= threshold true for the left side.
          const double lo = static_cast<double>(v[p]), hi = static_cast<double>(v[p + 1]);
          best.threshold = lo / 2.0 + hi / 2.0;
          if (best.threshold == hi || std::isinf(best.threshold)) best.threshold = lo;
        }
      }
    }
    return best;
  }

  std::pair<double, double> child_impurities(const split_candidate& best, std::int32_t start,
                                             [[maybe_unused]] std::int32_t end) {
    const auto offset = static_cast<std::size_t>(best.feature) * static_cast<std::size_t>(cols_.rows);
    if constexpr (std::is_same_v<Stats, class_counts>) {
      stats_.reset_left();
      for (std::int32_t p = start; p < best.pos; ++p) stats_.add_left(cols_.index[offset + static_cast<std::size_t>(p)]);
      return stats_.children_impurity();
    } else {
      stats_.init(cols_.index.data() + offset + start, end - start);
      return stats_.children_impurity_at(best.pos - start);
    }
  }

  // Stable partition of every feature's range into the left samples, then the right.
  void partition(const split_candidate& best, std::int32_t start, std::int32_t end) {
    const auto rows = static_cast<std::size_t>(cols_.rows);
    const std::int32_t* split_idx = cols_.index.data() + static_cast<std::size_t>(best.feature) * rows;
    for (std::int32_t p = start; p < end; ++p)
      goes_left_[static_cast<std::size_t>(split_idx[p])] = p < best.pos;
    for (int f = 0; f < d_; ++f) {
      if (f == best.feature) continue;  // already in order: left samples come first
      std::int32_t* idx = cols_.index.data() + static_cast<std::size_t>(f) * rows;
      Scalar* v = cols_.value.data() + static_cast<std::size_t>(f) * rows;
      std::int32_t write = start;
      std::size_t spill = 0;
      for (std::int32_t p = start; p < end; ++p) {
        if (goes_left_[static_cast<std::size_t>(idx[p])]) {
          idx[write] = idx[p];
          v[write] = v[p];
          ++write;
        } else {
          buffer_index_[spill] = idx[p];
          buffer_value_[spill] = v[p];
          ++spill;
        }
      }
      std::copy(buffer_index_.begin(), buffer_index_.begin() + static_cast<std::ptrdiff_t>(spill), idx + write);
      std::copy(buffer_value_.begin(), buffer_value_.begin() + static_cast<std::ptrdiff_t>(spill), v + write);
    }
  }

  presorted_columns<Scalar>& cols_;
  Stats& stats_;
  growth_limits limits_;
  int d_;
  tree_structure& tree_;
  std::vector<char> goes_left_;
  std::vector<std::int32_t> buffer_index_;
  std::vector<Scalar> buffer_value_;
  std::vector<double> values_;
  double w_root_ = 1.0;
};

template <class Derived, class Stats>
void grow_tree(const Eigen::MatrixBase<Derived>& X, Stats& stats, const growth_limits& limits,
               tree_structure& tree) {
  using scalar = typename Derived::Scalar;
  presorted_columns<scalar> columns(X);
  tree.n_features = static_cast<int>(X.cols());
  tree_grower<scalar, Stats>(columns, stats, limits, tree.n_features, tree).grow();
}

// Weight of each class: 1, balanced, or the caller's, times the sample weights.
inline void apply_class_weights(const tree_classifier_options& options, const std::vector<int>& label,
                                int n_classes, std::vector<double>& weight) {
  const char* function = "fit_tree_classifier";
  std::vector<double> class_weight(static_cast<std::size_t>(n_classes), 1.0);
  if (options.class_weight_mode == class_weighting::balanced) {
    std::vector<double> count(static_cast<std::size_t>(n_classes), 0.0);
    for (int c : label) count[static_cast<std::size_t>(c)] += 1.0;
    const double present = static_cast<double>(
        std::count_if(count.begin(), count.end(), [](double c) { return c > 0.0; }));
    for (std::size_t k = 0; k < count.size(); ++k)
      if (count[k] > 0.0) class_weight[k] = static_cast<double>(label.size()) / (present * count[k]);
  } else if (options.class_weight_mode == class_weighting::explicit_weights) {
    require_same_length(function, "options.class_weight", options.class_weight.size(), "classes",
                        static_cast<std::size_t>(n_classes));
    require_non_negative(function, "options.class_weight", options.class_weight);
    class_weight = options.class_weight;
  } else if (!options.class_weight.empty()) {
    throw_invalid(function, "options.class_weight is set but options.class_weight_mode is not "
                            "explicit_weights");
  }
  for (std::size_t i = 0; i < label.size(); ++i) weight[i] *= class_weight[static_cast<std::size_t>(label[i])];
  double total = 0.0;
  for (double w : weight) total += w;
  require(total > 0.0, function, "sum(class_weight x sample_weight)", total, "must be positive");
}

// class_limit: the most classes allowed, 0 = the rows of X. Every node stores one
// weighted count per class, so a class count (options.n_classes, or max(y) + 1 when that
// is 0) is bounded by the data: beyond the rows it only adds classes that cannot occur,
// and 2e9 of them would exhaust memory. cross_validate_ccp_alpha passes the rows of all
// the data, so that its fold trees keep every class of the full tree.
template <class Derived>
tree_classifier fit_classifier(const Eigen::MatrixBase<Derived>& X,
                               const Eigen::Ref<const Eigen::VectorXi>& y,
                               const tree_classifier_options& options,
                               const Eigen::Ref<const Eigen::VectorXd>& sample_weight,
                               Eigen::Index class_limit = 0) {
  const char* function = "fit_tree_classifier";
  const growth_limits limits = validate_growth(function, options);
  require(options.n_classes >= 0, function, "options.n_classes", options.n_classes, "must be >= 0");
  validate_features(function, X);
  require_same_length(function, "X rows", static_cast<std::size_t>(X.rows()), "y",
                      static_cast<std::size_t>(y.size()));
  const Eigen::Index limit = class_limit > 0 ? class_limit : X.rows();
  const std::string rows_bound = "the number of rows (" + std::to_string(limit) + ")";
  if (options.n_classes > limit)
    throw_invalid_value(function, "options.n_classes", options.n_classes, "must not exceed " + rows_bound);
  const bool from_labels = options.n_classes == 0;
  // max(y) + 1 only below the limit (so never INT_MAX + 1); a label beyond it is reported below.
  const int n_classes =
      from_labels ? static_cast<int>(std::clamp<Eigen::Index>(y.maxCoeff(), 0, limit - 1)) + 1
                  : options.n_classes;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (from_labels && y(i) >= limit)
      throw_invalid_element(function, "y", static_cast<std::size_t>(i), y(i),
                            "must be below " + rows_bound +
                                " when options.n_classes is 0 (the classes are then 0..max(y))");
    if (y(i) < 0 || y(i) >= n_classes)
      throw_invalid_element(function, "y", static_cast<std::size_t>(i), y(i),
                            "must be a class label in 0.." + std::to_string(n_classes - 1));
  }
  std::vector<double> weight = validated_weights(function, X.rows(), sample_weight);
  const std::vector<int> label(y.data(), y.data() + y.size());
  apply_class_weights(options, label, n_classes, weight);

  tree_classifier tree;
  tree.n_classes = n_classes;
  tree.criterion = options.criterion;
  class_counts stats(label, weight, n_classes, options.criterion);
  grow_tree(X, stats, limits, tree);
  return options.ccp_alpha > 0.0 ? prune_at_alpha(tree, options.ccp_alpha) : tree;
}

template <class Derived>
tree_regressor fit_regressor(const Eigen::MatrixBase<Derived>& X,
                             const Eigen::Ref<const Eigen::VectorXd>& y,
                             const tree_regressor_options& options,
                             const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  const char* function = "fit_tree_regressor";
  const growth_limits limits = validate_growth(function, options);
  validate_features(function, X);
  require_same_length(function, "X rows", static_cast<std::size_t>(X.rows()), "y",
                      static_cast<std::size_t>(y.size()));
  require_finite(function, "y", y);
  const std::vector<double> weight = validated_weights(function, X.rows(), sample_weight);
  const std::vector<double> response(y.data(), y.data() + y.size());

  tree_regressor tree;
  response_sums stats(response, weight);
  grow_tree(X, stats, limits, tree);
  return options.ccp_alpha > 0.0 ? prune_at_alpha(tree, options.ccp_alpha) : tree;
}

}  // namespace patron::detail
