// Transaction log -> customer summary on 5,000,000 transactions of 500,000 customers.
//
// Data: generated here (seeded), or read from the file named by PATRON_BENCH_DATA
// (written by benchmarks/compare/compare_summary.py, so that patron and pandas time
// the very same rows). File layout: int64 n, then n int64 ids, n float64 days,
// n float64 amounts, little-endian.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <patron/core/rng.hpp>
#include <patron/transactions.hpp>
#include <stdexcept>
#include <vector>

namespace {

struct log_data {
  std::vector<std::int64_t> customers;
  std::vector<double> days, amounts;
};

log_data generate(std::size_t n, std::uint64_t customers) {
  patron::rng r(2026);
  log_data d;
  d.customers.resize(n);
  d.days.resize(n);
  d.amounts.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    d.customers[i] = static_cast<std::int64_t>(r.uniform_index(customers));
    d.days[i] = static_cast<double>(r.uniform_index(546));
    d.amounts[i] = static_cast<double>(r.uniform_index(20000)) / 100.0;
  }
  return d;
}

log_data read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot open ") + path);
  std::int64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), sizeof n);
  log_data d;
  d.customers.resize(static_cast<std::size_t>(n));
  d.days.resize(static_cast<std::size_t>(n));
  d.amounts.resize(static_cast<std::size_t>(n));
  in.read(reinterpret_cast<char*>(d.customers.data()), n * 8);
  in.read(reinterpret_cast<char*>(d.days.data()), n * 8);
  in.read(reinterpret_cast<char*>(d.amounts.data()), n * 8);
  if (!in) throw std::runtime_error(std::string("short read from ") + path);
  return d;
}

const log_data& data() {
  static const log_data d = [] {
    const char* path = std::getenv("PATRON_BENCH_DATA");
    return path ? read_file(path) : generate(5'000'000, 500'000);
  }();
  return d;
}

// The pandas peer computes the same columns: per-customer first/last purchase, counts,
// spend, same-day merged periods, BTYD x, t_x, T in weeks with a cut-off.
void summarize_5m(benchmark::State& state) {
  const auto& d = data();
  patron::summary_options options;
  options.time_unit = 7.0;
  options.calibration_end = 545.0;
  for (auto _ : state) {
    auto s = patron::summarize_transactions(d.customers, d.days, d.amounts, options);
    benchmark::DoNotOptimize(s.x.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.customers.size()));
}
BENCHMARK(summarize_5m)->Unit(benchmark::kMillisecond)->UseRealTime();

void accumulate_and_merge_5m(benchmark::State& state) {
  const auto& d = data();
  patron::summary_options options;
  options.time_unit = 7.0;
  options.calibration_end = 545.0;
  const std::size_t half = d.customers.size() / 2;
  for (auto _ : state) {
    patron::transaction_accumulator<std::int64_t> a, b;
    for (std::size_t i = 0; i < half; ++i) a.add(d.customers[i], d.days[i], d.amounts[i]);
    for (std::size_t i = half; i < d.customers.size(); ++i) b.add(d.customers[i], d.days[i], d.amounts[i]);
    a.merge(b);
    auto s = a.summarize(options);
    benchmark::DoNotOptimize(s.x.data());
  }
}
BENCHMARK(accumulate_and_merge_5m)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

}  // namespace
