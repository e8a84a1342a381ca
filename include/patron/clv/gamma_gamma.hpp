// Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value
// Curves for Customer Base Analysis", JMR 42(4), 415-430; Fader & Hardie (2013), "The
// Gamma-Gamma Model of Monetary Value".
//
// A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across
// customers. The mean zbar of x repeat transactions has density
//   f(zbar | p, q, gamma; x) = G(px+q) / (G(px) G(q)) * gamma^q x^(px) zbar^(px-1)
//                              / (gamma + x zbar)^(px+q),
// and the conditional expected spend per transaction is
//   E[M | x, zbar] = p (gamma + x zbar) / (p x + q - 1),
// a weighted mean of the population mean p gamma / (q - 1) and zbar. The population
// mean exists only when q > 1: with q <= 1 spend has an infinite mean and the model
// says so (numerical_error naming q) instead of producing a negative value.
#pragma once

#include <Eigen/Core>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "patron/clv/common.hpp"
#include "patron/core/special.hpp"

namespace patron {

struct gamma_gamma_parameters {
  double p = 1.0;      // shape of a transaction value
  double q = 1.0;      // shape of the customers' rate nu
  double gamma = 1.0;  // scale of the customers' rate nu
};

class gamma_gamma_model {
 public:
  explicit gamma_gamma_model(const gamma_gamma_parameters& parameters, clv_fit_report report = {})
      : p_(parameters), report_(std::move(report)) {
    detail::require_positive_scalar("gamma_gamma_model", "parameters.p", p_.p);
    detail::require_positive_scalar("gamma_gamma_model", "parameters.q", p_.q);
    detail::require_positive_scalar("gamma_gamma_model", "parameters.gamma", p_.gamma);
  }

  [[nodiscard]] const gamma_gamma_parameters& parameters() const { return p_; }
  [[nodiscard]] const clv_fit_report& report() const { return report_; }

  // True when q > 1, i.e. spend per transaction has a finite population mean.
  [[nodiscard]] bool mean_spend_is_finite() const { return p_.q > 1.0; }

  // p gamma / (q - 1); numerical_error when q <= 1.
  [[nodiscard]] double population_mean_spend() const {
    require_finite_mean("gamma_gamma_model::population_mean_spend");
    return p_.p * p_.gamma / (p_.q - 1.0);
  }

  // E[M | x, zbar]; x = 0 customers (zbar ignored) get the population mean.
  [[nodiscard]] double conditional_expected_spend(double x, double zbar) const {
    const char* f = "gamma_gamma_model::conditional_expected_spend";
    validate_row(f, 0, x, zbar);
    if (x == 0.0) return population_mean_spend();
    const double denominator = p_.p * x + p_.q - 1.0;
    if (!(denominator > 0.0))
      throw numerical_error("patron::" + std::string(f) + ": p x + q - 1 (" +
                            detail::format_value(denominator) +
                            ") is not positive: the expected spend is infinite (q = " +
                            detail::format_value(p_.q) + ")");
    return p_.p * (p_.gamma + x * zbar) / denominator;
  }

  [[nodiscard]] Eigen::VectorXd conditional_expected_spend(
      const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& zbar) const {
    const char* f = "gamma_gamma_model::conditional_expected_spend";
    detail::require_same_length(f, "x", static_cast<std::size_t>(x.size()), "zbar",
                                static_cast<std::size_t>(zbar.size()));
    for (Eigen::Index i = 0; i < x.size(); ++i) validate_row(f, static_cast<std::size_t>(i), x(i), zbar(i));
    Eigen::VectorXd out(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) out(i) = conditional_expected_spend(x(i), zbar(i));
    return out;
  }

  // Validation shared with the fit: x a non-negative integer; zbar > 0 when x > 0.
  static void validate_row(const char* function, std::size_t i, double x, double zbar) {
    if (!(std::isfinite(x) && x >= 0.0 && x == std::floor(x)))
      detail::throw_invalid_element(function, "x", i, x, "must be a non-negative integer");
    if (x > 0.0 && !(std::isfinite(zbar) && zbar > 0.0))
      detail::throw_invalid_element(function, "zbar", i, zbar,
                                    "must be finite and positive (mean spend of a repeat customer)");
  }

