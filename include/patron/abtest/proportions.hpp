// Conversion rates: z-tests, contingency-table tests, Fisher's exact test and
// intervals for one proportion, a difference and a ratio. Counts are successes out
// of trials; A is the control, B the treatment; differences are B - A.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "patron/core/parallel.hpp"
#include "patron/abtest/common.hpp"
#include "patron/abtest/normal_tail.hpp"

namespace patron {

// ---------------------------------------------------------------------------------
// Two-proportion z-test
// ---------------------------------------------------------------------------------

enum class variance_estimate {
  pooled,   // p(1-p)(1/n_A + 1/n_B) with the pooled p: statsmodels proportions_ztest
  unpooled  // p_A(1-p_A)/n_A + p_B(1-p_B)/n_B: statsmodels test_proportions_2indep 'wald'
};

struct two_proportion_options {
  alternative alt = alternative::two_sided;        // greater: p_B > p_A
  variance_estimate variance = variance_estimate::pooled;
};

struct two_proportion_result {
  double statistic = 0.0;       // z = (p_B - p_A) / standard_error
  double p_value = 1.0;
  double proportion_a = 0.0;
  double proportion_b = 0.0;
  double difference = 0.0;      // p_B - p_A
  double relative_lift = 0.0;   // p_B / p_A - 1 (inf when p_A = 0 < p_B, 0 when both are 0)
  double standard_error = 0.0;  // of the difference, under the chosen variance
};

namespace detail {

// The z-test without validation on packets of experiments: the single and the batch
// entry points both go through it (the single one on a broadcast packet), so they give
// identical bits. Degenerate cases are selected, not branched to.
template <class Packet>
struct z_test_packets {
  Packet standard_error, statistic;
};

// With counts x, trials t and x t' - x' t exact in doubles (below 2^53), the
// statistic is written so it costs one division and one square root (the divider is
// the bottleneck of a packet of z-tests):
//   pooled:   z = (x_B t_A - x_A t_B) sqrt(T / (S F t_A t_B)), S, F, T the pooled
//             successes, failures and trials;
//   unpooled: z = (x_B t_A - x_A t_B) sqrt(t_A t_B / (v_A t_B^3 + v_B t_A^3)),
//             v = x (t - x).
// Both equal (p_B - p_A) / se up to rounding (a few ulps; the difference is even
// free of the cancellation in p_B - p_A). The standard error is only used by the
// single test; the batch never reads it, and the inlined code drops it.
template <class Packet>
EIGEN_STRONG_INLINE z_test_packets<Packet> z_test_packet(const Packet& xa, const Packet& ta,
                                                         const Packet& xb, const Packet& tb,
                                                         variance_estimate variance) {
  using namespace Eigen::internal;
  const Packet zero = pzero(xa);
  const Packet numerator = psub(pmul(xb, ta), pmul(xa, tb));
  const Packet trials = pmul(ta, tb);
  Packet variance_numerator, scale;  // z = numerator sqrt(scale / variance_numerator)
  z_test_packets<Packet> r;
  if (variance == variance_estimate::pooled) {
    const Packet total = padd(ta, tb), successes = padd(xa, xb);
    variance_numerator = pmul(pmul(successes, psub(total, successes)), trials);
    scale = total;
    r.standard_error = psqrt(pdiv(variance_numerator, pmul(pmul(total, trials), trials)));
  } else {
    const Packet va = pmul(xa, psub(ta, xa)), vb = pmul(xb, psub(tb, xb));
    const Packet ta3 = pmul(pmul(ta, ta), ta), tb3 = pmul(pmul(tb, tb), tb);
    variance_numerator = padd(pmul(va, tb3), pmul(vb, ta3));
    scale = trials;
    r.standard_error = psqrt(padd(pdiv(va, ta3), pdiv(vb, tb3)));
  }
  // As ratio_statistic: 0 when nothing differs and nothing varies, +-inf when only the
  // variance is zero.
  const Packet infinity = pset1<Packet>(std::numeric_limits<double>::infinity());
  const Packet degenerate =
      pselect(pcmp_eq(numerator, zero), zero,
              pselect(pcmp_lt(numerator, zero), pnegate(infinity), infinity));
  r.statistic = pselect(pcmp_lt(zero, variance_numerator),
                        pmul(numerator, psqrt(pdiv(scale, variance_numerator))), degenerate);
  return r;
}

// p-values of a packet of z statistics. The normal tails are erfc(z / sqrt 2) / 2;
// erfc is itself a complement, so tiny p-values keep full relative precision.
template <class Packet>
Packet z_p_value_packet(const Packet& z, alternative alt) {
  using namespace Eigen::internal;
  const Packet root_half = pset1<Packet>(0.70710678118654752440);
  switch (alt) {
    case alternative::greater: return pmul(pset1<Packet>(0.5), erfc_packet(pmul(z, root_half)));
    case alternative::less:
      return pmul(pset1<Packet>(0.5), erfc_packet(pnegate(pmul(z, root_half))));
    case alternative::two_sided: break;
  }
  return erfc_packet_non_negative(pmul(pabs(z), root_half));  // at most 1
}

inline two_proportion_result z_test_unchecked(double successes_a, double trials_a,
                                              double successes_b, double trials_b,
                                              const two_proportion_options& options) {
  using namespace Eigen::internal;
  const auto z = z_test_packet(pset1<double_packet>(successes_a), pset1<double_packet>(trials_a),
                               pset1<double_packet>(successes_b), pset1<double_packet>(trials_b),
                               options.variance);
  two_proportion_result r;
  r.proportion_a = successes_a / trials_a;
  r.proportion_b = successes_b / trials_b;
  r.difference = r.proportion_b - r.proportion_a;
  r.standard_error = pfirst(z.standard_error);
  r.statistic = pfirst(z.statistic);
  r.relative_lift = r.proportion_a > 0.0 ? r.difference / r.proportion_a
                    : r.proportion_b > 0.0 ? std::numeric_limits<double>::infinity()
                                           : 0.0;
  r.p_value = pfirst(z_p_value_packet(z.statistic, options.alt));
  return r;
}

}  // namespace detail

// Two-proportion z-test of H0: p_A = p_B. Degenerate data (no successes, or only
// successes, in both groups) gives statistic 0 and p-value 1.
[[nodiscard]] inline two_proportion_result two_proportion_z_test(
    std::int64_t successes_a, std::int64_t trials_a, std::int64_t successes_b,
    std::int64_t trials_b, const two_proportion_options& options = {}) {
  constexpr const char* f = "two_proportion_z_test";
  detail::require_counts(f, "successes_a", successes_a, "trials_a", trials_a);
  detail::require_counts(f, "successes_b", successes_b, "trials_b", trials_b);
  return detail::z_test_unchecked(static_cast<double>(successes_a),
                                  static_cast<double>(trials_a),
                                  static_cast<double>(successes_b),
                                  static_cast<double>(trials_b), options);
}

using count_vector = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;

namespace detail {

// Rows of a block already converted to doubles: a packet at a time; the short last
// packet is padded with a harmless experiment (0 of 1 vs 0 of 1), so every row goes
// through the same packet code.
inline void z_test_block(const double* xa, const double* ta, const double* xb, const double* tb,
                         Eigen::Index rows, double* statistic, double* p_value,
                         const two_proportion_options& options) {
  using namespace Eigen::internal;
  constexpr Eigen::Index width = double_packet_size;
  Eigen::Index i = 0;
  for (; i + width <= rows; i += width) {
    const auto z = z_test_packet(ploadu<double_packet>(xa + i), ploadu<double_packet>(ta + i),
                                 ploadu<double_packet>(xb + i), ploadu<double_packet>(tb + i),
                                 options.variance);
    pstoreu(statistic + i, z.statistic);
    pstoreu(p_value + i, z_p_value_packet(z.statistic, options.alt));
  }
  if (i == rows) return;
  double in[4][width], out[2][width];
  for (Eigen::Index k = 0; k < width; ++k) {
    const bool real = i + k < rows;
    in[0][k] = real ? xa[i + k] : 0.0;
    in[1][k] = real ? ta[i + k] : 1.0;
    in[2][k] = real ? xb[i + k] : 0.0;
    in[3][k] = real ? tb[i + k] : 1.0;
  }
  const auto z = z_test_packet(ploadu<double_packet>(in[0]), ploadu<double_packet>(in[1]),
                               ploadu<double_packet>(in[2]), ploadu<double_packet>(in[3]),
                               options.variance);
  pstoreu(out[0], z.statistic);
  pstoreu(out[1], z_p_value_packet(z.statistic, options.alt));
  std::copy(out[0], out[0] + (rows - i), statistic + i);
  std::copy(out[1], out[1] + (rows - i), p_value + i);
}

// The first bad row of a range of the batch, if any.
struct bad_count_row {
  Eigen::Index row = -1;  // -1: none
  const char* name = nullptr;
  const char* what = nullptr;
  std::int64_t value = 0;
};

// Rows [begin, end) of the batch, begin a multiple of the block size: blocks small
// enough for L1, each checked by a branch-free scan (vectorised) while its counts are
// converted to doubles; only a block holding a bad row is searched row by row. Rows
// before the first bad one are written.
inline bad_count_row z_test_range(const std::int64_t* sa, const std::int64_t* na,
                                  const std::int64_t* sb, const std::int64_t* nb,
                                  double* statistic, double* p_value, Eigen::Index begin,
                                  Eigen::Index end, const two_proportion_options& options) {
  constexpr Eigen::Index block = 256;
  double xa[block], ta[block], xb[block], tb[block];
  for (Eigen::Index first = begin; first < end; first += block) {
    const Eigen::Index rows = std::min(block, end - first);
    const std::int64_t *sa_i = sa + first, *na_i = na + first, *sb_i = sb + first, *nb_i = nb + first;
    std::int64_t bad = 0;
    for (Eigen::Index i = 0; i < rows; ++i) {
      bad |= (na_i[i] <= 0) | (nb_i[i] <= 0) | (sa_i[i] < 0) | (sa_i[i] > na_i[i]) |
             (sb_i[i] < 0) | (sb_i[i] > nb_i[i]);
      xa[i] = static_cast<double>(sa_i[i]);
      ta[i] = static_cast<double>(na_i[i]);
      xb[i] = static_cast<double>(sb_i[i]);
      tb[i] = static_cast<double>(nb_i[i]);
    }
    if (bad == 0) {
      z_test_block(xa, ta, xb, tb, rows, statistic + first, p_value + first, options);
      continue;
    }
    for (Eigen::Index i = 0; i < rows; ++i) {
      bad_count_row r;
      if (na_i[i] <= 0) r = {first + i, "trials_a", "must be positive", na_i[i]};
      else if (nb_i[i] <= 0) r = {first + i, "trials_b", "must be positive", nb_i[i]};
      else if (sa_i[i] < 0 || sa_i[i] > na_i[i]) r = {first + i, "successes_a", "must be in [0, trials_a]", sa_i[i]};
      else if (sb_i[i] < 0 || sb_i[i] > nb_i[i]) r = {first + i, "successes_b", "must be in [0, trials_b]", sb_i[i]};
      if (r.row >= 0) {
        z_test_block(xa, ta, xb, tb, i, statistic + first, p_value + first, options);
        return r;
      }
    }
  }
  return {};
}

}  // namespace detail

struct batch_options {
  // Worker threads (0 = every hardware thread). Every row's result is computed the same
  // way whatever thread computes it: bit-identical for any value.
  unsigned threads = 1;
};

// The same test over many experiments at once (experiment i is row i of each input),
// writing into caller-owned outputs: no allocation (beyond the threads); results
// bit-identical to two_proportion_z_test row by row. A bad row throws invalid_input
// naming the first bad index; rows before it have been written.
inline void two_proportion_z_test_batch(const Eigen::Ref<const count_vector>& successes_a,
                                        const Eigen::Ref<const count_vector>& trials_a,
                                        const Eigen::Ref<const count_vector>& successes_b,
                                        const Eigen::Ref<const count_vector>& trials_b,
                                        Eigen::Ref<Eigen::VectorXd> statistic,
                                        Eigen::Ref<Eigen::VectorXd> p_value,
                                        const two_proportion_options& options = {},
                                        const batch_options& batch = {}) {
  constexpr const char* f = "two_proportion_z_test_batch";
  const Eigen::Index n = successes_a.size();
  const auto length = static_cast<std::size_t>(n);
  detail::require_same_length(f, "successes_a", length, "trials_a",
                              static_cast<std::size_t>(trials_a.size()));
  detail::require_same_length(f, "successes_a", length, "successes_b",
                              static_cast<std::size_t>(successes_b.size()));
  detail::require_same_length(f, "successes_a", length, "trials_b",
                              static_cast<std::size_t>(trials_b.size()));
  detail::require_same_length(f, "successes_a", length, "statistic",
                              static_cast<std::size_t>(statistic.size()));
  detail::require_same_length(f, "successes_a", length, "p_value",
                              static_cast<std::size_t>(p_value.size()));
  // Units of 4096 rows; a unit with a bad row throws, and the first bad row is reported.
  constexpr Eigen::Index unit = 4096;
  detail::parallel_for(static_cast<std::size_t>((n + unit - 1) / unit), batch.threads, [&](std::size_t u) {
    const auto begin = static_cast<Eigen::Index>(u) * unit;
    const auto r = detail::z_test_range(successes_a.data(), trials_a.data(), successes_b.data(),
                                        trials_b.data(), statistic.data(), p_value.data(), begin,
                                        std::min(n, begin + unit), options);
    if (r.row >= 0) detail::throw_invalid_element(f, r.name, static_cast<std::size_t>(r.row), r.value, r.what);
  });
}

// ---------------------------------------------------------------------------------
// Contingency tables: chi-square (Pearson) and G (likelihood-ratio) tests of
// independence, as scipy.stats.chi2_contingency. Rows are groups, columns outcomes.
// ---------------------------------------------------------------------------------

struct contingency_options {
  // Yates' correction: moves each observed count 1/2 towards its expectation, only
  // when the table has one degree of freedom (scipy's default: on).
  continuity_correction correction = continuity_correction::on;
};

struct contingency_result {
  double statistic = 0.0;
  double p_value = 1.0;
  int degrees_of_freedom = 0;
  Eigen::MatrixXd expected;  // row total * column total / grand total
};

namespace detail {

enum class divergence { pearson, log_likelihood };

inline contingency_result contingency_test(const char* f, const Eigen::MatrixXd& table,
                                           const contingency_options& options,
                                           divergence kind) {
  require(table.rows() >= 2, f, "table.rows()", table.rows(), "must be at least 2");
  require(table.cols() >= 2, f, "table.cols()", table.cols(), "must be at least 2");
  require_non_negative(f, "table", table);
  const Eigen::VectorXd rows = table.rowwise().sum();
  const Eigen::RowVectorXd cols = table.colwise().sum();
  require(std::isfinite(rows.sum()), f, "table.sum()", rows.sum(), "must be finite");
  for (Eigen::Index i = 0; i < rows.size(); ++i)
    if (rows(i) == 0.0)
      throw_invalid_element(f, "table row", static_cast<std::size_t>(i), rows(i),
                            "sums to zero: its expected counts are zero");
  for (Eigen::Index j = 0; j < cols.size(); ++j)
    if (cols(j) == 0.0)
      throw_invalid_element(f, "table column", static_cast<std::size_t>(j), cols(j),
                            "sums to zero: its expected counts are zero");
  contingency_result r;
  r.expected = rows * cols / rows.sum();
  // Counts so small (below ~1e-154) that an expected count underflows would divide by 0.
  for (Eigen::Index j = 0; j < r.expected.cols(); ++j)
    for (Eigen::Index i = 0; i < r.expected.rows(); ++i)
      if (!(r.expected(i, j) >= std::numeric_limits<double>::min()))
        throw_invalid(f, "table(" + std::to_string(i) + ", " + std::to_string(j) + ") (" +
                             format_value(table(i, j)) + ") has an expected count (" +
                             format_value(r.expected(i, j)) +
                             ") below the smallest normal double: rescale the table");
  r.degrees_of_freedom = static_cast<int>((table.rows() - 1) * (table.cols() - 1));
  Eigen::MatrixXd observed = table;
  if (r.degrees_of_freedom == 1 && options.correction == continuity_correction::on) {
    for (Eigen::Index i = 0; i < observed.size(); ++i) {
      const double gap = r.expected(i) - observed(i);
      observed(i) += std::copysign(std::min(0.5, std::abs(gap)), gap) * (gap != 0.0);
    }
  }
  double statistic = 0.0;
  for (Eigen::Index i = 0; i < observed.size(); ++i) {
    const double o = observed(i), e = r.expected(i);
    if (kind == divergence::pearson) statistic += (o - e) * (o - e) / e;
    else if (o > 0.0) statistic += 2.0 * o * std::log(o / e);  // 0 log 0 = 0
  }
  r.statistic = statistic;
  r.p_value = cdf(complement(
      boost::math::chi_squared_distribution<double, math_policy>(r.degrees_of_freedom),
      std::max(statistic, 0.0)));
  return r;
}

}  // namespace detail

// Pearson's chi-square test of independence, sum (O - E)^2 / E on (r-1)(c-1) degrees
// of freedom (Pearson 1900; Yates 1934 for the correction).
[[nodiscard]] inline contingency_result chi_square_independence_test(
    const Eigen::Ref<const Eigen::MatrixXd>& table, const contingency_options& options = {}) {
  return detail::contingency_test("chi_square_independence_test", table, options,
                                  detail::divergence::pearson);
}

// The G-test (likelihood-ratio), G = 2 sum O log(O / E) (Sokal & Rohlf): scipy's
// chi2_contingency(lambda_="log-likelihood"), Yates' correction included when on.
[[nodiscard]] inline contingency_result g_test_independence(
    const Eigen::Ref<const Eigen::MatrixXd>& table, const contingency_options& options = {}) {
  return detail::contingency_test("g_test_independence", table, options,
                                  detail::divergence::log_likelihood);
}

// ---------------------------------------------------------------------------------
// Fisher's exact test for the 2x2 table [[a, b], [c, d]]
// ---------------------------------------------------------------------------------

struct fisher_result {
  double odds_ratio = 0.0;  // a d / (b c) (sample odds ratio; inf when b c = 0; NaN never)
  double p_value = 1.0;
};

// Fisher's exact test, as scipy.stats.fisher_exact: the conditional (hypergeometric)
// distribution of `a` given the margins. `greater`: odds ratio > 1; two-sided sums the
// probabilities of all tables no more likely than the observed one (relative slack
// 1e-14, as scipy). A zero margin gives p = 1 and odds ratio 1 (scipy: NaN).
// For an A/B test pass a = successes_B, b = failures_B, c = successes_A, d = failures_A.
[[nodiscard]] inline fisher_result fisher_exact_test(std::int64_t a, std::int64_t b,
                                                     std::int64_t c, std::int64_t d,
                                                     alternative alt = alternative::two_sided) {
  constexpr const char* f = "fisher_exact_test";
  detail::require(a >= 0, f, "a", a, "must be non-negative");
  detail::require(b >= 0, f, "b", b, "must be non-negative");
  detail::require(c >= 0, f, "c", c, "must be non-negative");
  detail::require(d >= 0, f, "d", d, "must be non-negative");
  // Each count below 2^32 first, so that their sum cannot overflow std::int64_t.
  constexpr auto limit = static_cast<std::int64_t>(std::numeric_limits<unsigned>::max());
  const std::pair<const char*, std::int64_t> cells[] = {{"a", a}, {"b", b}, {"c", c}, {"d", d}};
  for (const auto& [name, value] : cells)
    detail::require(value <= limit, f, name, value, "exceeds the range of Boost's hypergeometric");
  const std::int64_t total = a + b + c + d;
  detail::require(total <= limit, f, "a + b + c + d", total,
                  "exceeds the range of Boost's hypergeometric");
  fisher_result r;
  if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0) {
    r.odds_ratio = 1.0;
    return r;
  }
  r.odds_ratio = (b > 0 && c > 0) ? static_cast<double>(a) * static_cast<double>(d) /
                                        (static_cast<double>(b) * static_cast<double>(c))
                                  : std::numeric_limits<double>::infinity();
  const auto row1 = static_cast<unsigned>(a + b);
  const auto col1 = static_cast<unsigned>(a + c);
  const auto n = static_cast<unsigned>(total);
  using hypergeometric = boost::math::hypergeometric_distribution<double, detail::math_policy>;
  const hypergeometric dist(row1, col1, n);  // a ~ draws of col1 from n holding row1 marked
  const auto lo = static_cast<std::int64_t>(std::max<std::int64_t>(0, a + c - (c + d)));
  const auto hi = static_cast<std::int64_t>(std::min(row1, col1));
  // scipy's mode, (col1 + 1)(row1 + 1) / (n + 2) truncated: the mode of the law.
  const auto mode = static_cast<std::int64_t>(static_cast<double>(col1 + 1) *
                                              static_cast<double>(row1 + 1) /
                                              (static_cast<double>(n) + 2.0));
  // The whole law by the ratio recurrence
  //   p(x + 1) / p(x) = (row1 - x)(col1 - x) / ((x + 1)(n - row1 - col1 + x + 1))
  // from weight 1 at the mode, normalised by the total weight: relative error ~1e-14
  // at any table size, no under/overflow near the mode, and ~100x cheaper than one Boost
  // pdf/cdf per tail term (Boost's pdf costs ~20 us at n = 300; scipy pays it per term).
  // Weights are kept while they are normal doubles (>= 2.2e-308 of the mode's; below
  // that a product with a ratio near 1 rounds back to itself instead of decaying), so a
  // huge table costs ~40 standard deviations, not n.
  const double r1 = row1, c1 = col1, rest = static_cast<double>(n) - r1 - c1;
  std::vector<double> above{1.0}, below;  // w(mode + i) and w(mode - 1 - i)
  for (std::int64_t x = mode; x < hi; ++x) {
    const double xd = static_cast<double>(x);
    const double next = above.back() * ((r1 - xd) * (c1 - xd)) / ((xd + 1.0) * (rest + xd + 1.0));
    if (next < std::numeric_limits<double>::min()) break;
    above.push_back(next);
  }
  for (std::int64_t x = mode; x > lo; --x) {
    const double xd = static_cast<double>(x);
    const double next = (below.empty() ? 1.0 : below.back()) * (xd * (rest + xd)) /
                        ((r1 - xd + 1.0) * (c1 - xd + 1.0));
    if (next < std::numeric_limits<double>::min()) break;
    below.push_back(next);
  }
  const std::int64_t first = mode - static_cast<std::int64_t>(below.size());
  const std::int64_t last = mode + static_cast<std::int64_t>(above.size()) - 1;
  std::vector<double> pmf(below.rbegin(), below.rend());
  pmf.insert(pmf.end(), above.begin(), above.end());
  double weight = 0.0;
  for (double w : pmf) weight += w;
  for (double& w : pmf) w /= weight;
  auto at = [&](std::int64_t x) {
    return (x < first || x > last) ? 0.0 : pmf[static_cast<std::size_t>(x - first)];
  };
  auto sum = [&](std::int64_t from, std::int64_t to) {  // P(from <= X <= to)
    double total_p = 0.0;
    for (std::int64_t x = std::max(from, first); x <= std::min(to, last); ++x) total_p += at(x);
    return std::min(total_p, 1.0);
  };
  if (alt == alternative::less) {
    r.p_value = sum(lo, a);
    return r;
  }
  if (alt == alternative::greater) {
    r.p_value = sum(a, hi);
    return r;
  }
  const double p_exact = at(a), p_mode = at(mode);
  constexpr double epsilon = 1e-14;
  if (std::abs(p_exact - p_mode) / std::max(p_exact, p_mode) <= epsilon) return r;
  // Two-sided (scipy): the observed tail plus every table on the far side of the mode
  // with probability below p_exact (1 + 1e-14). Near-ties are decided with Boost's pdf,
  // as scipy decides them, so recurrence rounding never flips one; above a million
  // users Boost's pdf (prime factorisation) costs milliseconds, and the recurrence
  // (relative error ~1e-13 there) decides alone.
  const double threshold = p_exact * (1.0 + epsilon);
  auto less_likely = [&](std::int64_t x) {
    const double px = at(x);
    if (std::abs(px - threshold) > 1e-11 * threshold || n > 1000000u) return px < threshold;
    return pdf(dist, static_cast<unsigned>(x)) <
           pdf(dist, static_cast<unsigned>(a)) * (1.0 + epsilon);
  };
  // Tables beyond the stored range have probability ~0 < threshold: they add nothing.
  // An observed table that underflowed (p < ~1e-308) has no far side worth adding.
  double far = 0.0;
  if (a < mode) {
    for (std::int64_t x = last; threshold > 0.0 && x >= mode && less_likely(x); --x) far += at(x);
    r.p_value = std::min(1.0, sum(lo, a) + far);
  } else {
    for (std::int64_t x = first; threshold > 0.0 && x <= mode && less_likely(x); ++x) far += at(x);
    r.p_value = std::min(1.0, sum(a, hi) + far);
  }
  return r;
}

