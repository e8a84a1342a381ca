// Implementation of patron/rfm.hpp.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "patron/core/cpu.hpp"
#include "patron/core/parallel.hpp"
#include "patron/core/validate.hpp"
#include "patron/rfm/quantiles.hpp"
#include "patron/transactions.hpp"

namespace patron::detail {

// --- RFM table -----------------------------------------------------------------------

inline void validate_rfm_options(const char* function, const rfm_options& options) {
  require_positive_scalar(function, "options.time_unit", options.time_unit);
  require_positive_scalar(function, "options.period_length", options.period_length);
  if (options.as_of) require_finite_scalar(function, "options.as_of", *options.as_of);
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

// A thread's own table costs a table of cells to clear and merge: give each at least
// this many rows.
constexpr std::size_t min_rows_per_thread = 1024;

// Rows [begin, end) into the cells; slot_of(i) names row i's cell and is valid up to
// `valid` (>= end), so that the slot of a row some rows ahead can be prefetched.
template <class SlotOf>
void add_rows(rfm_cell* cells, const SlotOf& slot_of, const double* times, const double* amounts,
              const window_summer& summer, std::size_t begin, std::size_t end, std::size_t valid) {
  const std::size_t ahead =
      valid > prefetch_distance ? std::clamp(valid - prefetch_distance, begin, end) : begin;
  for (std::size_t i = begin; i < ahead; ++i) {
    prefetch_for_write(cells + slot_of(i + prefetch_distance));
    add_to_cell(cells[slot_of(i)], times[i], amounts[i], summer);
  }
  for (std::size_t i = ahead; i < end; ++i)
    add_to_cell(cells[slot_of(i)], times[i], amounts[i], summer);
}

// Folds the tables of parts 1.. into part 0, each thread over its own range of cells:
// maxima, counts and exact integer sums, so the cells are the same bit for bit whatever
// the number of parts.
inline void merge_parts(std::vector<rfm_cells>& part, std::size_t size, std::size_t threads) {
  if (part.size() < 2) return;
  for_each_share(size, threads, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t p = 1; p < part.size(); ++p)
      for (std::size_t c = begin; c < end; ++c) merge_cells(part[0][c], part[p][c]);
  });
}

// Cells of `size` customers from the rows, slot_of(i) naming row i's cell. With several
// threads each takes a contiguous part of the rows into a table of its own, and the
// tables are merged afterwards.
template <class SlotOf>
rfm_cells accumulate_cells(std::size_t size, std::size_t n, const SlotOf& slot_of,
                           const double* times, const double* amounts,
                           const window_summer& summer, std::size_t threads) {
  threads = thread_count(threads, n, min_rows_per_thread);
  std::vector<rfm_cells> part(threads);
  for_each_share(n, threads, [&](std::size_t k, std::size_t begin, std::size_t end) {
    part[k] = allocate_buffer<rfm_cell>(size, true);
    add_rows(part[k].get(), slot_of, times, amounts, summer, begin, end, end);
  });
  merge_parts(part, size, threads);
  return std::move(part[0]);
}

template <class Id>
void resize_table(rfm_table<Id>& t, std::size_t m) {
  const auto n = static_cast<Eigen::Index>(m);
  t.customer.resize(m);
  for (auto* v : {&t.recency, &t.frequency, &t.monetary, &t.revenue}) v->resize(n);
}

// A row's own aggregates; recency holds the last purchase time until finish_rows.
template <class Id>
void fill_row(rfm_table<Id>& t, Eigen::Index row, const rfm_cell& c, const window_summer& summer) {
  t.recency(row) = time_of_key(c.last_key);
  t.frequency(row) = static_cast<double>(c.transactions);
  t.revenue(row) = summer.value(c.spend);
}