 private:
  void require_finite_mean(const char* function) const {
    if (!mean_spend_is_finite())
      throw numerical_error("patron::" + std::string(function) + ": q (" +
                            detail::format_value(p_.q) +
                            ") <= 1: the population mean spend is infinite");
  }
  gamma_gamma_parameters p_;
  clv_fit_report report_;
};

namespace detail {

// log Gamma(a + b) / Gamma(a) for a > 0, b >= 0: (a+f)_n Gamma(a+f)/Gamma(a) with b = n + f,
// f in [0, 1), through Boost's tgamma_delta_ratio (which stays exact for large a, but
// underflows once a^b exceeds the double range) and a rising factorial.
inline double log_gamma_ratio(double a, double b) {
  const double n = std::floor(b), f = b - n;
  return log_rising_factorial(a + f, n) - std::log(boost::math::tgamma_delta_ratio(a, f, math_policy()));
}

// psi(a + b) - psi(a) for a > 0, b >= 0. For a >= 1e4 from the asymptotic series of psi
// (terms to a^-4; the next is below 1e-26), with the logarithms as one log1p: the direct
// difference of digamma values of size log(a) cancels when a >> b (q -> inf).
inline double digamma_difference(double a, double b) {
  if (a < 1e4) {
    const math_policy pol;
    return boost::math::digamma(a + b, pol) - boost::math::digamma(a, pol);
  }
  const double c = a + b, a2 = a * a, c2 = c * c;
  return std::log1p(b / a) + b / (2.0 * a * c) + b * (a + c) / (12.0 * a2 * c2) -
         b * (a + c) * (a2 + c2) / (120.0 * a2 * a2 * c2 * c2);
}

// Weighted negative log-likelihood over distinct (x, zbar) pairs, gradient in
// u = log(p, q, gamma). Per pair, with a = p x and s = x zbar,
//   log f = log G(a+q) / (G(a) G(q)) - a log1p(gamma / s) - log zbar - q log1p(s / gamma):
// a log x + (a-1) log zbar - a log(gamma + s) and q log(gamma) - q log(gamma + s) each as one
// log1p and the gamma-function ratio through the larger argument, so the likelihood stays
// exact as q, gamma -> inf at a fixed q / gamma (one spend rate nu for every customer) and as
// p -> inf, gamma -> 0 at a fixed p gamma (no spread within a customer), where the textbook
// form cancels terms of size q log(q) or p x log(x zbar).
inline double gamma_gamma_total_nll(const Eigen::VectorXd& x, const Eigen::VectorXd& zbar,
                                    const Eigen::VectorXd& w, const Eigen::VectorXd& u,
                                    Eigen::VectorXd& gradient) {
  const double p = std::exp(u(0)), q = std::exp(u(1)), g = std::exp(u(2));
  double ll = 0, d_p = 0, d_q = 0, d_log_g = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double px = p * x(i), s = x(i) * zbar(i), log_z = std::log(zbar(i));
    const double l_s = std::log1p(s / g), l_g = std::log1p(g / s);
    const double log_ratio = px >= q ? log_gamma_ratio(px, q) - log_gamma(q) : log_gamma_ratio(q, px) - log_gamma(px);
    // -px log1p(gamma / s) tends to -p gamma / zbar as p -> inf at a fixed p gamma, where the
    // three logs times px ~ 1e20 cancelled to nothing (the fit stalled at p ~ 1e7).
    ll += w(i) * (log_ratio - px * l_g - log_z - q * l_s);
    d_p += w(i) * x(i) * (digamma_difference(px, q) - l_g);
    d_q += w(i) * (digamma_difference(q, px) - l_s);
    // gamma d/dgamma = q - (px + q) gamma / (gamma + s), as (q s / gamma - px) / (1 + s / gamma).
    d_log_g += w(i) * (q * (s / g) - px) / (1.0 + s / g);
  }
  gradient.resize(3);
  gradient << -d_p * p, -d_q * q, -d_log_g;
  return -ll;
}

// Every repeat customer's mean spend is the same zbar: the likelihood grows without bound
// as spend loses its spread (p, q -> inf at a fixed mean; the optimiser used to stop at
// p ~ 1e14, q ~ 1e18, where the likelihood is rounding noise of size 1e16, somewhere
// different for each zbar), so there is no maximum-likelihood estimate and none is sought.
// The model returned is the point p = q = gamma_gamma_without_spread_shape,
// gamma = zbar (q - 1) / p on that ray: the population mean and E[M | x, zbar] of every
// such customer are zbar exactly.
constexpr double gamma_gamma_without_spread_shape = 1e6;

template <class TotalNll>
gamma_gamma_model gamma_gamma_without_spread(TotalNll& nll, double zbar, double total, std::size_t patterns) {
  const double shape = gamma_gamma_without_spread_shape, gamma = zbar * (shape - 1.0) / shape;
  Eigen::VectorXd u(3), gradient(3);
  u << std::log(shape), std::log(shape), std::log(gamma);
  clv_fit_report r;
  r.log_likelihood = -nll(u, gradient);
  r.total_weight = total;
  r.patterns = patterns;
  r.gradient_norm = gradient.lpNorm<Eigen::Infinity>() / total;
  r.message = "every repeat customer's mean spend is " + format_value(zbar) +
              ": the likelihood grows without bound, so there is no maximum-likelihood estimate; returned "
              "p = q = 1e6, gamma = zbar (q - 1) / p; maximum at the boundary: p, q -> infinity (no spread in spend: "
              "every repeat customer's mean spend is the same)";
  r.parameter_names = {"p", "q", "gamma"};
  r.boundary_parameters = {"p", "q"};
  return gamma_gamma_model({shape, shape, gamma}, std::move(r));
}

}  // namespace detail

