// Evaluation of a lead score against outcomes: ROC AUC with ties, ROC curve, KS,
// Brier score, gains/lift by group with explicit tie handling, calibration bins.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {
namespace detail {

// A run of equal scores, in increasing score order, with its (weighted) outcome counts.
struct tie_block {
  double score;
  double positives, negatives;  // weighted
  double count;                 // unweighted number of leads
};

inline void validate_scored_labels(const char* fn, const Eigen::Ref<const Eigen::VectorXd>& y,
                                   const Eigen::Ref<const Eigen::VectorXd>& score,
                                   const char* score_name,
                                   const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  require_non_empty(fn, "y", static_cast<std::size_t>(y.size()));
  require_same_length(fn, "y", static_cast<std::size_t>(y.size()), score_name,
                      static_cast<std::size_t>(score.size()));
  require_binary_labels(fn, "y", y);
  require_finite(fn, score_name, score);
  require_sample_weight(fn, sample_weight, y.size());
}

// Scores grouped into tie blocks, ascending. Requires both classes (positive weight each).
inline std::vector<tie_block> tie_blocks(const char* fn, const Eigen::Ref<const Eigen::VectorXd>& y,
                                         const Eigen::Ref<const Eigen::VectorXd>& score,
                                         const Eigen::Ref<const Eigen::VectorXd>& sample_weight,
                                         bool need_both_classes) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(score.size()));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return score(a) < score(b); });
  std::vector<tie_block> blocks;
  double positives = 0, negatives = 0;
  for (const Eigen::Index i : order) {
    const double w = sample_weight.size() ? sample_weight(i) : 1.0;
    if (blocks.empty() || blocks.back().score != score(i)) blocks.push_back({score(i), 0, 0, 0});
    (y(i) == 1.0 ? blocks.back().positives : blocks.back().negatives) += w;
    (y(i) == 1.0 ? positives : negatives) += w;
    blocks.back().count += 1;
  }
  if (need_both_classes && !(positives > 0 && negatives > 0))
    throw_invalid(fn, std::string("y must contain both classes (with positive weight): found ") +
                          format_value(positives) + " positive and " + format_value(negatives) +
                          " negative");
  return blocks;
}

}  // namespace detail

inline double roc_auc(const Eigen::Ref<const Eigen::VectorXd>& y,
                      const Eigen::Ref<const Eigen::VectorXd>& score,
                      const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  constexpr const char* fn = "roc_auc";
  detail::validate_scored_labels(fn, y, score, "score", sample_weight);
  const auto blocks = detail::tie_blocks(fn, y, score, sample_weight, true);
  // Mann-Whitney: each converted lead beats every lost lead scored lower, half a tie.
  double wins = 0, negatives_below = 0, positives = 0;
  for (const auto& b : blocks) {
    wins += b.positives * (negatives_below + 0.5 * b.negatives);
    negatives_below += b.negatives;
    positives += b.positives;
  }
  return wins / (positives * negatives_below);
}

inline roc_curve_points roc_curve(const Eigen::Ref<const Eigen::VectorXd>& y,
                                  const Eigen::Ref<const Eigen::VectorXd>& score,
                                  const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  constexpr const char* fn = "roc_curve";
  detail::validate_scored_labels(fn, y, score, "score", sample_weight);
  const auto blocks = detail::tie_blocks(fn, y, score, sample_weight, true);
  const auto m = static_cast<Eigen::Index>(blocks.size());
  roc_curve_points out;
  out.false_positive_rate.resize(m + 1);
  out.true_positive_rate.resize(m + 1);
  out.threshold.resize(m + 1);
  out.false_positive_rate(0) = out.true_positive_rate(0) = 0.0;
  out.threshold(0) = std::numeric_limits<double>::infinity();
  double tp = 0, fp = 0;
  for (Eigen::Index k = 0; k < m; ++k) {  // from the highest score down
    const auto& b = blocks[static_cast<std::size_t>(m - 1 - k)];
    tp += b.positives;
    fp += b.negatives;
    out.true_positive_rate(k + 1) = tp;
    out.false_positive_rate(k + 1) = fp;
    out.threshold(k + 1) = b.score;
  }
  out.true_positive_rate /= tp;
  out.false_positive_rate /= fp;
  return out;
}

inline double ks_statistic(const Eigen::Ref<const Eigen::VectorXd>& y,
                           const Eigen::Ref<const Eigen::VectorXd>& score,
                           const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  const roc_curve_points roc = roc_curve(y, score, sample_weight);
  return (roc.true_positive_rate - roc.false_positive_rate).cwiseAbs().maxCoeff();
}

inline double brier_score(const Eigen::Ref<const Eigen::VectorXd>& y,
                          const Eigen::Ref<const Eigen::VectorXd>& probability,
                          const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  constexpr const char* fn = "brier_score";
  detail::validate_scored_labels(fn, y, probability, "probability", sample_weight);
  detail::require_each(fn, "probability", probability, [](double v) { return v >= 0.0 && v <= 1.0; },
                       "must be in [0, 1]");
  const Eigen::ArrayXd squared = (probability - y).array().square();
  if (sample_weight.size() == 0) return squared.mean();
  return (squared * sample_weight.array()).sum() / sample_weight.sum();
}

