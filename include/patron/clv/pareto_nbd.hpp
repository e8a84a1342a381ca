// Pareto/NBD: Schmittlein, Morrison & Colombo (1987); the likelihood as in Fader,
// Hardie & Lee (2005), "A Note on Implementing the Pareto/NBD Model in MATLAB", and
// DERT from Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4), eq. 2.
//
// Purchases are Poisson(lambda), lambda ~ Gamma(r, alpha); lifetimes are
// Exponential(mu), mu ~ Gamma(s, beta). With K = r + s + x,
//   L = G(r+x) alpha^r beta^s / G(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s/K * A0 ],
//   A0 = F(t_x) - F(T),  F(t) = 2F1(K, b2; K+1; (M-m)/(M+t)) / (M+t)^K,
// with M = max(alpha, beta), m = min(alpha, beta), b2 = s+1 if alpha >= beta else r+x:
// the branch that keeps the argument in [0, 1) so the series converges. Everything is
// carried in log space, so frequencies of 10^4 and more neither overflow nor cancel.
#pragma once

#include <Eigen/Core>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/expint.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>

#include "patron/clv/common.hpp"
#include "patron/core/hypergeometric.hpp"
#include "patron/core/special.hpp"

namespace patron {

struct pareto_nbd_parameters {
  double r = 1.0, alpha = 1.0;  // purchase rate lambda ~ Gamma(shape r, rate alpha)
  double s = 1.0, beta = 1.0;   // dropout rate mu ~ Gamma(shape s, rate beta)
};

namespace detail {

// log F(t) and its partial derivatives with respect to K, b2, M and m, from the series
// of 2F1(K, b2; K+1; z): term n is K/(K+n) (b2)_n z^n / n!, so d log(term)/dK =
// n/(K(K+n)), d/db2 = psi(b2+n) - psi(b2), d/dz = n/z, all summed in one pass.
struct log_f_with_gradient {
  double value, d_K, d_b2, d_M, d_m;
};

inline log_f_with_gradient pnbd_log_f(double K, double b2, double M, double m, double t) {
  const double z = (M - m) / (M + t);
  double term = 1.0, sum = 1.0, s_K = 0.0, s_b = 0.0, s_z = 0.0, harmonic = 0.0;
  const double inv_K = 1.0 / K;
  constexpr long max_terms = 2'000'000;
  long n = 0;
  // Two divisions per term: this loop is most of a Pareto/NBD fit's time.
  for (; n < max_terms && z > 0.0; ++n) {
    const double dn = static_cast<double>(n);
    const double inv = 1.0 / ((K + dn + 1.0) * (dn + 1.0));
    const double ratio_without_z = (K + dn) * (b2 + dn) * inv;
    s_z += (dn + 1.0) * term * ratio_without_z;  // (n+1) t_{n+1} / z
    harmonic += 1.0 / (b2 + dn);
    term *= ratio_without_z * z;
    sum += term;
    s_K += term * (dn + 1.0) * (dn + 1.0) * inv * inv_K;  // term (n+1) / (K (K+n+1))
    s_b += term * harmonic;
    // Later ratios are at most rho = z max((b2+n+1)/(n+2), 1) (n+3)/(n+2) = q / (n+2)^2;
    // the derivative sums carry extra factors n and log n, covered by demanding (n + 2)
    // (1 + harmonic) times the tolerance: term (n+2)(1+h) / (1 - rho) <= 1e-17 sum.
    const double d2 = (dn + 2.0) * (dn + 2.0);
    const double q = z * std::max(b2 + dn + 1.0, dn + 2.0) * (dn + 3.0);
    if (q < d2 && term * (dn + 2.0) * (1.0 + harmonic) * d2 <= 1e-17 * sum * (d2 - q)) break;
  }
  if (n == max_terms)
    throw numerical_error("patron::pareto_nbd: 2F1 series did not converge (argument " +
                          format_value(z) + ")");
  const double log_Mt = std::log(M + t);
  const double dz_dM = (m + t) / ((M + t) * (M + t)), dz_dm = -1.0 / (M + t);
  return {std::log(sum) - K * log_Mt, s_K / sum - log_Mt, s_b / sum,
          s_z / sum * dz_dM - K / (M + t), s_z / sum * dz_dm};
}

// The two log terms of the likelihood bracket: l1 = alive at T, l2 = log(s/K A0).
// The value-only path uses patron::log_hyp2f1 (with its transformation near z = 1).
struct pnbd_terms {
  double constant, l1, l2;
};

inline pnbd_terms pnbd_log_terms(const pareto_nbd_parameters& p, double x, double t_x, double T) {
  const double K = p.r + p.s + x;
  const bool alpha_larger = p.alpha >= p.beta;
  const double M = alpha_larger ? p.alpha : p.beta, m = alpha_larger ? p.beta : p.alpha;
  const double b2 = alpha_larger ? p.s + 1.0 : p.r + x;
  auto log_f = [&](double t) { return log_hyp2f1(K, b2, K + 1.0, (M - m) / (M + t)) - K * std::log(M + t); };
  pnbd_terms out;
  out.constant = log_gamma(p.r + x) - log_gamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta);
  out.l1 = -(p.r + x) * std::log(p.alpha + T) - p.s * std::log(p.beta + T);
  if (t_x == T) {
    out.l2 = -std::numeric_limits<double>::infinity();
  } else {
    const double f1 = log_f(t_x), f2 = log_f(T);
    out.l2 = std::log(p.s / K) + f1 + std::log(-std::expm1(f2 - f1));
  }
  return out;
}

inline double log_add(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  if (b == -std::numeric_limits<double>::infinity()) return a;
  return std::max(a, b) + std::log1p(std::exp(-std::abs(a - b)));
}

// Weighted total negative log-likelihood, gradient in u = log(r, alpha, s, beta).
// Prepared once per fit: the runs of equal x (patterns are sorted by x) and each
// pattern's T and t_x as an index into their distinct values. F(t) depends on x and t
// only, so within a run each distinct t_x and each distinct T costs one 2F1 series,
// however many patterns share it (on a day grid, a few hundred series per x instead of
// one per pattern); terms in x alone are computed once per run. The per-pattern
// arithmetic and its summation order are those of a plain loop over the patterns.
class pnbd_likelihood {
 public:
  explicit pnbd_likelihood(const btyd_patterns& d) : d_(d), layout_(d) {
    f_T_.resize(static_cast<std::size_t>(layout_.T.size()));
    f_t_x_.resize(static_cast<std::size_t>(layout_.t_x.size()));
    stamp_T_.assign(f_T_.size(), 0);
    stamp_t_x_.assign(f_t_x_.size(), 0);
  }

