// Machinery shared by the CLV models (patron/clv.hpp): compressed (x, t_x, T)
// patterns, input validation naming the customer row, the fit options and report, and
// the fitting driver (log parameters, L2 penalty, standard errors from the Hessian).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "patron/core/optimize.hpp"
#include "patron/core/validate.hpp"

namespace patron {

// Options shared by every CLV model fit.
struct clv_fit_options {
  // L2 penalty on the log parameters: the fit minimises
  //   -LL / (total weight) + l2_penalty * sum_k log(theta_k)^2,
  // the same way for every model (>= 0; default 0, plain maximum likelihood). It pulls
  // parameters towards 1 and tames fits on tiny or degenerate data.
  double l2_penalty = 0.0;
  // Optimiser settings (patron::minimize). The gradient tolerance applies to the
  // per-customer objective above.
  minimize_options optimizer{};
  // Compute the covariance of the estimates from the Hessian (a few extra likelihood
  // evaluations).
  bool standard_errors = true;
};

// What a fit did. Non-convergence is reported here, never thrown.
struct clv_fit_report {
  double log_likelihood = 0.0;  // sum over customers (weights applied), without the penalty
  double l2_penalty = 0.0;      // as used
  double total_weight = 0.0;    // number of customers (sum of weights)
  std::size_t patterns = 0;     // distinct data patterns the likelihood was evaluated on
  bool converged = false;
  int iterations = 0;
  double gradient_norm = 0.0;   // infinity norm, per-customer objective, log parameters
  std::string message;
  std::vector<std::string> parameter_names;
  // Covariance of the natural parameters (order of parameter_names) from the inverse
  // Hessian of the penalised negative log-likelihood; empty when the Hessian is not
  // positive definite or standard errors were not requested.
  std::optional<Eigen::MatrixXd> covariance;

  // Standard errors (square roots of the covariance diagonal), if available.
  [[nodiscard]] std::optional<Eigen::VectorXd> standard_errors() const {
    if (!covariance) return std::nullopt;
    return Eigen::VectorXd(covariance->diagonal().array().sqrt());
  }
};

// Customers compressed to distinct (x, t_x, T) patterns with a weight (the number of
// customers sharing the pattern), ordered by x, then T, then t_x. Memory is
// proportional to the number of patterns.
struct btyd_patterns {
  Eigen::VectorXd x, t_x, T, weight;
  [[nodiscard]] Eigen::Index size() const { return x.size(); }
};

namespace detail {

// Double precision everywhere: Boost's default promotion to long double costs time
// and buys nothing at patron's tolerances.
using clv_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

inline void validate_clv_options(const char* function, const clv_fit_options& options) {
  require(std::isfinite(options.l2_penalty) && options.l2_penalty >= 0.0, function,
          "options.l2_penalty", options.l2_penalty, "must be finite and non-negative");
}

// One customer's (x, t_x, T), checked: the first bad row is named.
inline void validate_btyd_row(const char* function, std::size_t i, double x, double t_x,
                              double T) {
  if (!(std::isfinite(x) && x >= 0.0 && x == std::floor(x)))
    throw_invalid_element(function, "x", i, x, "must be a non-negative integer");
  if (!(std::isfinite(T) && T > 0.0))
    throw_invalid_element(function, "T", i, T, "must be finite and positive");
  if (!(std::isfinite(t_x) && t_x >= 0.0))
    throw_invalid_element(function, "t_x", i, t_x, "must be finite and non-negative");
  if (t_x > T)
    throw_invalid_element(function, "t_x", i, t_x,
                          "exceeds T[" + std::to_string(i) + "] (" + format_value(T) + ")");
  if (x > 0.0 && t_x == 0.0)
    throw_invalid_element(function, "t_x", i, t_x,
                          "must be positive when x[" + std::to_string(i) + "] (" +
                              format_value(x) + ") is positive");
  if (x == 0.0 && t_x != 0.0)
    throw_invalid_element(function, "t_x", i, t_x,
                          "must be 0 when x[" + std::to_string(i) +
                              "] is 0 (t_x is the age at the last repeat purchase, not the "
                              "time since it)");
}

inline void validate_btyd(const char* function, const Eigen::Ref<const Eigen::VectorXd>& x,
                          const Eigen::Ref<const Eigen::VectorXd>& t_x,
                          const Eigen::Ref<const Eigen::VectorXd>& T) {
  require_same_length(function, "x", static_cast<std::size_t>(x.size()), "t_x",
                      static_cast<std::size_t>(t_x.size()));
  require_same_length(function, "x", static_cast<std::size_t>(x.size()), "T",
                      static_cast<std::size_t>(T.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i)
    validate_btyd_row(function, static_cast<std::size_t>(i), x(i), t_x(i), T(i));
}

inline void validate_weights(const char* function, const Eigen::Ref<const Eigen::VectorXd>& weights,
                             Eigen::Index rows) {
  require_same_length(function, "x", static_cast<std::size_t>(rows), "weights",
                      static_cast<std::size_t>(weights.size()));
  require_non_negative(function, "weights", weights);
  require(weights.sum() > 0.0, function, "weights", weights.sum(), "must not all be zero");
}

// Sort-and-merge compression. The only per-customer memory is one index array.
inline btyd_patterns compress(const Eigen::Ref<const Eigen::VectorXd>& x,
                              const Eigen::Ref<const Eigen::VectorXd>& t_x,
                              const Eigen::Ref<const Eigen::VectorXd>& T,
                              const Eigen::VectorXd* weights) {
  const Eigen::Index n = x.size();
  std::vector<std::uint32_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0u);
  auto key_less = [&](std::uint32_t i, std::uint32_t j) {
    if (x(i) != x(j)) return x(i) < x(j);
    if (T(i) != T(j)) return T(i) < T(j);
    return t_x(i) < t_x(j);
  };
  std::sort(order.begin(), order.end(), [&](std::uint32_t i, std::uint32_t j) {
    return key_less(i, j) || (!key_less(j, i) && i < j);
  });
  std::size_t distinct = 0;
  for (std::size_t k = 0; k < order.size(); ++k)
    if (k == 0 || key_less(order[k - 1], order[k])) ++distinct;
  btyd_patterns p;
  p.x.resize(static_cast<Eigen::Index>(distinct));
  p.t_x.resizeLike(p.x);
  p.T.resizeLike(p.x);
  p.weight = Eigen::VectorXd::Zero(p.x.size());
  Eigen::Index out = -1;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::uint32_t i = order[k];
    if (k == 0 || key_less(order[k - 1], i)) {
      ++out;
      p.x(out) = x(i);
      p.t_x(out) = t_x(i);
      p.T(out) = T(i);
    }
    p.weight(out) += weights ? (*weights)(i) : 1.0;
  }
  return p;
}

// Near the optimum a likelihood summed over many customers is flat to within its
// rounding noise, so patron::minimize's value-based tests (line search, Newton polish
// "accept if lower") can stop with the gradient a little above tolerance. Newton steps
// on the analytic gradient, accepted while they shrink the gradient, finish the job:
// they need no value comparison.
template <class Objective>
void polish_gradient(Objective& objective, minimize_result& m, double tolerance) {
  if (!std::isfinite(m.value)) return;
  Eigen::VectorXd gradient(m.x.size());
  for (int step = 0; step < 8 && m.gradient_norm > tolerance; ++step) {
    const Eigen::MatrixXd hessian = hessian_from_gradient(objective, m.x);
    Eigen::LDLT<Eigen::MatrixXd> ldlt(hessian);
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive()) return;
    const Eigen::VectorXd trial = m.x - ldlt.solve(m.gradient);
    const double value = objective(trial, gradient);
    const double norm = gradient.lpNorm<Eigen::Infinity>();
    if (!std::isfinite(value) || !gradient.allFinite() || !(norm < m.gradient_norm)) return;
    m.x = trial;
    m.value = value;
    m.gradient = gradient;
    m.gradient_norm = norm;
    ++m.iterations;
    if (norm <= tolerance) {
      m.converged = true;
      m.message = "converged: gradient norm below tolerance after Newton steps on the gradient";
    }
  }
}