// Recency and monetary of rows [first, first + size) from the aggregates: the same
// expressions as rfm_from_summary, so that both paths agree bit for bit, as whole
// columns, so that the divisions vectorise.
template <class Id>
void finish_rows(rfm_table<Id>& t, Eigen::Index first, Eigen::Index size,
                 const rfm_options& options, double as_of) {
  auto recency = t.recency.segment(first, size).array();
  recency = (as_of - recency) / options.time_unit;
  if (options.monetary == monetary_measure::total)
    t.monetary.segment(first, size) = t.revenue.segment(first, size);
  else
    t.monetary.segment(first, size) =
        t.revenue.segment(first, size).array() / t.frequency.segment(first, size).array();
}

// The table of the customers id = low + slot, slot < span, for which present(slot)
// holds. Each thread fills the rows of its own range of slots, from `begin`, through its
// own writer: make_writer(begin) returns a callable writer(t, row, slot), called in
// increasing slot order, which sets the row's aggregates (recency holding the last
// purchase time until finish_rows).
template <class Id, class Present, class MakeWriter>
rfm_table<Id> direct_table(std::size_t span, Id low, const Present& present,
                           const MakeWriter& make_writer, const rfm_options& options,
                           double as_of, std::size_t threads) {
  threads = thread_count(threads, span, min_rows_per_thread);
  std::vector<std::size_t> first_row(threads + 1, 0);
  for_each_share(span, threads, [&](std::size_t k, std::size_t begin, std::size_t end) {
    std::size_t m = 0;
    for (std::size_t v = begin; v < end; ++v) m += present(v) ? 1 : 0;
    first_row[k + 1] = m;
  });
  std::partial_sum(first_row.begin(), first_row.end(), first_row.begin());
  rfm_table<Id> t;
  t.as_of = as_of;
  resize_table(t, first_row[threads]);
  for_each_share(span, threads, [&](std::size_t k, std::size_t begin, std::size_t end) {
    auto write = make_writer(begin);
    const auto first = static_cast<Eigen::Index>(first_row[k]);
    auto row = first;
    for (std::size_t v = begin; v < end; ++v) {
      if (!present(v)) continue;
      t.customer[static_cast<std::size_t>(row)] = static_cast<Id>(low + static_cast<Id>(v));
      write(t, row++, v);
    }
    finish_rows(t, first, row - first, options, as_of);
  });
  return t;
}

// The RFM table in one pass over the rows, without grouping them: last time, count and
// exact spend per customer (frequency_measure::transactions, amounts that fit the
// window summer). Customers are cells of a table indexed by id - lowest id when the
// integer ids span at most about half the row count, else by dense_customer_index.
template <class Id>
rfm_table<Id> rfm_one_pass(const Id* ids, std::size_t n, const double* times,
                           const double* amounts, const column_scan<Id>& scan,
                           const window_summer& summer, const rfm_options& options, double as_of) {
  if constexpr (std::is_integral_v<Id>) {
    const Id low = scan.low_id;
    if (const std::size_t span = direct_span(low, scan.high_id, n / 2 + 1024)) {
      const auto slot_of = [ids, low](std::size_t i) {
        return static_cast<std::size_t>(ids[i] - low);
      };
      const rfm_cells cells =
          accumulate_cells(span, n, slot_of, times, amounts, summer, options.threads);
      const rfm_cell* table = cells.get();
      const auto write_cell = [table, &summer](rfm_table<Id>& t, Eigen::Index row, std::size_t v) {
        fill_row(t, row, table[v], summer);
      };
      return direct_table(
          span, low, [table](std::size_t v) { return table[v].transactions != 0; },
          [&write_cell](std::size_t) { return write_cell; }, options, as_of, options.threads);
    }
  }
  rfm_table<Id> t;
  t.as_of = as_of;
  std::vector<std::uint32_t> index;
  t.customer = dense_customer_index(ids, n, scan, index);
  const std::size_t m = t.customer.size();
  const auto slot_of = [&index](std::size_t i) { return std::size_t{index[i]}; };
  const rfm_cells cells = accumulate_cells(m, n, slot_of, times, amounts, summer, options.threads);
  resize_table(t, m);
  for (std::size_t c = 0; c < m; ++c) fill_row(t, static_cast<Eigen::Index>(c), cells[c], summer);
  finish_rows(t, 0, static_cast<Eigen::Index>(m), options, as_of);
  return t;
}

