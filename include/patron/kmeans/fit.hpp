// k-means fitting: validation, seeding (k-means++, random rows, given centres), the
// Lloyd / Hamerly iteration loop with scikit-learn's convergence rules, empty-cluster
// relocation, restarts, and the mini-batch step. Included by patron/kmeans.hpp only.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "patron/core/rng.hpp"
#include "patron/core/validate.hpp"
#include "patron/kmeans/kernels.hpp"

namespace patron::detail {

inline void validate_kmeans_options(const char* fn, const kmeans_options& o, Eigen::Index rows) {
  require(o.k >= 1, fn, "options.k", o.k, "must be at least 1");
  if (static_cast<Eigen::Index>(o.k) > rows)
    throw_invalid_value(fn, "options.k", o.k,
                        "must not exceed the number of rows (" + std::to_string(rows) + ")");
  require(o.n_init >= 1, fn, "options.n_init", o.n_init, "must be at least 1");
  require(o.max_iter >= 1, fn, "options.max_iter", o.max_iter, "must be at least 1");
  require(std::isfinite(o.tol) && o.tol >= 0.0, fn, "options.tol", o.tol,
          "must be finite and non-negative");
}

// Checks the data, the weights and the given centres; returns nothing, throws
// invalid_input naming the first offending element.
template <class T>
void validate_fit_input(const char* fn, const kmeans_data<T>& X, const double* w,
                        Eigen::Index w_size, const kmeans_options& o) {
  require_non_empty(fn, "X", static_cast<std::size_t>(X.rows()));
  require(X.cols() >= 1, fn, "X.cols()", X.cols(), "must be at least 1");
  validate_kmeans_options(fn, o, X.rows());
  const column_ranges x_range = require_finite_ranges(fn, "X", X);
  double total = static_cast<double>(X.rows());
  if (w) {
    require_same_length(fn, "sample_weight", static_cast<std::size_t>(w_size), "X (rows)",
                        static_cast<std::size_t>(X.rows()));
    require_each(fn, "sample_weight", w, static_cast<std::size_t>(w_size), is_finite_non_negative{},
                 "must be finite and non-negative");
    // Only validation reads the total (no result does), so Eigen's vectorised sum order
    // changes nothing but the last bits of the overflow bound.
    total = Eigen::Map<const Eigen::VectorXd>(w, w_size).sum();
    require(total > 0.0, fn, "sum(sample_weight)", total, "must be positive");
    require(std::isfinite(total), fn, "sum(sample_weight)", total, "must be finite");
    if (o.init == kmeans_init::random_rows) {
      const auto positive = std::count_if(w, w + w_size, [](double v) { return v > 0.0; });
      if (positive < o.k)
        throw_invalid_value(fn, "options.k", o.k,
                            "must not exceed the number of rows with positive sample_weight (" +
                                std::to_string(positive) + ") for kmeans_init::random_rows");
    }
  }
  require_distances_in_range<T>(fn, "X", X, x_range, total);
  if (o.init == kmeans_init::given_centers) {
    const auto& c = o.initial_centers;
    require(c.rows() == o.k, fn, "options.initial_centers.rows()", c.rows(),
            "must equal options.k");
    require(c.cols() == X.cols(), fn, "options.initial_centers.cols()", c.cols(),
            "must equal the number of columns of X");
    require_finite(fn, "options.initial_centers", c);
    require_distances_in_range<T>(fn, "X", X, x_range, "options.initial_centers", c, total);
  }
}

// What every stage of a fit shares: the data, its column means (the centring) and the
// optional weights.
template <class T>
struct fit_data {
  const kmeans_data<T>& X;
  Eigen::VectorXd mean;
  const double* w;  // null: all ones
  unsigned threads;
  double_scoring scoring = double_scoring::float_screen;  // double data: see kernels.hpp

