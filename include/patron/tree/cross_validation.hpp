// k-fold cross-validation of the cost-complexity path (rpart's cp table, Therneau &
// Atkinson, "An Introduction to Recursive Partitioning Using the RPART Routines",
// section 4.2).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "patron/core/rng.hpp"
#include "patron/core/validate.hpp"

namespace patron::detail {

// For every node of a fully grown tree, the alpha from which it is a leaf of the
// minimal cost-complexity subtree: -inf for leaves, the running maximum of the path's
// alphas at the step that collapsed it, +inf for nodes never collapsed themselves.
// A row's leaf in the subtree for alpha is the first node on its path with level <= alpha.
inline std::vector<double> leaf_levels(const tree_structure& tree) {
  std::vector<char> mask;
  const auto steps = collapse_weakest_links(tree, [](double) { return true; }, mask);
  std::vector<double> level(static_cast<std::size_t>(tree.node_count()),
                            std::numeric_limits<double>::infinity());
  for (int t = 0; t < tree.node_count(); ++t)
    if (tree.is_leaf(t)) level[static_cast<std::size_t>(t)] = -std::numeric_limits<double>::infinity();
  double running = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 1; j < steps.size(); ++j) {
    running = std::max(running, steps[j].alpha);
    level[static_cast<std::size_t>(steps[j].node)] = running;
  }
  return level;
}

template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> fold_rows_vector(const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& v,
                                                         const std::vector<Eigen::Index>& rows) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out(static_cast<Eigen::Index>(i)) = v(rows[i]);
  return out;
}

