// Logistic conversion model by Newton's method (IRLS) with Eigen, scorecard scaling,
// expected value and priority ranking.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {
namespace detail {

// log(1 + e^eta) without overflow.
inline double softplus(double eta) {
  return eta > 0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta));
}

inline void require_binary_labels(const char* fn, const char* argument,
                                  const Eigen::Ref<const Eigen::VectorXd>& y) {
  require_each(fn, argument, y, [](double v) { return v == 0.0 || v == 1.0; }, "must be 0 or 1");
}

inline void require_sample_weight(const char* fn, const Eigen::Ref<const Eigen::VectorXd>& w,
                                  Eigen::Index n) {
  if (w.size() == 0) return;
  require_same_length(fn, "sample_weight", static_cast<std::size_t>(w.size()), "y",
                      static_cast<std::size_t>(n));
  require_non_negative(fn, "sample_weight", w);
  if (!(w.sum() > 0)) throw_invalid(fn, "sample_weight must not all be zero");
}

// Every element of a matrix finite, reported as "X(row, col)" (row-major scan: the first
// bad lead). Works on a Ref, which has no linear access.
inline void require_finite_matrix(const char* fn, const char* argument,
                                  const Eigen::Ref<const Eigen::MatrixXd>& X) {
  if (X.allFinite()) return;
  for (Eigen::Index r = 0; r < X.rows(); ++r)
    for (Eigen::Index c = 0; c < X.cols(); ++c)
      if (!std::isfinite(X(r, c)))
        throw_invalid(fn, std::string(argument) + "(" + std::to_string(r) + ", " + std::to_string(c) +
                              ") (" + format_value(X(r, c)) + ") must be finite");
}

// Rows whose eta is beyond this are fitted as exactly 0 or 1 in double precision
// (e^-37 < 2^-53): a finite maximum likelihood estimate never needs them, so reaching it
// means the coefficients are running off to infinity along a separating direction.
constexpr double separation_log_odds = 37.0;

}  // namespace detail