// --- compact pass --------------------------------------------------------------------
//
// The common log (integer ids spanning at most about half the row count, integral
// times such as days or seconds, money amounts) in one pass with 16-byte cells, half
// the memory the random updates touch. A cell keeps the latest time as a 32-bit offset
// from a base time, and the count and the exact spend as one 96-bit integer, the count
// in its top compact_count_bits: a row is one 96-bit addition and one maximum. The
// pass validates every row on the way, so the input is read once. Whatever it cannot
// hold exactly (a time that is not an integer within 2^31 of the base, or -0.0; an
// amount outside the window placed by the first rows; a bad record) abandons it, and
// the caller takes the scan-first path, which names the bad record or gives the same
// table with 32-byte cells.

constexpr int compact_count_bits = 8;
constexpr std::uint32_t compact_count_one = std::uint32_t{1} << (32 - compact_count_bits);
constexpr std::uint32_t compact_spend_mask = compact_count_one - 1;
constexpr std::uint32_t compact_count_full = (std::uint32_t{1} << compact_count_bits) - 1;
// Exponents the spend window spans: compact_count_full amounts below 2^(53 + width)
// sum below 2^(96 - compact_count_bits), so the spend never carries into the count.
constexpr int compact_window_width = 43 - 2 * compact_count_bits;
// Rows that place the window and the base time; rows encoded at a time (about 40 KB of
// encoded rows, which stay in cache).
constexpr std::size_t compact_head_rows = 4096, compact_block_rows = 2048;
constexpr double compact_time_range = 2147483648.0;  // 2^31

struct compact_cell {
  std::uint64_t low;   // bits 0..63 of the count-and-spend word
  std::uint32_t high;  // bits 64..95: spend below, the count in the top bits
  std::uint32_t time;  // 2^31 + latest time - base; 0: no row yet
};

// A cell whose count filled up, moved aside so that the cell starts again (its time
// stays): compact_count_full rows and their spend.
struct compact_spill {
  std::size_t slot;
  window_summer::sum spend;
};

struct compact_part {
  random_access_buffer<compact_cell> cells;
  std::vector<compact_spill> spills;
  std::uint32_t latest = 0;
};

struct compact_layout {
  double base;
  int window_low, window_high;
};

// The time a cell's code stands for (exactly: the pass checked base + offset == time).
inline double compact_time(const compact_layout& layout, std::uint32_t code) {
  return layout.base + static_cast<double>(static_cast<std::int64_t>(code) - (std::int64_t{1} << 31));
}

// A block of rows encoded for the cells: slot, time code and the 96-bit addend
// (count one included).
struct compact_block {
  std::uint32_t slot[compact_block_rows];
  std::uint32_t code[compact_block_rows];
  std::uint64_t add_low[compact_block_rows];
  std::uint32_t add_high[compact_block_rows];
};

// How a compact pass, or a block of it, ended: every row held; a row it cannot hold (a
// bad record, a time or amount outside the layout); a customer outside the cells.
enum class compact_outcome { held, unholdable, outside_cells };

// The customers the cells cover: ids low, low + 1, ..., low + span - 1.
template <class Id>
struct id_range {
  Id low;
  std::size_t span;
};

