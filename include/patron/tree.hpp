// CART decision trees (Breiman, Friedman, Olshen & Stone 1984, "Classification and
// Regression Trees"), minimal cost-complexity pruning, and the tree read back as
// segment rules a marketer can act on.
//
//   patron::tree_classifier_options options;
//   options.max_depth = 3;
//   auto tree = patron::fit_tree_classifier(X, y, options);   // rows are customers
//   Eigen::VectorXi segment = tree.predict(X_new);
//   for (const auto& rule : patron::extract_rules(tree))
//     std::cout << patron::format_rule(rule, names) << "\n";
//   // IF recency <= 30.50 AND frequency > 3.50 THEN "1" (n = 412, 91% purity)
//
// Growth (scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor, see docs/tree.md):
// every node takes the split s = (feature, threshold) maximising the weighted impurity
// decrease
//     N_t / N * (i(t) - N_tL / N_t * i(t_L) - N_tR / N_t * i(t_R)),
// where N are sample-weight sums and i is
//     gini           1 - sum_k p_k^2
//     entropy        -sum_k p_k log2 p_k
//     squared_error  sum_i w_i (y_i - ybar_t)^2 / N_t
// Thresholds are midpoints between consecutive distinct feature values; a sample goes
// left when x[feature] <= threshold. Ties between equally good splits go to the lowest
// feature index, then to the smallest threshold (scikit-learn breaks them by its
// random feature permutation instead).
//
// Pruning (Breiman et al. 1984, ch. 3): R_alpha(T) = R(T) + alpha |leaves(T)| with
// R(T) = sum over leaves of N_t / N * i(t). The weakest link
//     g(t) = (R(t) - R(T_t)) / (|leaves(T_t)| - 1)
// is collapsed repeatedly; the successive g values are the effective alphas of
// cost_complexity_pruning_path (scikit-learn's algorithm and node numbering).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "patron/core/class_weighting.hpp"

namespace patron {

enum class tree_criterion { gini, entropy };

// Growth limits shared by classification and regression trees.
struct tree_options {
  // Maximum depth (root = depth 0), >= 1. Unset: grow until leaves are pure or too small.
  std::optional<int> max_depth;
  // A node with fewer samples (rows, not weight) is not split; >= 2. The effective value
  // is max(min_samples_split, 2 * min_samples_leaf), as in scikit-learn.
  int min_samples_split = 2;
  // Every leaf keeps at least this many samples; >= 1.
  int min_samples_leaf = 1;
  // A split must decrease the weighted impurity N_t / N * (...) above by at least this; >= 0.
  double min_impurity_decrease = 0.0;
  // Set (>= 2): grow best-first, always splitting the leaf with the largest impurity
  // decrease (ties: lowest node id), until there are this many leaves.
  std::optional<int> max_leaf_nodes;
  // Cost-complexity parameter applied after growth; >= 0, 0 = no pruning.
  double ccp_alpha = 0.0;
};

struct tree_classifier_options : tree_options {
  tree_criterion criterion = tree_criterion::gini;
  // Number of classes; labels must lie in 0..n_classes-1. 0: max(label) + 1.
  int n_classes = 0;
  class_weighting class_weight_mode = class_weighting::none;
  std::vector<double> class_weight;  // explicit_weights: one finite weight >= 0 per class
};

struct tree_regressor_options : tree_options {};  // criterion: squared error

// Options of apply, decision_path, predict and predict_proba.
struct tree_predict_options {
  // Threads (0 = every hardware thread), each descending a contiguous share of the rows
  // (rows split evenly, at least 4,096 rows a thread). A row's result never depends on it.
  unsigned threads = 1;
};

// decision_path result in compressed-row form: the nodes visited by sample i are
// nodes[row_start[i]] .. nodes[row_start[i + 1] - 1], root first.
struct tree_decision_paths {
  std::vector<std::int64_t> row_start;
  std::vector<int> nodes;
};

// The fitted tree as parallel per-node arrays (scikit-learn's tree_ layout). Node 0 is
// the root. children_left[t] == -1 marks a leaf, whose feature and threshold are -2.
struct tree_structure {
  int n_features = 0;
  std::vector<int> children_left, children_right, feature;
  std::vector<double> threshold;
  std::vector<double> impurity;                 // i(t) of the node's training samples
  std::vector<std::int64_t> n_node_samples;     // training rows reaching the node
  std::vector<double> weighted_n_node_samples;  // their weight sum N_t
  // One row per node. Classification: weighted class counts (class_weight x
  // sample_weight), so a row divided by its sum is the class distribution. Regression:
  // the weighted mean response (one column).
  Eigen::MatrixXd value;