  double weight(Eigen::Index i) const { return w ? w[i] : 1.0; }
  // Centred row i in double.
  void centred_row(Eigen::Index i, double* out) const {
    for (Eigen::Index f = 0; f < X.cols(); ++f) out[f] = static_cast<double>(X(i, f)) - mean(f);
  }
};

template <class T>
fit_data<T> make_fit_data(const kmeans_data<T>& X, const double* w, unsigned threads) {
  return {X, X.template cast<double>().colwise().mean().transpose(), w, threads};
}

// Index drawn with probability proportional to v_i >= 0, given the per-chunk totals of
// v (summed in row order) and target = u * sum(totals): the first row whose running sum
// exceeds the target (numpy's searchsorted on a cumulative sum); when rounding leaves
// the target uncovered, the last row with v_i > 0 (so a row of weight 0 is never drawn).
// chunk_values(begin, end, out) writes v for rows [begin, end); only the chunk that holds
// the target is expanded.
template <class ChunkValues>
Eigen::Index draw_proportional(Eigen::Index n, const std::vector<double>& chunk_totals,
                               double target, ChunkValues chunk_values) {
  std::vector<double> v;
  double running = 0.0;
  for (std::size_t c = 0; c < chunk_totals.size(); ++c) {
    if (running + chunk_totals[c] <= target) {
      running += chunk_totals[c];
      continue;
    }
    const auto begin = static_cast<Eigen::Index>(c) * kmeans_chunk_rows;
    const Eigen::Index end = std::min<Eigen::Index>(n, begin + kmeans_chunk_rows);
    v.resize(static_cast<std::size_t>(end - begin));
    chunk_values(begin, end, v.data());
    for (Eigen::Index i = begin; i < end; ++i) {
      running += v[static_cast<std::size_t>(i - begin)];
      if (running > target) return i;
    }
  }
  for (std::size_t c = chunk_totals.size(); c-- > 0;) {
    if (!(chunk_totals[c] > 0.0)) continue;
    const auto begin = static_cast<Eigen::Index>(c) * kmeans_chunk_rows;
    const Eigen::Index end = std::min<Eigen::Index>(n, begin + kmeans_chunk_rows);
    v.resize(static_cast<std::size_t>(end - begin));
    chunk_values(begin, end, v.data());
    for (Eigen::Index i = end; i-- > begin;)
      if (v[static_cast<std::size_t>(i - begin)] > 0.0) return i;
  }
  return n - 1;
}

// Greedy k-means++ (Arthur & Vassilvitskii 2007; scikit-learn's _kmeans_plusplus):
// each new centre is the best of 2 + floor(ln k) candidates drawn with probability
// w_i D(x_i)^2, "best" meaning the lowest resulting potential sum_i w_i D(x_i)^2.
// Returns the centred centres, d x k.
//
// One pass over the data per centre. closest[i] holds D(x_i)^2 for every chosen centre
// but the newest ("pending") one, which is folded in lazily: by the next pass, which
// reads each block of rows once, applies the pending centre and scores all candidates
// against it; and by a draw, in the one chunk it expands. The chunk totals are always
// those of the up-to-date potential (the winning candidate's partial sums).
template <class T>
Eigen::MatrixXd seed_plus_plus(const fit_data<T>& fd, int k, rng& gen) {
  const Eigen::Index n = fd.X.rows(), d = fd.X.cols();
  const auto chunks = static_cast<std::size_t>(chunk_count(n));
  const int trials = 2 + static_cast<int>(std::floor(std::log(static_cast<double>(k))));
  Eigen::MatrixXd centres(d, k);
  std::vector<double> closest(static_cast<std::size_t>(n), std::numeric_limits<double>::infinity());
  std::vector<double> totals(chunks);

  Eigen::Index first;
  if (fd.w) {
    for_each_chunk(n, fd.threads, [&](std::ptrdiff_t c, std::ptrdiff_t b, std::ptrdiff_t e) {
      // In row order, not Eigen's vectorised .sum(): that rounds differently, which moves
      // the target of draw_proportional and can change the row drawn, and so the fit.
      double s = 0.0;
      for (std::ptrdiff_t i = b; i < e; ++i) s += fd.w[i];
      totals[static_cast<std::size_t>(c)] = s;
    });
    const double sum = std::accumulate(totals.begin(), totals.end(), 0.0);
    first = draw_proportional(n, totals, gen.uniform() * sum, [&](Eigen::Index b, Eigen::Index e, double* v) {
      std::copy(fd.w + b, fd.w + e, v);
    });
  } else {
    first = static_cast<Eigen::Index>(gen.uniform_index(static_cast<std::uint64_t>(n)));
  }
  fd.centred_row(first, centres.col(0).data());
  if (k == 1) return centres;

  // Points in T (not centred: the distances are computed directly), one after another:
  // the pending centre (if any), then the candidates.
  std::vector<T> points;
  auto set_points = [&](const Eigen::MatrixXd& centred) {
    points.resize(static_cast<std::size_t>(centred.size()));
    Eigen::Map<kmeans_matrix<T>>(points.data(), d, centred.cols()) =
        (centred.colwise() + fd.mean).template cast<T>();
  };
  // Runs plus_plus_lanes over rows [begin, end) (begin a multiple of kmeans_lanes) in
  // row order, kmeans_lanes rows at a time straight from X; the last, partial group
  // goes through a zero-padded copy (padding rows: distance 0, weight 0). closest is
  // updated there with the pending centre (if any); visit(first_row, len, have) sees
  // each group's updated distances.
  const std::vector<double> unit_weights(static_cast<std::size_t>(kmeans_lanes), 1.0);
  const double* ones = unit_weights.data();
  auto for_each_group = [&](std::ptrdiff_t begin, std::ptrdiff_t end, bool pending,
                            std::ptrdiff_t candidates, double* lane_sums, auto&& visit) {
    constexpr std::ptrdiff_t L = kmeans_lanes;
    const T* pending_point = pending ? points.data() : nullptr;
    const T* candidate_points = points.data() + (pending ? d : 0);
    const std::ptrdiff_t stride = fd.X.outerStride();
    with_feature_count(d, [&](auto features) {
      constexpr int D = decltype(features)::value;
      std::ptrdiff_t g = begin;
      for (; g + L <= end; g += L) {
        plus_plus_lanes<T, D>(fd.X.data() + g, stride, d, pending_point, candidate_points,
                              candidates, closest.data() + g, fd.w ? fd.w + g : ones, lane_sums);
        visit(g, L, static_cast<const double*>(closest.data() + g));
      }
      if (g == end) return;
      const std::ptrdiff_t len = end - g;
      std::vector<T> tail(static_cast<std::size_t>(d * L), T(0));
      double have[L] = {}, weight[L] = {};
      for (std::ptrdiff_t f = 0; f < d; ++f)
        std::copy(fd.X.col(f).data() + g, fd.X.col(f).data() + end, tail.data() + f * L);
      std::copy(closest.data() + g, closest.data() + end, have);
      std::copy(fd.w ? fd.w + g : ones, (fd.w ? fd.w + g : ones) + len, weight);
      plus_plus_lanes<T, D>(tail.data(), L, d, pending_point, candidate_points, candidates, have,
                            weight, lane_sums);
      std::copy(have, have + len, closest.data() + g);
      visit(g, len, static_cast<const double*>(have));
    });
  };
  // One pass: folds the pending centre into closest and writes, per chunk c and
  // candidate t, partial[c * candidates + t] = sum over the chunk of
  // w_i min(closest_i, ||x_i - candidate_t||^2) (lane partial sums, added in lane order).
  std::vector<double> partial(chunks * static_cast<std::size_t>(trials));
  auto score_candidates = [&](bool pending, std::ptrdiff_t candidates) {
    for_each_chunk(n, fd.threads, [&](std::ptrdiff_t c, std::ptrdiff_t b, std::ptrdiff_t e) {
      std::vector<double> lane_sums(static_cast<std::size_t>(candidates * kmeans_lanes), 0.0);
      for_each_group(b, e, pending, candidates, lane_sums.data(),
                     [](std::ptrdiff_t, std::ptrdiff_t, const double*) {});
      for (std::ptrdiff_t t = 0; t < candidates; ++t) {
        const auto lanes = lane_sums.begin() + t * kmeans_lanes;
        partial[static_cast<std::size_t>(c * candidates + t)] =
            std::accumulate(lanes, lanes + kmeans_lanes, 0.0);
      }
    });
  };
  // The potential's terms w_i D(x_i)^2 of rows [b, e), pending centre included; closest
  // is updated there too (folding a centre in twice changes nothing).
  auto potential_terms = [&](Eigen::Index b, Eigen::Index e, double* v) {
    for_each_group(b, e, true, 0, nullptr, [&](std::ptrdiff_t first_row, std::ptrdiff_t len,
                                               const double* have) {
      for (std::ptrdiff_t i = 0; i < len; ++i) v[first_row - b + i] = fd.weight(first_row + i) * have[i];
    });
  };

  // The first centre, scored as the only candidate against closest = infinity.
  set_points(centres.leftCols(1));
  score_candidates(false, 1);
  std::copy(partial.begin(), partial.begin() + static_cast<std::ptrdiff_t>(chunks), totals.begin());

  Eigen::MatrixXd with_candidates(d, 1 + trials);  // pending centre, then candidates
  for (int j = 1; j < k; ++j) {
    with_candidates.col(0) = centres.col(j - 1);
    set_points(with_candidates.leftCols(1));
    const double potential = std::accumulate(totals.begin(), totals.end(), 0.0);
    for (int t = 0; t < trials; ++t) {
      const Eigen::Index id = draw_proportional(n, totals, gen.uniform() * potential, potential_terms);
      fd.centred_row(id, with_candidates.col(1 + t).data());
    }
    set_points(with_candidates);
    score_candidates(true, trials);
    int best = 0;
    double best_potential = std::numeric_limits<double>::infinity();
    for (int t = 0; t < trials; ++t) {
      double s = 0.0;
      for (std::size_t c = 0; c < chunks; ++c) s += partial[c * static_cast<std::size_t>(trials) + static_cast<std::size_t>(t)];
      if (s < best_potential) {
        best_potential = s;
        best = t;
      }
    }
    centres.col(j) = with_candidates.col(1 + best);
    for (std::size_t c = 0; c < chunks; ++c)
      totals[c] = partial[c * static_cast<std::size_t>(trials) + static_cast<std::size_t>(best)];
  }
  return centres;
}

// k distinct rows, centred, d x k. Unweighted: drawn uniformly (Floyd's sampling).
// Weighted: drawn one after another with probability proportional to w_i among the rows
// not drawn yet (as numpy's choice(replace=False, p=w / sum(w)), which scikit-learn
// uses), so rows of weight 0 are never drawn (validation ensures at least k rows have
// positive weight).
template <class T>
Eigen::MatrixXd seed_random_rows(const fit_data<T>& fd, int k, rng& gen) {
  const Eigen::Index n = fd.X.rows();
  std::vector<Eigen::Index> rows;
  if (fd.w) {
    std::vector<double> remaining(fd.w, fd.w + n);
    std::vector<double> totals(static_cast<std::size_t>(chunk_count(n)));
    auto chunk_total = [&](std::size_t c) {
      const auto begin = static_cast<Eigen::Index>(c) * kmeans_chunk_rows;
      const Eigen::Index end = std::min<Eigen::Index>(n, begin + kmeans_chunk_rows);
      return std::accumulate(remaining.begin() + begin, remaining.begin() + end, 0.0);
    };
    for (std::size_t c = 0; c < totals.size(); ++c) totals[c] = chunk_total(c);
    for (int j = 0; j < k; ++j) {
      const double sum = std::accumulate(totals.begin(), totals.end(), 0.0);
      const Eigen::Index pick = draw_proportional(
          n, totals, gen.uniform() * sum,
          [&](Eigen::Index b, Eigen::Index e, double* v) { std::copy(remaining.begin() + b, remaining.begin() + e, v); });
      rows.push_back(pick);
      remaining[static_cast<std::size_t>(pick)] = 0.0;
      const auto c = static_cast<std::size_t>(pick / kmeans_chunk_rows);
      totals[c] = chunk_total(c);
    }
  } else {
    const auto un = static_cast<std::uint64_t>(n);
    for (std::uint64_t top = un - static_cast<std::uint64_t>(k); top < un; ++top) {
      const auto pick = static_cast<Eigen::Index>(gen.uniform_index(top + 1));
      const bool taken = std::find(rows.begin(), rows.end(), pick) != rows.end();
      rows.push_back(taken ? static_cast<Eigen::Index>(top) : pick);
    }
  }
  Eigen::MatrixXd centres(fd.X.cols(), k);
  for (int j = 0; j < k; ++j) fd.centred_row(rows[static_cast<std::size_t>(j)], centres.col(j).data());
  return centres;
}

// Hamerly (2010) bounds: upper[i] >= ||x_i - c_{label_i}||, lower[i] <= distance to
// every other centre.
struct hamerly_bounds {
  std::vector<double> upper, lower;
};

// One Hamerly assignment pass with the cluster sums. shift[j] is how far centre j
// moved in the last update (empty on the first pass, when every row is scanned).
template <class T>
std::vector<chunk_sums> hamerly_pass(const fit_data<T>& fd, const Eigen::MatrixXd& centred,
                                     const Eigen::VectorXd& shift, hamerly_bounds& hb,
                                     kmeans_labels& labels) {
  const Eigen::Index n = fd.X.rows(), d = fd.X.cols(), k = centred.cols();
  const bool first = shift.size() == 0;
  // Half the distance from each centre to its nearest other centre: a row closer than
  // that to its own centre cannot be nearer to any other.
  Eigen::VectorXd half_gap = Eigen::VectorXd::Constant(k, std::numeric_limits<double>::infinity());
  for (Eigen::Index a = 0; a < k; ++a)
    for (Eigen::Index b = 0; b < k; ++b)
      if (a != b) half_gap(a) = std::min(half_gap(a), 0.5 * (centred.col(a) - centred.col(b)).norm());
  // Largest shift of any centre other than j, to lower the lower bounds.
  Eigen::VectorXd other_shift = Eigen::VectorXd::Zero(k);
  if (!first)
    for (Eigen::Index a = 0; a < k; ++a)
      for (Eigen::Index b = 0; b < k; ++b)
        if (a != b) other_shift(a) = std::max(other_shift(a), shift(b));

  std::vector<chunk_sums> parts(static_cast<std::size_t>(chunk_count(n)));
  for_each_chunk(n, fd.threads, [&](std::ptrdiff_t chunk, std::ptrdiff_t begin, std::ptrdiff_t end) {
    chunk_sums out;
    out.sums = Eigen::MatrixXd::Zero(d, k);
    out.weights = Eigen::VectorXd::Zero(k);
    Eigen::VectorXd x(d);
    for (std::ptrdiff_t i = begin; i < end; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      fd.centred_row(i, x.data());
      int a = labels(i);
      bool scan = first;
      if (!first) {
        hb.upper[ui] += shift(a);
        hb.lower[ui] -= other_shift(a);
        const double bound = std::max(half_gap(a), hb.lower[ui]);
        if (hb.upper[ui] > bound) {
          hb.upper[ui] = (x - centred.col(a)).norm();
          scan = hb.upper[ui] > bound;
        }
      }
      if (scan) {
        double best = std::numeric_limits<double>::infinity(), second = best;
        int best_j = 0;
        for (Eigen::Index j = 0; j < k; ++j) {
          const double dist = (x - centred.col(j)).squaredNorm();
          if (dist < best) {
            second = best;
            best = dist;
            best_j = static_cast<int>(j);
          } else if (dist < second) {
            second = dist;
          }
        }
        hb.upper[ui] = std::sqrt(best);
        hb.lower[ui] = std::sqrt(second);
        if (best_j != a) ++out.changed;
        a = best_j;
        labels(i) = a;
      }
      const double wi = fd.weight(i);
      out.sums.col(a) += wi * x;
      out.weights(a) += wi;
    }
    parts[static_cast<std::size_t>(chunk)] = std::move(out);
  });
  return parts;
}

// Gives every empty cluster the row farthest from its own (previous) centre, as
// scikit-learn's _relocate_empty_clusters: the row's weighted coordinates move from its
// cluster's sums to the empty cluster's. Rows on their centre, rows alone in their
// cluster and zero-weight rows are never taken.
template <class T>
void relocate_empty_clusters(const fit_data<T>& fd, const Eigen::MatrixXd& previous,
                             const kmeans_labels& labels, chunk_sums& total) {
  std::vector<Eigen::Index> empty;
  for (Eigen::Index j = 0; j < total.weights.size(); ++j)
    if (total.weights(j) == 0.0) empty.push_back(j);
  if (empty.empty()) return;
  const Eigen::Index n = fd.X.rows();
  std::vector<double> dist(static_cast<std::size_t>(n));
  for_each_chunk(n, fd.threads, [&](std::ptrdiff_t, std::ptrdiff_t b, std::ptrdiff_t e) {
    for (std::ptrdiff_t i = b; i < e; ++i)
      dist[static_cast<std::size_t>(i)] = squared_distance(fd.X, fd.mean, i, previous.col(labels(i)).data());
  });
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    const double da = dist[static_cast<std::size_t>(a)], db = dist[static_cast<std::size_t>(b)];
    return da > db || (da == db && a < b);
  });
  Eigen::VectorXd x(fd.X.cols());
  std::size_t next = 0;
  for (Eigen::Index j : empty) {
    for (; next < order.size(); ++next) {
      const Eigen::Index i = order[next];
      const double wi = fd.weight(i);
      const int from = labels(i);
      if (dist[static_cast<std::size_t>(i)] <= 0.0) return;  // the rest sit on their centres
      if (wi <= 0.0 || total.weights(from) <= wi) continue;
      fd.centred_row(i, x.data());
      total.sums.col(from) -= wi * x;
      total.weights(from) -= wi;
      total.sums.col(j) = wi * x;
      total.weights(j) = wi;
      ++next;
      break;
    }
  }
}