  double operator()(const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
    const double r = std::exp(u(0)), alpha = std::exp(u(1)), s = std::exp(u(2)), beta = std::exp(u(3));
    const bool alpha_larger = alpha >= beta;
    const double M = alpha_larger ? alpha : beta, m = alpha_larger ? beta : alpha;
    const math_policy pol;
    const double dg_r = boost::math::digamma(r, pol), log_alpha = std::log(alpha), log_beta = std::log(beta);
    auto log = [](double v) { return std::log(v); };
    const Eigen::ArrayXd log_alpha_T = (alpha + layout_.T).unaryExpr(log), log_beta_T = (beta + layout_.T).unaryExpr(log);
    double ll = 0, g[4] = {0, 0, 0, 0};  // d/d(r, alpha, s, beta)
    for (std::size_t k = 0; k + 1 < layout_.run_start.size(); ++k) {
      ++epoch_;  // invalidates the F caches of the previous run
      const double x = d_.x(layout_.run_start[k]);
      const double K = r + s + x, b2 = alpha_larger ? s + 1.0 : r + x;
      const double lgamma_rx = log_gamma(r + x), log_s_K = std::log(s / K);
      const double dc[4] = {boost::math::digamma(r + x, pol) - dg_r + log_alpha, r / alpha, log_beta, s / beta};
      auto cached_f = [&](std::vector<log_f_with_gradient>& cache, std::vector<std::uint64_t>& stamp,
                          std::int32_t index, double t) -> const log_f_with_gradient& {
        const auto j = static_cast<std::size_t>(index);
        if (stamp[j] != epoch_) {
          cache[j] = pnbd_log_f(K, b2, M, m, t);
          stamp[j] = epoch_;
        }
        return cache[j];
      };
      for (Eigen::Index i = layout_.run_start[k]; i < layout_.run_start[k + 1]; ++i) {
        const double t_x = d_.t_x(i), T = d_.T(i), w = d_.weight(i);
        const std::int32_t Ti = layout_.T_index[static_cast<std::size_t>(i)];
        const double l1 = -(r + x) * log_alpha_T(Ti) - s * log_beta_T(Ti);
        double dl1[4] = {-log_alpha_T(Ti), -(r + x) / (alpha + T), -log_beta_T(Ti), -s / (beta + T)};
        double l2 = -std::numeric_limits<double>::infinity(), dl2[4] = {0, 0, 0, 0};
        if (t_x < T) {
          const log_f_with_gradient& fT = cached_f(f_T_, stamp_T_, Ti, T);
          const log_f_with_gradient& f0 = cached_f(f_t_x_, stamp_t_x_, layout_.t_x_index[static_cast<std::size_t>(i)], t_x);
          // d log(F1 - F2) = (dF1 - rho dF2) / (1 - rho), rho = F2 / F1.
          const double rho = std::exp(fT.value - f0.value), inv = 1.0 / (1.0 - rho);
          l2 = log_s_K + f0.value + std::log(-std::expm1(fT.value - f0.value));
          const double dK = (f0.d_K - rho * fT.d_K) * inv - 1.0 / K;
          const double db2 = (f0.d_b2 - rho * fT.d_b2) * inv;
          const double dM = (f0.d_M - rho * fT.d_M) * inv, dm = (f0.d_m - rho * fT.d_m) * inv;
          dl2[0] = dK + (alpha_larger ? 0.0 : db2);
          dl2[2] = dK + 1.0 / s + (alpha_larger ? db2 : 0.0);
          dl2[1] = alpha_larger ? dM : dm;
          dl2[3] = alpha_larger ? dm : dM;
        }
        // log(e^l1 + e^l2) and the shares e^l1, e^l2 of it, from one e = exp(-|l1 - l2|)
        // (e = 0 when l2 = -inf).
        const double e = std::exp(-std::abs(l1 - l2)), share = 1.0 / (1.0 + e);
        const double total = std::max(l1, l2) + std::log1p(e);
        const double w1 = l1 >= l2 ? share : e * share, w2 = l1 >= l2 ? e * share : share;
        ll += w * (lgamma_rx + total);
        for (int c = 0; c < 4; ++c) g[c] += w * (dc[c] + w1 * dl1[c] + w2 * dl2[c]);
      }
    }
    const double total_weight = d_.weight.sum();
    ll += total_weight * (-log_gamma(r) + r * log_alpha + s * log_beta);
    gradient.resize(4);
    gradient << -g[0] * r, -g[1] * alpha, -g[2] * s, -g[3] * beta;
    return -ll;
  }

