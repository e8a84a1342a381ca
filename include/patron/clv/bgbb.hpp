// BG/BB: Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time
// Noncontractual Setting", Marketing Science 29(6), 1086-1108.
//
// At each of n discrete opportunities (e.g. yearly donation drives) an alive customer
// transacts with probability p ~ Beta(alpha, beta), then drops out with probability
// theta ~ Beta(gamma, delta). Data per customer: x transactions, t_x the opportunity of
// the last one (0 if none), n opportunities. Likelihood:
//   L = B(alpha+x, beta+n-x)/B(alpha,beta) * B(gamma, delta+n)/B(gamma,delta)
//     + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha,beta) * B(gamma+1, delta+t_x+i)/B(gamma,delta)
#pragma once

#include <Eigen/Core>
#include <boost/math/special_functions/digamma.hpp>
#include <algorithm>
#include <cmath>
#include <vector>

#include "patron/clv/common.hpp"
#include "patron/core/hypergeometric.hpp"
#include "patron/core/special.hpp"

namespace patron {

struct bgbb_parameters {
  double alpha = 1.0, beta = 1.0;   // transaction probability p ~ Beta(alpha, beta)
  double gamma = 1.0, delta = 1.0;  // dropout probability theta ~ Beta(gamma, delta)
};

namespace detail {

// log B(a + m, b + k) / B(a, b) = log (a)_m (b)_k / (a+b)_(m+k) for integer m, k >= 0:
// as rising factorials it stays exact when a, b -> inf at a fixed ratio (the boundary a
// fit reaches on data with one transaction or dropout probability), where a difference of
// lgamma values of size a log(a) cancels.
inline double log_beta_ratio(double a, double b, double m, double k) {
  return log_rising_factorial(a, m) + log_rising_factorial(b, k) - log_rising_factorial(a + b, m + k);
}

// Most opportunities n a row may have: the likelihood and P(X(n) = x) sum one term per
// opportunity (n = 1e12 would run for hours and store terabytes), and BG/BB's
// opportunities are discrete events (drives, seasons, visits), a few hundred at most in
// its applications.
constexpr double bgbb_max_opportunities = 1'000'000.0;
constexpr const char* bgbb_max_opportunities_message =
    "exceeds 1000000, the most opportunities BG/BB sums over (one likelihood term each)";

inline void validate_bgbb_row(const char* function, std::size_t i, double x, double t_x, double n) {
  auto is_count = [](double v) { return std::isfinite(v) && v >= 0.0 && v == std::floor(v); };
  if (!is_count(x)) throw_invalid_element(function, "x", i, x, "must be a non-negative integer");
  if (!is_count(t_x)) throw_invalid_element(function, "t_x", i, t_x, "must be a non-negative integer");
  if (!is_count(n) || n < 1.0) throw_invalid_element(function, "n", i, n, "must be a positive integer");
  if (n > bgbb_max_opportunities) throw_invalid_element(function, "n", i, n, bgbb_max_opportunities_message);
  if (t_x > n)
    throw_invalid_element(function, "t_x", i, t_x, "exceeds n[" + std::to_string(i) + "] (" + format_value(n) + ")");
  if (x > t_x)
    throw_invalid_element(function, "x", i, x, "exceeds t_x[" + std::to_string(i) + "] (" + format_value(t_x) + ")");
  if (x == 0.0 && t_x != 0.0)
    throw_invalid_element(function, "t_x", i, t_x, "must be 0 when x[" + std::to_string(i) + "] is 0");
}

// One term B(alpha+x, beta+y)/B(alpha,beta) * B(gamma+g, delta+z)/B(gamma,delta): its log
// and gradient with respect to (alpha, beta, gamma, delta).
struct bgbb_term {
  double log_value;
  double d[4];
};

inline bgbb_term bgbb_log_term(const bgbb_parameters& p, double x, double y, double g, double z, bool gradient) {
  bgbb_term t{log_beta_ratio(p.alpha, p.beta, x, y) + log_beta_ratio(p.gamma, p.delta, g, z), {0, 0, 0, 0}};
  if (gradient) {
    const double ab = digamma_rising(p.alpha + p.beta, x + y), gd = digamma_rising(p.gamma + p.delta, g + z);
    t.d[0] = digamma_rising(p.alpha, x) - ab;
    t.d[1] = digamma_rising(p.beta, y) - ab;
    t.d[2] = digamma_rising(p.gamma, g) - gd;
    t.d[3] = digamma_rising(p.delta, z) - gd;
  }
  return t;
}

// log L of one customer (log-sum-exp of the likelihood's terms) and its gradient.
// Consecutive terms of the sum differ by the factor (beta+y)/(alpha+beta+x+y) *
// (delta+z)/(gamma+delta+1+z), y = t_x-x+i, z = t_x+i: each term after the first costs two
// logs, not a rising factorial of length n.
inline double bgbb_log_likelihood(const bgbb_parameters& p, double x, double t_x, double n, double* gradient) {
  std::vector<bgbb_term> terms;
  terms.push_back(bgbb_log_term(p, x, n - x, 0.0, n, gradient != nullptr));
  bgbb_term dead = bgbb_log_term(p, x, t_x - x, 1.0, t_x, gradient != nullptr);
  for (double i = 0; i < n - t_x; ++i) {
    terms.push_back(dead);
    const double y = t_x - x + i, z = t_x + i;
    const double ab = p.alpha + p.beta + x + y, gd = p.gamma + p.delta + 1.0 + z;
    dead.log_value += std::log((p.beta + y) / ab) + std::log((p.delta + z) / gd);
    if (gradient) {
      dead.d[0] -= 1.0 / ab;
      dead.d[1] += 1.0 / (p.beta + y) - 1.0 / ab;
      dead.d[2] -= 1.0 / gd;
      dead.d[3] += 1.0 / (p.delta + z) - 1.0 / gd;
    }
  }
  double top = terms[0].log_value;
  for (const auto& t : terms) top = std::max(top, t.log_value);
  double sum = 0.0;
  for (const auto& t : terms) sum += std::exp(t.log_value - top);
  const double ll = top + std::log(sum);
  if (gradient) {
    for (int k = 0; k < 4; ++k) gradient[k] = 0.0;
    for (const auto& t : terms) {
      const double share = std::exp(t.log_value - ll);
      for (int k = 0; k < 4; ++k) gradient[k] += share * t.d[k];
    }
  }
  return ll;
}

}  // namespace detail

class bgbb_model {
 public:
  explicit bgbb_model(const bgbb_parameters& parameters, clv_fit_report report = {})
      : p_(parameters), report_(std::move(report)) {
    detail::require_positive_scalar("bgbb_model", "parameters.alpha", p_.alpha);
    detail::require_positive_scalar("bgbb_model", "parameters.beta", p_.beta);
    detail::require_positive_scalar("bgbb_model", "parameters.gamma", p_.gamma);
    detail::require_positive_scalar("bgbb_model", "parameters.delta", p_.delta);
  }