struct kmeans_run {
  Eigen::MatrixXd centred;  // d x k
  kmeans_labels labels;
  double inertia = 0.0;
  int iterations = 0;
  bool converged = false;
};

// Lloyd or Hamerly iterations from the given centred centres, with scikit-learn's
// stopping rules (_kmeans_single_lloyd): strict convergence when no label changes,
// otherwise when the total squared centre shift is <= tol_scaled; a final assignment
// makes the labels match the returned centres.
template <class T>
kmeans_run iterate(const fit_data<T>& fd, Eigen::MatrixXd centred, const kmeans_options& o,
                   double tol_scaled) {
  const Eigen::Index n = fd.X.rows(), d = fd.X.cols(), k = centred.cols();
  kmeans_run run;
  run.labels = kmeans_labels::Constant(n, -1);
  hamerly_bounds hb;
  if (o.algorithm == kmeans_algorithm::hamerly) {
    hb.upper.assign(static_cast<std::size_t>(n), 0.0);
    hb.lower.assign(static_cast<std::size_t>(n), 0.0);
  }
  Eigen::VectorXd shift;  // per-centre movement of the last update (Hamerly)
  bool strict = false, within_tol = false;
  int it = 0;
  std::vector<chunk_sums> parts;
  for (; it < o.max_iter; ++it) {
    if (o.algorithm == kmeans_algorithm::lloyd)
      assign_rows<T>(fd.X, fd.mean, fd.w, prepare_scores<T>(centred, fd.scoring), fd.threads, run.labels, &parts);
    else
      parts = hamerly_pass(fd, centred, shift, hb, run.labels);
    chunk_sums total = reduce_chunks(parts, d, k);
    relocate_empty_clusters(fd, centred, run.labels, total);
    Eigen::MatrixXd updated = centred;
    for (Eigen::Index j = 0; j < k; ++j)
      if (total.weights(j) > 0.0) updated.col(j) = total.sums.col(j) / total.weights(j);
    shift = (updated - centred).colwise().norm().transpose();
    centred = std::move(updated);
    if (total.changed == 0) {
      strict = true;
      break;
    }
    if (shift.squaredNorm() <= tol_scaled) {
      within_tol = true;
      break;
    }
  }
  run.iterations = std::min(it + 1, o.max_iter);
  run.converged = strict || within_tol;
  if (!strict)
    assign_rows<T>(fd.X, fd.mean, fd.w, prepare_scores<T>(centred, fd.scoring), fd.threads, run.labels, nullptr);
  run.inertia = weighted_inertia(fd.X, fd.mean, fd.w, centred, run.labels, fd.threads);
  run.centred = std::move(centred);
  return run;
}

