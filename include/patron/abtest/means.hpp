// Continuous metrics (revenue per user, time on site): Student and Welch t-tests from
// samples or from summary statistics, the paired t-test, and the Mann-Whitney U test.
// A is the control, B the treatment; differences are B - A.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <utility>
#include <vector>

#include "patron/abtest/common.hpp"
#include "patron/abtest/moments.hpp"

namespace patron {

enum class variance_assumption {
  unequal,  // Welch (1947), Welch-Satterthwaite degrees of freedom
  equal     // Student, pooled variance on n_A + n_B - 2 degrees of freedom
};

struct t_test_options {
  alternative alt = alternative::two_sided;  // greater: mean_B > mean_A
  variance_assumption variance = variance_assumption::unequal;
  double confidence = 0.95;  // level of the (two-sided) interval for the difference
};

struct t_test_result {
  double statistic = 0.0;  // t = (mean_B - mean_A) / standard_error
  double p_value = 1.0;
  double degrees_of_freedom = 0.0;
  double mean_a = 0.0;
  double mean_b = 0.0;
  double difference = 0.0;  // mean_B - mean_A (paired: mean of B_i - A_i)
  double standard_error = 0.0;
  confidence_interval difference_interval;  // difference +- t_{df} standard_error
  double cohens_d = 0.0;  // difference / pooled sd (paired: / sd of the differences)
};

namespace detail {

inline void require_summary(const char* f, const char* name, const sample_summary& s) {
  const std::string arg(name);
  require(std::isfinite(s.count) && s.count >= 2.0, f, (arg + ".count").c_str(), s.count,
          "must be at least 2");
  require(std::isfinite(s.mean), f, (arg + ".mean").c_str(), s.mean, "must be finite");
  require(std::isfinite(s.variance) && s.variance >= 0.0, f, (arg + ".variance").c_str(),
          s.variance, "must be finite and non-negative");
}

inline void require_t_options(const char* f, const t_test_options& o) {
  require_confidence(f, "options.confidence", o.confidence);
}

inline t_test_result t_from_estimate(double difference, double se, double df,
                                     double effect_sd, const t_test_options& o) {
  t_test_result r;
  r.difference = difference;
  r.standard_error = se;
  r.degrees_of_freedom = df;
  r.statistic = ratio_statistic(difference, se);
  const boost::math::students_t_distribution<double, math_policy> t(df);
  r.p_value = p_value_of(t, r.statistic, o.alt);
  const double q = quantile(complement(t, (1.0 - o.confidence) / 2.0));
  r.difference_interval = {difference - q * se, difference + q * se};
  r.cohens_d = ratio_statistic(difference, effect_sd);
  return r;
}

}  // namespace detail

namespace detail {

// Standard error and degrees of freedom of the two-sample t-test from validated summaries:
// shared by the single and the batch entry points, so both give identical bits.
struct summary_t_estimate {
  double standard_error, degrees_of_freedom, pooled_variance;
};

inline summary_t_estimate summary_t(const sample_summary& a, const sample_summary& b,
                                    variance_assumption variance) {
  const double va = a.variance / a.count, vb = b.variance / b.count;
  const double pooled =
      ((a.count - 1.0) * a.variance + (b.count - 1.0) * b.variance) / (a.count + b.count - 2.0);
  if (variance == variance_assumption::equal)
    return {std::sqrt(pooled * (1.0 / a.count + 1.0 / b.count)), a.count + b.count - 2.0, pooled};
  // Welch-Satterthwaite, (va + vb)^2 / (va^2 / (n_a - 1) + vb^2 / (n_b - 1)); both
  // variances zero leaves df undefined: use the pooled df. Variances past ~1e154 would
  // overflow the squares (inf / inf): then the same ratio is formed from the shares
  // va / (va + vb), which cannot overflow.
  const double sum = va + vb;
  const double denominator = va * va / (a.count - 1.0) + vb * vb / (b.count - 1.0);
  double df = a.count + b.count - 2.0;
  if (denominator > 0.0 && std::isfinite(sum * sum)) {
    df = sum * sum / denominator;
  } else if (sum > 0.0) {
    const double sa = va / sum, sb = vb / sum;
    df = 1.0 / (sa * sa / (a.count - 1.0) + sb * sb / (b.count - 1.0));
  }
  return {std::sqrt(sum), df, pooled};
}

}  // namespace detail

// Two-sample t-test from n, mean and unbiased variance of each group: scipy
// ttest_ind_from_stats (equal_var = variance == equal).
[[nodiscard]] inline t_test_result t_test_from_summary(const sample_summary& a,
                                                       const sample_summary& b,
                                                       const t_test_options& options = {}) {
  constexpr const char* f = "t_test_from_summary";
  detail::require_summary(f, "a", a);
  detail::require_summary(f, "b", b);
  detail::require_t_options(f, options);
  const auto e = detail::summary_t(a, b, options.variance);
  auto r = detail::t_from_estimate(b.mean - a.mean, e.standard_error, e.degrees_of_freedom,
                                   std::sqrt(e.pooled_variance), options);
  r.mean_a = a.mean;
  r.mean_b = b.mean;
  return r;
}

// The same test over many experiments (experiment i is row i of each input: counts,
// means and unbiased variances of A and B), writing statistics, p-values and degrees of
// freedom into caller-owned outputs: no allocation; equal to t_test_from_summary row by
// row (bit for bit unless the compiler fuses multiply-adds differently at the two call
// sites, as -march=native builds may: then to a few ulp). options.confidence is not used:
// no intervals. A bad
// row throws invalid_input naming its index; rows before it have been written.
inline void t_test_from_summary_batch(
    const Eigen::Ref<const Eigen::VectorXd>& count_a, const Eigen::Ref<const Eigen::VectorXd>& mean_a,
    const Eigen::Ref<const Eigen::VectorXd>& variance_a,
    const Eigen::Ref<const Eigen::VectorXd>& count_b, const Eigen::Ref<const Eigen::VectorXd>& mean_b,
    const Eigen::Ref<const Eigen::VectorXd>& variance_b, Eigen::Ref<Eigen::VectorXd> statistic,
    Eigen::Ref<Eigen::VectorXd> p_value, Eigen::Ref<Eigen::VectorXd> degrees_of_freedom,
    const t_test_options& options = {}) {
  constexpr const char* f = "t_test_from_summary_batch";
  const auto n = static_cast<std::size_t>(count_a.size());
  const std::pair<const char*, Eigen::Index> lengths[] = {
      {"mean_a", mean_a.size()},        {"variance_a", variance_a.size()},
      {"count_b", count_b.size()},      {"mean_b", mean_b.size()},
      {"variance_b", variance_b.size()}, {"statistic", statistic.size()},
      {"p_value", p_value.size()},      {"degrees_of_freedom", degrees_of_freedom.size()}};
  for (const auto& [name, size] : lengths)
    detail::require_same_length(f, "count_a", n, name, static_cast<std::size_t>(size));
  const auto check = [&](std::size_t at, const sample_summary& s, const char* count,
                         const char* mean, const char* variance) {
    if (!(std::isfinite(s.count) && s.count >= 2.0))
      detail::throw_invalid_element(f, count, at, s.count, "must be at least 2");
    if (!std::isfinite(s.mean)) detail::throw_invalid_element(f, mean, at, s.mean, "must be finite");
    if (!(std::isfinite(s.variance) && s.variance >= 0.0))
      detail::throw_invalid_element(f, variance, at, s.variance, "must be finite and non-negative");
  };
  for (Eigen::Index i = 0; i < count_a.size(); ++i) {
    const sample_summary a{count_a(i), mean_a(i), variance_a(i)};
    const sample_summary b{count_b(i), mean_b(i), variance_b(i)};
    check(static_cast<std::size_t>(i), a, "count_a", "mean_a", "variance_a");
    check(static_cast<std::size_t>(i), b, "count_b", "mean_b", "variance_b");
    const auto e = detail::summary_t(a, b, options.variance);
    statistic(i) = detail::ratio_statistic(b.mean - a.mean, e.standard_error);
    p_value(i) = detail::p_value_of(
        boost::math::students_t_distribution<double, detail::math_policy>(e.degrees_of_freedom),
        statistic(i), options.alt);
    degrees_of_freedom(i) = e.degrees_of_freedom;
  }
}

namespace detail {
template <class Vector>
sample_summary summarize(const char* f, const char* name, const Vector& x) {
  require_each(f, name, x, is_finite{}, "must be finite");
  moment_accumulator m;
  for (Eigen::Index i = 0; i < x.size(); ++i) m.add(x(i));
  const sample_summary s = m.summary();
  if (!std::isfinite(s.mean) || !std::isfinite(s.variance)) {
    // Finite values whose spread exceeds the double range (|x| near 1e154 and beyond):
    // name the largest.
    Eigen::Index at = 0;
    x.cwiseAbs().maxCoeff(&at);
    throw_invalid_element(f, name, static_cast<std::size_t>(at), x(at),
                          "is so large that the sample's mean or variance overflows");
  }
  return s;
}
}  // namespace detail

// Two-sample t-test from raw samples: scipy ttest_ind(b, a, equal_var=...).
[[nodiscard]] inline t_test_result t_test(const Eigen::Ref<const Eigen::VectorXd>& a,
                                          const Eigen::Ref<const Eigen::VectorXd>& b,
                                          const t_test_options& options = {}) {
  constexpr const char* f = "t_test";
  detail::require(a.size() >= 2, f, "a.size()", a.size(), "must be at least 2");
  detail::require(b.size() >= 2, f, "b.size()", b.size(), "must be at least 2");
  detail::require_t_options(f, options);
  return t_test_from_summary(detail::summarize(f, "a", a), detail::summarize(f, "b", b),
                             options);
}

// Paired t-test on d_i = b_i - a_i (same customers before and after): scipy
// ttest_rel(b, a). `variance` is ignored.
[[nodiscard]] inline t_test_result paired_t_test(const Eigen::Ref<const Eigen::VectorXd>& a,
                                                 const Eigen::Ref<const Eigen::VectorXd>& b,
                                                 const t_test_options& options = {}) {
  constexpr const char* f = "paired_t_test";
  detail::require_same_length(f, "a", static_cast<std::size_t>(a.size()), "b",
                              static_cast<std::size_t>(b.size()));
  detail::require(a.size() >= 2, f, "a.size()", a.size(), "must be at least 2");
  detail::require_t_options(f, options);
  const auto sa = detail::summarize(f, "a", a);
  const auto sb = detail::summarize(f, "b", b);
  const auto d = detail::summarize(f, "b - a", Eigen::VectorXd(b - a));
  auto r = detail::t_from_estimate(d.mean, std::sqrt(d.variance / d.count), d.count - 1.0,
                                   std::sqrt(d.variance), options);
  r.mean_a = sa.mean;
  r.mean_b = sb.mean;
  return r;
}

// ---------------------------------------------------------------------------------
// Mann-Whitney U (Mann & Whitney 1947), as scipy.stats.mannwhitneyu(b, a)
// ---------------------------------------------------------------------------------

enum class mann_whitney_method {
  automatic,  // exact when either sample has at most 8 values, there are no ties and
              // n_A n_B <= 40 000 (the exact method's limit; scipy has none)
  exact,      // the null distribution of U by recursion (Loeffler 1982); ignores ties;
              // n_A n_B <= 40 000 (time grows as n_A n_B max(n_A, n_B) min(n_A, n_B))
  asymptotic  // normal approximation with tie correction
};

struct mann_whitney_options {
  alternative alt = alternative::two_sided;  // greater: B stochastically larger than A
  mann_whitney_method method = mann_whitney_method::automatic;
  continuity_correction continuity = continuity_correction::on;  // asymptotic only
};

struct mann_whitney_result {
  double statistic = 0.0;  // U_B = R_B - n_B(n_B + 1)/2: pairs (a, b) with b > a, ties 1/2
  double p_value = 1.0;
  mann_whitney_method method = mann_whitney_method::exact;  // the one used
  double probability_of_superiority = 0.5;  // U_B / (n_A n_B), common-language effect
  double rank_biserial = 0.0;               // 2 U_B / (n_A n_B) - 1
};

namespace detail {

// P(U <= u) under H0 for samples of sizes m and n, from the probability recursion
// p(m, n, k) = m/(m+n) p(m-1, n, k-n) + n/(m+n) p(m, n-1, k): the count recursion of
// scipy (Loeffler's Theorem 2.5) divided by C(m+n, m), so nothing overflows.
inline double mann_whitney_null_cdf(long u, long m, long n) {
  if (u < 0) return 0.0;
  if (u >= m * n) return 1.0;
  const std::size_t width = static_cast<std::size_t>(u) + 1;
  // previous[j][k] = p(i-1, j, k), current[j][k] = p(i, j, k), for j = 0..n.
  std::vector<double> previous((static_cast<std::size_t>(n) + 1) * width, 0.0);
  std::vector<double> current(previous.size(), 0.0);
  auto at = [width](std::vector<double>& v, long j, long k) -> double& {
    return v[static_cast<std::size_t>(j) * width + static_cast<std::size_t>(k)];
  };
  for (long j = 0; j <= n; ++j) at(previous, j, 0) = 1.0;  // m' = 0: U is 0
  for (long i = 1; i <= m; ++i) {
    std::fill(current.begin(), current.end(), 0.0);
    at(current, 0, 0) = 1.0;
    for (long j = 1; j <= n; ++j) {
      const double wi = static_cast<double>(i) / static_cast<double>(i + j);
      const double wj = static_cast<double>(j) / static_cast<double>(i + j);
      for (long k = 0; k <= u; ++k) {
        double p = wj * at(current, j - 1, k);
        if (k >= j) p += wi * at(previous, j, k - j);
        at(current, j, k) = p;
      }
    }
    std::swap(previous, current);
  }
  double total = 0.0;
  for (long k = 0; k <= u; ++k) total += at(previous, n, k);
  return std::min(total, 1.0);
}

}  // namespace detail

[[nodiscard]] inline mann_whitney_result mann_whitney_test(
    const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b,
    const mann_whitney_options& options = {}) {
  constexpr const char* f = "mann_whitney_test";
  detail::require_non_empty(f, "a", static_cast<std::size_t>(a.size()));
  detail::require_non_empty(f, "b", static_cast<std::size_t>(b.size()));
  detail::require_each(f, "a", a, [](double v) { return !std::isnan(v); }, "must not be NaN");
  detail::require_each(f, "b", b, [](double v) { return !std::isnan(v); }, "must not be NaN");
  const auto na = static_cast<std::size_t>(a.size()), nb = static_cast<std::size_t>(b.size());
  constexpr std::size_t exact_limit = 40000;
  if (options.method == mann_whitney_method::exact && na * nb > exact_limit)
    detail::throw_invalid_value(f, "a.size() * b.size()", na * nb,
                                "exceeds 40000, the limit of the exact method (use asymptotic)");
  const std::size_t n = na + nb;
  // Midranks of the pooled sample; B is first, as in scipy's mannwhitneyu(b, a).
  std::vector<double> values(n);
  for (std::size_t i = 0; i < nb; ++i) values[i] = b(static_cast<Eigen::Index>(i));
  for (std::size_t i = 0; i < na; ++i) values[nb + i] = a(static_cast<Eigen::Index>(i));
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return values[x] < values[y]; });
  double rank_sum_b = 0.0, tie_term = 0.0;
  bool ties = false;
  for (std::size_t start = 0; start < n;) {
    std::size_t end = start + 1;
    while (end < n && values[order[end]] == values[order[start]]) ++end;
    const double t = static_cast<double>(end - start);
    const double midrank = 0.5 * static_cast<double>(start + 1 + end);
    for (std::size_t i = start; i < end; ++i)
      if (order[i] < nb) rank_sum_b += midrank;
    tie_term += t * t * t - t;
    ties = ties || end - start > 1;
    start = end;
  }
  const double m = static_cast<double>(nb), k = static_cast<double>(na);
  mann_whitney_result r;
  r.statistic = rank_sum_b - m * (m + 1.0) / 2.0;
  r.probability_of_superiority = r.statistic / (m * k);
  r.rank_biserial = 2.0 * r.probability_of_superiority - 1.0;
  const double u_other = m * k - r.statistic;
  double u = r.statistic, factor = 1.0;
  if (options.alt == alternative::less) u = u_other;
  if (options.alt == alternative::two_sided) {
    u = std::max(r.statistic, u_other);
    factor = 2.0;
  }
  r.method = options.method;
  if (r.method == mann_whitney_method::automatic)
    r.method = (std::min(na, nb) <= 8 && !ties && na * nb <= exact_limit)
                   ? mann_whitney_method::exact
                   : mann_whitney_method::asymptotic;
  if (r.method == mann_whitney_method::exact) {
    // P(U >= u) = P(U <= mn - u) by symmetry; scipy truncates a tied (fractional) U.
    const long ui = static_cast<long>(u);
    // U's null law is symmetric in the two sizes: recurse over the smaller one.
    r.p_value = detail::mann_whitney_null_cdf(static_cast<long>(m * k) - ui,
                                              static_cast<long>(std::max(na, nb)),
                                              static_cast<long>(std::min(na, nb)));
  } else {
    const double total = static_cast<double>(n);
    const double s = std::sqrt(m * k / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0))));
    const double numerator =
        u - m * k / 2.0 - (options.continuity == continuity_correction::on ? 0.5 : 0.0);
    const double z = s > 0.0 ? numerator / s : 0.0;  // all values tied: nothing to test
    r.p_value = s > 0.0 ? cdf(complement(boost::math::normal_distribution<double, detail::math_policy>(), z))
                        : 1.0;
  }
  r.p_value = std::clamp(r.p_value * factor, 0.0, 1.0);
  return r;
}

}  // namespace patron
