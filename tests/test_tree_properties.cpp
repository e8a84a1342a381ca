// CART properties that hold whatever the data, the readable rules, cross-validation
// of the pruning path, and bad input.
#include <patron/core/rng.hpp>
#include <patron/tree.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "reference/tree/read_data.hpp"
#include "support/close_to.hpp"

namespace {

tree_test::data_set generated() { return tree_test::read_data("generated_classification.csv"); }

double total_leaf_impurity(const patron::tree_structure& t) {
  double r = 0.0;
  for (int i = 0; i < t.node_count(); ++i)
    if (t.is_leaf(i)) r += t.weighted_n_node_samples[i] * t.impurity[i] / t.weighted_n_node_samples[0];
  return r;
}

}  // namespace

TEST_CASE("an unlimited tree classifies distinct training rows perfectly", "[property]") {
  const auto data = generated();
  for (auto criterion : {patron::tree_criterion::gini, patron::tree_criterion::entropy}) {
    patron::tree_classifier_options o;
    o.criterion = criterion;
    const auto tree = patron::fit_tree_classifier(data.X, data.labels(), o);
    CHECK(tree.predict(data.X) == data.labels());
    for (int i = 0; i < tree.node_count(); ++i)
      if (tree.is_leaf(i)) CHECK(tree.impurity[i] == 0.0);
  }
  const auto regression = tree_test::read_data("generated_regression.csv");
  const auto tree = patron::fit_tree_regressor(regression.X, regression.target);
  CHECK(tree.predict(regression.X) == regression.target);
}

TEST_CASE("the pruning path: alphas and impurities increase, each step is prune_tree at that alpha",
          "[property]") {
  const auto data = generated();
  const auto tree = patron::fit_tree_classifier(data.X, data.labels());
  const auto path = patron::cost_complexity_pruning_path(tree);
  REQUIRE(path.ccp_alphas.size() > 10);
  CHECK(path.ccp_alphas(0) == 0.0);
  CHECK(path.leaves(0) == tree.leaf_count());
  CHECK(path.leaves(path.ccp_alphas.size() - 1) == 1);
  CHECK_THAT(path.impurities(0), close_to(total_leaf_impurity(tree), 1e-12, 1e-15));
  CHECK_THAT(path.impurities(path.ccp_alphas.size() - 1), close_to(tree.impurity[0], 1e-12));
  for (Eigen::Index i = 1; i < path.ccp_alphas.size(); ++i) {
    CHECK(path.ccp_alphas(i) >= path.ccp_alphas(i - 1));
    CHECK(path.impurities(i) >= path.impurities(i - 1));
    CHECK(path.leaves(i) < path.leaves(i - 1));
  }
  for (Eigen::Index i = 0; i < path.ccp_alphas.size(); ++i) {
    // Equal alphas collapse together, so compare with the last step of a run.
    if (i + 1 < path.ccp_alphas.size() && path.ccp_alphas(i + 1) == path.ccp_alphas(i)) continue;
    const auto pruned = patron::prune_tree(tree, std::max(0.0, path.ccp_alphas(i)));
    CHECK(pruned.leaf_count() == path.leaves(i));
    CHECK_THAT(total_leaf_impurity(pruned), close_to(path.impurities(i), 1e-12, 1e-15));
  }
  patron::tree_classifier_options o;
  o.ccp_alpha = path.ccp_alphas(path.ccp_alphas.size() / 2);
  const auto direct = patron::fit_tree_classifier(data.X, data.labels(), o);
  const auto pruned = patron::prune_tree(tree, o.ccp_alpha);
  CHECK(direct.feature == pruned.feature);
  CHECK(direct.threshold == pruned.threshold);
  CHECK(direct.children_left == pruned.children_left);
}

TEST_CASE("feature importances are non-negative and sum to 1", "[property]") {
  const auto data = generated();
  for (int depth : {1, 3, 8}) {
    patron::tree_classifier_options o;
    o.max_depth = depth;
    const Eigen::VectorXd importance = patron::fit_tree_classifier(data.X, data.labels(), o).feature_importances();
    CHECK((importance.array() >= 0.0).all());
    CHECK_THAT(importance.sum(), close_to(1.0, 1e-12));
  }
  // A single leaf has no importances.
  Eigen::MatrixXd X = Eigen::MatrixXd::Random(5, 2);
  Eigen::VectorXi y = Eigen::VectorXi::Zero(5);
  CHECK(patron::fit_tree_classifier(X, y).feature_importances().isZero());
}

