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
#include <cstring>
#include <numeric>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "patron/core/error.hpp"
#include "patron/core/math_policy.hpp"
#include "patron/core/special.hpp"
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
  // Parameters whose maximum-likelihood value is infinite: the likelihood still grows, or
  // stays level, as they move to the boundary of the parameter space together (a fit
  // on data without heterogeneity in purchase rates sends BG/NBD's r and alpha to
  // infinity at a fixed ratio r / alpha). Their printed values are then a point on that
  // ridge, not estimates, and no covariance is reported. Checked by every fit (BG/NBD and
  // Pareto/NBD: r, alpha; a, b or s, beta. BG/BB: alpha, beta; gamma, delta. Gamma-Gamma:
  // q, gamma), whose likelihoods stay exact there; never for penalised fits.
  std::vector<std::string> boundary_parameters;
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

inline void validate_clv_options(const char* function, const clv_fit_options& options) {
  require(std::isfinite(options.l2_penalty) && options.l2_penalty >= 0.0, function,
          "options.l2_penalty", options.l2_penalty, "must be finite and non-negative");
}

// The largest repeat-purchase count x the BTYD models accept: 2^53, past which a double
// no longer holds every integer (x and x + 1 coincide) and no real purchase history
// reaches. Up to it the likelihoods and predictions are computed in O(1) per customer;
// beyond it log Gamma(x) and the death-time panels of Pareto/NBD leave the double range.
constexpr double max_purchase_count = 9007199254740992.0;
constexpr const char* max_purchase_count_message =
    "exceeds 2^53 (9007199254740992), the largest count a double holds exactly";

// log(u / v) for u, v > 0, also where u / v overflows or underflows (s = 1e300 and
// beta = 1e-300; a = 1e-300 and b = 1e300).
inline double log_ratio_of(double u, double v) {
  const double ratio = u / v;
  return ratio > 0.0 && ratio < HUGE_VAL ? std::log(ratio) : std::log(u) - std::log(v);
}

// One customer's (x, t_x, T), checked: the first bad row is named.
inline void validate_btyd_row(const char* function, std::size_t i, double x, double t_x,
                              double T) {
  if (!(std::isfinite(x) && x >= 0.0 && x == std::floor(x)))
    throw_invalid_element(function, "x", i, x, "must be a non-negative integer");
  if (x > max_purchase_count)
    throw_invalid_element(function, "x", i, x, max_purchase_count_message);
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
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    // One branch-free test per row (all comparisons are false for NaN); the first row
    // failing it goes through the checks that name the problem.
    const double xi = x(i), ti = t_x(i), Ti = T(i);
    const bool ok = (xi >= 0.0) & (xi == std::floor(xi)) & (xi <= max_purchase_count) & (Ti > 0.0) & (Ti < HUGE_VAL) &
                    (ti >= 0.0) & (ti <= Ti) & ((xi > 0.0) == (ti > 0.0));
    if (!ok) validate_btyd_row(function, static_cast<std::size_t>(i), xi, ti, Ti);
  }
}

inline void validate_weights(const char* function, const Eigen::Ref<const Eigen::VectorXd>& weights,
                             Eigen::Index rows) {
  require_same_length(function, "x", static_cast<std::size_t>(rows), "weights",
                      static_cast<std::size_t>(weights.size()));
  require_non_negative(function, "weights", weights);
  require(weights.sum() > 0.0, function, "weights", weights.sum(), "must not all be zero");
}

