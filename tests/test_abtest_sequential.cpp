// Sequential testing: Lan-DeMets boundaries against an independent scipy computation,
// type-I error of every sequential rule by seeded simulation, and bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <patron/abtest.hpp>
#include <patron/core/rng.hpp>

#include "reference/abtest/abtest_reference.hpp"
#include "support/close_to.hpp"

namespace {
const std::vector<double> kFive = {0.2, 0.4, 0.6, 0.8, 1.0};

patron::group_sequential_options one_sided(patron::spending_function s) {
  patron::group_sequential_options o;
  o.alpha = 0.025;
  o.alt = patron::alternative::greater;
  o.spending = s;
  return o;
}

// Rejection rate of `design` over seeded Brownian paths under H0.
double simulated_type_one(const patron::group_sequential_design& d, bool two_sided, int reps,
                          std::uint64_t seed) {
  patron::rng g(seed);
  int rejected = 0;
  for (int r = 0; r < reps; ++r) {
    double s = 0.0, t_prev = 0.0;
    for (std::size_t k = 0; k < d.information_fraction.size(); ++k) {
      const double t = d.information_fraction[k];
      s += g.normal() * std::sqrt(t - t_prev);
      t_prev = t;
      const double z = s / std::sqrt(t);
      if ((two_sided ? std::abs(z) : z) >= d.z_boundary[k]) {
        ++rejected;
        break;
      }
    }
  }
  return rejected / double(reps);
}
}  // namespace

TEST_CASE("Lan-DeMets boundaries match an independent multivariate-normal computation", "[reference]") {
  // abtest_reference::gs_cases: make_reference.py solves each c_k by brentq on the
  // crossing probability written as a k-variate normal rectangle (scipy's Genz
  // integration), not by patron's recursive integration. Its boundaries move by at most
  // gs_reference_accuracy (1.8e-7) between 1e6 and 1e7 lattice points per probability,
  // taken as the error bound of the 1e7 values it keeps. patron agrees with them to 4e-8
  // and moves by at most 3e-9 between 1001 and 4001 grid points. Tolerance: 5x the bound.
  // For orientation only (quoted from memory, not a check): gsDesign's one-sided 0.025,
  // K = 5 equally spaced boundaries are usually given as 4.877 3.357 2.680 2.290 2.031
  // (sfLDOF) and 2.438 2.427 2.410 2.397 2.386 (sfLDPocock); the reference rounds to these.
  constexpr double tolerance = 1e-6;
  REQUIRE(abtest_reference::gs_reference_accuracy <= tolerance / 5.0);
  for (const auto& c : abtest_reference::gs_cases) {
    patron::group_sequential_options o;
    o.alpha = c.alpha;
    o.spending = c.spending;
    o.alt = c.alt;
    const std::vector<double> t(c.t, c.t + c.looks);
    const auto d = patron::group_sequential_boundaries(t, o);
    REQUIRE(d.z_boundary.size() == t.size());
    for (std::size_t k = 0; k < t.size(); ++k) {
      INFO("alpha " << c.alpha << ", look " << k);
      CHECK_THAT(d.z_boundary[k], close_to(c.z_boundary[k], 0.0, tolerance));
      CHECK_THAT(d.cumulative_alpha[k], close_to(c.cumulative_alpha[k], 1e-9));
    }
  }
  // `less` mirrors `greater`.
  auto less = one_sided(patron::spending_function::obrien_fleming);
  less.alt = patron::alternative::less;
  CHECK(patron::group_sequential_boundaries(kFive, less).z_boundary ==
        patron::group_sequential_boundaries(kFive, one_sided(patron::spending_function::obrien_fleming))
            .z_boundary);
  // One look is the fixed-sample test.
  const auto single = patron::group_sequential_boundaries({1.0}, one_sided(patron::spending_function::pocock));
  CHECK_THAT(single.z_boundary[0], close_to(1.959963984540054, 1e-10));
}

TEST_CASE("group-sequential type-I error is nominal by simulation", "[property]") {
  // 20000 seeded null paths: Monte-Carlo sd 0.0015 at 0.05, 0.0011 at 0.025.
  patron::group_sequential_options two;
  two.alpha = 0.05;
  const auto d = patron::group_sequential_boundaries({0.25, 0.5, 0.75, 1.0}, two);
  CHECK(std::abs(simulated_type_one(d, true, 20000, 1) - 0.05) < 4 * 0.0015);
  two.spending = patron::spending_function::pocock;
  const auto p = patron::group_sequential_boundaries({0.3, 0.5, 1.0}, two);
  CHECK(std::abs(simulated_type_one(p, true, 20000, 2) - 0.05) < 4 * 0.0015);
  const auto o = patron::group_sequential_boundaries(kFive, one_sided(patron::spending_function::pocock));
  CHECK(std::abs(simulated_type_one(o, false, 20000, 3) - 0.025) < 4 * 0.0011);
}