// Rows [begin, begin + count) encoded into `block`, and validated on the way (the tests
// of scan_rows, plus the window and the time code, and the id against the cells).
// Branch-free, so that it vectorises: the rows are read from memory here, at streaming
// speed, and the scattered updates then read the block from cache.
template <class Id>
PATRON_ALWAYS_INLINE compact_outcome encode_rows_body(const Id* ids, const id_range<Id>& cells,
                                                      const double* times, const double* amounts,
                                                      const compact_layout& layout,
                                                      std::size_t begin, std::size_t count,
                                                      compact_block& block,
                                                      std::uint32_t& latest) {
  constexpr std::uint64_t sign = std::uint64_t{1} << 63;
  // The slot as an unsigned difference: an id below `low` wraps to a huge slot, so one
  // comparison finds the ids on either side of the cells.
  const auto low = static_cast<std::uint64_t>(cells.low);
  const auto span = static_cast<std::uint64_t>(cells.span);
  std::uint64_t fail = 0, outside = 0;
  std::uint32_t top = latest;
  const auto window_low = static_cast<std::int64_t>(layout.window_low);
  const auto window_high = static_cast<std::int64_t>(layout.window_high);
  const double base = layout.base;
  for (std::size_t j = 0; j < count; ++j) {
    const std::size_t i = begin + j;
    const double time = times[i];
    const std::uint64_t a = bits_of(amounts[i]);
    const std::uint64_t magnitude = a << 1;
    const auto biased = static_cast<std::int64_t>(magnitude >> 53);
    const std::int64_t e = biased | static_cast<std::int64_t>(biased == 0);
    const std::uint64_t m = (a & ((std::uint64_t{1} << 52) - 1)) |
                            (static_cast<std::uint64_t>(biased != 0) << 52);
    const std::uint64_t nonzero = magnitude != 0;
    fail |= static_cast<std::uint64_t>(biased == 2047) | ((a >> 63) & nonzero) |
            (nonzero & static_cast<std::uint64_t>((e < window_low) | (e > window_high)));
    const double offset = time - base;
    const std::uint64_t in_range = (offset > -compact_time_range) & (offset < compact_time_range);
    // Out of range (NaN included) the offset becomes 0.0, so the conversion is defined.
    const std::uint64_t kept_bits = bits_of(offset) & (0 - in_range);
    double kept;
    std::memcpy(&kept, &kept_bits, sizeof kept);
    // |offset| < 2^31: a 32-bit conversion, which vectorises without AVX-512.
    const auto whole = static_cast<std::int32_t>(kept);
    fail |= (in_range ^ 1) | static_cast<std::uint64_t>(base + static_cast<double>(whole) != time) |
            static_cast<std::uint64_t>(bits_of(time) == sign);
    const std::uint32_t code = static_cast<std::uint32_t>(whole) ^ (std::uint32_t{1} << 31);
    top = code > top ? code : top;
    // Clamped only so that a row about to fail shifts by a valid amount.
    const std::int64_t over = e - window_low;
    const std::int64_t shift = over < 0 ? 0 : over > compact_window_width ? compact_window_width : over;
    const std::uint64_t slot = static_cast<std::uint64_t>(ids[i]) - low;
    outside |= static_cast<std::uint64_t>(slot >= span);
    block.slot[j] = static_cast<std::uint32_t>(slot);
    block.code[j] = code;
    block.add_low[j] = m << shift;
    block.add_high[j] = static_cast<std::uint32_t>((m >> 1) >> (63 - shift)) + compact_count_one;
  }
  latest = top;
  return fail != 0 ? compact_outcome::unholdable
                   : outside != 0 ? compact_outcome::outside_cells : compact_outcome::held;
}

#if PATRON_DISPATCH_AVX2
template <class Id>
PATRON_TARGET_AVX2 compact_outcome encode_rows_avx2(const Id* ids, const id_range<Id>& cells,
                                                    const double* times, const double* amounts,
                                                    const compact_layout& layout,
                                                    std::size_t begin, std::size_t count,
                                                    compact_block& block, std::uint32_t& latest) {
  return encode_rows_body(ids, cells, times, amounts, layout, begin, count, block, latest);
}
#endif

// The body above, compiled for AVX2 too in builds for the x86-64 baseline (core/cpu.hpp):
// without AVX2 it does not vectorise (no 64-bit variable shifts), and the table takes
// about 50 instead of 30 ms for 5M rows.
template <class Id>
compact_outcome encode_compact_rows(const Id* ids, const id_range<Id>& cells,
                                    const double* times, const double* amounts,
                                    const compact_layout& layout, std::size_t begin,
                                    std::size_t count, compact_block& block,
                                    std::uint32_t& latest) {
#if PATRON_DISPATCH_AVX2
  if (cpu_has_avx2())
    return encode_rows_avx2(ids, cells, times, amounts, layout, begin, count, block, latest);
#endif
  return encode_rows_body(ids, cells, times, amounts, layout, begin, count, block, latest);
}

