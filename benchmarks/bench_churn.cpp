// Benchmarks of patron/churn.hpp. The data are deterministic low-discrepancy sequences
// (no RNG) so that benchmarks/compare/compare_churn.py builds exactly the same data in
// numpy and R:
//   u_i = frac((i + 1) * 0.6180339887498949)
//   sBG durations: the smallest t >= 1 with S(t) < u_i under sBG(0.704, 1.182),
//                  censored (event 0) at 24 periods
//   KM data: exit_i = 1 + floor(100 u_i), event_i = (i mod 4 != 0), group_i = i mod 2
#include <benchmark/benchmark.h>

#include <patron/churn.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

double sequence(std::size_t i) {
  const double x = static_cast<double>(i + 1) * 0.6180339887498949;
  return x - std::floor(x);
}

struct duration_data {
  Eigen::VectorXd duration, event;
};

duration_data sbg_durations(std::size_t n) {
  const int horizon = 24;
  const Eigen::VectorXd s = patron::sbg_survival_curve({0.704, 1.182}, horizon);
  duration_data d{Eigen::VectorXd(static_cast<Eigen::Index>(n)), Eigen::VectorXd(static_cast<Eigen::Index>(n))};
  for (std::size_t i = 0; i < n; ++i) {
    const double u = sequence(i);
    int t = 1;
    while (t <= horizon && !(s(t) < u)) ++t;
    const auto k = static_cast<Eigen::Index>(i);
    d.duration(k) = std::min(t, horizon);
    d.event(k) = t <= horizon ? 1.0 : 0.0;
  }
  return d;
}

struct km_data {
  Eigen::VectorXd exit_time, event, group;
};

km_data km_sequence(std::size_t n) {
  km_data d{Eigen::VectorXd(static_cast<Eigen::Index>(n)), Eigen::VectorXd(static_cast<Eigen::Index>(n)),
            Eigen::VectorXd(static_cast<Eigen::Index>(n))};
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    d.exit_time(k) = 1.0 + std::floor(100.0 * sequence(i));
    d.event(k) = i % 4 != 0 ? 1.0 : 0.0;
    d.group(k) = static_cast<double>(i % 2);
  }
  return d;
}

void BM_sbg_fit_counts_paper(benchmark::State& state) {
  Eigen::VectorXd alive(8);
  alive << 1000, 631, 468, 382, 326, 289, 262, 241;
  for (auto _ : state) benchmark::DoNotOptimize(patron::sbg_fit_counts(alive).alpha);
}
BENCHMARK(BM_sbg_fit_counts_paper)->Unit(benchmark::kMicrosecond);

void BM_sbg_fit_durations(benchmark::State& state) {
  const auto d = sbg_durations(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(patron::sbg_fit_durations(d.duration, d.event).alpha);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_sbg_fit_durations)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_bdw_fit_durations(benchmark::State& state) {
  const auto d = sbg_durations(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(patron::bdw_fit_durations(d.duration, d.event).c);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_bdw_fit_durations)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_kaplan_meier(benchmark::State& state) {
  const auto d = km_sequence(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(patron::kaplan_meier(d.exit_time, d.event).survival(0));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_kaplan_meier)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_logrank(benchmark::State& state) {
  const auto d = km_sequence(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(patron::logrank_test(d.exit_time, d.event, d.group).statistic);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_logrank)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_sbg_derl(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(patron::sbg_derl({0.704, 1.182}, 0.10, 4));
}
BENCHMARK(BM_sbg_derl)->Unit(benchmark::kMicrosecond);

}  // namespace
