// RFM: recency, frequency and monetary value per customer, quantile scores and named
// segments (Hughes 1994, "Strategic Database Marketing"; the scoring of the R package
// `rfm` and of pandas groupby + qcut). Rows are customers.
//
//   patron::rfm_options o;
//   o.as_of = day_of_analysis;                                 // recency = as_of - last
//   auto table  = patron::rfm_from_transactions(ids, days, amounts, o);
//   auto scores = patron::score_rfm(table);                    // 5 quantile bins each
//   auto seg    = patron::assign_segments(scores, patron::r_rfm_0_3_0_segments());
//   auto report = patron::summarize_segments(table, scores, seg);
//
// Definitions (docs/rfm.md):
// - recency   = (as_of - last purchase) / time_unit, days by default;
// - frequency = transactions (rows), or distinct purchase days (periods);
// - monetary  = total spend, or total spend / frequency;
// - revenue   = total spend (the segment summary's revenue whatever `monetary` is).
//
// Scores. With cut points c_1 <= ... <= c_{b-1}, a value x gets bin 1 + #{j : c_j < x}:
// right-closed bins (c_{k-1}, c_k] exactly as pandas.qcut / pandas.cut. Quantile cut
// points are c_j = Q(j / b), Q the linear-interpolation sample quantile (numpy
// "linear", Hyndman & Fan type 7), so on data without ties the scores equal
// pandas.qcut(x, b, labels=False) + 1. Recency is reversed: score = b + 1 - bin, the most
// recent customers score highest.
// Tie policy: a score is a function of the value alone, so equal values always get
// equal scores, whatever their order (pandas.qcut(x.rank(method="first")), the PyPI
// `rfm` recipe, breaks ties by row order; patron does not). When ties make cut points
// coincide, the bins between them receive nobody: they are listed in `collapsed_bins`,
// never silently renumbered or merged (pandas' duplicates="drop" renumbers its bins and
// merges its first two when the lowest edges tie).
// Very large or sharded customer bases: quantile cut points from a mergeable DDSketch
// (patron/rfm/quantile_sketch.hpp), each within relative error a of the order statistic
// x_(floor((n-1) p)) it estimates.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "patron/core/validate.hpp"
#include "patron/rfm/quantile_sketch.hpp"
#include "patron/rfm/segment_tables.hpp"
#include "patron/transactions.hpp"

namespace patron {

enum class frequency_measure {
  transactions,     // rows in the log (R rfm's transaction_count)
  purchase_periods  // distinct purchase periods (days when times are days)
};
enum class monetary_measure {
  total,  // sum of amounts (R rfm's amount)
  mean    // sum of amounts / frequency (average order value)
};

struct rfm_options {
  // Analysis date, in the time unit of the input. Must not precede any transaction.
  // Unset: the latest transaction time.
  std::optional<double> as_of;
  // Divisor turning time differences into recency units (> 0). Default 1 (days when
  // times are days); 7 gives weeks.
  double time_unit = 1.0;
  // Length of a purchase period for frequency_measure::purchase_periods (> 0). Default 1.
  double period_length = 1.0;
  frequency_measure frequency = frequency_measure::transactions;
  monetary_measure monetary = monetary_measure::total;
  // Threads for the pass over the rows of rfm_from_transactions and for filling the
  // table (0 = every hardware thread). Default 1. Any count gives the same table bit for bit (sums are
  // exact, see docs/rfm.md). At most one thread per 1,024 rows is started; used for
  // frequency_measure::transactions, the purchase-period path runs on one thread.
  unsigned threads = 1;
};

// Per-customer RFM values. Rows are customers: ascending id order when built from
// transactions, input order when built from a customer table.
template <class Id>
struct rfm_table {
  std::vector<Id> customer;
  Eigen::VectorXd recency;    // time since the last purchase, in options.time_unit
  Eigen::VectorXd frequency;  // options.frequency
  Eigen::VectorXd monetary;   // options.monetary
  Eigen::VectorXd revenue;    // total spend
  std::optional<double> as_of;  // as used; unset for a customer-level table