// splitmix64 finaliser and the bits of a double (callers add 0.0 first so that -0.0
// and 0.0 hash alike): the hashing of the pattern tables below.
inline std::uint64_t mix_bits(std::uint64_t h) {
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}
inline std::uint64_t double_bits(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// The distinct values of a sequence of doubles, each value's index on first sight
// (open addressing). The likelihoods use it to take the logs of the few distinct times
// (a day grid) instead of one per pattern.
class distinct_values {
 public:
  std::int32_t index(double v) {
    v += 0.0;
    if (2 * (values_.size() + 1) > slots_.size()) grow();
    std::size_t slot = mix_bits(double_bits(v)) & (slots_.size() - 1);
    for (;; slot = (slot + 1) & (slots_.size() - 1)) {
      const std::int32_t k = slots_[slot];
      if (k < 0) break;
      if (values_[static_cast<std::size_t>(k)] == v) return k;
    }
    slots_[slot] = static_cast<std::int32_t>(values_.size());
    values_.push_back(v);
    return slots_[slot];
  }
  [[nodiscard]] Eigen::ArrayXd values() const {
    return Eigen::Map<const Eigen::ArrayXd>(values_.data(), static_cast<Eigen::Index>(values_.size()));
  }

 private:
  void grow() {
    std::vector<std::int32_t> slots(std::max<std::size_t>(64, 2 * slots_.size()), -1);
    for (std::size_t i = 0; i < values_.size(); ++i) {
      std::size_t slot = mix_bits(double_bits(values_[i])) & (slots.size() - 1);
      while (slots[slot] >= 0) slot = (slot + 1) & (slots.size() - 1);
      slots[slot] = static_cast<std::int32_t>(i);
    }
    slots_.swap(slots);
  }
  std::vector<std::int32_t> slots_;
  std::vector<double> values_;
};

// The patterns' times as indices into their few distinct values, and the runs of equal x
// (patterns are sorted by x first): the layout both BTYD likelihoods evaluate over.
struct pattern_layout {
  explicit pattern_layout(const btyd_patterns& d) {
    const Eigen::Index n = d.size();
    distinct_values T_values, t_x_values;
    T_index.resize(static_cast<std::size_t>(n));
    t_x_index.resize(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
      T_index[static_cast<std::size_t>(i)] = T_values.index(d.T(i));
      t_x_index[static_cast<std::size_t>(i)] = t_x_values.index(d.t_x(i));
      if (i == 0 || d.x(i) != d.x(i - 1)) run_start.push_back(i);
    }
    run_start.push_back(n);
    T = T_values.values();
    t_x = t_x_values.values();
  }

  Eigen::ArrayXd T, t_x;                         // distinct values
  std::vector<std::int32_t> T_index, t_x_index;  // per pattern, into T and t_x
  std::vector<Eigen::Index> run_start;           // first pattern of each x, then size()
};

// Hash-then-sort compression: an open-addressing table of the distinct (x, t_x, T)
// patterns (linear probing, grown at half load), then the patterns sorted by x, T,
// t_x. Memory is proportional to the number of patterns; weights are summed in row
// order, so the result does not depend on anything but the input. A slot holds 32 bits
// of the hash besides the pattern's index, so a probe past another pattern rarely
// touches that pattern's entry: one random memory access per row, not two.
class btyd_pattern_table {
 public:
  void add(double x, double t_x, double T, double w) { insert({x + 0.0, t_x + 0.0, T + 0.0, w}); }

  // Rows 0 .. n-1 of x, t_x, T (and weights, if not null), hashed a few rows ahead with
  // their slots and entries prefetched: the table outgrows the cache, and this way the
  // memory accesses of successive rows overlap instead of queueing (about 2x faster
  // on 10^6 rows than add() row by row).
  void add_rows(const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& t_x,
                const Eigen::Ref<const Eigen::VectorXd>& T, const Eigen::Ref<const Eigen::VectorXd>* weights) {
    constexpr Eigen::Index ahead = 16;
    const Eigen::Index n = x.size();
    auto row = [&](Eigen::Index i) {
      return entry{x(i) + 0.0, t_x(i) + 0.0, T(i) + 0.0, weights ? (*weights)(i) : 1.0};
    };
    std::uint64_t hashes[ahead];
    for (Eigen::Index i = 0; i < std::min(n, ahead); ++i) {
      hashes[i] = hash(row(i));
      prefetch_slot(hashes[i]);
    }
    for (Eigen::Index i = 0; i < n; ++i) {
      const std::uint64_t h = hashes[i % ahead];
      if (i + ahead < n) {
        hashes[i % ahead] = hash(row(i + ahead));
        prefetch_slot(hashes[i % ahead]);
      }
      if (i + ahead / 2 < n) prefetch_entry(hashes[(i + ahead / 2) % ahead]);
      insert(row(i), h);
    }
  }

  void merge(const btyd_pattern_table& other) {
    for (const entry& e : other.entries_) insert(e);
  }

  std::size_t size() const { return entries_.size(); }

  btyd_patterns sorted() const {
    std::vector<entry> order = entries_;
    std::sort(order.begin(), order.end(), [](const entry& i, const entry& j) {
      if (i.x != j.x) return i.x < j.x;
      if (i.T != j.T) return i.T < j.T;
      return i.t_x < j.t_x;
    });
    btyd_patterns p;
    const auto n = static_cast<Eigen::Index>(order.size());
    p.x.resize(n);
    p.t_x.resize(n);
    p.T.resize(n);
    p.weight.resize(n);
    for (Eigen::Index k = 0; k < n; ++k) {
      const entry& e = order[static_cast<std::size_t>(k)];
      p.x(k) = e.x;
      p.t_x(k) = e.t_x;
      p.T(k) = e.T;
      p.weight(k) = e.w;
    }
    return p;
  }

 private:
  // A pattern with its summed weight; x, t_x, T are stored as +0.0 if zero, so the
  // output does not depend on whether -0.0 or 0.0 came first.
  struct entry {
    double x, t_x, T, w;
  };
  struct slot {
    std::uint32_t tag, index;
  };
  static constexpr std::uint32_t empty = 0xFFFFFFFFu;
  static std::uint64_t hash(const entry& e) {
    return mix_bits(double_bits(e.x) ^ mix_bits(double_bits(e.T) ^ mix_bits(double_bits(e.t_x))));
  }
  void prefetch_slot([[maybe_unused]] std::uint64_t h) const {
#if defined(__GNUC__) || defined(__clang__)
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)]);
#endif
  }
  void prefetch_entry([[maybe_unused]] std::uint64_t h) const {
#if defined(__GNUC__) || defined(__clang__)
    if (slots_.empty()) return;
    const slot& sl = slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)];
    if (sl.index != empty) __builtin_prefetch(&entries_[sl.index]);
