// patron lda / patron qda: discriminant analysis of a labelled CSV (patron/discriminant.hpp),
// and the demo section "Who comes back".
#include <patron/discriminant.hpp>
#include <patron/transactions.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "cli.hpp"
#include "csv.hpp"
#include "demo_data.hpp"

namespace patron_cli {
namespace {

// Features as named columns of a CSV; rows are customers.
Eigen::MatrixXd feature_matrix(const csv_table& csv, const std::vector<std::string>& features) {
  Eigen::MatrixXd X(static_cast<Eigen::Index>(csv.size()),
                    static_cast<Eigen::Index>(features.size()));
  for (std::size_t j = 0; j < features.size(); ++j) {
    const std::size_t col = csv.column(features[j]);
    for (std::size_t i = 0; i < csv.size(); ++i)
      X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = csv.number(i, col);
  }
  return X;
}

struct training_data {
  Eigen::MatrixXd X;
  Eigen::VectorXi y;                     // index into class_names
  std::vector<std::string> features;
  std::vector<std::string> class_names;  // sorted, as the library orders the classes
};

training_data read_training(const arguments& args) {
  const csv_table csv = read_csv_file(args.positional(0, "FILE"));
  if (csv.size() == 0) throw usage_error(csv.source + ": no data rows");
  const std::string label = args.text("label", "label");
  const std::size_t label_col = csv.column(label);
  training_data d;
  if (args.has("features")) {
    d.features = split_list(args.text("features"));
  } else {
    for (const auto& name : csv.header)
      if (name != label) d.features.push_back(name);
  }
  if (d.features.empty()) throw usage_error("no feature columns besides the label '" + label + "'");
  d.X = feature_matrix(csv, d.features);
  const std::vector<std::string> labels = csv.texts(label_col);
  d.class_names = labels;
  std::sort(d.class_names.begin(), d.class_names.end());
  d.class_names.erase(std::unique(d.class_names.begin(), d.class_names.end()), d.class_names.end());
  d.y.resize(static_cast<Eigen::Index>(labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i)
    d.y(static_cast<Eigen::Index>(i)) = static_cast<int>(
        std::lower_bound(d.class_names.begin(), d.class_names.end(), labels[i]) -
        d.class_names.begin());
  return d;
}

std::vector<double> parse_priors(const arguments& args) {
  std::vector<double> priors;
  if (!args.has("priors")) return priors;
  for (const auto& text : split_list(args.text("priors"))) {
    std::size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || text.empty())
      throw usage_error("--priors: '" + text + "' is not a number");
    priors.push_back(value);
  }
  return priors;
}

// Predictions of a second file: one row per customer with the class and its posterior.
template <class Model>
int write_predictions(const arguments& args, std::ostream& out, const Model& model,
                      const training_data& d) {
  const csv_table csv = read_csv_file(args.text("predict"));
  const Eigen::MatrixXd X = feature_matrix(csv, d.features);
  const Eigen::MatrixXd proba = model.predict_proba(X);
  std::vector<std::string> columns = {"row", "predicted"};
  for (const auto& name : d.class_names) columns.push_back("p_" + name);
  table t(columns);
  for (Eigen::Index i = 0; i < proba.rows(); ++i) {
    Eigen::Index best = 0;
    proba.row(i).maxCoeff(&best);
    std::vector<table::cell> row = {static_cast<long long>(i + 1),
                                    d.class_names[static_cast<std::size_t>(best)]};
    for (Eigen::Index c = 0; c < proba.cols(); ++c) row.emplace_back(proba(i, c));
    t.add_row(row);
  }
  write_result(args, out, t);
  return 0;
}

// The fit as a long table: quantity, label (class or discriminant), feature, value.
struct fit_report {
  table t{{"quantity", "label", "feature", "value"}};
  void add(const std::string& quantity, const std::string& label, const std::string& feature,
           double value) {
    t.add_row({quantity, label, feature, value});
  }
};

template <class Model>
void report_classes(fit_report& r, const Model& m, const training_data& d) {
  for (Eigen::Index c = 0; c < m.classes.size(); ++c) {
    const std::string& name = d.class_names[static_cast<std::size_t>(c)];
    r.add("prior", name, "", m.priors(c));
    for (std::size_t j = 0; j < d.features.size(); ++j)
      r.add("mean", name, d.features[j], m.means(c, static_cast<Eigen::Index>(j)));
  }
}

void report_errors(fit_report& r, json& extra, double training_error,
                   const std::optional<double>& cv_error) {
  r.add("training_error", "", "", training_error);
  extra.set("training_error", training_error);
  if (cv_error) {
    r.add("cv_error", "leave-one-out", "", *cv_error);
    extra.set("cv_error", *cv_error);
  }
}

int run_lda(const arguments& args, std::ostream& out) {
  const training_data d = read_training(args);
  patron::lda_options options;
  const std::string solver = args.text("solver", "svd");
  if (solver == "svd") options.solver = patron::lda_solver::svd;
  else if (solver == "eigen") options.solver = patron::lda_solver::eigen;
  else if (solver == "lsqr") options.solver = patron::lda_solver::lsqr;
  else throw usage_error("--solver: '" + solver + "' is not one of svd, eigen, lsqr");
  const std::string shrinkage = args.text("shrinkage", "none");
  if (shrinkage == "auto") {
    options.shrinkage = patron::lda_shrinkage::ledoit_wolf;
  } else if (shrinkage != "none") {
    options.shrinkage = patron::lda_shrinkage::fixed;
    options.shrinkage_value = args.number("shrinkage", 0.0);
  }
  options.tol = args.number("tol", options.tol);
  options.priors = parse_priors(args);
  const auto m = patron::fit_lda(d.X, d.y, options);
  if (args.has("predict")) return write_predictions(args, out, m, d);

  fit_report r;
  json extra = json::object();
  report_classes(r, m, d);
  for (Eigen::Index c = 0; c < m.classes.size(); ++c) {
    const std::string& name = d.class_names[static_cast<std::size_t>(c)];
    for (std::size_t j = 0; j < d.features.size(); ++j)
      r.add("coefficient", name, d.features[j], m.coef(c, static_cast<Eigen::Index>(j)));
    r.add("intercept", name, "", m.intercept(c));
  }
  json trace = json::array();
  for (Eigen::Index k = 0; k < m.explained_variance_ratio.size(); ++k) {
    const std::string ld = "LD" + std::to_string(k + 1);
    for (std::size_t j = 0; j < d.features.size(); ++j)
      r.add("scaling", ld, d.features[j], m.scalings(static_cast<Eigen::Index>(j), k));
    r.add("proportion_of_trace", ld, "", m.explained_variance_ratio(k));
    trace.push(m.explained_variance_ratio(k));
  }
  extra.set("proportion_of_trace", trace);
  std::optional<double> cv;
  if (options.shrinkage == patron::lda_shrinkage::none && !args.flag("no-cv"))
    cv = patron::lda_leave_one_out(d.X, d.y, options).error_rate;
  report_errors(r, extra, 1.0 - patron::accuracy(d.y, m.predict(d.X)), cv);
  write_result(args, out, r.t, extra);
  return 0;
}

int run_qda(const arguments& args, std::ostream& out) {
  const training_data d = read_training(args);
  patron::qda_options options;
  options.reg_param = args.number("reg-param", 0.0);
  options.priors = parse_priors(args);
  const auto m = patron::fit_qda(d.X, d.y, options);
  if (args.has("predict")) return write_predictions(args, out, m, d);
  fit_report r;
  json extra = json::object();
  report_classes(r, m, d);
  for (Eigen::Index c = 0; c < m.classes.size(); ++c)
    r.add("log_det_covariance", d.class_names[static_cast<std::size_t>(c)], "", m.log_det(c));
  std::optional<double> cv;
  if (!args.flag("no-cv")) cv = patron::qda_leave_one_out(d.X, d.y, options).error_rate;
  report_errors(r, extra, 1.0 - patron::accuracy(d.y, m.predict(d.X)), cv);
  write_result(args, out, r.t, extra);
  return 0;
}

std::vector<option_spec> common_options() {
  return {{"label", "NAME", "column holding the class of each row", "label"},
          {"features", "A,B,...", "feature columns", "every column but the label"},
          {"priors", "P1,P2,...", "class priors in sorted class-name order, summing to 1",
           "class frequencies"},
          {"predict", "FILE", "print classes and posterior probabilities of FILE's rows", ""},
          {"no-cv", "", "skip the leave-one-out cross-validated error", ""}};
}

std::vector<option_spec> lda_options_spec() {
  auto o = common_options();
  o.push_back({"solver", "svd|eigen|lsqr", "how the discriminants are computed", "svd"});
  o.push_back({"shrinkage", "none|auto|S", "covariance shrinkage (eigen, lsqr): Ledoit-Wolf or S in [0,1]", "none"});
  o.push_back({"tol", "T", "rank tolerance of the svd solver", "1e-4"});
  return o;
}

std::vector<option_spec> qda_options_spec() {
  auto o = common_options();
  o.push_back({"reg-param", "R", "shrink each class covariance towards I: (1-R) S + R I", "0"});
  return o;
}

const char* usage_tail =
    "\n\nFILE is a CSV with a header: one row per customer, numeric feature columns and a "
    "label column.\nWithout --predict the fit is printed as rows quantity,label,feature,value.";

[[maybe_unused]] const bool lda_registered = register_command(
    {"lda", "linear discriminant analysis: coefficients, proportion of trace, CV error",
     std::string("patron lda FILE [options]") + usage_tail, lda_options_spec(), run_lda});
[[maybe_unused]] const bool qda_registered = register_command(
    {"qda", "quadratic discriminant analysis: class covariances, CV error",
     std::string("patron qda FILE [options]") + usage_tail, qda_options_spec(), run_qda});

// Demo: on the calibration period (to 1997-09-30) of the CDNOW sample, which customers
// buy again in the 39-week holdout?
void who_comes_back(const demo_data& data, std::ostream& out) {
  const auto& s = data.weekly;
  const Eigen::Index n = static_cast<Eigen::Index>(s.size());
  Eigen::MatrixXd X(n, 4);
  X.col(0) = s.x;
  X.col(1) = s.t_x;
  X.col(2) = s.T;
  X.col(3) = s.mean_spend.array().log1p().matrix();
  const char* names[] = {"x (repeat purchases)", "t_x (weeks)", "T (weeks)", "log(1 + mean spend)"};
  const Eigen::VectorXi y = (s.holdout_transactions.array() > 0).cast<int>();
  const auto lda = patron::fit_lda(X, y);
  char line[256];
  std::snprintf(line, sizeof line,
                "%ld customers; %ld (%.1f%%) bought again in the holdout. LDA on x, t_x, T and "
                "log spend:\n",
                static_cast<long>(n), static_cast<long>(y.sum()),
                100.0 * static_cast<double>(y.sum()) / static_cast<double>(n));
  out << line;
  for (int j = 0; j < 4; ++j) {
    std::snprintf(line, sizeof line, "  %-22s coefficient %9.4f   scaling %9.4f\n", names[j],
                  lda.coef(1, j) - lda.coef(0, j), lda.scalings(j, 0));
    out << line;
  }
  std::snprintf(line, sizeof line,
                "  intercept %.4f; proportion of trace LD1 = %.4f (two classes: one discriminant)\n",
                lda.intercept(1) - lda.intercept(0), lda.explained_variance_ratio(0));
  out << line;
  const patron::confusion c = patron::confusion_matrix(y, lda.predict(X));
  const double lda_cv = patron::lda_leave_one_out(X, y).error_rate;
  const double qda_cv = patron::qda_leave_one_out(X, y).error_rate;
  std::snprintf(line, sizeof line,
                "  training confusion (rows truth no/yes): [%d %d; %d %d], accuracy %.1f%%\n",
                c.counts(0, 0), c.counts(0, 1), c.counts(1, 0), c.counts(1, 1),
                100.0 * c.accuracy());
  out << line;
  std::snprintf(line, sizeof line,
                "  leave-one-out error: LDA %.1f%%, QDA %.1f%% (always guessing \"no\": %.1f%%)\n",
                100.0 * lda_cv, 100.0 * qda_cv,
                100.0 * static_cast<double>(y.sum()) / static_cast<double>(n));
  out << line;
}

[[maybe_unused]] const bool demo_registered =
    register_demo_section({40, "Who comes back: discriminant analysis", who_comes_back});

}  // namespace
}  // namespace patron_cli
