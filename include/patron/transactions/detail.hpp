// Implementation of patron/transactions.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "patron/core/validate.hpp"
#include "patron/transactions/exact_sum.hpp"

namespace patron::detail {

template <class Range>
using range_value_t = std::remove_cv_t<std::remove_reference_t<decltype(*std::data(std::declval<const Range&>()))>>;

template <class Range>
auto data_of(const Range& range) { return std::data(range); }
template <class Range>
std::size_t size_of(const Range& range) { return static_cast<std::size_t>(std::size(range)); }

// Tables of per-customer aggregates and grouped rows are read or written at random, one
// row at a time. On Linux large ones are fresh anonymous mappings advised to use
// transparent huge pages, which spare most of the TLB misses (half the time of the RFM
// pass on 500,000 customers) and come zero-filled from the kernel, so a zeroed table
// costs no second pass; elsewhere they are ordinary allocations. T must be trivially
// copyable (no constructors run).
struct buffer_deleter {
  std::size_t mapped = 0;  // bytes of the mapping; 0: from malloc
  void operator()(void* p) const {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (mapped != 0) {
      munmap(p, mapped);
      return;
    }
#endif
    std::free(p);
  }
};
template <class T>
using random_access_buffer = std::unique_ptr<T[], buffer_deleter>;

template <class T>
random_access_buffer<T> allocate_buffer(std::size_t n, bool zeroed) {
  static_assert(std::is_trivially_copyable_v<T>);
  const std::size_t bytes = (n == 0 ? 1 : n) * sizeof(T);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Only tables of several huge pages: a small one fits the TLB anyway, and rounding it
  // up to 2 MiB would waste memory. mmap aligns to a small page, so a huge page more is
  // mapped and the unaligned head and tail are returned.
  constexpr std::size_t huge_page = std::size_t{1} << 21;
  if (bytes >= 4 * huge_page) {
    const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
    void* raw = mmap(nullptr, rounded + huge_page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + huge_page - 1) / huge_page * huge_page;
    if (aligned != start) munmap(raw, aligned - start);
    if (const std::size_t tail = huge_page - (aligned - start))
      munmap(reinterpret_cast<void*>(aligned + rounded), tail);
    void* p = reinterpret_cast<void*>(aligned);
    madvise(p, rounded, MADV_HUGEPAGE);  // advice only: refused, pages stay small
    return random_access_buffer<T>(static_cast<T*>(p), buffer_deleter{rounded});
  }
#endif
  void* p = zeroed ? std::calloc(bytes, 1) : std::malloc(bytes);
  if (!p) throw std::bad_alloc();
  return random_access_buffer<T>(static_cast<T*>(p));
}

struct transaction_record {
  double time;
  double amount;
};


inline void validate_record(const char* function, std::size_t index, double time, double amount) {
  if (!std::isfinite(time)) throw_invalid_element(function, "times", index, time, "must be finite");
  if (!std::isfinite(amount) || amount < 0.0)
    throw_invalid_element(function, "amounts", index, amount, "must be finite and non-negative");
}

template <class Id>
void validate_columns(const char* function, const Id*, std::size_t n_ids, const double* times,
                      std::size_t n_times, const double* amounts, std::size_t n_amounts,
                      bool require_rows) {
  require_same_length(function, "customers", n_ids, "times", n_times);
  require_same_length(function, "customers", n_ids, "amounts", n_amounts);
  if (require_rows) require_non_empty(function, "customers", n_ids);
  for (std::size_t i = 0; i < n_ids; ++i) validate_record(function, i, times[i], amounts[i]);
}

// What one pass over a log learns besides its validity.
template <class Id>
struct column_scan {
  double earliest = 0.0, latest = 0.0;
  std::size_t latest_index = 0;  // first row at the latest time
  amount_exponents amounts;
  Id low_id{}, high_id{};  // integer ids only
};

inline std::uint64_t bits_of(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

// Times as unsigned keys in the same order (-0.0 just below +0.0); zero is below the key
// of every finite time.
inline std::uint64_t time_key(double time) {
  const std::uint64_t bits = bits_of(time);
  return bits ^ ((bits >> 63 ? ~std::uint64_t{0} : 0) | (std::uint64_t{1} << 63));
}
inline double time_of_key(std::uint64_t key) {
  const std::uint64_t bits = key >> 63 ? key & ~(std::uint64_t{1} << 63) : ~key;
  double time;
  std::memcpy(&time, &bits, sizeof time);
  return time;
}

// What a pass over rows [begin, end) (begin < end) learns: whether some record is bad
// (a time or amount not finite, an amount negative), the range of the time keys, the
// amounts' exponent range and, with_ids, the range of the integer ids. The loop runs on
// integer images of the doubles, without branches, so that it vectorises.
template <class Id>
struct row_stats {
  bool bad = false;
  std::uint64_t low_key = ~std::uint64_t{0}, high_key = 0;
  amount_exponents amounts;
  Id low_id{}, high_id{};
};

template <bool with_ids, class Id>
row_stats<Id> scan_rows(const Id* ids, const double* times, const double* amounts,
                        std::size_t begin, std::size_t end) {
  constexpr std::uint64_t exponent_mask = std::uint64_t{0x7ff} << 52;
  std::uint64_t bad = 0, low_key = ~std::uint64_t{0}, high_key = 0;
  std::uint64_t low_exponent = 2047, high_exponent = 0;
  Id low_id = ids[begin], high_id = ids[begin];
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint64_t t = bits_of(times[i]), a = bits_of(amounts[i]);
    const std::uint64_t a_magnitude = a << 1;  // sign dropped: zero for +-0.0
    bad |= static_cast<std::uint64_t>((t & exponent_mask) == exponent_mask) |
           static_cast<std::uint64_t>((a & exponent_mask) == exponent_mask) |
           ((a >> 63) & static_cast<std::uint64_t>(a_magnitude != 0));
    const std::uint64_t key = t ^ ((0 - (t >> 63)) | (std::uint64_t{1} << 63));
    low_key = key < low_key ? key : low_key;
    high_key = key > high_key ? key : high_key;
    const std::uint64_t biased = a_magnitude >> 53;
    const std::uint64_t e = biased | static_cast<std::uint64_t>(biased == 0);  // subnormal: 1
    const bool zero = a_magnitude == 0;
    low_exponent = !zero && e < low_exponent ? e : low_exponent;
    high_exponent = !zero && e > high_exponent ? e : high_exponent;
    if constexpr (with_ids && std::is_integral_v<Id>) {
      low_id = ids[i] < low_id ? ids[i] : low_id;
      high_id = ids[i] > high_id ? ids[i] : high_id;
    }
  }
  row_stats<Id> s;
  s.bad = bad != 0;
  s.low_key = low_key;
  s.high_key = high_key;
  s.amounts.low = static_cast<int>(low_exponent);
  s.amounts.high = static_cast<int>(high_exponent);
  s.low_id = low_id;
  s.high_id = high_id;
  return s;
}

inline void require_log_shape(const char* function, std::size_t n_ids, std::size_t n_times,
                              std::size_t n_amounts) {
  require_same_length(function, "customers", n_ids, "times", n_times);
  require_same_length(function, "customers", n_ids, "amounts", n_amounts);
  require_non_empty(function, "customers", n_ids);
}

// The first row comparing equal to the latest time, as std::max_element finds it.
inline std::size_t first_row_at(const double* times, double latest) {
  std::size_t i = 0;
  while (!(times[i] == latest)) ++i;
  return i;
}

// validate_columns (require_rows) fused with the statistics the summaries need; the rare
// log with a bad record is validated again row by row to name the first one.
template <class Id>
column_scan<Id> scan_columns(const char* function, const Id* ids, std::size_t n_ids,
                             const double* times, std::size_t n_times, const double* amounts,
                             std::size_t n_amounts) {
  require_log_shape(function, n_ids, n_times, n_amounts);
  const row_stats<Id> r = scan_rows<true>(ids, times, amounts, 0, n_ids);
  if (r.bad) validate_columns(function, ids, n_ids, times, n_times, amounts, n_amounts, true);
  column_scan<Id> s;
  s.earliest = time_of_key(r.low_key);
  s.latest_index = first_row_at(times, time_of_key(r.high_key));
  s.latest = times[s.latest_index];
  s.amounts = r.amounts;
  if constexpr (std::is_integral_v<Id>) {
    s.low_id = r.low_id;
    s.high_id = r.high_id;
  }
  return s;
}

struct resolved_window {
  double calibration_end;
  double observation_end;
};

inline resolved_window resolve_window(const char* function, const summary_options& options,
                                      double earliest, double latest,
                                      const std::string& latest_record) {
  require(std::isfinite(options.period_length) && options.period_length > 0.0, function,
          "options.period_length", options.period_length, "must be finite and positive");
  require(std::isfinite(options.time_unit) && options.time_unit > 0.0, function,
          "options.time_unit", options.time_unit, "must be finite and positive");
  resolved_window window{0.0, latest};
  if (options.observation_end) {
    window.observation_end = *options.observation_end;
    require_finite_scalar(function, "options.observation_end", window.observation_end);
    if (window.observation_end < latest)
      throw_invalid(function, "options.observation_end (" + format_value(window.observation_end) +
                                  ") precedes " + latest_record + " at time " +
                                  format_value(latest));
  }
  window.calibration_end = options.calibration_end ? *options.calibration_end
                                                   : window.observation_end;
  require_finite_scalar(function, "options.calibration_end", window.calibration_end);
  if (window.calibration_end > window.observation_end)
    throw_invalid(function, "options.calibration_end (" + format_value(window.calibration_end) +
                                ") is after options.observation_end (" +
                                format_value(window.observation_end) + ")");
  if (window.calibration_end < earliest)
    throw_invalid(function, "options.calibration_end (" + format_value(window.calibration_end) +
                                ") precedes every transaction (earliest at time " +
                                format_value(earliest) + ")");
  // Purchase periods are floor(time / period_length): a quotient that overflows puts
  // distinct periods into one infinite period and silently merges their purchases.
  const double farthest = std::max(std::abs(earliest), std::abs(latest));
  if (!std::isfinite(farthest / options.period_length))
    throw_invalid(function, "options.period_length (" + format_value(options.period_length) +
                                ") is so small that time / period_length overflows at time " +
                                format_value(std::abs(earliest) > std::abs(latest) ? earliest : latest));
  // Ages and the holdout length are differences of times over time_unit: the widest one,
  // observation_end - earliest, must stay finite.
  const double widest = (window.observation_end - earliest) / options.time_unit;
  if (!std::isfinite(widest))
    throw_invalid(function, "options.time_unit (" + format_value(options.time_unit) +
                                ") and the time span from " + format_value(earliest) + " to " +
                                format_value(window.observation_end) +
                                " give ages beyond the double range");
  return window;
}

template <class Id>
void resize_summary(customer_summary<Id>& s, std::size_t m) {
  const auto n = static_cast<Eigen::Index>(m);
  s.customer.reserve(m);
  for (auto* v : {&s.first_purchase, &s.last_purchase, &s.total_spend, &s.mean_spend,
                  &s.mean_repeat_spend, &s.x, &s.t_x, &s.T, &s.holdout_spend})
    v->resize(n);
  for (auto* v : {&s.transactions, &s.purchase_periods, &s.holdout_transactions}) v->resize(n);
}

template <class Id>
void shrink_summary(customer_summary<Id>& s) {
  const auto n = static_cast<Eigen::Index>(s.customer.size());
  for (auto* v : {&s.first_purchase, &s.last_purchase, &s.total_spend, &s.mean_spend,
                  &s.mean_repeat_spend, &s.x, &s.t_x, &s.T, &s.holdout_spend})
    v->conservativeResize(n);
  for (auto* v : {&s.transactions, &s.purchase_periods, &s.holdout_transactions})
    v->conservativeResize(n);
}

// One customer's records in time order (ties by amount, for a deterministic order).
inline bool record_before(const transaction_record& a, const transaction_record& b) {
  return a.time < b.time || (a.time == b.time && a.amount < b.amount);
}

// Customers with many records: insertion sort beats std::sort up to a few dozen.
inline void sort_records(transaction_record* begin, transaction_record* end) {
  if (end - begin > 32) {
    std::sort(begin, end, record_before);
    return;
  }
  for (transaction_record* i = begin + 1; i < end; ++i) {
    const transaction_record value = *i;
    transaction_record* j = i;
    for (; j > begin && record_before(value, *(j - 1)); --j) *j = *(j - 1);
    *j = value;
  }
}

// One customer's calibration and holdout figures.
template <class Summer>
struct customer_pass {
  std::int64_t transactions = 0, periods = 0, holdout_periods = 0;
  double last = 0.0;
  typename Summer::sum first_period_spend{}, repeat_spend{}, holdout{};
};

// Up to this many records a customer is summarised in input order: the distinct periods
// come from comparing each record with those before it, whose branches predict well,
// where sorting the records first mispredicts about once per record.
constexpr std::ptrdiff_t unsorted_records = 16;

// Sums are exact (patron/transactions/exact_sum.hpp), so the order of the records
// matters only for the periods; both passes give the same figures.
template <class Summer>
customer_pass<Summer> pass_unsorted(const transaction_record* begin, const transaction_record* end,
                                    double first, const summary_options& options,
                                    const resolved_window& window, const Summer& summer) {
  customer_pass<Summer> c;
  c.last = first;
  const double first_period = std::floor(first / options.period_length);
  double period[unsorted_records];
  bool holdout[unsorted_records];
  const auto n = static_cast<std::size_t>(end - begin);
  for (std::size_t i = 0; i < n; ++i) {
    const double time = begin[i].time;
    const double p = std::floor(time / options.period_length);
    const bool h = time > window.calibration_end;
    bool seen = false;
    for (std::size_t j = 0; j < i; ++j) seen |= (period[j] == p) & (holdout[j] == h);
    period[i] = p;
    holdout[i] = h;
    if (!h) {
      ++c.transactions;
      c.last = time > c.last ? time : c.last;
      c.periods += seen ? 0 : 1;
      summer.add(p == first_period ? c.first_period_spend : c.repeat_spend, begin[i].amount);
    } else {
      c.holdout_periods += seen ? 0 : 1;
      summer.add(c.holdout, begin[i].amount);
    }
  }
  return c;
}

template <class Summer>
customer_pass<Summer> pass_sorted(transaction_record* begin, transaction_record* end,
                                  const summary_options& options, const resolved_window& window,
                                  const Summer& summer) {
  sort_records(begin, end);
  customer_pass<Summer> c;
  c.last = begin->time;
  double current_period = std::numeric_limits<double>::quiet_NaN();
  double current_holdout_period = std::numeric_limits<double>::quiet_NaN();
  for (const transaction_record* it = begin; it != end; ++it) {
    const transaction_record& r = *it;
    const double period = std::floor(r.time / options.period_length);
    if (r.time <= window.calibration_end) {
      ++c.transactions;
      c.last = r.time;
      if (period != current_period) {
        ++c.periods;
        current_period = period;
      }
      summer.add(c.periods == 1 ? c.first_period_spend : c.repeat_spend, r.amount);
    } else {
      summer.add(c.holdout, r.amount);
      if (period != current_holdout_period) {
        ++c.holdout_periods;
        current_holdout_period = period;
      }
    }
  }
  return c;
}

template <class Id, class Summer>
void summarize_customer(const Id& id, transaction_record* begin, transaction_record* end,
                        const summary_options& options, const resolved_window& window,
                        const Summer& summer, customer_summary<Id>& out) {
  double first = begin->time;
  for (const transaction_record* it = begin + 1; it < end; ++it)
    first = it->time < first ? it->time : first;
  if (first > window.calibration_end) {
    ++out.customers_after_cutoff;
    return;
  }
  const auto row = static_cast<Eigen::Index>(out.customer.size());
  out.customer.push_back(id);
  const customer_pass<Summer> c =
      end - begin <= unsorted_records
          ? pass_unsorted(begin, end, first, options, window, summer)
          : pass_sorted(begin, end, options, window, summer);

  auto total = c.first_period_spend;
  summer.merge(total, c.repeat_spend);
  const double total_spend = summer.value(total);
  out.first_purchase(row) = first;
  out.last_purchase(row) = c.last;
  out.transactions(row) = c.transactions;
  out.purchase_periods(row) = c.periods;
  out.total_spend(row) = total_spend;
  out.mean_spend(row) = total_spend / static_cast<double>(c.transactions);
  out.x(row) = static_cast<double>(c.periods - 1);
  out.mean_repeat_spend(row) =
      c.periods > 1 ? summer.value(c.repeat_spend) / static_cast<double>(c.periods - 1) : 0.0;
  out.t_x(row) = (c.last - first) / options.time_unit;
  out.T(row) = (window.calibration_end - first) / options.time_unit;
  out.holdout_transactions(row) = c.holdout_periods;
  out.holdout_spend(row) = summer.value(c.holdout);
}

template <class Id>
void finish_window(customer_summary<Id>& out, const summary_options& options,
                   const resolved_window& window) {
  out.calibration_end = window.calibration_end;
  out.observation_end = window.observation_end;
  out.holdout_length = (window.observation_end - window.calibration_end) / options.time_unit;
  shrink_summary(out);
}

// Integer ids spanning at most `limit` values index a table directly (no hashing: the
// common case of database-assigned ids). Returns the span, or 0 when too wide.
template <class Id>
std::size_t direct_span(Id low, Id high, std::size_t limit) {
  if constexpr (std::is_integral_v<Id>) {
    const auto width = static_cast<long double>(high) - static_cast<long double>(low);
    if (width < static_cast<long double>(limit)) return static_cast<std::size_t>(width) + 1;
  }
  return 0;
}

// Dense customer index in ascending id order: by a direct lookup table when the integer
// ids span a range comparable to the row count, otherwise through a hash map and a sort
// of the distinct ids.
template <class Id>
std::vector<Id> dense_customer_index(const Id* ids, std::size_t n, const column_scan<Id>& scan,
                                     std::vector<std::uint32_t>& index) {
  index.resize(n);
  std::vector<Id> distinct;
  if constexpr (std::is_integral_v<Id>) {
    const Id low = scan.low_id;
    if (const std::size_t span = direct_span(low, scan.high_id, 4 * n + 1024)) {
      std::vector<std::uint32_t> rank(span, 0);
      for (std::size_t i = 0; i < n; ++i) rank[static_cast<std::size_t>(ids[i] - low)] = 1;
      std::uint32_t next = 0;
      for (std::size_t v = 0; v < span; ++v) {
        if (rank[v]) {
          distinct.push_back(static_cast<Id>(low + static_cast<Id>(v)));
          rank[v] = next++;
        }
      }
      for (std::size_t i = 0; i < n; ++i) index[i] = rank[static_cast<std::size_t>(ids[i] - low)];
      return distinct;
    }
  }
  std::unordered_map<Id, std::uint32_t> first_seen;
  first_seen.reserve(n / 4 + 16);
  for (std::size_t i = 0; i < n; ++i) {
    auto [it, inserted] = first_seen.try_emplace(ids[i], static_cast<std::uint32_t>(distinct.size()));
    if (inserted) distinct.push_back(ids[i]);
    index[i] = it->second;
  }
  std::vector<std::uint32_t> order(distinct.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return distinct[a] < distinct[b]; });
  std::vector<std::uint32_t> rank(distinct.size());
  std::vector<Id> sorted;
  sorted.reserve(distinct.size());
  for (std::uint32_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = r;
    sorted.push_back(distinct[order[r]]);
  }
  for (auto& i : index) i = rank[i];
  return sorted;
}