  [[nodiscard]] int node_count() const { return static_cast<int>(feature.size()); }
  [[nodiscard]] bool is_leaf(int node) const { return children_left.at(node) < 0; }
  [[nodiscard]] int leaf_count() const;
  [[nodiscard]] int depth() const;  // longest root-to-leaf path in edges
  // Impurity-based (Gini / mean decrease in impurity) importances, summing to 1 unless
  // the tree is a single leaf (then all zero).
  [[nodiscard]] Eigen::VectorXd feature_importances() const;
  // Leaf node id of every row of X (float or double, rows are samples).
  template <class Derived>
  [[nodiscard]] Eigen::VectorXi apply(const Eigen::MatrixBase<Derived>& X,
                                      const tree_predict_options& options = {}) const;
  // Nodes visited by every row of X, root to leaf (the leaves are apply's).
  template <class Derived>
  [[nodiscard]] tree_decision_paths decision_path(const Eigen::MatrixBase<Derived>& X,
                                                  const tree_predict_options& options = {}) const;
};

struct tree_classifier : tree_structure {
  int n_classes = 0;
  tree_criterion criterion = tree_criterion::gini;
  // Most frequent (weighted) class of each row's leaf; ties go to the lowest class.
  template <class Derived>
  [[nodiscard]] Eigen::VectorXi predict(const Eigen::MatrixBase<Derived>& X,
                                        const tree_predict_options& options = {}) const;
  // Class distribution of each row's leaf (rows sum to 1).
  template <class Derived>
  [[nodiscard]] Eigen::MatrixXd predict_proba(const Eigen::MatrixBase<Derived>& X,
                                              const tree_predict_options& options = {}) const;
};

struct tree_regressor : tree_structure {
  template <class Derived>
  [[nodiscard]] Eigen::VectorXd predict(const Eigen::MatrixBase<Derived>& X,
                                        const tree_predict_options& options = {}) const;
};

// Effective alphas (ascending, starting at 0) and the total leaf impurity R(T_alpha)
// of the subtree that minimises R_alpha for alphas up to the next entry.
struct cost_complexity_path {
  Eigen::VectorXd ccp_alphas;
  Eigen::VectorXd impurities;
  Eigen::VectorXi leaves;  // leaf count of each subtree
};

enum class alpha_selection {
  min_error,  // the alpha with the smallest cross-validated error
  one_se      // the largest alpha within one standard error of the minimum (rpart)
};

struct ccp_cross_validation_options {
  int folds = 10;  // 2..rows
  std::uint64_t seed = 0;  // fold assignment: a patron::rng shuffle of the rows
  alpha_selection rule = alpha_selection::min_error;
};

// rpart's cp table: one row per subtree of the full-data pruning path.
struct ccp_cross_validation {
  Eigen::VectorXd ccp_alphas;      // the full-data path
  Eigen::VectorXi leaves;
  Eigen::VectorXd cv_error;        // mean held-out loss (misclassification or squared error)
  Eigen::VectorXd cv_standard_error;  // standard deviation of the per-row loss / sqrt(rows)
  int best_index = 0;              // minimum cv_error (ties: the simpler tree)
  int chosen_index = 0;            // by options.rule
  double chosen_alpha = 0.0;       // ccp_alphas[chosen_index]
};

// --- readable rules ------------------------------------------------------------
enum class comparison { less_equal, greater };
struct rule_condition {
  int feature = 0;
  comparison op = comparison::less_equal;
  double threshold = 0.0;
};

// The path to one leaf, with conditions on the same feature and direction merged into
// the tightest one; features in the order they are first tested, a feature's lower
// bound (>) before its upper bound (<=).
struct leaf_rule {
  int leaf = 0;
  std::vector<rule_condition> conditions;
  std::int64_t n_samples = 0;        // training rows in the leaf
  double weighted_n_samples = 0.0;
  int predicted_class = -1;          // classification; -1 for regression
  double purity = 0.0;               // classification: weight share of predicted_class
  double predicted_value = 0.0;      // regression: leaf mean; classification: the class
};

struct rule_format {
  std::vector<std::string> feature_names;  // empty: feature_0, feature_1, ...
  std::vector<std::string> class_names;    // empty: the class number
  int decimals = 2;                        // digits after the point of thresholds, 0..17
};

}  // namespace patron

// The implementation needs the complete types above.
#include "patron/tree/model.hpp"
#include "patron/tree/pruning.hpp"
#include "patron/tree/builder.hpp"
#include "patron/tree/cross_validation.hpp"
#include "patron/tree/export.hpp"