  [[nodiscard]] const bgbb_parameters& parameters() const { return p_; }
  [[nodiscard]] const clv_fit_report& report() const { return report_; }

  [[nodiscard]] double log_likelihood(double x, double t_x, double n) const {
    detail::validate_bgbb_row("bgbb_model::log_likelihood", 0, x, t_x, n);
    return detail::bgbb_log_likelihood(p_, x, t_x, n, nullptr);
  }

  // P(alive at opportunity n + 1 | x, t_x, n).
  [[nodiscard]] double probability_alive(double x, double t_x, double n) const {
    detail::validate_bgbb_row("bgbb_model::probability_alive", 0, x, t_x, n);
    return std::exp(detail::bgbb_log_term(p_, x, n - x, 0.0, n + 1.0, false).log_value -
                    detail::bgbb_log_likelihood(p_, x, t_x, n, nullptr));
  }

  // E[X(n, n + n_star) | x, t_x, n]: expected transactions in the next n_star
  // opportunities.
  [[nodiscard]] double conditional_expected_transactions(double n_star, double x, double t_x, double n) const {
    const char* f = "bgbb_model::conditional_expected_transactions";
    detail::validate_bgbb_row(f, 0, x, t_x, n);
    detail::require(std::isfinite(n_star) && n_star >= 0.0 && n_star == std::floor(n_star), f, "n_star",
                    n_star, "must be a non-negative integer");
    if (n_star == 0.0) return 0.0;
    return std::exp(detail::log_beta_ratio(p_.alpha, p_.beta, x + 1.0, n - x) -
                    detail::bgbb_log_likelihood(p_, x, t_x, n, nullptr)) *
           expected_alive_opportunities(n, n_star);
  }