// Result of the fitting driver: natural parameters and the report.
struct fitted_parameters {
  Eigen::VectorXd theta;
  clv_fit_report report;
};

// Minimises the per-customer penalised negative log-likelihood over log parameters.
// `total_nll(u, gradient)` returns the weighted total negative log-likelihood at
// theta = exp(u) and its gradient with respect to u.
template <class TotalNll>
fitted_parameters fit_log_parameters(TotalNll&& total_nll, const Eigen::VectorXd& u0,
                                     double total_weight, std::size_t patterns,
                                     const clv_fit_options& options,
                                     std::vector<std::string> names) {
  const double lambda = options.l2_penalty;
  auto objective = [&](const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
    const double value = total_nll(u, gradient);
    gradient = gradient / total_weight + 2.0 * lambda * u;
    return value / total_weight + lambda * u.squaredNorm();
  };
  minimize_result m = minimize(objective, u0, options.optimizer);
  polish_gradient(objective, m, options.optimizer.gradient_tolerance);
  fitted_parameters out;
  out.theta = m.x.array().exp();
  clv_fit_report& r = out.report;
  Eigen::VectorXd unused(u0.size());
  r.log_likelihood = -total_nll(m.x, unused);
  r.l2_penalty = lambda;
  r.total_weight = total_weight;
  r.patterns = patterns;
  r.converged = m.converged;
  r.iterations = m.iterations;
  r.gradient_norm = m.gradient_norm;
  r.message = m.message;
  r.parameter_names = std::move(names);
  if (options.standard_errors && std::isfinite(m.value)) {
    // Hessian in log parameters of the total objective; delta method to theta.
    Eigen::MatrixXd h = hessian_from_gradient(objective, m.x) * total_weight;
    if (auto cov = covariance_from_hessian(h)) {
      const Eigen::VectorXd d = out.theta;
      r.covariance = d.asDiagonal() * (*cov) * d.asDiagonal();
    }
  }
  return out;
}

// log(1 + exp(u)) without overflow, and its derivative 1 / (1 + exp(-u)).
inline double softplus(double u) { return u > 0 ? u + std::log1p(std::exp(-u)) : std::log1p(std::exp(u)); }
inline double logistic(double u) {
  return u > 0 ? 1.0 / (1.0 + std::exp(-u)) : std::exp(u) / (1.0 + std::exp(u));
}

}  // namespace detail

// Compresses customers' (x, t_x, T) to distinct patterns with counts (or summed
// weights). Fitting the patterns with their weights gives exactly the fit on the rows.
[[nodiscard]] inline btyd_patterns compress_btyd(const Eigen::Ref<const Eigen::VectorXd>& x,
                                                 const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                                 const Eigen::Ref<const Eigen::VectorXd>& T) {
  detail::validate_btyd("compress_btyd", x, t_x, T);
  detail::require_non_empty("compress_btyd", "x", static_cast<std::size_t>(x.size()));
  return detail::compress(x, t_x, T, nullptr);
}

}  // namespace patron