#endif
  }

  void insert(const entry& row, std::uint64_t h) {
    if (2 * (entries_.size() + 1) > slots_.size()) grow();
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    std::size_t s = static_cast<std::size_t>(h) & mask;
    for (;; s = (s + 1) & mask) {
      const slot& sl = slots_[s];
      if (sl.index == empty) break;
      if (sl.tag == tag) {
        entry& e = entries_[sl.index];
        if (e.x == row.x && e.t_x == row.t_x && e.T == row.T) {
          e.w += row.w;
          return;
        }
      }
    }
    if (entries_.size() >= empty)
      throw numerical_error("patron::btyd_pattern_table: more than 2^32 - 1 distinct (x, t_x, T) patterns");
    slots_[s] = {tag, static_cast<std::uint32_t>(entries_.size())};
    entries_.push_back(row);
  }
  void insert(const entry& row) { insert(row, hash(row)); }

  void grow() {
    std::vector<slot> slots(std::max<std::size_t>(64, 2 * slots_.size()), slot{0, empty});
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const entry& e = entries_[i];
      const std::uint64_t h = hash(e);
      std::size_t s = static_cast<std::size_t>(h) & mask;
      while (slots[s].index != empty) s = (s + 1) & mask;
      slots[s] = {static_cast<std::uint32_t>(h >> 32), static_cast<std::uint32_t>(i)};
    }
    slots_.swap(slots);
  }
  std::vector<slot> slots_;
  std::vector<entry> entries_;
};

inline btyd_patterns compress(const Eigen::Ref<const Eigen::VectorXd>& x,
                              const Eigen::Ref<const Eigen::VectorXd>& t_x,
                              const Eigen::Ref<const Eigen::VectorXd>& T,
                              const Eigen::VectorXd* weights) {
  btyd_pattern_table table;
  if (weights) {
    const Eigen::Ref<const Eigen::VectorXd> w(*weights);
    table.add_rows(x, t_x, T, &w);
  } else {
    table.add_rows(x, t_x, T, nullptr);
  }
  return table.sorted();
}


