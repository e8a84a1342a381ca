// patron.discriminant: LDA, QDA, Fisher's discriminant, nearest Mahalanobis mean,
// leave-one-out and confusion matrices (include/patron/discriminant.hpp). float32
// features give float32 models; every other dtype is converted to float64.
#include "bind_util_a.hpp"

#include "patron/discriminant.hpp"

namespace patron::python {
namespace {

template <class S>
using mat = detail::dmatrix<S>;
template <class S>
using vec = detail::dvector<S>;

template <class S>
std::string typed(const char* name) {
  return std::is_same_v<S, float> ? std::string(name) + "Float32" : std::string(name);
}

// A model method taking X: converted to the model's scalar type, run without the GIL.
template <class Model, class Method>
auto on_rows(Method method) {
  using S = typename Model::matrix::Scalar;
  return [method](const Model& model, const py::object& X) {
    const auto a = as_array_2d<S>(X, "X");
    const auto x = as_matrix(a);
    return without_gil([&] { return (model.*method)(x); });
  };
}

template <class S>
void bind_models(py::module_& m) {
  using L = lda_model<S>;
  py::class_<L> lda(m, typed<S>("LdaModel").c_str(), "A fitted linear discriminant analysis.");
  lda.def_readonly("classes", &L::classes, "class labels, ascending")
      .def_readonly("priors", &L::priors, "prior of each class")
      .def_readonly("means", &L::means, "classes x features")
      .def_readonly("xbar", &L::xbar, "prior-weighted overall mean")
      .def_readonly("covariance", &L::covariance, "within-class covariance (covariance_)")
      .def_readonly("scalings", &L::scalings, "discriminant directions, features x components")
      .def_readonly("explained_variance_ratio", &L::explained_variance_ratio,
                    "share of between-class variance per discriminant")
      .def_readonly("coef", &L::coef, "classes x features")
      .def_readonly("intercept", &L::intercept, "one per class")
      .def_readonly("rank", &L::rank, "rank of the within-class scatter (svd)")
      .def_readonly("solver", &L::solver, "Solver used")
      .def("features", &L::features, "number of features")
      .def("decision_function", on_rows<L>(&L::decision_function), py::arg("X"),
           "delta_k(x) for every row and class (samples x classes).")
      .def("predict_log_proba", on_rows<L>(&L::predict_log_proba), py::arg("X"),
           "log posterior of every class.")
      .def("predict_proba", on_rows<L>(&L::predict_proba), py::arg("X"),
           "posterior of every class (one column per entry of classes).")
      .def("predict", on_rows<L>(&L::predict), py::arg("X"), "most probable class of each row.")
      .def("transform", on_rows<L>(&L::transform), py::arg("X"),
           "discriminant coordinates (not for solver lsqr).");
  def_pickle(lda, &L::classes, &L::priors, &L::means, &L::xbar, &L::covariance, &L::scalings,
             &L::explained_variance_ratio, &L::coef, &L::intercept, &L::rank, &L::solver);

  using Q = qda_model<S>;
  py::class_<Q>(m, typed<S>("QdaModel").c_str(), "A fitted quadratic discriminant analysis.")
      .def_readonly("classes", &Q::classes, "class labels, ascending")
      .def_readonly("priors", &Q::priors, "prior of each class")
      .def_readonly("means", &Q::means, "classes x features")
      .def_readonly("covariances", &Q::covariances, "regularised covariance of each class")
      .def_readonly("rotations", &Q::rotations, "eigenvectors of each covariance (rotations_)")
      .def_readonly("variances", &Q::variances, "eigenvalues of each covariance (scalings_)")
      .def_readonly("log_det", &Q::log_det, "log |Sigma_k|")
      .def("features", &Q::features, "number of features")
      .def("decision_function", on_rows<Q>(&Q::decision_function), py::arg("X"),
           "log pi_k - log|Sigma_k| / 2 - Mahalanobis^2 / 2 (samples x classes).")
      .def("predict_log_proba", on_rows<Q>(&Q::predict_log_proba), py::arg("X"),
           "log posterior of every class.")
      .def("predict_proba", on_rows<Q>(&Q::predict_proba), py::arg("X"), "posterior of every class.")
      .def("predict", on_rows<Q>(&Q::predict), py::arg("X"), "most probable class of each row.")
      .def(py::pickle(
          [](const Q& s) {
            return py::make_tuple(s.classes, s.priors, s.means, s.covariances, s.rotations,
                                  s.variances, s.log_det);
          },
          [](const py::tuple& t) {
            state_tuple(t, 7, "QdaModel");
            Q s;
            s.classes = t[0].cast<Eigen::VectorXi>();
            s.priors = t[1].cast<vec<S>>();
            s.means = t[2].cast<mat<S>>();
            s.covariances = t[3].cast<std::vector<mat<S>>>();
            s.rotations = t[4].cast<std::vector<mat<S>>>();
            s.variances = t[5].cast<std::vector<vec<S>>>();
            s.log_det = t[6].cast<vec<S>>();
            const auto k = static_cast<std::size_t>(s.classes.size());
            if (s.covariances.size() != k || s.rotations.size() != k || s.variances.size() != k)
              throw py::value_error("invalid pickle state for QdaModel: one matrix per class");
            return s;
          }));

  using F = fisher_model<S>;
  py::class_<F> fisher(m, typed<S>("FisherModel").c_str(), "Fisher's two-class discriminant.");
  fisher.def_readonly("classes", &F::classes, "the two labels, ascending")
      .def_readonly("priors", &F::priors, "prior of each class")
      .def_readonly("means", &F::means, "2 x features")
      .def_readonly("covariance", &F::covariance, "pooled within-class covariance")
      .def_readonly("direction", &F::direction, "w")
      .def_readonly("threshold", &F::threshold, "x goes to classes[1] when w'x > threshold")
      .def("project", on_rows<F>(&F::project), py::arg("X"), "w'x of each row.")
      .def("predict", on_rows<F>(&F::predict), py::arg("X"), "class of each row.");
  def_pickle(fisher, &F::classes, &F::priors, &F::means, &F::covariance, &F::direction, &F::threshold);

  using D = mahalanobis_model<S>;
  py::class_<D> mahalanobis(m, typed<S>("MahalanobisModel").c_str(),
                            "Nearest class mean in the pooled within-class Mahalanobis metric.");
  mahalanobis.def_readonly("classes", &D::classes, "class labels, ascending")
      .def_readonly("means", &D::means, "classes x features")
      .def_readonly("covariance", &D::covariance, "pooled within-class covariance")
      .def_readonly("inverse_factor", &D::inverse_factor, "L^-1 with covariance = L L'")
      .def("squared_distances", on_rows<D>(&D::squared_distances), py::arg("X"),
           "squared Mahalanobis distance of each row to each class mean.")
      .def("predict", on_rows<D>(&D::predict), py::arg("X"), "nearest class of each row.");
  def_pickle(mahalanobis, &D::classes, &D::means, &D::covariance, &D::inverse_factor);

  using C = cross_validation<S>;
  py::class_<C> cv(m, typed<S>("CrossValidation").c_str(), "Leave-one-out classification.");
  cv.def_readonly("predicted", &C::predicted, "one label per row")
      .def_readonly("posterior", &C::posterior, "rows x classes")
      .def_readonly("classes", &C::classes, "class labels, ascending")
      .def_readonly("error_rate", &C::error_rate, "share of rows misclassified");
  def_pickle(cv, &C::predicted, &C::posterior, &C::classes, &C::error_rate);
}

const lda_options lda_defaults{};
const qda_options qda_defaults{};

lda_options make_lda(lda_solver solver, lda_shrinkage shrinkage, double shrinkage_value,
                     std::vector<double> priors, double tol) {
  return {solver, shrinkage, shrinkage_value, std::move(priors), tol};
}

// Binds a fit function of (X, y, options...) for float and double X.
template <class Fit>
py::object fit_on(const py::object& X, const py::object& y, Fit fit) {
  const Eigen::VectorXi labels = as_labels(y, "y");
  return with_matrix(X, "X", [&](const auto& x) {
    return py::cast(without_gil([&] { return fit(x, labels); }));
  });
}

}  // namespace

void bind_discriminant(py::module_& parent) {
  auto m = parent.def_submodule("discriminant", "Linear and quadratic discriminant analysis.");

  py::enum_<lda_solver>(m, "Solver", "How LDA finds its directions (scikit-learn's solver).")
      .value("svd", lda_solver::svd, "SVD of the scaled data; no shrinkage (default)")
      .value("eigen", lda_solver::eigen, "generalised eigenproblem; supports shrinkage")
      .value("lsqr", lda_solver::lsqr, "least squares; supports shrinkage; no transform")
      .export_values();
  py::enum_<lda_shrinkage>(m, "Shrinkage", "Regularisation of the class covariances.")
      .value("none", lda_shrinkage::none, "empirical covariance (default)")
      .value("ledoit_wolf", lda_shrinkage::ledoit_wolf, "Ledoit-Wolf (scikit-learn's 'auto')")
      .value("fixed", lda_shrinkage::fixed, "(1 - s) Sigma + s tr(Sigma)/p I, s = shrinkage_value");
  // Not exported into the submodule: Shrinkage.ledoit_wolf would replace the function
  // ledoit_wolf. Write Shrinkage.ledoit_wolf.

  bind_models<double>(m);
  bind_models<float>(m);

  py::class_<confusion> conf(m, "Confusion",
                             "Confusion matrix: counts[i, j] true classes[i], predicted classes[j].");
  conf.def_readonly("classes", &confusion::classes, "sorted union of the labels")
      .def_readonly("counts", &confusion::counts, "classes x classes counts")
      .def("accuracy", &confusion::accuracy, "share on the diagonal");
  def_pickle(conf, &confusion::classes, &confusion::counts);
  py::class_<ledoit_wolf_result> lw(m, "LedoitWolfResult", "Ledoit-Wolf shrunk covariance.");
  lw.def_readonly("covariance", &ledoit_wolf_result::covariance, "shrunk covariance")
      .def_readonly("shrinkage", &ledoit_wolf_result::shrinkage, "estimated shrinkage delta");
  def_pickle(lw, &ledoit_wolf_result::covariance, &ledoit_wolf_result::shrinkage);

  m.def(
      "fit_lda",
      [](const py::object& X, const py::object& y, lda_solver solver, lda_shrinkage shrinkage,
         double shrinkage_value, std::vector<double> priors, double tol) {
        const lda_options o = make_lda(solver, shrinkage, shrinkage_value, std::move(priors), tol);
        return fit_on(X, y, [&](const auto& x, const Eigen::VectorXi& labels) { return fit_lda(x, labels, o); });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("solver") = lda_defaults.solver,
      py::arg("shrinkage") = lda_defaults.shrinkage,
      py::arg("shrinkage_value") = lda_defaults.shrinkage_value,
      py::arg("priors") = lda_defaults.priors, py::arg("tol") = lda_defaults.tol,
      "Fit LDA (float32 X -> LdaModelFloat32), as LinearDiscriminantAnalysis.");
  m.def(
      "fit_qda",
      [](const py::object& X, const py::object& y, std::vector<double> priors, double reg_param) {
        const qda_options o{std::move(priors), reg_param};
        return fit_on(X, y, [&](const auto& x, const Eigen::VectorXi& labels) { return fit_qda(x, labels, o); });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("priors") = qda_defaults.priors,
      py::arg("reg_param") = qda_defaults.reg_param,
      "Fit QDA (float32 X -> QdaModelFloat32), as QuadraticDiscriminantAnalysis.");
  m.def(
      "fit_fisher",
      [](const py::object& X, const py::object& y, const std::vector<double>& priors) {
        return fit_on(X, y, [&](const auto& x, const Eigen::VectorXi& labels) { return fit_fisher(x, labels, priors); });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("priors") = std::vector<double>{},
      "Fisher's two-class discriminant (two labels only).");
  m.def(
      "fit_mahalanobis",
      [](const py::object& X, const py::object& y) {
        return fit_on(X, y, [&](const auto& x, const Eigen::VectorXi& labels) { return fit_mahalanobis(x, labels); });
      },
      py::arg("X"), py::arg("y"), "Nearest class mean in the pooled Mahalanobis metric.");
  m.def(
      "lda_leave_one_out",
      [](const py::object& X, const py::object& y, lda_solver solver, lda_shrinkage shrinkage,
         double shrinkage_value, std::vector<double> priors, double tol) {
        const lda_options o = make_lda(solver, shrinkage, shrinkage_value, std::move(priors), tol);
        return fit_on(X, y, [&](const auto& x, const Eigen::VectorXi& labels) { return lda_leave_one_out(x, labels, o); });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("solver") = lda_defaults.solver,
      py::arg("shrinkage") = lda_defaults.shrinkage,
      py::arg("shrinkage_value") = lda_defaults.shrinkage_value,
      py::arg("priors") = lda_defaults.priors, py::arg("tol") = lda_defaults.tol,
      "Exact leave-one-out LDA posteriors (MASS::lda(CV = TRUE)).");
  m.def(
      "qda_leave_one_out",
      [](const py::object& X, const py::object& y, std::vector<double> priors, double reg_param) {
        const qda_options o{std::move(priors), reg_param};
        return fit_on(X, y, [&](const auto& x, const Eigen::VectorXi& labels) { return qda_leave_one_out(x, labels, o); });
      },
      py::arg("X"), py::arg("y"), py::kw_only(), py::arg("priors") = qda_defaults.priors,
      py::arg("reg_param") = qda_defaults.reg_param,
      "Leave-one-out QDA posteriors (MASS::qda(CV = TRUE) when reg_param = 0).");
  m.def(
      "confusion_matrix",
      [](const py::object& y_true, const py::object& y_pred) {
        return confusion_matrix(as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred"));
      },
      py::arg("y_true"), py::arg("y_pred"), "sklearn.metrics.confusion_matrix with its classes.");
  m.def(
      "accuracy",
      [](const py::object& y_true, const py::object& y_pred) {
        return accuracy(as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred"));
      },
      py::arg("y_true"), py::arg("y_pred"), "Share of rows where y_pred equals y_true.");
  m.def(
      "ledoit_wolf",
      [](const py::object& X) {
        const auto a = as_array_2d<double>(X, "X");
        const Eigen::MatrixXd x = as_matrix(a);
        return without_gil([&] { return ledoit_wolf(x); });
      },
      py::arg("X"), "Ledoit-Wolf shrunk covariance of the rows of X (float64).");
}

}  // namespace patron::python
