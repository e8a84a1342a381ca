// CART trees against scikit-learn 1.2.1: the same nodes (features, thresholds,
// children, impurities, counts, values), cost_complexity_pruning_path, importances
// and predictions. Every expected number comes from
// tests/reference/tree/make_tree_reference.py (the scikit-learn call is written
// above each case in tree_reference.hpp).
#include <patron/tree.hpp>

#include <string>

#include "reference/tree/read_data.hpp"
#include "reference/tree/rpart_reference.hpp"
#include "reference/tree/tree_reference.hpp"
#include "support/close_to.hpp"

namespace {

using tree_reference::reference_tree;

patron::tree_options growth(const reference_tree& c) {
  patron::tree_options o;
  if (c.max_depth > 0) o.max_depth = c.max_depth;
  o.min_samples_leaf = c.min_samples_leaf;
  if (c.max_leaf_nodes > 0) o.max_leaf_nodes = c.max_leaf_nodes;
  o.min_impurity_decrease = c.min_impurity_decrease;
  o.ccp_alpha = c.ccp_alpha;
  return o;
}

Eigen::VectorXd weights(const reference_tree& c, Eigen::Index rows) {
  if (!c.cycle_weights) return Eigen::VectorXd();
  Eigen::VectorXd w(rows);
  for (Eigen::Index i = 0; i < rows; ++i) w(i) = 1.0 + static_cast<double>(i % 3);
  return w;
}

template <class Matrix>
patron::tree_classifier fit_classifier(const reference_tree& c, const Matrix& X, const Eigen::VectorXi& y,
                                       double ccp_alpha) {
  patron::tree_classifier_options o;
  static_cast<patron::tree_options&>(o) = growth(c);
  o.ccp_alpha = ccp_alpha;
  o.criterion = std::string(c.criterion) == "gini" ? patron::tree_criterion::gini : patron::tree_criterion::entropy;
  if (c.class_weight_balanced) o.class_weight_mode = patron::class_weighting::balanced;
  return patron::fit_tree_classifier(X, y, o, weights(c, X.rows()));
}

template <class Matrix>
patron::tree_regressor fit_regressor(const reference_tree& c, const Matrix& X, const Eigen::VectorXd& y,
                                     double ccp_alpha) {
  patron::tree_regressor_options o;
  static_cast<patron::tree_options&>(o) = growth(c);
  o.ccp_alpha = ccp_alpha;
  return patron::fit_tree_regressor(X, y, o, weights(c, X.rows()));
}

// Tolerances: classification impurities and counts come from the same formulas on the
// same counts: 1e-12 relative; a pure node's 1 - sum(n_k^2) / N^2 keeps the rounding of
// N (summed in another order with fractional weights), hence an absolute 1e-14. Regression node
// impurities are computed by patron in two passes and by scikit-learn as
// E[y^2] - E[y]^2, so they agree to about 1e-13 of E[y^2]: 1e-9 relative, 1e-12 absolute.
void check_structure(const reference_tree& c, const patron::tree_structure& t, double threshold_tol) {
  const double impurity_tol = c.classification ? 1e-12 : 1e-9;
  const double impurity_abs = c.classification ? 1e-14 : 1e-12;
  REQUIRE(t.node_count() == c.node_count);
  REQUIRE(t.value.cols() == c.outputs);
  for (int i = 0; i < c.node_count; ++i) {
    INFO(c.name << " node " << i);
    CHECK(t.children_left[i] == c.left[i]);
    CHECK(t.children_right[i] == c.right[i]);
    CHECK(t.feature[i] == c.feature[i]);
    CHECK_THAT(t.threshold[i], close_to(c.threshold[i], threshold_tol));
    CHECK_THAT(t.impurity[i], close_to(c.impurity[i], impurity_tol, impurity_abs));
    CHECK(t.n_node_samples[i] == c.n_node_samples[i]);
    CHECK_THAT(t.weighted_n_node_samples[i], close_to(c.weighted_n[i], 1e-12));
    for (int k = 0; k < c.outputs; ++k)
      CHECK_THAT(t.value(i, k), close_to(c.value[i * c.outputs + k], 1e-12, 1e-12));
  }
}

template <class Tree>
void check_importances(const reference_tree& c, const Tree& t) {
  const Eigen::VectorXd importance = t.feature_importances();
  REQUIRE(importance.size() == c.n_features);
  for (int j = 0; j < c.n_features; ++j)
    CHECK_THAT(importance(j), close_to(c.importances[j], c.classification ? 1e-10 : 1e-8, 1e-12));
}

void check_path(const reference_tree& c, const patron::tree_structure& unpruned) {
  // est.cost_complexity_pruning_path(X, y): alphas near 0 are differences of nearly
  // equal sums, hence the absolute floor.
  const patron::cost_complexity_path path = patron::cost_complexity_pruning_path(unpruned);
  const double tol = c.classification ? 1e-12 : 1e-8;
  REQUIRE(path.ccp_alphas.size() == c.path_length);
  for (int i = 0; i < c.path_length; ++i) {
    INFO(c.name << " path step " << i);
    CHECK_THAT(path.ccp_alphas(i), close_to(c.alphas[i], tol, 1e-14));
    CHECK_THAT(path.impurities(i), close_to(c.path_impurities[i], tol, 1e-14));
  }
}

std::string test_file(const reference_tree& c) {
  std::string file = c.data_file;
  if (file.rfind("generated", 0) == 0) file.insert(file.size() - 4, "_test");
  return file;
}

template <class Matrix>
void check_classifier(const reference_tree& c, const Matrix& X, const Eigen::VectorXi& y, const Matrix& X_test,
                      double threshold_tol) {
  const auto tree = fit_classifier(c, X, y, c.ccp_alpha);
  check_structure(c, tree, threshold_tol);
  check_importances(c, tree);
  check_path(c, c.ccp_alpha > 0 ? fit_classifier(c, X, y, 0.0) : tree);
  // est.predict(X_test), est.predict_proba(X_test)
  const Eigen::VectorXi predicted = tree.predict(X_test);
  const Eigen::MatrixXd proba = tree.predict_proba(X_test);
  REQUIRE(predicted.size() == c.test_rows);
  for (int r = 0; r < c.test_rows; ++r) {
    CHECK(predicted(r) == static_cast<int>(c.predictions[r]));
    for (int k = 0; k < c.outputs; ++k) CHECK_THAT(proba(r, k), close_to(c.proba[r * c.outputs + k], 1e-12, 1e-15));
  }
}

template <class Matrix>
void check_regressor(const reference_tree& c, const Matrix& X, const Eigen::VectorXd& y, const Matrix& X_test) {
  const auto tree = fit_regressor(c, X, y, c.ccp_alpha);
  check_structure(c, tree, 1e-12);
  check_importances(c, tree);
  check_path(c, c.ccp_alpha > 0 ? fit_regressor(c, X, y, 0.0) : tree);
  const Eigen::VectorXd predicted = tree.predict(X_test);  // est.predict(X_test)
  for (int r = 0; r < c.test_rows; ++r) CHECK_THAT(predicted(r), close_to(c.predictions[r], 1e-12));
}

}  // namespace