  // E[X(n)]: expected transactions of a new customer in the first n opportunities
  // (FHS 2010, eq. 9): alpha/(alpha+beta) * delta/(gamma-1) * [1 - G(gamma+delta) G(1+delta+n)
  // / (G(gamma+delta+n) G(1+delta))].
  [[nodiscard]] double expected_transactions(double n) const {
    detail::require(std::isfinite(n) && n >= 0.0 && n == std::floor(n), "bgbb_model::expected_transactions", "n",
                    n, "must be a non-negative integer");
    if (n == 0.0) return 0.0;
    return p_.alpha / (p_.alpha + p_.beta) * expected_alive_opportunities(0.0, n);
  }

  // P(X(n) = x): the distribution of a new customer's transactions in the first n
  // opportunities (FHS 2010, eq. 7):
  //   C(n,x) B(alpha+x, beta+n-x)/B(alpha,beta) * B(gamma, delta+n)/B(gamma,delta)
  //   + sum_{i=x}^{n-1} C(i,x) B(alpha+x, beta+i-x)/B(alpha,beta) * B(gamma+1, delta+i)/B(gamma,delta),
  // summed in log space. 0 for x > n.
  [[nodiscard]] double probability_of_transactions(double n, double x) const {
    const char* f = "bgbb_model::probability_of_transactions";
    auto is_count = [](double v) { return std::isfinite(v) && v >= 0.0 && v == std::floor(v); };
    detail::require(is_count(n), f, "n", n, "must be a non-negative integer");
    detail::require(is_count(x), f, "x", x, "must be a non-negative integer");
    detail::require(n <= detail::bgbb_max_opportunities, f, "n", n, detail::bgbb_max_opportunities_message);
    if (x > n) return 0.0;
    auto log_choose = [](double m, double k) {
      return detail::log_gamma(m + 1.0) - detail::log_gamma(k + 1.0) - detail::log_gamma(m - k + 1.0);
    };
    std::vector<double> terms;
    terms.push_back(log_choose(n, x) + detail::bgbb_log_term(p_, x, n - x, 0.0, n, false).log_value);
    for (double i = x; i < n; ++i)
      terms.push_back(log_choose(i, x) + detail::bgbb_log_term(p_, x, i - x, 1.0, i, false).log_value);
    const double top = *std::max_element(terms.begin(), terms.end());
    double sum = 0.0;
    for (double t : terms) sum += std::exp(t - top);
    return std::exp(top + std::log(sum));
  }

  // DERT at discount rate d per opportunity:
  //   B(alpha+x+1, beta+n-x)/B(alpha,beta) * B(gamma, delta+n+1)/((1+d) B(gamma,delta))
  //   * 2F1(1, delta+n+1; gamma+delta+n+1; 1/(1+d)) / L.
  [[nodiscard]] double discounted_expected_residual_transactions(double discount, double x, double t_x,
                                                                 double n) const {
    const char* f = "bgbb_model::discounted_expected_residual_transactions";
    detail::validate_bgbb_row(f, 0, x, t_x, n);
    detail::require(std::isfinite(discount) && discount > 0.0, f, "discount", discount,
                    "must be finite and positive");
    const double log_value =
        detail::log_beta_ratio(p_.alpha, p_.beta, x + 1.0, n - x) +
        detail::log_beta_ratio(p_.gamma, p_.delta, 0.0, n + 1.0) -
        std::log1p(discount) +
        log_hyp2f1(1.0, p_.delta + n + 1.0, p_.gamma + p_.delta + n + 1.0, 1.0 / (1.0 + discount)) -
        detail::bgbb_log_likelihood(p_, x, t_x, n, nullptr);
    return std::exp(log_value);
  }