  [[nodiscard]] std::size_t size() const { return customer.size(); }
};

// --- scores --------------------------------------------------------------------------

enum class breakpoint_method {
  exact_quantiles,  // sample quantiles of all customers (numpy "linear"); O(n) copy
  sketch_quantiles  // quantiles of a quantile_sketch of the values (relative error)
};

// How one dimension is binned. The cut points come from, in order of precedence:
// `breakpoints`, `sketch`, or the values themselves (score_options::method).
struct binning {
  // Number of bins, 2..10. Default 5 (quintiles).
  int bins = 5;
  // User-supplied cut points (strictly increasing, finite, bins - 1 of them). Empty
  // (default): quantile cut points.
  std::vector<double> breakpoints;
  // Quantile cut points from this sketch, e.g. merged over the shards of a customer
  // base scored shard by shard. Unset (default): from the values.
  std::optional<quantile_sketch> sketch;
};

struct score_options {
  binning recency;
  binning frequency;
  binning monetary;
  breakpoint_method method = breakpoint_method::exact_quantiles;
  // Relative accuracy of the sketch for breakpoint_method::sketch_quantiles, in (0, 1).
  double sketch_relative_accuracy = 0.005;
  // Weights of the total score w_R R + w_F F + w_M M (finite). Default 1, 1, 1.
  double recency_weight = 1.0;
  double frequency_weight = 1.0;
  double monetary_weight = 1.0;
  // Threads sharing each pass over a dimension's values: the brackets of the quantile
  // cut points, the scores and the combined code and total (0 = every hardware thread;
  // one per 65,536 customers at most). Default 1. Any count gives the same scores.
  unsigned threads = 1;
};

struct dimension_scores {
  Eigen::VectorXi score;            // 1..bins per customer (recency reversed)
  int bins = 0;
  std::vector<double> breakpoints;  // cut points used, ascending in the value
  std::vector<std::int64_t> customers_per_score;  // [s - 1] = customers with score s
  std::vector<int> collapsed_bins;  // scores nobody received (ties, or few customers)
};

struct rfm_scores {
  dimension_scores recency, frequency, monetary;
  Eigen::VectorXi code;   // R * 100 + F * 10 + M (a unique key only when every bins <= 9)
  Eigen::VectorXd total;  // weighted total score

  [[nodiscard]] Eigen::Index size() const { return code.size(); }
};

// --- segments ------------------------------------------------------------------------

// Segment of each customer: an index into `names`, which lists the table's segments in
// order followed by "Others" (customers no row covers).
struct segment_assignment {
  std::vector<std::string> names;
  Eigen::VectorXi segment;

  // Bounds-checked (std::out_of_range), since both members are public and editable.
  [[nodiscard]] const std::string& name_of(Eigen::Index customer) const {
    return names.at(static_cast<std::size_t>(segment(customer)));
  }
};

struct score_cell {
  int recency, frequency, monetary;
};

struct segment_table_report {
  std::vector<score_cell> gaps;  // score cells no row covers (they become "Others")
  std::vector<std::size_t> shadowed;  // rows whose every cell an earlier row covers
  std::vector<std::int64_t> cells_matched;  // per row: cells it wins

  [[nodiscard]] bool complete() const { return gaps.empty() && shadowed.empty(); }
};

// One row per segment with at least one customer, in table order, "Others" last.
struct segment_summary_row {
  std::string segment;
  std::int64_t customers = 0;
  double share = 0.0;                // customers / all customers
  double orders = 0.0;               // sum of frequency
  double revenue = 0.0;              // sum of revenue
  double average_order_value = 0.0;  // revenue / orders (0 when orders is 0)
  double mean_recency = 0.0, mean_frequency = 0.0, mean_monetary = 0.0;
  double mean_recency_score = 0.0, mean_frequency_score = 0.0, mean_monetary_score = 0.0;
};

}  // namespace patron

// The implementation needs the complete option and result types above.
#include "patron/rfm/impl.hpp"