// The encoded rows into the cells; a count that fills up spills the cell.
inline void add_compact_block(compact_part& part, const compact_block& block, std::size_t count) {
  // Further ahead than the 32-byte path's prefetch: a compact row is less work, so more
  // rows pass while a miss is served (64 against 32: 5-10% less table time; 128 no
  // better; quiet machine, session 4).
  constexpr std::size_t distance = 64;
  compact_cell* cells = part.cells.get();
  const std::size_t ahead = count > distance ? count - distance : 0;
  for (std::size_t j = 0; j < count; ++j) {
    if (j < ahead) prefetch_for_write(cells + block.slot[j + distance]);
    compact_cell& c = cells[block.slot[j]];
    c.time = block.code[j] > c.time ? block.code[j] : c.time;
    c.low += block.add_low[j];
    c.high += block.add_high[j] + (c.low < block.add_low[j] ? 1u : 0u);
    if ((c.high >> (32 - compact_count_bits)) == compact_count_full) {
      part.spills.push_back({block.slot[j], {c.low, c.high & compact_spend_mask}});
      c.low = 0;
      c.high = 0;
    }
  }
}

// The table of the compact parts: the parts' cells merged, and the spills of each slot
// (sorted by slot) added, on the way.
template <class Id>
rfm_table<Id> compact_table(const std::vector<compact_part>& part,
                            const std::vector<compact_spill>& spills, std::size_t span, Id low,
                            const compact_layout& layout, const rfm_options& options,
                            double as_of, std::size_t threads) {
  // A customer with rows has a time code (one whose count just spilled has count 0).
  const auto present = [&part](std::size_t v) {
    std::uint32_t code = 0;
    for (const auto& p : part) code |= p.cells[v].time;
    return code != 0;
  };
  const window_summer summer{layout.window_low};
  const auto make_writer = [&](std::size_t begin) {
    const auto by_slot = [](const compact_spill& s, std::size_t slot) { return s.slot < slot; };
    auto spill = std::lower_bound(spills.begin(), spills.end(), begin, by_slot);
    return [&part, &spills, &layout, summer, spill](rfm_table<Id>& t, Eigen::Index row,
                                                    std::size_t v) mutable {
      std::uint32_t code = 0;
      std::uint64_t count = 0;
      window_summer::sum spend;
      for (const auto& p : part) {
        const compact_cell& x = p.cells[v];
        code = x.time > code ? x.time : code;
        count += x.high >> (32 - compact_count_bits);
        window_summer::merge(spend, {x.low, x.high & compact_spend_mask});
      }
      // A cell keeps its time code when its count spills: every spill's slot is reached.
      for (; spill != spills.end() && spill->slot == v; ++spill) {
        count += compact_count_full;
        window_summer::merge(spend, spill->spend);
      }
      t.recency(row) = compact_time(layout, code);  // the last purchase until finish_rows
      t.frequency(row) = static_cast<double>(count);
      t.revenue(row) = summer.value(spend);
    };
  };
  return direct_table(span, low, present, make_writer, options, as_of, threads);
}

// A guess at the range of the ids without a pass over them: those of the first and the
// last rows and of a strided sample, widened by 1/64 of their width each way (within
// `limit` slots and Id's range). Ids in random order, sorted, or growing with time (new
// customers later in the log) fall inside; when one does not, the pass says so and runs
// again over the exact range, so a guess costs at most a pass. span 0: the ids are too
// sparse for cells (the caller's other paths then index them).
template <class Id>
id_range<Id> guessed_id_range(const Id* ids, std::size_t n, std::size_t limit) {
  constexpr std::size_t edge_rows = 4096, samples = 4096;
  Id lo = ids[0], hi = ids[0];
  const auto note = [&](std::size_t i) {
    lo = ids[i] < lo ? ids[i] : lo;
    hi = ids[i] > hi ? ids[i] : hi;
  };
  for (std::size_t i = 0; i < std::min(n, edge_rows); ++i) note(i);
  for (std::size_t i = n > edge_rows ? n - edge_rows : 0; i < n; ++i) note(i);
  for (std::size_t i = 0; i < n; i += std::max<std::size_t>(1, n / samples)) note(i);
  // Differences of Id values as unsigned 64-bit integers: exact, since they are below 2^64.
  const auto bits = [](Id id) { return static_cast<std::uint64_t>(id); };
  const std::uint64_t width = bits(hi) - bits(lo);
  if (width >= limit) return {lo, 0};
  const std::uint64_t margin = std::min<std::uint64_t>(width / 64 + 64, (limit - 1 - width) / 2);
  const std::uint64_t below = std::min(margin, bits(lo) - bits(std::numeric_limits<Id>::lowest()));
  const std::uint64_t above = std::min(margin, bits(std::numeric_limits<Id>::max()) - bits(hi));
  return {static_cast<Id>(bits(lo) - below), static_cast<std::size_t>(width + below + above + 1)};
}

