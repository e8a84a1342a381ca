// Hostile input for the A/B tests: integer overflow in counts, values at the edge of the
// double range, and inputs that used to crash, hang, leak a Boost exception or return
// NaN. Each case failed before its fix (named in the section).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <patron/abtest.hpp>

#include "support/close_to.hpp"

using patron_test::close_to;

namespace {
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

Eigen::VectorXd values(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out(i++) = x;
  return out;
}
}  // namespace

TEST_CASE("fisher_exact_test: counts near 2^32 neither overflow nor exhaust memory", "[invalid][edge]") {
  // a + b + c + d used to overflow std::int64_t (UB), and n + 2 to wrap in unsigned,
  // putting the mode at infinity and the recurrence out of memory.
  CHECK_THROWS_WITH(patron::fisher_exact_test(int64_max, 1, 1, 1),
                    "patron::fisher_exact_test: a (9223372036854775807) exceeds the range of "
                    "Boost's hypergeometric");
  CHECK_THROWS_WITH(patron::fisher_exact_test(1, 1, 1, int64_max),
                    "patron::fisher_exact_test: d (9223372036854775807) exceeds the range of "
                    "Boost's hypergeometric");
  // scipy.stats.fisher_exact([[2147483647, 2147483646], [1, 0]]): odds ratio 0, p = 1
  // (tests/reference/abtest/hostile_values.py).
  const auto r = patron::fisher_exact_test(2147483647, 2147483646, 1, 0);
  CHECK(r.odds_ratio == 0.0);
  CHECK_THAT(r.p_value, close_to(1.0, 1e-12));
}

TEST_CASE("simple sequential test: no signed overflow at the int64 limits", "[invalid][edge]") {
  CHECK_THROWS_WITH(patron::simple_sequential_design(int64_max),
                    "patron::simple_sequential_design: total_conversions (9223372036854775807) "
                    "must not exceed 2^53");
  const auto plan = patron::simple_sequential_design(1000);
  // conversions_a + conversions_b used to overflow.
  CHECK(patron::simple_sequential_decision(plan, int64_max, int64_max) ==
        patron::sequential_decision::no_winner);
  patron::simple_sequential_plan bad = plan;
  bad.total_conversions = 0;
  CHECK_THROWS_WITH(patron::simple_sequential_decision(bad, 1, 1),
                    "patron::simple_sequential_decision: plan.total_conversions (0) must be positive");
}

TEST_CASE("Mann-Whitney automatic: a small sample against a large one is not exact", "[edge]") {
  // 8 values against 5001: automatic used to pick the exact recursion, whose cost grows
  // as n_A n_B max(n) min(n) (minutes at 8 against 10^5). Beyond the exact limit of
  // n_A n_B = 40 000 it is the asymptotic test, scipy's method="asymptotic":
  // mannwhitneyu(b, a, method="asymptotic") gives U = 39992, p = 1.0055971620705725e-06
  // (tests/reference/abtest/hostile_values.py).
  const Eigen::VectorXd a = Eigen::VectorXd::LinSpaced(8, 0.0, 7.0);
  const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(5001, 0.5, 10000.5);
  const auto r = patron::mann_whitney_test(a, b);
  CHECK(r.method == patron::mann_whitney_method::asymptotic);
  CHECK(r.statistic == 39992.0);
  CHECK_THAT(r.p_value, close_to(1.0055971620705725e-06, 1e-9));
}

TEST_CASE("t-tests: variances and values near the double range", "[invalid][edge]") {
  // Welch's degrees of freedom squared the variances: inf / inf = NaN reached Boost,
  // whose domain_error escaped. In shares of the total variance the df is 9 here (the
  // variance of A dominates: df -> n_A - 1).
  const auto r = patron::t_test_from_summary({10, 0, 1e308}, {10, 0, 1});
  CHECK_THAT(r.degrees_of_freedom, close_to(9.0, 1e-12));
  CHECK(r.p_value == 1.0);
  Eigen::VectorXd stat(1), p(1), df(1);
  patron::t_test_from_summary_batch(values({10}), values({0}), values({1e308}), values({10}),
                                    values({0}), values({1}), stat, p, df);
  CHECK(df(0) == r.degrees_of_freedom);
  // Finite samples whose variance overflows: named by the largest value, under the
  // caller's function and argument (was "t_test_from_summary: a.mean (nan)").
  CHECK_THROWS_WITH(patron::t_test(values({1e308, -1e308, 0}), values({1, 2, 3})),
                    "patron::t_test: a[0] (1e+308) is so large that the sample's mean or "
                    "variance overflows");
}

TEST_CASE("contingency tests: totals beyond the double range and underflowing expectations",
          "[invalid][edge]") {
  Eigen::MatrixXd huge = Eigen::MatrixXd::Constant(2, 2, 1e308);
  CHECK_THROWS_WITH(patron::chi_square_independence_test(huge),
                    "patron::chi_square_independence_test: table.sum() (inf) must be finite");
  CHECK_THROWS_WITH(patron::g_test_independence(huge),
                    "patron::g_test_independence: table.sum() (inf) must be finite");
  const Eigen::MatrixXd tiny = Eigen::MatrixXd::Constant(2, 2, 5e-324);
  CHECK_THROWS_WITH(patron::chi_square_independence_test(tiny),
                    Catch::StartsWith("patron::chi_square_independence_test: table(0, 0) "
                                      "(4.9406564584124654e-324) has an expected count (0)"));
}

