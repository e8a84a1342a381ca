// The structural check of a fitted tree (detail::validate_tree_structure): models are
// public value types that may be hand-built, deserialised or edited, so every entry
// point taking one rejects a corrupt one with invalid_input naming the array, the first
// bad node and its value, instead of reading out of bounds or looping for ever. Valid
// models, fitted, pruned, copied through text, or rebuilt from scikit-learn's tree_
// arrays, still pass and predict as before.
#include <catch2/catch.hpp>
#include <patron/tree.hpp>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "reference/tree/read_data.hpp"
#include "reference/tree/tree_reference.hpp"

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

// Node 0 splits feature 0 at 0.5; its left child 1 is a leaf, its right child 2 splits
// feature 1 at 1.5 into the leaves 3 and 4. Weighted class counts per node.
patron::tree_classifier hand_built_classifier() {
  patron::tree_classifier tree;
  tree.n_features = 2;
  tree.n_classes = 2;
  tree.children_left = {1, -1, 3, -1, -1};
  tree.children_right = {2, -1, 4, -1, -1};
  tree.feature = {0, -2, 1, -2, -2};
  tree.threshold = {0.5, -2, 1.5, -2, -2};
  tree.impurity = {24.0 / 49.0, 6.0 / 16.0, 4.0 / 9.0, 0.0, 0.0};
  tree.n_node_samples = {7, 4, 3, 2, 1};
  tree.weighted_n_node_samples = {7, 4, 3, 2, 1};
  tree.value.resize(5, 2);
  tree.value << 4, 3, 3, 1, 1, 2, 0, 2, 1, 0;
  return tree;
}

patron::tree_regressor hand_built_regressor() {
  const patron::tree_classifier shape = hand_built_classifier();
  patron::tree_regressor tree;
  static_cast<patron::tree_structure&>(tree) = shape;
  tree.value.resize(5, 1);
  tree.value << 2.0, 1.0, 10.0 / 3.0, 3.0, 4.0;
  return tree;
}

Eigen::MatrixXd rows() {
  Eigen::MatrixXd X(4, 2);
  X << 0, 0,  // node 1
      1, 1,   // node 3
      1, 2,   // node 4
      0.5, 9; // node 1: x <= threshold goes left
  return X;
}

// The message every entry point throws for `tree`, keyed by the function it names.
template <class Tree>
std::vector<std::pair<std::string, std::function<void()>>> entry_points(const Tree& tree) {
  const Eigen::MatrixXd X = rows();
  std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"tree::apply", [=] { (void)tree.apply(X); }},
      {"tree::decision_path", [=] { (void)tree.decision_path(X); }},
      {"tree::depth", [=] { (void)tree.depth(); }},
      {"tree::feature_importances", [=] { (void)tree.feature_importances(); }},
      {"cost_complexity_pruning_path", [=] { (void)patron::cost_complexity_pruning_path(tree); }},
      {"prune_tree", [=] { (void)patron::prune_tree(tree, 0.01); }},
      {"extract_rules", [=] { (void)patron::extract_rules(tree); }},
      {"export_text", [=] { (void)patron::export_text(tree); }},
  };
  if constexpr (std::is_same_v<Tree, patron::tree_classifier>) {
    calls.emplace_back("tree_classifier::predict", [=] { (void)tree.predict(X); });
    calls.emplace_back("tree_classifier::predict_proba", [=] { (void)tree.predict_proba(X); });
  } else {
    calls.emplace_back("tree_regressor::predict", [=] { (void)tree.predict(X); });
  }
  return calls;
}

// Every entry point of `tree` throws "patron::<function>: <what>".
template <class Tree>
void check_every_entry_point_throws(const Tree& tree, const std::string& what) {
  for (const auto& [function, call] : entry_points(tree)) {
    INFO(function);
    CHECK_THROWS_WITH(call(), "patron::" + function + ": " + what);
  }
}

template <class Tree, class Edit>
Tree edited(const Tree& tree, Edit edit) {
  Tree copy = tree;
  edit(copy);
  return copy;
}

