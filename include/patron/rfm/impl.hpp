// Implementation of patron/rfm.hpp.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "patron/core/validate.hpp"
#include "patron/rfm/quantiles.hpp"
#include "patron/transactions.hpp"

namespace patron::detail {

// --- RFM table -----------------------------------------------------------------------

inline void validate_rfm_options(const char* function, const rfm_options& options) {
  require_positive_scalar(function, "options.time_unit", options.time_unit);
  require_positive_scalar(function, "options.period_length", options.period_length);
  if (options.as_of) require_finite_scalar(function, "options.as_of", *options.as_of);
  require(options.threads >= 1, function, "options.threads", options.threads, "must be at least 1");
}

// The analysis date: options.as_of, checked against the latest transaction, or the
// latest transaction itself.
inline double resolve_as_of(const char* function, const rfm_options& options, double latest,
                            std::size_t latest_record) {
  validate_rfm_options(function, options);
  if (!options.as_of) return latest;
  if (*options.as_of < latest)
    throw_invalid(function, "options.as_of (" + format_value(*options.as_of) +
                                ") precedes times[" + std::to_string(latest_record) + "] (" +
                                format_value(latest) + ")");
  return *options.as_of;
}

inline summary_options summary_options_for(const rfm_options& options, double as_of) {
  summary_options s;
  s.period_length = options.period_length;
  s.observation_end = as_of;
  return s;
}

template <class Id>
rfm_table<Id> rfm_from_summary(customer_summary<Id>&& s, const rfm_options& options,
                               double as_of) {
  rfm_table<Id> t;
  t.customer = std::move(s.customer);
  t.as_of = as_of;
  t.recency = (as_of - s.last_purchase.array()) / options.time_unit;
  t.frequency = options.frequency == frequency_measure::transactions
                    ? s.transactions.template cast<double>()
                    : s.purchase_periods.template cast<double>();
  t.revenue = std::move(s.total_spend);
  if (options.monetary == monetary_measure::total) t.monetary = t.revenue;
  else t.monetary = t.revenue.array() / t.frequency.array();
  return t;
}

// One customer's running RFM aggregates; all zero before the first row.
struct rfm_cell {
  std::uint64_t last_key;
  std::uint64_t transactions;
  window_summer::sum spend;
};

using rfm_cells = random_access_buffer<rfm_cell>;

inline void add_to_cell(rfm_cell& c, double time, double amount, const window_summer& summer) {
  const std::uint64_t key = time_key(time);
  c.last_key = key > c.last_key ? key : c.last_key;
  ++c.transactions;
  summer.add(c.spend, amount);
}

inline void merge_cells(rfm_cell& c, const rfm_cell& other) {
  c.last_key = other.last_key > c.last_key ? other.last_key : c.last_key;
  c.transactions += other.transactions;
  window_summer::merge(c.spend, other.spend);
}

// Cells of `size` customers from the rows, slot_of(i) naming row i's cell. With several
// threads each takes a contiguous part of the rows into a table of its own, and the
// tables are merged afterwards: maxima, counts and exact integer sums, so the cells are
// the same bit for bit whatever the number of threads.
template <class SlotOf>
rfm_cells accumulate_cells(std::size_t size, std::size_t n, const SlotOf& slot_of,
                           const double* times, const double* amounts,
                           const window_summer& summer, std::size_t threads) {
  // A thread's own table costs `size` cells to clear and merge: give each at least
  // min_rows_per_thread rows.
  constexpr std::size_t min_rows_per_thread = 1024;
  threads = std::max<std::size_t>(1, std::min(threads, n / min_rows_per_thread));
  std::vector<rfm_cells> part(threads);
  std::vector<std::exception_ptr> failure(threads);
  const auto work = [&](std::size_t k) {
    try {
      part[k] = allocate_buffer<rfm_cell>(size, true);
      rfm_cell* cells = part[k].get();
      const std::size_t begin = n / threads * k + std::min(k, n % threads);
      const std::size_t end = begin + n / threads + (k < n % threads ? 1 : 0);
      const std::size_t ahead = end - begin > prefetch_distance ? end - prefetch_distance : begin;
      for (std::size_t i = begin; i < ahead; ++i) {
        prefetch_for_write(cells + slot_of(i + prefetch_distance));
        add_to_cell(cells[slot_of(i)], times[i], amounts[i], summer);
      }
      for (std::size_t i = ahead; i < end; ++i)
        add_to_cell(cells[slot_of(i)], times[i], amounts[i], summer);
    } catch (...) {
      failure[k] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t k = 1; k < threads; ++k) pool.emplace_back(work, k);
  work(0);
  for (auto& thread : pool) thread.join();
  for (const auto& f : failure)
    if (f) std::rethrow_exception(f);
  for (std::size_t k = 1; k < threads; ++k)
    for (std::size_t c = 0; c < size; ++c) merge_cells(part[0][c], part[k][c]);
  return std::move(part[0]);
}

template <class Id>
void resize_table(rfm_table<Id>& t, std::size_t m) {
  const auto n = static_cast<Eigen::Index>(m);
  t.customer.resize(m);
  for (auto* v : {&t.recency, &t.frequency, &t.monetary, &t.revenue}) v->resize(n);
}

template <class Id>
void fill_row(rfm_table<Id>& t, Eigen::Index row, const rfm_cell& c, const window_summer& summer,
              const rfm_options& options, double as_of) {
  // The same expressions as rfm_from_summary, so that both paths agree bit for bit.
  t.recency(row) = (as_of - time_of_key(c.last_key)) / options.time_unit;
  t.frequency(row) = static_cast<double>(c.transactions);
  t.revenue(row) = summer.value(c.spend);
  t.monetary(row) = options.monetary == monetary_measure::total ? t.revenue(row)
                                                                  : t.revenue(row) / t.frequency(row);
}

// The RFM table in one pass over the rows, without grouping them: last time, count and
// exact spend per customer (frequency_measure::transactions, amounts that fit the
// window summer). Customers are cells of a table indexed by id - lowest id when the
// integer ids span at most about half the row count, else by dense_customer_index.
template <class Id>
rfm_table<Id> rfm_one_pass(const Id* ids, std::size_t n, const double* times,
                           const double* amounts, const column_scan<Id>& scan,
                           const window_summer& summer, const rfm_options& options, double as_of) {
  rfm_table<Id> t;
  t.as_of = as_of;
  if constexpr (std::is_integral_v<Id>) {
    const Id low = scan.low_id;
    if (const std::size_t span = direct_span(low, scan.high_id, n / 2 + 1024)) {
      const auto slot_of = [ids, low](std::size_t i) {
        return static_cast<std::size_t>(ids[i] - low);
      };
      const rfm_cells cells =
          accumulate_cells(span, n, slot_of, times, amounts, summer, options.threads);
      std::size_t m = 0;
      for (std::size_t v = 0; v < span; ++v) m += cells[v].transactions != 0;
      resize_table(t, m);
      Eigen::Index row = 0;
      for (std::size_t v = 0; v < span; ++v) {
        if (cells[v].transactions == 0) continue;
        t.customer[static_cast<std::size_t>(row)] = static_cast<Id>(low + static_cast<Id>(v));
        fill_row(t, row++, cells[v], summer, options, as_of);
      }
      return t;
    }
  }
  std::vector<std::uint32_t> index;
  t.customer = dense_customer_index(ids, n, scan, index);
  const std::size_t m = t.customer.size();
  const auto slot_of = [&index](std::size_t i) { return std::size_t{index[i]}; };
  const rfm_cells cells = accumulate_cells(m, n, slot_of, times, amounts, summer, options.threads);
  resize_table(t, m);
  for (std::size_t c = 0; c < m; ++c)
    fill_row(t, static_cast<Eigen::Index>(c), cells[c], summer, options, as_of);
  return t;
}

template <class Id>
rfm_table<Id> rfm_from_log(const char* function, const Id* ids, std::size_t n_ids,
                           const double* times, std::size_t n_times, const double* amounts,
                           std::size_t n_amounts, const rfm_options& options) {
  const auto scan = scan_columns(function, ids, n_ids, times, n_times, amounts, n_amounts);
  const double as_of = resolve_as_of(function, options, scan.latest, scan.latest_index);
  require_row_limit(function, n_ids);
  if (options.frequency == frequency_measure::transactions && scan.amounts.fit_window(n_ids))
    return rfm_one_pass(ids, n_ids, times, amounts, scan, window_for(scan.amounts), options,
                        as_of);
  // Distinct purchase periods need each customer's rows together: the grouped summary.
  return rfm_from_summary(summarize_scanned(function, ids, n_ids, times, amounts, scan,
                                            summary_options_for(options, as_of)),
                          options, as_of);
}

template <class Id>
rfm_table<Id> rfm_from_columns(const std::vector<Id>& customers,
                               const Eigen::Ref<const Eigen::VectorXd>& recency,
                               const Eigen::Ref<const Eigen::VectorXd>& frequency,
                               const Eigen::Ref<const Eigen::VectorXd>& monetary,
                               monetary_measure measure) {
  constexpr const char* function = "rfm_from_customers";
  const auto n = customers.size();
  require_non_empty(function, "customers", n);
  require_same_length(function, "customers", n, "recency", static_cast<std::size_t>(recency.size()));
  require_same_length(function, "customers", n, "frequency", static_cast<std::size_t>(frequency.size()));
  require_same_length(function, "customers", n, "monetary", static_cast<std::size_t>(monetary.size()));
  require_non_negative(function, "recency", recency);
  require_positive(function, "frequency", frequency);
  require_non_negative(function, "monetary", monetary);

  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return customers[a] < customers[b]; });
  for (std::size_t k = 1; k < n; ++k)
    if (!(customers[order[k - 1]] < customers[order[k]]))
      throw_invalid_element(function, "customers", order[k], customers[order[k]],
                            "repeats customers[" + std::to_string(order[k - 1]) + "]");