// The tables below are read or written at random: asking for a slot some rows ahead
// keeps several cache misses in flight instead of one.
constexpr std::size_t prefetch_distance = 32;
inline void prefetch_for_write(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 1);
#else
  (void)p;
#endif
}

// Rows grouped by slot (slot_of(i) < slots), by a counting sort: slot s holds
// rows[offset[s] .. offset[s + 1]). The row buffer is not zero-filled first: every
// record is written exactly once.
struct grouped_rows {
  std::vector<std::uint32_t> offset;
  random_access_buffer<transaction_record> rows;
};

template <class SlotOf>
grouped_rows group_rows(std::size_t slots, std::size_t n, const SlotOf& slot_of,
                        const double* times, const double* amounts) {
  grouped_rows g;
  g.offset.assign(slots + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++g.offset[slot_of(i) + 1];
  std::partial_sum(g.offset.begin(), g.offset.end(), g.offset.begin());
  g.rows = allocate_buffer<transaction_record>(n, false);
  std::vector<std::uint32_t> cursor(g.offset.begin(), g.offset.end() - 1);
  const std::size_t ahead = n > prefetch_distance ? n - prefetch_distance : 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i < ahead) prefetch_for_write(&cursor[slot_of(i + prefetch_distance)]);
    g.rows[cursor[slot_of(i)]++] = {times[i], amounts[i]};
  }
  return g;
}