// scikit-learn's _tolerance: tol times the mean of the (unweighted, population)
// column variances, by two passes around the column means already computed.
template <class T>
double scaled_tolerance(const fit_data<T>& fd, double tol) {
  if (tol == 0.0) return 0.0;
  double variance_sum = 0.0;
  for (Eigen::Index f = 0; f < fd.X.cols(); ++f)
    variance_sum += (fd.X.col(f).template cast<double>().array() - fd.mean(f)).square().sum() /
                    static_cast<double>(fd.X.rows());
  return tol * variance_sum / static_cast<double>(fd.X.cols());
}

template <class T>
Eigen::MatrixXd initial_centres(const fit_data<T>& fd, const kmeans_options& o, rng& gen) {
  switch (o.init) {
    case kmeans_init::random_rows:
      return seed_random_rows(fd, o.k, gen);
    case kmeans_init::given_centers:
      return (o.initial_centers.template cast<T>().template cast<double>().transpose().colwise() -
              fd.mean);
    case kmeans_init::k_means_plus_plus:
    default:
      return seed_plus_plus(fd, o.k, gen);
  }
}

template <class T>
kmeans_model<T> kmeans_fit_impl(const kmeans_data<T>& X, const double* w, Eigen::Index w_size,
                                const kmeans_options& o) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "patron::kmeans_fit: data must be float or double");
  validate_fit_input("kmeans_fit", X, w, w_size, o);
  const fit_data<T> fd = make_fit_data(X, w, o.threads);
  const double tol_scaled = scaled_tolerance(fd, o.tol);
  const int restarts = o.init == kmeans_init::given_centers ? 1 : o.n_init;
  kmeans_run best;
  int best_restart = -1;
  for (int r = 0; r < restarts; ++r) {
    rng gen(o.seed, static_cast<std::uint64_t>(r));
    kmeans_run run = iterate(fd, initial_centres(fd, o, gen), o, tol_scaled);
    if (best_restart < 0 || run.inertia < best.inertia) {
      best = std::move(run);
      best_restart = r;
    }
  }
  kmeans_model<T> m;
  m.centers = (best.centred.colwise() + fd.mean).transpose().template cast<T>();
  m.labels = std::move(best.labels);
  m.inertia = best.inertia;
  m.iterations = best.iterations;
  m.converged = best.converged;
  m.best_restart = best_restart;
  std::vector<char> used(static_cast<std::size_t>(o.k), 0);
  for (Eigen::Index i = 0; i < m.labels.size(); ++i) used[static_cast<std::size_t>(m.labels(i))] = 1;
  m.distinct_clusters = static_cast<int>(std::count(used.begin(), used.end(), 1));
  return m;
}

