// BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An
// Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
//
// While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha);
// after every purchase they drop out with probability p ~ Beta(a, b). Data per customer:
// x repeat purchases, t_x the age at the last one, T the age at the end of calibration.
//
//   L(r, alpha, a, b | x, t_x, T) = B(a, b+x)/B(a, b) * G(r+x)/G(r) * alpha^r / (alpha+T)^(r+x)
//       + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x)/G(r) * alpha^r / (alpha+t_x)^(r+x)
#pragma once

#include <Eigen/Core>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <vector>

#include "patron/clv/common.hpp"
#include "patron/core/hypergeometric.hpp"
#include "patron/core/special.hpp"

namespace patron {

struct bgnbd_parameters {
  double r = 1.0, alpha = 1.0;  // purchase rate lambda ~ Gamma(shape r, rate alpha)
  double a = 1.0, b = 1.0;      // dropout probability p ~ Beta(a, b)
};

namespace detail {

inline void validate_bgnbd(const char* function, const bgnbd_parameters& p) {
  require_positive_scalar(function, "parameters.r", p.r);
  require_positive_scalar(function, "parameters.alpha", p.alpha);
  require_positive_scalar(function, "parameters.a", p.a);
  require_positive_scalar(function, "parameters.b", p.b);
}

// log of the second likelihood term over the first (the odds of "dropped out right
// after the last purchase" against "still alive"). log((alpha+T)/(alpha+t_x)) as a
// log1p: near the Poisson boundary (r, alpha -> infinity) it is ~1e-40 and multiplies r.
// a / (b + x - 1) as a difference of logs where it underflows (a = 1e-300, b = 1e300 gave
// P(alive) = 1 for a customer certainly gone).
inline double bgnbd_log_odds_dead(const bgnbd_parameters& p, double x, double t_x, double T) {
  return log_ratio_of(p.a, p.b + x - 1.0) + (p.r + x) * std::log1p((T - t_x) / (p.alpha + t_x));
}

// Most terms the 2F1 series of the BG/NBD expectations may take (about 6 ms); ordinary
// parameters need a few hundred, x ~ 1e4 a few ten thousand.
constexpr long bgnbd_series_terms = 1'000'000;

// (c0 + a) / (a - 1) * [1 - q^k 2F1(k, beta; c0 + a; z)], the shape shared by E[X(t)]
// and E[Y(t) | x, t_x, T] (eq. 10). At a = 1 both factors vanish; within 1e-5
// of it the symmetric mean at a = 1 +/- 2e-5 is used (error below 1e-9 relative). At
// c = c0 + a = 0 (a + b = 1 in E[X(t)]) the 2F1 has a pole that c cancels: within 1e-5 of
// it the mean at c +/- 2e-5, beta moved with c. Where the 2F1 cannot be evaluated (its
// series exceeds bgnbd_series_terms; z rounds to 1 or c to -1 at parameters near
// 1e+-300) or the result is not finite, invalid_input names `function` and the parameters.
// For k = r + x > 1e5 and w = z / (1 - z) < 1 (a customer with 1e6 purchases or more), Pfaff's
//   q^k 2F1(k, beta; c; z) = 2F1(k, c - beta; c; -w),  c - beta = a - 1,
// whose series (hyp2f1 maps it to 2F1(a - 1, c - k; c; w / (1 + w)), c - k = a + b - 1 - r)
// takes a handful of terms where the direct one needs ~k z / (1 - z).
inline double bgnbd_expectation_kernel(const char* function, const bgnbd_parameters& p, double a, double c0,
                                       double k, double beta_param, double log_q, double z, double w) {
  auto at = [&](double aa, double shift) {
    const double c = c0 + shift + aa;
    const bool pfaff = k > 1e5 && w < 1.0;
    // c - beta = a - 1 in both callers (c0 = beta - 1), passed as such: as a difference of
    // c and beta ~ x it would carry their rounding (0.125 at x = 1e15).
    const signed_log f = pfaff ? log_hyp2f1_signed(k, aa - 1.0, c, -w, bgnbd_series_terms)
                               : log_hyp2f1_signed(k, beta_param + shift, c, z, bgnbd_series_terms);
    const double log_scaled = pfaff ? f.log_abs : k * log_q + f.log_abs;
    const double bracket = f.sign > 0 ? -std::expm1(log_scaled) : 1.0 - f.sign * std::exp(log_scaled);
    return (c0 + shift + aa) / (aa - 1.0) * bracket;
  };
  auto at_c = [&](double aa) {
    return std::abs(c0 + aa) < 1e-5 ? 0.5 * (at(aa, -2e-5) + at(aa, 2e-5)) : at(aa, 0.0);
  };
  std::string problem;
  double value = 0.0;
  try {
    value = std::abs(a - 1.0) < 1e-5 ? 0.5 * (at_c(1.0 - 2e-5) + at_c(1.0 + 2e-5)) : at_c(a);
    if (std::isfinite(value)) return value;
    problem = "the expectation evaluates to " + format_value(value);
  } catch (const invalid_input& e) {
    problem = e.what();
  } catch (const numerical_error& e) {
    problem = e.what();
  }
  const std::string prefix = "patron::hyp2f1: ";
  if (problem.compare(0, prefix.size(), prefix) == 0) problem = "2F1 " + problem.substr(prefix.size());
  throw_invalid_value(function, "parameters",
                      "r = " + format_value(p.r) + ", alpha = " + format_value(p.alpha) + ", a = " +
                          format_value(p.a) + ", b = " + format_value(p.b),
                      "are beyond the range where the expectation can be evaluated (" + problem + ")");
}

// The total weighted negative log-likelihood of patterns and its gradient with respect
// to u = log(r, alpha, a, b). Prepared once per fit: the runs of equal x (terms that
// depend only on x are computed once per run, with the run's total weight) and each
// pattern's T and t_x as an index into their distinct values, so an evaluation takes
// log(alpha + T) and log(alpha + t_x) once per distinct time. The per-pattern terms,
//   softplus(odds) and logistic(odds), odds = log(a/(b+x-1)) + (r+x) log((alpha+T)/(alpha+t_x)),
// are computed with Eigen's vectorised exp and log over each run from one
// e = exp(-|odds|): softplus = max(odds, 0) + log(1 + e) (absolute error below 2^-52
// per customer, where log1p would give e itself for e < 2^-53).
class bgnbd_likelihood {
 public:
  explicit bgnbd_likelihood(const btyd_patterns& d) : w_(d.weight.array()), layout_(d) {
    const Eigen::Index n = d.size();
    for (std::size_t k = 0; k + 1 < layout_.run_start.size(); ++k) {
      run_x_.push_back(d.x(layout_.run_start[k]));
      double weight = 0.0;
      for (Eigen::Index i = layout_.run_start[k]; i < layout_.run_start[k + 1]; ++i) weight += d.weight(i);
      run_weight_.push_back(weight);
    }
    for (Eigen::ArrayXd* a : {&l_T_, &inv_T_, &frac_T_, &log_ratio_, &inv_diff_, &scratch_, &p_}) a->resize(n);
  }

