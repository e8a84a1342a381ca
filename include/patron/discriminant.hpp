// Linear and quadratic discriminant analysis: learn which measurable features separate
// known customer segments and assign new customers to a segment with probabilities.
// Rows of X are customers (samples), columns are features; y holds one integer class
// label per row. Features may be float or double; the model has the same scalar type.
//
//   patron::lda_options options;                  // solver svd, class-frequency priors
//   auto lda = patron::fit_lda(X, y, options);
//   Eigen::MatrixXd p = lda.predict_proba(X_new);  // one column per class in lda.classes
//   Eigen::VectorXi segment = lda.predict(X_new);
//   Eigen::MatrixXd scores = lda.transform(X);     // at most n_classes - 1 coordinates
//   lda.explained_variance_ratio                   // MASS's "proportion of trace"
//   auto cv = patron::lda_leave_one_out(X, y);      // MASS::lda(CV = TRUE)
//
// The model of class k is a Gaussian N(mu_k, Sigma_k) with prior pi_k; Bayes' rule gives
//   log p(k | x) = -1/2 (x - mu_k)' Sigma_k^-1 (x - mu_k) - 1/2 log|Sigma_k| + log pi_k - log Z(x).
// LDA shares one within-class covariance Sigma (Fisher 1936; Rao 1948), so the quadratic
// terms cancel and the decision is linear: delta_k(x) = x' coef_k + intercept_k. QDA keeps
// one covariance per class (McLachlan 1992, ch. 3; Friedman 1989 for reg_param).
// Posteriors are normalised in log space (log-sum-exp), so far-away points never overflow.
// Algorithms follow scikit-learn 1.2 (LinearDiscriminantAnalysis,
// QuadraticDiscriminantAnalysis) and Venables & Ripley's MASS::lda / MASS::qda (Modern
// Applied Statistics with S, 4th ed., sec. 12.1); docs/discriminant.md has the formulas.
//
// X binds to Eigen::Ref<const Matrix>: a column-major matrix is read in place, anything
// else (a row-major matrix, an expression) is copied once. Labels are an Eigen::VectorXi
// (wrap a std::vector<int> with Eigen::Map<const Eigen::VectorXi>).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "patron/discriminant/common.hpp"

namespace patron {

// How LDA finds its discriminant directions (scikit-learn's `solver`).
enum class lda_solver {
  svd,    // SVD of the within-class-scaled data; no covariance inverse, so it works on
          // collinear and rank-deficient features. No shrinkage. (default)
  eigen,  // generalised eigenproblem Sb v = lambda Sw v; supports shrinkage.
  lsqr,   // least-squares solve Sw coef' = means'; supports shrinkage; no transform.
};

// Regularisation of the class covariances (eigen and lsqr solvers only).
enum class lda_shrinkage {
  none,         // empirical (maximum-likelihood) covariance (default)
  ledoit_wolf,  // Ledoit & Wolf (2004) optimal shrinkage of each standardised class
                // covariance, scikit-learn's shrinkage="auto"
  fixed,        // (1 - s) Sigma + s (tr(Sigma) / p) I with s = shrinkage_value
};

struct lda_options {
  lda_solver solver = lda_solver::svd;
  lda_shrinkage shrinkage = lda_shrinkage::none;  // needs solver eigen or lsqr
  double shrinkage_value = 0.0;  // s in [0, 1], used when shrinkage == fixed
  // One prior per class, in ascending label order, positive and summing to 1.
  // Empty (default): the class frequencies in y.
  std::vector<double> priors;
  // svd solver: singular values of the scaled within-class data at or below tol are
  // treated as zero (rank deficiency); scikit-learn's and MASS's default 1e-4. >= 0.
  double tol = 1e-4;
};

template <class Scalar>
struct lda_model {
  using matrix = detail::dmatrix<Scalar>;
  using vector = detail::dvector<Scalar>;

