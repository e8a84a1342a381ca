// Weighted multi-criteria lead score: normalisation learned from a reference sample,
// direction flip, missing-value policies, per-criterion contributions.
#pragma once

#include "patron/core/math_policy.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {
namespace detail {

// Phi without promotion to long double (see core/math_policy.hpp): with the default
// policy the z-score criterion took 60% of the time of scoring 10M leads.
using double_normal = boost::math::normal_distribution<double, math_policy>;

inline void validate_criteria(const char* fn, const std::vector<criterion>& criteria) {
  require_non_empty(fn, "criteria", criteria.size());
  double total_weight = 0.0;
  std::map<std::string, std::size_t> seen;
  for (std::size_t j = 0; j < criteria.size(); ++j) {
    const criterion& c = criteria[j];
    const std::string where = "criteria[" + std::to_string(j) + "]";
    if (!(std::isfinite(c.weight) && c.weight >= 0.0))
      throw_invalid_element(fn, "criteria.weight", j, c.weight, "must be finite and non-negative");
    total_weight += c.weight;
    if (!seen.emplace(c.name, j).second)
      throw_invalid(fn, where + ".name ('" + c.name + "') duplicates criteria[" +
                            std::to_string(seen[c.name]) + "]");
    if (c.normalisation == criterion_normalisation::bins) {
      if (c.direction != criterion_direction::higher_is_better)
        throw_invalid(fn, where + ".direction must be higher_is_better with bins (the bin "
                                  "points say which end is better)");
      if (c.bin_points.size() != c.bin_edges.size() + 1)
        throw_invalid(fn, where + ".bin_points has " + std::to_string(c.bin_points.size()) +
                              " values but bin_edges makes " +
                              std::to_string(c.bin_edges.size() + 1) + " bins");
      for (std::size_t k = 0; k < c.bin_edges.size(); ++k) {
        if (!std::isfinite(c.bin_edges[k]) || (k > 0 && !(c.bin_edges[k] > c.bin_edges[k - 1])))
          throw_invalid_element(fn, (where + ".bin_edges").c_str(), k, c.bin_edges[k],
                                "must be finite and strictly increasing");
      }
      require_non_negative(fn, (where + ".bin_points").c_str(), c.bin_points);
      if (*std::max_element(c.bin_points.begin(), c.bin_points.end()) <= 0.0)
        throw_invalid(fn, where + ".bin_points must not all be zero");
    }
  }
  if (!(total_weight > 0.0)) throw_invalid(fn, "criteria weights must not all be zero");
}

// Mid-rank percentile of x among the sorted reference values.
inline double percentile_rank(const Eigen::VectorXd& sorted, double x) {
  const double* begin = sorted.data();
  const double* end = begin + sorted.size();
  const auto below = std::lower_bound(begin, end, x) - begin;
  const auto not_above = std::upper_bound(begin, end, x) - begin;
  return (static_cast<double>(below) + 0.5 * static_cast<double>(not_above - below)) /
         static_cast<double>(sorted.size());
}

// A scorer built by hand or deserialised, checked in O(scorer size) before it scores:
// per-criterion arrays shorter than the criteria, or a negative column, would be read out
// of bounds; bins without points dereference an empty range; a NaN location or scale, or
// an unsorted reference sample, would give NaN or wrong scores silently.
inline void validate_lead_scorer(const char* fn, const lead_scorer& s) {
  validate_criteria(fn, s.criteria);
  const std::size_t k = s.criteria.size();
  require_same_length(fn, "columns", s.columns.size(), "criteria", k);
  require_same_length(fn, "location", static_cast<std::size_t>(s.location.size()), "criteria", k);
  require_same_length(fn, "scale", static_cast<std::size_t>(s.scale.size()), "criteria", k);
  require_same_length(fn, "reference", s.reference.size(), "criteria", k);
  require_each(fn, "columns", s.columns, [](Eigen::Index c) { return c >= 0; }, "must be non-negative");
  for (std::size_t j = 0; j < k; ++j) {
    switch (s.criteria[j].normalisation) {
      case criterion_normalisation::min_max:
      case criterion_normalisation::z_score: {
        const auto at = static_cast<Eigen::Index>(j);
        if (!std::isfinite(s.location(at)))
          throw_invalid_element(fn, "location", j, s.location(at), "must be finite");
        if (!(std::isfinite(s.scale(at)) && s.scale(at) >= 0.0))
          throw_invalid_element(fn, "scale", j, s.scale(at), "must be finite and non-negative");
        break;
      }
      case criterion_normalisation::percentile_rank: {
        const Eigen::VectorXd& sample = s.reference[j];
        const std::string name = "reference[" + std::to_string(j) + "]";
        require_non_empty(fn, name.c_str(), static_cast<std::size_t>(sample.size()));
        for (Eigen::Index i = 0; i < sample.size(); ++i)
          if (!std::isfinite(sample(i)) || (i > 0 && sample(i) < sample(i - 1)))
            throw_invalid_element(fn, name, static_cast<std::size_t>(i), sample(i),
                                  "must be finite and sorted ascending");
        break;
      }
      case criterion_normalisation::bins:
        break;  // validate_criteria checked the edges and points
      default:
        throw_invalid_element(fn, "criteria.normalisation", j,
                              static_cast<int>(s.criteria[j].normalisation),
                              "is not a criterion_normalisation");
    }
  }
}

}  // namespace detail