// The exact range of the ids, in a pass over them (each thread a share).
template <class Id>
id_range<Id> exact_id_range(const Id* ids, std::size_t n, std::size_t limit, std::size_t threads) {
  std::vector<Id> part_low(threads), part_high(threads);
  for_each_share(n, threads, [&](std::size_t k, std::size_t begin, std::size_t end) {
    Id lo = ids[begin], hi = ids[begin];
    for (std::size_t i = begin; i < end; ++i) {
      lo = ids[i] < lo ? ids[i] : lo;
      hi = ids[i] > hi ? ids[i] : hi;
    }
    part_low[k] = lo;
    part_high[k] = hi;
  });
  const Id low = *std::min_element(part_low.begin(), part_low.end());
  return {low, direct_span(low, *std::max_element(part_high.begin(), part_high.end()), limit)};
}

// The rows into the cells of `range`, each thread a share of the rows into cells of its
// own; stops at the first block that cannot be held.
template <class Id>
compact_outcome fill_compact_parts(const Id* ids, std::size_t n, const double* times,
                                   const double* amounts, const compact_layout& layout,
                                   const id_range<Id>& range, std::vector<compact_part>& part) {
  std::atomic<compact_outcome> outcome{compact_outcome::held};
  for_each_share(n, part.size(), [&](std::size_t k, std::size_t first, std::size_t end) {
    part[k] = compact_part{};
    part[k].cells = allocate_buffer<compact_cell>(range.span, true);
    const auto block = std::make_unique<compact_block>();
    for (std::size_t begin = first; begin < end && outcome == compact_outcome::held;
         begin += compact_block_rows) {
      const std::size_t count = std::min(end - begin, compact_block_rows);
      const compact_outcome o = encode_compact_rows(ids, range, times, amounts, layout, begin,
                                                    count, *block, part[k].latest);
      if (o != compact_outcome::held) {
        // A row that cannot be held decides (the caller's fallback names a bad record).
        compact_outcome expected = compact_outcome::held;
        if (!outcome.compare_exchange_strong(expected, o) && o == compact_outcome::unholdable)
          outcome = o;
        break;
      }
      add_compact_block(part[k], *block, count);
    }
  });
  return outcome;
}