  double operator()(const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
    const double r = std::exp(u(0)), alpha = std::exp(u(1)), a = std::exp(u(2)), b = std::exp(u(3));
    const double log_alpha = std::log(alpha);
    // Per distinct time: log(1 + T/alpha), 1/(alpha + T) and T/(alpha + T), gathered per pattern.
    // log(alpha + T) is written log(alpha) + log1p(T/alpha) and the r log(alpha) terms are
    // cancelled by hand, so nothing of size r log(alpha) is ever subtracted: the likelihood and
    // gradient stay exact when r and alpha grow together (the Poisson limit, lambda = r/alpha).
    const auto log1p_of = [alpha](double t) { return std::log1p(t / alpha); };
    const Eigen::ArrayXd l_T = layout_.T.unaryExpr(log1p_of), inv_T = (alpha + layout_.T).inverse();
    const Eigen::ArrayXd l_t_x = layout_.t_x.unaryExpr(log1p_of), inv_t_x = (alpha + layout_.t_x).inverse();
    for (std::size_t i = 0; i < layout_.T_index.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      const std::int32_t t = layout_.T_index[i], s = layout_.t_x_index[i];
      l_T_(k) = l_T(t);
      inv_T_(k) = inv_T(t);
      frac_T_(k) = layout_.T(t) * inv_T(t);
      log_ratio_(k) = l_T(t) - l_t_x(s);
      inv_diff_(k) = (layout_.t_x(s) - layout_.T(t)) * inv_T(t) * inv_t_x(s);
    }
    // lgamma(c + x) - lgamma(c) and digamma(c + x) - digamma(c) for c = r, b, a + b as running
    // sums of log(c + i) and 1 / (c + i), i < x, over the runs (x ascending): exact where the
    // differences of lgamma and digamma cancel catastrophically (c >> x, e.g. a fit running
    // to the boundary of a population without dropout), and O(max x) per evaluation.
    rising_log_sums rising_r(r), rising_b(b), rising_ab(a + b);
    double ll = 0.0, g_r = 0.0, g_alpha = 0.0, g_a = 0.0, g_b = 0.0;
    for (std::size_t k = 0; k < run_x_.size(); ++k) {
      const double x = run_x_[k], s_w = run_weight_[k], rx = r + x;
      const Eigen::Index start = layout_.run_start[k], len = layout_.run_start[k + 1] - start;
      const auto w = w_.segment(start, len);
      const double s_l_T = (w * l_T_.segment(start, len)).sum();
      const double s_inv_T = (w * inv_T_.segment(start, len)).sum();
      const double s_frac_T = (w * frac_T_.segment(start, len)).sum();
      // Sums over the run's patterns of w*softplus(odds), w*p, w*p*log ratio, w*p*inv diff.
      double s_softplus = 0, s_p = 0, s_p_dlog = 0, s_p_dinv = 0;
      if (x > 0) {
        auto odds = scratch_.segment(start, len);
        auto p = p_.segment(start, len);
        odds = std::log(a / (b + x - 1.0)) + rx * log_ratio_.segment(start, len);
        const Eigen::ArrayXd e = (-odds.abs()).exp();
        s_softplus = (w * (odds.max(0.0) + (1.0 + e).log())).sum();
        p = (odds > 0.0).select(Eigen::ArrayXd::Ones(len), e) / (1.0 + e) * w;
        s_p = p.sum();
        s_p_dlog = (p * log_ratio_.segment(start, len)).sum();
        s_p_dinv = (p * inv_diff_.segment(start, len)).sum();
      }
      rising_r.advance_to(x);
      rising_b.advance_to(x);
      rising_ab.advance_to(x);
      const double const_x = rising_r.log_sum + rising_b.log_sum - rising_ab.log_sum - x * log_alpha;
      ll += s_w * const_x - rx * s_l_T + s_softplus;
      g_r += s_w * rising_r.reciprocal_sum - s_l_T + s_p_dlog;
      g_alpha += r / alpha * s_frac_T - x * s_inv_T + rx * s_p_dinv;
      g_a += -s_w * rising_ab.reciprocal_sum + (x > 0 ? s_p / a : 0.0);
      g_b += s_w * (rising_b.reciprocal_sum - rising_ab.reciprocal_sum) - (x > 0 ? s_p / (b + x - 1.0) : 0.0);
    }
    gradient.resize(4);
    gradient << -g_r * r, -g_alpha * alpha, -g_a * a, -g_b * b;
    return -ll;
  }