TEST_CASE("growth limits are respected", "[property]") {
  const auto data = generated();
  patron::tree_classifier_options o;
  o.max_depth = 4;
  o.min_samples_leaf = 7;
  const auto tree = patron::fit_tree_classifier(data.X, data.labels(), o);
  CHECK(tree.depth() <= 4);
  for (int i = 0; i < tree.node_count(); ++i) CHECK(tree.n_node_samples[i] >= 7);
  patron::tree_classifier_options best_first;
  best_first.max_leaf_nodes = 9;
  const auto small = patron::fit_tree_classifier(data.X, data.labels(), best_first);
  CHECK(small.leaf_count() == 9);
  patron::tree_classifier_options strict;
  strict.min_impurity_decrease = 1.0;  // no split decreases impurity that much
  CHECK(patron::fit_tree_classifier(data.X, data.labels(), strict).node_count() == 1);
}

TEST_CASE("integer sample weights equal repeated rows", "[property]") {
  const auto data = generated();
  Eigen::VectorXd w(data.X.rows());
  for (Eigen::Index i = 0; i < w.size(); ++i) w(i) = static_cast<double>(1 + i % 3);
  const Eigen::Index n = static_cast<Eigen::Index>(w.sum());
  Eigen::MatrixXd X(n, data.X.cols());
  Eigen::VectorXi y(n);
  for (Eigen::Index i = 0, r = 0; i < w.size(); ++i)
    for (int k = 0; k < static_cast<int>(w(i)); ++k, ++r) {
      X.row(r) = data.X.row(i);
      y(r) = data.labels()(i);
    }
  patron::tree_classifier_options o;
  o.max_depth = 6;
  const auto weighted = patron::fit_tree_classifier(data.X, data.labels(), o, w);
  const auto repeated = patron::fit_tree_classifier(X, y, o);
  CHECK(weighted.feature == repeated.feature);
  CHECK(weighted.threshold == repeated.threshold);
  CHECK(weighted.weighted_n_node_samples == repeated.weighted_n_node_samples);
  CHECK(weighted.value == repeated.value);
}

TEST_CASE("equally good splits go to the lowest feature, then the smallest threshold", "[edge]") {
  // Columns 1 and 2 are the same: the tree uses column 1, never 2.
  Eigen::MatrixXd X(6, 3);
  X << 9, 1, 1, 8, 2, 2, 7, 3, 3, 1, 4, 4, 3, 5, 5, 2, 6, 6;
  Eigen::VectorXi y(6);
  y << 0, 0, 0, 1, 1, 1;
  auto tree = patron::fit_tree_classifier(X, y);
  REQUIRE(tree.node_count() == 3);
  // Column 0 separates too (1,2,3 vs 7,8,9), but comes first: it wins.
  CHECK(tree.feature[0] == 0);
  CHECK(tree.threshold[0] == 5.0);
  X.col(0).setConstant(1.0);
  tree = patron::fit_tree_classifier(X, y);
  CHECK(tree.feature[0] == 1);
  CHECK(tree.threshold[0] == 3.5);
  // Within one feature, the first of two equally good thresholds: labels 0,1,0 along x.
  Eigen::MatrixXd x1(3, 1);
  x1 << 1, 2, 3;
  Eigen::VectorXi y1(3);
  y1 << 0, 1, 0;
  patron::tree_classifier_options stump;
  stump.max_depth = 1;
  CHECK(patron::fit_tree_classifier(x1, y1, stump).threshold[0] == 1.5);
}

TEST_CASE("float and double features grow the same tree", "[property]") {
  const auto data = generated();  // float32-representable values
  const auto d = patron::fit_tree_classifier(data.X, data.labels());
  const auto f = patron::fit_tree_classifier(data.X.cast<float>().eval(), data.labels());
  CHECK(d.threshold == f.threshold);
  CHECK(d.feature == f.feature);
  CHECK(d.value == f.value);
}

