// Implementation of the Kaplan-Meier estimator and the log-rank test of
// patron/churn.hpp, following R survival (survfit, print.survfit's rmean, survdiff).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <vector>
#include <utility>

#include "patron/core/math_policy.hpp"
#include "patron/core/validate.hpp"

namespace patron::detail {

// Validated survival data; `entry` is empty for right-censored data (entry = -infinity).
struct survival_data {
  std::vector<double> entry, exit, event;
};

inline survival_data validate_survival(const char* fn, const Eigen::Ref<const Eigen::VectorXd>* entry,
                                       const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                       const Eigen::Ref<const Eigen::VectorXd>& event) {
  const auto n = static_cast<std::size_t>(exit_time.size());
  require_non_empty(fn, "exit_time", n);
  require_same_length(fn, "exit_time", n, "event", static_cast<std::size_t>(event.size()));
  require_non_negative(fn, "exit_time", exit_time);
  require_each(fn, "event", event, [](double e) { return e == 0.0 || e == 1.0; }, "must be 0 or 1");
  survival_data d;
  d.exit.assign(exit_time.data(), exit_time.data() + n);
  d.event.assign(event.data(), event.data() + n);
  if (entry) {
    require_same_length(fn, "entry", static_cast<std::size_t>(entry->size()), "exit_time", n);
    require_non_negative(fn, "entry", *entry);
    for (std::size_t i = 0; i < n; ++i)
      if (!((*entry)(static_cast<Eigen::Index>(i)) < d.exit[i]))
        throw_invalid_element(fn, "entry", i, (*entry)(static_cast<Eigen::Index>(i)),
                              "must be before exit_time[" + std::to_string(i) + "] (" +
                                  format_value(d.exit[i]) + ")");
    d.entry.assign(entry->data(), entry->data() + n);
  }
  return d;
}

// Size of the risk set at time t, #{entry < t <= exit}, from sorted entry and exit times.
class risk_set {
 public:
  risk_set(std::vector<double> entry, std::vector<double> exit)
      : entry_(std::move(entry)), exit_(std::move(exit)) {
    std::sort(entry_.begin(), entry_.end());
    std::sort(exit_.begin(), exit_.end());
  }
  double at(double t) const {
    // Every customer with entry >= t also has exit > t, so the difference never counts
    // anyone twice.
    return count_at_least(exit_, t) - count_at_least(entry_, t);
  }

