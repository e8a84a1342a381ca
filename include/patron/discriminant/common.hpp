// Details shared by every discriminant model: label bookkeeping, input checks and the
// log-space posterior arithmetic. Not part of the public API.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron::detail {

template <class S>
using dmatrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using dvector = Eigen::Matrix<S, Eigen::Dynamic, 1>;

template <class S>
constexpr void require_discriminant_scalar() {
  static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>,
                "patron discriminant analysis works on float or double features");
}

// The classes present in y (ascending) and, for every row, the position of its class.
struct class_labels {
  Eigen::VectorXi classes;
  std::vector<int> index;             // one per row, 0 .. classes.size() - 1
  std::vector<Eigen::Index> counts;   // rows per class

  [[nodiscard]] Eigen::Index size() const { return classes.size(); }
};

inline class_labels encode_labels(const Eigen::Ref<const Eigen::VectorXi>& y) {
  std::vector<int> sorted(y.data(), y.data() + y.size());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  class_labels labels;
  labels.classes = Eigen::Map<const Eigen::VectorXi>(sorted.data(),
                                                     static_cast<Eigen::Index>(sorted.size()));
  labels.index.resize(static_cast<std::size_t>(y.size()));
  labels.counts.assign(sorted.size(), 0);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const auto position = std::lower_bound(sorted.begin(), sorted.end(), y(i)) - sorted.begin();
    labels.index[static_cast<std::size_t>(i)] = static_cast<int>(position);
    ++labels.counts[static_cast<std::size_t>(position)];
  }
  return labels;
}

// Scores (or distances) of new rows must be finite: a row far enough out overflows them
// to inf, and inf - inf, or an argmax over -inf, would give NaN probabilities or an
// arbitrary class, silently. Names the largest feature of the first such row.
template <class S, class Scores>
void require_finite_scores(const char* function, const Eigen::Ref<const dmatrix<S>>& X,
                           const Eigen::MatrixBase<Scores>& scores) {
  if (scores.allFinite()) return;
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    if (scores.row(i).allFinite()) continue;
    Eigen::Index at = 0;
    X.row(i).cwiseAbs().maxCoeff(&at);
    throw_invalid(function, "X(" + std::to_string(i) + ", " + std::to_string(at) + ") (" +
                                format_value(X(i, at)) + ") is so large that the scores of row " +
                                std::to_string(i) + " overflow");
  }
}

// Features whose spread within the training data leaves [4 sqrt(min S), sqrt(max S) / 4]
// make the covariances underflow to 0 (a silently rank-deficient fit) or overflow to
// inf: rejected, naming the column's largest value in magnitude.
template <class S>
void require_feature_range(const char* function, const Eigen::Ref<const dmatrix<S>>& X) {
  const double low = 4.0 * std::sqrt(static_cast<double>(std::numeric_limits<S>::min()));
  const double high = std::sqrt(static_cast<double>(std::numeric_limits<S>::max())) / 4.0;
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    const auto column = X.col(j).template cast<double>();
    const double spread = 0.5 * column.maxCoeff() - 0.5 * column.minCoeff();  // no overflow
    if (spread == 0.0 || (2.0 * spread >= low && 2.0 * spread <= high)) continue;
    Eigen::Index at = 0;
    column.cwiseAbs().maxCoeff(&at);
    throw_invalid(function, "X(" + std::to_string(at) + ", " + std::to_string(j) + ") (" +
                                format_value(X(at, j)) + "): column " + std::to_string(j) +
                                " spreads over " + format_value(2.0 * spread) +
                                (2.0 * spread > high ? ", so much that its variance overflows"
                                                     : ", so little that its variance underflows") +
                                ": rescale the features");
  }
}

// Checks shared by every fit: finite features, one label per row, at least two classes.
template <class S>
class_labels validate_training_data(const char* function,
                                    const Eigen::Ref<const dmatrix<S>>& X,
                                    const Eigen::Ref<const Eigen::VectorXi>& y) {
  require_non_empty(function, "X", static_cast<std::size_t>(X.rows()));
  require_non_empty(function, "X columns", static_cast<std::size_t>(X.cols()));
  require_same_length(function, "X rows", static_cast<std::size_t>(X.rows()), "y",
                      static_cast<std::size_t>(y.size()));
  require_finite(function, "X", X);
  require_feature_range<S>(function, X);
  class_labels labels = encode_labels(y);
  if (labels.size() < 2)
    throw_invalid_value(function, "y", labels.classes(0),
                        "is the only class; discriminant analysis needs at least 2 classes");
  return labels;
}