// ---------------------------------------------------------------------------------
// Confidence intervals
// ---------------------------------------------------------------------------------

enum class proportion_interval_method {
  wald,             // p +- z sqrt(p(1-p)/n), clipped to [0, 1]
  wilson,           // score interval (Wilson 1927)
  agresti_coull,    // add z^2/2 successes and failures (Agresti & Coull 1998), clipped
  clopper_pearson,  // exact beta quantiles (Clopper & Pearson 1934)
  jeffreys          // Beta(x + 1/2, n - x + 1/2) quantiles (Brown, Cai & DasGupta 2001)
};

namespace detail {
inline double two_sided_critical(double confidence) {
  return quantile(complement(boost::math::normal_distribution<double, math_policy>(),
                             (1.0 - confidence) / 2.0));
}
}  // namespace detail

// Interval for one proportion, as statsmodels proportion_confint (method names
// normal, wilson, agresti_coull, beta, jeffreys).
[[nodiscard]] inline confidence_interval proportion_interval(
    std::int64_t successes, std::int64_t trials, double confidence = 0.95,
    proportion_interval_method method = proportion_interval_method::wilson) {
  constexpr const char* f = "proportion_interval";
  detail::require_counts(f, "successes", successes, "trials", trials);
  detail::require_confidence(f, "confidence", confidence);
  const double x = static_cast<double>(successes), n = static_cast<double>(trials);
  const double p = x / n, tail = (1.0 - confidence) / 2.0;
  const double z = detail::two_sided_critical(confidence);
  auto clip = [](confidence_interval ci) {
    return confidence_interval{std::max(0.0, ci.lower), std::min(1.0, ci.upper)};
  };
  using beta = boost::math::beta_distribution<double, detail::math_policy>;
  switch (method) {
    case proportion_interval_method::wald: {
      const double half = z * std::sqrt(p * (1.0 - p) / n);
      return clip({p - half, p + half});
    }
    case proportion_interval_method::wilson: {
      const double z2 = z * z, denominator = 1.0 + z2 / n;
      const double centre = (p + z2 / (2.0 * n)) / denominator;
      const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator;
      return {centre - half, centre + half};
    }
    case proportion_interval_method::agresti_coull: {
      const double n_c = n + z * z, p_c = (x + z * z / 2.0) / n_c;
      const double half = z * std::sqrt(p_c * (1.0 - p_c) / n_c);
      return clip({p_c - half, p_c + half});
    }
    case proportion_interval_method::clopper_pearson:
      return {successes == 0 ? 0.0 : quantile(beta(x, n - x + 1.0), tail),
              successes == trials ? 1.0 : quantile(complement(beta(x + 1.0, n - x), tail))};
    case proportion_interval_method::jeffreys: {
      const beta posterior(x + 0.5, n - x + 0.5);
      return {quantile(posterior, tail), quantile(complement(posterior, tail))};
    }
  }
  return {};
}

