// Behavioural points: event rules with first-time-only events, per-type caps and
// exponential decay by a half-life, evaluated as of a given time.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {

inline behaviour_points score_behaviour(std::size_t n_leads, const std::vector<std::size_t>& lead,
                                        const std::vector<std::string>& event,
                                        const std::vector<double>& time,
                                        const std::vector<event_rule>& rules, double as_of) {
  constexpr const char* fn = "score_behaviour";
  detail::require_non_empty(fn, "rules", rules.size());
  detail::require_same_length(fn, "lead", lead.size(), "event", event.size());
  detail::require_same_length(fn, "lead", lead.size(), "time", time.size());
  detail::require_finite_scalar(fn, "as_of", as_of);
  detail::require_finite(fn, "time", time);
  std::map<std::string, std::size_t> rule_of;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const event_rule& rule = rules[r];
    if (!rule_of.emplace(rule.event, r).second)
      detail::throw_invalid(fn, "rules[" + std::to_string(r) + "].event ('" + rule.event +
                                    "') duplicates rules[" + std::to_string(rule_of[rule.event]) + "]");
    if (!std::isfinite(rule.points))
      detail::throw_invalid_element(fn, "rules.points", r, rule.points, "must be finite");
    if (!(rule.cap > 0))
      detail::throw_invalid_element(fn, "rules.cap", r, rule.cap, "must be positive");
    if (!(rule.half_life > 0))
      detail::throw_invalid_element(fn, "rules.half_life", r, rule.half_life, "must be positive");
  }
  for (std::size_t e = 0; e < lead.size(); ++e)
    if (lead[e] >= n_leads)
      detail::throw_invalid_element(fn, "lead", e, lead[e],
                                    ("must be less than n_leads (" + std::to_string(n_leads) + ")").c_str());

  const auto n = static_cast<Eigen::Index>(n_leads);
  const auto k = static_cast<Eigen::Index>(rules.size());
  behaviour_points out;
  out.points = Eigen::MatrixXd::Zero(n, k);
  // first_time_only: the earliest known occurrence per (lead, rule); NaN = none yet.
  Eigen::MatrixXd first_time = Eigen::MatrixXd::Constant(n, k, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t e = 0; e < lead.size(); ++e) {
    const auto found = rule_of.find(event[e]);
    if (found == rule_of.end())
      detail::throw_invalid(fn, "event[" + std::to_string(e) + "] ('" + event[e] +
                                    "') is not the event of any rule");
    if (time[e] > as_of) {
      ++out.events_after_as_of;
      continue;
    }
    const auto i = static_cast<Eigen::Index>(lead[e]);
    const auto r = static_cast<Eigen::Index>(found->second);
    const event_rule& rule = rules[found->second];
    if (rule.repeat == event_repeat::first_time_only) {
      if (!(time[e] >= first_time(i, r))) first_time(i, r) = time[e];
      continue;
    }
    // exp2 of a negative age: an event half a life old keeps 2^-0.5 of its points.
    out.points(i, r) += rule.points * std::exp2(-(as_of - time[e]) / rule.half_life);
  }
  for (Eigen::Index r = 0; r < k; ++r) {
    const event_rule& rule = rules[static_cast<std::size_t>(r)];
    for (Eigen::Index i = 0; i < n; ++i) {
      if (rule.repeat == event_repeat::first_time_only && !std::isnan(first_time(i, r)))
        out.points(i, r) = rule.points * std::exp2(-(as_of - first_time(i, r)) / rule.half_life);
      out.points(i, r) = std::clamp(out.points(i, r), -rule.cap, rule.cap);
    }
  }
  out.total = out.points.rowwise().sum();
  return out;
}

}  // namespace patron