 private:
  Eigen::ArrayXd w_;
  pattern_layout layout_;
  std::vector<double> run_x_, run_weight_;
  // Per-pattern scratch of one evaluation.
  Eigen::ArrayXd l_T_, inv_T_, frac_T_, log_ratio_, inv_diff_, scratch_, p_;
};

inline double bgnbd_total_nll(const btyd_patterns& d, const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
  return bgnbd_likelihood(d)(u, gradient);
}

}  // namespace detail

class bgnbd_model {
 public:
  // A model with known parameters (all > 0), e.g. from a paper or a previous fit.
  explicit bgnbd_model(const bgnbd_parameters& parameters, clv_fit_report report = {})
      : p_(parameters), report_(std::move(report)) {
    detail::validate_bgnbd("bgnbd_model", p_);
  }

  [[nodiscard]] const bgnbd_parameters& parameters() const { return p_; }
  [[nodiscard]] const clv_fit_report& report() const { return report_; }

  // Log-likelihood of one customer.
  [[nodiscard]] double log_likelihood(double x, double t_x, double T) const {
    detail::validate_btyd_row("bgnbd_model::log_likelihood", 0, x, t_x, T);
    const btyd_patterns one{Eigen::VectorXd::Constant(1, x), Eigen::VectorXd::Constant(1, t_x),
                            Eigen::VectorXd::Constant(1, T), Eigen::VectorXd::Ones(1)};
    Eigen::VectorXd g;
    return -detail::bgnbd_total_nll(one, log_theta(), g);
  }

  // E[X(t)], expected repeat purchases of a new customer in (0, t].
  [[nodiscard]] double expected_purchases(double t) const {
    detail::require(std::isfinite(t) && t >= 0.0, "bgnbd_model::expected_purchases", "t", t,
                    "must be finite and non-negative");
    if (t == 0.0) return 0.0;
    return detail::bgnbd_expectation_kernel("bgnbd_model::expected_purchases", p_, p_.a, p_.b - 1.0, p_.r, p_.b,
                                            -std::log1p(t / p_.alpha), t / (p_.alpha + t), t / p_.alpha);
  }