template <class Derived, class Label, class Options>
ccp_cross_validation cross_validate(const Eigen::MatrixBase<Derived>& X,
                                    const Eigen::Ref<const Label>& y, const Options& options,
                                    const ccp_cross_validation_options& cv,
                                    const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  constexpr bool classification = std::is_same_v<Options, tree_classifier_options>;
  const char* function = "cross_validate_ccp_alpha";
  require(cv.folds >= 2 && cv.folds <= X.rows(), function, "cv.folds", cv.folds,
          "must be in [2, rows of X]");
  Options full_options = options;
  full_options.ccp_alpha = 0.0;
  // Fold trees may have fewer rows than the full tree's classes (see fit_classifier).
  auto fit = [rows = X.rows()](const auto& x, const auto& labels, const Options& o, const Eigen::VectorXd& w) {
    if constexpr (classification) return fit_classifier(x, labels, o, w, rows);
    else return fit_regressor(x, labels, o, w);
  };
  const Eigen::VectorXd weight = sample_weight.size() ? Eigen::VectorXd(sample_weight)
                                                      : Eigen::VectorXd::Ones(X.rows());
  const Label labels = y;
  const auto full = fit(X, labels, full_options, weight);  // validates everything else
  if constexpr (classification) full_options.n_classes = full.n_classes;
  const cost_complexity_path path = pruning_path(full);
  const auto m = static_cast<std::size_t>(path.ccp_alphas.size());
  std::vector<double> midpoint(m, std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i + 1 < m; ++i)
    midpoint[i] = std::sqrt(std::max(0.0, path.ccp_alphas(static_cast<Eigen::Index>(i))) *
                            std::max(0.0, path.ccp_alphas(static_cast<Eigen::Index>(i + 1))));

  std::vector<Eigen::Index> order(static_cast<std::size_t>(X.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  rng random(cv.seed);
  random.shuffle(order);
  std::vector<int> fold(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    fold[static_cast<std::size_t>(order[i])] = static_cast<int>(i % static_cast<std::size_t>(cv.folds));

  // A held-out row's leaf in subtree i is the first node on its path whose level is
  // <= midpoint[i]; path node q answers for the midpoints in [level[q], min level of
  // the nodes above q). Its weighted loss is added over that index range with a
  // difference array, so the cost is O(depth log m) per row instead of O(m).
  std::vector<double> loss_sum(m + 1, 0.0), square_sum(m + 1, 0.0);
  using matrix = Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  for (int k = 0; k < cv.folds; ++k) {
    std::vector<Eigen::Index> train, test;
    for (Eigen::Index r = 0; r < X.rows(); ++r) (fold[static_cast<std::size_t>(r)] == k ? test : train).push_back(r);
    matrix x_train(static_cast<Eigen::Index>(train.size()), X.cols());
    for (std::size_t i = 0; i < train.size(); ++i) x_train.row(static_cast<Eigen::Index>(i)) = X.row(train[i]);
    const auto tree = fit(x_train, fold_rows_vector(labels, train), full_options, fold_rows_vector(weight, train));
    const std::vector<double> level = leaf_levels(tree);
    for (Eigen::Index r : test) {
      double above = std::numeric_limits<double>::infinity();  // min level of the nodes above
      for (int t = 0;;) {
        const double own = level[static_cast<std::size_t>(t)];
        const auto from = std::lower_bound(midpoint.begin(), midpoint.end(), own) - midpoint.begin();
        // No finite level above: nothing pre-empts this node, up to the last subtree
        // (whose midpoint is +inf).
        const auto to = std::isinf(above) ? static_cast<std::ptrdiff_t>(m)
                                          : std::lower_bound(midpoint.begin(), midpoint.end(), above) - midpoint.begin();
        if (from < to) {
          double error;
          if constexpr (classification) {
            Eigen::Index predicted = 0;
            tree.value.row(t).maxCoeff(&predicted);
            error = predicted == labels(r) ? 0.0 : 1.0;
          } else {
            const double residual = labels(r) - tree.value(t, 0);
            error = residual * residual;
          }
          loss_sum[static_cast<std::size_t>(from)] += weight(r) * error;
          loss_sum[static_cast<std::size_t>(to)] -= weight(r) * error;
          square_sum[static_cast<std::size_t>(from)] += weight(r) * error * error;
          square_sum[static_cast<std::size_t>(to)] -= weight(r) * error * error;
        }
        above = std::min(above, own);
        if (tree.is_leaf(t)) break;
        t = static_cast<double>(X(r, tree.feature[t])) <= tree.threshold[t] ? tree.children_left[t]
                                                                          : tree.children_right[t];
      }
    }
  }

  ccp_cross_validation result;
  result.ccp_alphas = path.ccp_alphas;
  result.leaves = path.leaves;
  const double total_weight = weight.sum();
  result.cv_error.resize(static_cast<Eigen::Index>(m));
  result.cv_standard_error.resize(static_cast<Eigen::Index>(m));
  double loss = 0.0, square = 0.0;
  for (std::size_t i = 0; i < m; ++i) {
    loss += loss_sum[i];
    square += square_sum[i];
    const double mean = loss / total_weight;
    // 0/1 losses: the variance is p (1 - p) exactly. Squared errors: E[L^2] - E[L]^2,
    // which is what the difference arrays allow; CV losses vary across rows on the
    // scale of their mean, so the cancellation costs a few digits of a standard error
    // that only ranks subtrees.
    const double variance = classification ? mean * (1.0 - mean) : square / total_weight - mean * mean;
    const auto e = static_cast<Eigen::Index>(i);
    result.cv_error(e) = mean;
    result.cv_standard_error(e) = std::sqrt(std::max(0.0, variance) / static_cast<double>(X.rows()));
  }
  for (Eigen::Index i = 1; i < static_cast<Eigen::Index>(m); ++i)
    if (result.cv_error(i) <= result.cv_error(result.best_index)) result.best_index = static_cast<int>(i);
  result.chosen_index = result.best_index;
  if (cv.rule == alpha_selection::one_se) {
    const double bound = result.cv_error(result.best_index) + result.cv_standard_error(result.best_index);
    for (Eigen::Index i = static_cast<Eigen::Index>(m) - 1; i >= 0; --i)
      if (result.cv_error(i) <= bound) {
        result.chosen_index = static_cast<int>(i);
        break;
      }
  }
  result.chosen_alpha = result.ccp_alphas(result.chosen_index);
  return result;
}

}  // namespace patron::detail