// A model written to text and read back, as a file format would: every array on its
// own line, doubles in hexadecimal (exact).
template <class Tree>
Tree text_round_trip(const Tree& tree) {
  std::stringstream text;
  text << std::hexfloat << tree.n_features << ' ' << tree.node_count() << ' ' << tree.value.cols() << '\n';
  auto write = [&](const auto& values) {
    for (const auto& v : values) text << v << ' ';
    text << '\n';
  };
  write(tree.children_left);
  write(tree.children_right);
  write(tree.feature);
  write(tree.threshold);
  write(tree.impurity);
  write(tree.n_node_samples);
  write(tree.weighted_n_node_samples);
  for (Eigen::Index r = 0; r < tree.value.rows(); ++r)
    for (Eigen::Index k = 0; k < tree.value.cols(); ++k) text << tree.value(r, k) << ' ';

  Tree copy;
  int nodes = 0;
  Eigen::Index cols = 0;
  text >> copy.n_features >> nodes >> cols;
  auto read_ints = [&](auto& values) {
    values.resize(static_cast<std::size_t>(nodes));
    for (auto& v : values) text >> v;
  };
  // operator>> does not parse hexfloat on every standard library; strtod does.
  auto read_doubles = [&](auto& values) {
    for (auto& v : values) {
      std::string word;
      text >> word;
      v = std::strtod(word.c_str(), nullptr);
    }
  };
  read_ints(copy.children_left);
  read_ints(copy.children_right);
  read_ints(copy.feature);
  copy.threshold.resize(static_cast<std::size_t>(nodes));
  read_doubles(copy.threshold);
  copy.impurity.resize(static_cast<std::size_t>(nodes));
  read_doubles(copy.impurity);
  read_ints(copy.n_node_samples);
  copy.weighted_n_node_samples.resize(static_cast<std::size_t>(nodes));
  read_doubles(copy.weighted_n_node_samples);
  std::vector<double> value(static_cast<std::size_t>(nodes * cols));
  read_doubles(value);
  copy.value = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      value.data(), nodes, cols);
  if constexpr (std::is_same_v<Tree, patron::tree_classifier>) {
    copy.n_classes = static_cast<int>(cols);
    copy.criterion = tree.criterion;
  }
  return copy;
}

}  // namespace

TEST_CASE("a hand-built tree that meets the contract predicts as built", "[validation]") {
  const auto tree = hand_built_classifier();
  const Eigen::MatrixXd X = rows();
  CHECK(tree.apply(X) == (Eigen::VectorXi(4) << 1, 3, 4, 1).finished());
  CHECK(tree.predict(X) == (Eigen::VectorXi(4) << 0, 1, 0, 0).finished());
  CHECK(tree.depth() == 2);
  CHECK(patron::extract_rules(tree).size() == 3);
  const auto regressor = hand_built_regressor();
  CHECK(regressor.predict(X) == (Eigen::VectorXd(4) << 1.0, 3.0, 4.0, 1.0).finished());
  for (const auto& [function, call] : entry_points(tree)) {
    INFO(function);
    CHECK_NOTHROW(call());
  }
  for (const auto& [function, call] : entry_points(regressor)) {
    INFO(function);
    CHECK_NOTHROW(call());
  }
}

TEST_CASE("every entry point taking a fitted tree checks its structure", "[validation][invalid]") {
  const auto bad_child = edited(hand_built_classifier(), [](auto& t) { t.children_left[2] = 7; });
  check_every_entry_point_throws(bad_child, "children_left[2] (7) must be -1 (a leaf) or a node id below the node count (5)");
  const auto regressor = edited(hand_built_regressor(), [](auto& t) { t.children_left[2] = 7; });
  check_every_entry_point_throws(regressor, "children_left[2] (7) must be -1 (a leaf) or a node id below the node count (5)");
  check_every_entry_point_throws(patron::tree_classifier{}, "the tree is empty (not fitted)");
  check_every_entry_point_throws(patron::tree_regressor{}, "the tree is empty (not fitted)");
}

TEST_CASE("children out of range, not after their parent, or reached twice are rejected", "[validation][invalid]") {
  const auto tree = hand_built_classifier();
  const Eigen::MatrixXd X = rows();
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_right[0] = 5; }).predict(X),
                    "patron::tree_classifier::predict: children_right[0] (5) must be -1 (a leaf) or a node id below the node count (5)");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_left[0] = -3; }).predict(X),
                    "patron::tree_classifier::predict: children_left[0] (-3) must be -1 (a leaf) or a node id below the node count (5)");
  // A child before its parent: depth() and decision_path's parent pass visit nodes in
  // id order. A child pointing back up would also be a cycle.
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_left[2] = 1; }).predict(X),
                    "patron::tree_classifier::predict: children_left[2] (1) must be greater than the node's id (2)");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_right[2] = 2; }).predict(X),
                    "patron::tree_classifier::predict: children_right[2] (2) must be greater than the node's id (2)");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_left[2] = 0; }).apply(X),
                    "patron::tree::apply: children_left[2] (0) must be greater than the node's id (2)");
  // A node reachable twice (a DAG, not a tree): from one split, or from two.
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_right[2] = 3; }).predict(X),
                    "patron::tree_classifier::predict: children_right[2] (3) is already a child of node 2 (every node has one parent)");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_right[0] = 3; }).predict(X),
                    "patron::tree_classifier::predict: children_left[2] (3) is already a child of node 0 (every node has one parent)");
  // A node no split leads to.
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_left[0] = t.children_right[0] = -1; }).predict(X),
                    "patron::tree_classifier::predict: node 1 is unreachable: no children_left or children_right entry names it");
}

