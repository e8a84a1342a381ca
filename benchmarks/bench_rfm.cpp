// RFM at scale: 5,000,000 transactions by 500,000 customers -> RFM table, quintile
// scores and R rfm 0.3.0 segments. benchmarks/compare/compare_rfm.py runs this binary
// and pandas on the same data (PATRON_RFM_BENCH_DATA, written by that script); without
// the variable the data are generated here with patron::rng.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <patron/core/rng.hpp>
#include <patron/rfm.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct bench_log {
  std::vector<std::int64_t> customers;
  std::vector<double> days, amounts;
  double as_of = 730.0;
};

// Binary layout written by compare_rfm.py: int64 n, then n int64 ids, n float64 days,
// n float64 amounts (little-endian, as numpy's tofile writes them on this machine).
bench_log read_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::int64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), sizeof n);
  bench_log log;
  log.customers.resize(static_cast<std::size_t>(n));
  log.days.resize(static_cast<std::size_t>(n));
  log.amounts.resize(static_cast<std::size_t>(n));
  in.read(reinterpret_cast<char*>(log.customers.data()), n * 8);
  in.read(reinterpret_cast<char*>(log.days.data()), n * 8);
  in.read(reinterpret_cast<char*>(log.amounts.data()), n * 8);
  if (!in) throw std::runtime_error("short file " + path);
  return log;
}

bench_log generate_log(std::size_t rows, std::uint64_t customers) {
  patron::rng r(2026);
  bench_log log;
  for (std::size_t i = 0; i < rows; ++i) {
    log.customers.push_back(static_cast<std::int64_t>(r.uniform_index(customers)) + 1);
    log.days.push_back(static_cast<double>(r.uniform_index(730)));
    log.amounts.push_back(std::round(r.gamma(2.0, 25.0) * 100.0) / 100.0);
  }
  return log;
}

const bench_log& data() {
  static const bench_log log = [] {
    const char* path = std::getenv("PATRON_RFM_BENCH_DATA");
    return path ? read_log(path) : generate_log(5'000'000, 500'000);
  }();
  return log;
}

patron::rfm_options options(unsigned threads = 1) {
  patron::rfm_options o;
  o.as_of = data().as_of;
  o.threads = threads;
  return o;
}

// What the pandas peer does: groupby + qcut + segment lookup. Argument: threads of the
// pass over the rows and of the scores (rfm_options::threads, score_options::threads);
// CPU time is the whole process's, all threads included.
void rfm_pipeline(benchmark::State& state) {
  const auto& log = data();
  const auto segments = patron::r_rfm_0_3_0_segments();
  const auto o = options(static_cast<std::size_t>(state.range(0)));
  patron::score_options scoring;
  scoring.threads = o.threads;
  for (auto _ : state) {
    const auto table = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
    const auto scores = patron::score_rfm(table, scoring);
    const auto assignment = patron::assign_segments(scores, segments);
    benchmark::DoNotOptimize(assignment.segment.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(log.customers.size()));
}
BENCHMARK(rfm_pipeline)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void rfm_table_only(benchmark::State& state) {
  const auto& log = data();
  const auto o = options(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const auto table = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
    benchmark::DoNotOptimize(table.recency.data());
  }
}
BENCHMARK(rfm_table_only)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void rfm_scores_and_segments(benchmark::State& state) {
  const auto& log = data();
  const auto table = patron::rfm_from_transactions(log.customers, log.days, log.amounts, options());
  const auto segments = patron::r_rfm_0_3_0_segments();
  for (auto _ : state) {
    const auto scores = patron::score_rfm(table);
    const auto assignment = patron::assign_segments(scores, segments);
    benchmark::DoNotOptimize(assignment.segment.data());
  }
}
BENCHMARK(rfm_scores_and_segments)->Unit(benchmark::kMillisecond)->UseRealTime();

// Floors of the memory system, for reading the table's time against this machine rather
// than against a guess. Neither is an RFM computation: they time the two things any
// one-pass RFM table must do at least, each alone.
//
// Reading the input once: the 120 MB of ids, times and amounts, summed in four
// independent lanes per column, so that the adds' latency does not bound it.
void rfm_floor_read_input(benchmark::State& state) {
  const auto& log = data();
  const std::size_t n = log.customers.size() / 4 * 4;
  for (auto _ : state) {
    std::int64_t ids[4] = {0, 0, 0, 0};
    double days[4] = {0, 0, 0, 0}, amounts[4] = {0, 0, 0, 0};
    for (std::size_t i = 0; i < n; i += 4)
      for (std::size_t k = 0; k < 4; ++k) {
        ids[k] += log.customers[i + k];
        days[k] += log.days[i + k];
        amounts[k] += log.amounts[i + k];
      }
    benchmark::DoNotOptimize(ids);
    benchmark::DoNotOptimize(days);
    benchmark::DoNotOptimize(amounts);
  }
}
BENCHMARK(rfm_floor_read_input)->Unit(benchmark::kMillisecond)->UseRealTime();

// One random update per row into 16-byte cells of 500,000 customers (the compact pass's
// cell: a maximum and a 96-bit addition), with the compact pass's prefetch; the slots come
// from a generator in registers, so that no input is read: the updates alone.
void rfm_floor_random_updates(benchmark::State& state) {
  struct cell {
    std::uint64_t low;
    std::uint32_t high, time;
  };
  constexpr std::size_t rows = 5'000'000, customers = 500'000, block = 2048, distance = 64;
  std::vector<cell> cells(customers);
  std::vector<std::uint32_t> slot(block);
  std::uint64_t state_word = 2026;
  for (auto _ : state) {
    std::fill(cells.begin(), cells.end(), cell{0, 0, 0});
    for (std::size_t begin = 0; begin < rows; begin += block) {
      for (auto& s : slot) {
        state_word = state_word * 6364136223846793005u + 1442695040888963407u;
        s = static_cast<std::uint32_t>(((state_word >> 32) * customers) >> 32);
      }
      for (std::size_t j = 0; j < block; ++j) {
        if (j + distance < block) __builtin_prefetch(&cells[slot[j + distance]], 1);
        cell& c = cells[slot[j]];
        const auto code = static_cast<std::uint32_t>(j);
        c.time = code > c.time ? code : c.time;
        c.low += j;
        c.high += 1u + (c.low < j ? 1u : 0u);
      }
    }
    benchmark::DoNotOptimize(cells.data());
  }
}
BENCHMARK(rfm_floor_random_updates)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