 private:
  const btyd_patterns& d_;
  pattern_layout layout_;
  // log F and its gradient per distinct T and t_x, valid while their stamp is epoch_.
  std::vector<log_f_with_gradient> f_T_, f_t_x_;
  std::vector<std::uint64_t> stamp_T_, stamp_t_x_;
  std::uint64_t epoch_ = 0;
};

inline double pnbd_total_nll(const btyd_patterns& d, const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
  return pnbd_likelihood(d)(u, gradient);
}

// e^z Gamma(a, z) for any real a and z > 0 (Boost 1.74's tgamma(a, z) needs a > 0):
// for a <= 0, the recurrence Gamma(a, z) = (Gamma(a+1, z) - z^a e^-z) / a from a base in
// (0, 1], or from E1(z) = Gamma(0, z) when a is an integer.
inline double scaled_upper_gamma(double a, double z) {
  const math_policy pol;
  if (a > 0.0) return std::exp(z) * boost::math::tgamma(a, z, pol);
  double base = a + std::ceil(-a);  // in (0, 1), or 0 when a is an integer
  double g = base == 0.0 ? std::exp(z) * boost::math::expint(1, z, pol)
                         : std::exp(z) * boost::math::tgamma(base, z, pol);
  for (; base > a + 0.5; base -= 1.0) g = (g - std::pow(z, base - 1.0)) / (base - 1.0);
  return g;
}

}  // namespace detail