namespace patron {

// Fits a classification tree. X: float or double, rows are samples; y: labels in
// 0..n_classes-1; sample_weight: empty (all 1) or one finite weight >= 0 per row.
template <class Derived>
[[nodiscard]] tree_classifier fit_tree_classifier(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXi>& y,
    const tree_classifier_options& options = {},
    const Eigen::Ref<const Eigen::VectorXd>& sample_weight = Eigen::VectorXd()) {
  return detail::fit_classifier(X.derived(), y, options, sample_weight);
}

// Fits a regression tree (squared error): the leaf value is the weighted mean of y.
template <class Derived>
[[nodiscard]] tree_regressor fit_tree_regressor(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXd>& y,
    const tree_regressor_options& options = {},
    const Eigen::Ref<const Eigen::VectorXd>& sample_weight = Eigen::VectorXd()) {
  return detail::fit_regressor(X.derived(), y, options, sample_weight);
}

// scikit-learn's cost_complexity_pruning_path of a fitted (unpruned) tree.
[[nodiscard]] inline cost_complexity_path cost_complexity_pruning_path(const tree_structure& tree) {
  detail::validate_tree_structure("cost_complexity_pruning_path", tree);
  return detail::pruning_path(tree);
}

// The minimal cost-complexity subtree for ccp_alpha (>= 0): weakest links are collapsed
// while their g(t) <= ccp_alpha. Nodes are renumbered depth-first, as scikit-learn does.
template <class Tree>
[[nodiscard]] Tree prune_tree(const Tree& tree, double ccp_alpha) {
  detail::validate_tree_structure("prune_tree", tree);
  return detail::prune_at_alpha(tree, ccp_alpha);
}

// k-fold cross-validation of the pruning path (rpart's xerror / xstd): the full tree's
// path on all rows gives the candidate subtrees; in each fold a tree grown on the other
// folds is pruned at the geometric midpoint sqrt(alpha_i alpha_(i+1)) of each interval
// and scored on the held-out rows. options.ccp_alpha is ignored.
template <class Derived>
[[nodiscard]] ccp_cross_validation cross_validate_ccp_alpha(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXi>& y,
    const tree_classifier_options& options, const ccp_cross_validation_options& cv = {},
    const Eigen::Ref<const Eigen::VectorXd>& sample_weight = Eigen::VectorXd()) {
  return detail::cross_validate(X.derived(), y, options, cv, sample_weight);
}
template <class Derived>
[[nodiscard]] ccp_cross_validation cross_validate_ccp_alpha(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXd>& y,
    const tree_regressor_options& options, const ccp_cross_validation_options& cv = {},
    const Eigen::Ref<const Eigen::VectorXd>& sample_weight = Eigen::VectorXd()) {
  return detail::cross_validate(X.derived(), y, options, cv, sample_weight);
}

// Every leaf as a rule, left to right.
[[nodiscard]] inline std::vector<leaf_rule> extract_rules(const tree_classifier& tree) {
  detail::validate_tree_structure("extract_rules", tree);
  return detail::extract_rules(tree, true);
}
[[nodiscard]] inline std::vector<leaf_rule> extract_rules(const tree_regressor& tree) {
  detail::validate_tree_structure("extract_rules", tree);
  return detail::extract_rules(tree, false);
}

// IF recency <= 30.50 AND frequency > 3.50 THEN "Champions" (n = 412, 91% purity)
// (regression: THEN value = 12.34 (n = 40)); a one-leaf tree reads IF TRUE THEN ...
[[nodiscard]] inline std::string format_rule(const leaf_rule& rule, const rule_format& format = {}) {
  return detail::format_rule(rule, format);
}
// The rules as a JSON array of {leaf, conditions: [{feature, name, op, threshold}], n,
// weighted_n, class, class_name, purity | value}.
[[nodiscard]] inline std::string rules_to_json(const std::vector<leaf_rule>& rules,
                                               const rule_format& format = {}) {
  return detail::rules_to_json(rules, format);
}
// The tree as indented text, in the layout of scikit-learn's export_text.
[[nodiscard]] inline std::string export_text(const tree_classifier& tree, const rule_format& format = {}) {
  detail::validate_tree_structure("export_text", tree);
  return detail::export_text(tree, true, format);
}
[[nodiscard]] inline std::string export_text(const tree_regressor& tree, const rule_format& format = {}) {
  detail::validate_tree_structure("export_text", tree);
  return detail::export_text(tree, false, format);
}

}  // namespace patron