inline logistic_model fit_logistic(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                   const Eigen::Ref<const Eigen::VectorXd>& y,
                                   const logistic_options& options,
                                   const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  constexpr const char* fn = "fit_logistic";
  detail::require(std::isfinite(options.l2) && options.l2 >= 0, fn, "options.l2", options.l2,
                  "must be finite and non-negative");
  detail::require(options.max_iterations >= 1, fn, "options.max_iterations", options.max_iterations,
                  "must be at least 1");
  detail::require(std::isfinite(options.tolerance) && options.tolerance > 0, fn, "options.tolerance",
                  options.tolerance, "must be finite and positive");
  if (options.class_weights == class_weighting::custom) {
    detail::require_positive_scalar(fn, "options.weight_0", options.weight_0);
    detail::require_positive_scalar(fn, "options.weight_1", options.weight_1);
  }
  detail::require_non_empty(fn, "X rows", static_cast<std::size_t>(X.rows()));
  detail::require_same_length(fn, "y", static_cast<std::size_t>(y.size()), "X rows",
                              static_cast<std::size_t>(X.rows()));
  detail::require_binary_labels(fn, "y", y);
  detail::require_finite_matrix(fn, "X", X);
  detail::require_sample_weight(fn, sample_weight, y.size());

  const Eigen::Index n = X.rows();
  const bool with_intercept = options.intercept == intercept_term::fit;
  const Eigen::Index offset = with_intercept ? 1 : 0;
  const Eigen::Index p = X.cols() + offset;
  // Design matrix with the intercept column first.
  Eigen::MatrixXd Z(n, p);
  if (with_intercept) Z.col(0).setOnes();
  Z.rightCols(X.cols()) = X;

  Eigen::VectorXd w = Eigen::VectorXd::Ones(n);
  if (sample_weight.size() != 0) w = sample_weight;
  double c0 = 1.0, c1 = 1.0;
  if (options.class_weights == class_weighting::balanced) {
    // scikit-learn's "balanced": n / (2 * count), counts unweighted.
    const double ones = y.sum(), total = static_cast<double>(n);
    c1 = ones > 0 ? total / (2.0 * ones) : 1.0;
    c0 = ones < total ? total / (2.0 * (total - ones)) : 1.0;
  } else if (options.class_weights == class_weighting::custom) {
    c0 = options.weight_0;
    c1 = options.weight_1;
  }
  w.array() *= (y.array() * c1 + (1.0 - y.array()) * c0);

  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(p, options.l2);
  if (with_intercept) penalty(0) = 0.0;

  // Penalised negative log-likelihood at eta = Z beta.
  const auto objective = [&](const Eigen::VectorXd& beta, const Eigen::VectorXd& eta) {
    double f = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) f += w(i) * (detail::softplus(eta(i)) - y(i) * eta(i));
    return f + 0.5 * (penalty.array() * beta.array().square()).sum();
  };

  logistic_model m;
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  const double wy = (w.array() * y.array()).sum(), wsum = w.sum();
  // Starting at the intercept-only fit saves an iteration or two.
  if (with_intercept && wy > 0 && wy < wsum) beta(0) = std::log(wy / (wsum - wy));
  Eigen::VectorXd eta = Z * beta;
  double f = objective(beta, eta);
  Eigen::VectorXd mu(n), gradient(p), step(p);
  Eigen::MatrixXd H(p, p);
  Eigen::LDLT<Eigen::MatrixXd> ldlt;
  const auto update_derivatives = [&]() {
    mu = (1.0 + (-eta).array().exp()).inverse().matrix();
    gradient = Z.transpose() * (w.array() * (mu.array() - y.array())).matrix();
    gradient.array() += penalty.array() * beta.array();
    const Eigen::VectorXd v = (w.array() * mu.array() * (1.0 - mu.array())).matrix();
    H.noalias() = Z.transpose() * (Z.array().colwise() * v.array()).matrix();
    H.diagonal() += penalty;
    ldlt.compute(H);
  };
  const auto singular = [&]() {
    const Eigen::VectorXd d = ldlt.vectorD();
    return ldlt.info() != Eigen::Success || !(d.minCoeff() > 1e-13 * d.cwiseAbs().maxCoeff());
  };

  m.status = fit_status::max_iterations;
  update_derivatives();
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    m.iterations = iteration;
    if (singular()) {
      m.status = fit_status::singular;
      break;
    }
    step = ldlt.solve(gradient);
    // Step halving keeps every iteration a descent step of the (convex) objective.
    double t = 1.0;
    Eigen::VectorXd trial_beta, trial_eta;
    double trial_f = f;
    for (int halving = 0; halving < 40; ++halving, t *= 0.5) {
      trial_beta = beta - t * step;
      trial_eta = Z * trial_beta;
      trial_f = objective(trial_beta, trial_eta);
      if (trial_f <= f + 1e-12 * std::abs(f)) break;
    }
    const double change = t * step.cwiseAbs().maxCoeff();
    beta = trial_beta;
    eta = trial_eta;
    f = trial_f;
    update_derivatives();
    if (change <= options.tolerance * (1.0 + beta.cwiseAbs().maxCoeff())) {
      m.status = fit_status::converged;
      break;
    }
    if (eta.cwiseAbs().maxCoeff() > detail::separation_log_odds) {
      m.status = fit_status::separation;
      break;
    }
  }
  if (m.status == fit_status::max_iterations && eta.cwiseAbs().maxCoeff() > 20.0)
    m.status = fit_status::separation;
  m.converged = m.status == fit_status::converged;
  m.gradient_norm = gradient.cwiseAbs().maxCoeff();
  m.intercept = with_intercept ? beta(0) : 0.0;
  m.coefficients = beta.tail(X.cols());
  m.log_likelihood = -(f - 0.5 * (penalty.array() * beta.array().square()).sum());
  if (with_intercept && wy > 0 && wy < wsum) {
    const double rate = wy / wsum;
    m.null_log_likelihood = wy * std::log(rate) + (wsum - wy) * std::log1p(-rate);
  } else if (!with_intercept) {
    m.null_log_likelihood = -wsum * std::log(2.0);
  }
  switch (m.status) {
    case fit_status::converged:
      m.message = "converged";
      break;
    case fit_status::max_iterations:
      m.message = "reached options.max_iterations (" + std::to_string(options.max_iterations) +
                  ") before the Newton step fell below options.tolerance";
      break;
    case fit_status::separation:
      m.message =
          "the classes are (quasi-)completely separated: the maximum likelihood estimate does "
          "not exist (coefficients diverge); set options.l2 > 0 (e.g. 1) or remove the "
          "separating feature";
      break;
    case fit_status::singular:
      m.message =
          "X'WX is singular: the columns of X (with the intercept) are linearly dependent or "
          "constant; drop a column or set options.l2 > 0";
      break;
  }
  const bool inference = m.converged && options.l2 == 0.0 &&
                         options.class_weights == class_weighting::none;
  if (inference) {
    m.covariance = ldlt.solve(Eigen::MatrixXd::Identity(p, p));
    m.standard_error = m.covariance.diagonal().cwiseSqrt();
    m.z = beta.cwiseQuotient(m.standard_error);
    const boost::math::normal standard_normal;
    m.p_value.resize(p);
    for (Eigen::Index j = 0; j < p; ++j)
      m.p_value(j) = 2.0 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(m.z(j))));
  }
  return m;
}