class pareto_nbd_model {
 public:
  explicit pareto_nbd_model(const pareto_nbd_parameters& parameters, clv_fit_report report = {})
      : p_(parameters), report_(std::move(report)) {
    detail::require_positive_scalar("pareto_nbd_model", "parameters.r", p_.r);
    detail::require_positive_scalar("pareto_nbd_model", "parameters.alpha", p_.alpha);
    detail::require_positive_scalar("pareto_nbd_model", "parameters.s", p_.s);
    detail::require_positive_scalar("pareto_nbd_model", "parameters.beta", p_.beta);
  }

  [[nodiscard]] const pareto_nbd_parameters& parameters() const { return p_; }
  [[nodiscard]] const clv_fit_report& report() const { return report_; }

  [[nodiscard]] double log_likelihood(double x, double t_x, double T) const {
    detail::validate_btyd_row("pareto_nbd_model::log_likelihood", 0, x, t_x, T);
    const auto l = detail::pnbd_log_terms(p_, x, t_x, T);
    return l.constant + detail::log_add(l.l1, l.l2);
  }

  // P(alive at T | x, t_x, T) = (alive term) / L.
  [[nodiscard]] double probability_alive(double x, double t_x, double T) const {
    return probability_alive_after(0.0, x, t_x, T);
  }

  // P(alive at T + t | x, t_x, T and no purchase in (T, T + t]): the history is that of
  // a customer observed until T + t with the same purchases.
  [[nodiscard]] double probability_alive_after(double t, double x, double t_x, double T) const {
    const char* f = "pareto_nbd_model::probability_alive";
    detail::validate_btyd_row(f, 0, x, t_x, T);
    detail::require(std::isfinite(t) && t >= 0.0, f, "t", t, "must be finite and non-negative");
    const auto l = detail::pnbd_log_terms(p_, x, t_x, T + t);
    return std::exp(l.l1 - detail::log_add(l.l1, l.l2));
  }

  // E[X(t)] for a new customer: r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)].
  [[nodiscard]] double expected_purchases(double t) const {
    detail::require(std::isfinite(t) && t >= 0.0, "pareto_nbd_model::expected_purchases", "t", t,
                    "must be finite and non-negative");
    return p_.r * p_.beta / p_.alpha * power_kernel(std::log1p(t / p_.beta));
  }

  // E[Y(t) | x, t_x, T] = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive).
  [[nodiscard]] double conditional_expected_purchases(double t, double x, double t_x, double T) const {
    const char* f = "pareto_nbd_model::conditional_expected_purchases";
    detail::validate_btyd_row(f, 0, x, t_x, T);
    detail::require(std::isfinite(t) && t >= 0.0, f, "t", t, "must be finite and non-negative");
    return (p_.r + x) * (p_.beta + T) / (p_.alpha + T) *
           power_kernel(std::log1p(t / (p_.beta + T))) * probability_alive(x, t_x, T);
  }