// log Gamma(c + x) / Gamma(c) = sum_{i<x} log(c + i) and psi(c + x) - psi(c) = sum_{i<x} 1/(c + i)
// for integer x, advanced along increasing x (the BTYD likelihoods walk their runs of
// equal x in ascending order). Exact where the differences of lgamma and digamma cancel
// (c >> x, the Poisson boundary of a fit). A step of more than rising_sum_terms (a
// customer with 1e9 purchases) is taken in one go by log_rising_factorial and
// digamma_rising, so an evaluation costs O(number of runs), not O(max x).
struct rising_log_sums {
  explicit rising_log_sums(double c) : c(c) {}
  void advance_to(double x) {
    if (x - i > rising_sum_terms) {
      log_sum += log_rising_factorial(c + i, x - i);
      reciprocal_sum += digamma_rising(c + i, x - i);
      i = x;
      return;
    }
    for (; i < x; i += 1.0) {
      log_sum += std::log(c + i);
      reciprocal_sum += 1.0 / (c + i);
    }
  }
  double c, i = 0.0, log_sum = 0.0, reciprocal_sum = 0.0;
};

// Result of the fitting driver: natural parameters and the report.
struct fitted_parameters {
  Eigen::VectorXd theta;
  clv_fit_report report;
};

// `total_nll` evaluated where it may throw: the data were validated before the fit, so a
// throw inside it comes from the trial parameters (a series or special function beyond
// its reach at an extreme point the line search tried, e.g. Boost's digamma at a rate
// that underflowed to 0). Such a point is infeasible: +inf with a NaN gradient, so the
// line search backs off, the Newton polish rejects the step, and a Hessian for standard
// errors touching it is discarded, instead of the exception reaching the caller.
template <class TotalNll>
double evaluate_or_infeasible(TotalNll& total_nll, const Eigen::VectorXd& u, Eigen::VectorXd& gradient) {
  try {
    return total_nll(u, gradient);
  } catch (const std::logic_error&) {    // patron::invalid_input, std::domain_error
  } catch (const std::runtime_error&) {  // patron::numerical_error, Boost's overflow and evaluation errors
  }
  gradient = Eigen::VectorXd::Constant(u.size(), std::numeric_limits<double>::quiet_NaN());
  return std::numeric_limits<double>::infinity();
}

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
    const double value = evaluate_or_infeasible(total_nll, u, gradient);
    gradient = gradient / total_weight + 2.0 * lambda * u;
    return value / total_weight + lambda * u.squaredNorm();
  };
  minimize_result m = minimize(objective, u0, options.optimizer);
  fitted_parameters out;
  out.theta = m.x.array().exp();
  clv_fit_report& r = out.report;
  Eigen::VectorXd unused(u0.size());
  r.log_likelihood = -evaluate_or_infeasible(total_nll, m.x, unused);
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

// A direction towards the boundary of the parameter space: the parameters in `up` go to
// infinity together (log parameter + 30, theta times 1e13), those in `down` to 0 (theta
// / 1e13), the others stay. `meaning` says what the limit means for the customers.
struct boundary_direction {
  std::vector<int> up, down;
  const char* meaning;
  // Probed after every fit (the groups of parameters that go to infinity at a fixed
  // ratio), or only when the fit has already gone that way: every `up` parameter above
  // 10 and every `down` one below 0.1 (no cost on ordinary fits).
  bool always = false;
};