TEST_CASE("leaf markers must agree", "[validation][invalid]") {
  const auto tree = hand_built_classifier();
  const Eigen::MatrixXd X = rows();
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_left[2] = -1; }).predict(X),
                    "patron::tree_classifier::predict: children_right[2] (4) must be -1 (a leaf) as children_left[2] is");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_right[2] = -1; }).predict(X),
                    "patron::tree_classifier::predict: children_left[2] (3) must be -1 (a leaf) as children_right[2] is");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_right[1] = 3; }).decision_path(X),
                    "patron::tree::decision_path: children_right[1] (3) must be -1 (a leaf) as children_left[1] is");
}

TEST_CASE("split features and thresholds must be usable", "[validation][invalid]") {
  const auto tree = hand_built_classifier();
  const Eigen::MatrixXd X = rows();
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.feature[2] = 2; }).predict(X),
                    "patron::tree_classifier::predict: feature[2] (2) must be a feature index in [0, n_features) = [0, 2) at a split");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.feature[0] = -2; }).predict(X),
                    "patron::tree_classifier::predict: feature[0] (-2) must be a feature index in [0, n_features) = [0, 2) at a split");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.threshold[2] = not_a_number; }).predict(X),
                    "patron::tree_classifier::predict: threshold[2] (nan) must be finite at a split");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.threshold[0] = -infinity; }).predict(X),
                    "patron::tree_classifier::predict: threshold[0] (-inf) must be finite at a split");
  // Leaves' feature and threshold are never read (-2 by convention).
  CHECK_NOTHROW(edited(tree, [](auto& t) { t.feature[3] = 99; t.threshold[3] = not_a_number; }).predict(X));
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.n_features = 0; }).predict(Eigen::MatrixXd(1, 0)),
                    "patron::tree_classifier::predict: n_features (0) must be >= 1");
}

TEST_CASE("per-node arrays must all have one entry per node", "[validation][invalid]") {
  const auto tree = hand_built_classifier();
  const Eigen::MatrixXd X = rows();
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_left.push_back(-1); }).predict(X),
                    "patron::tree_classifier::predict: children_left has 6 elements but feature has 5");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.children_right.pop_back(); }).predict(X),
                    "patron::tree_classifier::predict: children_right has 4 elements but feature has 5");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.threshold.pop_back(); }).predict(X),
                    "patron::tree_classifier::predict: threshold has 4 elements but feature has 5");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.impurity.clear(); }).predict(X),
                    "patron::tree_classifier::predict: impurity has 0 elements but feature has 5");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.n_node_samples.pop_back(); }).predict(X),
                    "patron::tree_classifier::predict: n_node_samples has 4 elements but feature has 5");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.weighted_n_node_samples.push_back(1); }).predict(X),
                    "patron::tree_classifier::predict: weighted_n_node_samples has 6 elements but feature has 5");
  // feature itself defines the node count: a shorter one is reported on the others.
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.feature.pop_back(); }).predict(X),
                    "patron::tree_classifier::predict: children_left has 5 elements but feature has 4");
}

TEST_CASE("value must have one row per node, the right columns and usable entries", "[validation][invalid]") {
  const auto tree = hand_built_classifier();
  const Eigen::MatrixXd X = rows();
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.value.conservativeResize(4, 2); }).predict(X),
                    "patron::tree_classifier::predict: value (4 x 2) must have one row per node (5) and at least one column");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.value.resize(5, 0); }).apply(X),
                    "patron::tree::apply: value (5 x 0) must have one row per node (5) and at least one column");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.value.conservativeResize(5, 3); t.value.col(2).setZero(); }).predict(X),
                    "patron::tree_classifier::predict: n_classes (2) must equal the columns of value (3)");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.value(3, 1) = -1; }).predict_proba(X),
                    "patron::tree_classifier::predict_proba: value(3, 1) (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.value(4, 0) = not_a_number; }).predict(X),
                    "patron::tree_classifier::predict: value(4, 0) (nan) must be finite and non-negative");
  // A leaf without class counts would give NaN probabilities.
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.value.row(3).setZero(); }).predict_proba(X),
                    "patron::tree_classifier::predict_proba: value.row(3) (sum 0) must have a positive sum: a node needs class counts");
  const auto regressor = hand_built_regressor();
  CHECK_THROWS_WITH(edited(regressor, [](auto& t) { t.value.conservativeResize(5, 2); t.value.col(1).setZero(); }).predict(X),
                    "patron::tree_regressor::predict: value.cols() (2) must be 1 (the mean response)");
  CHECK_THROWS_WITH(edited(regressor, [](auto& t) { t.value(3, 0) = infinity; }).predict(X),
                    "patron::tree_regressor::predict: value(3, 0) (inf) must be finite");
  CHECK_NOTHROW(edited(regressor, [](auto& t) { t.value(3, 0) = -5; }).predict(X));
}