// Priors as given (validated: one per class, positive, summing to 1) or the class
// frequencies when none are given.
inline Eigen::VectorXd resolve_priors(const char* function, const std::vector<double>& given,
                                      const class_labels& labels, Eigen::Index rows) {
  const auto k = static_cast<std::size_t>(labels.size());
  Eigen::VectorXd priors(labels.size());
  if (given.empty()) {
    for (std::size_t c = 0; c < k; ++c)
      priors(static_cast<Eigen::Index>(c)) =
          static_cast<double>(labels.counts[c]) / static_cast<double>(rows);
    return priors;
  }
  require_same_length(function, "options.priors", given.size(), "the classes in y", k);
  require_positive(function, "options.priors", given);
  double sum = 0.0;
  for (double p : given) sum += p;
  // A relative slack of 1e-8 admits priors typed with a few decimals (1/3 as 0.333333333).
  if (std::abs(sum - 1.0) > 1e-8) {
    std::ostringstream text;  // 12 digits: "sum to 0.9", not 0.89999999999999991
    text.precision(12);
    text << sum;
    throw_invalid(function, "options.priors sum to " + text.str() + ", not 1");
  }
  for (std::size_t c = 0; c < k; ++c) priors(static_cast<Eigen::Index>(c)) = given[c];
  return priors;
}

