// LDA and QDA fit + predict_proba on 200,000 customers x 10 features, 3 classes: the
// scikit-learn comparison of benchmarks/compare/compare_discriminant.py. The data are
// generated with patron::rng, or read from PATRON_DISCRIMINANT_DATA (raw little-endian
// float64 features row by row, then int32 labels), which the comparison script writes so
// both libraries see the same numbers.
#include <benchmark/benchmark.h>

#include <patron/core/rng.hpp>
#include <patron/discriminant.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace {

constexpr Eigen::Index rows = 200000;
constexpr Eigen::Index features = 10;

struct data {
  Eigen::MatrixXd X;
  Eigen::VectorXi y;
};

const data& bench_data() {
  static const data d = [] {
    data out{Eigen::MatrixXd(rows, features), Eigen::VectorXi(rows)};
    if (const char* path = std::getenv("PATRON_DISCRIMINANT_DATA")) {
      std::ifstream in(path, std::ios::binary);
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(rows, features);
      Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1> y(rows);
      in.read(reinterpret_cast<char*>(X.data()), static_cast<std::streamsize>(sizeof(double) * X.size()));
      in.read(reinterpret_cast<char*>(y.data()), static_cast<std::streamsize>(sizeof(std::int32_t) * y.size()));
      if (!in) throw std::runtime_error(std::string("cannot read ") + path);
      out.X = X;
      out.y = y.cast<int>();
      return out;
    }
    patron::rng gen(42);
    for (Eigen::Index i = 0; i < rows; ++i) {
      const int c = static_cast<int>(i % 3);
      out.y(i) = c;
      for (Eigen::Index j = 0; j < features; ++j)
        out.X(i, j) = gen.normal(0.5 * c * static_cast<double>(j % 3), 1.0 + 0.25 * c);
    }
    return out;
  }();
  return d;
}

void lda_fit_predict_proba(benchmark::State& state) {
  const data& d = bench_data();
  for (auto _ : state) {
    const auto m = patron::fit_lda(d.X, d.y);
    benchmark::DoNotOptimize(m.predict_proba(d.X).data());
  }
}

void qda_fit_predict_proba(benchmark::State& state) {
  const data& d = bench_data();
  for (auto _ : state) {
    const auto m = patron::fit_qda(d.X, d.y);
    benchmark::DoNotOptimize(m.predict_proba(d.X).data());
  }
}

void lda_fit_predict_proba_float(benchmark::State& state) {
  const data& d = bench_data();
  const Eigen::MatrixXf X = d.X.cast<float>();
  for (auto _ : state) {
    const auto m = patron::fit_lda(X, d.y);
    benchmark::DoNotOptimize(m.predict_proba(X).data());
  }
}

void qda_fit_predict_proba_float(benchmark::State& state) {
  const data& d = bench_data();
  const Eigen::MatrixXf X = d.X.cast<float>();
  for (auto _ : state) {
    const auto m = patron::fit_qda(X, d.y);
    benchmark::DoNotOptimize(m.predict_proba(X).data());
  }
}

}  // namespace

BENCHMARK(lda_fit_predict_proba)->Unit(benchmark::kMillisecond);
BENCHMARK(qda_fit_predict_proba)->Unit(benchmark::kMillisecond);
BENCHMARK(lda_fit_predict_proba_float)->Unit(benchmark::kMillisecond);
BENCHMARK(qda_fit_predict_proba_float)->Unit(benchmark::kMillisecond);