enum class difference_interval_method {
  newcombe,  // hybrid score: Wilson intervals combined (Newcombe 1998, method 10)
  wald       // p_B - p_A +- z sqrt(p_A q_A / n_A + p_B q_B / n_B)
};

// Interval for p_B - p_A, as statsmodels confint_proportions_2indep(compare='diff').
[[nodiscard]] inline confidence_interval difference_interval(
    std::int64_t successes_a, std::int64_t trials_a, std::int64_t successes_b,
    std::int64_t trials_b, double confidence = 0.95,
    difference_interval_method method = difference_interval_method::newcombe) {
  constexpr const char* f = "difference_interval";
  detail::require_counts(f, "successes_a", successes_a, "trials_a", trials_a);
  detail::require_counts(f, "successes_b", successes_b, "trials_b", trials_b);
  detail::require_confidence(f, "confidence", confidence);
  const double pa = static_cast<double>(successes_a) / static_cast<double>(trials_a);
  const double pb = static_cast<double>(successes_b) / static_cast<double>(trials_b);
  const double diff = pb - pa;
  if (method == difference_interval_method::wald) {
    const double half =
        detail::two_sided_critical(confidence) *
        std::sqrt(pa * (1.0 - pa) / static_cast<double>(trials_a) +
                  pb * (1.0 - pb) / static_cast<double>(trials_b));
    return {diff - half, diff + half};
  }
  const auto wa = proportion_interval(successes_a, trials_a, confidence,
                                      proportion_interval_method::wilson);
  const auto wb = proportion_interval(successes_b, trials_b, confidence,
                                      proportion_interval_method::wilson);
  return {diff - std::hypot(pb - wb.lower, wa.upper - pa),
          diff + std::hypot(pa - wa.lower, wb.upper - pb)};
}

