// CLV benchmarks: BG/NBD and Pareto/NBD fits on 1,000,000 generated customers, the
// sharded pattern accumulator, scoring,
// and patron::hyp2f1 against Boost 1.74's hypergeometric_pFq.
//
// The customers are drawn from a BG/NBD with CDNOW-like parameters; acquisition is
// spread over 12 weeks and times are whole days expressed in weeks, as a
// transaction log summarised by patron::summarize_transactions gives them. Set
// PATRON_CLV_BENCH_DATA=path to write the generated (x, t_x, T) to a CSV, which
// benchmarks/compare/compare_clv.py feeds to the scipy peer.
#include <benchmark/benchmark.h>

#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <patron/clv.hpp>
#include <patron/core/rng.hpp>

namespace {

struct dataset {
  Eigen::VectorXd x, t_x, T;
};

dataset generate(Eigen::Index n, std::uint64_t seed) {
  const patron::bgnbd_parameters p{0.25, 4.4, 0.8, 2.4};
  patron::rng g(seed);
  dataset d{Eigen::VectorXd(n), Eigen::VectorXd(n), Eigen::VectorXd(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    const double first_day = std::floor(84.0 * g.uniform());
    const double T_days = 357.0 - first_day;  // calibration ends on day 357
    const double lambda = g.gamma(p.r, 1.0 / p.alpha) / 7.0, dropout = g.beta(p.a, p.b);  // per day
    double t = 0.0, x = 0.0, last = 0.0;
    for (;;) {
      t += g.exponential(lambda);
      const double day = std::ceil(t);
      if (day > T_days) break;
      x += 1.0;
      last = day;
      if (g.bernoulli(dropout)) break;
    }
    d.x(i) = x;
    d.t_x(i) = last / 7.0;
    d.T(i) = T_days / 7.0;
  }
  return d;
}

const dataset& million() {
  static const dataset d = [] {
    dataset g = generate(1'000'000, 42);
    if (const char* path = std::getenv("PATRON_CLV_BENCH_DATA")) {
      if (FILE* f = std::fopen(path, "w")) {
        std::fprintf(f, "x,t_x,T\n");
        for (Eigen::Index i = 0; i < g.x.size(); ++i)
          std::fprintf(f, "%.0f,%.17g,%.17g\n", g.x(i), g.t_x(i), g.T(i));
        std::fclose(f);
      }
    }
    return g;
  }();
  return d;
}

// The fit's outcome as counters, so compare_clv.py can check it against scipy's.
void report(benchmark::State& state, const patron::clv_fit_report& r, std::initializer_list<double> parameters) {
  state.counters["converged"] = r.converged;
  state.counters["patterns"] = static_cast<double>(r.patterns);
  state.counters["log_likelihood"] = r.log_likelihood;
  int k = 0;
  for (double v : parameters) state.counters["p" + std::to_string(k++)] = v;
}

void fit_bgnbd_1m(benchmark::State& state) {
  const dataset& d = million();
  for (auto _ : state) {
    const patron::bgnbd_model m = patron::fit_bgnbd(d.x, d.t_x, d.T);
    benchmark::DoNotOptimize(m.parameters().r);
    report(state, m.report(), {m.parameters().r, m.parameters().alpha, m.parameters().a, m.parameters().b});
  }
}
BENCHMARK(fit_bgnbd_1m)->Unit(benchmark::kMillisecond);

void fit_bgnbd_1m_no_standard_errors(benchmark::State& state) {
  const dataset& d = million();
  patron::clv_fit_options o;
  o.standard_errors = false;
  for (auto _ : state) {
    const patron::bgnbd_model m = patron::fit_bgnbd(d.x, d.t_x, d.T, o);
    benchmark::DoNotOptimize(m.parameters().r);
  }
}
BENCHMARK(fit_bgnbd_1m_no_standard_errors)->Unit(benchmark::kMillisecond);

void fit_pareto_nbd_1m(benchmark::State& state) {
  const dataset& d = million();
  for (auto _ : state) {
    const patron::pareto_nbd_model m = patron::fit_pareto_nbd(d.x, d.t_x, d.T);
    benchmark::DoNotOptimize(m.parameters().r);
    report(state, m.report(), {m.parameters().r, m.parameters().alpha, m.parameters().s, m.parameters().beta});
  }
}
BENCHMARK(fit_pareto_nbd_1m)->Unit(benchmark::kMillisecond);

// The first 100,000 of the same customers: the size at which the scipy peer's
// Pareto/NBD fit (2F1 per row and likelihood evaluation) still finishes in minutes.
void fit_pareto_nbd_100k(benchmark::State& state) {
  const dataset& d = million();
  const Eigen::Index n = 100'000;
  for (auto _ : state) {
    const patron::pareto_nbd_model m = patron::fit_pareto_nbd(d.x.head(n), d.t_x.head(n), d.T.head(n));
    benchmark::DoNotOptimize(m.parameters().r);
    report(state, m.report(), {m.parameters().r, m.parameters().alpha, m.parameters().s, m.parameters().beta});
  }
}
BENCHMARK(fit_pareto_nbd_100k)->Unit(benchmark::kMillisecond);

void compress_btyd_1m(benchmark::State& state) {
  const dataset& d = million();
  for (auto _ : state) {
    const patron::btyd_patterns p = patron::compress_btyd(d.x, d.t_x, d.T);
    benchmark::DoNotOptimize(p.x.data());
  }
}
BENCHMARK(compress_btyd_1m)->Unit(benchmark::kMillisecond);

// The scale-out path: two shards of 500,000 accumulated separately, merged, patterns out.
void accumulate_merge_1m(benchmark::State& state) {
  const dataset& d = million();
  const Eigen::Index half = d.x.size() / 2;
  for (auto _ : state) {
    patron::btyd_pattern_accumulator a, b;
    a.add(d.x.head(half), d.t_x.head(half), d.T.head(half));
    b.add(d.x.tail(half), d.t_x.tail(half), d.T.tail(half));
    const patron::btyd_patterns p = a.merge(b).patterns();
    benchmark::DoNotOptimize(p.x.data());
  }
}
BENCHMARK(accumulate_merge_1m)->Unit(benchmark::kMillisecond);

void score_bgnbd_1m(benchmark::State& state) {
  const dataset& d = million();
  const patron::bgnbd_model m({0.25, 4.4, 0.8, 2.4});
  for (auto _ : state) {
    const Eigen::VectorXd e = m.conditional_expected_purchases(39.0, d.x, d.t_x, d.T);
    benchmark::DoNotOptimize(e.data());
  }
}
BENCHMARK(score_bgnbd_1m)->Unit(benchmark::kMillisecond);

// 2F1 at the BG/NBD conditional-expectation shape and near z = 1.
void hyp2f1_patron(benchmark::State& state) {
  const double z = state.range(0) / 1000.0;
  for (auto _ : state) benchmark::DoNotOptimize(patron::hyp2f1(2.243, 4.426, 5.219, z));
}
BENCHMARK(hyp2f1_patron)->Arg(470)->Arg(990);

void hyp2f1_boost_pfq(benchmark::State& state) {
  const double z = state.range(0) / 1000.0;
  for (auto _ : state)
    benchmark::DoNotOptimize(boost::math::hypergeometric_pFq({2.243, 4.426}, {5.219}, z));
}
BENCHMARK(hyp2f1_boost_pfq)->Arg(470)->Arg(990);

}  // namespace
