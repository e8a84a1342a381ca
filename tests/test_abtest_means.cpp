// Continuous metrics: t-tests and Mann-Whitney U against scipy/statsmodels, the
// mergeable moment accumulators, properties and bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <patron/abtest.hpp>
#include <patron/core/rng.hpp>

#include "reference/abtest/abtest_reference.hpp"
#include "support/close_to.hpp"

using namespace abtest_reference;

namespace {
Eigen::VectorXd vec(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}
}  // namespace

TEST_CASE("Student and Welch t-tests equal scipy ttest_ind", "[reference]") {
  for (const auto& c : t_cases) {
    patron::t_test_options o;
    o.alt = c.alt;
    o.variance = c.variance;
    const auto r = patron::t_test(vec(*c.a), vec(*c.b), o);
    INFO("n " << c.a->size() << "," << c.b->size() << " alt " << static_cast<int>(c.alt));
    // 1e-10 relative: scipy's t.sf (cdflib) and Boost's students_t agree to that.
    CHECK_THAT(r.statistic, close_to(c.statistic, 1e-10));
    CHECK_THAT(r.p_value, close_to(c.p_value, 1e-10));
    // statsmodels CompareMeans.tconfint_diff. Its t quantile, scipy t.ppf (cdflib
    // stdtrit), is off by up to 2.5e-9 relative (df 42.898: 2.0168304047 vs mpmath
    // 2.0168304098; Boost agrees with mpmath), so the endpoints are checked to 5e-9 of
    // the half-width.
    const double half = (c.ci_upper - c.ci_lower) / 2.0;
    CHECK_THAT(r.difference_interval.lower, close_to(c.ci_lower, 1e-10, 5e-9 * half));
    CHECK_THAT(r.difference_interval.upper, close_to(c.ci_upper, 1e-10, 5e-9 * half));
  }
}

TEST_CASE("summary-statistics t-test equals the raw-sample test", "[property]") {
  const auto a = vec(sample_unequal_a), b = vec(sample_unequal_b);
  patron::moment_accumulator ma, mb;
  for (double x : sample_unequal_a) ma.add(x);
  for (double x : sample_unequal_b) mb.add(x);
  const auto raw = patron::t_test(a, b);
  const auto summary = patron::t_test_from_summary(ma.summary(), mb.summary());
  CHECK(raw.statistic == summary.statistic);
  CHECK(raw.p_value == summary.p_value);
  CHECK_THAT(raw.degrees_of_freedom, close_to(summary.degrees_of_freedom, 1e-15));
}

TEST_CASE("batch t-test from summaries equals the single test row by row", "[property][invalid]") {
  // Bit for bit where the compiler does not contract a * b + c into fused multiply-adds;
  // with FMA targets (-march=native) it may contract the two call sites differently, so
  // the results agree to a few ulp there.
#if defined(__FMA__)
  const auto same = [](double a, double b) { return a == b || std::abs(a - b) <= 1e-14 * std::abs(b); };
#else
  const auto same = [](double a, double b) { return a == b; };
#endif
  patron::rng g(11);
  const Eigen::Index n = 200;
  Eigen::VectorXd na(n), ma(n), va(n), nb(n), mb(n), vb(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    na(i) = 2.0 + static_cast<double>(g.uniform_index(500));
    nb(i) = 2.0 + static_cast<double>(g.uniform_index(500));
    ma(i) = 10.0 * g.normal();
    mb(i) = ma(i) + g.normal();
    va(i) = i == 0 ? 0.0 : 1.0 + 5.0 * g.uniform();  // row 0: one variance zero
    vb(i) = i == 0 ? 0.0 : 1.0 + 5.0 * g.uniform();  // ... and both (df falls back)
  }
  Eigen::VectorXd t(n), p(n), df(n);
  for (auto variance : {patron::variance_assumption::unequal, patron::variance_assumption::equal}) {
    for (auto alt : {patron::alternative::two_sided, patron::alternative::greater,
                     patron::alternative::less}) {
      patron::t_test_options o;
      o.variance = variance;
      o.alt = alt;
      patron::t_test_from_summary_batch(na, ma, va, nb, mb, vb, t, p, df, o);
      for (Eigen::Index i = 0; i < n; ++i) {
        const auto r = patron::t_test_from_summary({na(i), ma(i), va(i)}, {nb(i), mb(i), vb(i)}, o);
        INFO("row " << i);
        CHECK(same(t(i), r.statistic));
        CHECK(same(p(i), r.p_value));
        CHECK(same(df(i), r.degrees_of_freedom));
      }
    }
  }
  t.setConstant(-1.0);
  va(150) = -1.0;
  CHECK_THROWS_WITH(patron::t_test_from_summary_batch(na, ma, va, nb, mb, vb, t, p, df),
                    "patron::t_test_from_summary_batch: variance_a[150] (-1) must be finite and "
                    "non-negative");
  CHECK(t(149) != -1.0);
  CHECK(t(150) == -1.0);
  va(150) = 1.0;
  nb(7) = 1.0;
  CHECK_THROWS_WITH(patron::t_test_from_summary_batch(na, ma, va, nb, mb, vb, t, p, df),
                    "patron::t_test_from_summary_batch: count_b[7] (1) must be at least 2");
  Eigen::VectorXd short_df(n - 1);
  CHECK_THROWS_WITH(patron::t_test_from_summary_batch(na, ma, va, nb, mb, vb, t, p, short_df),
                    Catch::Contains("degrees_of_freedom has 199"));
}

