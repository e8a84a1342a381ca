// Pareto/NBD: Schmittlein, Morrison & Colombo (1987); the likelihood as in Fader,
// Hardie & Lee (2005), "A Note on Implementing the Pareto/NBD Model in MATLAB", and
// DERT from Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4), eq. 2.
//
// Purchases are Poisson(lambda), lambda ~ Gamma(r, alpha); lifetimes are
// Exponential(mu), mu ~ Gamma(s, beta). With K = r + s + x,
//   L = G(r+x) alpha^r beta^s / G(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s/K * A0 ],
//   A0 = F(t_x) - F(T),  F(t) = 2F1(K, b2; K+1; (M-m)/(M+t)) / (M+t)^K,
// with M = max(alpha, beta), m = min(alpha, beta), b2 = s+1 if alpha >= beta else r+x:
// the branch that keeps the argument in [0, 1) so the series converges. patron carries
// L normalised and Euler-transformed (see detail below), in log space, so frequencies
// of 10^4 and more neither overflow nor cancel, and it stays exact at the boundaries
// of the parameter space (r, alpha -> inf: Poisson purchasing; s, beta -> inf:
// exponential lifetimes with one rate), where fits without heterogeneity end up.
#pragma once

#include <Eigen/Core>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/expint.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/fraction.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "patron/clv/common.hpp"
#include "patron/core/special.hpp"

