// Gauss hypergeometric function 2F1(a, b; c; z) for real arguments and z < 1, the
// special function behind the BG/NBD expectations, the Pareto/NBD likelihood and the
// BG/BB DERT. Shared machinery (patron/core) because several models need it.
//
//   double f = patron::hyp2f1(a, b, c, z);          // value
//   double l = patron::log_hyp2f1(a, b, c, z);      // log, when the value may overflow
//
// Why not boost::math::hypergeometric_pFq (Boost 1.74)? It sums the same series but
// has no transformation near z = 1 (it grinds through up to millions of terms and
// then throws), no Pfaff transformation for z < -1 (where the series diverges), and
// is several times slower than a dedicated 2F1 loop (see docs/clv.md, Performance).
//
// Method (Abramowitz & Stegun 15.3.4, 15.3.6; DLMF 15.8.1, 15.8.4):
// - z < 0: Pfaff, 2F1(a,b;c;z) = (1-z)^-a 2F1(a, c-b; c; z/(z-1)), argument in [0, 1);
// - 0 <= z <= 0.9: the power series, summed with a running scale so that huge
//   intermediate terms (large a, b) never overflow; stops when the tail bound
//   term * rho / (1 - rho) falls below 1e-17 of the sum;
// - 0.9 < z < 1: the 1 - z connection formula, whose two series converge fast,
//   unless c - a - b is within 1e-3 of an integer (the formula is then singular and
//   cancels), where the direct series is summed instead;
// - z = 1: Gauss's theorem when c - a - b > 0.
// Every series is checked: if it has not converged within `max_terms` the function
// throws patron::numerical_error instead of returning a wrong number.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "patron/core/error.hpp"
#include "patron/core/validate.hpp"
#include "patron/core/special.hpp"

namespace patron {

namespace detail {

// A real number as sign * exp(log_abs): the form in which 2F1 values far beyond the
// double range (large a, b) are carried.
struct signed_log {
  double log_abs = -std::numeric_limits<double>::infinity();
  int sign = 0;
  [[nodiscard]] double value() const { return sign == 0 ? 0.0 : sign * std::exp(log_abs); }
};

inline bool is_non_positive_integer(double v) { return v <= 0.0 && v == std::floor(v); }

// log|Gamma(v)| and its sign; sign 0 at the poles (v a non-positive integer), where
// 1/Gamma(v) = 0.
inline signed_log log_gamma_signed(double v) {
  if (is_non_positive_integer(v)) return {std::numeric_limits<double>::infinity(), 0};
  signed_log g;
  g.log_abs = log_gamma(v);
  g.sign = (v > 0.0 || static_cast<long long>(std::floor(v)) % 2 == 0) ? 1 : -1;
  return g;
}

// Power series sum_n (a)_n (b)_n / ((c)_n n!) z^n with convergence check. Terms are
// kept relative to a running scale exp(log_scale) so the sum never overflows.
inline signed_log hyp2f1_series(double a, double b, double c, double z, long max_terms) {
  double term = 1.0, sum = 1.0, log_scale = 0.0;
  constexpr double rescale_at = 1e280;
  for (long n = 0; n < max_terms; ++n) {
    const double dn = static_cast<double>(n);
    const double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0)) * z;
    term *= ratio;
    sum += term;
    if (term == 0.0) return {std::log(std::abs(sum)) + log_scale, sum > 0 ? 1 : (sum < 0 ? -1 : 0)};
    // Tail bound: once n + 1 exceeds -a, -b and -c, the factors (a+k)/(c+k) and
    // (b+k)/(k+1) of every later ratio are positive and monotone in k with limit 1,
    // so each is at most max(its next value, 1) and the tail is dominated by a
    // geometric series with ratio rho.
    const double next = dn + 1.0;
    if (next > -a && next > -b && next > -c) {
      const double rho = std::abs(z) * std::max((a + next) / (c + next), 1.0) *
                         std::max((b + next) / (next + 1.0), 1.0);
      if (rho < 1.0 && std::abs(term) * rho / (1.0 - rho) <= 1e-17 * std::abs(sum)) {
        if (sum == 0.0) return {};
        return {std::log(std::abs(sum)) + log_scale, sum > 0 ? 1 : -1};
      }
    }
    if (std::abs(sum) > rescale_at || std::abs(term) > rescale_at) {
      sum /= rescale_at;
      term /= rescale_at;
      log_scale += std::log(rescale_at);
    }
  }
  throw numerical_error("patron::hyp2f1: series for 2F1(" + format_value(a) + ", " +
                        format_value(b) + "; " + format_value(c) + "; " + format_value(z) +
                        ") did not converge in " + std::to_string(max_terms) + " terms");
}

