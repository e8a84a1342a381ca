// Power and sample size, multiple comparisons, the Bayesian beta-binomial analysis,
// sample-ratio mismatch and CUPED against statsmodels/scipy/mpmath.
#include <catch2/catch.hpp>

#include <patron/abtest.hpp>

#include "reference/abtest/abtest_reference.hpp"
#include "support/close_to.hpp"

using namespace abtest_reference;

namespace {
Eigen::VectorXd vec(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}
}  // namespace

TEST_CASE("power equals statsmodels NormalIndPower and TTestIndPower", "[reference]") {
  for (const auto& c : power_cases) {
    patron::power_options o;
    o.alpha = c.alpha;
    o.alt = c.alt;
    o.ratio = c.ratio;
    INFO("effect " << c.effect << " n " << c.n_a << " alt " << static_cast<int>(c.alt));
    CHECK_THAT(patron::normal_power(c.effect, c.n_a, o), close_to(c.normal_power, 1e-10));
    // Non-central t: Boost vs scipy's cdflib nctdtr, 1e-8 relative (cdflib's accuracy).
    CHECK_THAT(patron::t_test_power(c.effect, c.n_a, o), close_to(c.t_power, 1e-8, 1e-14));
  }
}

TEST_CASE("two-proportion power equals statsmodels power_proportions_2indep", "[reference]") {
  for (const auto& c : proportion_power_cases) {
    patron::power_options o;
    o.alpha = c.alpha;
    o.alt = c.alt;
    o.ratio = c.ratio;
    CHECK_THAT(patron::two_proportion_power(c.p_a, c.p_b, c.n_a, o), close_to(c.power, 1e-10));
  }
}

TEST_CASE("sample size and minimum effect equal statsmodels solve_power", "[reference]") {
  for (const auto& c : solve_cases) {
    patron::power_options o;
    o.alpha = c.alpha;
    o.alt = c.alt;
    o.ratio = c.ratio;
    // statsmodels solves with brentq (xtol 2e-12) and sometimes fsolve: 1e-7 relative.
    CHECK_THAT(patron::normal_sample_size(c.effect, c.power, o), close_to(c.normal_n, 1e-7));
    CHECK_THAT(patron::t_test_sample_size(c.effect, c.power, o), close_to(c.t_n, 1e-7));
    CHECK_THAT(patron::normal_minimum_effect(c.fixed_n, c.power, o), close_to(c.normal_effect, 1e-7));
    CHECK_THAT(patron::t_test_minimum_effect(c.fixed_n, c.power, o), close_to(c.t_effect, 1e-7));
  }
}

TEST_CASE("proportion sample size and MDE invert the power function", "[property]") {
  patron::power_options o;
  const double n = patron::two_proportion_sample_size(0.05, 0.06, 0.8, o);
  CHECK_THAT(patron::two_proportion_power(0.05, 0.06, n, o), close_to(0.8, 1e-12));
  const double mde = patron::two_proportion_minimum_effect(0.05, n, 0.8, o);
  CHECK_THAT(mde, close_to(0.01, 1e-9));
  o.alt = patron::alternative::less;
  CHECK(patron::two_proportion_minimum_effect(0.05, 5000, 0.8, o) < 0.0);
}

TEST_CASE("power functions reject bad alpha, power and sizes", "[invalid]") {
  patron::power_options o;
  o.alpha = 1.5;
  CHECK_THROWS_WITH(patron::normal_power(0.2, 100, o),
                    "patron::normal_power: options.alpha (1.5) must be in (0, 1)");
  CHECK_THROWS_WITH(patron::normal_sample_size(0.2, 1.0),
                    "patron::normal_sample_size: power (1) must be in (0, 1)");
  CHECK_THROWS_WITH(patron::normal_sample_size(-0.2, 0.8),
                    Catch::Contains("effect_size (-0.20000000000000001) must be finite, non-zero"));
  CHECK_THROWS_WITH(patron::t_test_power(0.2, 1.0),
                    Catch::Contains("n_a (1) must leave positive degrees of freedom"));
  CHECK_THROWS_WITH(patron::two_proportion_power(0.0, 0.1, 100),
                    "patron::two_proportion_power: p_a (0) must be in (0, 1)");
  CHECK_THROWS_WITH(patron::two_proportion_minimum_effect(0.5, 3, 0.99),
                    Catch::Contains("n_a (3) is too small"));
}