template <class T>
kmeans_matrix<T> kmeans_plus_plus_public(const kmeans_data<T>& X, int k, std::uint64_t seed,
                                         unsigned threads) {
  kmeans_options o;
  o.k = k;
  validate_fit_input("kmeans_plus_plus", X, nullptr, 0, o);
  const fit_data<T> fd = make_fit_data(X, nullptr, threads);
  rng gen(seed, 0);
  return (seed_plus_plus(fd, k, gen).colwise() + fd.mean).transpose().template cast<T>();
}

// One mini-batch update (see minibatch_kmeans in patron/kmeans.hpp).
template <class T>
void minibatch_step(const kmeans_data<T>& batch, const double* w, Eigen::Index w_size,
                    const kmeans_options& o, kmeans_matrix<T>& centres, Eigen::VectorXd& counts,
                    std::int64_t& batches, double& last_inertia) {
  const char* fn = "minibatch_kmeans::partial_fit";
  if (centres.size() == 0) {
    validate_fit_input(fn, batch, w, w_size, o);
    const fit_data<T> fd = make_fit_data(batch, w, o.threads);
    rng gen(o.seed, 0);
    centres = (initial_centres(fd, o, gen).colwise() + fd.mean).transpose().template cast<T>();
    counts = Eigen::VectorXd::Zero(o.k);
  } else {
    require_non_empty(fn, "batch", static_cast<std::size_t>(batch.rows()));
    require(batch.cols() == centres.cols(), fn, "batch.cols()", batch.cols(),
            "must equal the number of columns of the first batch");
    const column_ranges batch_range = require_finite_ranges(fn, "batch", batch);
    double total = static_cast<double>(batch.rows());
    if (w) {
      require_same_length(fn, "sample_weight", static_cast<std::size_t>(w_size), "batch (rows)",
                          static_cast<std::size_t>(batch.rows()));
      require_each(fn, "sample_weight", w, static_cast<std::size_t>(w_size), is_finite_non_negative{},
                 "must be finite and non-negative");
      total = Eigen::Map<const Eigen::VectorXd>(w, w_size).sum();  // validation only, as above
      require(std::isfinite(total), fn, "sum(sample_weight)", total, "must be finite");
    }
    // The new rows against the current centres, and the centres' absorbed weight.
    require_distances_in_range<T>(fn, "batch", batch, batch_range, "centres", centres,
                                  total + counts.sum());
  }
  const fit_data<T> fd = make_fit_data(batch, w, o.threads);
  const Eigen::MatrixXd centred = centres.template cast<double>().transpose().colwise() - fd.mean;
  kmeans_labels labels = kmeans_labels::Constant(batch.rows(), -1);
  std::vector<chunk_sums> parts;
  assign_rows<T>(batch, fd.mean, w, prepare_scores<T>(centred), o.threads, labels, &parts);
  const chunk_sums total = reduce_chunks(parts, batch.cols(), o.k);
  last_inertia = weighted_inertia(batch, fd.mean, w, centred, labels, o.threads);
  Eigen::MatrixXd updated = centred;
  for (Eigen::Index j = 0; j < o.k; ++j) {
    if (total.weights(j) <= 0.0) continue;
    updated.col(j) = (counts(j) * centred.col(j) + total.sums.col(j)) / (counts(j) + total.weights(j));
    counts(j) += total.weights(j);
  }
  centres = (updated.colwise() + fd.mean).transpose().template cast<T>();
  ++batches;
}

}  // namespace patron::detail