  rfm_table<Id> t;
  t.customer = customers;
  t.recency = recency;
  t.frequency = frequency;
  t.monetary = monetary;
  if (measure == monetary_measure::total) t.revenue = monetary;
  else t.revenue = monetary.array() * frequency.array();
  return t;
}

// --- scores --------------------------------------------------------------------------

// Cut points at p_j from a sketch: estimates of the order statistics x_(floor((n-1) p_j)).
inline std::vector<double> sketch_cuts(const quantile_sketch& sketch, int bins) {
  std::vector<double> cuts;
  for (int j = 1; j < bins; ++j) cuts.push_back(sketch.quantile(cut_probability(j, bins)));
  return cuts;
}

inline dimension_scores score_dimension(const char* function, const std::string& name,
                                        const Eigen::Ref<const Eigen::VectorXd>& values,
                                        const binning& b, const score_options& options,
                                        bool reversed) {
  const std::string option = "options." + name;
  require_in_range(function, (option + ".bins").c_str(), b.bins, rfm_min_bins, rfm_max_bins);
  const auto n = static_cast<std::size_t>(values.size());
  require_non_empty(function, name.c_str(), n);
  require_finite(function, name.c_str(), values);

  dimension_scores d;
  d.bins = b.bins;
  if (b.breakpoints.empty() && b.sketch) {
    require(b.sketch->count() > 0, function, (option + ".sketch.count()").c_str(),
            b.sketch->count(), "must be positive: the sketch is empty");
    d.breakpoints = sketch_cuts(*b.sketch, b.bins);
  } else if (b.breakpoints.empty() && options.method == breakpoint_method::sketch_quantiles) {
    quantile_sketch sketch(options.sketch_relative_accuracy);
    for (Eigen::Index i = 0; i < values.size(); ++i) sketch.add(values(i));
    d.breakpoints = sketch_cuts(sketch, b.bins);
  } else if (b.breakpoints.empty()) {
    d.breakpoints = quantile_cuts(values.data(), n, b.bins);
  } else {
    const std::string arg = option + ".breakpoints";
    require_same_length(function, arg.c_str(), b.breakpoints.size(), (option + ".bins - 1").c_str(),
                        static_cast<std::size_t>(b.bins - 1));
    require_finite(function, arg.c_str(), b.breakpoints);
    for (std::size_t j = 1; j < b.breakpoints.size(); ++j)
      if (!(b.breakpoints[j] > b.breakpoints[j - 1]))
        throw_invalid_element(function, arg, j, b.breakpoints[j],
                              "must be greater than the breakpoint before it (" +
                                  format_value(b.breakpoints[j - 1]) + ")");
    d.breakpoints = b.breakpoints;
  }

  d.score.resize(values.size());
  bins_of(values, d.breakpoints, d.score);
  if (reversed) d.score = (b.bins + 1) - d.score.array();
  d.customers_per_score.assign(static_cast<std::size_t>(b.bins), 0);
  for (Eigen::Index i = 0; i < values.size(); ++i)
    ++d.customers_per_score[static_cast<std::size_t>(d.score(i) - 1)];
  for (int s = 1; s <= b.bins; ++s)
    if (d.customers_per_score[static_cast<std::size_t>(s - 1)] == 0) d.collapsed_bins.push_back(s);
  return d;
}

