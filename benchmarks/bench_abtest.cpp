// A/B tests at scale: a million two-proportion z-tests from counts (batch API), and
// Fisher's exact test and Mann-Whitney U per call. The data come from a counter-based
// splitmix64 stream that benchmarks/compare/compare_abtest.py reproduces bit for bit,
// so patron and scipy time the same inputs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <patron/abtest.hpp>
#include <vector>

namespace {

// splitmix64 of seed + (i + 1) * golden gamma: element i of stream `seed`.
std::uint64_t splitmix(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct experiments {
  patron::count_vector sa, na, sb, nb;
};

// n_A, n_B in [1000, 101000); successes about 5 % of the trials, +-100: realistic
// conversion data, mostly |z| < 10.
experiments make_experiments(Eigen::Index n) {
  experiments e{patron::count_vector(n), patron::count_vector(n), patron::count_vector(n),
                patron::count_vector(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto u = static_cast<std::uint64_t>(i);
    e.na(i) = 1000 + static_cast<std::int64_t>(splitmix(1, u) % 100000);
    e.nb(i) = 1000 + static_cast<std::int64_t>(splitmix(2, u) % 100000);
    e.sa(i) = std::max<std::int64_t>(0, e.na(i) / 20 + static_cast<std::int64_t>(splitmix(3, u) % 201) - 100);
    e.sb(i) = std::max<std::int64_t>(0, e.nb(i) / 20 + static_cast<std::int64_t>(splitmix(4, u) % 201) - 100);
  }
  return e;
}

void z_test_batch(benchmark::State& state) {
  const auto e = make_experiments(1000000);
  Eigen::VectorXd z(1000000), p(1000000);
  for (auto _ : state) {
    patron::two_proportion_z_test_batch(e.sa, e.na, e.sb, e.nb, z, p);
    benchmark::DoNotOptimize(p.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000000);
}
BENCHMARK(z_test_batch)->Unit(benchmark::kMillisecond);

// The same on state.range(0) threads: wall-clock time, and the CPU time of all threads.
void z_test_batch_threads(benchmark::State& state) {
  const auto e = make_experiments(1000000);
  Eigen::VectorXd z(1000000), p(1000000);
  patron::batch_options batch;
  batch.threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    patron::two_proportion_z_test_batch(e.sa, e.na, e.sb, e.nb, z, p, {}, batch);
    benchmark::DoNotOptimize(p.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000000);
}
BENCHMARK(z_test_batch_threads)->Arg(2)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// 200 tables with cells in [1, 200].
void fisher_exact(benchmark::State& state) {
  std::vector<std::int64_t> cells(800);
  for (std::size_t i = 0; i < cells.size(); ++i)
    cells[i] = 1 + static_cast<std::int64_t>(splitmix(5, i) % 200);
  std::size_t t = 0;
  for (auto _ : state) {
    const auto r = patron::fisher_exact_test(cells[4 * t], cells[4 * t + 1], cells[4 * t + 2],
                                             cells[4 * t + 3]);
    benchmark::DoNotOptimize(r.p_value);
    t = (t + 1) % 200;
  }
}
BENCHMARK(fisher_exact)->Unit(benchmark::kMicrosecond);

// Samples of sizes state.range(0) and state.range(0) + 10 with values k / 1e4,
// k < 1e6 (ties rare): exact for 6 vs 16 (min <= 8), asymptotic for 50 vs 60.
void mann_whitney(benchmark::State& state) {
  const auto na = static_cast<Eigen::Index>(state.range(0));
  Eigen::VectorXd a(na), b(na + 10);
  for (Eigen::Index i = 0; i < a.size(); ++i)
    a(i) = static_cast<double>(splitmix(6, static_cast<std::uint64_t>(i)) % 1000000) / 1e4;
  for (Eigen::Index i = 0; i < b.size(); ++i)
    b(i) = static_cast<double>(splitmix(7, static_cast<std::uint64_t>(i)) % 1000000) / 1e4;
  for (auto _ : state) {
    const auto r = patron::mann_whitney_test(a, b);
    benchmark::DoNotOptimize(r.p_value);
  }
}
BENCHMARK(mann_whitney)->Arg(6)->Arg(50)->Unit(benchmark::kMicrosecond);

}  // namespace