// Per-class means, accumulated in double so float features lose nothing on long columns.
template <class S>
dmatrix<S> class_means(const Eigen::Ref<const dmatrix<S>>& X, const class_labels& labels) {
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(labels.size(), X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      sums(labels.index[static_cast<std::size_t>(i)], j) += static_cast<double>(X(i, j));
  for (Eigen::Index c = 0; c < labels.size(); ++c)
    sums.row(c) /= static_cast<double>(labels.counts[static_cast<std::size_t>(c)]);
  return sums.cast<S>();
}

// X minus the mean of each row's class.
template <class S>
dmatrix<S> center_by_class(const Eigen::Ref<const dmatrix<S>>& X, const class_labels& labels,
                           const dmatrix<S>& means) {
  dmatrix<S> centered(X.rows(), X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      centered(i, j) = X(i, j) - means(labels.index[static_cast<std::size_t>(i)], j);
  return centered;
}

// Rows of X that belong to class c.
template <class S>
dmatrix<S> rows_of_class(const Eigen::Ref<const dmatrix<S>>& X, const class_labels& labels,
                         int c) {
  dmatrix<S> out(labels.counts[static_cast<std::size_t>(c)], X.cols());
  Eigen::Index r = 0;
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    if (labels.index[static_cast<std::size_t>(i)] == c) out.row(r++) = X.row(i);
  return out;
}

// New data for a fitted model: right number of columns, every value finite.
template <class S>
void require_prediction_input(const char* function, const Eigen::Ref<const dmatrix<S>>& X,
                              Eigen::Index features) {
  if (X.cols() != features)
    throw_invalid(function, "X has " + std::to_string(X.cols()) +
                                " columns but the model was fitted on " +
                                std::to_string(features) + " features");
  require_finite(function, "X", X);
}

// A model built by hand or deserialised is checked before it is used, in O(model size):
// members whose shapes disagree would be read out of bounds, and a NaN or infinite
// parameter would come back as NaN scores blamed on X. Messages read
// "model.<member> (<extent> <actual>) must have <what>".
inline void require_model_extent(const char* function, const char* member, const char* extent,
                                 Eigen::Index actual, Eigen::Index expected,
                                 const std::string& what) {
  if (actual != expected)
    throw_invalid(function, std::string(member) + " (" + extent + " " + std::to_string(actual) +
                                ") must have " + what);
}

inline std::string per_class(Eigen::Index classes) {
  return "per class (model.classes has " + std::to_string(classes) + ")";
}

// The class count every other member is checked against: at least 2 (exactly 2 when
// `exactly` is set), as a fit produces.
inline Eigen::Index require_model_classes(const char* function, const Eigen::VectorXi& classes,
                                          bool exactly_two = false) {
  if (exactly_two ? classes.size() != 2 : classes.size() < 2)
    throw_invalid(function, "model.classes (size " + std::to_string(classes.size()) +
                                ") must hold " + (exactly_two ? "exactly" : "at least") +
                                " 2 classes");
  return classes.size();
}

// Features are the columns of model.means: at least one, one row per class.
template <class Matrix>
Eigen::Index require_model_means(const char* function, const Matrix& means, Eigen::Index classes) {
  require_model_extent(function, "model.means", "rows", means.rows(), classes,
                       "one row " + per_class(classes));
  if (means.cols() < 1) throw_invalid(function, "model.means (columns 0) must have one column per feature");
  return means.cols();
}

inline std::string per_feature(Eigen::Index features) {
  return "per feature (model.means has " + std::to_string(features) + " columns)";
}

// Priors enter log pi_k: one per class, finite and positive.
template <class Vector>
void require_model_priors(const char* function, const Vector& priors, Eigen::Index classes) {
  require_model_extent(function, "model.priors", "size", priors.size(), classes,
                       "one entry " + per_class(classes));
  require_positive(function, "model.priors", priors);
}

template <class Model>
void validate_lda_model(const char* function, const Model& m, bool for_transform) {
  const Eigen::Index k = require_model_classes(function, m.classes);
  require_model_priors(function, m.priors, k);
  const Eigen::Index p = require_model_means(function, m.means, k);
  if (!for_transform) {
    require_model_extent(function, "model.coef", "rows", m.coef.rows(), k, "one row " + per_class(k));
    require_model_extent(function, "model.coef", "columns", m.coef.cols(), p,
                         "one column " + per_feature(p));
    require_model_extent(function, "model.intercept", "size", m.intercept.size(), k,
                         "one entry " + per_class(k));
    require_finite(function, "model.coef", m.coef);
    require_finite(function, "model.intercept", m.intercept);
    return;
  }
  require_model_extent(function, "model.scalings", "rows", m.scalings.rows(), p,
                       "one row " + per_feature(p));
  require_finite(function, "model.scalings", m.scalings);
  if (m.solver == decltype(m.solver)::svd) {
    require_model_extent(function, "model.xbar", "size", m.xbar.size(), p,
                         "one entry " + per_feature(p));
    require_finite(function, "model.xbar", m.xbar);
  }
}

template <class Model>
void validate_qda_model(const char* function, const Model& m) {
  const Eigen::Index k = require_model_classes(function, m.classes);
  require_model_priors(function, m.priors, k);
  const Eigen::Index p = require_model_means(function, m.means, k);
  require_finite(function, "model.means", m.means);
  require_model_extent(function, "model.rotations", "size", static_cast<Eigen::Index>(m.rotations.size()),
                       k, "one matrix " + per_class(k));
  require_model_extent(function, "model.variances", "size", static_cast<Eigen::Index>(m.variances.size()),
                       k, "one vector " + per_class(k));
  require_model_extent(function, "model.log_det", "size", m.log_det.size(), k, "one entry " + per_class(k));
  require_finite(function, "model.log_det", m.log_det);
  for (std::size_t c = 0; c < m.rotations.size(); ++c) {
    const std::string rotation = "model.rotations[" + std::to_string(c) + "]";
    const std::string variances = "model.variances[" + std::to_string(c) + "]";
    require_model_extent(function, rotation.c_str(), "rows", m.rotations[c].rows(), p, "one row " + per_feature(p));
    require_model_extent(function, rotation.c_str(), "columns", m.rotations[c].cols(), p,
                         "one column " + per_feature(p));
    require_finite(function, rotation.c_str(), m.rotations[c]);
    require_model_extent(function, variances.c_str(), "size", m.variances[c].size(), p,
                         "one entry " + per_feature(p));
    // Their inverse square roots whiten: zero or negative would divide by zero or give NaN.
    require_positive(function, variances.c_str(), m.variances[c]);
  }
}

template <class Model>
void validate_fisher_model(const char* function, const Model& m) {
  require_model_classes(function, m.classes, true);
  const Eigen::Index p = require_model_means(function, m.means, 2);
  require_model_extent(function, "model.direction", "size", m.direction.size(), p,
                       "one entry " + per_feature(p));
  require_finite(function, "model.direction", m.direction);
  require_finite_scalar(function, "model.threshold", static_cast<double>(m.threshold));
}

template <class Model>
void validate_mahalanobis_model(const char* function, const Model& m) {
  const Eigen::Index k = require_model_classes(function, m.classes);
  const Eigen::Index p = require_model_means(function, m.means, k);
  require_finite(function, "model.means", m.means);
  require_model_extent(function, "model.inverse_factor", "rows", m.inverse_factor.rows(), p,
                       "one row " + per_feature(p));
  require_model_extent(function, "model.inverse_factor", "columns", m.inverse_factor.cols(), p,
                       "one column " + per_feature(p));
  require_finite(function, "model.inverse_factor", m.inverse_factor);
}

// log p(class | x) from unnormalised log posteriors (one row per sample) by
// log-sum-exp: subtracting the row maximum first means a point far from every class
// mean (decision values of -1e6) still gets finite log probabilities, not -inf - -inf.
template <class S>
dmatrix<S> log_softmax_rows(dmatrix<S> decision) {
  const dvector<S> row_max = decision.rowwise().maxCoeff();
  decision.colwise() -= row_max;
  const dvector<S> log_sum = decision.array().exp().rowwise().sum().log().matrix();
  decision.colwise() -= log_sum;
  return decision;
}

// The class label with the largest score in each row (the first on ties, as numpy's argmax).
template <class S>
Eigen::VectorXi argmax_labels(const dmatrix<S>& scores, const Eigen::VectorXi& classes) {
  Eigen::VectorXi out(scores.rows());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    Eigen::Index best = 0;
    scores.row(i).maxCoeff(&best);
    out(i) = classes(best);
  }
  return out;
}

}  // namespace patron::detail