TEST_CASE("paired t-test equals scipy ttest_rel", "[reference]") {
  for (const auto& c : paired_cases) {
    patron::t_test_options o;
    o.alt = c.alt;
    const auto r = patron::paired_t_test(vec(sample_paired_a), vec(sample_paired_b), o);
    CHECK_THAT(r.statistic, close_to(c.statistic, 1e-10));
    CHECK_THAT(r.p_value, close_to(c.p_value, 1e-10));
    // scipy TtestResult.confidence_interval(0.95): two-sided only.
    if (c.alt == patron::alternative::two_sided) {
      CHECK_THAT(r.difference_interval.lower, close_to(c.ci_lower, 1e-10));
      CHECK_THAT(r.difference_interval.upper, close_to(c.ci_upper, 1e-10));
    }
  }
}

TEST_CASE("Mann-Whitney U equals scipy mannwhitneyu, exact and asymptotic", "[reference]") {
  for (const auto& c : mwu_cases) {
    patron::mann_whitney_options o;
    o.alt = c.alt;
    o.method = c.method;
    o.continuity = c.continuity;
    const auto r = patron::mann_whitney_test(vec(*c.a), vec(*c.b), o);
    INFO("n " << c.a->size() << "," << c.b->size() << " method " << static_cast<int>(c.method)
              << " alt " << static_cast<int>(c.alt));
    CHECK(r.statistic == c.statistic);
    CHECK_THAT(r.p_value, close_to(c.p_value, 1e-10));
  }
}

TEST_CASE("Mann-Whitney: automatic choice, symmetry, all ties", "[property][edge]") {
  const auto a = vec(sample_tiny_a), b = vec(sample_tiny_b);
  CHECK(patron::mann_whitney_test(a, b).method == patron::mann_whitney_method::exact);
  CHECK(patron::mann_whitney_test(vec(sample_ties_a), vec(sample_ties_b)).method ==
        patron::mann_whitney_method::asymptotic);
  const auto ab = patron::mann_whitney_test(a, b), ba = patron::mann_whitney_test(b, a);
  CHECK_THAT(ab.p_value, close_to(ba.p_value, 1e-14));
  CHECK(ab.statistic + ba.statistic == double(a.size() * b.size()));
  const Eigen::VectorXd same = Eigen::VectorXd::Constant(10, 3.0);
  CHECK(patron::mann_whitney_test(same, same).p_value == 1.0);
}

