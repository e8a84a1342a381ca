// Core machinery: error messages, validation helpers, the deterministic RNG, the
// optimiser wrapper, the shared special functions and the parallel loop.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <patron/core/error.hpp>
#include <patron/core/optimize.hpp>
#include <patron/core/parallel.hpp>
#include <patron/core/rng.hpp>
#include <patron/core/special.hpp>
#include <patron/core/validate.hpp>
#include <vector>

#include "support/close_to.hpp"

using patron::invalid_input;

TEST_CASE("invalid_input derives from std::invalid_argument", "[core]") {
  STATIC_REQUIRE(std::is_base_of_v<std::invalid_argument, invalid_input>);
}

TEST_CASE("validation messages name function, argument, index and value", "[core][invalid]") {
  const std::vector<double> v{1.0, 2.0, std::numeric_limits<double>::quiet_NaN(), -1.0};
  CHECK_THROWS_WITH(patron::detail::require_finite("f", "values", v),
                    "patron::f: values[2] (nan) must be finite");
  const std::vector<double> w{1.0, -0.5};
  CHECK_THROWS_WITH(patron::detail::require_non_negative("g", "weights", w),
                    "patron::g: weights[1] (-0.5) must be finite and non-negative");
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(3, 2);
  X(1, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(patron::detail::require_finite("h", "X", X),
                    "patron::h: X(1, 1) (inf) must be finite");
  CHECK_THROWS_WITH(patron::detail::require_same_length("f", "a", 3, "b", 4),
                    "patron::f: a has 3 elements but b has 4");
  CHECK_THROWS_WITH(patron::detail::require_non_empty("f", "x", 0), "patron::f: x must not be empty");
  CHECK_THROWS_WITH(patron::detail::require_in_range("f", "options.k", 11, 2, 10),
                    "patron::f: options.k (11) must be in [2, 10]");
  CHECK_NOTHROW(patron::detail::require_in_range("f", "options.k", 10, 2, 10));
  CHECK_THROWS_AS(patron::detail::require_probability_open("f", "alpha", 1.0), invalid_input);
}

TEST_CASE("rng gives a fixed stream for a fixed seed", "[core][rng]") {
  patron::rng a(42), b(42), c(43), d(42, 1);
  std::vector<std::uint64_t> sa, sb;
  for (int i = 0; i < 100; ++i) {
    sa.push_back(a.next());
    sb.push_back(b.next());
  }
  CHECK(sa == sb);
  CHECK(c.next() != sa[0]);
  CHECK(d.next() != sa[0]);
  // Pinned values: the stream must never change across platforms or releases, since
  // seeded results (k-means restarts, simulations) depend on it.
  patron::rng pinned(0);
  CHECK(pinned.next() == 0x422ea740d0977210ULL);
}

TEST_CASE("rng transforms have the right moments", "[core][rng][property]") {
  patron::rng r(7);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0, sg = 0, sp = 0;
  std::vector<int> counts(7, 0);
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    su += u;
    const double z = r.normal();
    sn += z;
    sn2 += z * z;
    sg += r.gamma(0.5, 2.0);
    sp += static_cast<double>(r.poisson(3.5));
    ++counts[r.uniform_index(7)];
  }
  // Tolerances: about 5 standard errors of each mean.
  CHECK(std::abs(su / n - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::abs(sn / n) < 5 / std::sqrt(n));
  CHECK(std::abs(sn2 / n - 1.0) < 5 * std::sqrt(2.0 / n));
  CHECK(std::abs(sg / n - 1.0) < 5 * std::sqrt(2.0 / n));  // mean 0.5*2, var 0.5*4
  CHECK(std::abs(sp / n - 3.5) < 5 * std::sqrt(3.5 / n));
  for (int k : counts) CHECK(std::abs(k - n / 7.0) < 5 * std::sqrt(n / 7.0));
}

TEST_CASE("minimize finds the minimum of the Rosenbrock function", "[core][optimize]") {
  auto rosenbrock = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    const double a = 1 - x(0), b = x(1) - x(0) * x(0);
    g.resize(2);
    g(0) = -2 * a - 400 * x(0) * b;
    g(1) = 200 * b;
    return a * a + 100 * b * b;
  };
  Eigen::VectorXd x0(2);
  x0 << -1.2, 1.0;
  const auto r = patron::minimize(rosenbrock, x0);
  CHECK(r.converged);
  CHECK_THAT(r.x(0), close_to(1.0, 1e-9));
  CHECK_THAT(r.x(1), close_to(1.0, 1e-9));
  CHECK(r.gradient_norm <= 1e-8);
}

