// Queries of a fitted tree: traversal, prediction, depth, importances.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "patron/core/parallel.hpp"
#include "patron/core/validate.hpp"

namespace patron {
namespace detail {

inline constexpr int tree_leaf = -1;        // children_left/right of a leaf
inline constexpr int tree_undefined = -2;   // feature and threshold of a leaf

// Names the first node breaking the contract of validate_tree_structure (whose lengths
// it has checked) and throws; only called when tree_nodes_hold fails.
[[gnu::cold, gnu::noinline]] inline void report_bad_node(const char* function, const tree_structure& tree) {
  const std::size_t nodes = tree.feature.size();
  std::vector<char> has_parent(nodes, 0);
  std::size_t children = 0;
  auto check_child = [&](const char* argument, std::size_t t, int child) {
    if (child < 0 || static_cast<std::size_t>(child) >= nodes)
      throw_invalid_element(function, argument, t, child,
                            "must be -1 (a leaf) or a node id below the node count (" +
                                std::to_string(nodes) + ")");
    const auto c = static_cast<std::size_t>(child);
    if (c <= t)
      throw_invalid_element(function, argument, t, child,
                            "must be greater than the node's id (" + std::to_string(t) + ")");
    if (has_parent[c]) {
      std::size_t p = 0;
      while (tree.children_left[p] != child && tree.children_right[p] != child) ++p;
      throw_invalid_element(function, argument, t, child,
                            "is already a child of node " + std::to_string(p) +
                                " (every node has one parent)");
    }
    has_parent[c] = 1;
    ++children;
  };
  for (std::size_t t = 0; t < nodes; ++t) {
    // Pruning and importances weigh nodes by these.
    if (!std::isfinite(tree.impurity[t]))
      throw_invalid_element(function, "impurity", t, tree.impurity[t], "must be finite");
    const double weight = tree.weighted_n_node_samples[t];
    if (!(std::isfinite(weight) && weight >= 0.0))
      throw_invalid_element(function, "weighted_n_node_samples", t, weight,
                            "must be finite and non-negative");
    if (tree.n_node_samples[t] < 0)
      throw_invalid_element(function, "n_node_samples", t, tree.n_node_samples[t],
                            "must be non-negative");
    const int left = tree.children_left[t], right = tree.children_right[t];
    if (left == tree_leaf || right == tree_leaf) {
      if (left != right)
        throw_invalid_element(function, left == tree_leaf ? "children_right" : "children_left", t,
                              left == tree_leaf ? right : left,
                              std::string("must be -1 (a leaf) as ") +
                                  (left == tree_leaf ? "children_left[" : "children_right[") +
                                  std::to_string(t) + "] is");
      continue;
    }
    check_child("children_left", t, left);
    check_child("children_right", t, right);
    const int f = tree.feature[t];
    if (f < 0 || f >= tree.n_features)
      throw_invalid_element(function, "feature", t, f,
                            "must be a feature index in [0, n_features) = [0, " +
                                std::to_string(tree.n_features) + ") at a split");
    if (!std::isfinite(tree.threshold[t]))
      throw_invalid_element(function, "threshold", t, tree.threshold[t], "must be finite at a split");
  }
  if (children != nodes - 1) {  // every child is distinct and not the root
    const auto t = static_cast<std::size_t>(std::find(has_parent.begin() + 1, has_parent.end(), 0) -
                                            has_parent.begin());
    throw_invalid(function, "node " + std::to_string(t) +
                                " is unreachable: no children_left or children_right entry names it");
  }
}

// True when every node meets the contract: the rules of report_bad_node without the
// message code, whose string temporaries made the loop twice as costly. On the
// benchmark's unlimited tree (63,073 nodes) the whole check is 2.7M instructions, 3.3%
// of predicting its 200,000 rows (0.04% at depth 8; docs/tree.md).
inline bool tree_nodes_hold(const tree_structure& tree) {
  const std::size_t nodes = tree.feature.size();
  std::vector<char> has_parent(nodes, 0);
  std::size_t children = 0;
  const auto n_features = static_cast<unsigned>(tree.n_features);
  bool ok = true;
  for (std::size_t t = 0; t < nodes && ok; ++t) {
    const int left = tree.children_left[t], right = tree.children_right[t];
    if (left == tree_leaf && right == tree_leaf) continue;
    // t < child < nodes as one unsigned comparison (a negative child wraps to a huge one).
    const std::size_t l = static_cast<std::size_t>(left) - t - 1;
    const std::size_t r = static_cast<std::size_t>(right) - t - 1;
    ok = l < nodes - t - 1 && r < nodes - t - 1 && l != r &&
         static_cast<unsigned>(tree.feature[t]) < n_features && std::isfinite(tree.threshold[t]);
    if (!ok) break;  // before the marks: the children may be out of range
    ok = !has_parent[static_cast<std::size_t>(left)] && !has_parent[static_cast<std::size_t>(right)];
    has_parent[static_cast<std::size_t>(left)] = has_parent[static_cast<std::size_t>(right)] = 1;
    children += 2;
  }
  // The children are distinct and none is the root: all nodes but the root are reached.
  if (!ok || children != nodes - 1) return false;
  // Vectorised: a NaN or infinity makes a sum non-finite (a finite sum that overflows
  // only sends a valid tree to report_bad_node, which then finds nothing).
  using array = Eigen::Map<const Eigen::ArrayXd>;
  const auto n = static_cast<Eigen::Index>(nodes);
  const array weight(tree.weighted_n_node_samples.data(), n);
  return std::isfinite(array(tree.impurity.data(), n).sum()) && std::isfinite(weight.sum()) &&
         weight.minCoeff() >= 0.0 &&
         Eigen::Map<const Eigen::Array<std::int64_t, Eigen::Dynamic, 1>>(tree.n_node_samples.data(), n)
                 .minCoeff() >= 0;
}

// The structural contract of a tree, checked before anything indexes its arrays: the
// models are public value types, so one may be hand-built, deserialised or edited, and
// traversal, pruning and export index children_*, feature and value unchecked, and
// several passes (depth, decision_path's parents, feature_importances) visit the nodes
// in id order, relying on a parent preceding its children. Children greater than their
// parent also rule out cycles, and with exactly one parent per node but the root, every
// node is reachable from the root once. One pass over the nodes (a second, naming the
// node, only when one is bad); value's contents are checked by the typed overloads
// below, which know what it holds.
inline void validate_tree_structure(const char* function, const tree_structure& tree) {
  const std::size_t nodes = tree.feature.size();
  if (nodes == 0) throw_invalid(function, "the tree is empty (not fitted)");
  require(tree.n_features >= 1, function, "n_features", tree.n_features, "must be >= 1");
  require_same_length(function, "children_left", tree.children_left.size(), "feature", nodes);
  require_same_length(function, "children_right", tree.children_right.size(), "feature", nodes);
  require_same_length(function, "threshold", tree.threshold.size(), "feature", nodes);
  require_same_length(function, "impurity", tree.impurity.size(), "feature", nodes);
  require_same_length(function, "n_node_samples", tree.n_node_samples.size(), "feature", nodes);
  require_same_length(function, "weighted_n_node_samples", tree.weighted_n_node_samples.size(),
                      "feature", nodes);
  if (static_cast<std::size_t>(tree.value.rows()) != nodes || tree.value.cols() < 1)
    throw_invalid(function, "value (" + std::to_string(tree.value.rows()) + " x " +
                                std::to_string(tree.value.cols()) + ") must have one row per node (" +
                                std::to_string(nodes) + ") and at least one column");
  if (!tree_nodes_hold(tree)) report_bad_node(function, tree);
  // The root's weight divides the pruning costs and the importances.
  require(tree.weighted_n_node_samples[0] > 0.0, function, "weighted_n_node_samples[0]",
          tree.weighted_n_node_samples[0], "must be positive (the root holds every sample)");
}

// A classifier's value rows are weighted class counts, one column per class.
inline void validate_tree_structure(const char* function, const tree_classifier& tree) {
  validate_tree_structure(function, static_cast<const tree_structure&>(tree));
  // predict_proba sizes its result by n_classes: a field edited (or deserialised) apart
  // from the counts would size it wrongly, or hugely.
  if (tree.n_classes != tree.value.cols())
    throw_invalid_value(function, "n_classes", tree.n_classes,
                        "must equal the columns of value (" + std::to_string(tree.value.cols()) + ")");
  // A vectorised filter first: the sum is finite and the minimum >= 0 for valid counts
  // (a NaN makes the sum NaN); the scan that names the entry runs only if it fails.
  if (!(std::isfinite(tree.value.sum()) && tree.value.minCoeff() >= 0.0))
    require_non_negative(function, "value", tree.value);
  // predict_proba divides a leaf's counts by their sum. A fitted tree's children always
  // carry weight (a split needs weight on both sides); a hand-built leaf without any
  // would give NaN probabilities.
  if (!(tree.value.rowwise().sum().minCoeff() > 0.0)) {
    for (Eigen::Index t = 0; t < tree.value.rows(); ++t)
      if (!(tree.value.row(t).sum() > 0.0))
        throw_invalid(function, "value.row(" + std::to_string(t) + ") (sum " +
                                    format_value(tree.value.row(t).sum()) +
                                    ") must have a positive sum: a node needs class counts");
  }
}

// A regressor's value is the leaf mean, one column.
inline void validate_tree_structure(const char* function, const tree_regressor& tree) {
  validate_tree_structure(function, static_cast<const tree_structure&>(tree));
  if (tree.value.cols() != 1)
    throw_invalid_value(function, "value.cols()", tree.value.cols(), "must be 1 (the mean response)");
  if (!std::isfinite(tree.value.sum())) require_finite(function, "value", tree.value);
}

// Checks the tree (validate_tree_structure for its type) and X's shape. X's values are
// checked by for_each_leaf while it copies them.
template <class Tree, class Derived>
void validate_tree_input(const char* function, const Tree& tree, const Eigen::MatrixBase<Derived>& X) {
  using scalar = typename Derived::Scalar;
  static_assert(std::is_same_v<scalar, float> || std::is_same_v<scalar, double>,
                "patron trees take float or double features");
  validate_tree_structure(function, tree);
  if (X.cols() != tree.n_features)
    throw_invalid_value(function, "X.cols()", X.cols(),
                        "must equal the number of features the tree was fitted on (" +
                            std::to_string(tree.n_features) + ")");
}

// The split nodes packed into one 24-byte struct each (a traversal step reads one
// struct instead of four arrays). Leaves get no entry: a child < 0 is the leaf
// node ~child of the tree, so a row is done the moment its step yields a negative child.
struct packed_split {
  double threshold;
  int feature;
  int child[2];  // left, right: index into the packed splits, or ~(leaf node id)
};

// The splits in node order; empty when the root is a leaf.
inline std::vector<packed_split> pack_splits(const tree_structure& tree) {
  std::vector<int> packed_id(static_cast<std::size_t>(tree.node_count()));
  int splits = 0;
  for (std::size_t t = 0; t < packed_id.size(); ++t)
    packed_id[t] = tree.children_left[t] == tree_leaf ? ~static_cast<int>(t) : splits++;
  std::vector<packed_split> packed;
  packed.reserve(static_cast<std::size_t>(splits));
  for (std::size_t t = 0; t < packed_id.size(); ++t)
    if (tree.children_left[t] != tree_leaf)
      packed.push_back({tree.threshold[t], tree.feature[t],
                        {packed_id[static_cast<std::size_t>(tree.children_left[t])],
                         packed_id[static_cast<std::size_t>(tree.children_right[t])]}});
  return packed;
}

// Independent rows descending side by side. A traversal is a chain of dependent loads;
// interleaving the steps of this many rows lets their cache misses overlap. 8 measured
// best (200,000 x 10, unlimited tree: 4 lanes 15.0 ms, 6 12.9, 8 11.3, 10 15.3, 12 11.9,
// 16 12.1, 24 12.9 ms CPU, medians on the shared machine).
inline constexpr int tree_descent_lanes = 8;

// Leaf node id of each of the n rows of x (row-major, cols values a row) into leaf[0, n).
// Each lane holds one row; every round takes one step in every lane, and a lane whose
// row reaches a leaf writes it and takes the next row at once. The work per row is its
// own depth, not the deepest depth of a fixed group of rows: in an unlimited tree on
// noisy data leaf depths spread widely (benchmark data: 6 to 44, mean 19.3; groups of
// 64 rows stepping until their deepest row was at a leaf took 34.8 steps a row).
// When the rows run out the remaining lanes finish one by one.
inline void descend_rows(const std::vector<packed_split>& splits, const double* x,
                         Eigen::Index cols, Eigen::Index n, int* leaf) {
  if (splits.empty()) {  // the root is the only leaf
    std::fill(leaf, leaf + n, 0);
    return;
  }
  constexpr int lanes = tree_descent_lanes;
  const packed_split* split = splits.data();
  int node[lanes];
  Eigen::Index row[lanes];
  const double* values[lanes];  // x of the lane's row
  Eigen::Index next = 0;
  auto take = [&](int j) {
    node[j] = 0;
    row[j] = next;
    values[j] = x + next * cols;
    ++next;
  };
  int filled = 0;
  for (; filled < lanes && next < n; ++filled) take(filled);
  if (filled == lanes) {
    for (bool rows_left = true; rows_left;) {
      for (int j = 0; j < lanes; ++j) {
        const packed_split& s = split[node[j]];
        const int child = s.child[values[j][s.feature] <= s.threshold ? 0 : 1];
        if (child >= 0) {
          node[j] = child;
        } else {
          leaf[row[j]] = ~child;
          if (next < n) {
            take(j);
          } else {
            node[j] = -1;  // idle
            rows_left = false;
          }
        }
      }
    }
  }
  for (int j = 0; j < filled; ++j) {
    if (node[j] < 0) continue;
    int t = node[j];
    while (t >= 0) {
      const packed_split& s = split[t];
      t = s.child[values[j][s.feature] <= s.threshold ? 0 : 1];
    }
    leaf[row[j]] = ~t;
  }
}

// Fewer rows than this are not worth a thread of their own (starting one costs about
// as much as descending a few hundred rows).
inline constexpr std::size_t tree_rows_per_thread = 4096;

// Threads for `rows` rows: `threads` (0 = every hardware thread), but none with fewer
// than tree_rows_per_thread rows.
inline std::size_t row_share_count(Eigen::Index rows, unsigned threads) {
  return thread_count(threads, static_cast<std::size_t>(rows), tree_rows_per_thread);
}

// Calls work(share, begin, end) on the row_share_count contiguous shares of [0, rows),
// one per thread (core for_each_share, in Eigen's index type). work must not throw.
template <class Work>
void for_row_shares(Eigen::Index rows, unsigned threads, Work work) {
  for_each_share(static_cast<std::size_t>(rows), row_share_count(rows, threads),
                 [&](std::size_t k, std::size_t begin, std::size_t end) {
                   work(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(begin),
                        static_cast<Eigen::Index>(end));
                 });
}

// Calls visit(row, leaf node id) once for every row of X, from `threads` threads on
// contiguous shares of the rows (each row's result is its own, so the thread count
// cannot change it). Rows are copied a block at a time into a row-major double buffer:
// a row's features are then adjacent whatever X's layout or expression type, the copy
// reads X's columns sequentially, and the comparison is in double, as the thresholds
// are. Each block is checked finite in the buffer, which saves a separate pass over X;
// on a non-finite value the rows stop and require_finite names the first bad row.
template <class Derived, class Visit>
void for_each_leaf(const char* function, const tree_structure& tree,
                   const Eigen::MatrixBase<Derived>& X, unsigned threads, Visit visit) {
  const std::vector<packed_split> splits = pack_splits(tree);
  const Eigen::Index cols = X.cols();
  // Rows a block: 64 KB of values (8 KB would be too few rows per lane; measured).
  const Eigen::Index block =
      std::max<Eigen::Index>(8 * tree_descent_lanes, 8192 / std::max<Eigen::Index>(cols, 1));
  // Every share's buffers, allocated here so that the threads cannot throw.
  const std::size_t shares = row_share_count(X.rows(), threads);
  std::vector<std::vector<double>> buffer(
      shares, std::vector<double>(static_cast<std::size_t>(block * cols)));
  std::vector<std::vector<int>> leaves(shares, std::vector<int>(static_cast<std::size_t>(block)));
  std::vector<char> finite(shares, 1);
  for_row_shares(X.rows(), threads, [&](Eigen::Index share, Eigen::Index begin, Eigen::Index end) {
    std::vector<double>& x = buffer[static_cast<std::size_t>(share)];
    std::vector<int>& leaf = leaves[static_cast<std::size_t>(share)];
    for (Eigen::Index start = begin; start < end; start += block) {
      const Eigen::Index n = std::min(block, end - start);
      for (Eigen::Index r = 0; r < n; ++r)
        for (Eigen::Index c = 0; c < cols; ++c)
          x[static_cast<std::size_t>(r * cols + c)] = static_cast<double>(X(start + r, c));
      if (!Eigen::Map<const Eigen::ArrayXd>(x.data(), n * cols).allFinite()) {
        finite[static_cast<std::size_t>(share)] = 0;
        return;
      }
      descend_rows(splits, x.data(), cols, n, leaf.data());
      for (Eigen::Index r = 0; r < n; ++r) visit(start + r, leaf[static_cast<std::size_t>(r)]);
    }
  });
  if (std::find(finite.begin(), finite.end(), 0) != finite.end())
    require_finite(function, "X", X.derived());
}

}  // namespace detail

inline int tree_structure::leaf_count() const {
  return static_cast<int>(std::count(children_left.begin(), children_left.end(), detail::tree_leaf));
}

inline int tree_structure::depth() const {
  detail::validate_tree_structure("tree::depth", *this);
  std::vector<int> node_depth(children_left.size(), 0);
  int deepest = 0;
  // Children always have larger ids than their parent (both growth orders and pruning
  // number nodes that way), so one forward pass sees every parent first.
  for (std::size_t t = 0; t < children_left.size(); ++t) {
    deepest = std::max(deepest, node_depth[t]);
    if (children_left[t] != detail::tree_leaf) {
      node_depth[static_cast<std::size_t>(children_left[t])] = node_depth[t] + 1;
      node_depth[static_cast<std::size_t>(children_right[t])] = node_depth[t] + 1;
    }
  }
  return deepest;
}

inline Eigen::VectorXd tree_structure::feature_importances() const {
  detail::validate_tree_structure("tree::feature_importances", *this);
  Eigen::VectorXd importance = Eigen::VectorXd::Zero(n_features);
  for (std::size_t t = 0; t < children_left.size(); ++t) {
    if (children_left[t] == detail::tree_leaf) continue;
    const auto l = static_cast<std::size_t>(children_left[t]);
    const auto r = static_cast<std::size_t>(children_right[t]);
    importance(feature[t]) += weighted_n_node_samples[t] * impurity[t] -
                              weighted_n_node_samples[l] * impurity[l] -
                              weighted_n_node_samples[r] * impurity[r];
  }
  importance /= weighted_n_node_samples[0];
  const double total = importance.sum();
  if (total > 0.0) importance /= total;
  return importance;
}

template <class Derived>
Eigen::VectorXi tree_structure::apply(const Eigen::MatrixBase<Derived>& X,
                                      const tree_predict_options& options) const {
  detail::validate_tree_input("tree::apply", *this, X);
  Eigen::VectorXi leaves(X.rows());
  detail::for_each_leaf("tree::apply", *this, X, options.threads,
                        [&](Eigen::Index r, int leaf) { leaves(r) = leaf; });
  return leaves;
}

template <class Derived>
tree_decision_paths tree_structure::decision_path(const Eigen::MatrixBase<Derived>& X,
                                                  const tree_predict_options& options) const {
  constexpr const char* function = "tree::decision_path";
  detail::validate_tree_input(function, *this, X);
  // A tree has one path to each leaf, so a row's path is its leaf's: the leaves come from
  // the lane descent of apply, and each row copies its leaf's path from a table holding
  // the path of every leaf reached, so the table is never larger than the output.
  // (Walking each row's path back through the parents instead: 24 against 19 ms CPU on
  // the benchmark, a chain of dependent loads per row.)
  const auto rows = static_cast<std::size_t>(X.rows());
  std::vector<int> leaf(rows);
  detail::for_each_leaf(function, *this, X, options.threads,
                        [&](Eigen::Index r, int t) { leaf[static_cast<std::size_t>(r)] = t; });
  const auto nodes = static_cast<std::size_t>(node_count());
  std::vector<int> parent(nodes, -1);
  std::vector<std::int64_t> length(nodes, 1);  // nodes from the root to t
  // Children have larger ids than their parent (see depth()): one forward pass.
  for (std::size_t t = 0; t < nodes; ++t) {
    if (children_left[t] == detail::tree_leaf) continue;
    for (const int child : {children_left[t], children_right[t]}) {
      parent[static_cast<std::size_t>(child)] = static_cast<int>(t);
      length[static_cast<std::size_t>(child)] = length[t] + 1;
    }
  }
  std::vector<std::int64_t> table_start(nodes, -1);  // -1: no row reaches the leaf
  for (const int t : leaf) table_start[static_cast<std::size_t>(t)] = 0;
  std::vector<int> table;
  for (std::size_t t = 0; t < nodes; ++t) {
    if (table_start[t] < 0) continue;
    table_start[t] = static_cast<std::int64_t>(table.size());
    table.resize(table.size() + static_cast<std::size_t>(length[t]));
    int* out = table.data() + table.size();
    for (auto u = static_cast<int>(t); u >= 0; u = parent[static_cast<std::size_t>(u)]) *--out = u;
  }
  tree_decision_paths paths;
  paths.row_start.resize(rows + 1);
  paths.row_start[0] = 0;
  for (std::size_t r = 0; r < rows; ++r)
    paths.row_start[r + 1] = paths.row_start[r] + length[static_cast<std::size_t>(leaf[r])];
  paths.nodes.resize(static_cast<std::size_t>(paths.row_start[rows]));
  // Every row writes its own range of nodes: the same output for any thread count.
  detail::for_row_shares(X.rows(), options.threads, [&](Eigen::Index, Eigen::Index begin, Eigen::Index end) {
    for (auto r = static_cast<std::size_t>(begin); r < static_cast<std::size_t>(end); ++r) {
      const auto t = static_cast<std::size_t>(leaf[r]);
      const int* path = table.data() + table_start[t];
      std::copy(path, path + length[t], paths.nodes.data() + paths.row_start[r]);
    }
  });
  return paths;
}

template <class Derived>
Eigen::VectorXi tree_classifier::predict(const Eigen::MatrixBase<Derived>& X,
                                         const tree_predict_options& options) const {
  detail::validate_tree_input("tree_classifier::predict", *this, X);
  std::vector<int> node_class(static_cast<std::size_t>(node_count()), 0);
  for (int t = 0; t < node_count(); ++t) {
    Eigen::Index best = 0;
    value.row(t).maxCoeff(&best);  // the first maximum
    node_class[static_cast<std::size_t>(t)] = static_cast<int>(best);
  }
  Eigen::VectorXi labels(X.rows());
  detail::for_each_leaf("tree_classifier::predict", *this, X, options.threads,
                        [&](Eigen::Index r, int leaf) {
                          labels(r) = node_class[static_cast<std::size_t>(leaf)];
                        });
  return labels;
}

template <class Derived>
Eigen::MatrixXd tree_classifier::predict_proba(const Eigen::MatrixBase<Derived>& X,
                                               const tree_predict_options& options) const {
  detail::validate_tree_input("tree_classifier::predict_proba", *this, X);
  Eigen::MatrixXd proba(X.rows(), n_classes);
  detail::for_each_leaf("tree_classifier::predict_proba", *this, X, options.threads,
                        [&](Eigen::Index r, int leaf) {
                          const auto counts = value.row(leaf);
                          proba.row(r) = counts / counts.sum();
                        });
  return proba;
}

template <class Derived>
Eigen::VectorXd tree_regressor::predict(const Eigen::MatrixBase<Derived>& X,
                                        const tree_predict_options& options) const {
  detail::validate_tree_input("tree_regressor::predict", *this, X);
  Eigen::VectorXd out(X.rows());
  detail::for_each_leaf("tree_regressor::predict", *this, X, options.threads,
                        [&](Eigen::Index r, int leaf) { out(r) = value(leaf, 0); });
  return out;
}

}  // namespace patron