inline gains_table gains_by_group(const Eigen::Ref<const Eigen::VectorXd>& y,
                                  const Eigen::Ref<const Eigen::VectorXd>& score, int groups,
                                  tie_handling ties) {
  constexpr const char* fn = "gains_by_group";
  detail::validate_scored_labels(fn, y, score, "score", Eigen::VectorXd());
  detail::require(groups >= 1 && groups <= y.size(), fn, "groups", groups,
                  "must be between 1 and the number of leads");
  auto blocks = detail::tie_blocks(fn, y, score, Eigen::VectorXd(), false);
  std::reverse(blocks.begin(), blocks.end());  // best scores first
  const double n = static_cast<double>(y.size());
  const double group_size = n / groups;
  gains_table g;
  for (Eigen::VectorXd* v : {&g.leads, &g.conversions}) *v = Eigen::VectorXd::Zero(groups);
  g.min_score = Eigen::VectorXd::Constant(groups, std::numeric_limits<double>::quiet_NaN());
  g.max_score = g.min_score;
  const auto touch = [&](int k, double s) {
    if (!(g.min_score(k) <= s)) g.min_score(k) = s;
    if (!(g.max_score(k) >= s)) g.max_score(k) = s;
  };
  double start = 0;  // leads ranked above this block
  for (const auto& b : blocks) {
    const double end = start + b.count;
    if (ties == tie_handling::keep_together) {
      const int k = std::min(groups - 1, static_cast<int>(std::floor(start / group_size)));
      g.leads(k) += b.count;
      g.conversions(k) += b.positives;
      touch(k, b.score);
    } else {
      // The block covers ranks [start, end); each group [k, k+1) * group_size takes its
      // overlap, with the block's conversions pro rata.
      const int first = std::min(groups - 1, static_cast<int>(std::floor(start / group_size)));
      for (int k = first; k < groups; ++k) {
        const double overlap = std::min(end, (k + 1) * group_size) - std::max(start, k * group_size);
        if (k > first && overlap <= 0) break;
        if (overlap <= 0) continue;
        g.leads(k) += overlap;
        g.conversions(k) += b.positives * overlap / b.count;
        touch(k, b.score);
      }
    }
    start = end;
  }
  const double total_conversions = g.conversions.sum();
  const double overall_rate = total_conversions / n;
  g.conversion_rate = g.conversions.cwiseQuotient(g.leads.cwiseMax(1e-300));
  g.cumulative_leads = g.leads;
  g.cumulative_conversions = g.conversions;
  for (int k = 1; k < groups; ++k) {
    g.cumulative_leads(k) += g.cumulative_leads(k - 1);
    g.cumulative_conversions(k) += g.cumulative_conversions(k - 1);
  }
  const bool any = total_conversions > 0;
  g.cumulative_gain = any ? Eigen::VectorXd(g.cumulative_conversions / total_conversions)
                          : Eigen::VectorXd::Zero(groups);
  g.lift = any ? Eigen::VectorXd(g.conversion_rate / overall_rate) : Eigen::VectorXd::Zero(groups);
  g.cumulative_lift =
      any ? Eigen::VectorXd(g.cumulative_conversions.cwiseQuotient(g.cumulative_leads.cwiseMax(1e-300)) /
                            overall_rate)
          : Eigen::VectorXd::Zero(groups);
  return g;
}

inline calibration_bins calibration(const Eigen::Ref<const Eigen::VectorXd>& y,
                                    const Eigen::Ref<const Eigen::VectorXd>& probability, int bins,
                                    calibration_strategy strategy) {
  constexpr const char* fn = "calibration";
  detail::validate_scored_labels(fn, y, probability, "probability", Eigen::VectorXd());
  detail::require_each(fn, "probability", probability, [](double v) { return v >= 0.0 && v <= 1.0; },
                       "must be in [0, 1]");
  detail::require_in_range(fn, "bins", bins, 1, calibration_max_bins);
  std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
  if (strategy == calibration_strategy::uniform) {
    // numpy.linspace(0, 1, bins + 1): i * step, the last edge exactly 1.
    const double step = 1.0 / bins;
    for (int i = 0; i <= bins; ++i) edges[static_cast<std::size_t>(i)] = i * step;
    edges.back() = 1.0;
  } else {
    std::vector<double> sorted(probability.data(), probability.data() + probability.size());
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i <= bins; ++i)
      edges[static_cast<std::size_t>(i)] = detail::sorted_quantile(sorted, static_cast<double>(i) / bins);
  }
  Eigen::VectorXd sum_p = Eigen::VectorXd::Zero(bins), sum_y = sum_p, count = sum_p;
  for (Eigen::Index i = 0; i < probability.size(); ++i) {
    // numpy.searchsorted(inner edges, p, side="left"): the number of inner edges below p,
    // so a probability on an edge falls in the bin below it.
    const auto k = std::lower_bound(edges.begin() + 1, edges.end() - 1, probability(i)) -
                   (edges.begin() + 1);
    sum_p(k) += probability(i);
    sum_y(k) += y(i);
    count(k) += 1;
  }
  calibration_bins out;
  const auto filled = (count.array() > 0).count();
  for (Eigen::VectorXd* v : {&out.mean_predicted, &out.observed_rate, &out.count, &out.lower, &out.upper})
    v->resize(filled);
  Eigen::Index j = 0;
  for (int k = 0; k < bins; ++k) {
    if (count(k) == 0) continue;
    out.mean_predicted(j) = sum_p(k) / count(k);
    out.observed_rate(j) = sum_y(k) / count(k);
    out.count(j) = count(k);
    out.lower(j) = edges[static_cast<std::size_t>(k)];
    out.upper(j) = edges[static_cast<std::size_t>(k) + 1];
    ++j;
  }
  return out;
}

}  // namespace patron