// Fills report.boundary_parameters: for each direction in turn (skipping those moving a
// parameter already listed), when the log-likelihood 1e13 times further along it is not
// below the fit's by more than 1e-9 per customer, the supremum lies at that boundary
// (or the likelihood grows without bound there). A point where the likelihood cannot be
// evaluated counts as below. Penalised fits have an interior optimum and are not checked.
template <class TotalNll>
void report_boundaries(TotalNll&& total_nll, const Eigen::VectorXd& theta,
                       const std::vector<boundary_direction>& directions, clv_fit_report& report) {
  if (report.l2_penalty > 0.0 || !std::isfinite(report.log_likelihood)) return;
  const Eigen::VectorXd u = theta.array().log();
  Eigen::VectorXd unused(u.size());
  auto name = [&](int k) -> const std::string& { return report.parameter_names[static_cast<std::size_t>(k)]; };
  auto listed = [&](int k) {
    return std::find(report.boundary_parameters.begin(), report.boundary_parameters.end(), name(k)) !=
           report.boundary_parameters.end();
  };
  for (const boundary_direction& direction : directions) {
    if (std::any_of(direction.up.begin(), direction.up.end(), listed) ||
        std::any_of(direction.down.begin(), direction.down.end(), listed))
      continue;
    if (!direction.always &&
        (std::any_of(direction.up.begin(), direction.up.end(), [&](int k) { return !(theta(k) > 10.0); }) ||
         std::any_of(direction.down.begin(), direction.down.end(), [&](int k) { return !(theta(k) < 0.1); })))
      continue;
    Eigen::VectorXd far = u;
    for (const int k : direction.up) far(k) += 30.0;
    for (const int k : direction.down) far(k) -= 30.0;
    const double log_likelihood = -evaluate_or_infeasible(total_nll, far, unused);
    if (!(log_likelihood >= report.log_likelihood - 1e-9 * std::max(1.0, report.total_weight))) continue;
    std::string limit;
    for (const auto* side : {&direction.up, &direction.down}) {
      if (side->empty()) continue;
      std::string names;
      for (const int k : *side) {
        report.boundary_parameters.push_back(name(k));
        names += (names.empty() ? "" : ", ") + name(k);
      }
      limit += (limit.empty() ? "" : ", ") + names + (side == &direction.up ? " -> infinity" : " -> 0");
    }
    report.message += "; maximum at the boundary: " + limit + " (" + direction.meaning + ")";
  }
  if (!report.boundary_parameters.empty()) report.covariance.reset();
}

// Sum over a cohort of E[X(at - first_purchase)] for the customers acquired before
// `at`, grouped by acquisition time so the cost scales with distinct times.
template <class Model>
Eigen::VectorXd cohort_cumulative_purchases(const char* function, const Model& model,
                                            const Eigen::Ref<const Eigen::VectorXd>& first_purchase,
                                            const Eigen::Ref<const Eigen::VectorXd>& at) {
  require_finite(function, "first_purchase", first_purchase);
  require_finite(function, "at", at);
  std::vector<double> times(first_purchase.data(), first_purchase.data() + first_purchase.size());
  std::sort(times.begin(), times.end());
  std::vector<std::pair<double, double>> groups;  // (acquisition time, customers)
  for (double v : times) {
    if (groups.empty() || groups.back().first != v) groups.push_back({v, 0.0});
    groups.back().second += 1.0;
  }
  Eigen::VectorXd out = Eigen::VectorXd::Zero(at.size());
  for (Eigen::Index k = 0; k < at.size(); ++k)
    for (const auto& [start, count] : groups)
      if (at(k) > start) out(k) += count * model.expected_purchases(at(k) - start);
  return out;
}

}  // namespace detail

// A mergeable summary of customers: their distinct (x, t_x, T) patterns with summed
// weights (customer counts), the input every BTYD fit accepts (fit_bgnbd(patterns()),
// fit_pareto_nbd(patterns())). Memory is proportional to the number of distinct
// patterns, not customers: a host accumulates each shard of its customers (a Dask or
// Spark partition, a database segment), ships patterns() as four plain arrays,
// rebuilds accumulators from them and merges. The patterns come out in one canonical
// order (x, then T, then t_x), so any split of the rows into shards, merged in any
// order, gives the batch result: the same patterns in the same order and, when the
// weights are integer counts (the default 1 per customer) or other values whose sums
// are exact in double (below 2^53), bitwise the same weights. Other fractional weights
// are summed in a different order per split, so they may differ in the last bits
// (relative error below rows * 2^-53).
//
//   patron::btyd_pattern_accumulator shard;
//   shard.add(x, t_x, T);                              // one partition, or add(x, t_x, T, w)
//   patron::btyd_patterns p = shard.patterns();        // p.x, p.t_x, p.T, p.weight
//   patron::btyd_pattern_accumulator all(p.x, p.t_x, p.T, p.weight);  // deserialise
//   all.merge(other_shard);
//   patron::bgnbd_model m = patron::fit_bgnbd(all.patterns());
class btyd_pattern_accumulator {
 public:
  btyd_pattern_accumulator() = default;