  // P(X(t) = x) for a new customer: alive through t with NB(x; r, alpha/(alpha+t))
  // purchases, or dead at tau < t with NB(x; r, alpha/(alpha+tau)), tau having density
  // s beta^s (beta+tau)^-(s+1). The mixture integral is evaluated by adaptive
  // Gauss-Kronrod quadrature; it equals the 2F1 closed form of Fader & Hardie (2006),
  // "Deriving an expression for P(X(t) = x) under the Pareto/NBD model", without the
  // cancellation that form suffers for large x.
  [[nodiscard]] double probability_of_purchases(double t, double x) const {
    const char* f = "pareto_nbd_model::probability_of_purchases";
    detail::require(std::isfinite(t) && t > 0.0, f, "t", t, "must be finite and positive");
    detail::require(std::isfinite(x) && x >= 0.0 && x == std::floor(x), f, "x", x,
                    "must be a non-negative integer");
    const double log_coefficient = detail::log_gamma(p_.r + x) - detail::log_gamma(p_.r) - detail::log_gamma(x + 1.0);
    auto log_nb = [&](double tau) {
      return log_coefficient + p_.r * std::log(p_.alpha / (p_.alpha + tau)) +
             (x == 0.0 ? 0.0 : x * std::log(tau / (p_.alpha + tau)));
    };
    const double alive = std::exp(log_nb(t) + p_.s * std::log(p_.beta / (p_.beta + t)));
    const double log_density = std::log(p_.s) + p_.s * std::log(p_.beta);
    const double dead = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
        [&](double tau) {
          if (tau == 0.0 && x > 0.0) return 0.0;
          return std::exp(log_nb(tau) + log_density - (p_.s + 1.0) * std::log(p_.beta + tau));
        },
        0.0, t, 15, 1e-13);
    return alive + dead;
  }

  // DERT: discounted expected residual transactions at continuous discount rate delta
  // per time unit (JMR 2005 eq. 2):
  //   alpha^r beta^s delta^(s-1) G(r+x+1) Psi(s, s; delta(beta+T)) / (G(r) (alpha+T)^(r+x+1) L),
  // with Psi(s, s; z) = e^z Gamma(1-s, z) the confluent hypergeometric function of the
  // second kind.
  [[nodiscard]] double discounted_expected_residual_transactions(double delta, double x, double t_x,
                                                                 double T) const {
    const char* f = "pareto_nbd_model::discounted_expected_residual_transactions";
    detail::validate_btyd_row(f, 0, x, t_x, T);
    detail::require(std::isfinite(delta) && delta > 0.0, f, "delta", delta, "must be finite and positive");
    const auto l = detail::pnbd_log_terms(p_, x, t_x, T);
    const double log_l = l.constant + detail::log_add(l.l1, l.l2);
    const double psi = detail::scaled_upper_gamma(1.0 - p_.s, delta * (p_.beta + T));
    return std::exp(p_.r * std::log(p_.alpha) + p_.s * std::log(p_.beta) + (p_.s - 1.0) * std::log(delta) +
                    detail::log_gamma(p_.r + x + 1.0) - detail::log_gamma(p_.r) -
                    (p_.r + x + 1.0) * std::log(p_.alpha + T) - log_l) *
           psi;
  }

  // Expected cumulative repeat purchases of a cohort by time `at` (see bgnbd_model).
  [[nodiscard]] Eigen::VectorXd expected_cumulative_repeat_purchases(
      const Eigen::Ref<const Eigen::VectorXd>& first_purchase, const Eigen::Ref<const Eigen::VectorXd>& at) const {
    return detail::cohort_cumulative_purchases("pareto_nbd_model::expected_cumulative_repeat_purchases", *this,
                                               first_purchase, at);
  }

  [[nodiscard]] Eigen::VectorXd probability_alive(const Eigen::Ref<const Eigen::VectorXd>& x,
                                                  const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                                  const Eigen::Ref<const Eigen::VectorXd>& T) const {
    detail::validate_btyd("pareto_nbd_model::probability_alive", x, t_x, T);
    Eigen::VectorXd out(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) out(i) = probability_alive(x(i), t_x(i), T(i));
    return out;
  }
  [[nodiscard]] Eigen::VectorXd conditional_expected_purchases(
      double t, const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& t_x,
      const Eigen::Ref<const Eigen::VectorXd>& T) const {
    detail::validate_btyd("pareto_nbd_model::conditional_expected_purchases", x, t_x, T);
    Eigen::VectorXd out(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i)
      out(i) = conditional_expected_purchases(t, x(i), t_x(i), T(i));
    return out;
  }

 private:
  // [1 - exp(-(s-1) L)] / (s-1), with its limit L at s = 1.
  double power_kernel(double log_ratio) const {
    const double e = p_.s - 1.0;
    return e == 0.0 ? log_ratio : -std::expm1(-e * log_ratio) / e;
  }
  pareto_nbd_parameters p_;
  clv_fit_report report_;
};