template <class Id>
std::optional<rfm_table<Id>> rfm_compact_pass(const char* function, const Id* ids, std::size_t n,
                                              const double* times, const double* amounts,
                                              const rfm_options& options) {
  const std::size_t threads = thread_count(options.threads, n, min_rows_per_thread);
  const std::size_t limit = n / 2 + 1024;
  id_range<Id> range = guessed_id_range(ids, n, limit);
  if (range.span == 0) return std::nullopt;
  require_row_limit(function, n);
  const row_stats<Id> head = scan_rows<false>(ids, times, amounts, 0, std::min(n, compact_head_rows));
  const amount_exponents& first = head.amounts;
  if (head.bad || first.low > first.high || first.high - first.low > compact_window_width)
    return std::nullopt;
  compact_layout layout;
  layout.base = time_of_key(head.low_key);
  layout.window_low =
      std::max(1, first.low - (compact_window_width - (first.high - first.low)) / 2);
  layout.window_high = layout.window_low + compact_window_width;

  std::vector<compact_part> part(threads);
  compact_outcome outcome = fill_compact_parts(ids, n, times, amounts, layout, range, part);
  if (outcome == compact_outcome::outside_cells) {
    range = exact_id_range(ids, n, limit, threads);
    if (range.span == 0) return std::nullopt;
    outcome = fill_compact_parts(ids, n, times, amounts, layout, range, part);
  }
  if (outcome != compact_outcome::held) return std::nullopt;
  const Id low = range.low;
  const std::size_t span = range.span;

  std::uint32_t latest_code = 0;
  std::vector<compact_spill> spills;
  for (const auto& p : part) {
    latest_code = std::max(latest_code, p.latest);
    spills.insert(spills.end(), p.spills.begin(), p.spills.end());
  }
  std::sort(spills.begin(), spills.end(),
            [](const compact_spill& a, const compact_spill& b) { return a.slot < b.slot; });
  const std::size_t latest_index = first_row_at(times, compact_time(layout, latest_code));
  const double as_of = resolve_as_of(function, options, times[latest_index], latest_index);

  return compact_table(part, spills, span, low, layout, options, as_of, threads);
}

template <class Id>
rfm_table<Id> rfm_from_log(const char* function, const Id* ids, std::size_t n_ids,
                           const double* times, std::size_t n_times, const double* amounts,
                           std::size_t n_amounts, const rfm_options& options) {
  if constexpr (std::is_integral_v<Id>) {
    require_log_shape(function, n_ids, n_times, n_amounts);
    if (options.frequency == frequency_measure::transactions)
      if (auto t = rfm_compact_pass(function, ids, n_ids, times, amounts, options))
        return std::move(*t);
  }
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
    d.breakpoints = quantile_cuts(values.data(), n, b.bins, options.threads);
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
  const std::vector<std::size_t> above = scores_of(values.data(), n, d.breakpoints, reversed,
                                                   d.score.data(), options.threads);
  // Bin k (1-based) holds the values above cut k - 1 and not above cut k (cut points
  // from data, a sketch or the caller never decrease).
  const auto bins = static_cast<std::size_t>(b.bins);
  d.customers_per_score.assign(bins, 0);
  for (std::size_t k = 1; k <= bins; ++k) {
    const std::size_t in = (k == 1 ? n : above[k - 2]) - (k == bins ? 0 : above[k - 1]);
    d.customers_per_score[reversed ? bins - k : k - 1] = static_cast<std::int64_t>(in);
  }
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
  struct dimension {
    const char* name;
    const Eigen::Ref<const Eigen::VectorXd>* values;
    const binning* bins;
    bool reversed;
    dimension_scores* out;
  };
  const dimension dimensions[3] = {
      {"recency", &recency, &options.recency, true, &s.recency},
      {"frequency", &frequency, &options.frequency, false, &s.frequency},
      {"monetary", &monetary, &options.monetary, false, &s.monetary}};
  // One dimension after the other (so the first failure is met in R, F, M order), the
  // threads sharing each pass over its values.
  for (const dimension& x : dimensions)
    *x.out = score_dimension(function, x.name, *x.values, *x.bins, options, x.reversed);
  s.code.resize(recency.size());
  s.total.resize(recency.size());
  const std::size_t shares = thread_count(options.threads, n, min_values_per_thread);
  for_each_share(n, shares, [&](std::size_t, std::size_t begin, std::size_t end) {
    const auto first = static_cast<Eigen::Index>(begin), size = static_cast<Eigen::Index>(end - begin);
    const auto r = s.recency.score.segment(first, size).array();
    const auto f = s.frequency.score.segment(first, size).array();
    const auto m = s.monetary.score.segment(first, size).array();
    s.code.segment(first, size) = 100 * r + 10 * f + m;
    s.total.segment(first, size) = options.recency_weight * r.cast<double>() +
                                   options.frequency_weight * f.cast<double>() +
                                   options.monetary_weight * m.cast<double>();
  });
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
    // A vectorised bounds check first; the scan that names the first bad score only on failure.
    if (n > 0 && d->score.minCoeff() >= 1 && d->score.maxCoeff() <= bins) continue;
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
