// Linear discriminant analysis: fit (svd, eigen, lsqr solvers), covariance shrinkage,
// Fisher's two-class rule, the Mahalanobis classifier and exact leave-one-out.
// Included by patron/discriminant.hpp after the public types.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "patron/discriminant/common.hpp"

namespace patron::detail {

// Singular values (descending, padded with zeros to p) and all p right singular vectors
// of a tall n x p matrix. A Householder QR first (2 n p^2 flops, backward stable) leaves
// only the small p x p triangle R for the one-sided Jacobi SVD, which has the same
// singular values and right vectors as A: this is how the fit stays cheap on long data
// without squaring the condition number as the Gram matrix A'A would.
template <class S>
struct right_singular_system {
  dvector<S> values;
  dmatrix<S> vectors;
};

template <class S>
right_singular_system<S> right_singular(dmatrix<S> a) {
  const Eigen::Index p = a.cols();
  dmatrix<S> r;
  if (a.rows() > p) {
    Eigen::HouseholderQR<Eigen::Ref<dmatrix<S>>> qr(a);
    r = qr.matrixQR().topRows(p).template triangularView<Eigen::Upper>();
  } else {
    r = std::move(a);
  }
  Eigen::JacobiSVD<dmatrix<S>> svd(r, Eigen::ComputeFullV);
  right_singular_system<S> out;
  out.values = dvector<S>::Zero(p);
  out.values.head(svd.singularValues().size()) = svd.singularValues();
  out.vectors = svd.matrixV();
  return out;
}

// sklearn.covariance.ledoit_wolf_shrinkage of column-centred data Z (n x p): the
// estimate of delta* in Ledoit & Wolf (2004), Lemma 3.2/3.3 and Theorem 3.1, in the
// scale-free form beta / delta clipped to [0, 1]. Sums run in double.
inline double ledoit_wolf_shrinkage(const Eigen::MatrixXd& unscaled) {
  const auto n = static_cast<double>(unscaled.rows());
  const auto p = static_cast<double>(unscaled.cols());
  if (unscaled.cols() == 1) return 0.0;  // one feature: nothing to shrink towards
  // The estimate is scale-free but sums fourth powers, which overflow past |z| ~ 1e77 (or
  // underflow below ~1e-77): such data is first scaled by a power of two, which changes
  // no bit of the ratio; ordinary data is used as it is.
  const double largest = unscaled.cwiseAbs().maxCoeff();
  const bool rescale = largest > 0.0 && (largest > 0x1p200 || largest < 0x1p-200);
  const Eigen::MatrixXd z =
      rescale ? Eigen::MatrixXd(unscaled * std::ldexp(1.0, -std::ilogb(largest))) : unscaled;
  const Eigen::ArrayXXd z2 = z.array().square();
  const Eigen::VectorXd variance = z2.colwise().sum().transpose() / n;
  const double mu = variance.sum() / p;
  const Eigen::MatrixXd gram = z.transpose() * z;
  const double delta_sum = gram.squaredNorm() / (n * n);
  // sum_ij (Z2' Z2)_ij = sum_rows (sum_j z_rj^2)^2
  const double beta_sum = z2.rowwise().sum().square().sum();
  double beta = (beta_sum / n - delta_sum) / (p * n);
  const double delta = (delta_sum - 2.0 * mu * variance.sum() + p * mu * mu) / p;
  beta = std::min(beta, delta);
  return beta == 0.0 ? 0.0 : beta / delta;
}

inline Eigen::MatrixXd shrink_towards_scaled_identity(const Eigen::MatrixXd& covariance,
                                                      double shrinkage) {
  const double mu = covariance.trace() / static_cast<double>(covariance.rows());
  Eigen::MatrixXd out = (1.0 - shrinkage) * covariance;
  out.diagonal().array() += shrinkage * mu;
  return out;
}

inline Eigen::MatrixXd column_centered(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  return x.rowwise() - x.colwise().mean();
}

inline ledoit_wolf_result ledoit_wolf(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  constexpr const char* function = "ledoit_wolf";
  require_non_empty(function, "X", static_cast<std::size_t>(x.rows()));
  require_non_empty(function, "X columns", static_cast<std::size_t>(x.cols()));
  require_finite(function, "X", x);
  const Eigen::MatrixXd z = column_centered(x);
  ledoit_wolf_result out;
  out.shrinkage = ledoit_wolf_shrinkage(z);
  const Eigen::MatrixXd empirical = z.transpose() * z / static_cast<double>(x.rows());
  out.covariance = shrink_towards_scaled_identity(empirical, out.shrinkage);
  if (!out.covariance.allFinite()) {
    Eigen::Index row = 0, col = 0;
    x.cwiseAbs().maxCoeff(&row, &col);
    throw_invalid(function, "X(" + std::to_string(row) + ", " + std::to_string(col) + ") (" +
                                format_value(x(row, col)) +
                                ") is so large that the covariance overflows double");
  }
  return out;
}

// scikit-learn's discriminant_analysis._cov: the maximum-likelihood covariance of the
// rows of x, shrunk as asked. Ledoit-Wolf works on standardised features (so the
// shrinkage target is the correlation identity) and scales back.
inline Eigen::MatrixXd shrunk_covariance(const Eigen::MatrixXd& x, lda_shrinkage shrinkage,
                                         double value) {
  Eigen::MatrixXd z = column_centered(x);
  const auto n = static_cast<double>(x.rows());
  if (shrinkage == lda_shrinkage::ledoit_wolf) {
    Eigen::VectorXd scale = (z.array().square().colwise().sum() / n).sqrt().transpose();
    for (Eigen::Index j = 0; j < scale.size(); ++j)
      if (scale(j) == 0.0) scale(j) = 1.0;  // constant feature: StandardScaler keeps it
    z = z * scale.cwiseInverse().asDiagonal();
    const Eigen::MatrixXd correlation = z.transpose() * z / n;
    return scale.asDiagonal() *
           shrink_towards_scaled_identity(correlation, ledoit_wolf_shrinkage(z)) *
           scale.asDiagonal();
  }
  const Eigen::MatrixXd empirical = z.transpose() * z / n;
  return shrinkage == lda_shrinkage::fixed ? shrink_towards_scaled_identity(empirical, value)
                                           : empirical;
}

// sum_k pi_k Sigma_k with each class covariance shrunk as asked (sklearn's _class_cov).
template <class S>
Eigen::MatrixXd within_class_covariance(const Eigen::Ref<const dmatrix<S>>& X,
                                        const class_labels& labels,
                                        const Eigen::VectorXd& priors,
                                        lda_shrinkage shrinkage, double value) {
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(X.cols(), X.cols());
  for (int c = 0; c < labels.size(); ++c)
    out += priors(c) *
           shrunk_covariance(rows_of_class<S>(X, labels, c).template cast<double>(), shrinkage,
                             value);
  return out;
}

inline void validate_lda_options(const char* function, const lda_options& options) {
  require(options.solver == lda_solver::svd || options.solver == lda_solver::eigen ||
              options.solver == lda_solver::lsqr,
          function, "options.solver", static_cast<int>(options.solver), "is not a solver");
  require(options.shrinkage == lda_shrinkage::none ||
              options.shrinkage == lda_shrinkage::ledoit_wolf ||
              options.shrinkage == lda_shrinkage::fixed,
          function, "options.shrinkage", static_cast<int>(options.shrinkage),
          "is not a shrinkage kind");
  require_in_range(function, "options.shrinkage_value", options.shrinkage_value, 0.0, 1.0);
  require(std::isfinite(options.tol) && options.tol >= 0.0, function, "options.tol",
          options.tol, "must be finite and non-negative");
  if (options.solver == lda_solver::svd && options.shrinkage != lda_shrinkage::none)
    throw_invalid(function,
                  "options.shrinkage needs solver eigen or lsqr (the svd solver never forms "
                  "the covariance it would shrink)");
}

// MASS::lda's first stage and scikit-learn's _solve_svd: scale each feature by its
// within-class standard deviation, then take the SVD of the scaled, class-centred data
// times sqrt(1 / (n - K)). The returned p x rank matrix W whitens the pooled within-class
// covariance Sigma (divisor n - K): W' Sigma W = I on its rank-dimensional range.
template <class S>
dmatrix<S> within_class_whitening(const Eigen::Ref<const dmatrix<S>>& X,
                                  const class_labels& labels, const dmatrix<S>& means,
                                  double tol) {
  dmatrix<S> centred = center_by_class<S>(X, labels, means);
  const auto n = static_cast<double>(X.rows());
  dvector<S> scale(X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    // np.std(Xc, axis=0): deviations from the column mean (zero up to rounding).
    const double mean = centred.col(j).template cast<double>().mean();
    const double sd =
        std::sqrt((centred.col(j).template cast<double>().array() - mean).square().sum() / n);
    scale(j) = static_cast<S>(sd == 0.0 ? 1.0 : sd);  // constant feature: leave unscaled
  }
  const S factor = static_cast<S>(std::sqrt(1.0 / (n - static_cast<double>(labels.size()))));
  centred = centred * (factor * scale.cwiseInverse()).asDiagonal();
  const right_singular_system<S> svd = right_singular<S>(std::move(centred));
  Eigen::Index rank = 0;
  while (rank < svd.values.size() && static_cast<double>(svd.values(rank)) > tol) ++rank;
  return scale.cwiseInverse().asDiagonal() * svd.vectors.leftCols(rank) *
         svd.values.head(rank).cwiseInverse().asDiagonal();
}

template <class S>
void solve_lda_svd(lda_model<S>& m, const Eigen::Ref<const dmatrix<S>>& X,
                   const class_labels& labels, double tol) {
  const dmatrix<S> whitening = within_class_whitening<S>(X, labels, m.means, tol);
  m.rank = whitening.cols();
  const auto n = static_cast<double>(X.rows());
  const auto k = labels.size();
  const dmatrix<S> centred_means = m.means.rowwise() - m.xbar.transpose();
  const Eigen::Index max_components = std::min<Eigen::Index>(k - 1, X.cols());
  if (m.rank == 0) {  // no within-class variation at all: nothing to discriminate with
    m.scalings = dmatrix<S>::Zero(X.cols(), 0);
    m.explained_variance_ratio = dvector<S>::Zero(0);
  } else {
    // Between-class stage: the prior-weighted class means in whitened coordinates.
    dvector<S> weight(k);
    for (Eigen::Index c = 0; c < k; ++c)
      weight(c) = static_cast<S>(std::sqrt(n * static_cast<double>(m.priors(c)) /
                                           static_cast<double>(k - 1)));
    const dmatrix<S> between = weight.asDiagonal() * centred_means * whitening;
    Eigen::JacobiSVD<dmatrix<S>> svd(between, Eigen::ComputeFullV);
    const dvector<S> sv = svd.singularValues();
    const S total = sv.squaredNorm();
    const Eigen::Index reported = std::min<Eigen::Index>(sv.size(), max_components);
    m.explained_variance_ratio = total > S(0) ? dvector<S>(sv.head(reported).array().square() / total)
                                              : dvector<S>(dvector<S>::Zero(reported));
    Eigen::Index rank = 0;
    while (rank < sv.size() && sv(rank) > static_cast<S>(tol) * sv(0)) ++rank;
    m.scalings = whitening * svd.matrixV().leftCols(rank);
  }
  const dmatrix<S> projected = centred_means * m.scalings;
  m.intercept = -S(0.5) * projected.rowwise().squaredNorm();
  for (Eigen::Index c = 0; c < k; ++c)
    m.intercept(c) += static_cast<S>(std::log(static_cast<double>(m.priors(c))));
  m.coef = projected * m.scalings.transpose();
  m.intercept -= m.coef * m.xbar;
}

template <class S>
[[noreturn]] void throw_singular_within(const char* function) {
  throw_invalid(function,
                "X: the within-class covariance is singular (a feature is constant or "
                "collinear within the classes); use solver svd or shrinkage");
}

template <class S>
void solve_lda_eigen(lda_model<S>& m, const Eigen::Ref<const dmatrix<S>>& X,
                     const lda_options& options) {
  const Eigen::MatrixXd within = m.covariance.template cast<double>();
  // numpy's matrix_rank rule: eigenvalues below p eps of the largest are zero. Cholesky
  // alone would accept an exactly collinear Sw that rounding left barely positive.
  const Eigen::VectorXd within_values =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(within, Eigen::EigenvaluesOnly).eigenvalues();
  if (!(within_values(0) > within_values(within_values.size() - 1) *
                               static_cast<double>(X.cols()) *
                               std::numeric_limits<double>::epsilon()))
    throw_singular_within<S>("fit_lda");
  const Eigen::MatrixXd total =
      shrunk_covariance(X.template cast<double>(), options.shrinkage, options.shrinkage_value);
  Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> eigen(total - within, within);
  if (eigen.info() != Eigen::Success) throw_singular_within<S>("fit_lda");
  // Eigen sorts ascending; discriminants come in descending order of eigenvalue.
  const Eigen::VectorXd values = eigen.eigenvalues().reverse();
  const Eigen::MatrixXd vectors = eigen.eigenvectors().rowwise().reverse();
  const Eigen::Index max_components = std::min<Eigen::Index>(m.classes.size() - 1, X.cols());
  m.explained_variance_ratio = (values.head(max_components) / values.sum()).template cast<S>();
  m.scalings = vectors.cast<S>();
  // vectors' Sw vectors = I, so vectors vectors' = Sw^-1 and coef_k = Sw^-1 mu_k.
  const Eigen::MatrixXd means = m.means.template cast<double>();
  const Eigen::MatrixXd coef = means * vectors * vectors.transpose();
  m.coef = coef.cast<S>();
  m.intercept = (-0.5 * (means.array() * coef.array()).rowwise().sum().matrix() +
                 m.priors.template cast<double>().array().log().matrix())
                    .template cast<S>();
  m.rank = X.cols();
}

template <class S>
void solve_lda_lsqr(lda_model<S>& m) {
  const Eigen::MatrixXd within = m.covariance.template cast<double>();
  // Minimum-norm least squares, as scipy.linalg.lstsq, so a singular Sw still solves.
  const Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(within);
  const Eigen::MatrixXd means = m.means.template cast<double>();
  const Eigen::MatrixXd coef = cod.solve(means.transpose()).transpose();
  m.coef = coef.cast<S>();
  m.intercept = (-0.5 * (means.array() * coef.array()).rowwise().sum().matrix() +
                 m.priors.template cast<double>().array().log().matrix())
                    .template cast<S>();
  m.scalings = dmatrix<S>::Zero(m.means.cols(), 0);
  m.explained_variance_ratio = dvector<S>::Zero(0);
  m.rank = cod.rank();
}

template <class S>
void require_more_rows_than_classes(const char* function, Eigen::Index rows, Eigen::Index classes) {
  if (rows <= classes)
    throw_invalid_value(function, "X rows", rows,
                        "must exceed the number of classes (" + std::to_string(classes) +
                            ") to estimate a pooled within-class covariance");
}

template <class S>
lda_model<S> fit_lda(const Eigen::Ref<const dmatrix<S>>& X,
                     const Eigen::Ref<const Eigen::VectorXi>& y, const lda_options& options) {
  constexpr const char* function = "fit_lda";
  validate_lda_options(function, options);
  const class_labels labels = validate_training_data<S>(function, X, y);
  require_more_rows_than_classes<S>(function, X.rows(), labels.size());
  const Eigen::VectorXd priors = resolve_priors(function, options.priors, labels, X.rows());
  lda_model<S> m;
  m.solver = options.solver;
  m.classes = labels.classes;
  m.priors = priors.cast<S>();
  m.means = class_means<S>(X, labels);
  m.xbar = (m.priors.transpose() * m.means).transpose();
  m.covariance =
      within_class_covariance<S>(X, labels, priors, options.shrinkage, options.shrinkage_value)
          .template cast<S>();
  switch (options.solver) {
    case lda_solver::svd: solve_lda_svd<S>(m, X, labels, options.tol); break;
    case lda_solver::eigen: solve_lda_eigen<S>(m, X, options); break;
    case lda_solver::lsqr: solve_lda_lsqr<S>(m); break;
  }
  return m;
}

// Pooled within-class covariance with divisor n - K and its Cholesky factor; singular
// covariances are rejected with the function's name.
template <class S>
Eigen::LLT<Eigen::MatrixXd> pooled_covariance(const char* function,
                                              const Eigen::Ref<const dmatrix<S>>& X,
                                              const class_labels& labels,
                                              const dmatrix<S>& means, Eigen::MatrixXd& pooled) {
  const Eigen::MatrixXd centred = center_by_class<S>(X, labels, means).template cast<double>();
  pooled = centred.transpose() * centred / static_cast<double>(X.rows() - labels.size());
  Eigen::LLT<Eigen::MatrixXd> llt(pooled);
  const Eigen::VectorXd diagonal = llt.matrixL().toDenseMatrix().diagonal();
  // Cholesky succeeds on nearly singular matrices; a pivot below sqrt(p eps) of the
  // largest means the directions are numerically collinear.
  const double limit = std::sqrt(static_cast<double>(X.cols()) *
                                 std::numeric_limits<double>::epsilon()) *
                       std::sqrt(pooled.diagonal().maxCoeff());
  if (llt.info() != Eigen::Success || !(diagonal.minCoeff() > limit))
    throw_invalid(function,
                  "X: the pooled within-class covariance is singular (a feature is constant or "
                  "collinear within the classes)");
  return llt;
}

template <class S>
fisher_model<S> fit_fisher(const Eigen::Ref<const dmatrix<S>>& X,
                           const Eigen::Ref<const Eigen::VectorXi>& y,
                           const std::vector<double>& priors) {
  constexpr const char* function = "fit_fisher";
  const class_labels labels = validate_training_data<S>(function, X, y);
  if (labels.size() != 2)
    throw_invalid_value(function, "y", labels.size(),
                        "distinct labels found; Fisher's discriminant needs exactly 2");
  require_more_rows_than_classes<S>(function, X.rows(), 2);
  const Eigen::VectorXd pi = resolve_priors(function, priors, labels, X.rows());
  fisher_model<S> m;
  m.classes = labels.classes;
  m.priors = pi.cast<S>();
  m.means = class_means<S>(X, labels);
  Eigen::MatrixXd pooled;
  const auto llt = pooled_covariance<S>(function, X, labels, m.means, pooled);
  m.covariance = pooled.cast<S>();
  const Eigen::MatrixXd means = m.means.template cast<double>();
  const Eigen::VectorXd w = llt.solve((means.row(1) - means.row(0)).transpose());
  m.direction = w.cast<S>();
  m.threshold = static_cast<S>(0.5 * w.dot((means.row(0) + means.row(1)).transpose()) -
                               std::log(pi(1) / pi(0)));
  return m;
}

template <class S>
mahalanobis_model<S> fit_mahalanobis(const Eigen::Ref<const dmatrix<S>>& X,
                                     const Eigen::Ref<const Eigen::VectorXi>& y) {
  constexpr const char* function = "fit_mahalanobis";
  const class_labels labels = validate_training_data<S>(function, X, y);
  require_more_rows_than_classes<S>(function, X.rows(), labels.size());
  mahalanobis_model<S> m;
  m.classes = labels.classes;
  m.means = class_means<S>(X, labels);
  Eigen::MatrixXd pooled;
  const auto llt = pooled_covariance<S>(function, X, labels, m.means, pooled);
  m.covariance = pooled.cast<S>();
  const Eigen::MatrixXd inverse_factor =
      llt.matrixL().solve(Eigen::MatrixXd::Identity(X.cols(), X.cols()));
  m.inverse_factor = inverse_factor.cast<S>();
  return m;
}

// Ripley (1996), Pattern Recognition and Neural Networks, p. 96, as in MASS::lda's CV
// branch. In coordinates z = x W where the pooled covariance (divisor n - K) is I,
// removing row i of class g (d = z_i - m_g, c = n_g / ((n_g - 1)(n - K))) gives
//   Sigma_-i^-1 = (n - 1 - K)/(n - K) (I + c d d' / (1 - c |d|^2))
// and moves m_g to m_g - d / (n_g - 1); the other means stay.
template <class S>
cross_validation<S> lda_leave_one_out(const Eigen::Ref<const dmatrix<S>>& X,
                                      const Eigen::Ref<const Eigen::VectorXi>& y,
                                      const lda_options& options) {
  constexpr const char* function = "lda_leave_one_out";
  validate_lda_options(function, options);
  if (options.shrinkage != lda_shrinkage::none)
    throw_invalid(function, "options.shrinkage must be none for leave-one-out");
  const class_labels labels = validate_training_data<S>(function, X, y);
  const Eigen::Index n = X.rows();
  const Eigen::Index k = labels.size();
  require_more_rows_than_classes<S>(function, n, k + 1);
  for (Eigen::Index c = 0; c < k; ++c)
    if (labels.counts[static_cast<std::size_t>(c)] < 2)
      throw_invalid_value(function, "y", labels.classes(c),
                          "has a single row; leaving it out would leave the class empty");
  const Eigen::VectorXd priors = resolve_priors(function, options.priors, labels, n);
  const dmatrix<S> means = class_means<S>(X, labels);
  const Eigen::MatrixXd whitening =
      within_class_whitening<S>(X, labels, means, options.tol).template cast<double>();
  const Eigen::MatrixXd z = X.template cast<double>() * whitening;
  const Eigen::MatrixXd zm = means.template cast<double>() * whitening;
  const double nk = static_cast<double>(n - k);
  const double shrink = (nk - 1.0) / nk;
  cross_validation<S> out;
  out.classes = labels.classes;
  Eigen::MatrixXd log_post(n, k);
  for (Eigen::Index i = 0; i < n; ++i) {
    const int g = labels.index[static_cast<std::size_t>(i)];
    const double ng = static_cast<double>(labels.counts[static_cast<std::size_t>(g)]);
    const double c = ng / ((ng - 1.0) * nk);
    const Eigen::VectorXd d = (z.row(i) - zm.row(g)).transpose();
    const double d2 = d.squaredNorm();
    const double denominator = 1.0 - c * d2;
    if (!(denominator > 0.0))
      throw_invalid_value(function, "X row " + std::to_string(i), d2,
                          "(squared whitened distance to its class mean) is so large that "
                          "the covariance without this row is singular");
    for (Eigen::Index j = 0; j < k; ++j) {
      double distance;
      if (j == g) {
        distance = shrink * (ng / (ng - 1.0)) * (ng / (ng - 1.0)) * d2 / denominator;
      } else {
        const Eigen::VectorXd dev = (z.row(i) - zm.row(j)).transpose();
        const double t = dev.dot(d);
        distance = shrink * (dev.squaredNorm() + c * t * t / denominator);
      }
      log_post(i, j) = -0.5 * distance + std::log(priors(j));
    }
  }
  out.posterior = log_softmax_rows<double>(log_post).array().exp().matrix().cast<S>();
  out.predicted = argmax_labels<double>(log_post, labels.classes);
  out.error_rate = static_cast<double>((out.predicted.array() != y.array()).count()) /
                   static_cast<double>(n);
  return out;
}

}  // namespace patron::detail
