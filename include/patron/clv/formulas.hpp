// Closed-form customer lifetime value, and CLV from the fitted BTYD models.
//
// Retention CLV (Gupta & Lehmann 2003, "Customers as Assets", J. Interactive Marketing
// 17(1)): a customer earns margin m per period, survives each period with probability
// r, and cash is discounted at d per period. With q = r / (1 + d):
//   end_of_period   (first margin after one period and one renewal):
//     CLV = sum_{t=1}^{H} m q^t      -> m r / (1 + d - r)  as H -> infinity
//   start_of_period (first margin now, undiscounted):
//     CLV = sum_{t=0}^{H-1} m q^t    -> m (1 + d) / (1 + d - r)
// minus the acquisition cost when one is given. A survival curve S_k from any churn
// model (e.g. the sBG of patron/churn.hpp) gives the same sums with S_k in place of r^t.
#pragma once

#include <Eigen/Core>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include "patron/clv/bgnbd.hpp"
#include "patron/clv/gamma_gamma.hpp"
#include "patron/clv/pareto_nbd.hpp"

namespace patron {

// When the margin of a period is received.
enum class margin_timing {
  end_of_period,   // after the period's renewal: the first margin is discounted once
  start_of_period  // at the start: the first margin is received now, undiscounted
};

struct retention_clv_options {
  std::optional<int> horizon;  // periods (>= 1); unset: infinite horizon
  margin_timing timing = margin_timing::end_of_period;
  double acquisition_cost = 0.0;  // subtracted once (finite, >= 0)
};

// CLV of one customer with constant retention. margin finite; retention in [0, 1];
// discount >= 0 per period; an infinite horizon needs retention < 1 or discount > 0.
[[nodiscard]] inline double retention_clv(double margin, double retention, double discount,
                                          const retention_clv_options& options = {}) {
  const char* f = "retention_clv";
  detail::require_finite_scalar(f, "margin", margin);
  detail::require(std::isfinite(retention) && retention >= 0.0 && retention <= 1.0, f, "retention",
                  retention, "must be in [0, 1]");
  detail::require(std::isfinite(discount) && discount >= 0.0, f, "discount", discount,
                  "must be finite and non-negative");
  detail::require(std::isfinite(options.acquisition_cost) && options.acquisition_cost >= 0.0, f,
                  "options.acquisition_cost", options.acquisition_cost, "must be finite and non-negative");
  const double first = options.timing == margin_timing::start_of_period ? 1.0 : retention / (1.0 + discount);
  double sum;  // sum of q^t over the H (or infinitely many) periods, starting at `first`
  if (!options.horizon) {
    detail::require(retention < 1.0 || discount > 0.0, f, "retention", retention,
                    "must be below 1 when discount is 0 and the horizon is infinite");
    // discount + (1 - retention), not 1 + discount - retention: with retention 1 and a
    // discount below 1e-16 the latter is 0 (1 + discount rounds to 1).
    sum = first * (1.0 + discount) / (discount + (1.0 - retention));
  } else {
    detail::require(*options.horizon >= 1, f, "options.horizon", *options.horizon, "must be at least 1");
    const double h = *options.horizon;
    const double log_q = std::log(retention) - std::log1p(discount);
    // (1 - q^H) / (1 - q) without cancellation near q = 1.
    sum = retention == 0.0      ? first
          : log_q == 0.0        ? first * h
                                : first * std::expm1(h * log_q) / std::expm1(log_q);
  }
  return margin * sum - options.acquisition_cost;
}

// CLV from a survival curve: survival(k) is the probability the customer is still
// active when the margin of period k + 1 is earned (k = 0, 1, ...); the margin is
// discounted by (1 + d)^(k+1) (end of period) or (1 + d)^k (start of period).
[[nodiscard]] inline double survival_clv(double margin, const Eigen::Ref<const Eigen::VectorXd>& survival,
                                         double discount, margin_timing timing = margin_timing::end_of_period) {
  const char* f = "survival_clv";
  detail::require_finite_scalar(f, "margin", margin);
  detail::require_non_empty(f, "survival", static_cast<std::size_t>(survival.size()));
  detail::require_each(f, "survival", survival, [](double v) { return v >= 0.0 && v <= 1.0; }, "must be in [0, 1]");
  detail::require(std::isfinite(discount) && discount >= 0.0, f, "discount", discount,
                  "must be finite and non-negative");
  double total = 0.0, factor = timing == margin_timing::start_of_period ? 1.0 : 1.0 / (1.0 + discount);
  for (Eigen::Index k = 0; k < survival.size(); ++k) {
    total += survival(k) * factor;
    factor /= 1.0 + discount;
  }
  return margin * total;
}

// Customer equity of a cohort: customers * (CLV per customer - acquisition cost).
[[nodiscard]] inline double customer_equity(double customers, double clv_per_customer, double acquisition_cost = 0.0) {
  const char* f = "customer_equity";
  detail::require(std::isfinite(customers) && customers >= 0.0, f, "customers", customers,
                  "must be finite and non-negative");
  detail::require_finite_scalar(f, "clv_per_customer", clv_per_customer);
  detail::require(std::isfinite(acquisition_cost) && acquisition_cost >= 0.0, f, "acquisition_cost",
                  acquisition_cost, "must be finite and non-negative");
  return customers * (clv_per_customer - acquisition_cost);
}

// --- CLV from a transaction model (BG/NBD or Pareto/NBD) and Gamma-Gamma spend --------

enum class clv_discounting {
  discrete_periods,  // sum over periods of the purchases expected in the period / (1 + d)^k
  continuous         // integral of e^(-delta t) dE[Y(t)], delta = log(1 + d) / period_length (DERT)
};

struct model_clv_options {
  int periods = 12;                    // horizon in discount periods (>= 1)
  double period_length = 52.0 / 12.0;  // length of a period in the model's time unit (> 0); weeks -> months
  double discount_rate = 0.01;         // per period (>= 0)
  double margin = 1.0;                 // profit margin applied to expected spend (finite)
  clv_discounting discounting = clv_discounting::discrete_periods;
  bool infinite_horizon = false;       // continuous only: integrate to infinity (ignores periods)
};

namespace detail {

inline void validate_model_clv_options(const char* f, const model_clv_options& o) {
  require(o.periods >= 1, f, "options.periods", o.periods, "must be at least 1");
  require(std::isfinite(o.period_length) && o.period_length > 0.0, f, "options.period_length", o.period_length,
          "must be finite and positive");
  require(std::isfinite(o.discount_rate) && o.discount_rate >= 0.0, f, "options.discount_rate", o.discount_rate,
          "must be finite and non-negative");
  require_finite_scalar(f, "options.margin", o.margin);
  require(!(o.infinite_horizon && (o.discounting != clv_discounting::continuous || o.discount_rate == 0.0)), f,
          "options.infinite_horizon", o.infinite_horizon,
          "needs continuous discounting with a positive discount rate");
}

// Discounted expected purchases of one customer under the options' discounting.
template <class Model>
double discounted_purchases(const Model& m, double x, double t_x, double T, const model_clv_options& o) {
  if (o.discounting == clv_discounting::discrete_periods) {
    double total = 0.0, previous = 0.0, factor = 1.0;
    for (int k = 1; k <= o.periods; ++k) {
      const double cumulative = m.conditional_expected_purchases(k * o.period_length, x, t_x, T);
      factor /= 1.0 + o.discount_rate;
      total += (cumulative - previous) * factor;
      previous = cumulative;
    }
    return total;
  }
  const double delta = std::log1p(o.discount_rate) / o.period_length;
  if constexpr (std::is_same_v<Model, pareto_nbd_model>) {
    if (o.infinite_horizon) return m.discounted_expected_residual_transactions(delta, x, t_x, T);
  }
  auto expected = [&](double t) { return m.conditional_expected_purchases(t, x, t_x, T); };
  if (o.infinite_horizon) {
    // By parts: int_0^inf e^(-delta t) dE[Y(t)] = delta int_0^inf e^(-delta t) E[Y(t)] dt.
    // Far nodes (t beyond ~700 / delta) carry no weight; skipping them also keeps the
    // 2F1 argument t / (alpha + T + t) from rounding to 1.
    boost::math::quadrature::exp_sinh<double> integrator;
    return delta * integrator.integrate([&](double t) {
      const double weight = std::exp(-delta * t);
      return weight == 0.0 ? 0.0 : weight * expected(t);
    });
  }
  const double horizon = o.periods * o.period_length;
  if (delta == 0.0) return expected(horizon);
  const double integral = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
      [&](double t) { return std::exp(-delta * t) * expected(t); }, 0.0, horizon, 15, 1e-12);
  return std::exp(-delta * horizon) * expected(horizon) + delta * integral;
}

}  // namespace detail