inline lead_scorer fit_lead_scorer(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                   const std::vector<std::string>& column_names,
                                   const std::vector<criterion>& criteria) {
  constexpr const char* fn = "fit_lead_scorer";
  detail::validate_criteria(fn, criteria);
  detail::require_same_length(fn, "column_names", column_names.size(), "X columns",
                              static_cast<std::size_t>(X.cols()));
  detail::require_non_empty(fn, "X rows", static_cast<std::size_t>(X.rows()));
  lead_scorer s;
  s.criteria = criteria;
  const auto k = static_cast<Eigen::Index>(criteria.size());
  s.location = Eigen::VectorXd::Zero(k);
  s.scale = Eigen::VectorXd::Zero(k);
  s.reference.resize(criteria.size());
  for (Eigen::Index j = 0; j < k; ++j) {
    const criterion& c = criteria[static_cast<std::size_t>(j)];
    const auto it = std::find(column_names.begin(), column_names.end(), c.name);
    if (it == column_names.end())
      detail::throw_invalid(fn, "criteria[" + std::to_string(j) + "].name ('" + c.name +
                                    "') is not one of the column names");
    const Eigen::Index col = it - column_names.begin();
    s.columns.push_back(col);
    // Non-missing reference values: the column itself when complete (no copy), else the
    // finite values; percentile ranks need a sorted copy in any case.
    std::vector<double> values;
    const bool complete = X.col(col).allFinite();
    if (!complete || c.normalisation == criterion_normalisation::percentile_rank) {
      values.reserve(static_cast<std::size_t>(X.rows()));
      for (Eigen::Index r = 0; r < X.rows(); ++r) {
        const double v = X(r, col);
        if (std::isnan(v) && c.missing != missing_policy::reject) continue;
        if (!std::isfinite(v))
          detail::throw_invalid(fn, "X(" + std::to_string(r) + ", " + std::to_string(col) + ") (" +
                                        detail::format_value(v) + ") must be finite" +
                                        (std::isnan(v) ? " (criterion '" + c.name +
                                                             "' rejects missing values)"
                                                       : std::string()));
        values.push_back(v);
      }
      if (values.empty() && c.normalisation != criterion_normalisation::bins)
        detail::throw_invalid(fn, "X column " + std::to_string(col) + " ('" + c.name +
                                      "') has no non-missing reference value");
    }
    const Eigen::Map<const Eigen::VectorXd> copied(values.data(), static_cast<Eigen::Index>(values.size()));
    const Eigen::Ref<const Eigen::VectorXd> v = complete ? Eigen::Ref<const Eigen::VectorXd>(X.col(col))
                                                         : Eigen::Ref<const Eigen::VectorXd>(copied);
    switch (c.normalisation) {
      case criterion_normalisation::min_max:
        s.location(j) = v.minCoeff();
        s.scale(j) = v.maxCoeff() - v.minCoeff();
        break;
      case criterion_normalisation::z_score: {
        s.location(j) = v.mean();
        // Two-pass variance: the mean is removed before squaring.
        s.scale(j) = v.size() > 1 ? std::sqrt((v.array() - s.location(j)).square().sum() /
                                              static_cast<double>(v.size() - 1))
                                  : 0.0;
        break;
      }
      case criterion_normalisation::percentile_rank:
        std::sort(values.begin(), values.end());
        s.reference[static_cast<std::size_t>(j)] = copied;
        break;
      case criterion_normalisation::bins:
        break;
    }
  }
  return s;
}

inline lead_scorer fit_lead_scorer(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                   const std::vector<criterion>& criteria) {
  std::vector<std::string> names;
  for (const auto& c : criteria) names.push_back(c.name);
  if (static_cast<Eigen::Index>(criteria.size()) != X.cols())
    detail::throw_invalid("fit_lead_scorer",
                          "criteria has " + std::to_string(criteria.size()) +
                              " elements but X has " + std::to_string(X.cols()) + " columns");
  return fit_lead_scorer(X, names, criteria);
}