TEST_CASE("multiple-comparison adjustments equal statsmodels multipletests", "[reference]") {
  for (const auto& c : correction_cases) {
    const auto r = patron::adjust_p_values(vec(*c.p), c.method, 0.05);
    INFO("method " << static_cast<int>(c.method) << " m " << c.p->size());
    for (std::size_t i = 0; i < c.p->size(); ++i) {
      CHECK_THAT(r.adjusted_p_value(static_cast<Eigen::Index>(i)), close_to((*c.adjusted)[i], 1e-12));
      CHECK(r.reject[i] == c.reject[i]);
    }
  }
  Eigen::VectorXd bad(2);
  bad << 0.1, 1.2;
  CHECK_THROWS_WITH(patron::adjust_p_values(bad, patron::correction_method::holm),
                    "patron::adjust_p_values: p_values[1] (1.2) must be in [0, 1]");
}

TEST_CASE("Bayesian P(B > A), losses and intervals equal the mpmath integral", "[reference]") {
  for (const auto& c : bayes_cases) {
    patron::bayesian_options o;
    o.prior_a = {c.prior_a_alpha, c.prior_a_beta};
    o.prior_b = {c.prior_b_alpha, c.prior_b_beta};
    const auto r = patron::bayesian_ab_test(c.sa, c.na, c.sb, c.nb, o);
    INFO(c.sa << "/" << c.na << " vs " << c.sb << "/" << c.nb);
    CHECK_FALSE(r.gaussian_approximation);
    // Closed form in double (lgamma sums) vs 40-digit quadrature: 1e-10 relative.
    CHECK_THAT(r.probability_b_better, close_to(c.prob_b_better, 1e-10));
    // Expected losses are differences of two such terms: 1e-9 relative, 1e-15 absolute.
    CHECK_THAT(r.expected_loss_a, close_to(c.loss_a, 1e-9, 1e-15));
    CHECK_THAT(r.expected_loss_b, close_to(c.loss_b, 1e-9, 1e-15));
    // scipy.stats.beta.ppf / isf
    CHECK_THAT(r.credible_a.lower, close_to(c.ci_a_lower, 1e-10));
    CHECK_THAT(r.credible_a.upper, close_to(c.ci_a_upper, 1e-10));
    CHECK_THAT(r.credible_b.lower, close_to(c.ci_b_lower, 1e-10));
    CHECK_THAT(r.credible_b.upper, close_to(c.ci_b_upper, 1e-10));
  }
}