TEST_CASE("minimize reports a non-finite start instead of returning NaN", "[core][optimize][edge]") {
  auto bad = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g = Eigen::VectorXd::Zero(x.size());
    return std::numeric_limits<double>::quiet_NaN();
  };
  const auto r = patron::minimize(bad, Eigen::VectorXd::Zero(2));
  CHECK_FALSE(r.converged);
  CHECK(r.message == "objective is not finite at the starting point");
}

TEST_CASE("minimize backs off from regions where the objective is not finite", "[core][optimize][edge]") {
  // -log(x) + x has its minimum at x = 1 and is undefined for x <= 0.
  auto f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g.resize(1);
    g(0) = -1.0 / x(0) + 1.0;
    return -std::log(x(0)) + x(0);
  };
  Eigen::VectorXd x0(1);
  x0 << 0.05;
  const auto r = patron::minimize(f, x0);
  CHECK(r.converged);
  CHECK_THAT(r.x(0), close_to(1.0, 1e-10));
}

TEST_CASE("minimize validates its options", "[core][optimize][invalid]") {
  auto f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g = 2 * x;
    return x.squaredNorm();
  };
  patron::minimize_options o;
  o.max_iterations = 0;
  CHECK_THROWS_WITH(patron::minimize(f, Eigen::VectorXd::Ones(2), o),
                    "patron::minimize: options.max_iterations (0) must be at least 1");
  Eigen::VectorXd x0(2);
  x0 << 1.0, std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(patron::minimize(f, x0), "patron::minimize: x0[1] (nan) must be finite");
}

TEST_CASE("covariance_from_hessian refuses an indefinite Hessian", "[core][optimize][edge]") {
  Eigen::MatrixXd h(2, 2);
  h << 2, 0, 0, -1;
  CHECK_FALSE(patron::covariance_from_hessian(h).has_value());
  h << 4, 0, 0, 2;
  const auto c = patron::covariance_from_hessian(h);
  REQUIRE(c.has_value());
  CHECK_THAT((*c)(0, 0), close_to(0.25, 1e-15));
}

TEST_CASE("log_gamma matches closed forms and returns +inf past overflow", "[core][special]") {
  using patron::detail::log_gamma;
  const double pi = 3.14159265358979323846;
  // Gamma(1/2) = sqrt(pi), Gamma(n) = (n-1)!, Gamma(3/2) = sqrt(pi)/2.
  CHECK_THAT(log_gamma(0.5), close_to(0.5 * std::log(pi), 1e-15));
  CHECK_THAT(log_gamma(1.5), close_to(0.5 * std::log(pi) - std::log(2.0), 1e-14));
  CHECK(log_gamma(1.0) == 0.0);
  CHECK(log_gamma(2.0) == 0.0);
  CHECK_THAT(log_gamma(11.0), close_to(std::log(3628800.0), 1e-15));
  // Stirling's series with three terms is exact to double precision at 1e10.
  const double x = 1e10;
  const double stirling = (x - 0.5) * std::log(x) - x + 0.5 * std::log(2 * pi) + 1 / (12 * x);
  CHECK_THAT(log_gamma(x), close_to(stirling, 1e-15));
  CHECK(log_gamma(1e306) == std::numeric_limits<double>::infinity());
}

