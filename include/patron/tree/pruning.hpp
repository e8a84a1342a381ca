// Minimal cost-complexity pruning (Breiman et al. 1984, section 3.3), following
// scikit-learn's _cost_complexity_prune step by step so that the effective alphas,
// the subtree impurities and the renumbering of the pruned tree agree with it.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron::detail {

struct weakest_link_step {
  double alpha;
  double impurity;  // R(T) after collapsing
  int leaves;
  int node;         // the node collapsed into a leaf (-2 for the first step, the full tree)
};

// Collapses weakest links in order, calling `keep_going(alpha)` before each collapse;
// returns the steps taken (the first is alpha 0, the full tree) and, in
// `leaf_mask`, the nodes that are leaves of the final subtree.
template <class KeepGoing>
std::vector<weakest_link_step> collapse_weakest_links(const tree_structure& tree,
                                                      KeepGoing keep_going,
                                                      std::vector<char>& leaf_mask) {
  const auto n_nodes = static_cast<std::size_t>(tree.node_count());
  const double total_weight = tree.weighted_n_node_samples[0];
  std::vector<double> r_node(n_nodes), r_branch(n_nodes, 0.0);
  std::vector<int> parent(n_nodes, tree_undefined), n_leaves(n_nodes, 0);
  std::vector<char> candidate(n_nodes, 0), in_subtree(n_nodes, 1);
  leaf_mask.assign(n_nodes, 0);
  std::vector<int> leaves;
  for (std::size_t t = 0; t < n_nodes; ++t)
    r_node[t] = tree.weighted_n_node_samples[t] * tree.impurity[t] / total_weight;

  std::vector<int> stack{0};
  while (!stack.empty()) {
    const int t = stack.back();
    stack.pop_back();
    if (tree.children_left[t] == tree_leaf) {
      leaf_mask[t] = 1;
      leaves.push_back(t);
    } else {
      candidate[t] = 1;
      parent[tree.children_left[t]] = t;
      parent[tree.children_right[t]] = t;
      stack.push_back(tree.children_left[t]);
      stack.push_back(tree.children_right[t]);
    }
  }
  for (int leaf : leaves) {
    r_branch[leaf] = r_node[leaf];
    for (int t = leaf; t != 0;) {
      t = parent[t];
      r_branch[t] += r_node[leaf];
      n_leaves[t] += 1;
    }
  }

  std::vector<weakest_link_step> steps{
      {0.0, r_branch[0], static_cast<int>(leaves.size()), tree_undefined}};
  while (candidate[0]) {
    double alpha = std::numeric_limits<double>::max();
    int weakest = 0;
    for (std::size_t t = 0; t < n_nodes; ++t) {
      if (!candidate[t]) continue;
      const double g = (r_node[t] - r_branch[t]) / (n_leaves[t] - 1);
      if (g < alpha) {  // strict: the lowest node id among equal g
        alpha = g;
        weakest = static_cast<int>(t);
      }
    }
    if (!keep_going(alpha)) break;
    stack.assign(1, weakest);
    while (!stack.empty()) {
      const int t = stack.back();
      stack.pop_back();
      if (!in_subtree[t]) continue;
      candidate[t] = 0;
      leaf_mask[t] = 0;
      in_subtree[t] = 0;
      if (tree.children_left[t] != tree_leaf) {
        stack.push_back(tree.children_left[t]);
        stack.push_back(tree.children_right[t]);
      }
    }
    leaf_mask[weakest] = 1;
    in_subtree[weakest] = 1;
    const int removed = n_leaves[weakest] - 1;
    n_leaves[weakest] = 0;
    const double r_diff = r_node[weakest] - r_branch[weakest];
    r_branch[weakest] = r_node[weakest];
    for (int t = parent[weakest]; t != tree_undefined; t = parent[t]) {
      n_leaves[t] -= removed;
      r_branch[t] += r_diff;
    }
    steps.push_back({alpha, r_branch[0], steps.back().leaves - removed, weakest});
  }
  return steps;
}

inline cost_complexity_path pruning_path(const tree_structure& tree) {
  std::vector<char> mask;
  const auto steps = collapse_weakest_links(tree, [](double) { return true; }, mask);
  cost_complexity_path path;
  const auto n = static_cast<Eigen::Index>(steps.size());
  path.ccp_alphas.resize(n);
  path.impurities.resize(n);
  path.leaves.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& s = steps[static_cast<std::size_t>(i)];
    path.ccp_alphas(i) = s.alpha;
    path.impurities(i) = s.impurity;
    path.leaves(i) = s.leaves;
  }
  return path;
}

// Copies the nodes of `tree` above and on the leaf mask, numbered depth-first (left
// subtree first) as scikit-learn's _build_pruned_tree does.
template <class Tree>
Tree copy_subtree(const Tree& tree, const std::vector<char>& leaf_mask) {
  Tree out = tree;
  for (auto* v : {&out.children_left, &out.children_right, &out.feature}) v->clear();
  for (auto* v : {&out.threshold, &out.impurity, &out.weighted_n_node_samples}) v->clear();
  out.n_node_samples.clear();
  std::vector<int> kept;
  struct entry { int node, parent; bool is_left; };
  std::vector<entry> stack{{0, tree_undefined, false}};
  while (!stack.empty()) {
    const entry e = stack.back();
    stack.pop_back();
    const int id = static_cast<int>(kept.size());
    kept.push_back(e.node);
    const bool leaf = leaf_mask[static_cast<std::size_t>(e.node)] != 0;
    out.children_left.push_back(tree_leaf);
    out.children_right.push_back(tree_leaf);
    out.feature.push_back(leaf ? tree_undefined : tree.feature[e.node]);
    out.threshold.push_back(leaf ? tree_undefined : tree.threshold[e.node]);
    out.impurity.push_back(tree.impurity[e.node]);
    out.n_node_samples.push_back(tree.n_node_samples[e.node]);
    out.weighted_n_node_samples.push_back(tree.weighted_n_node_samples[e.node]);
    if (e.parent != tree_undefined)
      (e.is_left ? out.children_left : out.children_right)[e.parent] = id;
    if (!leaf) {
      stack.push_back({tree.children_right[e.node], id, false});
      stack.push_back({tree.children_left[e.node], id, true});
    }
  }
  out.value.resize(static_cast<Eigen::Index>(kept.size()), tree.value.cols());
  for (std::size_t i = 0; i < kept.size(); ++i)
    out.value.row(static_cast<Eigen::Index>(i)) = tree.value.row(kept[i]);
  return out;
}

template <class Tree>
Tree prune_at_alpha(const Tree& tree, double ccp_alpha) {
  require(std::isfinite(ccp_alpha) && ccp_alpha >= 0.0, "prune_tree", "ccp_alpha", ccp_alpha,
          "must be finite and non-negative");
  std::vector<char> mask;
  collapse_weakest_links(tree, [ccp_alpha](double alpha) { return alpha <= ccp_alpha; }, mask);
  return copy_subtree(tree, mask);
}

}  // namespace patron::detail