inline void require_row_limit(const char* function, std::size_t n) {
  require(n < std::numeric_limits<std::uint32_t>::max(), function, "customers.size()", n,
          "exceeds 2^32 - 1 rows; split the customers into buckets and summarise each (docs/scale-out.md)");
}

// summarize_transactions after scan_columns.
template <class Id>
customer_summary<Id> summarize_scanned(const char* function, const Id* ids, std::size_t n,
                                       const double* times, const double* amounts,
                                       const column_scan<Id>& scan, const summary_options& options) {
  require_row_limit(function, n);
  const auto window = resolve_window(function, options, scan.earliest, scan.latest,
                                     "transaction " + std::to_string(scan.latest_index));

  customer_summary<Id> out;
  const auto summarize_slots = [&](const grouped_rows& g, std::size_t customers,
                                   const auto& id_of) {
    resize_summary(out, customers);
    with_summer(scan.amounts, n, [&](const auto& summer) {
      for (std::size_t s = 0; s + 1 < g.offset.size(); ++s)
        if (g.offset[s] != g.offset[s + 1])
          summarize_customer(id_of(s), g.rows.get() + g.offset[s], g.rows.get() + g.offset[s + 1],
                             options, window, summer, out);
    });
  };
  // Integer ids spanning a range comparable to the row count are their own slots
  // (id - lowest id); others are ranked first (dense_customer_index).
  bool done = false;
  if constexpr (std::is_integral_v<Id>) {
    const Id low = scan.low_id;
    if (const std::size_t span = direct_span(low, scan.high_id, 4 * n + 1024)) {
      const auto g = group_rows(
          span, n, [ids, low](std::size_t i) { return static_cast<std::size_t>(ids[i] - low); },
          times, amounts);
      std::size_t customers = 0;
      for (std::size_t s = 0; s < span; ++s) customers += g.offset[s] != g.offset[s + 1];
      summarize_slots(g, customers,
                      [low](std::size_t s) { return static_cast<Id>(low + static_cast<Id>(s)); });
      done = true;
    }
  }
  if (!done) {
    std::vector<std::uint32_t> index;
    const std::vector<Id> distinct = dense_customer_index(ids, n, scan, index);
    const auto g = group_rows(
        distinct.size(), n, [&index](std::size_t i) { return std::size_t{index[i]}; }, times,
        amounts);
    summarize_slots(g, distinct.size(), [&distinct](std::size_t s) { return distinct[s]; });
  }
  finish_window(out, options, window);
  return out;
}

template <class Id>
customer_summary<Id> summarize(const Id* ids, std::size_t n_ids, const double* times,
                               std::size_t n_times, const double* amounts, std::size_t n_amounts,
                               const summary_options& options) {
  static_assert(std::is_integral_v<Id> || std::is_same_v<Id, std::string>,
                "patron::summarize_transactions: customer ids must be integers or std::string");
  constexpr const char* function = "summarize_transactions";
  const auto scan = scan_columns(function, ids, n_ids, times, n_times, amounts, n_amounts);
  return summarize_scanned(function, ids, n_ids, times, amounts, scan, options);
}

}  // namespace patron::detail