// Fit on the repeat customers: rows with x = 0 carry no spend information and are
// skipped (so a full BTYD summary can be passed as is); rows with x > 0 need zbar > 0.
// Optional weights count customers per row.
[[nodiscard]] inline gamma_gamma_model fit_gamma_gamma(
    const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& zbar,
    const Eigen::Ref<const Eigen::VectorXd>& weights, const clv_fit_options& options = {}) {
  const char* f = "fit_gamma_gamma";
  detail::validate_clv_options(f, options);
  detail::require_same_length(f, "x", static_cast<std::size_t>(x.size()), "zbar",
                              static_cast<std::size_t>(zbar.size()));
  detail::validate_weights(f, weights, x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    gamma_gamma_model::validate_row(f, static_cast<std::size_t>(i), x(i), zbar(i));
  // Compress identical (x, zbar) pairs.
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < x.size(); ++i)
    if (x(i) > 0.0 && weights(i) > 0.0) rows.push_back(i);
  if (rows.empty()) detail::throw_invalid(f, "x has no repeat customer (x > 0) with positive weight");
  std::sort(rows.begin(), rows.end(), [&](Eigen::Index i, Eigen::Index j) {
    return x(i) != x(j) ? x(i) < x(j) : (zbar(i) != zbar(j) ? zbar(i) < zbar(j) : i < j);
  });
  std::vector<double> cx, cz, cw;
  for (Eigen::Index i : rows) {
    if (!cx.empty() && cx.back() == x(i) && cz.back() == zbar(i)) {
      cw.back() += weights(i);
    } else {
      cx.push_back(x(i));
      cz.push_back(zbar(i));
      cw.push_back(weights(i));
    }
  }
  const Eigen::VectorXd px = Eigen::Map<Eigen::VectorXd>(cx.data(), static_cast<Eigen::Index>(cx.size()));
  const Eigen::VectorXd pz = Eigen::Map<Eigen::VectorXd>(cz.data(), static_cast<Eigen::Index>(cz.size()));
  const Eigen::VectorXd pw = Eigen::Map<Eigen::VectorXd>(cw.data(), static_cast<Eigen::Index>(cw.size()));
  const double total = pw.sum();
  auto nll = [&](const Eigen::VectorXd& u, Eigen::VectorXd& g) {
    return detail::gamma_gamma_total_nll(px, pz, pw, u, g);
  };
  if (options.l2_penalty == 0.0 && std::all_of(cz.begin(), cz.end(), [&](double z) { return z == cz.front(); }))
    return detail::gamma_gamma_without_spread(nll, cz.front(), total, cx.size());
  // Start: p = 1, q = 2 and gamma matching the mean spend (p gamma / (q - 1) = mean).
  Eigen::VectorXd u0(3);
  u0 << 0.0, std::log(2.0), std::log(pw.dot(pz) / total);
  detail::fitted_parameters fit = detail::fit_log_parameters(
      nll, u0, total, cx.size(), options, {"p", "q", "gamma"});
  // p, q -> inf at fixed p gamma / q: spend without spread (every repeat customer's mean
  // spend the same: the likelihood of identical zbar grows without bound); p -> inf with
  // p gamma fixed: no spread within a customer (zbar inverse-gamma across customers);
  // q, gamma -> inf at a fixed ratio: one spend rate nu for every customer.
  detail::report_boundaries(
      nll, fit.theta,
      {{{0, 1}, {}, "no spread in spend: every repeat customer's mean spend is the same"},
       {{0}, {2}, "no spread in spend within a customer"},
       {{1, 2}, {}, "one spend rate nu for everyone", true}},
      fit.report);
  if (fit.theta(1) <= 1.0)
    fit.report.message += "; q <= 1: mean spend is infinite, expected spend unavailable";
  return gamma_gamma_model({fit.theta(0), fit.theta(1), fit.theta(2)}, std::move(fit.report));
}

[[nodiscard]] inline gamma_gamma_model fit_gamma_gamma(const Eigen::Ref<const Eigen::VectorXd>& x,
                                                       const Eigen::Ref<const Eigen::VectorXd>& zbar,
                                                       const clv_fit_options& options = {}) {
  return fit_gamma_gamma(x, zbar, Eigen::VectorXd::Ones(x.size()), options);
}

}  // namespace patron