  // P(alive at T | x, t_x, T) (Fader, Hardie & Lee 2008 note "Computing P(alive) Using the BG/NBD Model").
  [[nodiscard]] double probability_alive(double x, double t_x, double T) const {
    return probability_alive_after(0.0, x, t_x, T);
  }

  // P(alive at T + t | x, t_x, T and no purchase in (T, T + t]): how P(alive) decays if
  // the customer stays silent for t more time units.
  [[nodiscard]] double probability_alive_after(double t, double x, double t_x, double T) const {
    const char* f = "bgnbd_model::probability_alive";
    detail::validate_btyd_row(f, 0, x, t_x, T);
    detail::require(std::isfinite(t) && t >= 0.0, f, "t", t, "must be finite and non-negative");
    if (x == 0.0) return 1.0;
    return detail::logistic(-detail::bgnbd_log_odds_dead(p_, x, t_x, T + t));
  }

  // E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] (eq. 10).
  [[nodiscard]] double conditional_expected_purchases(double t, double x, double t_x,
                                                      double T) const {
    const char* f = "bgnbd_model::conditional_expected_purchases";
    detail::validate_btyd_row(f, 0, x, t_x, T);
    detail::require(std::isfinite(t) && t >= 0.0, f, "t", t, "must be finite and non-negative");
    if (t == 0.0) return 0.0;
    // A customer certainly gone (P(alive) underflows: x = 1e15 purchases and then silence)
    // buys nothing, whatever the kernel, which may then be beyond its 2F1's reach.
    const double alive = probability_alive(x, t_x, T);
    if (alive == 0.0) return 0.0;
    const double s = p_.alpha + T + t;
    const double kernel = detail::bgnbd_expectation_kernel(f, p_, p_.a, p_.b + x - 1.0, p_.r + x, p_.b + x,
                                                           -std::log1p(t / (p_.alpha + T)), t / s,
                                                           t / (p_.alpha + T));
    return kernel * alive;
  }

  // P(X(t) = x): the distribution of repeat purchases of a new customer in (0, t].
  [[nodiscard]] double probability_of_purchases(double t, double x) const {
    const char* f = "bgnbd_model::probability_of_purchases";
    detail::require(std::isfinite(t) && t > 0.0, f, "t", t, "must be finite and positive");
    detail::require(std::isfinite(x) && x >= 0.0 && x == std::floor(x), f, "x", x,
                    "must be a non-negative integer");
    detail::require(x <= detail::max_purchase_count, f, "x", x, detail::max_purchase_count_message);
    // B(a, b + x) / B(a, b) = (b)_x / (a + b)_x; (r)_x / x! the negative binomial
    // coefficient; r log(alpha / (alpha + t)) as a log1p (see bgnbd_log_odds_dead).
    const double log_beta_ratio_x =
        detail::log_rising_factorial(p_.b, x) - detail::log_rising_factorial(p_.a + p_.b, x);
    const double log_first = log_beta_ratio_x + detail::log_rising_factorial(p_.r, x) -
                             detail::log_gamma(x + 1.0) - p_.r * std::log1p(t / p_.alpha) +
                             x * std::log(t / (p_.alpha + t));
    double value = std::exp(log_first);
    if (x > 0) {
      // 1 - sum_{j<x} NB(j) = P(N >= x), N ~ NegBin(r, alpha/(alpha+t)): I_{t/(alpha+t)}(x, r).
      const double tail = boost::math::ibeta(x, p_.r, t / (p_.alpha + t), detail::math_policy());
      // B(a + 1, b + x - 1) / B(a, b) = a (b)_{x-1} / (a + b)_x.
      const double log_beta_ratio = std::log(p_.a) + detail::log_rising_factorial(p_.b, x - 1.0) -
                                    detail::log_rising_factorial(p_.a + p_.b, x);
      value += std::exp(log_beta_ratio) * tail;
    }
    return value;
  }

  // Expected cumulative repeat purchases of a cohort by time `at`, customers whose
  // first purchase is at `first_purchase` (same unit as the model's time), summing
  // E[X(at - first_purchase)] over customers already acquired. One value per entry
  // of `at`; the calibration/holdout tracking curve (Fader, Hardie & Lee 2005, fig. 3).
  [[nodiscard]] Eigen::VectorXd expected_cumulative_repeat_purchases(
      const Eigen::Ref<const Eigen::VectorXd>& first_purchase,
      const Eigen::Ref<const Eigen::VectorXd>& at) const {
    return detail::cohort_cumulative_purchases("bgnbd_model::expected_cumulative_repeat_purchases", *this,
                                               first_purchase, at);
  }