TEST_CASE("predict, predict_proba, apply and decision_path agree", "[property]") {
  const auto data = generated();
  patron::tree_classifier_options o;
  o.max_depth = 5;
  const auto tree = patron::fit_tree_classifier(data.X, data.labels(), o);
  const Eigen::VectorXi leaf = tree.apply(data.X);
  const Eigen::MatrixXd proba = tree.predict_proba(data.X);
  const Eigen::VectorXi label = tree.predict(data.X);
  const auto paths = tree.decision_path(data.X);
  REQUIRE(paths.row_start.size() == static_cast<std::size_t>(data.X.rows()) + 1);
  for (Eigen::Index r = 0; r < data.X.rows(); ++r) {
    CHECK(tree.is_leaf(leaf(r)));
    CHECK_THAT(proba.row(r).sum(), close_to(1.0, 1e-12));
    Eigen::Index best;
    proba.row(r).maxCoeff(&best);
    CHECK(label(r) == best);
    const auto first = static_cast<std::size_t>(paths.row_start[static_cast<std::size_t>(r)]);
    const auto last = static_cast<std::size_t>(paths.row_start[static_cast<std::size_t>(r) + 1]) - 1;
    CHECK(paths.nodes[first] == 0);
    CHECK(paths.nodes[last] == leaf(r));
    CHECK(static_cast<int>(last - first) <= tree.depth());
  }
  // Per-node counts: children partition their parent.
  for (int i = 0; i < tree.node_count(); ++i) {
    if (tree.is_leaf(i)) continue;
    const int l = tree.children_left[i], r = tree.children_right[i];
    CHECK(tree.n_node_samples[i] == tree.n_node_samples[l] + tree.n_node_samples[r]);
    CHECK(tree.value.row(i) == tree.value.row(l) + tree.value.row(r));
  }
}

namespace {

// Noisy data for an unlimited tree whose leaves lie at very different depths, and
// enough rows for 3 threads of at least 4,096 rows, several copy blocks each.
struct noisy_data {
  Eigen::MatrixXd X;
  Eigen::VectorXi y;
  Eigen::VectorXd target;
};

noisy_data noisy(Eigen::Index rows) {
  patron::rng random(7);
  noisy_data d{Eigen::MatrixXd(rows, 4), Eigen::VectorXi(rows), Eigen::VectorXd(rows)};
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < 4; ++c) d.X(r, c) = random.normal();
    d.target(r) = d.X(r, 0) + d.X(r, 1) * d.X(r, 2) + 0.5 * random.normal();
    d.y(r) = d.target(r) < -0.5 ? 0 : (d.target(r) < 0.7 ? 1 : 2);
  }
  return d;
}

// Every row's path by the plain one-row-at-a-time walk down the tree's arrays.
patron::tree_decision_paths walked_paths(const patron::tree_structure& tree, const Eigen::MatrixXd& X) {
  patron::tree_decision_paths paths;
  paths.row_start.push_back(0);
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    int node = 0;
    paths.nodes.push_back(node);
    while (!tree.is_leaf(node)) {
      const auto t = static_cast<std::size_t>(node);
      node = X(r, tree.feature[t]) <= tree.threshold[t] ? tree.children_left[t] : tree.children_right[t];
      paths.nodes.push_back(node);
    }
    paths.row_start.push_back(static_cast<std::int64_t>(paths.nodes.size()));
  }
  return paths;
}

Eigen::VectorXi walked_leaves(const patron::tree_structure& tree, const Eigen::MatrixXd& X) {
  const auto paths = walked_paths(tree, X);
  Eigen::VectorXi leaf(X.rows());
  for (Eigen::Index r = 0; r < X.rows(); ++r)
    leaf(r) = paths.nodes[static_cast<std::size_t>(paths.row_start[static_cast<std::size_t>(r) + 1]) - 1];
  return leaf;
}

}  // namespace