TEST_CASE("mSPRT keeps type-I error under continuous monitoring", "[property]") {
  // 1000 seeded null streams of 300 N(0, 1) observations, a look after each one.
  patron::rng g(99);
  int rejected = 0, covered = 0;
  const int reps = 1000;
  for (int r = 0; r < reps; ++r) {
    patron::always_valid_monitor m(1.0, 0.05);
    double sum = 0.0;
    for (int n = 1; n <= 300; ++n) {
      sum += g.normal();
      m.update(sum / n, 1.0 / n);
    }
    rejected += m.rejected();
    covered += m.current().interval.lower <= 0.0 && 0.0 <= m.current().interval.upper;
  }
  // mSPRT is conservative: at most alpha plus 3 Monte-Carlo sd (0.0069).
  CHECK(rejected / double(reps) <= 0.05 + 3 * 0.0069);
  CHECK(covered / double(reps) >= 0.95 - 3 * 0.0069);
  // Naive repeated z-tests at 0.05 would reject far more often: the point of the mSPRT.
  CHECK(rejected > 0);
}

TEST_CASE("Evan Miller's simple sequential test: exact level and simulation", "[property][reference]") {
  // Evan Miller's rule of thumb: d ~ 2 sqrt(N) at 5 %.
  const auto plan = patron::simple_sequential_design(1000, 0.05);
  CHECK(std::abs(plan.threshold - 2.0 * std::sqrt(1000.0)) < 3.0);
  CHECK(plan.type_one_error <= 0.05);
  CHECK(patron::simple_sequential_design(1000, 0.05).threshold - 1 <= plan.threshold);
  patron::rng g(5);
  int wins = 0;
  const int reps = 4000;
  for (int r = 0; r < reps; ++r) {
    std::int64_t a = 0, b = 0;
    auto decision = patron::sequential_decision::keep_going;
    while (decision == patron::sequential_decision::keep_going) {
      (g.bernoulli(0.5) ? b : a) += 1;
      decision = patron::simple_sequential_decision(plan, a, b);
    }
    wins += decision == patron::sequential_decision::b_wins;
  }
  // Exact level vs simulation: Monte-Carlo sd ~0.0034.
  CHECK(std::abs(wins / double(reps) - plan.type_one_error) < 4 * 0.0035);
}

TEST_CASE("sequential functions reject bad input", "[invalid]") {
  CHECK_THROWS_WITH(patron::group_sequential_boundaries({0.5, 0.4, 1.0}),
                    "patron::group_sequential_boundaries: information_fractions[1] (0.40000000000000002) "
                    "must increase strictly within (0, 1]");
  patron::group_sequential_options o;
  o.alpha = 0.0;
  CHECK_THROWS_WITH(patron::group_sequential_boundaries({1.0}, o),
                    "patron::group_sequential_boundaries: options.alpha (0) must be in (0, 1)");
  // grid_points is bounded: 2e9 nodes (two looks, so the grid is built) used to exhaust memory.
  o = {};
  for (const int bad : {2000000001, 10003, 1002, 99}) {
    o.grid_points = bad;
    CHECK_THROWS_WITH(patron::group_sequential_boundaries({0.5, 1.0}, o),
                      "patron::group_sequential_boundaries: options.grid_points (" + std::to_string(bad) +
                          ") must be odd and in [101, 10001]");
  }
  CHECK(patron::group_sequential_max_grid_points == 10001);
  CHECK_THROWS_WITH(patron::msprt_look(0.1, 0.0, 1.0, 0.05),
                    "patron::msprt_look: variance (0) must be finite and positive");
  CHECK_THROWS_WITH(patron::simple_sequential_design(0),
                    "patron::simple_sequential_design: total_conversions (0) must be positive");
}

TEST_CASE("an mSPRT monitor resumed from its state continues exactly", "[property][invalid]") {
  patron::rng g(17);
  patron::always_valid_monitor whole(0.5, 0.05);
  std::optional<patron::always_valid_monitor> resumed;
  double sum = 0.0;
  for (int n = 1; n <= 200; ++n) {
    sum += 0.2 + g.normal();
    const auto expected = whole.update(sum / n, 1.0 / n);
    if (n == 80) resumed = patron::always_valid_monitor::resume(whole.mixture_variance(), whole.alpha(), whole.current());
    if (n > 80) {
      const auto r = resumed->update(sum / n, 1.0 / n);
      CHECK(r.p_value == expected.p_value);
      CHECK(r.interval.lower == expected.interval.lower);
      CHECK(r.interval.upper == expected.interval.upper);
      CHECK(r.likelihood_ratio == expected.likelihood_ratio);
    }
  }
  CHECK(resumed->rejected() == whole.rejected());
  patron::always_valid_result bad;
  bad.p_value = 1.5;
  CHECK_THROWS_WITH(patron::always_valid_monitor::resume(0.5, 0.05, bad),
                    "patron::always_valid_monitor::resume: current.p_value (1.5) must be in [0, 1]");
  bad.p_value = 0.5;
  bad.interval.lower = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(patron::always_valid_monitor::resume(0.5, 0.05, bad),
                    "patron::always_valid_monitor::resume: current.interval.lower (nan) must not be NaN");
  CHECK_THROWS_WITH(patron::always_valid_monitor::resume(0.0, 0.05, {}),
                    "patron::always_valid_monitor::resume: mixture_variance (0) must be finite and positive");
}