inline rfm_scores score_columns(const Eigen::Ref<const Eigen::VectorXd>& recency,
                                const Eigen::Ref<const Eigen::VectorXd>& frequency,
                                const Eigen::Ref<const Eigen::VectorXd>& monetary,
                                const score_options& options) {
  constexpr const char* function = "score_rfm";
  require_finite_scalar(function, "options.recency_weight", options.recency_weight);
  require_finite_scalar(function, "options.frequency_weight", options.frequency_weight);
  require_finite_scalar(function, "options.monetary_weight", options.monetary_weight);
  if (options.method == breakpoint_method::sketch_quantiles)
    require_probability_open(function, "options.sketch_relative_accuracy",
                             options.sketch_relative_accuracy);
  const auto n = static_cast<std::size_t>(recency.size());
  require_same_length(function, "recency", n, "frequency", static_cast<std::size_t>(frequency.size()));
  require_same_length(function, "recency", n, "monetary", static_cast<std::size_t>(monetary.size()));

  rfm_scores s;
  s.recency = score_dimension(function, "recency", recency, options.recency, options, true);
  s.frequency = score_dimension(function, "frequency", frequency, options.frequency, options, false);
  s.monetary = score_dimension(function, "monetary", monetary, options.monetary, options, false);
  s.code = 100 * s.recency.score.array() + 10 * s.frequency.score.array() + s.monetary.score.array();
  s.total = options.recency_weight * s.recency.score.cast<double>().array() +
            options.frequency_weight * s.frequency.score.cast<double>().array() +
            options.monetary_weight * s.monetary.score.cast<double>().array();
  return s;
}