inline Eigen::VectorXd logistic_model::predict_log_odds(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  constexpr const char* fn = "logistic_model::predict_log_odds";
  if (X.cols() != coefficients.size())
    detail::throw_invalid(fn, "X has " + std::to_string(X.cols()) + " columns but the model has " +
                                  std::to_string(coefficients.size()) + " coefficients");
  detail::require_finite_matrix(fn, "X", X);
  return ((X * coefficients).array() + intercept).matrix();
}

inline Eigen::VectorXd logistic_model::predict_probability(
    const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  return (1.0 + (-predict_log_odds(X)).array().exp()).inverse().matrix();
}

inline Eigen::VectorXd scorecard_points(const Eigen::Ref<const Eigen::VectorXd>& log_odds,
                                        const scorecard_scaling& scaling) {
  constexpr const char* fn = "scorecard_points";
  detail::require_finite_scalar(fn, "scaling.base_points", scaling.base_points);
  detail::require_positive_scalar(fn, "scaling.base_odds", scaling.base_odds);
  detail::require_positive_scalar(fn, "scaling.pdo", scaling.pdo);
  detail::require_finite(fn, "log_odds", log_odds);
  const double factor = scaling.pdo / std::log(2.0);
  const double offset = scaling.base_points - factor * std::log(scaling.base_odds);
  return (offset + factor * log_odds.array()).matrix();
}

inline Eigen::VectorXd expected_value(const Eigen::Ref<const Eigen::VectorXd>& probability,
                                      const Eigen::Ref<const Eigen::VectorXd>& deal_value) {
  constexpr const char* fn = "expected_value";
  detail::require_same_length(fn, "probability", static_cast<std::size_t>(probability.size()),
                              "deal_value", static_cast<std::size_t>(deal_value.size()));
  detail::require_each(fn, "probability", probability,
                       [](double v) { return v >= 0.0 && v <= 1.0; }, "must be in [0, 1]");
  detail::require_non_negative(fn, "deal_value", deal_value);
  return probability.cwiseProduct(deal_value);
}

inline std::vector<Eigen::Index> priority_order(const Eigen::Ref<const Eigen::VectorXd>& value) {
  detail::require_finite("priority_order", "value", value);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(value.size()));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return value(a) > value(b); });
  return order;
}

}  // namespace patron