namespace patron {

// RFM table from a transaction log: three equally long contiguous ranges (customer ids,
// integers or std::string; finite times; finite non-negative amounts), in any order.
// Agrees bit for bit with summarize_transactions (patron/transactions.hpp), whose exact
// sums it shares; for frequency_measure::transactions it makes one pass over the rows
// without grouping them (options.threads splits that pass).
template <class IdRange, class TimeRange, class AmountRange>
[[nodiscard]] auto rfm_from_transactions(const IdRange& customers, const TimeRange& times,
                                         const AmountRange& amounts,
                                         const rfm_options& options = {}) {
  using id_type = detail::range_value_t<IdRange>;
  return detail::rfm_from_log<id_type>("rfm_from_transactions", detail::data_of(customers),
                                       detail::size_of(customers),
                                       detail::data_of(times), detail::size_of(times),
                                       detail::data_of(amounts), detail::size_of(amounts),
                                       options);
}

// RFM table from a customer-level table (R rfm's rfm_table_customer): one row per
// customer with recency (already in the unit wanted), frequency (> 0) and monetary
// (>= 0), all finite. Revenue is monetary for monetary_measure::total and
// monetary * frequency for monetary_measure::mean. Ids must be distinct.
template <class Id>
[[nodiscard]] rfm_table<Id> rfm_from_customers(
    const std::vector<Id>& customers, const Eigen::Ref<const Eigen::VectorXd>& recency,
    const Eigen::Ref<const Eigen::VectorXd>& frequency,
    const Eigen::Ref<const Eigen::VectorXd>& monetary,
    monetary_measure measure = monetary_measure::total) {
  return detail::rfm_from_columns(customers, recency, frequency, monetary, measure);
}

// Mergeable, streaming RFM: add transactions in any order, shard by shard, merge
// accumulators built elsewhere; table() is rfm_from_transactions on all the rows received,
// bit for bit (the rows are kept by a transaction_accumulator of
// patron/transactions.hpp; the table does not depend on their order).
template <class Id>
class rfm_accumulator {
 public:
  void add(const Id& customer, double time, double amount) {
    detail::validate_record("rfm_accumulator::add", records(), time, amount);
    log_.add(customer, time, amount);
  }

  // Ranges only: a single id such as the literal 7 must pick the overload above.
  template <class IdRange, class TimeRange, class AmountRange,
            class = decltype(std::data(std::declval<const IdRange&>()))>
  void add(const IdRange& customers, const TimeRange& times, const AmountRange& amounts) {
    detail::validate_columns("rfm_accumulator::add", detail::data_of(customers),
                             detail::size_of(customers), detail::data_of(times),
                             detail::size_of(times), detail::data_of(amounts),
                             detail::size_of(amounts), false);
    log_.add(customers, times, amounts);
  }

  void merge(const rfm_accumulator& other) { log_.merge(other.log_); }

  [[nodiscard]] std::size_t customers() const { return log_.customers(); }
  [[nodiscard]] std::size_t records() const { return log_.records(); }
  // The transactions received, in arrival order (to ship the accumulator elsewhere).
  [[nodiscard]] const transaction_accumulator<Id>& transactions() const { return log_; }

  [[nodiscard]] rfm_table<Id> table(const rfm_options& options = {}) const {
    constexpr const char* function = "rfm_accumulator::table";
    detail::require_non_empty(function, "records", records());
    const auto& ids = log_.customer_column();
    const auto& times = log_.time_column();
    const auto& amounts = log_.amount_column();
    return detail::rfm_from_log<Id>(function, ids.data(), ids.size(), times.data(), times.size(),
                                    amounts.data(), amounts.size(), options);
  }

 private:
  transaction_accumulator<Id> log_;
};

// --- scores and segments ---------------------------------------------------------

// Scores three value columns (rows are customers; finite values).
[[nodiscard]] inline rfm_scores score_rfm(const Eigen::Ref<const Eigen::VectorXd>& recency,
                                          const Eigen::Ref<const Eigen::VectorXd>& frequency,
                                          const Eigen::Ref<const Eigen::VectorXd>& monetary,
                                          const score_options& options = {}) {
  return detail::score_columns(recency, frequency, monetary, options);
}

template <class Id>
[[nodiscard]] rfm_scores score_rfm(const rfm_table<Id>& table, const score_options& options = {}) {
  return detail::score_columns(table.recency, table.frequency, table.monetary, options);
}

// Evaluates `table` first match wins. Every range must lie within 1..bins of its
// dimension.
[[nodiscard]] inline segment_assignment assign_segments(const rfm_scores& scores,
                                                        const segment_table& table) {
  return detail::assign(scores, table);
}

// Gaps and shadowed rows of a segment table for the given bins per dimension.
[[nodiscard]] inline segment_table_report check_segment_table(const segment_table& table,
                                                              int recency_bins = 5,
                                                              int frequency_bins = 5,
                                                              int monetary_bins = 5) {
  return detail::check_table(table, recency_bins, frequency_bins, monetary_bins);
}

template <class Id>
[[nodiscard]] std::vector<segment_summary_row> summarize_segments(
    const rfm_table<Id>& table, const rfm_scores& scores, const segment_assignment& segments) {
  return detail::summarize_segment_rows(table.frequency, table.recency, table.monetary,
                                        table.revenue, scores, segments);
}

}  // namespace patron