namespace patron {

struct pareto_nbd_parameters {
  double r = 1.0, alpha = 1.0;  // purchase rate lambda ~ Gamma(shape r, rate alpha)
  double s = 1.0, beta = 1.0;   // dropout rate mu ~ Gamma(shape s, rate beta)
};

namespace detail {

// The likelihood is carried divided by the factor (r)_x alpha^-x its two terms share,
// with every power written through log1p:
//   L = (r)_x alpha^-x [A(T) + D],   A(t) = (1 + t/alpha)^-(r+x) (1 + t/beta)^-s,
//   D = int_{t_x}^T f(tau) dtau,     f(tau) = s/beta (1 + tau/alpha)^-(r+x) (1 + tau/beta)^-(s+1):
// A(T) for "alive at T", D for "died in (t_x, T]". No term of size r log(alpha) or
// s log(beta) is formed, so L stays exact as r, alpha -> inf at a fixed r/alpha = lambda
// (Poisson purchasing: (1 + tau/alpha)^-(r+x) -> e^(-lambda tau)) and as s, beta -> inf at a
// fixed s/beta = mu (exponential lifetimes). The textbook form, lgamma(r+x) - lgamma(r)
// + r log(alpha) - (r+x) log(alpha+T) + ..., subtracts terms of size r log(alpha) ~ 3e13
// at alpha = 1e12 (log L off by 3e-3) and loses every digit past alpha ~ 1e16.
//
// D = s/K (G(t_x) - G(T)), K = r+s+x, where s/K G(t) is the integral of f from t to
// infinity: by Euler's transformation of the note's 2F1(K, .; K+1; z),
//   alpha >= beta:  G(t) = A(t) H(t),                     H = 2F1(1, r+x; K+1; z), z = (alpha-beta)/(alpha+t),
//   alpha <  beta:  G(t) = A(t) (alpha+t)/(beta+t) H(t),  H = 2F1(1, s+1; K+1; z), z = (beta-alpha)/(beta+t),
// a series of positive terms with ratios z (b+n)/(K+1+n) < z. Near either boundary z -> 1
// and b/(K+1) -> 1 together and the series would need ~alpha (or ~beta) terms; after
// pnbd_series_terms terms, and wherever G(T) is within 5% of G(t_x) (the difference
// would cancel), D is integrated directly instead (pnbd_dead_by_quadrature).
constexpr long pnbd_series_terms = 2000;

// A log term of the likelihood and its gradient with respect to (r, alpha, s, beta).
struct pnbd_log_part {
  double value = -std::numeric_limits<double>::infinity();
  double d[4] = {0.0, 0.0, 0.0, 0.0};
};

// log A(t) from log1p(t/alpha) and log1p(t/beta).
inline pnbd_log_part pnbd_log_alive(const pareto_nbd_parameters& p, double x, double t, double l_alpha,
                                    double l_beta) {
  const double a = p.r + x;
  pnbd_log_part out;
  out.value = -a * l_alpha - p.s * l_beta;
  out.d[0] = -l_alpha;
  out.d[1] = a / p.alpha * (t / (p.alpha + t));
  out.d[2] = -l_beta;
  out.d[3] = p.s / p.beta * (t / (p.beta + t));
  return out;
}

// log G(t) and its gradient by the series of H (see above). The sums of the terms times
// n / z, psi(b+n) - psi(b) and psi(c+n) - psi(c), c = K+1, give d log H / dz, db, dc.
struct pnbd_log_g : pnbd_log_part {
  bool converged = false;
};

inline pnbd_log_g pnbd_log_g_series(const pareto_nbd_parameters& p, double x, double t) {
  const double a = p.r + x, c = a + p.s + 1.0;
  const bool alpha_larger = p.alpha >= p.beta;
  const double M = alpha_larger ? p.alpha : p.beta, m = alpha_larger ? p.beta : p.alpha;
  const double b = alpha_larger ? a : p.s + 1.0;
  const double z = (M - m) / (M + t), q = (M + t) / (m + t);  // q = 1 / (1 - z)
  double term = 1.0, sum = 1.0, s_b = 0.0, s_c = 0.0, s_z = 0.0, h_b = 0.0, h_c = 0.0;
  pnbd_log_g g;
  g.converged = z == 0.0;
  // Term N is z^N (b)_N / (c)_N <= z^N (1 + N/c)^-(c-b). Where that bound is still above the
  // stopping threshold at N = pnbd_series_terms, the series would most likely run out of
  // terms: the quadrature is used straight away (either path is accurate; this only
  // saves the futile terms).
  constexpr double n_max = static_cast<double>(pnbd_series_terms);
  if (n_max * -std::log(z) + (c - b) * std::log1p(n_max / c) < 40.0 + std::log(q * (n_max + q))) return g;
  // Two divisions per term: with the per-pattern arithmetic, most of a fit's time.
  for (long n = 0; !g.converged && n < pnbd_series_terms; ++n) {
    const double dn = static_cast<double>(n);
    const double inv_c = 1.0 / (c + dn), ratio = (b + dn) * inv_c;
    s_z += (dn + 1.0) * term * ratio;  // (n+1) t_{n+1} / z
    h_b += 1.0 / (b + dn);
    h_c += inv_c;
    term *= ratio * z;
    sum += term;
    s_b += term * h_b;
    s_c += term * h_c;
    // Every later ratio is below z, so the tail of the sum is below term q, and those of
    // the derivative sums (extra factors n, h_b, h_c, each growing by at most 1 per term)
    // below term q (n + 2 + q)(1 + h_b + h_c).
    g.converged = term * q * (dn + 2.0 + q) * (1.0 + h_b + h_c) <= 1e-17 * sum;
  }
  static_cast<pnbd_log_part&>(g) = pnbd_log_alive(p, x, t, std::log1p(t / p.alpha), std::log1p(t / p.beta));
  const double d_b = s_b / sum, d_c = -s_c / sum, d_z = s_z / sum;
  g.value += std::log(sum);
  if (alpha_larger) {
    g.d[0] += d_b + d_c;
    g.d[2] += d_c;
    g.d[1] += d_z * (p.beta + t) / ((p.alpha + t) * (p.alpha + t));
    g.d[3] -= d_z / (p.alpha + t);
  } else {
    g.value += std::log((p.alpha + t) / (p.beta + t));
    g.d[0] += d_c;
    g.d[2] += d_b + d_c;
    g.d[1] += 1.0 / (p.alpha + t) - d_z / (p.beta + t);
    g.d[3] += d_z * (p.alpha + t) / ((p.beta + t) * (p.beta + t)) - 1.0 / (p.beta + t);
  }
  return g;
}

// Whether D is taken from G(t_x) - G(T): both series converged and G(T) < 0.95 G(t_x).
inline bool pnbd_series_usable(const pnbd_log_g& g_t_x, const pnbd_log_g& g_T) {
  return g_t_x.converged && g_T.converged && g_T.value - g_t_x.value < std::log(0.95);
}

// log D = log(s/K) + log G(t_x) + log(1 - rho), rho = G(T) / G(t_x), and
// d log D = d log(s/K) + (d log G(t_x) - rho d log G(T)) / (1 - rho).
inline pnbd_log_part pnbd_log_dead_from_series(const pareto_nbd_parameters& p, double x, const pnbd_log_g& g_t_x,
                                               const pnbd_log_g& g_T) {
  const double K = p.r + p.s + x, difference = g_T.value - g_t_x.value;
  const double rho = std::exp(difference), inv = 1.0 / (1.0 - rho);
  pnbd_log_part out;
  out.value = std::log(p.s / K) + g_t_x.value + std::log(-std::expm1(difference));
  for (int k = 0; k < 4; ++k) out.d[k] = (g_t_x.d[k] - rho * g_T.d[k]) * inv;
  out.d[0] -= 1.0 / K;
  out.d[2] += 1.0 / p.s - 1.0 / K;
  return out;
}

// log D and its gradient by composite 10-point Gauss-Legendre on [t0, t1] (t0 < t1).
// log f(tau) - log f(t0) = -(r+x) log1p((tau-t0)/(alpha+t0)) - (s+1) log1p((tau-t0)/(beta+t0))
// is exact, convex and decreasing. Panels start at t0 with length
//   h = min(4 / |d log f / dtau| at the panel's start, (min(alpha, beta) + tau) / 4):
// f falls by at most e^-4 across a panel, where 10 nodes integrate e^(-c tau) to 1e-18,
// and the singularities of log f at -alpha and -beta lie 4 panel lengths away. As f
// decreases, the rest of the integral is below f(tau) (t1 - tau): the panels stop once
// that is below 1e-17 of the sum. Where a panel would be below the resolution of tau
// (slope > 4 / ulp(tau): r + x or s near 1e300, or x near 2^53 with a tiny alpha), the
// rest is integrated with log f taken as linear, f(tau) (1 - e^(-slope (t1 - tau))) / slope:
// its curvature changes that by a relative 1 / (tau slope) < 1e-16 over the e^-40 of
// its mass, which lies within 10 ulp of tau.
inline pnbd_log_part pnbd_dead_by_quadrature(const pareto_nbd_parameters& p, double x, double t0, double t1,
                                             bool with_gradient) {
  using rule = boost::math::quadrature::gauss<double, 10>;
  const double a = p.r + x, b = p.s + 1.0, alpha_t0 = p.alpha + t0, beta_t0 = p.beta + t0;
  const double nearest_singularity = std::min(p.alpha, p.beta);
  auto log_ratio = [&](double tau) {
    return -a * std::log1p((tau - t0) / alpha_t0) - b * std::log1p((tau - t0) / beta_t0);
  };
  double sum = 0.0, s[4] = {0.0, 0.0, 0.0, 0.0};
  for (double tau = t0; tau < t1;) {
    const double slope = a / (p.alpha + tau) + b / (p.beta + tau);
    const double h = std::min({4.0 / slope, 0.25 * (nearest_singularity + tau), t1 - tau});
    const double next = h == t1 - tau ? t1 : tau + h;
    if (!(next > tau)) {
      // The gradient adds k d slope / d(r, alpha, s, beta) to d log f(tau), k = d log of
      // (1 - e^(-slope L)) / slope by slope.
      const double length = t1 - tau, kept = -std::expm1(-slope * length);
      const double v = std::exp(log_ratio(tau)) / slope * kept, ia = 1.0 / (p.alpha + tau), ib = 1.0 / (p.beta + tau);
      const double k = length * std::exp(-slope * length) / kept - 1.0 / slope;
      sum += v;
      if (with_gradient) {
        s[0] += v * (k * ia - std::log1p(tau / p.alpha));
        s[1] += v * ((a / p.alpha) * (tau * ia) - k * a * ia * ia);
        s[2] += v * (k * ib - std::log1p(tau / p.beta));
        s[3] += v * ((b / p.beta) * (tau * ib) - k * b * ib * ib);
      }
      break;
    }
    const double mid = tau + 0.5 * h, half = 0.5 * h;
    for (std::size_t i = 0; i < rule::abscissa().size(); ++i) {
      for (const double side : {-1.0, 1.0}) {
        const double node = mid + side * half * rule::abscissa()[i];
        const double v = rule::weights()[i] * half * std::exp(log_ratio(node));
        sum += v;
        if (with_gradient) {
          s[0] -= v * std::log1p(node / p.alpha);
          s[1] += v * (a / p.alpha) * (node / (p.alpha + node));
          s[2] -= v * std::log1p(node / p.beta);
          s[3] += v * (b / p.beta) * (node / (p.beta + node));
        }
      }
    }
    tau = next;
    if (tau < t1 && std::exp(log_ratio(tau)) * (t1 - tau) <= 1e-17 * sum) break;
  }
  pnbd_log_part out;
  out.value = log_ratio_of(p.s, p.beta) - a * std::log1p(t0 / p.alpha) - b * std::log1p(t0 / p.beta) + std::log(sum);
  if (with_gradient) {
    // d log f: -log1p(tau/alpha), (r+x) tau / (alpha (alpha+tau)), 1/s - log1p(tau/beta),
    // -1/beta + (s+1) tau / (beta (beta+tau)), averaged with weight f.
    out.d[0] = s[0] / sum;
    out.d[1] = s[1] / sum;
    out.d[2] = 1.0 / p.s + s[2] / sum;
    out.d[3] = -1.0 / p.beta + s[3] / sum;
  }
  return out;
}

// log A(T) and log D of one customer.
struct pnbd_terms {
  pnbd_log_part alive, dead;
};

inline pnbd_terms pnbd_log_terms(const pareto_nbd_parameters& p, double x, double t_x, double T,
                                 bool with_gradient = false) {
  pnbd_terms out;
  out.alive = pnbd_log_alive(p, x, T, std::log1p(T / p.alpha), std::log1p(T / p.beta));
  if (t_x < T) {
    const pnbd_log_g g_t_x = pnbd_log_g_series(p, x, t_x), g_T = pnbd_log_g_series(p, x, T);
    out.dead = pnbd_series_usable(g_t_x, g_T) ? pnbd_log_dead_from_series(p, x, g_t_x, g_T)
                                              : pnbd_dead_by_quadrature(p, x, t_x, T, with_gradient);
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
// pattern's T and t_x as an index into their distinct values. G(t) depends on x and t
// only, so within a run each distinct t_x and each distinct T costs one series, however
// many patterns share it (on a day grid, a few hundred series per x instead of one per
// pattern); (r)_x alpha^-x is computed once per run. Per pattern, the arithmetic is that
// of pnbd_log_terms (the quadrature where the series is not usable).
class pnbd_likelihood {
 public:
  explicit pnbd_likelihood(const btyd_patterns& d) : d_(d), layout_(d) {
    g_T_.resize(static_cast<std::size_t>(layout_.T.size()));
    g_t_x_.resize(static_cast<std::size_t>(layout_.t_x.size()));
    stamp_T_.assign(g_T_.size(), 0);
    stamp_t_x_.assign(g_t_x_.size(), 0);
  }

  double operator()(const Eigen::VectorXd& u, Eigen::VectorXd& gradient) { return evaluate(u, &gradient); }
  // The value alone: where the death terms come from the quadrature (near a boundary),
  // half its cost is the gradient.
  double value(const Eigen::VectorXd& u) { return evaluate(u, nullptr); }

 private:
  double evaluate(const Eigen::VectorXd& u, Eigen::VectorXd* gradient) {
    const pareto_nbd_parameters p{std::exp(u(0)), std::exp(u(1)), std::exp(u(2)), std::exp(u(3))};
    const double log_alpha = std::log(p.alpha);
    const Eigen::ArrayXd l_alpha_T = (layout_.T / p.alpha).log1p(), l_beta_T = (layout_.T / p.beta).log1p();
    rising_log_sums rising_r(p.r);
    double ll = 0, g[4] = {0, 0, 0, 0};  // d/d(r, alpha, s, beta)
    for (std::size_t k = 0; k + 1 < layout_.run_start.size(); ++k) {
      ++epoch_;  // invalidates the G caches of the previous run
      const double x = d_.x(layout_.run_start[k]);
      rising_r.advance_to(x);
      const double constant = rising_r.log_sum - x * log_alpha;
      const double dc[4] = {rising_r.reciprocal_sum, -x / p.alpha, 0.0, 0.0};
      auto cached_g = [&](std::vector<pnbd_log_g>& cache, std::vector<std::uint64_t>& stamp, std::int32_t index,
                          double t) -> const pnbd_log_g& {
        const auto j = static_cast<std::size_t>(index);
        if (stamp[j] != epoch_) {
          cache[j] = pnbd_log_g_series(p, x, t);
          stamp[j] = epoch_;
        }
        return cache[j];
      };
      for (Eigen::Index i = layout_.run_start[k]; i < layout_.run_start[k + 1]; ++i) {
        const double t_x = d_.t_x(i), T = d_.T(i), w = d_.weight(i);
        const std::int32_t Ti = layout_.T_index[static_cast<std::size_t>(i)];
        const pnbd_log_part alive = pnbd_log_alive(p, x, T, l_alpha_T(Ti), l_beta_T(Ti));
        pnbd_log_part dead;
        if (t_x < T) {
          const pnbd_log_g& g_T = cached_g(g_T_, stamp_T_, Ti, T);
          const pnbd_log_g& g_t_x =
              cached_g(g_t_x_, stamp_t_x_, layout_.t_x_index[static_cast<std::size_t>(i)], t_x);
          dead = pnbd_series_usable(g_t_x, g_T) ? pnbd_log_dead_from_series(p, x, g_t_x, g_T)
                                                : pnbd_dead_by_quadrature(p, x, t_x, T, gradient != nullptr);
        }
        // log(e^l1 + e^l2) and the shares e^l1, e^l2 of it, from one e = exp(-|l1 - l2|)
        // (e = 0 when l2 = -inf).
        const double l1 = alive.value, l2 = dead.value;
        const double e = std::exp(-std::abs(l1 - l2)), share = 1.0 / (1.0 + e);
        const double total = std::max(l1, l2) + std::log1p(e);
        const double w1 = l1 >= l2 ? share : e * share, w2 = l1 >= l2 ? e * share : share;
        ll += w * (constant + total);
        for (int c = 0; c < 4; ++c) g[c] += w * (dc[c] + w1 * alive.d[c] + w2 * dead.d[c]);
      }
    }
    if (gradient) {
      gradient->resize(4);
      *gradient << -g[0] * p.r, -g[1] * p.alpha, -g[2] * p.s, -g[3] * p.beta;
    }
    return -ll;
  }

  const btyd_patterns& d_;
  pattern_layout layout_;
  // log G and its gradient per distinct T and t_x, valid while their stamp is epoch_.
  std::vector<pnbd_log_g> g_T_, g_t_x_;
  std::vector<std::uint64_t> stamp_T_, stamp_t_x_;
  std::uint64_t epoch_ = 0;
};

inline double pnbd_total_nll(const btyd_patterns& d, const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
  return pnbd_likelihood(d)(u, gradient);
}

// Terms k (a - k), z + 1 - a + 2k of Legendre's continued fraction
//   e^z z^-a Gamma(a, z) = 1 / (z + 1 - a + 1(a-1)/(z + 3 - a + 2(a-2)/(z + 5 - a + ...))),
// valid for any real a and converging fast for z > 1.
struct upper_gamma_fraction_terms {
  using result_type = std::pair<double, double>;
  upper_gamma_fraction_terms(double a, double z) : a(a), b(z + 1.0 - a) {}
  result_type operator()() {
    k += 1.0;
    b += 2.0;
    return {k * (a - k), b};
  }
  double a, b, k = 0.0;
};

// e^z Gamma(a, z) for any real a and z > 0 (Boost 1.74's tgamma(a, z) needs a > 0). For
// z > 1 the continued fraction above: the downward recurrence used below subtracts
// nearly equal terms there (relative error 5e-4 at a = -3.5, z = 500) and e^z tgamma(a, z)
// overflows to inf * 0 past z ~ 709. For z <= 1: Boost for a > 0; for a <= 0 the recurrence
// Gamma(a, z) = (Gamma(a+1, z) - z^a e^-z) / a from a base in (0, 1], or from
// E1(z) = Gamma(0, z) when a is an integer.
// e^z z^-a Gamma(a, z) by the continued fraction above, for z > 1 or a <= -19 (then it
// converges within ~40 terms for any z > 0, and in none for a ~ -1e300, where its value
// is 1 / (z - a)); at most upper_gamma_fraction_terms_limit terms, past which
// `function` (the public caller) throws numerical_error.
constexpr std::uintmax_t upper_gamma_fraction_terms_limit = 100000;
inline double upper_gamma_fraction(double a, double z, const char* function) {
  upper_gamma_fraction_terms terms(a, z);
  std::uintmax_t max_terms = upper_gamma_fraction_terms_limit;
  const double fraction = boost::math::tools::continued_fraction_a(terms, std::numeric_limits<double>::epsilon(), max_terms);
  if (max_terms >= upper_gamma_fraction_terms_limit)
    throw numerical_error("patron::" + std::string(function) + ": continued fraction for Gamma(" + format_value(a) +
                          ", " + format_value(z) + ") did not converge in " +
                          std::to_string(upper_gamma_fraction_terms_limit) + " terms");
  return 1.0 / (z + 1.0 - a + fraction);
}

inline double scaled_upper_gamma(double a, double z) {
  const math_policy pol;
  if (z > 1.0)
    return std::exp(a * std::log(z)) *
           upper_gamma_fraction(a, z, "pareto_nbd_model::discounted_expected_residual_transactions");
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
    return detail::log_rising_factorial(p_.r, x) - x * std::log(p_.alpha) + detail::log_add(l.alive.value, l.dead.value);
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
    return detail::logistic(l.alive.value - l.dead.value);
  }

  // E[X(t)] for a new customer: r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)].
  [[nodiscard]] double expected_purchases(double t) const {
    detail::require(std::isfinite(t) && t >= 0.0, "pareto_nbd_model::expected_purchases", "t", t,
                    "must be finite and non-negative");
    return expectation("pareto_nbd_model::expected_purchases", p_.r, p_.alpha, p_.beta,
                       power_kernel(std::log1p(t / p_.beta)), 1.0);
  }

  // E[Y(t) | x, t_x, T] = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive).
  [[nodiscard]] double conditional_expected_purchases(double t, double x, double t_x, double T) const {
    const char* f = "pareto_nbd_model::conditional_expected_purchases";
    detail::validate_btyd_row(f, 0, x, t_x, T);
    detail::require(std::isfinite(t) && t >= 0.0, f, "t", t, "must be finite and non-negative");
    return expectation(f, p_.r + x, p_.alpha + T, p_.beta + T, power_kernel(std::log1p(t / (p_.beta + T))),
                       probability_alive(x, t_x, T));
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
    detail::require(x <= detail::max_purchase_count, f, "x", x, detail::max_purchase_count_message);
    // (r)_x / x! as a rising factorial and the powers through log1p, as in the likelihood.
    const double log_coefficient = detail::log_rising_factorial(p_.r, x) - detail::log_gamma(x + 1.0);
    auto log_nb = [&](double tau) {
      return log_coefficient - p_.r * std::log1p(tau / p_.alpha) +
             (x == 0.0 ? 0.0 : x * std::log(tau / (p_.alpha + tau)));
    };
    const double alive = std::exp(log_nb(t) - p_.s * std::log1p(t / p_.beta));
    const double log_density = detail::log_ratio_of(p_.s, p_.beta);
    const double dead = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
        [&](double tau) {
          if (tau == 0.0 && x > 0.0) return 0.0;
          return std::exp(log_nb(tau) + log_density - (p_.s + 1.0) * std::log1p(tau / p_.beta));
        },
        0.0, t, 15, 1e-13);
    return alive + dead;
  }

  // DERT: discounted expected residual transactions at continuous discount rate delta
  // per time unit (JMR 2005 eq. 2):
  //   alpha^r beta^s delta^(s-1) G(r+x+1) Psi(s, s; delta(beta+T)) / (G(r) (alpha+T)^(r+x+1) L),
  // with Psi(s, s; z) = e^z Gamma(1-s, z) the confluent hypergeometric function of the
  // second kind; with L normalised as in the likelihood, this is
  //   (r+x)/(alpha+T) P(alive) (beta+T)^s delta^(s-1) Psi(s, s; delta(beta+T)).
  [[nodiscard]] double discounted_expected_residual_transactions(double delta, double x, double t_x,
                                                                 double T) const {
    const char* f = "pareto_nbd_model::discounted_expected_residual_transactions";
    detail::validate_btyd_row(f, 0, x, t_x, T);
    detail::require(std::isfinite(delta) && delta > 0.0, f, "delta", delta, "must be finite and positive");
    // (beta+T)^s delta^(s-1) Psi(s, s; z), z = delta (beta+T): for z > 1 the powers cancel against
    // z^(1-s) of the continued fraction, leaving (beta+T) e^z z^(s-1) Gamma(1-s, z), which
    // stays finite as s, beta -> inf (exponential lifetimes; the limit is 1 / (delta + s/beta)).
    // For s >= 20 the same fraction at any z: the downward recurrence below would take
    // ~s steps (it never ended at s = 1e300) and (beta+T)^s overflows.
    const double z = delta * (p_.beta + T);
    const double factor = z > 1.0 || p_.s >= 20.0 ? (p_.beta + T) * detail::upper_gamma_fraction(1.0 - p_.s, z, f)
                                                  : std::exp(p_.s * std::log(p_.beta + T) + (p_.s - 1.0) * std::log(delta)) *
                                        detail::scaled_upper_gamma(1.0 - p_.s, z);
    return (p_.r + x) / (p_.alpha + T) * probability_alive(x, t_x, T) * factor;
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
  // rate * span * share, rate = shape / rate_scale (the mean purchase rate), span = scale *
  // kernel (the expected lifetime within the horizon, at most t): evaluated as written for
  // ordinary parameters; where that overflows, underflows or is inf * 0 (parameters near
  // 1e+-300), through logs (exact to ~1e-13), and an invalid_input naming `function` when
  // the value itself exceeds the double range.
  double expectation(const char* function, double shape, double rate_scale, double scale, double kernel,
                     double share) const {
    const double value = shape * scale / rate_scale * kernel * share;
    if (std::isfinite(value) && value > 0.0) return value;
    const double span = scale * kernel;
    if (span == 0.0 || share == 0.0) return 0.0;
    const double log_value = std::log(shape) - std::log(rate_scale) + std::log(span) + std::log(share);
    if (!(log_value < std::log(std::numeric_limits<double>::max())))
      detail::throw_invalid_value(function, "parameters.alpha", p_.alpha,
                                  "is so small beside parameters.r (" + detail::format_value(p_.r) +
                                      ") that the expected purchases overflow a double");
    return std::exp(log_value);
  }
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
  // A series that fails its convergence check (numerical_error) makes that trial point
  // infeasible (fit_log_parameters, report_boundaries).
  pnbd_likelihood likelihood(d);
  fitted_parameters f = fit_log_parameters(likelihood, u0, total, static_cast<std::size_t>(d.size()), options,
                                           {"r", "alpha", "s", "beta"});
  auto value = [&](const Eigen::VectorXd& u, Eigen::VectorXd&) { return likelihood.value(u); };
  report_boundaries(value, f.theta,
                    {{{}, {0}, "purchase rates -> 0: no repeat purchases"},
                     {{0, 1}, {}, "one purchase rate for everyone: Poisson purchasing", true},
                     {{}, {2}, "dropout rates -> 0: no customer drops out"},
                     {{}, {3}, "dropout rates -> infinity: every customer drops out at once"},
                     {{2, 3}, {}, "one dropout rate for everyone: exponential lifetimes", true}},
                    f.report);
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
