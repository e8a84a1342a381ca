// btyd_pattern_accumulator: shards merged in any order equal the batch, bitwise; fits
// on the merged patterns equal fits on the customers; bad input names the row.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <patron/clv.hpp>
#include <patron/core/rng.hpp>
#include <vector>

namespace {

struct customers {
  Eigen::VectorXd x, t_x, T;
};

// BG/NBD customers with whole-day times in weeks (acquisition over 12 weeks, calibration
// ends on day 357), as summarize_transactions gives them: many customers share a pattern.
customers simulate_days(Eigen::Index n, std::uint64_t seed) {
  const patron::bgnbd_parameters p{0.25, 4.4, 0.8, 2.4};
  patron::rng g(seed);
  customers c{Eigen::VectorXd(n), Eigen::VectorXd(n), Eigen::VectorXd(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    const double T_days = 357.0 - std::floor(84.0 * g.uniform());
    const double lambda = g.gamma(p.r, 1.0 / p.alpha) / 7.0, dropout = g.beta(p.a, p.b);
    double t = 0.0, x = 0.0, last = 0.0;
    for (;;) {
      t += g.exponential(lambda);
      if (std::ceil(t) > T_days) break;
      x += 1.0;
      last = std::ceil(t);
      if (g.bernoulli(dropout)) break;
    }
    c.x(i) = x;
    c.t_x(i) = last / 7.0;
    c.T(i) = T_days / 7.0;
  }
  return c;
}

bool same(const patron::btyd_patterns& a, const patron::btyd_patterns& b) {
  return a.x == b.x && a.t_x == b.t_x && a.T == b.T && a.weight == b.weight;
}

}  // namespace

TEST_CASE("btyd_pattern_accumulator: shards merged in any order equal the batch, bitwise", "[property]") {
  const customers c = simulate_days(6000, 11);
  patron::btyd_pattern_accumulator batch;
  batch.add(c.x, c.t_x, c.T);
  const patron::btyd_patterns expected = batch.patterns();
  CHECK(same(expected, patron::compress_btyd(c.x, c.t_x, c.T)));
  CHECK(batch.rows() == 6000);
  CHECK(batch.size() == static_cast<std::size_t>(expected.size()));
  CHECK(expected.size() < 6000 / 2);  // whole-day data compresses
  CHECK(expected.weight.sum() == 6000.0);

  // Three uneven shards, filled three ways: one customer at a time, a batch, a
  // weighted batch.
  patron::btyd_pattern_accumulator shard[3];
  for (Eigen::Index i = 0; i < 1000; ++i) shard[0].add(c.x(i), c.t_x(i), c.T(i));
  shard[1].add(c.x.segment(1000, 3500), c.t_x.segment(1000, 3500), c.T.segment(1000, 3500));
  shard[2].add(c.x.tail(1500), c.t_x.tail(1500), c.T.tail(1500), Eigen::VectorXd::Ones(1500));
  std::vector<int> order{0, 1, 2};
  do {
    patron::btyd_pattern_accumulator merged = shard[order[0]];
    merged.merge(shard[order[1]]).merge(shard[order[2]]);
    CHECK(same(merged.patterns(), expected));
    CHECK(merged.rows() == 6000);
    // Tree-shaped merge: (a + (b + c)).
    patron::btyd_pattern_accumulator right = shard[order[1]];
    right.merge(shard[order[2]]);
    patron::btyd_pattern_accumulator tree = shard[order[0]];
    CHECK(same(tree.merge(right).patterns(), expected));
  } while (std::next_permutation(order.begin(), order.end()));

  // Serialised as plain arrays and rebuilt, shard by shard.
  patron::btyd_pattern_accumulator rebuilt;
  for (const auto& s : shard) {
    const patron::btyd_patterns p = s.patterns();
    rebuilt.merge(patron::btyd_pattern_accumulator(p.x, p.t_x, p.T, p.weight));
  }
  CHECK(same(rebuilt.patterns(), expected));
  CHECK(same(patron::btyd_pattern_accumulator(expected).patterns(), expected));
}

TEST_CASE("btyd_pattern_accumulator sums weights exactly when they are counts or dyadic", "[property]") {
  const customers c = simulate_days(3000, 5);
  Eigen::VectorXd w(3000);
  for (Eigen::Index i = 0; i < w.size(); ++i) w(i) = static_cast<double>(i % 7) * 0.25;  // includes zeros
  patron::btyd_pattern_accumulator batch, a, b;
  batch.add(c.x, c.t_x, c.T, w);
  // An interleaved split (even rows, odd rows), merged both ways.
  for (Eigen::Index i = 0; i < w.size(); ++i) (i % 2 == 0 ? a : b).add(c.x(i), c.t_x(i), c.T(i), w(i));
  patron::btyd_pattern_accumulator ab = a, ba = b;
  ab.merge(b);
  ba.merge(a);
  CHECK(same(ab.patterns(), batch.patterns()));
  CHECK(same(ba.patterns(), batch.patterns()));
  CHECK(batch.patterns().weight.sum() == w.sum());

  // -0.0 and 0.0 are one pattern, stored as +0.0 whichever came first.
  patron::btyd_pattern_accumulator zeros;
  zeros.add(0.0, -0.0, 5.0);
  zeros.add(-0.0, 0.0, 5.0, 2.0);
  const patron::btyd_patterns z = zeros.patterns();
  REQUIRE(z.size() == 1);
  CHECK(!std::signbit(z.t_x(0)));
  CHECK(!std::signbit(z.x(0)));
  CHECK(z.weight(0) == 3.0);
}

TEST_CASE("fits on merged patterns equal fits on the customers", "[property]") {
  const customers c = simulate_days(4000, 2026);
  patron::btyd_pattern_accumulator a, b;
  a.add(c.x.tail(2500), c.t_x.tail(2500), c.T.tail(2500));
  b.add(c.x.head(1500), c.t_x.head(1500), c.T.head(1500));
  const patron::btyd_patterns merged = a.merge(b).patterns();

  // The fit compresses the rows to the same canonical patterns and weights, so the
  // likelihood sums the same terms in the same order: identical, not merely close.
  const patron::bgnbd_model raw = patron::fit_bgnbd(c.x, c.t_x, c.T);
  const patron::bgnbd_model from_patterns = patron::fit_bgnbd(merged);
  REQUIRE(raw.report().converged);
  CHECK(from_patterns.parameters().r == raw.parameters().r);
  CHECK(from_patterns.parameters().alpha == raw.parameters().alpha);
  CHECK(from_patterns.parameters().a == raw.parameters().a);
  CHECK(from_patterns.parameters().b == raw.parameters().b);
  CHECK(from_patterns.report().log_likelihood == raw.report().log_likelihood);
  CHECK(from_patterns.report().total_weight == 4000.0);
  CHECK(from_patterns.report().patterns == static_cast<std::size_t>(merged.size()));

  const patron::pareto_nbd_model praw = patron::fit_pareto_nbd(c.x, c.t_x, c.T);
  const patron::pareto_nbd_model pmerged = patron::fit_pareto_nbd(merged);
  REQUIRE(praw.report().converged);
  CHECK(pmerged.parameters().r == praw.parameters().r);
  CHECK(pmerged.parameters().beta == praw.parameters().beta);
  CHECK(pmerged.report().log_likelihood == praw.report().log_likelihood);
}

TEST_CASE("btyd_pattern_accumulator rejects bad rows naming the row and stays unchanged", "[invalid]") {
  patron::btyd_pattern_accumulator acc;
  acc.add(2, 3, 10);
  acc.add(0, 0, 10);
  // One at a time: the row is named by its position among the rows received.
  CHECK_THROWS_WITH(acc.add(1, 12, 10), "patron::btyd_pattern_accumulator::add: t_x[2] (12) exceeds T[2] (10)");
  CHECK_THROWS_WITH(acc.add(-1, 0, 10), "patron::btyd_pattern_accumulator::add: x[2] (-1) must be a non-negative integer");
  CHECK_THROWS_WITH(acc.add(1, 2, 10, -1), "patron::btyd_pattern_accumulator::add: weights[2] (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(acc.add(1, 0, 10), "patron::btyd_pattern_accumulator::add: t_x[2] (0) must be positive when x[2] (1) is positive");
  // A batch: the row is named by its index in the batch; nothing is added.
  Eigen::VectorXd x(3), t_x(3), T(3), w(3);
  x << 1, 2, 3;
  t_x << 1, 2, std::nan("");
  T << 5, 5, 5;
  w << 1, 1, 1;
  CHECK_THROWS_WITH(acc.add(x, t_x, T), "patron::btyd_pattern_accumulator::add: t_x[2] (nan) must be finite and non-negative");
  t_x(2) = 3;
  w(1) = std::nan("");
  CHECK_THROWS_WITH(acc.add(x, t_x, T, w), "patron::btyd_pattern_accumulator::add: weights[1] (nan) must be finite and non-negative");
  CHECK_THROWS_WITH(acc.add(x, t_x, T, Eigen::VectorXd::Ones(2)),
                    "patron::btyd_pattern_accumulator::add: x has 3 elements but weights has 2");
  CHECK(acc.rows() == 2);
  CHECK(acc.size() == 2);
  CHECK_THROWS_WITH(patron::btyd_pattern_accumulator(x, t_x, T, w),
                    "patron::btyd_pattern_accumulator: weights[1] (nan) must be finite and non-negative");
  // An empty accumulator has no patterns to fit.
  CHECK_THROWS_WITH(patron::fit_bgnbd(patron::btyd_pattern_accumulator().patterns()),
                    "patron::fit_bgnbd: x must not be empty");
  patron::btyd_patterns zero = acc.patterns();
  zero.weight.setZero();
  CHECK_THROWS_WITH(patron::fit_pareto_nbd(zero), "patron::fit_pareto_nbd: weights (0) must not all be zero");
}
