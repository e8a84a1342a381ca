// CART fit and predict on 200,000 customers x 10 features, 3 classes (the issue's
// benchmark). benchmarks/compare/compare_tree.py runs this binary and scikit-learn's
// DecisionTreeClassifier on the same data: it writes the data to a file and passes its
// path in PATRON_BENCH_TREE_DATA. Without it the data are generated here.
#include <benchmark/benchmark.h>

#include <patron/core/rng.hpp>
#include <patron/tree.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace {

struct bench_data {
  Eigen::MatrixXd X;
  Eigen::MatrixXf X_float;
  Eigen::VectorXi y;
};

// File layout (little-endian): int64 rows, int64 cols, rows x cols float64 row-major,
// rows int32 labels.
bench_data read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::int64_t rows = 0, cols = 0;
  in.read(reinterpret_cast<char*>(&rows), sizeof rows);
  in.read(reinterpret_cast<char*>(&cols), sizeof cols);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(rows, cols);
  in.read(reinterpret_cast<char*>(X.data()), static_cast<std::streamsize>(sizeof(double) * X.size()));
  bench_data d;
  d.X = X;
  d.y.resize(rows);
  in.read(reinterpret_cast<char*>(d.y.data()), static_cast<std::streamsize>(sizeof(int) * rows));
  if (!in) throw std::runtime_error("truncated " + path);
  return d;
}

// The same recipe as compare_tree.py: a noisy non-linear score cut into 3 classes.
bench_data generate(Eigen::Index rows, Eigen::Index cols) {
  patron::rng random(42);
  bench_data d;
  d.X.resize(rows, cols);
  d.y.resize(rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) d.X(i, j) = random.normal();
    const double score = d.X(i, 0) + 0.8 * d.X(i, 1) * d.X(i, 1) - 0.6 * d.X(i, 2) * d.X(i, 3) +
                         0.5 * std::sin(3.0 * d.X(i, 4)) + 0.5 * random.normal();
    d.y(i) = score < 0.2 ? 0 : (score < 1.2 ? 1 : 2);
  }
  return d;
}

const bench_data& data() {
  static const bench_data d = [] {
    const char* path = std::getenv("PATRON_BENCH_TREE_DATA");
    bench_data loaded = path ? read_file(path) : generate(200000, 10);
    loaded.X_float = loaded.X.cast<float>();
    return loaded;
  }();
  return d;
}

patron::tree_classifier_options options_for(const benchmark::State& state) {
  patron::tree_classifier_options o;
  if (state.range(0) > 0) o.max_depth = static_cast<int>(state.range(0));
  return o;
}

// state.range(0): max_depth, 0 = unlimited.
void tree_fit(benchmark::State& state) {
  const auto& d = data();
  const auto o = options_for(state);
  int leaves = 0;
  for (auto _ : state) {
    const auto tree = patron::fit_tree_classifier(d.X, d.y, o);
    leaves = tree.leaf_count();
    benchmark::DoNotOptimize(leaves);
  }
  state.counters["leaves"] = leaves;
}

void tree_fit_float(benchmark::State& state) {
  const auto& d = data();
  const auto o = options_for(state);
  for (auto _ : state) {
    const auto tree = patron::fit_tree_classifier(d.X_float, d.y, o);
    benchmark::DoNotOptimize(tree.node_count());
  }
}

// state.range(1): threads of predict.
void tree_predict(benchmark::State& state) {
  const auto& d = data();
  const auto tree = patron::fit_tree_classifier(d.X, d.y, options_for(state));
  patron::tree_predict_options o;
  o.threads = static_cast<unsigned>(state.range(1));
  double accuracy = 0.0;
  for (auto _ : state) {
    const Eigen::VectorXi predicted = tree.predict(d.X, o);
    benchmark::DoNotOptimize(predicted.data());
    accuracy = (predicted.array() == d.y.array()).cast<double>().mean();
  }
  state.counters["train_accuracy"] = accuracy;
}

// state.range(1): threads of decision_path.
void tree_decision_path(benchmark::State& state) {
  const auto& d = data();
  const auto tree = patron::fit_tree_classifier(d.X, d.y, options_for(state));
  patron::tree_predict_options o;
  o.threads = static_cast<unsigned>(state.range(1));
  std::size_t visited = 0;
  for (auto _ : state) {
    const auto paths = tree.decision_path(d.X, o);
    benchmark::DoNotOptimize(paths.nodes.data());
    visited = paths.nodes.size();
  }
  state.counters["nodes_per_row"] = static_cast<double>(visited) / static_cast<double>(d.X.rows());
}

BENCHMARK(tree_fit)->Arg(0)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK(tree_fit_float)->Arg(0)->Arg(8)->Unit(benchmark::kMillisecond);
// CPU time of the whole process, so that the 2-thread runs count both threads.
BENCHMARK(tree_predict)
    ->ArgsProduct({{0, 8}, {1, 2}})
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(tree_decision_path)
    ->ArgsProduct({{0, 8}, {1, 2}})
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
