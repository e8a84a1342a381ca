// Queries of a fitted tree: traversal, prediction, depth, importances.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {
namespace detail {

inline constexpr int tree_leaf = -1;        // children_left/right of a leaf
inline constexpr int tree_undefined = -2;   // feature and threshold of a leaf

template <class Derived>
void validate_tree_input(const char* function, const tree_structure& tree,
                         const Eigen::MatrixBase<Derived>& X) {
  using scalar = typename Derived::Scalar;
  static_assert(std::is_same_v<scalar, float> || std::is_same_v<scalar, double>,
                "patron trees take float or double features");
  if (tree.node_count() == 0) throw_invalid(function, "the tree is empty (not fitted)");
  if (X.cols() != tree.n_features)
    throw_invalid_value(function, "X.cols()", X.cols(),
                        "must equal the number of features the tree was fitted on (" +
                            std::to_string(tree.n_features) + ")");
  require_finite(function, "X", X);
}

// The nodes packed into one 16-byte struct each, so a traversal touches one cache line
// per node instead of four. A leaf points to itself on both sides (threshold +infinity,
// feature 0): stepping from a leaf stays there, so rows can descend in lockstep without
// a branch per step.
struct packed_node {
  double threshold;
  int feature;
  int child[2];  // left, right; a leaf's own index
};

inline std::vector<packed_node> pack_nodes(const tree_structure& tree) {
  std::vector<packed_node> nodes(static_cast<std::size_t>(tree.node_count()));
  for (std::size_t t = 0; t < nodes.size(); ++t) {
    const int self = static_cast<int>(t);
    nodes[t] = tree.children_left[t] == tree_leaf
                   ? packed_node{std::numeric_limits<double>::infinity(), 0, {self, self}}
                   : packed_node{tree.threshold[t], tree.feature[t],
                                 {tree.children_left[t], tree.children_right[t]}};
  }
  return nodes;
}

// Leaf reached by each row. Rows descend in groups of 64, all of a group's rows taking
// one step before any takes the next: a traversal is a chain of dependent loads, and
// interleaving 64 independent chains lets their cache misses overlap. Steps run in
// rounds of 8 with no test in between (rows already at a leaf stay put); after each
// round the group stops if every row is at a leaf. The comparison is in double, as the
// thresholds are (inputs are finite: validated).
template <class Derived, class Visit>
void for_each_leaf(const tree_structure& tree, const Eigen::MatrixBase<Derived>& X, Visit visit) {
  const std::vector<packed_node> nodes = pack_nodes(tree);
  constexpr Eigen::Index group = 64;
  constexpr int steps_per_round = 8;
  int node[group];
  for (Eigen::Index start = 0; start < X.rows(); start += group) {
    const auto width = static_cast<int>(std::min(group, X.rows() - start));
    for (int j = 0; j < width; ++j) node[j] = 0;
    for (bool done = false; !done;) {
      for (int step = 0; step < steps_per_round; ++step)
        for (int j = 0; j < width; ++j) {
          const packed_node& n = nodes[static_cast<std::size_t>(node[j])];
          node[j] = n.child[static_cast<double>(X(start + j, n.feature)) <= n.threshold ? 0 : 1];
        }
      done = true;
      for (int j = 0; j < width; ++j) done &= nodes[static_cast<std::size_t>(node[j])].child[0] == node[j];
    }
    for (int j = 0; j < width; ++j) visit(start + j, node[j]);
  }
}

}  // namespace detail

inline int tree_structure::leaf_count() const {
  return static_cast<int>(std::count(children_left.begin(), children_left.end(), detail::tree_leaf));
}

inline int tree_structure::depth() const {
  if (children_left.empty()) return 0;
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
  Eigen::VectorXd importance = Eigen::VectorXd::Zero(n_features);
  for (std::size_t t = 0; t < children_left.size(); ++t) {
    if (children_left[t] == detail::tree_leaf) continue;
    const auto l = static_cast<std::size_t>(children_left[t]);
    const auto r = static_cast<std::size_t>(children_right[t]);
    importance(feature[t]) += weighted_n_node_samples[t] * impurity[t] -
                              weighted_n_node_samples[l] * impurity[l] -
                              weighted_n_node_samples[r] * impurity[r];
  }
  if (!weighted_n_node_samples.empty()) importance /= weighted_n_node_samples[0];
  const double total = importance.sum();
  if (total > 0.0) importance /= total;
  return importance;
}

template <class Derived>
Eigen::VectorXi tree_structure::apply(const Eigen::MatrixBase<Derived>& X) const {
  detail::validate_tree_input("tree::apply", *this, X);
  Eigen::VectorXi leaves(X.rows());
  detail::for_each_leaf(*this, X, [&](Eigen::Index r, int leaf) { leaves(r) = leaf; });
  return leaves;
}

template <class Derived>
tree_decision_paths tree_structure::decision_path(const Eigen::MatrixBase<Derived>& X) const {
  detail::validate_tree_input("tree::decision_path", *this, X);
  tree_decision_paths paths;
  paths.row_start.reserve(static_cast<std::size_t>(X.rows()) + 1);
  paths.row_start.push_back(0);
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    int node = 0;
    paths.nodes.push_back(node);
    while (children_left[node] != detail::tree_leaf) {
      node = static_cast<double>(X(r, feature[node])) <= threshold[node] ? children_left[node]
                                                                          : children_right[node];
      paths.nodes.push_back(node);
    }
    paths.row_start.push_back(static_cast<std::int64_t>(paths.nodes.size()));
  }
  return paths;
}

template <class Derived>
Eigen::VectorXi tree_classifier::predict(const Eigen::MatrixBase<Derived>& X) const {
  detail::validate_tree_input("tree_classifier::predict", *this, X);
  std::vector<int> node_class(static_cast<std::size_t>(node_count()), 0);
  for (int t = 0; t < node_count(); ++t) {
    Eigen::Index best = 0;
    value.row(t).maxCoeff(&best);  // the first maximum
    node_class[static_cast<std::size_t>(t)] = static_cast<int>(best);
  }
  Eigen::VectorXi labels(X.rows());
  detail::for_each_leaf(*this, X, [&](Eigen::Index r, int leaf) {
    labels(r) = node_class[static_cast<std::size_t>(leaf)];
  });
  return labels;
}

template <class Derived>
Eigen::MatrixXd tree_classifier::predict_proba(const Eigen::MatrixBase<Derived>& X) const {
  detail::validate_tree_input("tree_classifier::predict_proba", *this, X);
  Eigen::MatrixXd proba(X.rows(), n_classes);
  detail::for_each_leaf(*this, X, [&](Eigen::Index r, int leaf) {
    const auto counts = value.row(leaf);
    proba.row(r) = counts / counts.sum();
  });
  return proba;
}

template <class Derived>
Eigen::VectorXd tree_regressor::predict(const Eigen::MatrixBase<Derived>& X) const {
  detail::validate_tree_input("tree_regressor::predict", *this, X);
  Eigen::VectorXd out(X.rows());
  detail::for_each_leaf(*this, X, [&](Eigen::Index r, int leaf) { out(r) = value(leaf, 0); });
  return out;
}

}  // namespace patron