// --- segments ------------------------------------------------------------------------

// Segment index of every (R, F, M) score cell, rows evaluated first match wins;
// rules.size() stands for "Others".
struct segment_lookup {
  int recency_bins, frequency_bins, monetary_bins;
  std::vector<int> cell;

  [[nodiscard]] std::size_t index(int r, int f, int m) const {
    return static_cast<std::size_t>(((r - 1) * frequency_bins + (f - 1)) * monetary_bins + (m - 1));
  }
};

inline segment_lookup build_lookup(const char* function, const segment_table& table,
                                   int recency_bins, int frequency_bins, int monetary_bins) {
  require_in_range(function, "recency bins", recency_bins, rfm_min_bins, rfm_max_bins);
  require_in_range(function, "frequency bins", frequency_bins, rfm_min_bins, rfm_max_bins);
  require_in_range(function, "monetary bins", monetary_bins, rfm_min_bins, rfm_max_bins);
  const auto others = static_cast<int>(table.rules.size());
  segment_lookup lookup{recency_bins, frequency_bins, monetary_bins,
                        std::vector<int>(static_cast<std::size_t>(recency_bins * frequency_bins * monetary_bins), others)};
  for (std::size_t k = 0; k < table.rules.size(); ++k) {
    const segment_rule& rule = table.rules[k];
    const std::string row = "table.rules[" + std::to_string(k) + "]";
    const std::string segment = " (segment \"" + rule.name + "\")";
    const auto check = [&](const char* field, const score_range& range, int bins) {
      const std::string what = "must be in [1, " + std::to_string(bins) + "]" + segment;
      require(range.low >= 1 && range.low <= bins, function, (row + "." + field + ".low").c_str(),
              range.low, what.c_str());
      const std::string high_what = "must be in [" + std::to_string(range.low) + ", " +
                                    std::to_string(bins) + "]" + segment;
      require(range.high >= range.low && range.high <= bins, function,
              (row + "." + field + ".high").c_str(), range.high, high_what.c_str());
    };
    check("recency", rule.recency, recency_bins);
    check("frequency", rule.frequency, frequency_bins);
    check("monetary", rule.monetary, monetary_bins);
    for (int r = rule.recency.low; r <= rule.recency.high; ++r)
      for (int f = rule.frequency.low; f <= rule.frequency.high; ++f)
        for (int m = rule.monetary.low; m <= rule.monetary.high; ++m) {
          int& c = lookup.cell[lookup.index(r, f, m)];
          if (c == others) c = static_cast<int>(k);
        }
  }
  return lookup;
}

// rfm_scores is a plain value type a caller may build or edit: check it before indexing.
inline void validate_scores(const char* function, const rfm_scores& scores) {
  const auto n = static_cast<std::size_t>(scores.recency.score.size());
  require_same_length(function, "scores.recency.score", n, "scores.frequency.score",
                      static_cast<std::size_t>(scores.frequency.score.size()));
  require_same_length(function, "scores.recency.score", n, "scores.monetary.score",
                      static_cast<std::size_t>(scores.monetary.score.size()));
  for (const auto& [name, d] : {std::pair{"scores.recency.score", &scores.recency},
                                std::pair{"scores.frequency.score", &scores.frequency},
                                std::pair{"scores.monetary.score", &scores.monetary}}) {
    const std::string what = "must be in [1, " + std::to_string(d->bins) + "]";
    const int bins = d->bins;
    require_each(function, name, d->score, [bins](int v) { return v >= 1 && v <= bins; },
                 what.c_str());
  }
}