TEST_CASE("trees equal scikit-learn's node for node, with the same pruning path and predictions",
          "[reference]") {
  for (const reference_tree* c : tree_reference::all_cases) {
    SECTION(c->name) {
      const tree_test::data_set data = tree_test::read_data(c->data_file);
      const tree_test::data_set test = tree_test::read_data(test_file(*c));
      if (c->classification) {
        if (c->float_features) {
          // scikit-learn fits float32 X: the float tree matches to the last bit.
          const Eigen::MatrixXf X = data.X.cast<float>(), X_test = test.X.cast<float>();
          check_classifier(*c, X, data.labels(), X_test, 1e-12);
        } else {
          // Generated features are float32 values: double and float fits are exact.
          check_classifier(*c, data.X, data.labels(), test.X, 1e-12);
          const Eigen::MatrixXf X = data.X.cast<float>(), X_test = test.X.cast<float>();
          check_classifier(*c, X, data.labels(), X_test, 1e-12);
        }
      } else {
        check_regressor(*c, data.X, data.target, test.X);
        const Eigen::MatrixXf X = data.X.cast<float>(), X_test = test.X.cast<float>();
        check_regressor(*c, X, data.target, X_test);
      }
    }
  }
}

TEST_CASE("double features give scikit-learn's tree with thresholds of the unrounded values",
          "[reference]") {
  // scikit-learn rounds X to float32 first, so its thresholds are midpoints of float32
  // values: a double fit agrees to float32 precision (relative 1e-7) and has the same
  // structure, since no two distinct values of these data collide in float32 (the
  // reference script checks this).
  for (const reference_tree* c : tree_reference::all_cases) {
    if (!c->float_features) continue;
    SECTION(c->name) {
      const tree_test::data_set data = tree_test::read_data(c->data_file);
      const auto tree = fit_classifier(*c, data.X, data.labels(), c->ccp_alpha);
      check_structure(*c, tree, 1e-7);
      CHECK(tree.predict(data.X) == fit_classifier(*c, data.X.cast<float>().eval(), data.labels(), c->ccp_alpha)
                                        .predict(data.X.cast<float>().eval()));
    }
  }
}