TEST_CASE("sample-ratio mismatch: huge weights, tiny shares, overflowing counts", "[invalid][edge]") {
  // Weights act as shares: 1e308 each is the 50/50 plan (their sum used to overflow).
  const auto plain = patron::sample_ratio_mismatch_test(values({10, 20}), values({1, 1}));
  const auto huge = patron::sample_ratio_mismatch_test(values({10, 20}), values({1e308, 1e308}));
  CHECK(huge.statistic == plain.statistic);
  CHECK(huge.p_value == plain.p_value);
  // Users in an arm planned to receive (almost) nobody: certain mismatch, p = 0 (Boost
  // used to throw on the infinite statistic).
  const auto certain = patron::sample_ratio_mismatch_test(values({10, 20}), values({5e-324, 1}));
  CHECK(std::isinf(certain.statistic));
  CHECK(certain.p_value == 0.0);
  CHECK_THROWS_WITH(patron::sample_ratio_mismatch_test(values({1e308, 1e308}), values({1, 1})),
                    "patron::sample_ratio_mismatch_test: observed.sum() (inf) must be finite and "
                    "positive");
}

TEST_CASE("CUPED: moments that overflow are rejected, not NaN", "[invalid][edge]") {
  // variance_reduction was inf / inf = NaN.
  CHECK_THROWS_WITH(patron::cuped_test(values({1e300, -1e300, 0}), values({1, 2, 3}),
                                       values({1, 2, 3}), values({1, 2, 3})),
                    "patron::cuped_test: a.variance_y() (inf) must be finite (the values are too "
                    "large for double moments)");
}

TEST_CASE("mSPRT: huge variances and estimates give no NaN likelihood ratio", "[edge]") {
  // tau^2 theta^2 / (2 v (v + tau^2)) was inf / inf; it is 2.5e307 here: Lambda = inf.
  const auto r = patron::msprt_look(1e308, 1e308, 1e308, 0.05);
  CHECK(r.likelihood_ratio == std::numeric_limits<double>::infinity());
  CHECK(r.p_value == 0.0);
  // The rearranged formula against the textbook one on ordinary values.
  const double v = 0.04, tau2 = 0.25, est = 0.3;
  const double log_lambda = 0.5 * std::log(v / (v + tau2)) + tau2 * est * est / (2 * v * (v + tau2));
  const auto s = patron::msprt_look(est, v, tau2, 0.05);
  CHECK_THAT(s.likelihood_ratio, close_to(std::exp(log_lambda), 1e-14));
  CHECK_THAT(s.interval.upper - est,
             close_to(std::sqrt(v * (v + tau2) / tau2 * (std::log((v + tau2) / v) - 2 * std::log(0.05))),
                      1e-14));
}

TEST_CASE("Bayesian A/B test: prior strength and term limit are bounded", "[invalid]") {
  patron::bayesian_options o;
  o.prior_a.alpha = 1e308;  // lgamma overflowed: Boost's overflow_error escaped
  CHECK_THROWS_WITH(patron::bayesian_ab_test(1, 10, 2, 10, o),
                    "patron::bayesian_ab_test: options.prior_a.alpha (1e+308) must not exceed 1e15");
  patron::bayesian_options limit;
  limit.exact_term_limit = int64_max;  // a double loop counter stalls at 2^53
  CHECK_THROWS_WITH(patron::bayesian_ab_test(1, 10, 2, 10, limit),
                    "patron::bayesian_ab_test: options.exact_term_limit (9223372036854775807) "
                    "must be in [0, 2^53]");
}

TEST_CASE("power: Boost's range errors become invalid_input; huge effects solve", "[invalid][edge]") {
  CHECK_THROWS_WITH(patron::t_test_power(1e308, 10),
                    Catch::StartsWith("patron::t_test_power: effect_size (1e+308) and n_a (10) are "
                                      "outside the range of Boost's t distributions"));
  patron::power_options o;
  o.ratio = 5e-324;  // n_B = 5e-323: 1 / n_B overflows
  CHECK_THROWS_WITH(patron::two_proportion_power(0.1, 0.2, 10, o),
                    "patron::two_proportion_power: n_a * options.ratio (4.9406564584124654e-323) is "
                    "so small that the variance of the difference overflows");
  // The sample size for an enormous effect lies below the search's first bracket
  // (TOMS 748 used to throw "do not bracket the root").
  const double n = patron::normal_sample_size(1e5, 0.8);
  CHECK(n > 0.0);
  CHECK(n < 1e-8);
  CHECK_THAT(patron::normal_power(1e5, n), close_to(0.8, 1e-9));
}