  Eigen::VectorXi classes;  // ascending; column c of every prediction is classes(c)
  vector priors;            // pi_k
  matrix means;             // classes x features
  vector xbar;              // sum_k pi_k mu_k, the prior-weighted overall mean
  // Within-class covariance sum_k pi_k Sigma_k with the per-class maximum-likelihood
  // (or shrunk) covariances Sigma_k: scikit-learn's covariance_.
  matrix covariance;
  // Discriminant directions, features x components (svd: MASS's `scaling`, unit
  // within-class variance; eigen: generalised eigenvectors). Empty for lsqr.
  matrix scalings;
  // Share of the between-class variance on each discriminant (MASS's proportion of
  // trace), at most min(classes - 1, features) entries. Empty for lsqr.
  vector explained_variance_ratio;
  matrix coef;       // classes x features: delta_k(x) = x' coef_k + intercept_k
  vector intercept;  // classes
  Eigen::Index rank = 0;  // svd: rank of the within-class scatter; others: features
  lda_solver solver = lda_solver::svd;

  [[nodiscard]] Eigen::Index features() const { return means.cols(); }

  // delta_k(x) for every row and class (samples x classes). For two classes
  // scikit-learn reports the single column delta_1 - delta_0.
  [[nodiscard]] matrix decision_function(const Eigen::Ref<const matrix>& X) const {
    return checked_decision("lda_model::decision_function", X);
  }
  [[nodiscard]] matrix predict_log_proba(const Eigen::Ref<const matrix>& X) const {
    return detail::log_softmax_rows<Scalar>(checked_decision("lda_model::predict_log_proba", X));
  }
  [[nodiscard]] matrix predict_proba(const Eigen::Ref<const matrix>& X) const {
    return detail::log_softmax_rows<Scalar>(checked_decision("lda_model::predict_proba", X))
        .array()
        .exp()
        .matrix();
  }
  [[nodiscard]] Eigen::VectorXi predict(const Eigen::Ref<const matrix>& X) const {
    return detail::argmax_labels<Scalar>(checked_decision("lda_model::predict", X), classes);
  }
  // Discriminant coordinates (samples x min(classes - 1, features, rank)): svd projects
  // X - xbar on the scalings (MASS's predict()$x), eigen projects X (scikit-learn).
  [[nodiscard]] matrix transform(const Eigen::Ref<const matrix>& X) const {
    constexpr const char* function = "lda_model::transform";
    if (solver == lda_solver::lsqr)
      detail::throw_invalid(function, "solver lsqr computes no discriminant directions; use svd or eigen");
    detail::validate_lda_model(function, *this, true);
    detail::require_prediction_input<Scalar>(function, X, features());
    // The svd solver keeps only the directions whose between-class singular value passes
    // tol, which can be fewer than the ratios reported (collinear class means); as
    // scikit-learn, the coordinates are the first min(ratios, directions).
    const Eigen::Index components = std::min(explained_variance_ratio.size(), scalings.cols());
    if (solver == lda_solver::svd)
      return (X.rowwise() - xbar.transpose()) * scalings.leftCols(components);
    return X * scalings.leftCols(components);
  }

 private:
  matrix checked_decision(const char* function, const Eigen::Ref<const matrix>& X) const {
    detail::validate_lda_model(function, *this, false);
    detail::require_prediction_input<Scalar>(function, X, features());
    matrix scores = (X * coef.transpose()).rowwise() + intercept.transpose();
    detail::require_finite_scores<Scalar>(function, X, scores);
    return scores;
  }
};

struct qda_options {
  // One prior per class (ascending label order), positive, summing to 1; empty: class
  // frequencies.
  std::vector<double> priors;
  // Regularisation r in [0, 1]: Sigma_k <- (1 - r) Sigma_k + r I, scikit-learn's
  // reg_param. 0 (default) needs every class covariance to be of full rank.
  double reg_param = 0.0;
};

template <class Scalar>
struct qda_model {
  using matrix = detail::dmatrix<Scalar>;
  using vector = detail::dvector<Scalar>;

