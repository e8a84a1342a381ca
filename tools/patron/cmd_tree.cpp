// patron tree: fit a CART decision tree to a CSV (feature columns + a label column),
// print its segment rules, and optionally score a second file (patron/tree.hpp).
#include <patron/transactions.hpp>
#include <patron/tree.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "cli.hpp"
#include "csv.hpp"
#include "demo_data.hpp"

namespace patron_cli {
namespace {

// Feature columns: --features, or every column except the label and the --id column.
std::vector<std::string> feature_columns(const arguments& args, const csv_table& csv, const std::string& label) {
  if (args.has("features")) {
    auto names = split_list(args.text("features"));
    if (names.empty()) throw usage_error("option --features: no column names given");
    return names;
  }
  std::vector<std::string> names;
  for (const auto& h : csv.header)
    if (h != label && h != args.text("id")) names.push_back(h);
  if (names.empty()) throw usage_error(csv.source + ": no feature columns besides '" + label + "'");
  return names;
}

Eigen::MatrixXd read_features(const csv_table& csv, const std::vector<std::string>& names) {
  Eigen::MatrixXd X(static_cast<Eigen::Index>(csv.size()), static_cast<Eigen::Index>(names.size()));
  for (std::size_t j = 0; j < names.size(); ++j) {
    const std::size_t col = csv.column(names[j]);
    for (std::size_t i = 0; i < csv.size(); ++i)
      X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = csv.number(i, col);
  }
  return X;
}

// Predictions are keyed by the --id column when there is one, else by row number.
std::string row_column(const arguments& args) { return args.has("id") ? args.text("id") : "row"; }
table::cell row_key(const arguments& args, const csv_table& csv, Eigen::Index r) {
  if (!args.has("id")) return static_cast<long long>(r + 1);
  return csv.rows[static_cast<std::size_t>(r)][csv.column(args.text("id"))];
}

template <class Options>
void read_growth(const arguments& args, Options& o) {
  if (args.has("max-depth")) o.max_depth = static_cast<int>(args.integer("max-depth", 0));
  if (args.has("max-leaf-nodes")) o.max_leaf_nodes = static_cast<int>(args.integer("max-leaf-nodes", 0));
  o.min_samples_leaf = static_cast<int>(args.integer("min-samples-leaf", 1));
  o.min_samples_split = static_cast<int>(args.integer("min-samples-split", 2));
  o.min_impurity_decrease = args.number("min-impurity-decrease", 0.0);
  o.ccp_alpha = args.number("ccp-alpha", 0.0);
}

// --cv K: replace options.ccp_alpha by the cross-validated choice; the cp table goes
// to `table_out` when --cp-table is given.
template <class Labels, class Options>
std::optional<table> choose_alpha(const arguments& args, const Eigen::MatrixXd& X, const Labels& y, Options& o,
                                  std::string& note) {
  if (!args.has("cv")) return std::nullopt;
  if (args.has("ccp-alpha")) throw usage_error("--cv chooses the alpha: do not combine it with --ccp-alpha");
  patron::ccp_cross_validation_options cv;
  cv.folds = static_cast<int>(args.integer("cv", 10));
  cv.seed = static_cast<std::uint64_t>(args.integer("seed", 0));
  cv.rule = args.flag("one-se") ? patron::alpha_selection::one_se : patron::alpha_selection::min_error;
  const auto result = patron::cross_validate_ccp_alpha(X, y, o, cv);
  o.ccp_alpha = result.chosen_alpha;
  note = "ccp_alpha " + format_number(result.chosen_alpha) + " chosen by " + std::to_string(cv.folds) +
         "-fold cross-validation (" + (args.flag("one-se") ? "1-SE rule" : "minimum error") + ")";
  table t({"ccp_alpha", "leaves", "cv_error", "cv_standard_error", "chosen"});
  for (Eigen::Index i = 0; i < result.ccp_alphas.size(); ++i)
    t.add_row({result.ccp_alphas(i), static_cast<long long>(result.leaves(i)), result.cv_error(i),
               result.cv_standard_error(i), static_cast<long long>(i == result.chosen_index)});
  return t;
}

template <class Tree>
int print_tree(const arguments& args, std::ostream& out, const Tree& tree, const patron::rule_format& format,
               const std::string& note) {
  const std::string output = args.text("output", "rules");
  if (args.flag("json")) {
    out << "{\"leaves\": " << tree.leaf_count() << ", \"depth\": " << tree.depth();
    if (!note.empty()) out << ", \"note\": \"" << note << "\"";
    out << ", \"rules\": " << patron::rules_to_json(patron::extract_rules(tree), format) << "}\n";
  } else if (output == "rules") {
    if (!note.empty()) out << "# " << note << "\n";
    for (const auto& rule : patron::extract_rules(tree)) out << patron::format_rule(rule, format) << "\n";
  } else if (output == "text") {
    out << patron::export_text(tree, format);
  } else {
    throw usage_error("option --output: '" + output + "' is not one of rules, text");
  }
  return 0;
}

int run(const arguments& args, std::ostream& out) {
  const csv_table csv = read_csv_file(args.positional(0, "FILE"));
  const std::string label = args.text("label", "label");
  const std::size_t label_col = csv.column(label);
  const auto names = feature_columns(args, csv, label);
  const Eigen::MatrixXd X = read_features(csv, names);
  patron::rule_format format;
  format.feature_names = names;
  format.decimals = static_cast<int>(args.integer("decimals", 2));
  std::optional<csv_table> scoring;
  Eigen::MatrixXd X_new;
  patron::tree_predict_options scoring_options;
  scoring_options.threads = args.threads();
  if (args.has("predict")) {
    scoring = read_csv_file(args.text("predict"));
    X_new = read_features(*scoring, names);
  }
  std::string note;

  if (args.flag("regression")) {
    if (args.has("criterion")) throw usage_error("--criterion applies to classification; regression uses squared error");
    const std::vector<double> target = csv.numbers(label_col);
    const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(target.data(), static_cast<Eigen::Index>(target.size()));
    patron::tree_regressor_options o;
    read_growth(args, o);
    const auto cp = choose_alpha(args, X, y, o, note);
    const auto tree = patron::fit_tree_regressor(X, y, o);
    if (args.flag("cp-table") && cp) {
      write_result(args, out, *cp);
      return 0;
    }
    if (!scoring) return print_tree(args, out, tree, format, note);
    const Eigen::VectorXd predicted = tree.predict(X_new, scoring_options);
    const Eigen::VectorXi leaf = tree.apply(X_new, scoring_options);
    table t({row_column(args), "leaf", "prediction"});
    for (Eigen::Index r = 0; r < predicted.size(); ++r)
      t.add_row({row_key(args, *scoring, r), static_cast<long long>(leaf(r)), predicted(r)});
    write_result(args, out, t);
    return 0;
  }

  // Class labels are the distinct texts of the label column, in sorted order.
  std::map<std::string, int> classes;
  for (std::size_t i = 0; i < csv.size(); ++i) classes.emplace(csv.rows[i][label_col], 0);
  for (auto& [name, index] : classes) {
    index = static_cast<int>(format.class_names.size());
    format.class_names.push_back(name);
  }
  Eigen::VectorXi y(static_cast<Eigen::Index>(csv.size()));
  for (std::size_t i = 0; i < csv.size(); ++i) y(static_cast<Eigen::Index>(i)) = classes[csv.rows[i][label_col]];
  patron::tree_classifier_options o;
  read_growth(args, o);
  const std::string criterion = args.text("criterion", "gini");
  if (criterion == "entropy") o.criterion = patron::tree_criterion::entropy;
  else if (criterion != "gini") throw usage_error("option --criterion: '" + criterion + "' is not one of gini, entropy");
  if (args.flag("balanced")) o.class_weight_mode = patron::class_weighting::balanced;
  const auto cp = choose_alpha(args, X, y, o, note);
  const auto tree = patron::fit_tree_classifier(X, y, o);
  if (args.flag("cp-table") && cp) {
    write_result(args, out, *cp);
    return 0;
  }
  if (!scoring) return print_tree(args, out, tree, format, note);
  const Eigen::VectorXi predicted = tree.predict(X_new, scoring_options);
  const Eigen::MatrixXd proba = tree.predict_proba(X_new, scoring_options);
  const Eigen::VectorXi leaf = tree.apply(X_new, scoring_options);
  std::vector<std::string> columns{row_column(args), "leaf", "prediction"};
  for (const auto& c : format.class_names) columns.push_back("p_" + c);
  table t(columns);
  for (Eigen::Index r = 0; r < predicted.size(); ++r) {
    std::vector<table::cell> row;
    row.reserve(3 + static_cast<std::size_t>(proba.cols()));
    row.push_back(row_key(args, *scoring, r));
    row.emplace_back(static_cast<long long>(leaf(r)));
    row.emplace_back(format.class_names[static_cast<std::size_t>(predicted(r))]);
    for (Eigen::Index k = 0; k < proba.cols(); ++k) row.push_back(proba(r, k));
    t.add_row(std::move(row));
  }
  write_result(args, out, t);
  return 0;
}

std::vector<option_spec> options() {
  return {
      {"label", "COLUMN", "the column to explain (class labels, or numbers with --regression)", "label"},
      {"features", "A,B,...", "feature columns (numbers)", "every other column"},
      {"id", "COLUMN", "identifier column: not a feature, keys the --predict output", ""},
      {"regression", "", "fit a regression tree (squared error) instead of a classifier", ""},
      {"criterion", "NAME", "classification impurity: gini or entropy", "gini"},
      {"balanced", "", "weigh classes inversely to their frequency", ""},
      {"max-depth", "N", "maximum depth (root = 0)", "unlimited"},
      {"min-samples-split", "N", "smallest node that may be split", "2"},
      {"min-samples-leaf", "N", "smallest leaf", "1"},
      {"min-impurity-decrease", "X", "smallest weighted impurity decrease of a split", "0"},
      {"max-leaf-nodes", "N", "grow best-first up to N leaves", "unlimited"},
      {"ccp-alpha", "X", "cost-complexity pruning parameter", "0"},
      {"cv", "K", "choose ccp_alpha by K-fold cross-validation", ""},
      {"one-se", "", "with --cv: the simplest tree within one standard error", ""},
      {"seed", "N", "with --cv: seed of the fold assignment", "0"},
      {"cp-table", "", "with --cv: print the cross-validation table instead of rules", ""},
      {"predict", "FILE", "score FILE (same feature columns): leaf, prediction, probabilities", ""},
      {"threads", "N", "with --predict: threads scoring FILE, 0 (every core) to 1024; same result for any N", "1"},
      {"output", "KIND", "rules (IF ... THEN) or text (indented tree)", "rules"},
      {"decimals", "N", "digits after the point of thresholds", "2"},
  };
}

[[maybe_unused]] const bool registered = register_command(
    {"tree", "CART decision tree: segment rules from a labelled CSV",
     "patron tree FILE --label COLUMN [options]\n\n"
     "FILE is a CSV with a header: numeric feature columns and a label column (rows are\n"
     "customers). Prints one rule per leaf, e.g.\n"
     "  IF recency <= 30.50 AND frequency > 3.50 THEN \"Champions\" (n = 412, 91% purity)\n"
     "With --predict FILE2, writes the leaf and prediction of every row of FILE2 instead.",
     options(), run});

// Demo: which customers came back in the holdout period? A shallow tree on the
// calibration-period recency, frequency and monetary value.
void demo(const demo_data& data, std::ostream& out) {
  const auto& s = data.weekly;
  const auto n = static_cast<Eigen::Index>(s.size());
  Eigen::MatrixXd X(n, 3);
  X.col(0) = s.T - s.t_x;  // weeks since the last purchase at the cut-off
  X.col(1) = s.x;
  X.col(2) = s.mean_spend;
  const Eigen::VectorXi y = (s.holdout_transactions.array() > 0).cast<int>();
  patron::tree_classifier_options o;
  o.max_depth = 3;
  o.min_samples_leaf = 25;
  const auto tree = patron::fit_tree_classifier(X, y, o);
  const auto pruned = patron::prune_tree(tree, 0.001);
  patron::rule_format format;
  format.feature_names = {"weeks_since_last", "repeat_purchases", "mean_spend"};
  format.class_names = {"stayed away", "came back"};
  format.decimals = 1;
  const double accuracy = (pruned.predict(X).array() == y.array()).cast<double>().mean();
  char line[200];
  std::snprintf(line, sizeof line,
                "Who came back after the cut-off? A depth-3 tree on calibration recency, frequency and\n"
                "spend (%d leaves, ccp_alpha 0.001, training accuracy %.1f%%; %.1f%% came back):\n",
                pruned.leaf_count(), 100.0 * accuracy, 100.0 * y.cast<double>().mean());
  out << line;
  for (const auto& rule : patron::extract_rules(pruned)) out << "  " << patron::format_rule(rule, format) << "\n";
}

[[maybe_unused]] const bool demo_registered =
    register_demo_section({30, "Segment rules from a decision tree", demo});

}  // namespace
}  // namespace patron_cli
