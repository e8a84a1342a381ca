// Implementation of the shifted-beta-geometric and beta-discrete-Weibull models of
// patron/churn.hpp. Both share one likelihood: the sBG is the BdW with c fixed at 1.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/series.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "patron/core/math_policy.hpp"
#include "patron/core/error.hpp"
#include "patron/core/optimize.hpp"
#include "patron/core/special.hpp"
#include "patron/core/validate.hpp"

namespace patron::detail {

// log B(a, b + t^c) - log B(a, b) = log S(t) of the BdW, and its gradient with respect
// to (a, b, c). t = 0 gives S = 1 exactly.
struct log_survival_value {
  double value = 0.0;
  double d_alpha = 0.0, d_beta = 0.0, d_c = 0.0;
};

inline log_survival_value bdw_log_survival(double a, double b, double c, double t,
                                           bool with_gradient) {
  log_survival_value s;
  if (t == 0.0) return s;
  const double tc = c == 1.0 ? t : std::pow(t, c);
  const double y = b + tc;
  if (c == 1.0 && b > 1e4 * t) {
    // sBG far beyond its durations (a, b -> inf: one churn probability for everyone):
    // lgamma differences of size b log(b) would cancel; (b)_t / (a+b)_t as sums of logs.
    s.value = log_rising_factorial(b, t) - log_rising_factorial(a + b, t);
  } else {
    s.value = log_gamma(y) - log_gamma(a + y) - log_gamma(b) + log_gamma(a + b);
  }
  if (with_gradient) {
    using boost::math::digamma;
    const double psi_ab = digamma(a + b), psi_ay = digamma(a + y), psi_y = digamma(y);
    s.d_alpha = psi_ab - psi_ay;
    s.d_beta = psi_y - psi_ay - digamma(b) + psi_ab;
    s.d_c = t == 1.0 ? 0.0 : (psi_y - psi_ay) * tc * std::log(t);
  }
  return s;
}

// log P(T = t) = log(S(t - 1) - S(t)) from the two log survivals, in log space.
inline log_survival_value log_churn_from_survivals(const log_survival_value& before,
                                                   const log_survival_value& after) {
  // log r(t) <= 0; a rounding excess (log-gammas of huge arguments) would give log of a
  // negative number.
  const double step = std::min(after.value - before.value, 0.0);
  log_survival_value p;
  p.value = before.value + std::log(-std::expm1(step));
  // d log P = d log S(t-1) + q (d log S(t-1) - d log S(t)), q = r / (1 - r).
  const double q = std::exp(step) / -std::expm1(step);
  p.d_alpha = before.d_alpha + q * (before.d_alpha - after.d_alpha);
  p.d_beta = before.d_beta + q * (before.d_beta - after.d_beta);
  p.d_c = before.d_c + q * (before.d_c - after.d_c);
  return p;
}

// Durations compressed to their distinct values: the likelihood costs O(distinct
// durations) whatever the number of customers.
struct duration_cell {
  double t;         // period (>= 1)
  double events;    // weight of customers who churned in period t
  double censored;  // weight of customers known to be active after t periods
};

struct retention_data {
  std::vector<duration_cell> cells;
  double total = 0.0;
  double events = 0.0;
  double events_in_first_period = 0.0;
};

inline void finish_data(retention_data& data) {
  for (const auto& cell : data.cells) {
    data.total += cell.events + cell.censored;
    data.events += cell.events;
    if (cell.t == 1.0) data.events_in_first_period += cell.events;
  }
}

inline retention_data data_from_counts(const char* fn, const Eigen::Ref<const Eigen::VectorXd>& alive) {
  require(alive.size() >= 2, fn, "alive.size()", alive.size(),
          "must be at least 2 (periods 0 and 1)");
  require_non_negative(fn, "alive", alive);
  require(alive(0) > 0.0, fn, "alive[0]", alive(0), "must be positive");
  for (Eigen::Index t = 1; t < alive.size(); ++t)
    if (alive(t) > alive(t - 1))
      throw_invalid_element(fn, "alive", static_cast<std::size_t>(t), alive(t),
                            "exceeds the previous period's count: survival counts must not increase");
  retention_data data;
  const Eigen::Index last = alive.size() - 1;
  for (Eigen::Index t = 1; t <= last; ++t) {
    const double lost = alive(t - 1) - alive(t);
    const double still = t == last ? alive(last) : 0.0;
    if (lost > 0.0 || still > 0.0) data.cells.push_back({static_cast<double>(t), lost, still});
  }
  finish_data(data);
  return data;
}

inline retention_data data_from_durations(const char* fn,
                                          const Eigen::Ref<const Eigen::VectorXd>& durations,
                                          const Eigen::Ref<const Eigen::VectorXd>& event,
                                          const Eigen::Ref<const Eigen::VectorXd>& weight) {
  const auto n = static_cast<std::size_t>(durations.size());
  require_non_empty(fn, "durations", n);
  require_same_length(fn, "durations", n, "event", static_cast<std::size_t>(event.size()));
  if (weight.size() != 0)
    require_same_length(fn, "durations", n, "weight", static_cast<std::size_t>(weight.size()));
  // 2^53: beyond it consecutive integers are no longer distinct doubles.
  require_each(fn, "durations", durations,
               [](double t) { return std::isfinite(t) && t >= 1.0 && t <= 9007199254740992.0 && t == std::floor(t); },
               "must be a whole number of periods >= 1");
  require_each(fn, "event", event, [](double e) { return e == 0.0 || e == 1.0; }, "must be 0 or 1");
  if (weight.size() != 0) require_non_negative(fn, "weight", weight);

  retention_data data;
  // A dense table indexed by duration when the durations are short (the usual case, at
  // most 24 MB), an ordered map when some are very long.
  std::map<double, duration_cell> by_period;
  const double largest = durations.maxCoeff();
  const bool dense = largest <= static_cast<double>(1u << 20);
  std::vector<duration_cell> dense_cells(dense ? static_cast<std::size_t>(largest) + 1 : 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    const double w = weight.size() != 0 ? weight(k) : 1.0;
    auto& cell = dense ? dense_cells[static_cast<std::size_t>(durations(k))] : by_period[durations(k)];
    (event(k) == 1.0 ? cell.events : cell.censored) += w;
  }
  if (dense) {
    for (std::size_t t = 1; t < dense_cells.size(); ++t)
      if (dense_cells[t].events > 0.0 || dense_cells[t].censored > 0.0)
        data.cells.push_back({static_cast<double>(t), dense_cells[t].events, dense_cells[t].censored});
  } else {
    for (const auto& [t, cell] : by_period)
      if (cell.events > 0.0 || cell.censored > 0.0) data.cells.push_back({t, cell.events, cell.censored});
  }
  finish_data(data);
  require(data.total > 0.0, fn, "sum(weight)", data.total, "must be positive");
  require(std::isfinite(data.total), fn, "sum(weight)", data.total, "must be finite");
  return data;
}

// Mean negative log-likelihood over the customers, in log parameters (log a, log b
// [, log c]); dividing by the total weight keeps the gradient tolerance meaningful from
// 100 to 10^7 customers.
class retention_objective {
 public:
  retention_objective(const retention_data& data, bool fit_c) : data_(data), fit_c_(fit_c) {}

