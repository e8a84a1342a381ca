// Queries of a fitted tree: traversal, prediction, depth, importances.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
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

// Leaf reached by row r; the comparison is in double, as the thresholds are.
template <class Derived>
int leaf_of(const tree_structure& tree, const Eigen::MatrixBase<Derived>& X, Eigen::Index r) {
  int node = 0;
  while (tree.children_left[node] != tree_leaf)
    node = static_cast<double>(X(r, tree.feature[node])) <= tree.threshold[node]
               ? tree.children_left[node]
               : tree.children_right[node];
  return node;
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
  for (Eigen::Index r = 0; r < X.rows(); ++r) leaves(r) = detail::leaf_of(*this, X, r);
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
  Eigen::VectorXi labels(X.rows());
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    Eigen::Index best = 0;
    value.row(detail::leaf_of(*this, X, r)).maxCoeff(&best);  // first maximum
    labels(r) = static_cast<int>(best);
  }
  return labels;
}

template <class Derived>
Eigen::MatrixXd tree_classifier::predict_proba(const Eigen::MatrixBase<Derived>& X) const {
  detail::validate_tree_input("tree_classifier::predict_proba", *this, X);
  Eigen::MatrixXd proba(X.rows(), n_classes);
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    const auto counts = value.row(detail::leaf_of(*this, X, r));
    proba.row(r) = counts / counts.sum();
  }
  return proba;
}

template <class Derived>
Eigen::VectorXd tree_regressor::predict(const Eigen::MatrixBase<Derived>& X) const {
  detail::validate_tree_input("tree_regressor::predict", *this, X);
  Eigen::VectorXd out(X.rows());
  for (Eigen::Index r = 0; r < X.rows(); ++r) out(r) = value(detail::leaf_of(*this, X, r), 0);
  return out;
}

}  // namespace patron