// Per-customer CLV = margin * E[spend per transaction | Gamma-Gamma] * discounted
// expected purchases (BG/NBD or Pareto/NBD). zbar is the customer's mean repeat spend
// (ignored when x = 0). Rows are customers; every row is validated first.
template <class Model>
[[nodiscard]] Eigen::VectorXd customer_lifetime_value(const Model& transactions, const gamma_gamma_model& spend,
                                                      const Eigen::Ref<const Eigen::VectorXd>& x,
                                                      const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                                      const Eigen::Ref<const Eigen::VectorXd>& T,
                                                      const Eigen::Ref<const Eigen::VectorXd>& zbar,
                                                      const model_clv_options& options = {}) {
  const char* f = "customer_lifetime_value";
  detail::validate_model_clv_options(f, options);
  detail::validate_btyd(f, x, t_x, T);
  detail::require_same_length(f, "x", static_cast<std::size_t>(x.size()), "zbar", static_cast<std::size_t>(zbar.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i) gamma_gamma_model::validate_row(f, static_cast<std::size_t>(i), x(i), zbar(i));
  Eigen::VectorXd out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    out(i) = options.margin * spend.conditional_expected_spend(x(i), zbar(i)) *
             detail::discounted_purchases(transactions, x(i), t_x(i), T(i), options);
  return out;
}

// Discounted expected purchases alone (the "DERT" of the options' horizon), per customer.
template <class Model>
[[nodiscard]] Eigen::VectorXd discounted_expected_purchases(const Model& transactions,
                                                            const Eigen::Ref<const Eigen::VectorXd>& x,
                                                            const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                                            const Eigen::Ref<const Eigen::VectorXd>& T,
                                                            const model_clv_options& options = {}) {
  const char* f = "discounted_expected_purchases";
  detail::validate_model_clv_options(f, options);
  detail::validate_btyd(f, x, t_x, T);
  Eigen::VectorXd out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) out(i) = detail::discounted_purchases(transactions, x(i), t_x(i), T(i), options);
  return out;
}

}  // namespace patron