TEST_CASE("apply, decision_path and predict give the plain walk's leaves and paths for 1, 2 and 3 threads", "[property]") {
  const noisy_data d = noisy(13000);
  const Eigen::Index fit_rows = 1500;  // the other rows are new to the tree
  const auto classifier =
      patron::fit_tree_classifier(d.X.topRows(fit_rows), d.y.head(fit_rows).eval());
  const auto regressor =
      patron::fit_tree_regressor(d.X.topRows(fit_rows), d.target.head(fit_rows).eval());
  REQUIRE(classifier.depth() >= 12);
  const Eigen::VectorXi walked = walked_leaves(classifier, d.X);
  const Eigen::VectorXi walked_regression = walked_leaves(regressor, d.X);
  const Eigen::MatrixXf X_float = d.X.cast<float>();
  for (unsigned threads : {1u, 2u, 3u, 0u}) {  // 0: every hardware thread
    CAPTURE(threads);
    patron::tree_predict_options o;
    o.threads = threads;
    const Eigen::VectorXi leaf = classifier.apply(d.X, o);
    CHECK(leaf == walked);
    for (const patron::tree_structure* tree : {static_cast<const patron::tree_structure*>(&classifier),
                                               static_cast<const patron::tree_structure*>(&regressor)}) {
      const auto paths = tree->decision_path(d.X, o);
      const auto expected = walked_paths(*tree, d.X);
      CHECK(paths.row_start == expected.row_start);
      CHECK(paths.nodes == expected.nodes);
    }
    const auto float_paths = classifier.decision_path(X_float, o);
    const auto float_expected = walked_paths(classifier, X_float.cast<double>());
    CHECK(float_paths.row_start == float_expected.row_start);
    CHECK(float_paths.nodes == float_expected.nodes);
    CHECK(classifier.apply(X_float, o) == walked_leaves(classifier, X_float.cast<double>()));
    CHECK(regressor.apply(d.X, o) == walked_regression);
    const Eigen::VectorXi label = classifier.predict(d.X, o);
    const Eigen::MatrixXd proba = classifier.predict_proba(d.X, o);
    const Eigen::VectorXd value = regressor.predict(d.X, o);
    for (Eigen::Index r = 0; r < d.X.rows(); ++r) {
      Eigen::Index best = 0;
      classifier.value.row(walked(r)).maxCoeff(&best);
      CHECK(label(r) == best);
      CHECK(proba.row(r) == classifier.value.row(walked(r)) / classifier.value.row(walked(r)).sum());
      CHECK(value(r) == regressor.value(walked_regression(r), 0));
    }
    // A tree that is one leaf, and fewer rows than descend side by side.
    const auto stump = patron::fit_tree_classifier(d.X, Eigen::VectorXi::Zero(d.X.rows()).eval());
    CHECK(stump.apply(d.X, o) == Eigen::VectorXi::Zero(d.X.rows()));
    CHECK(classifier.apply(d.X.topRows(5), o) == walked.head(5));
    const auto stump_paths = stump.decision_path(d.X.topRows(3), o);
    CHECK(stump_paths.row_start == std::vector<std::int64_t>{0, 1, 2, 3});
    CHECK(stump_paths.nodes == std::vector<int>{0, 0, 0});
    const auto empty_paths = classifier.decision_path(d.X.topRows(0), o);
    CHECK(empty_paths.row_start == std::vector<std::int64_t>{0});
    CHECK(empty_paths.nodes.empty());
  }
}

