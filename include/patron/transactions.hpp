// Transaction log -> one row per customer: the input of RFM and of every
// buy-till-you-die (BTYD) model.
//
//   patron::summary_options options;
//   options.time_unit = 7;                 // times are days; report t_x and T in weeks
//   options.calibration_end = cutoff_day;  // split calibration / holdout
//   auto s = patron::summarize_transactions(customer_ids, days, amounts, options);
//   s.x, s.t_x, s.T                        // the BTYD triple, one row per customer
//
// Conventions (see docs/transactions.md):
// - Times are numbers in any unit (the CLI uses days since 1970-01-01).
// - Purchases in the same period, floor(time / period_length), are merged into one
//   transaction for the BTYD counts (same-day merging when period_length = 1 day).
// - x   = distinct purchase periods - 1 (repeat transactions),
//   t_x = (last purchase - first purchase) / time_unit, the customer's age at the last
//         purchase (the BTYD meaning of "recency"),
//   T   = (calibration end - first purchase) / time_unit.
// - With calibration_end set, purchases after it form the holdout; customers first
//   seen after it are left out of the summary and counted in `customers_after_cutoff`.
// - Identical rows are kept: two identical purchases on one day are two transactions
//   (they merge into one BTYD period all the same).
// - Rows are customers in ascending id order, whatever the order of the input.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <optional>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron {

struct summary_options {
  // Length of the period within which purchases merge into one BTYD transaction, in
  // time units of the input (> 0). Default 1: one day when times are days.
  double period_length = 1.0;
  // Divisor turning input time differences into the unit of t_x, T and the holdout
  // length (> 0). Default 1; 7 gives weeks when times are days.
  double time_unit = 1.0;
  // End of the calibration period (inclusive). Unset: no holdout, the calibration
  // period runs to observation_end.
  std::optional<double> calibration_end;
  // End of the observation window (inclusive); must not precede any transaction.
  // Unset: the latest transaction time in the data.
  std::optional<double> observation_end;
};

template <class Id>
struct customer_summary {
  using count_vector = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;

  std::vector<Id> customer;       // ascending
  Eigen::VectorXd first_purchase;  // input time units, calibration period
  Eigen::VectorXd last_purchase;   // input time units, calibration period
  count_vector transactions;       // rows in the calibration period
  count_vector purchase_periods;   // distinct purchase periods in the calibration period
  Eigen::VectorXd total_spend;     // sum of amounts in the calibration period
  Eigen::VectorXd mean_spend;      // total_spend / transactions
  // Mean value of the repeat (merged) transactions, the Gamma-Gamma model's zbar;
  // 0 for customers with x = 0 (they carry no repeat-spend information).
  Eigen::VectorXd mean_repeat_spend;
  Eigen::VectorXd x;    // repeat purchases = purchase_periods - 1
  Eigen::VectorXd t_x;  // age at last purchase, in time_unit
  Eigen::VectorXd T;    // age at calibration end, in time_unit
  count_vector holdout_transactions;  // merged purchase periods after calibration_end
  Eigen::VectorXd holdout_spend;      // sum of amounts after calibration_end
  double calibration_end = 0.0;       // as used (input time units)
  double observation_end = 0.0;       // as used (input time units)
  double holdout_length = 0.0;        // (observation_end - calibration_end) / time_unit
  std::int64_t customers_after_cutoff = 0;  // first seen after calibration_end, left out

  [[nodiscard]] std::size_t size() const { return customer.size(); }
};

}  // namespace patron

// The implementation needs the complete option and result types above.
#include "patron/transactions/detail.hpp"

namespace patron {

// Summarises a transaction log given as three equally long contiguous ranges
// (std::vector, Eigen vectors, ...): customer ids (integers or std::string), times and
// non-negative amounts, in any order.
template <class IdRange, class TimeRange, class AmountRange>
[[nodiscard]] auto summarize_transactions(const IdRange& customers, const TimeRange& times,
                                          const AmountRange& amounts,
                                          const summary_options& options = {}) {
  using id_type = detail::range_value_t<IdRange>;
  return detail::summarize<id_type>(detail::data_of(customers), detail::size_of(customers),
                                    detail::data_of(times), detail::size_of(times),
                                    detail::data_of(amounts), detail::size_of(amounts), options);
}

// Mergeable accumulator: add transactions shard by shard, merge accumulators built on
// other machines, then summarise. It keeps the rows (an exact summary needs them: distinct
// purchase periods, same-period merging) as three columns in arrival order; summarize() is
// summarize_transactions on them, and since that is independent of row order (exact sums,
// canonical per-customer order) the summary equals the batch summary of all rows, bit
// for bit, whatever the sharding and merge order. To ship an accumulator to another
// process, send its three columns and add() them there.
template <class Id>
class transaction_accumulator {
 public:
  void add(const Id& customer, double time, double amount) {
    detail::validate_record("transaction_accumulator::add", records(), time, amount);
    customers_.push_back(customer);
    times_.push_back(time);
    amounts_.push_back(amount);
  }

  // Column-wise add; constrained to ranges so that add(7, 1.0, 2.0) picks the row overload.
  // All rows are checked before any is added.
  template <class IdRange, class TimeRange, class AmountRange,
            class = decltype(std::data(std::declval<const IdRange&>()))>
  void add(const IdRange& customers, const TimeRange& times, const AmountRange& amounts) {
    const auto n = detail::size_of(customers);
    const auto* id = detail::data_of(customers);
    const auto* time = detail::data_of(times);
    const auto* amount = detail::data_of(amounts);
    detail::validate_columns("transaction_accumulator::add", id, n, time, detail::size_of(times),
                             amount, detail::size_of(amounts), false);
    customers_.insert(customers_.end(), id, id + n);
    times_.insert(times_.end(), time, time + n);
    amounts_.insert(amounts_.end(), amount, amount + n);
  }

  void merge(const transaction_accumulator& other) {
    if (&other == this) {  // appending a vector to itself would read what it writes
      const transaction_accumulator copy = other;
      merge(copy);
      return;
    }
    customers_.insert(customers_.end(), other.customers_.begin(), other.customers_.end());
    times_.insert(times_.end(), other.times_.begin(), other.times_.end());
    amounts_.insert(amounts_.end(), other.amounts_.begin(), other.amounts_.end());
  }

  // Distinct customers; counted on each call (a sort of the ids).
  [[nodiscard]] std::size_t customers() const {
    std::vector<Id> ids = customers_;
    std::sort(ids.begin(), ids.end());
    return static_cast<std::size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  }
  [[nodiscard]] std::size_t records() const { return customers_.size(); }

  // The rows received, in arrival order.
  [[nodiscard]] const std::vector<Id>& customer_column() const { return customers_; }
  [[nodiscard]] const std::vector<double>& time_column() const { return times_; }
  [[nodiscard]] const std::vector<double>& amount_column() const { return amounts_; }

  [[nodiscard]] customer_summary<Id> summarize(const summary_options& options = {}) const {
    constexpr const char* function = "transaction_accumulator::summarize";
    detail::require_non_empty(function, "records", records());
    const std::size_t n = records();
    const auto scan = detail::scan_columns(function, customers_.data(), n, times_.data(), n,
                                           amounts_.data(), n);
    return detail::summarize_scanned(function, customers_.data(), n, times_.data(),
                                     amounts_.data(), scan, options);
  }

 private:
  std::vector<Id> customers_;
  std::vector<double> times_;
  std::vector<double> amounts_;
};

}  // namespace patron