TEST_CASE("export_text prints scikit-learn's export_text layout", "[reference]") {
  patron::rule_format format;
  format.decimals = 3;
  {
    const auto& c = tree_reference::iris_gini_depth3;
    const tree_test::data_set data = tree_test::read_data(c.data_file);
    format.feature_names = {"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"};
    const auto tree = fit_classifier(c, data.X.cast<float>().eval(), data.labels(), 0.0);
    CHECK(patron::export_text(tree, format) == tree_reference::iris_gini_depth3_export_text);
  }
  {
    const auto& c = tree_reference::regression_depth4;
    const tree_test::data_set data = tree_test::read_data(c.data_file);
    format.feature_names = {"x0", "x1", "x2", "x3"};
    const auto tree = fit_regressor(c, data.X, data.target, 0.0);
    CHECK(patron::export_text(tree, format) == tree_reference::regression_depth4_export_text);
  }
}

TEST_CASE("the regression pruning path equals rpart's cp table", "[reference]") {
  // Rscript tests/reference/tree/make_rpart_reference.R: rpart(method = "anova", cp = 0,
  // minsplit = 2, minbucket = 1, maxdepth = 4, no surrogates)$cptable. rpart scales by
  // the root risk: CP = alpha / i(root), rel error = R(T) / i(root); its row with s
  // splits is the subtree with s + 1 leaves. rpart sums deviances its own way: 1e-9.
  const tree_test::data_set data = tree_test::read_data("generated_regression.csv");
  patron::tree_regressor_options o;
  o.max_depth = 4;
  const auto tree = patron::fit_tree_regressor(data.X, data.target, o);
  REQUIRE(tree.node_count() == rpart_reference::regression_depth4_nodes);
  const auto path = patron::cost_complexity_pruning_path(tree);
  const double root = tree.impurity[0];
  for (int row = 0; row < rpart_reference::regression_depth4_rows; ++row) {
    const int leaves = rpart_reference::regression_depth4_nsplit[row] + 1;
    INFO("rpart cp table row " << row + 1 << ", " << leaves << " leaves");
    Eigen::Index step = 0;
    while (step < path.leaves.size() && path.leaves(step) != leaves) ++step;
    REQUIRE(step < path.leaves.size());
    CHECK_THAT(path.impurities(step) / root, close_to(rpart_reference::regression_depth4_rel_error[row], 1e-9));
    // The row's CP is the alpha from which its subtree is optimal: the alpha of the
    // path step that produced it (0 for the full tree).
    const double cp = path.ccp_alphas(step) / root;
    CHECK_THAT(cp, close_to(rpart_reference::regression_depth4_cp[row], 1e-9, 1e-15));
  }
}
