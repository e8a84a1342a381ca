// The optimiser every likelihood fit in patron goes through: LBFGS++ on an
// unconstrained parameter vector (fits use log parameters), made safe for maximum
// likelihood work, then polished by a few Newton steps on a finite-difference Hessian
// of the analytic gradient so that fitted values agree with the references to their
// last printed digit.
//
// What the wrapper adds to LBFGS++:
// - a non-finite objective or gradient is treated as +inf, so the line search backs
//   off instead of accepting a NaN step;
// - LBFGS++ reports line-search trouble by exception and leaves x at the failed trial
//   point; the wrapper keeps the best point seen and reports the failure as a status;
// - a result you can inspect: converged, iterations, gradient norm, message.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <LBFGS.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "patron/core/validate.hpp"

namespace patron {

struct minimize_options {
  int max_iterations = 500;          // L-BFGS iterations (>= 1)
  double gradient_tolerance = 1e-8;  // converged when ||grad||_inf <= this (absolute)
  int memory = 10;                   // L-BFGS correction pairs
  int newton_steps = 8;              // Newton polish steps after L-BFGS (0 disables)
};

struct minimize_result {
  Eigen::VectorXd x;         // best point found
  double value = 0.0;        // objective at x
  Eigen::VectorXd gradient;  // gradient at x
  double gradient_norm = 0;  // infinity norm of the gradient at x
  int iterations = 0;        // L-BFGS iterations plus Newton steps taken
  bool converged = false;    // gradient_norm <= gradient_tolerance
  std::string message;       // why the optimiser stopped
};

namespace detail {

// Thrown by guarded_objective when a trial point already meets the gradient tolerance:
// LBFGS++ tests convergence only after a line search, and on a likelihood that is flat
// within its rounding noise next to the optimum the search can spend all its
// max_linesearch evaluations failing the sufficient-decrease test there.
struct gradient_tolerance_met : std::exception {};

// Objective signature: double f(const Eigen::VectorXd& x, Eigen::VectorXd& gradient).
template <class Objective>
class guarded_objective {
 public:
  guarded_objective(Objective& f, double tolerance) : f_(f), tolerance_(tolerance) {}

  double operator()(const Eigen::VectorXd& x, Eigen::VectorXd& gradient) {
    double value = f_(x, gradient);
    if (!std::isfinite(value) || !gradient.allFinite()) {
      gradient.setZero();
      return std::numeric_limits<double>::infinity();
    }
    if (!best_x_ || value < best_value_) {
      best_x_ = x;
      best_value_ = value;
      best_gradient_ = gradient;
    }
    if (stop_when_met_ && gradient.template lpNorm<Eigen::Infinity>() <= tolerance_) {
      met_x_ = x;
      met_value_ = value;
      met_gradient_ = gradient;
      throw gradient_tolerance_met{};
    }
    return value;
  }

  // While set (the L-BFGS phase), a point meeting the tolerance ends the run.
  void stop_when_met(bool on) { stop_when_met_ = on; }
  // The point at which the tolerance was met, if any (it may not be the lowest value).
  const std::optional<Eigen::VectorXd>& met_x() const { return met_x_; }
  double met_value() const { return met_value_; }
  const Eigen::VectorXd& met_gradient() const { return met_gradient_; }
  bool has_best() const { return best_x_.has_value(); }
  const Eigen::VectorXd& best_x() const { return *best_x_; }
  double best_value() const { return best_value_; }
  const Eigen::VectorXd& best_gradient() const { return best_gradient_; }