 private:
  // sum_{t=n+1}^{n+n_star} E[(1-theta)^t] = sum B(gamma, delta+t)/B(gamma, delta), the
  // expected number of the opportunities n+1 .. n+n_star at which a new customer is alive:
  //   delta/(gamma-1) * [R(n) - R(n+n_star)],  R(m) = G(g+d) G(1+d+m) / (G(1+d) G(g+d+m)),
  // written as delta/(gamma-1) R(n) (-expm1(log R(n+n_star) - log R(n))); at gamma = 1 its
  // limit delta [psi(1+d+n+n*) - psi(1+d+n)]. log R(m+k) - log R(m) is the sum over
  // i < k of log1p((1-g)/(g+d+m+i)): as a difference of lgamma values of size d log(d) it
  // lost ~1e-10 absolute, 5e-6 of E[X(n)] at a fit's boundary (gamma = 1e-4, delta = 1e5,
  // where the difference is ~5e-5). Past rising_sum_terms steps, the difference of
  // rising factorials (Stirling's form keeps it exact for large arguments).
  double expected_alive_opportunities(double n, double n_star) const {
    const double g = p_.gamma, d = p_.delta;
    if (std::abs(g - 1.0) < 1e-10) {
      const detail::math_policy pol;
      return d * (boost::math::digamma(1.0 + d + n + n_star, pol) - boost::math::digamma(1.0 + d + n, pol));
    }
    auto log_step = [&](double m, double k) {
      if (k > detail::rising_sum_terms)
        return detail::log_rising_factorial(1.0 + d + m, k) - detail::log_rising_factorial(g + d + m, k);
      double sum = 0.0;
      for (double i = 0.0; i < k; i += 1.0) sum += std::log1p((1.0 - g) / (g + d + m + i));
      return sum;
    };
    return d / (g - 1.0) * std::exp(log_step(0.0, n)) * -std::expm1(log_step(n, n_star));
  }

  bgbb_parameters p_;
  clv_fit_report report_;
};

// Fit on compressed (x, t_x, n, weight) rows, the usual form of BG/BB data (e.g.
// 11,104 donors in 22 rows). Rows with weight 0 are allowed and ignored.
[[nodiscard]] inline bgbb_model fit_bgbb(const Eigen::Ref<const Eigen::VectorXd>& x,
                                         const Eigen::Ref<const Eigen::VectorXd>& t_x,
                                         const Eigen::Ref<const Eigen::VectorXd>& n,
                                         const Eigen::Ref<const Eigen::VectorXd>& weights,
                                         const clv_fit_options& options = {}) {
  const char* f = "fit_bgbb";
  detail::validate_clv_options(f, options);
  detail::require_same_length(f, "x", static_cast<std::size_t>(x.size()), "t_x", static_cast<std::size_t>(t_x.size()));
  detail::require_same_length(f, "x", static_cast<std::size_t>(x.size()), "n", static_cast<std::size_t>(n.size()));
  detail::require_non_empty(f, "x", static_cast<std::size_t>(x.size()));
  detail::validate_weights(f, weights, x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    detail::validate_bgbb_row(f, static_cast<std::size_t>(i), x(i), t_x(i), n(i));
  auto nll = [&](const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
    const bgbb_parameters p{std::exp(u(0)), std::exp(u(1)), std::exp(u(2)), std::exp(u(3))};
    double ll = 0.0, g[4], total[4] = {0, 0, 0, 0};
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      if (weights(i) == 0.0) continue;
      ll += weights(i) * detail::bgbb_log_likelihood(p, x(i), t_x(i), n(i), g);
      for (int k = 0; k < 4; ++k) total[k] += weights(i) * g[k];
    }
    gradient.resize(4);
    gradient << -total[0] * p.alpha, -total[1] * p.beta, -total[2] * p.gamma, -total[3] * p.delta;
    return -ll;
  };
  detail::fitted_parameters fit = detail::fit_log_parameters(
      nll, Eigen::VectorXd::Zero(4), weights.sum(), static_cast<std::size_t>((weights.array() > 0).count()),
      options, {"alpha", "beta", "gamma", "delta"});
  detail::report_boundaries(
      nll, fit.theta,
      {{{}, {0}, "transaction probability -> 0: no customer transacts"},
       {{}, {1}, "transaction probability -> 1: an alive customer transacts at every opportunity"},
       {{0, 1}, {}, "one transaction probability for everyone", true},
       {{}, {2}, "dropout probability -> 0: no customer drops out"},
       {{}, {3}, "dropout probability -> 1: every customer drops out after one opportunity"},
       {{2, 3}, {}, "one dropout probability for everyone", true}},
      fit.report);
  return bgbb_model({fit.theta(0), fit.theta(1), fit.theta(2), fit.theta(3)}, std::move(fit.report));
}

}  // namespace patron