  Eigen::VectorXi classes;          // ascending
  vector priors;                    // pi_k
  matrix means;                     // classes x features
  std::vector<matrix> covariances;  // regularised Sigma_k (divisor n_k - 1), one per class
  // Sigma_k = R_k diag(variances_k) R_k': the eigenvectors (rotations) and eigenvalues
  // (scikit-learn's rotations_ and scalings_).
  std::vector<matrix> rotations;
  std::vector<vector> variances;
  vector log_det;  // log |Sigma_k|

  [[nodiscard]] Eigen::Index features() const { return means.cols(); }

  // log pi_k - 1/2 log|Sigma_k| - 1/2 (x - mu_k)' Sigma_k^-1 (x - mu_k), samples x classes
  // (scikit-learn's _decision_function; for two classes its decision_function is the
  // difference of the two columns).
  [[nodiscard]] matrix decision_function(const Eigen::Ref<const matrix>& X) const {
    return checked_decision("qda_model::decision_function", X);
  }
  [[nodiscard]] matrix predict_log_proba(const Eigen::Ref<const matrix>& X) const {
    return detail::log_softmax_rows<Scalar>(checked_decision("qda_model::predict_log_proba", X));
  }
  [[nodiscard]] matrix predict_proba(const Eigen::Ref<const matrix>& X) const {
    return detail::log_softmax_rows<Scalar>(checked_decision("qda_model::predict_proba", X))
        .array()
        .exp()
        .matrix();
  }
  [[nodiscard]] Eigen::VectorXi predict(const Eigen::Ref<const matrix>& X) const {
    return detail::argmax_labels<Scalar>(checked_decision("qda_model::predict", X), classes);
  }

 private:
  matrix checked_decision(const char* function, const Eigen::Ref<const matrix>& X) const {
    detail::validate_qda_model(function, *this);
    detail::require_prediction_input<Scalar>(function, X, features());
    matrix scores = unchecked_decision(X);
    detail::require_finite_scores<Scalar>(function, X, scores);
    return scores;
  }
  matrix unchecked_decision(const Eigen::Ref<const matrix>& X) const {
    matrix out(X.rows(), classes.size());
    std::vector<matrix> whitening;  // R_k diag(variances_k)^-1/2
    for (Eigen::Index c = 0; c < classes.size(); ++c) {
      const auto k = static_cast<std::size_t>(c);
      whitening.push_back(rotations[k] * variances[k].cwiseSqrt().cwiseInverse().asDiagonal());
    }
    // Blocks of rows keep the temporaries in cache: whole-column temporaries of a long X
    // cost more in page faults than the arithmetic.
    constexpr Eigen::Index block = 4096;
    matrix white;
    for (Eigen::Index start = 0; start < X.rows(); start += block) {
      const Eigen::Index rows = std::min(block, X.rows() - start);
      for (Eigen::Index c = 0; c < classes.size(); ++c) {
        white.noalias() = (X.middleRows(start, rows).rowwise() - means.row(c)) *
                          whitening[static_cast<std::size_t>(c)];
        out.col(c).segment(start, rows) =
            (-Scalar(0.5)) * (white.rowwise().squaredNorm().array() + log_det(c)) +
            static_cast<Scalar>(std::log(static_cast<double>(priors(c))));
      }
    }
    return out;
  }
};

// Fisher's two-class discriminant: the direction w = Sigma^-1 (mu_1 - mu_0) with the
// pooled within-class covariance Sigma (divisor n - 2), and the threshold
// c = w' (mu_0 + mu_1) / 2 - log(pi_1 / pi_0); x goes to classes(1) when w'x > c.
// Identical to two-class LDA (svd solver), written out for the "premium vs regular" case.
template <class Scalar>
struct fisher_model {
  using matrix = detail::dmatrix<Scalar>;
  using vector = detail::dvector<Scalar>;