  double operator()(const Eigen::VectorXd& x, Eigen::VectorXd& gradient) const {
    const double a = std::exp(x(0)), b = std::exp(x(1)), c = fit_c_ ? std::exp(x(2)) : 1.0;
    gradient.setZero(x.size());
    if (!(a > 0.0 && b > 0.0 && c > 0.0) || !std::isfinite(a + b + c))
      return std::numeric_limits<double>::infinity();
    double ll = 0.0, ga = 0.0, gb = 0.0, gc = 0.0;
    auto add = [&](double w, const log_survival_value& term) {
      ll += w * term.value;
      ga += w * term.d_alpha;
      gb += w * term.d_beta;
      gc += w * term.d_c;
    };
    for (const auto& cell : data_.cells) {
      const auto after = bdw_log_survival(a, b, c, cell.t, true);
      if (cell.censored > 0.0) add(cell.censored, after);
      if (cell.events > 0.0)
        add(cell.events, log_churn_from_survivals(bdw_log_survival(a, b, c, cell.t - 1.0, true), after));
    }
    gradient(0) = -ga * a / data_.total;
    gradient(1) = -gb * b / data_.total;
    if (fit_c_) gradient(2) = -gc * c / data_.total;
    return -ll / data_.total;
  }

 private:
  const retention_data& data_;
  bool fit_c_;
};

inline void validate_fit_options(const char* fn, const retention_fit_options& o) {
  require(o.max_iterations >= 1, fn, "options.max_iterations", o.max_iterations, "must be at least 1");
  require(std::isfinite(o.gradient_tolerance) && o.gradient_tolerance > 0.0, fn,
          "options.gradient_tolerance", o.gradient_tolerance, "must be finite and positive");
  require_probability_open(fn, "options.confidence_level", o.confidence_level);
}

struct retention_fit {
  minimize_result optimum;
  double log_likelihood = 0.0;
  std::optional<Eigen::MatrixXd> log_covariance;
  std::string boundary;  // non-empty when the data put the optimum on the boundary
};

inline retention_fit fit_retention(const retention_data& data, const Eigen::VectorXd& x0,
                                   const retention_fit_options& options) {
  retention_objective objective(data, x0.size() == 3);
  minimize_options mo;
  mo.max_iterations = options.max_iterations;
  mo.gradient_tolerance = options.gradient_tolerance;
  retention_fit fit;
  fit.optimum = minimize(objective, x0, mo);
  fit.log_likelihood = -fit.optimum.value * data.total;
  if (data.events == 0.0)
    fit.boundary = "no churn observed: the likelihood keeps rising towards zero churn (alpha -> 0 or "
                   "beta -> infinity), so there is no finite maximum-likelihood estimate";
  else if (data.events_in_first_period == data.total)
    fit.boundary = "every customer churned in period 1: the likelihood keeps rising towards a churn "
                   "probability of 1 (beta -> 0), so there is no finite maximum-likelihood estimate";
  if (fit.boundary.empty() && x0.size() == 2 && std::isfinite(fit.optimum.value)) {
    // The sBG's other boundary: alpha, beta -> inf at a fixed ratio, one churn probability
    // for everyone (a geometric lifetime). Both log parameters moved 30 further (times
    // 1e13): a log-likelihood there not below the fit's by more than 1e-9 per customer
    // means the supremum lies on that boundary (as clv_fit_report::boundary_parameters).
    Eigen::VectorXd far = fit.optimum.x.array() + 30.0, unused(2);
    if (objective(far, unused) <= fit.optimum.value + 1e-9) {
      const double a = std::exp(fit.optimum.x(0)), b = std::exp(fit.optimum.x(1));
      fit.boundary = "one churn probability for everyone: the likelihood keeps rising as alpha, beta -> infinity "
                     "at a fixed ratio (a geometric lifetime, churn probability alpha / (alpha + beta) = " +
                     format_value(a / (a + b)) + "), so there is no finite maximum-likelihood estimate";
    }
  }
  if (fit.boundary.empty() && std::isfinite(fit.optimum.value)) {
    const Eigen::MatrixXd hessian = hessian_from_gradient(objective, fit.optimum.x) * data.total;
    fit.log_covariance = covariance_from_hessian(hessian);
  }
  return fit;
}

// Copies the optimiser's status into a model (sbg_model or bdw_model).
template <class Model>
void set_status(Model& m, const retention_fit& fit, const retention_data& data,
                const retention_fit_options& options) {
  m.log_likelihood = fit.log_likelihood;
  m.customers = data.total;
  m.iterations = fit.optimum.iterations;
  m.gradient_norm = fit.optimum.gradient_norm;
  m.converged = fit.optimum.converged && fit.boundary.empty();
  m.message = fit.boundary.empty() ? fit.optimum.message : fit.boundary;
  m.confidence_level = options.confidence_level;
}

inline std::optional<double> standard_error(const std::optional<Eigen::MatrixXd>& cov, int i, double value) {
  if (!cov) return std::nullopt;
  return value * std::sqrt((*cov)(i, i));  // delta method from log scale
}

inline sbg_model make_sbg(const retention_data& data, const retention_fit_options& options) {
  const auto fit = fit_retention(data, Eigen::VectorXd::Zero(2), options);
  sbg_model m;
  m.alpha = std::exp(fit.optimum.x(0));
  m.beta = std::exp(fit.optimum.x(1));
  set_status(m, fit, data, options);
  if (fit.log_covariance) m.log_covariance = Eigen::Matrix2d(*fit.log_covariance);
  m.alpha_se = standard_error(fit.log_covariance, 0, m.alpha);
  m.beta_se = standard_error(fit.log_covariance, 1, m.beta);
  return m;
}

inline bdw_model make_bdw(const retention_data& data, const retention_fit_options& options) {
  const sbg_model start = make_sbg(data, options);
  Eigen::VectorXd x0(3);
  x0 << std::log(start.alpha), std::log(start.beta), 0.0;
  const auto fit = fit_retention(data, x0, options);
  bdw_model m;
  m.alpha = std::exp(fit.optimum.x(0));
  m.beta = std::exp(fit.optimum.x(1));
  m.c = std::exp(fit.optimum.x(2));
  set_status(m, fit, data, options);
  if (fit.log_covariance) m.log_covariance = Eigen::Matrix3d(*fit.log_covariance);
  m.alpha_se = standard_error(fit.log_covariance, 0, m.alpha);
  m.beta_se = standard_error(fit.log_covariance, 1, m.beta);
  m.c_se = standard_error(fit.log_covariance, 2, m.c);
  return m;
}

inline void require_model_parameters(const char* fn, double alpha, double beta) {
  require_positive_scalar(fn, "alpha", alpha);
  require_positive_scalar(fn, "beta", beta);
}

// alpha + beta + t^c within the range where log-gamma (and so log S) is finite; beyond it
// the difference of log-gammas is inf - inf = NaN.
inline void require_log_gamma_range(const char* fn, double alpha, double beta, double c, double t) {
  const double tc = c == 1.0 ? t : std::pow(t, c);
  const double sum = alpha + beta + tc;
  if (!(sum <= 1e305))
    throw_invalid(fn, std::string(c == 1.0 ? "alpha + beta + t (" : "alpha + beta + t^c (") +
                          format_value(sum) + ") must not exceed 1e305 (the range of log-gamma)");
}

inline void require_period(const char* fn, double t) {
  require(std::isfinite(t) && t >= 1.0 && t == std::floor(t), fn, "t", t,
          "must be a whole number of periods >= 1");
}

inline void require_time(const char* fn, double t) {
  require(std::isfinite(t) && t >= 0.0, fn, "t", t, "must be finite and non-negative");
}

// S(t) for t = 0..horizon with a delta-method interval on logit S(t), whose variance is
// g' Sigma g with g = d logit S / d log-parameters = (d log S / d log-parameters) / (1 - S).
template <class Covariance>
retention_projection project_retention(double a, double b, double c,
                                       const std::optional<Covariance>& log_cov, int horizon,
                                       double confidence_level, const char* fn) {
  require(horizon >= 0, fn, "horizon", horizon, "must be non-negative");
  // A model built by hand or deserialised (a default one has alpha = beta = 0): zero or
  // NaN parameters give NaN curves, and a confidence level outside (0, 1) or a NaN
  // covariance NaN bounds, silently.
  require_model_parameters(fn, a, b);
  require_positive_scalar(fn, "c", c);
  require_probability_open(fn, "confidence_level", confidence_level);
  if (log_cov) require_finite(fn, "log_covariance", *log_cov);
  require_log_gamma_range(fn, a, b, c, static_cast<double>(horizon));
  const double z = boost::math::quantile(boost::math::normal_distribution<double, detail::math_policy>(), 0.5 + confidence_level / 2.0);
  retention_projection p;
  p.confidence_level = confidence_level;
  const Eigen::Index n = static_cast<Eigen::Index>(horizon) + 1;  // horizon + 1 overflows int at INT_MAX
  p.period = Eigen::VectorXd::LinSpaced(n, 0.0, static_cast<double>(horizon));
  p.survival.resize(n);
  p.lower.resize(n);
  p.upper.resize(n);
  p.retention_rate.resize(n);
  double previous_log_s = 0.0;
  for (Eigen::Index t = 0; t < n; ++t) {
    const auto s = bdw_log_survival(a, b, c, static_cast<double>(t), true);
    const double surv = std::exp(s.value);
    p.survival(t) = surv;
    p.retention_rate(t) = t == 0 ? 1.0 : std::exp(s.value - previous_log_s);
    previous_log_s = s.value;
    p.lower(t) = p.upper(t) = surv;
    if (!log_cov || t == 0 || !(surv > 0.0 && surv < 1.0)) continue;
    Eigen::VectorXd g(log_cov->rows());
    g(0) = s.d_alpha * a;
    g(1) = s.d_beta * b;
    if (g.size() == 3) g(2) = s.d_c * c;
    g /= -std::expm1(s.value);
    const double se = std::sqrt(std::max(0.0, g.dot(*log_cov * g)));
    const double logit = s.value - std::log(-std::expm1(s.value));
    auto inverse_logit = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
    p.lower(t) = inverse_logit(logit - z * se);
    p.upper(t) = inverse_logit(logit + z * se);
  }
  return p;
}

// Terms of 2F1(1, b; c; x) = sum_k (b)_k / (c)_k x^k, for Boost's checked series summation.
class hypergeometric_1_b_c_terms {
 public:
  using result_type = double;
  hypergeometric_1_b_c_terms(double b, double c, double x) : b_(b), c_(c), x_(x) {}
  double operator()() {
    const double current = term_;
    term_ *= (b_ + k_) / (c_ + k_) * x_;
    k_ += 1.0;
    return current;
  }