TEST_CASE("rules read as IF ... THEN with names, counts and purity", "[property]") {
  // Recent customers who buy often are the "Champions".
  Eigen::MatrixXd X(9, 2);
  X << 10, 5, 20, 6, 25, 8, 30, 4, 40, 5, 50, 6, 60, 7, 12, 1, 15, 2;
  Eigen::VectorXi y(9);
  y << 1, 1, 1, 1, 0, 0, 0, 0, 0;
  const auto tree = patron::fit_tree_classifier(X, y);
  patron::rule_format format;
  format.feature_names = {"recency", "frequency"};
  format.class_names = {"Others", "Champions"};
  const auto rules = patron::extract_rules(tree);
  REQUIRE(rules.size() == 3);
  CHECK(patron::format_rule(rules[0], format) ==
        "IF recency <= 35.00 AND frequency <= 3.00 THEN \"Others\" (n = 2, 100% purity)");
  CHECK(patron::format_rule(rules[1], format) ==
        "IF recency <= 35.00 AND frequency > 3.00 THEN \"Champions\" (n = 4, 100% purity)");
  CHECK(patron::format_rule(rules[2], format) == "IF recency > 35.00 THEN \"Others\" (n = 3, 100% purity)");
  const std::string json = patron::rules_to_json(rules, format);
  CHECK(json.find("{\"leaf\": 4, \"conditions\": [{\"feature\": 0, \"name\": \"recency\", \"op\": \">\", "
                  "\"threshold\": 35}], \"n\": 3, \"weighted_n\": 3, \"class\": 0, \"class_name\": \"Others\", "
                  "\"purity\": 1}") != std::string::npos);
  // Repeated tests of one feature merge into the tightest bound.
  Eigen::MatrixXd x(6, 1);
  x << 1, 2, 3, 4, 5, 6;
  Eigen::VectorXi z(6);
  z << 0, 0, 1, 1, 0, 0;
  const auto merged = patron::extract_rules(patron::fit_tree_classifier(x, z));
  for (const auto& rule : merged) CHECK(rule.conditions.size() <= 2);
  CHECK(patron::format_rule(merged[1]) == "IF feature_0 > 2.50 AND feature_0 <= 4.50 THEN \"1\" (n = 2, 100% purity)");
  // A one-leaf tree and a regression rule.
  CHECK(patron::format_rule(patron::extract_rules(patron::fit_tree_classifier(x, Eigen::VectorXi::Zero(6).eval()))[0]) ==
        "IF TRUE THEN \"0\" (n = 6, 100% purity)");
  Eigen::VectorXd v(6);
  v << 1, 1, 1, 3, 3, 3;
  CHECK(patron::format_rule(patron::extract_rules(patron::fit_tree_regressor(x, v))[1]) ==
        "IF feature_0 > 3.50 THEN value = 3.00 (n = 3)");
}

TEST_CASE("cross-validation of the pruning path is deterministic and the 1-SE rule prunes more",
          "[property]") {
  const auto data = generated();
  patron::tree_classifier_options o;
  patron::ccp_cross_validation_options cv;
  cv.folds = 5;
  cv.seed = 42;
  const auto a = patron::cross_validate_ccp_alpha(data.X, data.labels(), o, cv);
  const auto b = patron::cross_validate_ccp_alpha(data.X, data.labels(), o, cv);
  CHECK(a.cv_error == b.cv_error);
  CHECK(a.ccp_alphas == patron::cost_complexity_pruning_path(patron::fit_tree_classifier(data.X, data.labels(), o)).ccp_alphas);
  CHECK((a.cv_error.array() >= 0.0).all());
  CHECK((a.cv_error.array() <= 1.0).all());
  CHECK(a.chosen_index == a.best_index);
  CHECK(a.cv_error(a.best_index) == a.cv_error.minCoeff());
  // Pruned trees generalise better than the full tree on these noisy labels.
  CHECK(a.cv_error(a.best_index) < a.cv_error(0));
  cv.rule = patron::alpha_selection::one_se;
  const auto one_se = patron::cross_validate_ccp_alpha(data.X, data.labels(), o, cv);
  CHECK(one_se.chosen_index >= one_se.best_index);
  CHECK(one_se.cv_error(one_se.chosen_index) <= one_se.cv_error(one_se.best_index) +
                                                   one_se.cv_standard_error(one_se.best_index));
  CHECK(one_se.chosen_alpha == one_se.ccp_alphas(one_se.chosen_index));
  // Regression: the error column is a mean squared error.
  const auto reg = tree_test::read_data("generated_regression.csv");
  const auto r = patron::cross_validate_ccp_alpha(reg.X, reg.target, patron::tree_regressor_options{}, cv);
  CHECK(r.cv_error(r.cv_error.size() - 1) > r.cv_error(r.best_index));
}

