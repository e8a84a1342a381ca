// Quadratic discriminant analysis: per-class covariances (optionally regularised) and
// exact leave-one-out. Included by patron/discriminant.hpp after the public types.
#pragma once

#include <Eigen/Cholesky>
#include <cmath>
#include <limits>
#include <string>

#include "patron/discriminant/common.hpp"
#include "patron/discriminant/lda.hpp"

namespace patron::detail {

inline void validate_qda_options(const char* function, const qda_options& options) {
  require_in_range(function, "options.reg_param", options.reg_param, 0.0, 1.0);
}

inline void require_rows_per_class(const char* function, const class_labels& labels,
                                   Eigen::Index minimum, const char* why) {
  for (Eigen::Index c = 0; c < labels.size(); ++c)
    if (labels.counts[static_cast<std::size_t>(c)] < minimum)
      throw_invalid_value(function, "class", labels.classes(c),
                          "has " + std::to_string(labels.counts[static_cast<std::size_t>(c)]) +
                              " row(s); " + why);
}

// Each class covariance comes from the SVD of its centred rows, as in scikit-learn:
// Sigma_k = R diag(s^2 / (n_k - 1)) R', then (1 - r) Sigma_k + r I on the eigenvalues.
// A class whose singular values fall below max(n_k, p) eps of the largest (numpy's
// matrix_rank rule) is rank deficient: its density is degenerate and its posterior
// would be NaN, so without regularisation it is an error naming the class.
template <class S>
qda_model<S> fit_qda(const Eigen::Ref<const dmatrix<S>>& X,
                     const Eigen::Ref<const Eigen::VectorXi>& y, const qda_options& options) {
  constexpr const char* function = "fit_qda";
  validate_qda_options(function, options);
  const class_labels labels = validate_training_data<S>(function, X, y);
  require_rows_per_class(function, labels, 2,
                         "QDA needs at least 2 rows per class to estimate its covariance");
  const Eigen::VectorXd priors = resolve_priors(function, options.priors, labels, X.rows());
  const Eigen::Index p = X.cols();
  const auto r = static_cast<S>(options.reg_param);
  qda_model<S> m;
  m.classes = labels.classes;
  m.priors = priors.cast<S>();
  m.means = class_means<S>(X, labels);
  m.log_det.resize(labels.size());
  for (int c = 0; c < labels.size(); ++c) {
    const Eigen::Index rows = labels.counts[static_cast<std::size_t>(c)];
    const right_singular_system<S> svd = right_singular<S>(
        dmatrix<S>(rows_of_class<S>(X, labels, c).rowwise() - m.means.row(c)));
    const S limit = svd.values(0) * static_cast<S>(std::max(rows, p)) *
                    std::numeric_limits<S>::epsilon();
    const dvector<S> variances =
        (S(1) - r) * (svd.values.array().square() / static_cast<S>(rows - 1)).matrix() +
        dvector<S>::Constant(p, r);
    if (options.reg_param == 0.0 && !(svd.values(p - 1) > limit)) {
      const Eigen::Index rank = (svd.values.array() > limit).count();
      throw_invalid_value(function, "class", labels.classes(c),
                          "covariance has rank " + std::to_string(rank) + " < " +
                              std::to_string(p) +
                              " features; set options.reg_param > 0 or drop collinear features");
    }
    m.rotations.push_back(svd.vectors);
    m.variances.push_back(variances);
    m.covariances.push_back(svd.vectors * variances.asDiagonal() * svd.vectors.transpose());
    m.log_det(c) = variances.array().log().sum();
  }
  return m;
}

// MASS::qda's CV branch generalised to reg_param: leaving row i out of class g moves the
// mean to mu_g - d / (n_g - 1) (d = x_i - mu_g) and downdates the covariance to
//   ((n_g - 1) Sigma_g - n_g / (n_g - 1) d d') / (n_g - 2),
// which is regularised and factorised again; every other class keeps its fit.
template <class S>
cross_validation<S> qda_leave_one_out(const Eigen::Ref<const dmatrix<S>>& X,
                                      const Eigen::Ref<const Eigen::VectorXi>& y,
                                      const qda_options& options) {
  constexpr const char* function = "qda_leave_one_out";
  validate_qda_options(function, options);
  const class_labels labels = validate_training_data<S>(function, X, y);
  require_rows_per_class(function, labels, 3,
                         "leave-one-out QDA needs at least 3 rows per class");
  const Eigen::MatrixXd x = X.template cast<double>();
  const qda_model<double> model = fit_qda<double>(x, y, options);
  const Eigen::Index n = x.rows();
  const Eigen::Index p = x.cols();
  const double r = options.reg_param;
  std::vector<Eigen::MatrixXd> raw;  // unregularised class covariances
  for (int c = 0; c < labels.size(); ++c) {
    const Eigen::MatrixXd centred = rows_of_class<double>(x, labels, c).rowwise() - model.means.row(c);
    raw.push_back(centred.transpose() * centred /
                  static_cast<double>(labels.counts[static_cast<std::size_t>(c)] - 1));
  }
  Eigen::MatrixXd log_post = model.decision_function(x);
  for (Eigen::Index i = 0; i < n; ++i) {
    const int g = labels.index[static_cast<std::size_t>(i)];
    const double ng = static_cast<double>(labels.counts[static_cast<std::size_t>(g)]);
    const Eigen::VectorXd d = (x.row(i) - model.means.row(g)).transpose();
    Eigen::MatrixXd covariance =
        (1.0 - r) * ((ng - 1.0) * raw[static_cast<std::size_t>(g)] - ng / (ng - 1.0) * d * d.transpose()) /
        (ng - 2.0);
    covariance.diagonal().array() += r;
    const Eigen::LLT<Eigen::MatrixXd> llt(covariance);
    const Eigen::VectorXd pivots = llt.matrixLLT().diagonal();
    if (llt.info() != Eigen::Success ||
        !(pivots.minCoeff() > std::sqrt(static_cast<double>(p) * std::numeric_limits<double>::epsilon()) *
                                   std::sqrt(covariance.diagonal().maxCoeff())))
      throw_invalid_value(function, "class", labels.classes(g),
                          "covariance is singular without row " + std::to_string(i) +
                              "; set options.reg_param > 0");
    const Eigen::VectorXd white = llt.matrixL().solve(d * (ng / (ng - 1.0)));
    log_post(i, g) = -0.5 * (white.squaredNorm() + 2.0 * pivots.array().log().sum()) +
                     std::log(model.priors(g));
  }
  cross_validation<S> out;
  out.classes = labels.classes;
  out.posterior = log_softmax_rows<double>(log_post).array().exp().matrix().cast<S>();
  out.predicted = argmax_labels<double>(log_post, labels.classes);
  out.error_rate = static_cast<double>((out.predicted.array() != y.array()).count()) /
                   static_cast<double>(n);
  return out;
}

}  // namespace patron::detail