inline lead_scores lead_scorer::score(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  constexpr const char* fn = "lead_scorer::score";
  detail::validate_lead_scorer(fn, *this);
  Eigen::Index needed = 0;
  for (auto c : columns) needed = std::max(needed, c + 1);
  if (X.cols() < needed)
    detail::throw_invalid(fn, "X has " + std::to_string(X.cols()) + " columns but the scorer reads column " +
                                  std::to_string(needed - 1));
  const auto n = X.rows();
  const auto k = static_cast<Eigen::Index>(criteria.size());
  const detail::double_normal standard_normal;
  lead_scores out;
  out.normalised.resize(n, k);
  out.contribution.resize(n, k);
  out.total.resize(n);
  Eigen::VectorXd weights(k);
  for (Eigen::Index j = 0; j < k; ++j) weights(j) = criteria[static_cast<std::size_t>(j)].weight;
  const double weight_sum = weights.sum();
  for (Eigen::Index j = 0; j < k; ++j) {
    const criterion& c = criteria[static_cast<std::size_t>(j)];
    const Eigen::Index col = columns[static_cast<std::size_t>(j)];
    const bool flip = c.direction == criterion_direction::lower_is_better;
    const double missing_u = c.missing == missing_policy::worst ? 0.0 : 0.5;
    // One pass per criterion with the normalisation chosen once, outside the lead loop.
    const auto fill = [&](auto normalise) {
      for (Eigen::Index i = 0; i < n; ++i) {
        const double x = X(i, col);
        if (std::isnan(x)) {
          if (c.missing == missing_policy::reject)
            detail::throw_invalid(fn, "X(" + std::to_string(i) + ", " + std::to_string(col) +
                                          ") (nan) is missing but criterion '" + c.name +
                                          "' rejects missing values");
          // reweight: u is irrelevant (its weight is dropped below); 0.5 keeps it NaN-free.
          out.normalised(i, j) = missing_u;
          continue;
        }
        if (std::isinf(x))
          detail::throw_invalid(fn, "X(" + std::to_string(i) + ", " + std::to_string(col) + ") (" +
                                        detail::format_value(x) + ") must not be infinite");
        const double u = normalise(x);
        out.normalised(i, j) = flip ? 1.0 - u : u;
      }
    };
    const double lo = location(j), width = scale(j);
    switch (c.normalisation) {
      case criterion_normalisation::min_max:
        fill([&](double x) { return width > 0 ? std::clamp((x - lo) / width, 0.0, 1.0) : 0.5; });
        break;
      case criterion_normalisation::z_score:
        fill([&](double x) { return width > 0 ? boost::math::cdf(standard_normal, (x - lo) / width) : 0.5; });
        break;
      case criterion_normalisation::percentile_rank:
        fill([&](double x) { return detail::percentile_rank(reference[static_cast<std::size_t>(j)], x); });
        break;
      case criterion_normalisation::bins: {
        const double max_points = *std::max_element(c.bin_points.begin(), c.bin_points.end());
        fill([&](double x) {
          const auto bin = std::upper_bound(c.bin_edges.begin(), c.bin_edges.end(), x) - c.bin_edges.begin();
          return c.bin_points[static_cast<std::size_t>(bin)] / max_points;
        });
        break;
      }
    }
  }
  const Eigen::RowVectorXd share = (100.0 / weight_sum) * weights.transpose();
  out.contribution = out.normalised.array().rowwise() * share.array();
  // reweight: a lead missing such a criterion shares 100 points among the criteria it has.
  for (Eigen::Index j = 0; j < k; ++j) {
    if (criteria[static_cast<std::size_t>(j)].missing != missing_policy::reweight) continue;
    const Eigen::Index col = columns[static_cast<std::size_t>(j)];
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isnan(X(i, col))) continue;
      double lead_weight = weight_sum;
      for (Eigen::Index m = 0; m < k; ++m)
        if (criteria[static_cast<std::size_t>(m)].missing == missing_policy::reweight &&
            std::isnan(X(i, columns[static_cast<std::size_t>(m)])))
          lead_weight -= weights(m);
      for (Eigen::Index m = 0; m < k; ++m) {
        const bool dropped = criteria[static_cast<std::size_t>(m)].missing == missing_policy::reweight &&
                             std::isnan(X(i, columns[static_cast<std::size_t>(m)]));
        out.contribution(i, m) =
            dropped || !(lead_weight > 0) ? 0.0 : 100.0 * weights(m) * out.normalised(i, m) / lead_weight;
      }
    }
  }
  out.total = out.contribution.rowwise().sum();
  return out;
}

}  // namespace patron