namespace {

// cv_error recomputed through the public API: the documented fold assignment (a
// patron::rng shuffle of the rows, fold = position % k), a tree per fold, prune_tree at
// each geometric midpoint of the full-data path, held-out predictions.
template <class Label, class Options>
void check_cv_by_hand(const Eigen::MatrixXd& X, const Label& y, const Options& o, int folds) {
  patron::ccp_cross_validation_options cv;
  cv.folds = folds;
  cv.seed = 7;
  const auto result = patron::cross_validate_ccp_alpha(X, y, o, cv);
  const Eigen::Index m = result.ccp_alphas.size();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(X.rows()));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<Eigen::Index>(i);
  patron::rng random(cv.seed);
  random.shuffle(order);
  Eigen::MatrixXd loss(X.rows(), m);
  for (int k = 0; k < folds; ++k) {
    std::vector<Eigen::Index> train, test;
    for (std::size_t i = 0; i < order.size(); ++i)
      (static_cast<int>(i % static_cast<std::size_t>(folds)) == k ? test : train).push_back(order[i]);
    Eigen::MatrixXd x_train(static_cast<Eigen::Index>(train.size()), X.cols());
    Label y_train(static_cast<Eigen::Index>(train.size()));
    for (std::size_t i = 0; i < train.size(); ++i) {
      x_train.row(static_cast<Eigen::Index>(i)) = X.row(train[i]);
      y_train(static_cast<Eigen::Index>(i)) = y(train[i]);
    }
    Options fold_options = o;
    if constexpr (std::is_same_v<Options, patron::tree_classifier_options>) fold_options.n_classes = y.maxCoeff() + 1;
    const auto full = [&] {
      if constexpr (std::is_same_v<Options, patron::tree_classifier_options>)
        return patron::fit_tree_classifier(x_train, y_train, fold_options);
      else
        return patron::fit_tree_regressor(x_train, y_train, fold_options);
    }();
    for (Eigen::Index i = 0; i < m; ++i) {
      const double alpha = i + 1 < m ? std::sqrt(std::max(0.0, result.ccp_alphas(i)) * std::max(0.0, result.ccp_alphas(i + 1)))
                                     : 1e300;
      const auto pruned = patron::prune_tree(full, alpha);
      for (Eigen::Index r : test) {
        const auto prediction = pruned.predict(X.row(r));
        if constexpr (std::is_same_v<Options, patron::tree_classifier_options>)
          loss(r, i) = prediction(0) == y(r) ? 0.0 : 1.0;
        else
          loss(r, i) = (prediction(0) - y(r)) * (prediction(0) - y(r));
      }
    }
  }
  for (Eigen::Index i = 0; i < m; ++i) {
    const double mean = loss.col(i).mean();
    const double sd = std::sqrt((loss.col(i).array() - mean).square().mean());
    CHECK_THAT(result.cv_error(i), close_to(mean, 1e-12, 1e-15));
    CHECK_THAT(result.cv_standard_error(i), close_to(sd / std::sqrt(static_cast<double>(X.rows())), 1e-9, 1e-15));
  }
}

}  // namespace

TEST_CASE("cross-validated errors are the held-out errors of the pruned fold trees", "[property]") {
  const auto data = generated();
  const Eigen::MatrixXd X = data.X.topRows(150);
  check_cv_by_hand(X, data.labels().head(150).eval(), patron::tree_classifier_options{}, 4);
  const auto reg = tree_test::read_data("generated_regression.csv");
  check_cv_by_hand(reg.X.topRows(120).eval(), reg.target.head(120).eval(), patron::tree_regressor_options{}, 3);
}