TEST_CASE("Bayesian analysis: symmetry, Gaussian switch, bad priors", "[property][edge][invalid]") {
  const auto ab = patron::bayesian_ab_test(120, 2400, 156, 2400);
  const auto ba = patron::bayesian_ab_test(156, 2400, 120, 2400);
  CHECK_THAT(ab.probability_b_better + ba.probability_b_better, close_to(1.0, 1e-10));
  CHECK_THAT(ab.expected_loss_a, close_to(ba.expected_loss_b, 1e-10));
  patron::bayesian_options small_limit;
  small_limit.exact_term_limit = 10;
  const auto approx = patron::bayesian_ab_test(120, 2400, 156, 2400, small_limit);
  CHECK(approx.gaussian_approximation);
  // At these counts the normal approximation is within 1e-3 of the exact value.
  CHECK(std::abs(approx.probability_b_better - ab.probability_b_better) < 1e-3);
  // With 20 000 conversions per arm the switch costs less than 1e-5.
  patron::bayesian_options tiny_limit;
  tiny_limit.exact_term_limit = 100;
  const auto big_exact = patron::bayesian_ab_test(20000, 400000, 20300, 400000);
  const auto big_approx = patron::bayesian_ab_test(20000, 400000, 20300, 400000, tiny_limit);
  CHECK_FALSE(big_exact.gaussian_approximation);
  CHECK(big_approx.gaussian_approximation);
  CHECK(std::abs(big_exact.probability_b_better - big_approx.probability_b_better) < 1e-5);
  CHECK(std::abs(big_exact.expected_loss_b - big_approx.expected_loss_b) < 1e-7);
  patron::bayesian_options jeffreys;
  jeffreys.prior_a = {0.5, 0.5};
  jeffreys.prior_b = {0.5, 0.5};
  CHECK_THROWS_WITH(patron::bayesian_ab_test(1, 10, 2, 10, jeffreys),
                    Catch::Contains("needs a whole-number alpha or beta"));
  patron::bayesian_options bad;
  bad.prior_b.beta = -1;
  CHECK_THROWS_WITH(patron::bayesian_ab_test(1, 10, 2, 10, bad),
                    "patron::bayesian_ab_test: options.prior_b.beta (-1) must be finite and positive");
}

TEST_CASE("sample-ratio mismatch equals scipy chisquare, tiny p included", "[reference]") {
  for (const auto& c : srm_cases) {
    const Eigen::VectorXd observed = Eigen::Map<const Eigen::VectorXd>(c.observed, c.size);
    const Eigen::VectorXd weights = Eigen::Map<const Eigen::VectorXd>(c.weights, c.size);
    const auto r = patron::sample_ratio_mismatch_test(observed, weights);
    CHECK_THAT(r.statistic, close_to(c.statistic, 1e-10));
    CHECK_THAT(r.p_value, close_to(c.p_value, 1e-10));
  }
  Eigen::VectorXd obs(2), w(2);
  obs << 10, 20;
  w << 1, 0;
  CHECK_THROWS_WITH(patron::sample_ratio_mismatch_test(obs, w),
                    "patron::sample_ratio_mismatch_test: weights[1] (0) must be finite and positive");
}

TEST_CASE("CUPED equals the numpy formula and merges shard by shard", "[reference][property]") {
  const auto r = patron::cuped_test(vec(cuped_y_a), vec(cuped_x_a), vec(cuped_y_b), vec(cuped_x_b));
  // numpy: theta, difference, se, z, p, interval (make_reference.py)
  CHECK_THAT(r.theta, close_to(cuped_expected[0], 1e-10));
  CHECK_THAT(r.difference, close_to(cuped_expected[1], 1e-10));
  CHECK_THAT(r.standard_error, close_to(cuped_expected[2], 1e-10));
  CHECK_THAT(r.statistic, close_to(cuped_expected[3], 1e-10));
  CHECK_THAT(r.p_value, close_to(cuped_expected[4], 1e-9));
  CHECK_THAT(r.difference_interval.lower, close_to(cuped_expected[5], 1e-10));
  CHECK_THAT(r.difference_interval.upper, close_to(cuped_expected[6], 1e-10));
  CHECK(r.variance_reduction > 0.5);
  patron::covariance_accumulator a1, a2, b;
  for (std::size_t i = 0; i < cuped_y_a.size(); ++i) (i < 50 ? a1 : a2).add(cuped_y_a[i], cuped_x_a[i]);
  for (std::size_t i = 0; i < cuped_y_b.size(); ++i) b.add(cuped_y_b[i], cuped_x_b[i]);
  a1.merge(a2);
  CHECK_THAT(patron::cuped_test(a1, b).difference, close_to(r.difference, 1e-12));
  Eigen::VectorXd x_short(3);
  x_short << 1, 2, 3;
  CHECK_THROWS_WITH(patron::cuped_test(vec(cuped_y_a), x_short, vec(cuped_y_b), vec(cuped_x_b)),
                    "patron::cuped_test: y_a has 120 elements but x_a has 3");
}