  Eigen::VectorXi classes;  // the two labels, ascending
  vector priors;
  matrix means;       // 2 x features
  matrix covariance;  // pooled within-class covariance
  vector direction;   // w
  Scalar threshold = 0;

  [[nodiscard]] vector project(const Eigen::Ref<const matrix>& X) const {
    detail::validate_fisher_model("fisher_model::project", *this);
    detail::require_prediction_input<Scalar>("fisher_model::project", X, means.cols());
    vector score = X * direction;
    detail::require_finite_scores<Scalar>("fisher_model::project", X, score);
    return score;
  }
  [[nodiscard]] Eigen::VectorXi predict(const Eigen::Ref<const matrix>& X) const {
    const vector score = project(X);
    Eigen::VectorXi out(score.size());
    for (Eigen::Index i = 0; i < score.size(); ++i)
      out(i) = score(i) > threshold ? classes(1) : classes(0);
    return out;
  }
};

// Nearest class mean in the Mahalanobis metric of the pooled within-class covariance
// (divisor n - classes), priors ignored:
//   D_k^2(x) = (x - mu_k)' Sigma^-1 (x - mu_k).
template <class Scalar>
struct mahalanobis_model {
  using matrix = detail::dmatrix<Scalar>;

  Eigen::VectorXi classes;
  matrix means;           // classes x features
  matrix covariance;      // pooled within-class covariance
  matrix inverse_factor;  // L^-1 with Sigma = L L' (Cholesky), so D^2 = |L^-1 (x - mu)|^2

  [[nodiscard]] matrix squared_distances(const Eigen::Ref<const matrix>& X) const {
    detail::validate_mahalanobis_model("mahalanobis_model::squared_distances", *this);
    detail::require_prediction_input<Scalar>("mahalanobis_model::squared_distances", X,
                                             means.cols());
    matrix out(X.rows(), classes.size());
    for (Eigen::Index c = 0; c < classes.size(); ++c)
      out.col(c) =
          ((X.rowwise() - means.row(c)) * inverse_factor.transpose()).rowwise().squaredNorm();
    detail::require_finite_scores<Scalar>("mahalanobis_model::squared_distances", X, out);
    return out;
  }
  [[nodiscard]] Eigen::VectorXi predict(const Eigen::Ref<const matrix>& X) const {
    return detail::argmax_labels<Scalar>(matrix(-squared_distances(X)), classes);
  }
};

// Leave-one-out cross-validation (MASS's CV = TRUE): each row is classified by the
// model fitted to the other n - 1 rows, with the priors held fixed.
template <class Scalar>
struct cross_validation {
  Eigen::VectorXi predicted;  // one label per row
  detail::dmatrix<Scalar> posterior;  // rows x classes
  Eigen::VectorXi classes;
  double error_rate = 0.0;  // share of rows misclassified
};

// The confusion matrix of sklearn.metrics.confusion_matrix: counts(i, j) rows whose
// true label is classes(i) and predicted label classes(j); classes is the sorted union.
struct confusion {
  Eigen::VectorXi classes;
  Eigen::MatrixXi counts;
  // Share of the counts on the diagonal. A hand-built matrix must be square with
  // non-negative counts and at least one (else the share is 0 / 0).
  [[nodiscard]] double accuracy() const {
    constexpr const char* function = "confusion::accuracy";
    if (counts.rows() != counts.cols())
      detail::throw_invalid(function, "counts (" + std::to_string(counts.rows()) + " x " +
                                          std::to_string(counts.cols()) + ") must be square");
    detail::require_each(function, "counts", counts, [](int c) { return c >= 0; },
                         "must be non-negative");
    const auto total = counts.cast<double>().sum();
    detail::require(total > 0.0, function, "counts.sum()", total, "must be positive");
    return static_cast<double>(counts.trace()) / total;
  }
};

// Ledoit & Wolf (2004), "A well-conditioned estimator for large-dimensional covariance
// matrices": (1 - delta) S + delta mu I with the maximum-likelihood covariance S,
// mu = tr(S) / p and the estimated optimal delta (sklearn.covariance.ledoit_wolf).
struct ledoit_wolf_result {
  Eigen::MatrixXd covariance;
  double shrinkage = 0.0;
};

}  // namespace patron

