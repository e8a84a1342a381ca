// k-means speed: 1,000,000 x 8 doubles, k = 8 (the benchmark), on 1 and 2
// threads. benchmarks/compare/compare_kmeans.py runs this binary and scikit-learn on the
// same data: it writes the data and the initial centres to PATRON_KMEANS_DATA (raw
// little-endian float64: rows, cols, k as three doubles, then X row-major, then the k
// initial centres row-major). Without that variable the data are generated here.
//
//   kmeans_lloyd/threads/iterations   fit from the given centres, tol = 0, fixed
//                                     iterations: the per-iteration time is the slope
//                                     between two iteration counts
//   kmeans_fit/threads                the full fit from the given centres, tol = 1e-4
//   kmeans_plus_plus/threads          greedy k-means++ seeding alone
//   kmeans_assign_pass/threads/screen one assignment + sums pass (the body of an iteration);
//                                     screen 0: double-only scoring, for comparison
//   kmeans_predict                    predict on X with the given centres (validation,
//                                     column means, one assignment pass; one thread)
//   kmeans_input_checks               predict's input checks alone (finite X, squared
//                                     distances within range): their share of predict
//   read_bandwidth                    sum of X: the memory-bandwidth floor of a pass
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <patron/core/rng.hpp>
#include <patron/kmeans.hpp>
#include <stdexcept>
#include <vector>

namespace {

struct bench_data {
  Eigen::MatrixXd X;        // column-major, rows are samples
  Eigen::MatrixXd centers;  // k x d
};

const bench_data& data() {
  static const bench_data d = [] {
    bench_data out;
    if (const char* path = std::getenv("PATRON_KMEANS_DATA")) {
      std::ifstream in(path, std::ios::binary);
      if (!in) throw std::runtime_error("cannot open PATRON_KMEANS_DATA");
      double shape[3];
      in.read(reinterpret_cast<char*>(shape), sizeof shape);
      const auto n = static_cast<Eigen::Index>(shape[0]), p = static_cast<Eigen::Index>(shape[1]),
                 k = static_cast<Eigen::Index>(shape[2]);
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows(n, p), c(k, p);
      in.read(reinterpret_cast<char*>(rows.data()), static_cast<std::streamsize>(sizeof(double) * rows.size()));
      in.read(reinterpret_cast<char*>(c.data()), static_cast<std::streamsize>(sizeof(double) * c.size()));
      if (!in) throw std::runtime_error("PATRON_KMEANS_DATA is truncated");
      out.X = rows;
      out.centers = c;
      return out;
    }
    patron::rng gen(42);
    out.X.resize(1000000, 8);
    for (Eigen::Index i = 0; i < out.X.rows(); ++i) {
      const double shift = 1.5 * static_cast<double>(i % 8);  // as compare_kmeans.py
      for (Eigen::Index f = 0; f < 8; ++f) out.X(i, f) = gen.normal() + (f == i % 8 ? shift : 0.0);
    }
    out.centers = out.X.topRows(8);
    return out;
  }();
  return d;
}

patron::kmeans_options given_options(unsigned threads) {
  patron::kmeans_options o;
  o.k = static_cast<int>(data().centers.rows());
  o.init = patron::kmeans_init::given_centers;
  o.initial_centers = data().centers;
  o.threads = threads;
  return o;
}

void kmeans_lloyd(benchmark::State& state) {
  auto o = given_options(static_cast<unsigned>(state.range(0)));
  o.tol = 0.0;
  o.max_iter = static_cast<int>(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(patron::kmeans_fit(data().X, o).inertia);
}
BENCHMARK(kmeans_lloyd)->ArgsProduct({{1, 2}, {2, 12}})->Unit(benchmark::kMillisecond)->UseRealTime();

void kmeans_fit(benchmark::State& state) {
  const auto o = given_options(static_cast<unsigned>(state.range(0)));
  int iterations = 0;
  double inertia = 0.0;
  for (auto _ : state) {
    const auto m = patron::kmeans_fit(data().X, o);
    iterations = m.iterations;
    inertia = m.inertia;
  }
  state.counters["fit_iterations"] = iterations;
  state.counters["fit_inertia"] = inertia;
}
BENCHMARK(kmeans_fit)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void kmeans_plus_plus(benchmark::State& state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  const int k = static_cast<int>(data().centers.rows());
  for (auto _ : state) benchmark::DoNotOptimize(patron::kmeans_plus_plus(data().X, k, 0, threads).data());
}
BENCHMARK(kmeans_plus_plus)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// state.range(1): 1 = the float-screened scoring (the default), 0 = double only.
void kmeans_assign_pass(benchmark::State& state) {
  const auto& X = data().X;
  const Eigen::VectorXd mean = X.colwise().mean().transpose();
  const Eigen::MatrixXd centred = data().centers.transpose().colwise() - mean;
  const auto scores = patron::detail::prepare_scores<double>(
      centred, state.range(1) ? patron::detail::double_scoring::float_screen : patron::detail::double_scoring::double_only);
  Eigen::VectorXi labels = Eigen::VectorXi::Constant(X.rows(), -1);
  std::vector<patron::detail::chunk_sums> sums;
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    patron::detail::assign_rows<double>(X, mean, nullptr, scores, threads, labels, &sums);
    benchmark::DoNotOptimize(sums.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * X.size() * 8);
}
BENCHMARK(kmeans_assign_pass)->Args({1, 1})->Args({2, 1})->Args({1, 0})->Unit(benchmark::kMillisecond)->UseRealTime();

patron::kmeans_model<double> given_model() {
  patron::kmeans_model<double> m;
  m.centers = data().centers;
  return m;
}

void kmeans_predict(benchmark::State& state) {
  const auto model = given_model();
  for (auto _ : state) benchmark::DoNotOptimize(model.predict(data().X).data());
}
BENCHMARK(kmeans_predict)->Unit(benchmark::kMillisecond)->UseRealTime();

void kmeans_input_checks(benchmark::State& state) {
  const auto& X = data().X;
  const Eigen::MatrixXd& centers = data().centers;
  for (auto _ : state) {
    patron::detail::require_distances_in_range<double>(
        "bench", "X", X, patron::detail::require_finite_ranges("bench", "X", X), "centers", centers,
        static_cast<double>(X.rows()));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(kmeans_input_checks)->Unit(benchmark::kMillisecond)->UseRealTime();

void read_bandwidth(benchmark::State& state) {
  const auto& X = data().X;
  for (auto _ : state) benchmark::DoNotOptimize(X.sum());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * X.size() * 8);
}
BENCHMARK(read_bandwidth)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