  // Vector forms: one value per customer row; every row is validated first.
  [[nodiscard]] Eigen::VectorXd probability_alive(const Eigen::Ref<const Eigen::VectorXd>& x,
                                                  const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                                  const Eigen::Ref<const Eigen::VectorXd>& T) const {
    detail::validate_btyd("bgnbd_model::probability_alive", x, t_x, T);
    Eigen::VectorXd out(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) out(i) = probability_alive(x(i), t_x(i), T(i));
    return out;
  }
  [[nodiscard]] Eigen::VectorXd conditional_expected_purchases(
      double t, const Eigen::Ref<const Eigen::VectorXd>& x,
      const Eigen::Ref<const Eigen::VectorXd>& t_x,
      const Eigen::Ref<const Eigen::VectorXd>& T) const {
    detail::validate_btyd("bgnbd_model::conditional_expected_purchases", x, t_x, T);
    Eigen::VectorXd out(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i)
      out(i) = conditional_expected_purchases(t, x(i), t_x(i), T(i));
    return out;
  }

 private:
  Eigen::VectorXd log_theta() const {
    return Eigen::Vector4d(std::log(p_.r), std::log(p_.alpha), std::log(p_.a), std::log(p_.b));
  }
  bgnbd_parameters p_;
  clv_fit_report report_;
};

namespace detail {
inline bgnbd_model fit_bgnbd_patterns(const btyd_patterns& d, const clv_fit_options& options) {
  const double total = d.weight.sum();
  const double mean_x = d.weight.dot(d.x) / total, mean_T = d.weight.dot(d.T) / total;
  // Start: r = 1, alpha matching the mean purchase rate, a = b = 1.
  Eigen::VectorXd u0(4);
  u0 << 0.0, std::log(mean_T / (mean_x + 0.5)), 0.0, 0.0;
  bgnbd_likelihood nll(d);
  fitted_parameters f = fit_log_parameters(nll, u0, total, static_cast<std::size_t>(d.size()),
                                           options, {"r", "alpha", "a", "b"});
  report_boundaries(nll, f.theta,
                    {{{}, {0}, "purchase rates -> 0: no repeat purchases"},
                     {{0, 1}, {}, "one purchase rate for everyone: Poisson purchasing", true},
                     {{}, {2}, "dropout probability -> 0: no customer drops out"},
                     {{}, {3}, "dropout probability -> 1: every customer drops out at the first repeat purchase"},
                     {{2, 3}, {}, "one dropout probability for everyone", true}},
                    f.report);
  return bgnbd_model({f.theta(0), f.theta(1), f.theta(2), f.theta(3)}, std::move(f.report));
}
}  // namespace detail

// Maximum-likelihood fit on one row per customer (x, t_x, T), optionally weighted
// (weights = number of customers a row stands for). Rows are compressed to distinct
// patterns first, so memory and time scale with the patterns.
[[nodiscard]] inline bgnbd_model fit_bgnbd(const Eigen::Ref<const Eigen::VectorXd>& x,
                                           const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                           const Eigen::Ref<const Eigen::VectorXd>& T,
                                           const clv_fit_options& options = {}) {
  const char* f = "fit_bgnbd";
  detail::validate_clv_options(f, options);
  detail::validate_btyd(f, x, t_x, T);
  detail::require_non_empty(f, "x", static_cast<std::size_t>(x.size()));
  return detail::fit_bgnbd_patterns(detail::compress(x, t_x, T, nullptr), options);
}

[[nodiscard]] inline bgnbd_model fit_bgnbd(const Eigen::Ref<const Eigen::VectorXd>& x,
                                           const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                           const Eigen::Ref<const Eigen::VectorXd>& T,
                                           const Eigen::Ref<const Eigen::VectorXd>& weights,
                                           const clv_fit_options& options = {}) {
  const char* f = "fit_bgnbd";
  detail::validate_clv_options(f, options);
  detail::validate_btyd(f, x, t_x, T);
  detail::require_non_empty(f, "x", static_cast<std::size_t>(x.size()));
  detail::validate_weights(f, weights, x.size());
  const Eigen::VectorXd w = weights;
  return detail::fit_bgnbd_patterns(detail::compress(x, t_x, T, &w), options);
}

// Fit on distinct patterns with weights, e.g. btyd_pattern_accumulator::patterns() or
// compress_btyd(): the same fit as on the customers they summarise.
[[nodiscard]] inline bgnbd_model fit_bgnbd(const btyd_patterns& patterns,
                                           const clv_fit_options& options = {}) {
  return fit_bgnbd(patterns.x, patterns.t_x, patterns.T, patterns.weight, options);
}

}  // namespace patron