TEST_CASE("log_rising_factorial and digamma_rising past 1000 terms agree with mpmath in O(1)",
          "[core][special][reference]") {
  // mpmath.loggamma(c + n) - mpmath.loggamma(c) and mpmath.digamma differences at 80
  // digits (tests/reference/clv/rising_values.py). The first case took the per-factor
  // loop 1e9 steps (5.7 s) and lost 1.9e-11 to its rounding; n = 1e15 with c >= 1000 n
  // would have run for days.
  struct row {
    double c, n, log_rf, psi_diff;
  };
  const row rows[] = {
      {1000000000000.0, 1000000000.0, 27631520949.344665158, 0.00099950033308403266731},
      {1e+40, 2000.0, 184206.80743952365478, 1.9999999999999999392e-37},
      {1000000.0, 1000000000000000.0, 33538776416633940.736, 20.723266337946493989},
      {1000.0, 1001.0, 7301.3039273046255445, 0.69389724305993749692},
      {5000.0, 1000000.0, 12847011.972346570779, 5.3034044138798887539},
      {999.5, 10000.0, 85452.002478539970446, 2.3988048185028605151},
      {0.243, 1000000000000000.0, 33538776394910675.985, 38.889870259333895732},
      {2.426, 1000000000000000.0, 33538776394910752.467, 33.872568479941890928},
      {3.219, 1000000000000000.0, 33538776394910779.186, 33.533001262954242936},
  };
  for (const row& r : rows) {
    INFO("c = " << r.c << ", n = " << r.n);
    CHECK_THAT(patron::detail::log_rising_factorial(r.c, r.n), close_to(r.log_rf, 1e-15));
    CHECK_THAT(patron::detail::digamma_rising(r.c, r.n), close_to(r.psi_diff, 1e-15));
  }
  // Up to 1000 factors: the exact sums, continuous with the closed forms at the switch.
  for (const double c : {0.243, 1000.0, 1e12}) {
    INFO("c = " << c);
    const double below = patron::detail::log_rising_factorial(c, 1000.0) + std::log(c + 1000.0);
    CHECK_THAT(patron::detail::log_rising_factorial(c, 1001.0), close_to(below, 1e-14));
    const double psi_below = patron::detail::digamma_rising(c, 1000.0) + 1.0 / (c + 1000.0);
    CHECK_THAT(patron::detail::digamma_rising(c, 1001.0), close_to(psi_below, 1e-13));
  }
}

TEST_CASE("parallel_for runs every unit once and rethrows the first failing unit's error",
          "[core][parallel]") {
  using patron::detail::parallel_for;
  for (std::size_t threads : {1, 2, 3, 7, 0}) {
    INFO("threads = " << threads);
    std::vector<int> runs(50, 0);
    parallel_for(runs.size(), threads, [&](std::size_t u) { ++runs[u]; });
    CHECK(runs == std::vector<int>(50, 1));
    // Units 13 and 31 fail: 13 is reported whichever worker meets which first, and every
    // unit before it has run.
    std::vector<int> before(50, 0);
    CHECK_THROWS_WITH(parallel_for(before.size(), threads,
                                   [&](std::size_t u) {
                                     if (u == 13 || u == 31) throw std::runtime_error("unit " + std::to_string(u));
                                     before[u] = 1;
                                   }),
                      "unit 13");
    CHECK(std::vector<int>(before.begin(), before.begin() + 13) == std::vector<int>(13, 1));
  }
  CHECK(patron::detail::thread_count(8, 3) == 3);
  CHECK(patron::detail::thread_count(2, 0) == 1);
  CHECK(patron::detail::thread_count(0, 1000) >= 1);
  CHECK(patron::detail::thread_count(4, 5000, 1024) == 4);
  CHECK(patron::detail::thread_count(4, 2500, 1024) == 2);
  CHECK(patron::detail::thread_count(4, 100, 1024) == 1);
}

TEST_CASE("parallel_for tells each unit its worker: unit u runs on worker u mod workers",
          "[core][parallel]") {
  for (std::size_t threads : {1, 2, 3, 0}) {
    INFO("threads = " << threads);
    const std::size_t units = 40, workers = patron::detail::thread_count(threads, units);
    std::vector<std::size_t> worker_of(units, units);
    patron::detail::parallel_for(units, threads, [&](std::size_t u, std::size_t worker) {
      worker_of[u] = worker;
    });
    for (std::size_t u = 0; u < units; ++u) CHECK(worker_of[u] == u % workers);
  }
}

TEST_CASE("for_each_share covers [0, n) with contiguous shares differing by at most one",
          "[core][parallel]") {
  for (std::size_t n : {0, 1, 7, 1000, 1001}) {
    for (std::size_t shares : {1, 2, 3, 8}) {
      INFO("n = " << n << ", shares = " << shares);
      std::vector<patron::detail::share_range> seen(shares);
      patron::detail::for_each_share(n, shares, [&](std::size_t k, std::size_t begin, std::size_t end) {
        seen[k] = {begin, end};
      });
      CHECK(seen.front().begin == 0);
      CHECK(seen.back().end == n);
      for (std::size_t k = 0; k < shares; ++k) {
        const std::size_t size = seen[k].end - seen[k].begin;
        CHECK((size == n / shares || size == n / shares + 1));
        if (k > 0) CHECK(seen[k].begin == seen[k - 1].end);
      }
    }
  }
}
