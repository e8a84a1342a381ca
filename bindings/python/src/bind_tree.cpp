// patron.tree: CART classification and regression trees, cost-complexity pruning and
// the tree read back as rules (include/patron/tree.hpp). float32 features take the
// float path; every other dtype is converted to float64.
#include "bind_util_a.hpp"

#include <optional>

#include "patron/tree.hpp"

namespace patron::python {
namespace {

void set_growth(tree_options& o, std::optional<int> max_depth, int min_samples_split,
                int min_samples_leaf, double min_impurity_decrease,
                std::optional<int> max_leaf_nodes, double ccp_alpha) {
  o.max_depth = max_depth;
  o.min_samples_split = min_samples_split;
  o.min_samples_leaf = min_samples_leaf;
  o.min_impurity_decrease = min_impurity_decrease;
  o.max_leaf_nodes = max_leaf_nodes;
  o.ccp_alpha = ccp_alpha;
}

tree_classifier_options classifier_options(std::optional<int> max_depth, int min_samples_split,
                                           int min_samples_leaf, double min_impurity_decrease,
                                           std::optional<int> max_leaf_nodes, double ccp_alpha,
                                           tree_criterion criterion, int n_classes,
                                           class_weighting class_weight_mode,
                                           std::vector<double> class_weight) {
  tree_classifier_options o;
  set_growth(o, max_depth, min_samples_split, min_samples_leaf, min_impurity_decrease,
             max_leaf_nodes, ccp_alpha);
  o.criterion = criterion;
  o.n_classes = n_classes;
  o.class_weight_mode = class_weight_mode;
  o.class_weight = std::move(class_weight);
  return o;
}

tree_regressor_options regressor_options(std::optional<int> max_depth, int min_samples_split,
                                         int min_samples_leaf, double min_impurity_decrease,
                                         std::optional<int> max_leaf_nodes, double ccp_alpha) {
  tree_regressor_options o;
  set_growth(o, max_depth, min_samples_split, min_samples_leaf, min_impurity_decrease,
             max_leaf_nodes, ccp_alpha);
  return o;
}

const tree_classifier_options classifier_defaults{};
const ccp_cross_validation_options cv_defaults{};
const rule_format format_defaults{};

rule_format make_format(std::vector<std::string> feature_names,
                        std::vector<std::string> class_names, int decimals) {
  return {std::move(feature_names), std::move(class_names), decimals};
}

// The keyword arguments of the growth limits, after the (X, y, sample_weight) ones.
#define PATRON_PY_GROWTH_ARGS                                                              \
  py::arg("max_depth") = classifier_defaults.max_depth,                                    \
  py::arg("min_samples_split") = classifier_defaults.min_samples_split,                    \
  py::arg("min_samples_leaf") = classifier_defaults.min_samples_leaf,                      \
  py::arg("min_impurity_decrease") = classifier_defaults.min_impurity_decrease,            \
  py::arg("max_leaf_nodes") = classifier_defaults.max_leaf_nodes,                          \
  py::arg("ccp_alpha") = classifier_defaults.ccp_alpha
#define PATRON_PY_CLASSIFIER_ARGS                                                          \
  PATRON_PY_GROWTH_ARGS, py::arg("criterion") = classifier_defaults.criterion,             \
      py::arg("n_classes") = classifier_defaults.n_classes,                                \
      py::arg("class_weight_mode") = classifier_defaults.class_weight_mode,                \
      py::arg("class_weight") = classifier_defaults.class_weight
#define PATRON_PY_FORMAT_ARGS                                                              \
  py::arg("feature_names") = format_defaults.feature_names,                                \
  py::arg("class_names") = format_defaults.class_names,                                    \
  py::arg("decimals") = format_defaults.decimals

template <class Tree>
py::tuple structure_state(const Tree& t) {
  return py::make_tuple(t.n_features, t.children_left, t.children_right, t.feature, t.threshold,
                        t.impurity, t.n_node_samples, t.weighted_n_node_samples, t.value);
}

template <class Tree>
void restore_structure(Tree& t, const py::tuple& s) {
  t.n_features = s[0].cast<int>();
  t.children_left = s[1].cast<std::vector<int>>();
  t.children_right = s[2].cast<std::vector<int>>();
  t.feature = s[3].cast<std::vector<int>>();
  t.threshold = s[4].cast<std::vector<double>>();
  t.impurity = s[5].cast<std::vector<double>>();
  t.n_node_samples = s[6].cast<std::vector<std::int64_t>>();
  t.weighted_n_node_samples = s[7].cast<std::vector<double>>();
  t.value = s[8].cast<Eigen::MatrixXd>();
  const auto nodes = t.feature.size();
  if (t.children_left.size() != nodes || t.children_right.size() != nodes ||
      t.threshold.size() != nodes || t.impurity.size() != nodes ||
      t.n_node_samples.size() != nodes || t.weighted_n_node_samples.size() != nodes ||
      static_cast<std::size_t>(t.value.rows()) != nodes)
    throw py::value_error("invalid pickle state for a tree: per-node arrays differ in length");
}

}  // namespace

void bind_tree(py::module_& parent) {
  auto m = parent.def_submodule("tree", "CART decision trees, cost-complexity pruning and "
                                        "segment rules.");

  py::enum_<tree_criterion>(m, "Criterion", "Impurity of a classification tree.")
      .value("gini", tree_criterion::gini, "1 - sum p_k^2 (default)")
      .value("entropy", tree_criterion::entropy, "-sum p_k log2 p_k")
      .export_values();
  py::enum_<class_weighting>(m, "ClassWeighting", "Weight of each class.")
      .value("none", class_weighting::none, "every class weighs 1 (default)")
      .value("balanced", class_weighting::balanced, "n / (classes present * n_k)")
      .value("explicit_weights", class_weighting::explicit_weights, "class_weight, one per class")
      .export_values();
  py::enum_<alpha_selection>(m, "AlphaSelection", "How cross-validation picks ccp_alpha.")
      .value("min_error", alpha_selection::min_error, "smallest cross-validated error (default)")
      .value("one_se", alpha_selection::one_se, "largest alpha within one standard error (rpart)")
      .export_values();
  py::enum_<comparison>(m, "Comparison", "Direction of a rule condition.")
      .value("less_equal", comparison::less_equal, "x[feature] <= threshold")
      .value("greater", comparison::greater, "x[feature] > threshold")
      .export_values();

  py::class_<tree_decision_paths> paths(m, "DecisionPaths",
                                  "Nodes visited by each row, compressed-row form: row i visits "
                                          "nodes[row_start[i]:row_start[i + 1]], root first.");
  paths.def_property_readonly(
          "row_start", [](const tree_decision_paths& p) { return to_numpy(p.row_start); },
          "offsets into nodes, one per row plus one")
      .def_property_readonly(
          "nodes", [](const tree_decision_paths& p) { return to_numpy(p.nodes); },
          "node ids, row after row");
  def_pickle(paths, &tree_decision_paths::row_start, &tree_decision_paths::nodes);

  using S = tree_structure;
  py::class_<S>(m, "TreeStructure", "The fitted tree as per-node arrays (scikit-learn's tree_).")
      .def_readonly("n_features", &S::n_features, "features the tree was fitted on")
      .def_property_readonly("children_left", [](const S& t) { return to_numpy(t.children_left); },
                             "left child of each node, -1 for a leaf")
      .def_property_readonly("children_right", [](const S& t) { return to_numpy(t.children_right); },
                             "right child of each node, -1 for a leaf")
      .def_property_readonly("feature", [](const S& t) { return to_numpy(t.feature); },
                             "split feature of each node, -2 for a leaf")
      .def_property_readonly("threshold", [](const S& t) { return to_numpy(t.threshold); },
                             "split threshold of each node (left when x <= threshold), -2 for a leaf")
      .def_property_readonly("impurity", [](const S& t) { return to_numpy(t.impurity); },
                             "impurity of the node's training samples")
      .def_property_readonly("n_node_samples", [](const S& t) { return to_numpy(t.n_node_samples); },
                             "training rows reaching each node")
      .def_property_readonly("weighted_n_node_samples",
                             [](const S& t) { return to_numpy(t.weighted_n_node_samples); },
                             "their weight sum")
      .def_readonly("value", &S::value,
                    "per node: weighted class counts (classification) or mean response (regression)")
      .def("node_count", &S::node_count, "number of nodes")
      .def("is_leaf", &S::is_leaf, py::arg("node"), "whether the node is a leaf")
      .def("leaf_count", &S::leaf_count, "number of leaves")
      .def("depth", &S::depth, "longest root-to-leaf path in edges")
      .def("feature_importances", &S::feature_importances, "impurity-based importances (sum to 1)")
      .def(
          "apply",
          [](const S& t, const py::object& X, unsigned threads) {
            return with_matrix(X, "X", [&](const auto& x) {
              return py::cast(without_gil([&] { return t.apply(x, tree_predict_options{threads}); }));
            });
          },
          py::arg("X"), py::kw_only(), py::arg("threads") = 1u,
          "Leaf node id of every row of X. threads (0 = every core) never change it.")
      .def(
          "decision_path",
          [](const S& t, const py::object& X, unsigned threads) {
            return with_matrix(X, "X", [&](const auto& x) {
              return py::cast(without_gil([&] { return t.decision_path(x, tree_predict_options{threads}); }));
            });
          },
          py::arg("X"), py::kw_only(), py::arg("threads") = 1u,
          "Nodes visited by every row of X (DecisionPaths). threads (0 = every core) never change them.");

  py::class_<tree_classifier, S>(m, "TreeClassifier", "A fitted classification tree.")
      .def_readonly("n_classes", &tree_classifier::n_classes, "number of classes")
      .def_readonly("criterion", &tree_classifier::criterion, "impurity used to grow it")
      .def(
          "predict",
          [](const tree_classifier& t, const py::object& X, unsigned threads) {
            return with_matrix(X, "X", [&](const auto& x) {
              return py::cast(without_gil([&] { return t.predict(x, tree_predict_options{threads}); }));
            });
          },
          py::arg("X"), py::kw_only(), py::arg("threads") = 1u,
          "Most frequent (weighted) class of each row's leaf. threads (0 = every core) never change it.")
      .def(
          "predict_proba",
          [](const tree_classifier& t, const py::object& X, unsigned threads) {
            return with_matrix(X, "X", [&](const auto& x) {
              return py::cast(without_gil([&] { return t.predict_proba(x, tree_predict_options{threads}); }));
            });
          },
          py::arg("X"), py::kw_only(), py::arg("threads") = 1u,
          "Class distribution of each row's leaf (rows sum to 1). threads (0 = every core) never change it.")
      .def(py::pickle(
          [](const tree_classifier& t) {
            return py::make_tuple(structure_state(t), t.n_classes, t.criterion);
          },
          [](const py::tuple& s) {
            state_tuple(s, 3, "TreeClassifier");
            tree_classifier t;
            restore_structure(t, state_tuple(s[0], 9, "TreeClassifier"));
            t.n_classes = s[1].cast<int>();
            t.criterion = s[2].cast<tree_criterion>();
            return t;
          }));

  py::class_<tree_regressor, S>(m, "TreeRegressor", "A fitted regression tree (squared error).")
      .def(
          "predict",
          [](const tree_regressor& t, const py::object& X, unsigned threads) {
            return with_matrix(X, "X", [&](const auto& x) {
              return py::cast(without_gil([&] { return t.predict(x, tree_predict_options{threads}); }));
            });
          },
          py::arg("X"), py::kw_only(), py::arg("threads") = 1u,
          "Mean response of each row's leaf. threads (0 = every core) never change it.")
      .def(py::pickle([](const tree_regressor& t) { return py::make_tuple(structure_state(t)); },
                      [](const py::tuple& s) {
                        state_tuple(s, 1, "TreeRegressor");
                        tree_regressor t;
                        restore_structure(t, state_tuple(s[0], 9, "TreeRegressor"));
                        return t;
                      }));

  m.def(
      "fit_tree_classifier",
      [](const py::object& X, const py::object& y, const py::object& sample_weight,
         std::optional<int> max_depth, int min_samples_split, int min_samples_leaf,
         double min_impurity_decrease, std::optional<int> max_leaf_nodes, double ccp_alpha,
         tree_criterion criterion, int n_classes, class_weighting class_weight_mode,
         std::vector<double> class_weight) {
        const auto o = classifier_options(max_depth, min_samples_split, min_samples_leaf,
                                          min_impurity_decrease, max_leaf_nodes, ccp_alpha, criterion,
                                          n_classes, class_weight_mode, std::move(class_weight));
        const Eigen::VectorXi labels = as_labels(y, "y");
        const Eigen::VectorXd w = as_optional_weights(sample_weight, "sample_weight");
        return with_matrix(X, "X", [&](const auto& x) {
          return py::cast(without_gil([&] { return fit_tree_classifier(x, labels, o, w); }));
        });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("sample_weight") = py::none(),
      PATRON_PY_CLASSIFIER_ARGS,
      "Fit a classification tree (labels 0..n_classes-1), as DecisionTreeClassifier.");

  m.def(
      "fit_tree_regressor",
      [](const py::object& X, const py::object& y, const py::object& sample_weight,
         std::optional<int> max_depth, int min_samples_split, int min_samples_leaf,
         double min_impurity_decrease, std::optional<int> max_leaf_nodes, double ccp_alpha) {
        const auto o = regressor_options(max_depth, min_samples_split, min_samples_leaf,
                                         min_impurity_decrease, max_leaf_nodes, ccp_alpha);
        const auto response = as_array_1d<double>(y, "y");
        const Eigen::VectorXd w = as_optional_weights(sample_weight, "sample_weight");
        return with_matrix(X, "X", [&](const auto& x) {
          return py::cast(
              without_gil([&] { return fit_tree_regressor(x, as_vector(response), o, w); }));
        });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("sample_weight") = py::none(),
      PATRON_PY_GROWTH_ARGS,
      "Fit a regression tree (squared error), as DecisionTreeRegressor.");

  py::class_<cost_complexity_path> ccp_path(
      m, "CostComplexityPath", "Effective alphas and the leaf impurity of each pruned subtree.");
  ccp_path.def_readonly("ccp_alphas", &cost_complexity_path::ccp_alphas, "ascending, from 0")
      .def_readonly("impurities", &cost_complexity_path::impurities, "total leaf impurity R(T_alpha)")
      .def_readonly("leaves", &cost_complexity_path::leaves, "leaf count of each subtree");
  def_pickle(ccp_path, &cost_complexity_path::ccp_alphas, &cost_complexity_path::impurities,
             &cost_complexity_path::leaves);
  m.def("cost_complexity_pruning_path", &cost_complexity_pruning_path, py::arg("tree"),
        "scikit-learn's cost_complexity_pruning_path of a fitted (unpruned) tree.");
  m.def("prune_tree", &prune_tree<tree_classifier>, py::arg("tree"), py::arg("ccp_alpha"),
        "The minimal cost-complexity subtree for ccp_alpha (>= 0).");
  m.def("prune_tree", &prune_tree<tree_regressor>, py::arg("tree"), py::arg("ccp_alpha"),
        "The minimal cost-complexity subtree for ccp_alpha (>= 0).");

  using CV = ccp_cross_validation;
  py::class_<CV> cp_table(m, "CcpCrossValidation", "rpart's cp table: cross-validated error per subtree.");
  cp_table.def_readonly("ccp_alphas", &CV::ccp_alphas, "the full-data pruning path")
      .def_readonly("leaves", &CV::leaves, "leaf count of each subtree")
      .def_readonly("cv_error", &CV::cv_error, "mean held-out loss")
      .def_readonly("cv_standard_error", &CV::cv_standard_error, "its standard error")
      .def_readonly("best_index", &CV::best_index, "minimum cv_error (ties: simpler tree)")
      .def_readonly("chosen_index", &CV::chosen_index, "index chosen by the rule")
      .def_readonly("chosen_alpha", &CV::chosen_alpha, "ccp_alphas[chosen_index]");
  def_pickle(cp_table, &CV::ccp_alphas, &CV::leaves, &CV::cv_error, &CV::cv_standard_error,
             &CV::best_index, &CV::chosen_index, &CV::chosen_alpha);

  m.def(
      "cross_validate_ccp_alpha_classifier",
      [](const py::object& X, const py::object& y, const py::object& sample_weight, int folds,
         std::uint64_t seed, alpha_selection rule, std::optional<int> max_depth,
         int min_samples_split, int min_samples_leaf, double min_impurity_decrease,
         std::optional<int> max_leaf_nodes, double ccp_alpha, tree_criterion criterion,
         int n_classes, class_weighting class_weight_mode, std::vector<double> class_weight) {
        const auto o = classifier_options(max_depth, min_samples_split, min_samples_leaf,
                                          min_impurity_decrease, max_leaf_nodes, ccp_alpha, criterion,
                                          n_classes, class_weight_mode, std::move(class_weight));
        const ccp_cross_validation_options cv{folds, seed, rule};
        const Eigen::VectorXi labels = as_labels(y, "y");
        const Eigen::VectorXd w = as_optional_weights(sample_weight, "sample_weight");
        return with_matrix(X, "X", [&](const auto& x) {
          return py::cast(without_gil([&] { return cross_validate_ccp_alpha(x, labels, o, cv, w); }));
        });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("sample_weight") = py::none(),
      py::arg("folds") = cv_defaults.folds, py::arg("seed") = cv_defaults.seed,
      py::arg("rule") = cv_defaults.rule, PATRON_PY_CLASSIFIER_ARGS,
      "k-fold cross-validation of a classification tree's pruning path (rpart's xerror).");

  m.def(
      "cross_validate_ccp_alpha_regressor",
      [](const py::object& X, const py::object& y, const py::object& sample_weight, int folds,
         std::uint64_t seed, alpha_selection rule, std::optional<int> max_depth,
         int min_samples_split, int min_samples_leaf, double min_impurity_decrease,
         std::optional<int> max_leaf_nodes, double ccp_alpha) {
        const auto o = regressor_options(max_depth, min_samples_split, min_samples_leaf,
                                         min_impurity_decrease, max_leaf_nodes, ccp_alpha);
        const ccp_cross_validation_options cv{folds, seed, rule};
        const auto response = as_array_1d<double>(y, "y");
        const Eigen::VectorXd w = as_optional_weights(sample_weight, "sample_weight");
        return with_matrix(X, "X", [&](const auto& x) {
          return py::cast(without_gil(
              [&] { return cross_validate_ccp_alpha(x, as_vector(response), o, cv, w); }));
        });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("sample_weight") = py::none(),
      py::arg("folds") = cv_defaults.folds, py::arg("seed") = cv_defaults.seed,
      py::arg("rule") = cv_defaults.rule, PATRON_PY_GROWTH_ARGS,
      "k-fold cross-validation of a regression tree's pruning path (rpart's xerror).");

  py::class_<rule_condition> condition(m, "RuleCondition",
                                       "One condition of a rule: x[feature] op threshold.");
  condition.def_readonly("feature", &rule_condition::feature, "feature index")
      .def_readonly("op", &rule_condition::op, "Comparison")
      .def_readonly("threshold", &rule_condition::threshold, "threshold");
  def_pickle(condition, &rule_condition::feature, &rule_condition::op, &rule_condition::threshold);
  py::class_<leaf_rule> rule(m, "LeafRule", "The path to one leaf, conditions merged per feature.");
  rule.def_readonly("leaf", &leaf_rule::leaf, "leaf node id")
      .def_readonly("conditions", &leaf_rule::conditions, "list of RuleCondition")
      .def_readonly("n_samples", &leaf_rule::n_samples, "training rows in the leaf")
      .def_readonly("weighted_n_samples", &leaf_rule::weighted_n_samples, "their weight sum")
      .def_readonly("predicted_class", &leaf_rule::predicted_class, "class; -1 for regression")
      .def_readonly("purity", &leaf_rule::purity, "weight share of predicted_class")
      .def_readonly("predicted_value", &leaf_rule::predicted_value, "leaf mean or the class");
  def_pickle(rule, &leaf_rule::leaf, &leaf_rule::conditions, &leaf_rule::n_samples,
             &leaf_rule::weighted_n_samples, &leaf_rule::predicted_class, &leaf_rule::purity,
             &leaf_rule::predicted_value);

  m.def("extract_rules", py::overload_cast<const tree_classifier&>(&extract_rules), py::arg("tree"),
        "Every leaf as a rule, left to right.");
  m.def("extract_rules", py::overload_cast<const tree_regressor&>(&extract_rules), py::arg("tree"),
        "Every leaf as a rule, left to right.");
  m.def(
      "format_rule",
      [](const leaf_rule& rule, std::vector<std::string> feature_names,
         std::vector<std::string> class_names, int decimals) {
        return format_rule(rule, make_format(std::move(feature_names), std::move(class_names), decimals));
      },
      py::arg("rule"), py::kw_only(), PATRON_PY_FORMAT_ARGS,
      "IF recency <= 30.50 AND frequency > 3.50 THEN \"1\" (n = 412, 91% purity).");
  m.def(
      "rules_to_json",
      [](const std::vector<leaf_rule>& rules, std::vector<std::string> feature_names,
         std::vector<std::string> class_names, int decimals) {
        return rules_to_json(rules, make_format(std::move(feature_names), std::move(class_names), decimals));
      },
      py::arg("rules"), py::kw_only(), PATRON_PY_FORMAT_ARGS, "The rules as a JSON array.");
  m.def(
      "export_text",
      [](const tree_classifier& tree, std::vector<std::string> feature_names,
         std::vector<std::string> class_names, int decimals) {
        return export_text(tree, make_format(std::move(feature_names), std::move(class_names), decimals));
      },
      py::arg("tree"), py::kw_only(), PATRON_PY_FORMAT_ARGS,
      "The tree as indented text (scikit-learn's export_text layout).");
  m.def(
      "export_text",
      [](const tree_regressor& tree, std::vector<std::string> feature_names,
         std::vector<std::string> class_names, int decimals) {
        return export_text(tree, make_format(std::move(feature_names), std::move(class_names), decimals));
      },
      py::arg("tree"), py::kw_only(), PATRON_PY_FORMAT_ARGS,
      "The tree as indented text (scikit-learn's export_text layout).");
}

#undef PATRON_PY_GROWTH_ARGS
#undef PATRON_PY_CLASSIFIER_ARGS
#undef PATRON_PY_FORMAT_ARGS

}  // namespace patron::python