namespace detail {
inline pareto_nbd_model fit_pareto_nbd_patterns(const btyd_patterns& d, const clv_fit_options& options) {
  const double total = d.weight.sum();
  const double mean_x = d.weight.dot(d.x) / total, mean_T = d.weight.dot(d.T) / total;
  Eigen::VectorXd u0(4);
  u0 << 0.0, std::log(mean_T / (mean_x + 0.5)), 0.0, std::log(mean_T);
  // A series that fails its convergence check makes that trial point infeasible.
  pnbd_likelihood likelihood(d);
  auto nll = [&](const Eigen::VectorXd& u, Eigen::VectorXd& g) {
    try {
      return likelihood(u, g);
    } catch (const numerical_error&) {
      g = Eigen::VectorXd::Zero(4);
      return std::numeric_limits<double>::infinity();
    }
  };
  fitted_parameters f = fit_log_parameters(nll, u0, total, static_cast<std::size_t>(d.size()), options,
                                           {"r", "alpha", "s", "beta"});
  return pareto_nbd_model({f.theta(0), f.theta(1), f.theta(2), f.theta(3)}, std::move(f.report));
}
}  // namespace detail

// Maximum-likelihood fit on (x, t_x, T) per customer, compressed to distinct patterns.
[[nodiscard]] inline pareto_nbd_model fit_pareto_nbd(const Eigen::Ref<const Eigen::VectorXd>& x,
                                                     const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                                     const Eigen::Ref<const Eigen::VectorXd>& T,
                                                     const clv_fit_options& options = {}) {
  const char* f = "fit_pareto_nbd";
  detail::validate_clv_options(f, options);
  detail::validate_btyd(f, x, t_x, T);
  detail::require_non_empty(f, "x", static_cast<std::size_t>(x.size()));
  return detail::fit_pareto_nbd_patterns(detail::compress(x, t_x, T, nullptr), options);
}

[[nodiscard]] inline pareto_nbd_model fit_pareto_nbd(const Eigen::Ref<const Eigen::VectorXd>& x,
                                                     const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                                     const Eigen::Ref<const Eigen::VectorXd>& T,
                                                     const Eigen::Ref<const Eigen::VectorXd>& weights,
                                                     const clv_fit_options& options = {}) {
  const char* f = "fit_pareto_nbd";
  detail::validate_clv_options(f, options);
  detail::validate_btyd(f, x, t_x, T);
  detail::require_non_empty(f, "x", static_cast<std::size_t>(x.size()));
  detail::validate_weights(f, weights, x.size());
  const Eigen::VectorXd w = weights;
  return detail::fit_pareto_nbd_patterns(detail::compress(x, t_x, T, &w), options);
}

// Fit on distinct patterns with weights, e.g. btyd_pattern_accumulator::patterns() or
// compress_btyd(): the same fit as on the customers they summarise.
[[nodiscard]] inline pareto_nbd_model fit_pareto_nbd(const btyd_patterns& patterns,
                                                     const clv_fit_options& options = {}) {
  return fit_pareto_nbd(patterns.x, patterns.t_x, patterns.T, patterns.weight, options);
}

}  // namespace patron