TEST_CASE("bad input throws invalid_input naming the argument", "[invalid]") {
  Eigen::MatrixXd X(4, 2);
  X << 1, 2, 3, 4, 5, 6, 7, 8;
  Eigen::VectorXi y(4);
  y << 0, 1, 0, 1;
  using patron::fit_tree_classifier;
  Eigen::MatrixXd bad = X;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(fit_tree_classifier(bad, y), "patron::fit_tree_classifier: X(2, 1) (nan) must be finite");
  bad(2, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(fit_tree_classifier(bad, y), "patron::fit_tree_classifier: X(2, 1) (inf) must be finite");
  Eigen::VectorXi bad_y = y;
  bad_y(3) = -1;
  CHECK_THROWS_WITH(fit_tree_classifier(X, bad_y), "patron::fit_tree_classifier: y[3] (-1) must be a class label in 0..1");
  patron::tree_classifier_options two;
  two.n_classes = 2;
  bad_y(3) = 2;
  CHECK_THROWS_WITH(fit_tree_classifier(X, bad_y, two), "patron::fit_tree_classifier: y[3] (2) must be a class label in 0..1");
  CHECK_THROWS_WITH(fit_tree_classifier(Eigen::MatrixXd(0, 2), Eigen::VectorXi()),
                    "patron::fit_tree_classifier: X must not be empty");
  CHECK_THROWS_WITH(fit_tree_classifier(X, Eigen::VectorXi::Zero(3).eval()),
                    "patron::fit_tree_classifier: X rows has 4 elements but y has 3");
  Eigen::VectorXd w = Eigen::VectorXd::Ones(4);
  w(1) = -0.5;
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, {}, w),
                    "patron::fit_tree_classifier: sample_weight[1] (-0.5) must be finite and non-negative");
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, {}, Eigen::VectorXd::Zero(4)),
                    "patron::fit_tree_classifier: sum(sample_weight) (0) must be positive");
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, {}, Eigen::VectorXd::Ones(3)),
                    "patron::fit_tree_classifier: X rows has 4 elements but sample_weight has 3");
  patron::tree_classifier_options o;
  o.min_samples_leaf = 0;
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, o), "patron::fit_tree_classifier: options.min_samples_leaf (0) must be >= 1");
  o = {};
  o.min_samples_split = 1;
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, o), "patron::fit_tree_classifier: options.min_samples_split (1) must be >= 2");
  o = {};
  o.max_depth = 0;
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, o), "patron::fit_tree_classifier: options.max_depth (0) must be >= 1");
  o = {};
  o.max_leaf_nodes = 1;
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, o), "patron::fit_tree_classifier: options.max_leaf_nodes (1) must be >= 2");
  o = {};
  o.ccp_alpha = -1.0;
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, o), "patron::fit_tree_classifier: options.ccp_alpha (-1) must be finite and non-negative");
  o = {};
  o.min_impurity_decrease = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, o),
                    "patron::fit_tree_classifier: options.min_impurity_decrease (nan) must be finite and non-negative");
  o = {};
  o.class_weight_mode = patron::class_weighting::explicit_weights;
  o.class_weight = {1.0};
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, o), "patron::fit_tree_classifier: options.class_weight has 1 elements but classes has 2");
  o.class_weight = {1.0, -2.0};
  CHECK_THROWS_WITH(fit_tree_classifier(X, y, o),
                    "patron::fit_tree_classifier: options.class_weight[1] (-2) must be finite and non-negative");

  Eigen::VectorXd target(4);
  target << 1, 2, std::numeric_limits<double>::infinity(), 4;
  CHECK_THROWS_WITH(patron::fit_tree_regressor(X, target), "patron::fit_tree_regressor: y[2] (inf) must be finite");

  const auto tree = fit_tree_classifier(X, y);
  CHECK_THROWS_WITH(tree.predict(Eigen::MatrixXd::Zero(2, 3)),
                    "patron::tree_classifier::predict: X.cols() (3) must equal the number of features the tree was fitted on (2)");
  CHECK_THROWS_WITH(tree.predict_proba(bad), "patron::tree_classifier::predict_proba: X(2, 1) (inf) must be finite");
  CHECK_THROWS_WITH(tree.apply(Eigen::MatrixXf::Zero(1, 1)),
                    "patron::tree::apply: X.cols() (1) must equal the number of features the tree was fitted on (2)");
  // Values are checked block by block during the descent, on every thread: the message
  // still names the first bad row.
  Eigen::MatrixXd many = Eigen::MatrixXd::Ones(13000, 2);
  many(12000, 0) = std::numeric_limits<double>::quiet_NaN();
  many(9000, 1) = -std::numeric_limits<double>::infinity();
  patron::tree_predict_options three;
  three.threads = 3;
  CHECK_THROWS_WITH(tree.apply(many, three), "patron::tree::apply: X(9000, 1) (-inf) must be finite");
  CHECK_THROWS_WITH(tree.predict(many), "patron::tree_classifier::predict: X(9000, 1) (-inf) must be finite");
  CHECK_THROWS_WITH(tree.decision_path(many), "patron::tree::decision_path: X(9000, 1) (-inf) must be finite");
  CHECK_THROWS_WITH(tree.decision_path(many, three), "patron::tree::decision_path: X(9000, 1) (-inf) must be finite");
  CHECK_THROWS_WITH(tree.decision_path(Eigen::MatrixXd::Zero(1, 3)),
                    "patron::tree::decision_path: X.cols() (3) must equal the number of features the tree was fitted on (2)");
  CHECK_THROWS_WITH(patron::prune_tree(tree, -0.1), "patron::prune_tree: ccp_alpha (-0.10000000000000001) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::cost_complexity_pruning_path(patron::tree_classifier{}),
                    "patron::cost_complexity_pruning_path: the tree is empty (not fitted)");
  patron::ccp_cross_validation_options cv;
  cv.folds = 5;
  CHECK_THROWS_WITH(patron::cross_validate_ccp_alpha(X, y, patron::tree_classifier_options{}, cv),
                    "patron::cross_validate_ccp_alpha: cv.folds (5) must be in [2, rows of X]");
  patron::rule_format format;
  format.feature_names = {"a"};
  CHECK_THROWS_WITH(patron::export_text(tree, format),
                    "patron::export_text: format.feature_names has 1 elements but features of the tree has 2");
  format = {};
  format.decimals = 18;
  CHECK_THROWS_WITH(patron::format_rule(patron::extract_rules(tree)[0], format),
                    "patron::format_rule: format.decimals (18) must be in [0, 17]");
}