 private:
  Objective& f_;
  double tolerance_;
  bool stop_when_met_ = false;
  std::optional<Eigen::VectorXd> met_x_;
  double met_value_ = 0.0;
  Eigen::VectorXd met_gradient_;
  std::optional<Eigen::VectorXd> best_x_;
  double best_value_ = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_gradient_;
};

}  // namespace detail

// Hessian by central differences of an analytic gradient, symmetrised. The step is
// scaled to each coordinate (cube root of epsilon, the optimum for central differences).
template <class Objective>
Eigen::MatrixXd hessian_from_gradient(Objective&& f, const Eigen::VectorXd& x) {
  const Eigen::Index n = x.size();
  Eigen::MatrixXd hessian(n, n);
  Eigen::VectorXd g_plus(n), g_minus(n), probe = x;
  const double base_step = std::cbrt(std::numeric_limits<double>::epsilon());
  for (Eigen::Index j = 0; j < n; ++j) {
    const double h = base_step * std::max(1.0, std::abs(x(j)));
    probe(j) = x(j) + h;
    f(probe, g_plus);
    probe(j) = x(j) - h;
    f(probe, g_minus);
    probe(j) = x(j);
    hessian.col(j) = (g_plus - g_minus) / (2.0 * h);
  }
  return 0.5 * (hessian + hessian.transpose());
}

// Inverse of a Hessian of a negative log-likelihood, i.e. the asymptotic covariance of
// the estimates; empty when the Hessian is not positive definite (a saddle or a flat
// direction), so callers report "standard errors unavailable" instead of NaN.
inline std::optional<Eigen::MatrixXd> covariance_from_hessian(const Eigen::MatrixXd& hessian) {
  if (!hessian.allFinite()) return std::nullopt;
  Eigen::LLT<Eigen::MatrixXd> llt(hessian);
  if (llt.info() != Eigen::Success) return std::nullopt;
  Eigen::MatrixXd covariance = llt.solve(Eigen::MatrixXd::Identity(hessian.rows(), hessian.cols()));
  if (!covariance.allFinite() || (covariance.diagonal().array() <= 0.0).any()) return std::nullopt;
  return covariance;
}

template <class Objective>
[[nodiscard]] minimize_result minimize(Objective&& f, const Eigen::VectorXd& x0,
                                       const minimize_options& options = {}) {
  detail::require(options.max_iterations >= 1, "minimize", "options.max_iterations",
                  options.max_iterations, "must be at least 1");
  detail::require(options.memory >= 1, "minimize", "options.memory", options.memory,
                  "must be at least 1");
  detail::require(options.gradient_tolerance > 0.0, "minimize", "options.gradient_tolerance",
                  options.gradient_tolerance, "must be positive");
  detail::require(options.newton_steps >= 0, "minimize", "options.newton_steps",
                  options.newton_steps, "must be non-negative");
  detail::require_finite("minimize", "x0", x0);
  using objective_type = std::remove_reference_t<Objective>;
  detail::guarded_objective<objective_type> guarded(f, options.gradient_tolerance);

  LBFGSpp::LBFGSParam<double> param;
  param.m = options.memory;
  param.epsilon = options.gradient_tolerance;
  param.epsilon_rel = 0.0;
  param.max_iterations = options.max_iterations;
  param.max_linesearch = 60;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;

  minimize_result result;
  Eigen::VectorXd x = x0;
  double fx = 0.0;
  try {
    LBFGSpp::LBFGSSolver<double> solver(param);
    guarded.stop_when_met(true);
    result.iterations = solver.minimize(guarded, x, fx);
    result.message = "L-BFGS stopped";
  } catch (const detail::gradient_tolerance_met&) {
    result.message = "L-BFGS: gradient tolerance met during a line search";
  } catch (const std::exception& e) {
    // Line-search failures near the optimum are common in double precision; the
    // Newton polish below usually finishes the job from the best point.
    result.message = std::string("L-BFGS: ") + e.what();
  }
  if (!guarded.has_best()) {
    result.x = x0;
    result.value = std::numeric_limits<double>::infinity();
    result.gradient = Eigen::VectorXd::Zero(x0.size());
    result.gradient_norm = std::numeric_limits<double>::infinity();
    result.message = "objective is not finite at the starting point";
    return result;
  }

  guarded.stop_when_met(false);
  const bool met = guarded.met_x().has_value();
  Eigen::VectorXd best_x = met ? *guarded.met_x() : guarded.best_x();
  double best_value = met ? guarded.met_value() : guarded.best_value();
  Eigen::VectorXd best_gradient = met ? guarded.met_gradient() : guarded.best_gradient();

  // Newton polish. A step is accepted if it lowers the objective, or if it shrinks the
  // gradient while the objective rises by at most 1e-9 relative: likelihoods summed over
  // 10^5+ customers, or built from series such as 2F1, are only that accurate, so near
  // the optimum their values cannot tell steps apart and the gradient still can.
  Eigen::VectorXd trial_gradient(x0.size());
  constexpr double value_accuracy = 1e-9;
  for (int step = 0; step < options.newton_steps; ++step) {
    const double gradient_norm = best_gradient.lpNorm<Eigen::Infinity>();
    if (gradient_norm <= options.gradient_tolerance * 1e-3) break;
    Eigen::MatrixXd hessian = hessian_from_gradient(guarded, best_x);
    Eigen::LDLT<Eigen::MatrixXd> ldlt(hessian);
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive()) break;
    Eigen::VectorXd trial = best_x - ldlt.solve(best_gradient);
    if (!trial.allFinite()) break;
    const double trial_value = guarded(trial, trial_gradient);
    const bool lower = trial_value <= best_value;
    const bool flatter = std::isfinite(trial_value) &&
                         trial_value <= best_value + value_accuracy * std::abs(best_value) &&
                         trial_gradient.lpNorm<Eigen::Infinity>() < gradient_norm;
    if (!lower && !flatter) break;
    best_x = trial;
    best_value = trial_value;
    best_gradient = trial_gradient;
    ++result.iterations;
  }

  result.x = std::move(best_x);
  result.value = best_value;
  result.gradient = std::move(best_gradient);
  result.gradient_norm = result.gradient.template lpNorm<Eigen::Infinity>();
  result.converged = result.gradient_norm <= options.gradient_tolerance;
  if (result.converged) result.message = "converged: gradient norm below tolerance";
  return result;
}

}  // namespace patron