// The implementations need the complete option and model types above.
#include "patron/discriminant/lda.hpp"
#include "patron/discriminant/qda.hpp"
#include "patron/discriminant/evaluation.hpp"

namespace patron {

template <class Derived>
[[nodiscard]] lda_model<typename Derived::Scalar> fit_lda(const Eigen::MatrixBase<Derived>& X,
                                                          const Eigen::Ref<const Eigen::VectorXi>& y,
                                                          const lda_options& options = {}) {
  using S = typename Derived::Scalar;
  detail::require_discriminant_scalar<S>();
  return detail::fit_lda<S>(X.derived(), y, options);
}

template <class Derived>
[[nodiscard]] qda_model<typename Derived::Scalar> fit_qda(const Eigen::MatrixBase<Derived>& X,
                                                          const Eigen::Ref<const Eigen::VectorXi>& y,
                                                          const qda_options& options = {}) {
  using S = typename Derived::Scalar;
  detail::require_discriminant_scalar<S>();
  return detail::fit_qda<S>(X.derived(), y, options);
}

// Two labels only; priors as in lda_options (empty: class frequencies).
template <class Derived>
[[nodiscard]] fisher_model<typename Derived::Scalar> fit_fisher(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXi>& y,
    const std::vector<double>& priors = {}) {
  using S = typename Derived::Scalar;
  detail::require_discriminant_scalar<S>();
  return detail::fit_fisher<S>(X.derived(), y, priors);
}

template <class Derived>
[[nodiscard]] mahalanobis_model<typename Derived::Scalar> fit_mahalanobis(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXi>& y) {
  using S = typename Derived::Scalar;
  detail::require_discriminant_scalar<S>();
  return detail::fit_mahalanobis<S>(X.derived(), y);
}

// Exact leave-one-out posteriors of LDA with the pooled covariance (divisor n - classes),
// by rank-one downdates instead of n refits (Ripley 1996, p. 96): equal to
// MASS::lda(..., CV = TRUE). options.shrinkage must be none; the solver does not matter.
template <class Derived>
[[nodiscard]] cross_validation<typename Derived::Scalar> lda_leave_one_out(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXi>& y,
    const lda_options& options = {}) {
  using S = typename Derived::Scalar;
  detail::require_discriminant_scalar<S>();
  return detail::lda_leave_one_out<S>(X.derived(), y, options);
}

// Leave-one-out posteriors of QDA: only the left-out row's class changes, by a rank-one
// downdate of its covariance. With reg_param = 0 equal to MASS::qda(..., CV = TRUE).
template <class Derived>
[[nodiscard]] cross_validation<typename Derived::Scalar> qda_leave_one_out(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXi>& y,
    const qda_options& options = {}) {
  using S = typename Derived::Scalar;
  detail::require_discriminant_scalar<S>();
  return detail::qda_leave_one_out<S>(X.derived(), y, options);
}

[[nodiscard]] inline confusion confusion_matrix(const Eigen::Ref<const Eigen::VectorXi>& y_true,
                                                const Eigen::Ref<const Eigen::VectorXi>& y_pred) {
  return detail::confusion_matrix(y_true, y_pred);
}

// Share of rows where y_pred equals y_true.
[[nodiscard]] inline double accuracy(const Eigen::Ref<const Eigen::VectorXi>& y_true,
                                     const Eigen::Ref<const Eigen::VectorXi>& y_pred) {
  return confusion_matrix(y_true, y_pred).accuracy();
}

// Ledoit-Wolf shrunk covariance of the rows of X (centred on the column means).
[[nodiscard]] inline ledoit_wolf_result ledoit_wolf(const Eigen::Ref<const Eigen::MatrixXd>& X) {
  return detail::ledoit_wolf(X);
}

}  // namespace patron