// A class count is bounded by the rows: every node stores one count per class, and
// n_classes = 2e9 (or a label of 2e9 with n_classes = 0) used to exhaust memory.
TEST_CASE("class counts beyond the number of rows are rejected", "[invalid]") {
  Eigen::MatrixXd X(4, 2);
  X << 1, 2, 3, 4, 5, 6, 7, 8;
  Eigen::VectorXi y(4);
  y << 0, 1, 0, 1;
  patron::tree_classifier_options o;
  o.n_classes = 2000000000;
  CHECK_THROWS_WITH(patron::fit_tree_classifier(X, y, o),
                    "patron::fit_tree_classifier: options.n_classes (2000000000) must not exceed the number of rows (4)");
  o.n_classes = 5;
  CHECK_THROWS_WITH(patron::fit_tree_classifier(X, y, o),
                    "patron::fit_tree_classifier: options.n_classes (5) must not exceed the number of rows (4)");
  o.n_classes = 4;  // two classes that never occur: allowed, and predicted with probability 0
  const auto four = patron::fit_tree_classifier(X, y, o);
  CHECK(four.n_classes == 4);
  CHECK(four.predict_proba(X).rightCols(2).isZero(0.0));
  Eigen::VectorXi huge = y;
  huge(2) = 2000000000;
  CHECK_THROWS_WITH(patron::fit_tree_classifier(X, huge),
                    "patron::fit_tree_classifier: y[2] (2000000000) must be below the number of rows (4) "
                    "when options.n_classes is 0 (the classes are then 0..max(y))");
  huge(2) = std::numeric_limits<int>::max();  // max(y) + 1 would overflow
  huge(1) = -1;  // the first bad label is the one reported
  CHECK_THROWS_WITH(patron::fit_tree_classifier(X, huge),
                    "patron::fit_tree_classifier: y[1] (-1) must be a class label in 0..3");
  huge(1) = 1;
  CHECK_THROWS_WITH(patron::fit_tree_classifier(X, huge),
                    "patron::fit_tree_classifier: y[2] (2147483647) must be below the number of rows (4) "
                    "when options.n_classes is 0 (the classes are then 0..max(y))");
  // Cross-validation: the bound is the rows of all the data, not of a fold (here 3 rows
  // in a fold and 5 classes).
  Eigen::MatrixXd X6(6, 1);
  X6 << 1, 2, 3, 4, 5, 6;
  Eigen::VectorXi y6(6);
  y6 << 0, 1, 2, 3, 4, 0;
  patron::ccp_cross_validation_options cv;
  cv.folds = 2;
  const auto result = patron::cross_validate_ccp_alpha(X6, y6, patron::tree_classifier_options{}, cv);
  CHECK(result.ccp_alphas.size() >= 1);
  // A model whose n_classes disagrees with its class counts (edited or deserialised):
  // predict_proba sized its result by n_classes.
  auto edited = four;
  edited.n_classes = 2000000000;
  CHECK_THROWS_WITH(edited.predict_proba(X),
                    "patron::tree_classifier::predict_proba: n_classes (2000000000) must equal the columns of value (4)");
  o.n_classes = 7;
  CHECK_THROWS_WITH(patron::cross_validate_ccp_alpha(X6, y6, o, cv),
                    "patron::fit_tree_classifier: options.n_classes (7) must not exceed the number of rows (6)");
}