inline signed_log add_signed_logs(const signed_log& x, const signed_log& y) {
  if (x.sign == 0) return y;
  if (y.sign == 0) return x;
  const signed_log& big = x.log_abs >= y.log_abs ? x : y;
  const signed_log& small = x.log_abs >= y.log_abs ? y : x;
  const double ratio = std::exp(small.log_abs - big.log_abs) * small.sign * big.sign;
  const double factor = 1.0 + ratio;
  if (factor == 0.0) return {};
  return {big.log_abs + std::log(std::abs(factor)), factor > 0 ? big.sign : -big.sign};
}

// 15.3.6: the connection between z and 1 - z, for c - a - b = m not an integer.
inline signed_log hyp2f1_one_minus_z(double a, double b, double c, double z, long max_terms) {
  const double m = c - a - b;
  const double w = 1.0 - z;
  const signed_log gc = log_gamma_signed(c);
  auto part = [&](double g1, double g2, double g3, double pa, double pb, double pc,
                  double log_prefactor) {
    const signed_log n1 = log_gamma_signed(g1), d2 = log_gamma_signed(g2),
                     d3 = log_gamma_signed(g3);
    if (d2.sign == 0 || d3.sign == 0) return signed_log{};  // 1/Gamma = 0: term vanishes
    const signed_log s = hyp2f1_series(pa, pb, pc, w, max_terms);
    if (s.sign == 0) return signed_log{};
    return signed_log{gc.log_abs + n1.log_abs - d2.log_abs - d3.log_abs + s.log_abs +
                          log_prefactor,
                      gc.sign * n1.sign * d2.sign * d3.sign * s.sign};
  };
  return add_signed_logs(part(m, c - a, c - b, a, b, 1.0 - m, 0.0),
                         part(-m, a, b, c - a, c - b, 1.0 + m, m * std::log(w)));
}

inline signed_log log_hyp2f1_signed(double a, double b, double c, double z,
                                    long max_terms = 10'000'000) {
  const char* function = "hyp2f1";
  require_finite_scalar(function, "a", a);
  require_finite_scalar(function, "b", b);
  require_finite_scalar(function, "c", c);
  require_finite_scalar(function, "z", z);
  require(!is_non_positive_integer(c), function, "c", c, "must not be a non-positive integer");
  require(z <= 1.0, function, "z", z, "must be at most 1");
  if (z == 0.0 || a == 0.0 || b == 0.0) return {0.0, 1};
  if (z == 1.0) {
    const double m = c - a - b;
    require(m > 0.0, function, "z", z, "may be 1 only when c - a - b > 0");
    // Gauss: Gamma(c) Gamma(c-a-b) / (Gamma(c-a) Gamma(c-b)).
    const signed_log g1 = log_gamma_signed(c), g2 = log_gamma_signed(m),
                     g3 = log_gamma_signed(c - a), g4 = log_gamma_signed(c - b);
    if (g3.sign == 0 || g4.sign == 0) return {};
    return {g1.log_abs + g2.log_abs - g3.log_abs - g4.log_abs, g1.sign * g2.sign * g3.sign * g4.sign};
  }
  if (z < 0.0) {
    // Pfaff: keep the smaller of a, b outside so the new series has tamer terms.
    const double keep = std::abs(a) <= std::abs(b) ? a : b;
    const double other = keep == a ? b : a;
    signed_log s = log_hyp2f1_signed(keep, c - other, c, z / (z - 1.0), max_terms);
    s.log_abs -= keep * std::log1p(-z);
    return s;
  }
  const double m = c - a - b;
  if (z > 0.9 && std::abs(m - std::round(m)) > 1e-3)
    return hyp2f1_one_minus_z(a, b, c, z, max_terms);
  return hyp2f1_series(a, b, c, z, max_terms);
}

}  // namespace detail

// 2F1(a, b; c; z) for real a, b, c (c not 0, -1, -2, ...) and z <= 1 (z = 1 needs
// c - a - b > 0). Throws patron::invalid_input outside that domain and
// patron::numerical_error if a series fails its convergence check or the value
// overflows a double (use log_hyp2f1 then).
[[nodiscard]] inline double hyp2f1(double a, double b, double c, double z) {
  const detail::signed_log s = detail::log_hyp2f1_signed(a, b, c, z);
  const double v = s.value();
  if (!std::isfinite(v))
    throw numerical_error("patron::hyp2f1: value overflows a double; use log_hyp2f1");
  return v;
}

// log 2F1(a, b; c; z), for positive values (always the case when a, b, c > 0 and
// 0 <= z < 1); a non-positive value is a patron::numerical_error.
[[nodiscard]] inline double log_hyp2f1(double a, double b, double c, double z) {
  const detail::signed_log s = detail::log_hyp2f1_signed(a, b, c, z);
  if (s.sign <= 0)
    throw numerical_error("patron::log_hyp2f1: 2F1(" + detail::format_value(a) + ", " +
                          detail::format_value(b) + "; " + detail::format_value(c) + "; " +
                          detail::format_value(z) + ") is not positive");
  return s.log_abs;
}

}  // namespace patron