inline segment_assignment assign(const rfm_scores& scores, const segment_table& table) {
  constexpr const char* function = "assign_segments";
  const segment_lookup lookup = build_lookup(function, table, scores.recency.bins,
                                             scores.frequency.bins, scores.monetary.bins);
  validate_scores(function, scores);
  segment_assignment a;
  for (const auto& rule : table.rules) a.names.push_back(rule.name);
  a.names.emplace_back("Others");
  a.segment.resize(scores.recency.score.size());
  for (Eigen::Index i = 0; i < a.segment.size(); ++i)
    a.segment(i) = lookup.cell[lookup.index(scores.recency.score(i), scores.frequency.score(i),
                                            scores.monetary.score(i))];
  return a;
}

inline segment_table_report check_table(const segment_table& table, int recency_bins,
                                        int frequency_bins, int monetary_bins) {
  const segment_lookup lookup = build_lookup("check_segment_table", table, recency_bins,
                                             frequency_bins, monetary_bins);
  segment_table_report report;
  report.cells_matched.assign(table.rules.size(), 0);
  for (int r = 1; r <= recency_bins; ++r)
    for (int f = 1; f <= frequency_bins; ++f)
      for (int m = 1; m <= monetary_bins; ++m) {
        const auto c = static_cast<std::size_t>(lookup.cell[lookup.index(r, f, m)]);
        if (c == table.rules.size()) report.gaps.push_back({r, f, m});
        else ++report.cells_matched[c];
      }
  // A row's ranges are never empty, so a row that wins no cell is covered entirely by
  // the rows before it.
  for (std::size_t k = 0; k < table.rules.size(); ++k)
    if (report.cells_matched[k] == 0) report.shadowed.push_back(k);
  return report;
}

inline std::vector<segment_summary_row> summarize_segment_rows(
    const Eigen::VectorXd& frequency, const Eigen::VectorXd& recency,
    const Eigen::VectorXd& monetary, const Eigen::VectorXd& revenue, const rfm_scores& scores,
    const segment_assignment& segments) {
  constexpr const char* function = "summarize_segments";
  const auto n = static_cast<std::size_t>(recency.size());
  validate_scores(function, scores);
  require_same_length(function, "table.recency", n, "table.frequency",
                      static_cast<std::size_t>(frequency.size()));
  require_same_length(function, "table.recency", n, "table.monetary",
                      static_cast<std::size_t>(monetary.size()));
  require_same_length(function, "table.recency", n, "table.revenue",
                      static_cast<std::size_t>(revenue.size()));
  require_same_length(function, "table.recency", n, "scores.recency.score",
                      static_cast<std::size_t>(scores.recency.score.size()));
  require_same_length(function, "table.recency", n, "segments.segment",
                      static_cast<std::size_t>(segments.segment.size()));
  for (Eigen::Index i = 0; i < segments.segment.size(); ++i)
    if (segments.segment(i) < 0 ||
        static_cast<std::size_t>(segments.segment(i)) >= segments.names.size())
      throw_invalid_element(function, "segments.segment", static_cast<std::size_t>(i),
                            segments.segment(i), "is not an index into segments.names");

  std::vector<segment_summary_row> rows(segments.names.size());
  for (Eigen::Index i = 0; i < recency.size(); ++i) {
    auto& row = rows[static_cast<std::size_t>(segments.segment(i))];
    ++row.customers;
    row.orders += frequency(i);
    row.revenue += revenue(i);
    row.mean_recency += recency(i);
    row.mean_frequency += frequency(i);
    row.mean_monetary += monetary(i);
    row.mean_recency_score += scores.recency.score(i);
    row.mean_frequency_score += scores.frequency.score(i);
    row.mean_monetary_score += scores.monetary.score(i);
  }
  std::vector<segment_summary_row> out;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    auto row = rows[k];
    if (row.customers == 0) continue;
    const auto c = static_cast<double>(row.customers);
    row.segment = segments.names[k];
    row.share = c / static_cast<double>(n);
    row.average_order_value = row.orders > 0.0 ? row.revenue / row.orders : 0.0;
    for (double* mean : {&row.mean_recency, &row.mean_frequency, &row.mean_monetary,
                         &row.mean_recency_score, &row.mean_frequency_score,
                         &row.mean_monetary_score})
      *mean /= c;
    out.push_back(row);
  }
  return out;
}

}  // namespace patron::detail