 private:
  double b_, c_, x_, term_ = 1.0, k_ = 0.0;
};

}  // namespace patron::detail

namespace patron {

inline double sbg_survival(const sbg_parameters& p, double t) {
  detail::require_model_parameters("sbg_survival", p.alpha, p.beta);
  detail::require_time("sbg_survival", t);
  detail::require_log_gamma_range("sbg_survival", p.alpha, p.beta, 1.0, t);
  return std::exp(detail::bdw_log_survival(p.alpha, p.beta, 1.0, t, false).value);
}

inline double sbg_churn_probability(const sbg_parameters& p, double t) {
  detail::require_model_parameters("sbg_churn_probability", p.alpha, p.beta);
  detail::require_period("sbg_churn_probability", t);
  detail::require_log_gamma_range("sbg_churn_probability", p.alpha, p.beta, 1.0, t);
  // B(a + 1, b + t - 1) / B(a, b) = S(t - 1) a / (a + b + t - 1)
  return std::exp(detail::bdw_log_survival(p.alpha, p.beta, 1.0, t - 1.0, false).value) * p.alpha /
         (p.alpha + p.beta + t - 1.0);
}

inline double sbg_retention_rate(const sbg_parameters& p, double t) {
  detail::require_model_parameters("sbg_retention_rate", p.alpha, p.beta);
  detail::require_period("sbg_retention_rate", t);
  detail::require_log_gamma_range("sbg_retention_rate", p.alpha, p.beta, 1.0, t);
  return (p.beta + t - 1.0) / (p.alpha + p.beta + t - 1.0);
}

inline Eigen::VectorXd sbg_survival_curve(const sbg_parameters& p, int horizon) {
  detail::require_model_parameters("sbg_survival_curve", p.alpha, p.beta);
  detail::require(horizon >= 0, "sbg_survival_curve", "horizon", horizon, "must be non-negative");
  detail::require_log_gamma_range("sbg_survival_curve", p.alpha, p.beta, 1.0, horizon);
  Eigen::VectorXd s(static_cast<Eigen::Index>(horizon) + 1);
  s(0) = 1.0;
  for (Eigen::Index t = 1; t <= horizon; ++t) {
    const double td = static_cast<double>(t);
    s(t) = s(t - 1) * (p.beta + td - 1.0) / (p.alpha + p.beta + td - 1.0);
  }
  return s;
}

inline double sbg_expected_lifetime(const sbg_parameters& p) {
  detail::require_model_parameters("sbg_expected_lifetime", p.alpha, p.beta);
  if (p.alpha <= 1.0) return std::numeric_limits<double>::infinity();
  return (p.alpha + p.beta - 1.0) / (p.alpha - 1.0);
}

inline double sbg_derl(const sbg_parameters& p, double discount_rate, long long renewals) {
  const char* fn = "sbg_derl";
  detail::require_model_parameters(fn, p.alpha, p.beta);
  detail::require_positive_scalar(fn, "discount_rate", discount_rate);
  detail::require(renewals >= 0, fn, "renewals", renewals, "must be non-negative");
  const double n = static_cast<double>(renewals) + 1.0;
  detail::require_log_gamma_range(fn, p.alpha, p.beta, 1.0, n);
  // The terms shrink at least geometrically with ratio 1 / (1 + d): stopping once a
  // term is below eps * d of the sum bounds the truncated tail by eps of the sum.
  detail::hypergeometric_1_b_c_terms terms(p.beta + n, p.alpha + p.beta + n, 1.0 / (1.0 + discount_rate));
  std::uintmax_t max_terms = 2'000'000'000;
  const double factor = std::numeric_limits<double>::epsilon() * std::min(1.0, discount_rate);
  const double series = boost::math::tools::sum_series(terms, factor, max_terms);
  if (max_terms >= 2'000'000'000)
    throw numerical_error("patron::sbg_derl: the series did not converge; discount_rate (" +
                          detail::format_value(discount_rate) + ") is too small");
  return (p.beta + n - 1.0) / (p.alpha + p.beta + n - 1.0) * series;
}

inline double bdw_survival(const bdw_parameters& p, double t) {
  detail::require_model_parameters("bdw_survival", p.alpha, p.beta);
  detail::require_positive_scalar("bdw_survival", "c", p.c);
  detail::require_time("bdw_survival", t);
  detail::require_log_gamma_range("bdw_survival", p.alpha, p.beta, p.c, t);
  return std::exp(detail::bdw_log_survival(p.alpha, p.beta, p.c, t, false).value);
}

inline double bdw_churn_probability(const bdw_parameters& p, double t) {
  detail::require_model_parameters("bdw_churn_probability", p.alpha, p.beta);
  detail::require_positive_scalar("bdw_churn_probability", "c", p.c);
  detail::require_period("bdw_churn_probability", t);
  detail::require_log_gamma_range("bdw_churn_probability", p.alpha, p.beta, p.c, t);
  return std::exp(detail::log_churn_from_survivals(detail::bdw_log_survival(p.alpha, p.beta, p.c, t - 1.0, false),
                                                   detail::bdw_log_survival(p.alpha, p.beta, p.c, t, false))
                      .value);
}

inline double bdw_retention_rate(const bdw_parameters& p, double t) {
  detail::require_model_parameters("bdw_retention_rate", p.alpha, p.beta);
  detail::require_positive_scalar("bdw_retention_rate", "c", p.c);
  detail::require_period("bdw_retention_rate", t);
  detail::require_log_gamma_range("bdw_retention_rate", p.alpha, p.beta, p.c, t);
  return std::exp(detail::bdw_log_survival(p.alpha, p.beta, p.c, t, false).value -
                  detail::bdw_log_survival(p.alpha, p.beta, p.c, t - 1.0, false).value);
}

inline sbg_model sbg_fit_counts(const Eigen::Ref<const Eigen::VectorXd>& alive,
                                const retention_fit_options& options) {
  detail::validate_fit_options("sbg_fit_counts", options);
  return detail::make_sbg(detail::data_from_counts("sbg_fit_counts", alive), options);
}

inline sbg_model sbg_fit_durations(const Eigen::Ref<const Eigen::VectorXd>& durations,
                                   const Eigen::Ref<const Eigen::VectorXd>& event,
                                   const Eigen::Ref<const Eigen::VectorXd>& weight,
                                   const retention_fit_options& options) {
  detail::validate_fit_options("sbg_fit_durations", options);
  return detail::make_sbg(detail::data_from_durations("sbg_fit_durations", durations, event, weight), options);
}

inline bdw_model bdw_fit_counts(const Eigen::Ref<const Eigen::VectorXd>& alive,
                                const retention_fit_options& options) {
  detail::validate_fit_options("bdw_fit_counts", options);
  return detail::make_bdw(detail::data_from_counts("bdw_fit_counts", alive), options);
}

inline bdw_model bdw_fit_durations(const Eigen::Ref<const Eigen::VectorXd>& durations,
                                   const Eigen::Ref<const Eigen::VectorXd>& event,
                                   const Eigen::Ref<const Eigen::VectorXd>& weight,
                                   const retention_fit_options& options) {
  detail::validate_fit_options("bdw_fit_durations", options);
  return detail::make_bdw(detail::data_from_durations("bdw_fit_durations", durations, event, weight), options);
}

inline retention_projection sbg_model::project(int horizon) const {
  return detail::project_retention(alpha, beta, 1.0, log_covariance, horizon, confidence_level,
                                   "sbg_model::project");
}

inline retention_projection bdw_model::project(int horizon) const {
  return detail::project_retention(alpha, beta, c, log_covariance, horizon, confidence_level,
                                   "bdw_model::project");
}

inline likelihood_ratio_test compare_sbg_bdw(const sbg_model& sbg, const bdw_model& bdw) {
  const char* fn = "compare_sbg_bdw";
  detail::require_finite_scalar(fn, "sbg.log_likelihood", sbg.log_likelihood);
  detail::require_finite_scalar(fn, "bdw.log_likelihood", bdw.log_likelihood);
  detail::require(std::abs(sbg.customers - bdw.customers) <= 1e-9 * std::max(1.0, sbg.customers), fn,
                  "bdw.customers", bdw.customers, "differs from sbg.customers: the fits must use the same data");
  likelihood_ratio_test r;
  // The BdW nests the sBG, so a negative difference is optimiser noise.
  r.statistic = std::max(0.0, 2.0 * (bdw.log_likelihood - sbg.log_likelihood));
  r.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double, detail::math_policy>(1.0), r.statistic));
  return r;
}

}  // namespace patron