 private:
  static double count_at_least(const std::vector<double>& sorted, double t) {
    return static_cast<double>(sorted.end() - std::lower_bound(sorted.begin(), sorted.end(), t));
  }
  std::vector<double> entry_, exit_;
};

inline double normal_quantile_two_sided(double confidence_level) {
  return boost::math::quantile(boost::math::normal_distribution<double, math_policy>(), 0.5 + confidence_level / 2.0);
}

// Distinct exit times with their event and censoring counts and the number of exits at
// or after each. Event and censoring times are sorted separately (two contiguous sorts of
// doubles, several times faster than one indirect sort by index) and merged.
struct exit_counts {
  std::vector<double> time, n_event, n_censor, n_exit_from;
};

inline exit_counts count_exits(const survival_data& d) {
  std::vector<double> events, censored;
  for (std::size_t i = 0; i < d.exit.size(); ++i) (d.event[i] == 1.0 ? events : censored).push_back(d.exit[i]);
  std::sort(events.begin(), events.end());
  std::sort(censored.begin(), censored.end());
  exit_counts c;
  double remaining = static_cast<double>(d.exit.size());
  for (std::size_t i = 0, j = 0; i < events.size() || j < censored.size();) {
    const double t = j == censored.size() || (i < events.size() && events[i] < censored[j]) ? events[i] : censored[j];
    double e = 0.0, k = 0.0;
    for (; i < events.size() && events[i] == t; ++i) e += 1.0;
    for (; j < censored.size() && censored[j] == t; ++j) k += 1.0;
    c.time.push_back(t);
    c.n_event.push_back(e);
    c.n_censor.push_back(k);
    c.n_exit_from.push_back(remaining);
    remaining -= e + k;
  }
  return c;
}

inline kaplan_meier_result kaplan_meier_impl(const survival_data& d, const kaplan_meier_options& options) {
  exit_counts c = count_exits(d);
  // Late entry: those entering at or after t are not yet at risk (their exit is later).
  std::vector<double> entry = d.entry;
  std::sort(entry.begin(), entry.end());
  std::vector<double>& n_risk = c.n_exit_from;
  for (std::size_t j = 0; j < c.time.size(); ++j)
    n_risk[j] -= static_cast<double>(entry.end() - std::lower_bound(entry.begin(), entry.end(), c.time[j]));
  const std::vector<double>& time = c.time;
  const std::vector<double>& n_event = c.n_event;
  const std::vector<double>& n_censor = c.n_censor;

  kaplan_meier_result r;
  r.confidence_level = options.confidence_level;
  const auto m = static_cast<Eigen::Index>(time.size());
  r.time = Eigen::Map<const Eigen::VectorXd>(time.data(), m);
  r.n_risk = Eigen::Map<const Eigen::VectorXd>(n_risk.data(), m);
  r.n_event = Eigen::Map<const Eigen::VectorXd>(n_event.data(), m);
  r.n_censor = Eigen::Map<const Eigen::VectorXd>(n_censor.data(), m);
  r.survival.resize(m);
  r.std_err.resize(m);
  r.greenwood_variance.resize(m);
  r.lower.resize(m);
  r.upper.resize(m);
  const double z = normal_quantile_two_sided(options.confidence_level);
  double s = 1.0, cumulative = 0.0;
  for (Eigen::Index j = 0; j < m; ++j) {
    const double nj = r.n_risk(j), dj = r.n_event(j);
    s *= 1.0 - dj / nj;
    cumulative += dj == nj ? std::numeric_limits<double>::infinity() : dj / (nj * (nj - dj));
    r.survival(j) = s;
    r.std_err(j) = std::sqrt(cumulative);
    r.greenwood_variance(j) = s == 0.0 ? 0.0 : s * s * cumulative;
    r.lower(j) = r.upper(j) = s;
    if (s == 0.0 || s == 1.0) continue;
    const double se = r.std_err(j);
    if (options.interval == km_confidence_interval::log_log) {
      const double shift = z * se / std::log(s);  // negative
      const double u = std::log(-std::log(s));
      r.upper(j) = std::exp(-std::exp(u + shift));
      r.lower(j) = std::exp(-std::exp(u - shift));
    } else {
      r.lower(j) = s * std::exp(-z * se);
      r.upper(j) = std::min(1.0, s * std::exp(z * se));
    }
  }
  return r;
}

// R's minmin(): the first time the curve is at or below 1/2 (within sqrt(eps)); when it
// sits exactly at 1/2, the midpoint to the time it next drops. `usable` skips the points
// where R's curve is NA.
template <class Usable>
std::optional<double> first_time_at_half(const Eigen::VectorXd& curve, const Eigen::VectorXd& time,
                                         Usable usable) {
  const double tolerance = std::sqrt(std::numeric_limits<double>::epsilon());
  std::vector<Eigen::Index> keep;
  for (Eigen::Index j = 0; j < curve.size(); ++j)
    if (usable(j) && curve(j) < 0.5 + tolerance) keep.push_back(j);
  if (keep.empty()) return std::nullopt;
  const double y1 = curve(keep[0]);
  if (std::abs(y1 - 0.5) < tolerance)
    for (Eigen::Index j : keep)
      if (curve(j) < y1) return (time(keep[0]) + time(j)) / 2.0;
  return time(keep[0]);
}

inline logrank_result logrank_impl(const char* fn, const survival_data& d,
                                   const Eigen::Ref<const Eigen::VectorXd>& group) {
  const std::size_t n = d.exit.size();
  require_same_length(fn, "exit_time", n, "group", static_cast<std::size_t>(group.size()));
  require_each(fn, "group", group, [](double g) { return g == 0.0 || g == 1.0; }, "must be 0 or 1");
  std::vector<double> entry[2], exit[2];
  logrank_result r;
  std::vector<double> event_times;
  for (std::size_t i = 0; i < n; ++i) {
    const int g = group(static_cast<Eigen::Index>(i)) == 1.0 ? 1 : 0;
    if (!d.entry.empty()) entry[g].push_back(d.entry[i]);
    exit[g].push_back(d.exit[i]);
    if (d.event[i] == 1.0) {
      r.observed[g] += 1.0;
      event_times.push_back(d.exit[i]);
    }
  }
  if (exit[0].empty() || exit[1].empty())
    throw_invalid(fn, std::string("group has only ") + (exit[0].empty() ? "1" : "0") +
                          " values: the log-rank test needs both groups");
  std::sort(event_times.begin(), event_times.end());
  const risk_set risk0(entry[0], exit[0]), risk1(entry[1], exit[1]);
  for (std::size_t k = 0; k < event_times.size();) {
    const double t = event_times[k];
    double dj = 0.0;
    for (; k < event_times.size() && event_times[k] == t; ++k) dj += 1.0;
    const double n0 = risk0.at(t), n1 = risk1.at(t), nj = n0 + n1;
    r.expected[0] += n0 * dj / nj;
    r.expected[1] += n1 * dj / nj;
    if (nj > 1.0) r.variance += n0 * n1 * dj * (nj - dj) / (nj * nj * (nj - 1.0));
  }
  if (!(r.variance > 0.0))
    throw_invalid(fn, "no event time has customers of both groups at risk: the log-rank variance is 0");
  const double diff = r.observed[0] - r.expected[0];
  r.statistic = diff * diff / r.variance;
  r.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double, math_policy>(1.0), r.statistic));
  return r;
}

}  // namespace patron::detail