TEST_CASE("the weights pruning and importances divide by must be usable", "[validation][invalid]") {
  const auto tree = hand_built_classifier();
  CHECK_THROWS_WITH(patron::cost_complexity_pruning_path(edited(tree, [](auto& t) { t.weighted_n_node_samples[0] = 0; })),
                    "patron::cost_complexity_pruning_path: weighted_n_node_samples[0] (0) must be positive (the root holds every sample)");
  CHECK_THROWS_WITH(edited(tree, [](auto& t) { t.weighted_n_node_samples[3] = -1; }).feature_importances(),
                    "patron::tree::feature_importances: weighted_n_node_samples[3] (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::prune_tree(edited(tree, [](auto& t) { t.impurity[1] = not_a_number; }), 0.0),
                    "patron::prune_tree: impurity[1] (nan) must be finite");
  CHECK_THROWS_WITH(patron::extract_rules(edited(tree, [](auto& t) { t.n_node_samples[4] = -1; })),
                    "patron::extract_rules: n_node_samples[4] (-1) must be non-negative");
}

TEST_CASE("fitted, pruned and text round-tripped models pass the check", "[validation]") {
  const auto data = tree_test::read_data("generated_classification.csv");
  const auto classifier = patron::fit_tree_classifier(data.X, data.labels());
  const auto regression = tree_test::read_data("generated_regression.csv");
  const auto regressor = patron::fit_tree_regressor(regression.X, regression.target);
  REQUIRE(classifier.node_count() > 100);
  const auto path = patron::cost_complexity_pruning_path(classifier);
  const auto pruned = patron::prune_tree(classifier, path.ccp_alphas(path.ccp_alphas.size() / 2));
  for (const auto* tree : {&classifier, &pruned}) {
    const auto copy = text_round_trip(*tree);
    CHECK(copy.predict(data.X) == tree->predict(data.X));
    CHECK(copy.predict_proba(data.X) == tree->predict_proba(data.X));
    CHECK(copy.decision_path(data.X).nodes == tree->decision_path(data.X).nodes);
    CHECK(copy.depth() == tree->depth());
    CHECK(patron::export_text(copy) == patron::export_text(*tree));
    CHECK(patron::cost_complexity_pruning_path(copy).ccp_alphas == patron::cost_complexity_pruning_path(*tree).ccp_alphas);
  }
  const auto copy = text_round_trip(regressor);
  CHECK(copy.predict(regression.X) == regressor.predict(regression.X));
  CHECK(copy.feature_importances() == regressor.feature_importances());
}

// scikit-learn's tree_ arrays (the reference cases of test_tree.cpp) loaded into patron's
// types, as a model converted from scikit-learn would be: they meet the contract, and
// predict gives scikit-learn's predictions exactly (the leaf values are its own).
TEST_CASE("trees rebuilt from scikit-learn's arrays pass the check and predict as scikit-learn",
          "[validation][reference]") {
  using tree_reference::reference_tree;
  for (const reference_tree* c : tree_reference::all_cases) {
    SECTION(c->name) {
      patron::tree_structure s;
      const auto n = static_cast<std::size_t>(c->node_count);
      s.n_features = c->n_features;
      s.children_left.assign(c->left, c->left + n);
      s.children_right.assign(c->right, c->right + n);
      s.feature.assign(c->feature, c->feature + n);
      s.threshold.assign(c->threshold, c->threshold + n);
      s.impurity.assign(c->impurity, c->impurity + n);
      s.n_node_samples.assign(c->n_node_samples, c->n_node_samples + n);
      s.weighted_n_node_samples.assign(c->weighted_n, c->weighted_n + n);
      s.value = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          c->value, c->node_count, c->outputs);
      std::string file = c->data_file;
      if (file.rfind("generated", 0) == 0) file.insert(file.size() - 4, "_test");
      // scikit-learn predicts on float32 X.
      const Eigen::MatrixXf X_test = tree_test::read_data(file).X.cast<float>();
      REQUIRE(X_test.rows() == c->test_rows);
      if (c->classification) {
        patron::tree_classifier tree;
        static_cast<patron::tree_structure&>(tree) = s;
        tree.n_classes = c->outputs;
        const Eigen::VectorXi predicted = tree.predict(X_test);
        for (int r = 0; r < c->test_rows; ++r) CHECK(predicted(r) == static_cast<int>(c->predictions[r]));
      } else {
        patron::tree_regressor tree;
        static_cast<patron::tree_structure&>(tree) = s;
        const Eigen::VectorXd predicted = tree.predict(X_test);
        for (int r = 0; r < c->test_rows; ++r) CHECK(predicted(r) == c->predictions[r]);
      }
    }
  }
}