TEST_CASE("moment accumulators merge to the one-pass result", "[property]") {
  patron::rng g(11);
  patron::moment_accumulator whole, left, right;
  patron::covariance_accumulator cw, cl, cr;
  for (int i = 0; i < 1000; ++i) {
    const double x = 1e6 + g.normal(0.0, 3.0), y = 2.0 * x + g.normal();
    whole.add(x);
    cw.add(y, x);
    (i % 3 == 0 ? left : right).add(x);
    (i % 3 == 0 ? cl : cr).add(y, x);
  }
  left.merge(right);
  cl.merge(cr);
  CHECK(left.count() == whole.count());
  CHECK_THAT(left.mean(), close_to(whole.mean(), 1e-14));
  CHECK_THAT(left.variance(), close_to(whole.variance(), 1e-10));
  CHECK_THAT(cl.covariance(), close_to(cw.covariance(), 1e-10));
  CHECK_THAT(cl.variance_y(), close_to(cw.variance_y(), 1e-10));
  // Welford keeps the variance of values near 1e6 accurate (sd 3 -> variance ~9).
  CHECK(std::abs(whole.variance() - 9.0) < 1.0);
  CHECK_THROWS_WITH(whole.add(std::nan("")),
                    "patron::moment_accumulator::add: value (nan) must be finite");
}

TEST_CASE("accumulators rebuilt from their state merge bit for bit like the originals", "[property]") {
  patron::rng g(12);
  patron::moment_accumulator a, b;
  patron::covariance_accumulator ca, cb;
  for (int i = 0; i < 100; ++i) {
    const double x = g.normal(5.0, 2.0), y = x + g.normal();
    (i % 2 ? a : b).add(x);
    (i % 2 ? ca : cb).add(y, x);
  }
  auto shipped = patron::moment_accumulator::from_state(a.state());
  auto shipped_c = patron::covariance_accumulator::from_state(ca.state());
  shipped.merge(b);
  shipped_c.merge(cb);
  a.merge(b);
  ca.merge(cb);
  CHECK(shipped.state() == a.state());
  CHECK(shipped_c.state() == ca.state());
  CHECK_THROWS_WITH(patron::moment_accumulator::from_state({-1.0, 0.0, 0.0}),
                    "patron::moment_accumulator::from_state: state[0] (-1) must be non-negative");
  CHECK_THROWS_WITH(patron::covariance_accumulator::from_state({2.0, 0.0, std::nan(""), 0.0, 0.0, 0.0}),
                    "patron::covariance_accumulator::from_state: state[2] (nan) must be finite");
}

TEST_CASE("t-tests and Mann-Whitney reject bad samples", "[invalid]") {
  Eigen::VectorXd one(1), ok(3), bad(3);
  one << 1.0;
  ok << 1.0, 2.0, 3.0;
  bad << 1.0, std::numeric_limits<double>::quiet_NaN(), 3.0;
  CHECK_THROWS_WITH(patron::t_test(one, ok), "patron::t_test: a.size() (1) must be at least 2");
  CHECK_THROWS_WITH(patron::t_test(ok, bad), "patron::t_test: b[1] (nan) must be finite");
  CHECK_THROWS_WITH(patron::paired_t_test(ok, Eigen::VectorXd(ok.head(2))),
                    "patron::paired_t_test: a has 3 elements but b has 2");
  CHECK_THROWS_WITH(patron::mann_whitney_test(bad, ok),
                    "patron::mann_whitney_test: a[1] (nan) must not be NaN");
  patron::mann_whitney_options exact;
  exact.method = patron::mann_whitney_method::exact;
  const Eigen::VectorXd big = Eigen::VectorXd::LinSpaced(201, 0.0, 1.0);
  CHECK_THROWS_WITH(patron::mann_whitney_test(big, big, exact),
                    Catch::Contains("a.size() * b.size() (40401) exceeds 40000"));
  patron::t_test_options o;
  o.confidence = 0.0;
  CHECK_THROWS_WITH(patron::t_test(ok, ok, o),
                    "patron::t_test: options.confidence (0) must be in (0, 1)");
  CHECK_THROWS_WITH(patron::t_test_from_summary({1, 0, 1}, {5, 0, 1}),
                    "patron::t_test_from_summary: a.count (1) must be at least 2");
}