namespace patron {

inline kaplan_meier_result kaplan_meier(const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                        const Eigen::Ref<const Eigen::VectorXd>& event,
                                        const kaplan_meier_options& options) {
  detail::require_probability_open("kaplan_meier", "options.confidence_level", options.confidence_level);
  return detail::kaplan_meier_impl(detail::validate_survival("kaplan_meier", nullptr, exit_time, event), options);
}

inline kaplan_meier_result kaplan_meier(const Eigen::Ref<const Eigen::VectorXd>& entry,
                                        const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                        const Eigen::Ref<const Eigen::VectorXd>& event,
                                        const kaplan_meier_options& options) {
  detail::require_probability_open("kaplan_meier", "options.confidence_level", options.confidence_level);
  return detail::kaplan_meier_impl(detail::validate_survival("kaplan_meier", &entry, exit_time, event), options);
}

namespace detail {

// A result built by hand or deserialised: a per-time array shorter than `time` would be
// read out of bounds. O(1), so survival_at and at_risk stay O(log n).
inline void require_km_arrays(const char* fn, const kaplan_meier_result& r) {
  const auto n = static_cast<std::size_t>(r.time.size());
  const std::pair<const char*, const Eigen::VectorXd*> arrays[] = {
      {"survival", &r.survival}, {"n_risk", &r.n_risk}, {"n_event", &r.n_event},
      {"lower", &r.lower}, {"upper", &r.upper}};
  for (const auto& [name, values] : arrays)
    require_same_length(fn, name, static_cast<std::size_t>(values->size()), "time", n);
}

}  // namespace detail

inline double kaplan_meier_result::survival_at(double t) const {
  detail::require_finite_scalar("kaplan_meier_result::survival_at", "t", t);
  detail::require_km_arrays("kaplan_meier_result::survival_at", *this);
  const auto after = std::upper_bound(time.data(), time.data() + time.size(), t) - time.data();
  return after == 0 ? 1.0 : survival(after - 1);
}

inline std::optional<double> kaplan_meier_result::median() const {
  detail::require_km_arrays("kaplan_meier_result::median", *this);
  return detail::first_time_at_half(survival, time, [](Eigen::Index) { return true; });
}

inline std::optional<double> kaplan_meier_result::median_lower() const {
  detail::require_km_arrays("kaplan_meier_result::median_lower", *this);
  return detail::first_time_at_half(lower, time, [this](Eigen::Index j) {
    return survival(j) > 0.0 && survival(j) < 1.0;
  });
}

inline std::optional<double> kaplan_meier_result::median_upper() const {
  detail::require_km_arrays("kaplan_meier_result::median_upper", *this);
  return detail::first_time_at_half(upper, time, [this](Eigen::Index j) {
    return survival(j) > 0.0 && survival(j) < 1.0;
  });
}

inline restricted_mean kaplan_meier_result::restricted_mean_survival(double tau) const {
  const char* fn = "kaplan_meier_result::restricted_mean_survival";
  detail::require_finite_scalar(fn, "tau", tau);
  detail::require(tau > 0.0, fn, "tau", tau, "must be after the start of the curve (0)");
  // The estimate and its variance read every entry up to tau: NaN or out-of-order
  // entries would make them NaN or wrong, silently.
  detail::require_km_arrays(fn, *this);
  detail::require_non_negative(fn, "time", time);
  for (Eigen::Index j = 1; j < time.size(); ++j)
    if (!(time(j) > time(j - 1)))
      detail::throw_invalid_element(fn, "time", static_cast<std::size_t>(j), time(j), "must be strictly increasing");
  detail::require_each(fn, "survival", survival, [](double v) { return v >= 0.0 && v <= 1.0; }, "must be in [0, 1]");
  detail::require_non_negative(fn, "n_risk", n_risk);
  detail::require_non_negative(fn, "n_event", n_event);
  // Rectangles of the step function from 0 (times are non-negative) to tau; the variance sums, over the
  // curve's times t_j <= tau, (area from t_j to tau)^2 d_j / (n_j (n_j - d_j)) (R's rmean).
  restricted_mean r;
  r.tau = tau;
  Eigen::Index kept = 0;
  while (kept < time.size() && time(kept) <= tau) ++kept;
  double previous_time = 0.0, previous_s = 1.0;
  for (Eigen::Index j = 0; j < kept; ++j) {
    r.estimate += (time(j) - previous_time) * previous_s;
    previous_time = time(j);
    previous_s = survival(j);
  }
  r.estimate += (tau - previous_time) * previous_s;
  double tail = (tau - previous_time) * previous_s, variance = 0.0;
  for (Eigen::Index j = kept - 1; j >= 0; --j) {
    const double nj = n_risk(j), dj = n_event(j);
    if (nj > dj) variance += tail * tail * dj / (nj * (nj - dj));
    if (j > 0) tail += (time(j) - time(j - 1)) * survival(j - 1);
  }
  r.std_err = std::sqrt(variance);
  return r;
}

inline Eigen::VectorXd kaplan_meier_result::at_risk(const Eigen::Ref<const Eigen::VectorXd>& times) const {
  detail::require_finite("kaplan_meier_result::at_risk", "times", times);
  detail::require_km_arrays("kaplan_meier_result::at_risk", *this);
  Eigen::VectorXd out(times.size());
  for (Eigen::Index i = 0; i < times.size(); ++i) {
    const auto j = std::lower_bound(time.data(), time.data() + time.size(), times(i)) - time.data();
    out(i) = j == time.size() ? 0.0 : n_risk(j);
  }
  return out;
}

inline logrank_result logrank_test(const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                   const Eigen::Ref<const Eigen::VectorXd>& event,
                                   const Eigen::Ref<const Eigen::VectorXd>& group) {
  return detail::logrank_impl("logrank_test", detail::validate_survival("logrank_test", nullptr, exit_time, event),
                              group);
}

inline logrank_result logrank_test(const Eigen::Ref<const Eigen::VectorXd>& entry,
                                   const Eigen::Ref<const Eigen::VectorXd>& exit_time,
                                   const Eigen::Ref<const Eigen::VectorXd>& event,
                                   const Eigen::Ref<const Eigen::VectorXd>& group) {
  return detail::logrank_impl("logrank_test", detail::validate_survival("logrank_test", &entry, exit_time, event),
                              group);
}

}  // namespace patron