  // From plain arrays, e.g. another accumulator's patterns(); rows may repeat (their
  // weights are summed). Validated like add().
  btyd_pattern_accumulator(const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& t_x,
                           const Eigen::Ref<const Eigen::VectorXd>& T,
                           const Eigen::Ref<const Eigen::VectorXd>& weights) {
    add_rows("btyd_pattern_accumulator", x, t_x, T, &weights);
  }
  explicit btyd_pattern_accumulator(const btyd_patterns& patterns)
      : btyd_pattern_accumulator(patterns.x, patterns.t_x, patterns.T, patterns.weight) {}

  // One customer (or a row standing for `weight` customers). An invalid row is named by
  // its position among all rows this accumulator has received (rows()).
  void add(double x, double t_x, double T, double weight = 1.0) {
    const char* f = "btyd_pattern_accumulator::add";
    const auto row = static_cast<std::size_t>(rows_);
    detail::validate_btyd_row(f, row, x, t_x, T);
    if (!(std::isfinite(weight) && weight >= 0.0))
      detail::throw_invalid_element(f, "weights", row, weight, "must be finite and non-negative");
    table_.add(x, t_x, T, weight);
    ++rows_;
  }

  // A batch of customers (one row each, weight 1) or weighted rows. All rows are
  // validated before any is added, and an invalid row is named by its index in the
  // batch; on error the accumulator is unchanged.
  void add(const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& t_x,
           const Eigen::Ref<const Eigen::VectorXd>& T) {
    add_rows("btyd_pattern_accumulator::add", x, t_x, T, nullptr);
  }
  void add(const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::Ref<const Eigen::VectorXd>& t_x,
           const Eigen::Ref<const Eigen::VectorXd>& T, const Eigen::Ref<const Eigen::VectorXd>& weights) {
    add_rows("btyd_pattern_accumulator::add", x, t_x, T, &weights);
  }

  // Adds another accumulator's patterns (this becomes the summary of both shards).
  btyd_pattern_accumulator& merge(const btyd_pattern_accumulator& other) {
    table_.merge(other.table_);
    rows_ += other.rows_;
    return *this;
  }

  // The distinct patterns with their summed weights, in canonical order.
  [[nodiscard]] btyd_patterns patterns() const { return table_.sorted(); }
  // Number of distinct patterns.
  [[nodiscard]] std::size_t size() const { return table_.size(); }
  // Number of rows received (by add, the constructors and merged accumulators).
  [[nodiscard]] std::uint64_t rows() const { return rows_; }

 private:
  void add_rows(const char* function, const Eigen::Ref<const Eigen::VectorXd>& x,
                const Eigen::Ref<const Eigen::VectorXd>& t_x, const Eigen::Ref<const Eigen::VectorXd>& T,
                const Eigen::Ref<const Eigen::VectorXd>* weights) {
    detail::validate_btyd(function, x, t_x, T);
    if (weights) {
      detail::require_same_length(function, "x", static_cast<std::size_t>(x.size()), "weights",
                                  static_cast<std::size_t>(weights->size()));
      detail::require_non_negative(function, "weights", *weights);
    }
    table_.add_rows(x, t_x, T, weights);
    rows_ += static_cast<std::uint64_t>(x.size());
  }

  detail::btyd_pattern_table table_;
  std::uint64_t rows_ = 0;
};

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
