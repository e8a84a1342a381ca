// Benchmarks of patron/leads.hpp:
//   BM_score_leads    weighted score of 10,000,000 leads on 6 criteria (min-max, z-score,
//                     bins; two lower-is-better), normalisation learned on the same leads
//   BM_fit_logistic   Newton/IRLS logistic fit on 1,000,000 x 10 (unpenalised), 1 and 2 threads
//   BM_roc_auc        AUC of 1,000,000 scores with ties
// Data is generated with patron::rng, or read from PATRON_BENCH_LEADS_DIR (files written
// by benchmarks/compare/compare_leads.py: raw little-endian float64, column-major), so the
// Python peers time the same numbers; the fitted coefficients are written back there
// (coefficients.bin, intercept first) for the equal-coefficients check.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <patron/core/rng.hpp>
#include <patron/leads.hpp>
#include <stdexcept>
#include <string>

namespace {

const char* data_dir() { return std::getenv("PATRON_BENCH_LEADS_DIR"); }

Eigen::MatrixXd read_or_generate(const std::string& name, Eigen::Index rows, Eigen::Index cols,
                                 std::uint64_t seed) {
  Eigen::MatrixXd m(rows, cols);
  if (const char* dir = data_dir()) {
    std::ifstream in(std::string(dir) + "/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + std::string(dir) + "/" + name);
    in.read(reinterpret_cast<char*>(m.data()), static_cast<std::streamsize>(sizeof(double) * m.size()));
    if (!in) throw std::runtime_error(name + " is shorter than expected");
    return m;
  }
  patron::rng r(seed);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = r.normal();
  return m;
}

std::vector<patron::criterion> six_criteria() {
  std::vector<patron::criterion> c(6);
  for (std::size_t j = 0; j < 6; ++j) {
    c[j].name = "c" + std::to_string(j);
    c[j].weight = 1.0 + static_cast<double>(j);
  }
  c[1].direction = c[4].direction = patron::criterion_direction::lower_is_better;
  c[2].normalisation = c[3].normalisation = patron::criterion_normalisation::z_score;
  c[5].normalisation = patron::criterion_normalisation::bins;
  c[5].bin_edges = {-1.0, 0.0, 1.0};
  c[5].bin_points = {0, 10, 20, 40};
  return c;
}

void BM_score_leads(benchmark::State& state) {
  const Eigen::MatrixXd X = read_or_generate("score_X.bin", 10'000'000, 6, 1);
  const auto criteria = six_criteria();
  for (auto _ : state) {
    const auto scorer = patron::fit_lead_scorer(X, criteria);
    const auto s = scorer.score(X);
    benchmark::DoNotOptimize(s.total.data());
  }
  state.SetItemsProcessed(state.iterations() * X.rows());
}
BENCHMARK(BM_score_leads)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_fit_logistic(benchmark::State& state) {
  const Eigen::Index n = 1'000'000, p = 10;
  const Eigen::MatrixXd X = read_or_generate("fit_X.bin", n, p, 2);
  Eigen::VectorXd y(n);
  if (data_dir()) {
    y = read_or_generate("fit_y.bin", n, 1, 0);
  } else {
    patron::rng r(3);
    const Eigen::VectorXd beta = Eigen::VectorXd::LinSpaced(p, -0.5, 0.5);
    const Eigen::VectorXd eta = (X * beta).array() - 0.3;
    for (Eigen::Index i = 0; i < n; ++i) y(i) = r.bernoulli(1.0 / (1.0 + std::exp(-eta(i)))) ? 1 : 0;
  }
  patron::logistic_model m;
  patron::logistic_options options;
  options.threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    m = patron::fit_logistic(X, y, options);
    benchmark::DoNotOptimize(m.coefficients.data());
  }
  state.counters["iterations"] = m.iterations;
  if (const char* dir = data_dir()) {
    std::ofstream out(std::string(dir) + "/coefficients.bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(&m.intercept), sizeof(double));
    out.write(reinterpret_cast<const char*>(m.coefficients.data()),
              static_cast<std::streamsize>(sizeof(double) * static_cast<std::size_t>(p)));
  }
}
// Arg: options.threads. CPU time is the whole process's (all threads).
BENCHMARK(BM_fit_logistic)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

void BM_roc_auc(benchmark::State& state) {
  const Eigen::Index n = 1'000'000;
  patron::rng r(4);
  Eigen::VectorXd score(n), y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    score(i) = std::round(100 * r.uniform()) / 100;  // 101 distinct values: heavy ties
    y(i) = r.bernoulli(score(i)) ? 1 : 0;
  }
  for (auto _ : state) benchmark::DoNotOptimize(patron::roc_auc(y, score));
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_roc_auc)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