enum class ratio_interval_method {
  log,          // delta method on log(p_B / p_A) (Katz et al. 1978); needs successes > 0
  log_adjusted  // the same with 1/2 added to each count and trial total
};

// Interval for the relative lift p_B / p_A - 1: statsmodels
// confint_proportions_2indep(compare='ratio', method='log' or 'log-adjusted') minus 1.
[[nodiscard]] inline confidence_interval relative_lift_interval(
    std::int64_t successes_a, std::int64_t trials_a, std::int64_t successes_b,
    std::int64_t trials_b, double confidence = 0.95,
    ratio_interval_method method = ratio_interval_method::log) {
  constexpr const char* f = "relative_lift_interval";
  detail::require_counts(f, "successes_a", successes_a, "trials_a", trials_a);
  detail::require_counts(f, "successes_b", successes_b, "trials_b", trials_b);
  detail::require_confidence(f, "confidence", confidence);
  const double add = method == ratio_interval_method::log_adjusted ? 0.5 : 0.0;
  if (add == 0.0) {
    detail::require(successes_a > 0, f, "successes_a", successes_a,
                    "must be positive for the log interval (use log_adjusted)");
    detail::require(successes_b > 0, f, "successes_b", successes_b,
                    "must be positive for the log interval (use log_adjusted)");
  }
  const double xa = static_cast<double>(successes_a) + add, na = static_cast<double>(trials_a) + add;
  const double xb = static_cast<double>(successes_b) + add, nb = static_cast<double>(trials_b) + add;
  const double log_ratio = std::log((xb / nb) / (xa / na));
  const double half = detail::two_sided_critical(confidence) *
                      std::sqrt(1.0 / xb - 1.0 / nb + 1.0 / xa - 1.0 / na);
  return {std::expm1(log_ratio - half), std::expm1(log_ratio + half)};
}

}  // namespace patron
