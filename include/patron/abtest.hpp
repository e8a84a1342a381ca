// A/B testing: is B better than A, by how much, and how sure are we?
//
//   auto z   = patron::two_proportion_z_test(120, 2400, 156, 2400);  // A: 120/2400, B: 156/2400
//   auto ci  = patron::difference_interval(120, 2400, 156, 2400);    // Newcombe, 95 %
//   auto bay = patron::bayesian_ab_test(120, 2400, 156, 2400);       // P(p_B > p_A)
//   double n = patron::two_proportion_sample_size(0.05, 0.06, 0.8); // users per arm
//
// Conventions (docs/abtest.md says which test to use when):
// - A is the control, B the treatment; every difference is B - A and
//   alternative::greater means "B is larger".
// - Statistics and p-values equal scipy.stats / statsmodels (tests/reference/abtest);
//   upper tails come from complements, so p-values stay exact far below 1e-16.
// - Bad input throws patron::invalid_input; degenerate data (no variance) gives a
//   statistic of 0 or +-inf and a p-value of 1 or 0, never NaN.
//
//   proportions.hpp  z-test (pooled/unpooled) and its batch form, chi-square and G tests
//                    of independence, Fisher's exact test, intervals for a proportion,
//                    a difference (Newcombe, Wald) and the relative lift (log ratio)
//   means.hpp        Student/Welch/paired t-tests (from summaries also in batch form),
//                    Mann-Whitney U (exact and asymptotic)
//   moments.hpp      mergeable Welford/Chan accumulators (shard by shard aggregation)
//   corrections.hpp  Bonferroni, Sidak, Holm, Hochberg, Benjamini-Hochberg/-Yekutieli
//   power.hpp        power, sample size and minimum detectable effect
//   bayesian.hpp     beta-binomial P(B > A) in closed form, expected loss, credible intervals
//   platform.hpp     sample-ratio-mismatch test, CUPED variance reduction
//   sequential.hpp   Lan-DeMets group-sequential boundaries, mSPRT confidence sequences,
//                    Evan Miller's simple sequential test
#pragma once

#include "patron/abtest/bayesian.hpp"
#include "patron/abtest/common.hpp"
#include "patron/abtest/corrections.hpp"
#include "patron/abtest/means.hpp"
#include "patron/abtest/moments.hpp"
#include "patron/abtest/platform.hpp"
#include "patron/abtest/power.hpp"
#include "patron/abtest/proportions.hpp"
#include "patron/abtest/sequential.hpp"
