"""patron.abtest against scipy.stats and statsmodels called in the same test (1e-10
relative unless stated, as the C++ tests)."""
import pickle

import numpy as np
import pytest
from scipy import special, stats
from statsmodels.stats import proportion as smp
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower

import patron

ab = patron.abtest
RTOL = 1e-10
ALTERNATIVES = [(ab.two_sided, "two-sided", "two-sided"), (ab.greater, "larger", "greater"),
                (ab.less, "smaller", "less")]


@pytest.mark.parametrize("alt, sm_alt, sp_alt", ALTERNATIVES)
def test_z_tests_equal_statsmodels(alt, sm_alt, sp_alt):
    for sa, na, sb, nb in [(120, 2400, 156, 2400), (3, 40, 11, 35), (500, 10000, 480, 9000)]:
        pooled = ab.two_proportion_z_test(sa, na, sb, nb, alt=alt)
        z, p = smp.proportions_ztest([sb, sa], [nb, na], alternative=sm_alt)
        assert pooled.statistic == pytest.approx(z, rel=RTOL)
        assert pooled.p_value == pytest.approx(p, rel=RTOL)
        assert pooled.difference == pytest.approx(sb / nb - sa / na, rel=1e-14)
        unpooled = ab.two_proportion_z_test(sa, na, sb, nb, alt=alt, variance=ab.unpooled)
        r = smp.test_proportions_2indep(sb, nb, sa, na, method="wald", compare="diff", alternative=sm_alt)
        assert unpooled.statistic == pytest.approx(r.statistic, rel=RTOL)
        assert unpooled.p_value == pytest.approx(r.pvalue, rel=RTOL)


def test_batch_z_test_equals_the_scalar_test_and_statsmodels(rng):
    n = 2000
    trials_a = rng.integers(100, 5000, n)
    trials_b = rng.integers(100, 5000, n)
    successes_a = rng.binomial(trials_a, 0.05)
    successes_b = rng.binomial(trials_b, 0.055)
    statistic, p_value = ab.two_proportion_z_test_batch(successes_a, trials_a, successes_b, trials_b, alt=ab.greater)
    assert statistic.shape == (n,) and p_value.dtype == np.float64
    for i in range(0, n, 97):
        one = ab.two_proportion_z_test(int(successes_a[i]), int(trials_a[i]), int(successes_b[i]), int(trials_b[i]),
                                       alt=ab.greater)
        assert (statistic[i], p_value[i]) == (one.statistic, one.p_value)  # bitwise
        z, p = smp.proportions_ztest([successes_b[i], successes_a[i]], [trials_b[i], trials_a[i]], alternative="larger")
        assert p_value[i] == pytest.approx(p, rel=RTOL)
    with pytest.raises(patron.InvalidInput, match=r"two_proportion_z_test_batch: successes_a\[1\] \(7\) must be in \[0, trials_a\]"):
        ab.two_proportion_z_test_batch([1, 7], [5, 5], [1, 1], [5, 5])
    with pytest.raises(TypeError, match="trials_a must hold integer counts"):
        ab.two_proportion_z_test_batch([1, 2], [5.0, 5.5], [1, 1], [5, 5])
    for threads in (3, 0):  # 0: every hardware thread
        threaded = ab.two_proportion_z_test_batch(successes_a, trials_a, successes_b, trials_b, alt=ab.greater,
                                                  threads=threads)
        assert np.array_equal(threaded[0], statistic) and np.array_equal(threaded[1], p_value)


@pytest.mark.parametrize("welch", [True, False])
def test_batch_t_test_from_summaries_equals_scipy(rng, welch):
    n = 500
    count_a, count_b = rng.integers(2, 400, n).astype(float), rng.integers(2, 400, n).astype(float)
    mean_a, mean_b = rng.normal(10, 1, n), rng.normal(10.2, 1, n)
    var_a, var_b = rng.gamma(2.0, 1.0, n), rng.gamma(2.0, 1.5, n)
    variance = ab.unequal if welch else ab.equal
    statistic, p_value, dof = ab.t_test_from_summary_batch(count_a, mean_a, var_a, count_b, mean_b, var_b,
                                                           variance=variance)
    t, p = stats.ttest_ind_from_stats(mean_b, np.sqrt(var_b), count_b, mean_a, np.sqrt(var_a), count_a,
                                      equal_var=not welch)
    np.testing.assert_allclose(statistic, t, rtol=RTOL)
    np.testing.assert_allclose(p_value, p, rtol=1e-9)
    for i in range(0, n, 53):
        one = ab.t_test_from_summary(ab.SampleSummary(count_a[i], mean_a[i], var_a[i]),
                                     ab.SampleSummary(count_b[i], mean_b[i], var_b[i]), variance=variance)
        assert (statistic[i], p_value[i], dof[i]) == (one.statistic, one.p_value, one.degrees_of_freedom)
    with pytest.raises(patron.InvalidInput, match=r"t_test_from_summary_batch: count_b\[1\] \(1\) must be at least 2"):
        ab.t_test_from_summary_batch([5, 5], [0, 0], [1, 1], [5, 1], [0, 0], [1, 1])


def test_contingency_and_fisher_equal_scipy():
    for table in ([[120, 2280], [156, 2244]], [[10, 20, 30], [15, 15, 40]], [[3, 1], [1, 3]]):
        t = np.array(table, dtype=float)
        for correction, flag in ((ab.on, True), (ab.off, False)):
            chi = ab.chi_square_independence_test(t, correction=correction)
            ref = stats.chi2_contingency(t, correction=flag)
            assert chi.statistic == pytest.approx(ref[0], rel=RTOL)
            assert chi.p_value == pytest.approx(ref[1], rel=RTOL)
            assert chi.degrees_of_freedom == ref[2]
            np.testing.assert_allclose(chi.expected, ref[3], rtol=1e-14)
            g = ab.g_test_independence(t, correction=correction)
            ref = stats.chi2_contingency(t, correction=flag, lambda_="log-likelihood")
            assert g.statistic == pytest.approx(ref[0], rel=RTOL)
            assert g.p_value == pytest.approx(ref[1], rel=RTOL)
    for a, b, c, d in [(8, 2, 1, 5), (156, 2244, 120, 2280), (0, 5, 3, 2)]:
        for alt, _, sp_alt in ALTERNATIVES:
            r = ab.fisher_exact_test(a, b, c, d, alt)
            ref = stats.fisher_exact([[a, b], [c, d]], alternative=sp_alt)
            assert r.p_value == pytest.approx(ref[1], rel=RTOL)
            if b * c > 0:
                assert r.odds_ratio == pytest.approx(ref[0], rel=1e-14)


def test_intervals_equal_statsmodels():
    methods = [(ab.wald, "normal"), (ab.wilson, "wilson"), (ab.agresti_coull, "agresti_coull"),
               (ab.clopper_pearson, "beta"), (ab.jeffreys, "jeffreys")]
    for x, n in [(120, 2400), (0, 20), (19, 20), (5, 7)]:
        for method, sm in methods:
            lower, upper = ab.proportion_interval(x, n, 0.9, method)
            ref = smp.proportion_confint(x, n, alpha=0.1, method=sm)
            np.testing.assert_allclose([lower, upper], np.clip(ref, 0, 1), rtol=RTOL, atol=1e-15)
    for sa, na, sb, nb in [(120, 2400, 156, 2400), (3, 40, 11, 35)]:
        for method, sm in ((ab.DifferenceIntervalMethod.newcombe, "newcomb"), (ab.DifferenceIntervalMethod.wald, "wald")):
            ci = ab.difference_interval(sa, na, sb, nb, 0.95, method)
            ref = smp.confint_proportions_2indep(sb, nb, sa, na, method=sm, compare="diff", alpha=0.05)
            np.testing.assert_allclose([ci.lower, ci.upper], ref, rtol=RTOL)
        for method, sm in ((ab.log, "log"), (ab.log_adjusted, "log-adjusted")):
            ci = ab.relative_lift_interval(sa, na, sb, nb, confidence=0.95, method=method)
            ref = smp.confint_proportions_2indep(sb, nb, sa, na, method=sm, compare="ratio", alpha=0.05)
            np.testing.assert_allclose([ci.lower, ci.upper], np.array(ref) - 1, rtol=RTOL)


@pytest.mark.parametrize("alt, sm_alt, sp_alt", ALTERNATIVES)
def test_t_tests_and_mann_whitney_equal_scipy(rng, alt, sm_alt, sp_alt):
    a = rng.gamma(2.0, 10.0, 80)
    b = rng.gamma(2.2, 10.0, 60)
    for variance, equal in ((ab.unequal, False), (ab.equal, True)):
        r = ab.t_test(a, b, alt=alt, variance=variance)
        ref = stats.ttest_ind(b, a, equal_var=equal, alternative=sp_alt)
        assert r.statistic == pytest.approx(ref.statistic, rel=RTOL)
        assert r.p_value == pytest.approx(ref.pvalue, rel=RTOL)
        s = ab.t_test_from_summary(ab.SampleSummary(len(a), a.mean(), a.var(ddof=1)),
                                   ab.SampleSummary(len(b), b.mean(), b.var(ddof=1)), alt=alt, variance=variance)
        ref = stats.ttest_ind_from_stats(b.mean(), b.std(ddof=1), len(b), a.mean(), a.std(ddof=1), len(a),
                                         equal_var=equal, alternative=sp_alt)
        assert s.statistic == pytest.approx(ref.statistic, rel=RTOL)
        assert s.p_value == pytest.approx(ref.pvalue, rel=RTOL)
    paired = ab.paired_t_test(a[:60], b, alt=alt)
    ref = stats.ttest_rel(b, a[:60], alternative=sp_alt)
    assert paired.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert paired.p_value == pytest.approx(ref.pvalue, rel=RTOL)
    rounded_a, rounded_b = np.round(a), np.round(b)  # ties
    for continuity in (ab.on, ab.off):
        r = ab.mann_whitney_test(rounded_a, rounded_b, alt=alt, method=ab.asymptotic, continuity=continuity)
        ref = stats.mannwhitneyu(rounded_b, rounded_a, alternative=sp_alt, method="asymptotic",
                                 use_continuity=continuity == ab.on)
        assert r.statistic == ref.statistic
        assert r.p_value == pytest.approx(ref.pvalue, rel=RTOL)
    r = ab.mann_whitney_test(a[:7], b[:9], alt=alt)
    ref = stats.mannwhitneyu(b[:9], a[:7], alternative=sp_alt, method="exact")
    assert r.method == ab.exact
    assert r.p_value == pytest.approx(ref.pvalue, rel=RTOL)


def test_multiple_comparisons_equal_statsmodels():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205])
    for method, sm in [(ab.bonferroni, "bonferroni"), (ab.sidak, "sidak"), (ab.holm, "holm"),
                       (ab.hochberg, "simes-hochberg"), (ab.benjamini_hochberg, "fdr_bh"),
                       (ab.benjamini_yekutieli, "fdr_by")]:
        r = ab.adjust_p_values(p, method, alpha=0.05)
        reject, adjusted, _, _ = multipletests(p, alpha=0.05, method=sm)
        np.testing.assert_allclose(r.adjusted_p_value, adjusted, rtol=1e-12)
        np.testing.assert_array_equal(r.reject, reject)
        assert r.reject.dtype == np.bool_


@pytest.mark.parametrize("alt, sm_alt, sp_alt", ALTERNATIVES)
def test_power_and_sample_size_equal_statsmodels(alt, sm_alt, sp_alt):
    effect = -0.2 if alt == ab.less else 0.2
    for n, ratio, alpha in [(100, 1.0, 0.05), (400, 2.0, 0.01)]:
        assert ab.normal_power(effect, n, alpha=alpha, alt=alt, ratio=ratio) == pytest.approx(
            NormalIndPower().power(effect, n, alpha, ratio, alternative=sm_alt), rel=RTOL)
        assert ab.t_test_power(effect, n, alpha=alpha, alt=alt, ratio=ratio) == pytest.approx(
            TTestIndPower().power(effect, n, alpha, ratio, alternative=sm_alt), rel=1e-8)
    # Sample sizes: solve_power is a root finder with its own tolerance; the statsmodels
    # power at patron's n must be the target power.
    n = ab.normal_sample_size(effect, 0.8, alt=alt)
    assert NormalIndPower().power(effect, n, 0.05, 1.0, alternative=sm_alt) == pytest.approx(0.8, rel=1e-10)
    assert n == pytest.approx(NormalIndPower().solve_power(effect, None, 0.05, 0.8, 1.0, alternative=sm_alt), rel=1e-7)
    n = ab.t_test_sample_size(effect, 0.8, alt=alt)
    assert TTestIndPower().power(effect, n, 0.05, 1.0, alternative=sm_alt) == pytest.approx(0.8, rel=1e-9)
    e = ab.t_test_minimum_effect(150.0, 0.8, alt=alt)
    assert TTestIndPower().power(e, 150.0, 0.05, 1.0, alternative=sm_alt) == pytest.approx(0.8, rel=1e-9)
    e = ab.normal_minimum_effect(150.0, 0.8, alt=alt)
    assert NormalIndPower().power(e, 150.0, 0.05, 1.0, alternative=sm_alt) == pytest.approx(0.8, rel=1e-9)
    p_b = 0.045 if alt == ab.less else 0.06
    for n, ratio in [(5000, 1.0), (3000, 2.0)]:
        ref = smp.power_proportions_2indep(p_b - 0.05, 0.05, n * ratio, ratio=1 / ratio, alpha=0.05,
                                           alternative=sm_alt, return_results=True).power
        assert ab.two_proportion_power(0.05, p_b, n, alt=alt, ratio=ratio) == pytest.approx(ref, rel=RTOL)
    n = ab.two_proportion_sample_size(0.05, p_b, 0.8, alt=alt)
    assert ab.two_proportion_power(0.05, p_b, n, alt=alt) == pytest.approx(0.8, rel=1e-10)
    mde = ab.two_proportion_minimum_effect(0.05, n, 0.8, alt=alt)  # p_B - p_A
    assert mde == pytest.approx(p_b - 0.05, rel=1e-8)


def test_bayesian_equals_the_closed_form_and_scipy_beta():
    sa, na, sb, nb = 120, 2400, 156, 2400
    prior = ab.BetaPrior(alpha=2.0, beta=3.0)
    r = ab.bayesian_ab_test(sa, na, sb, nb, prior_a=prior, prior_b=prior, credible=0.9)
    a_a, b_a, a_b, b_b = 2.0 + sa, 3.0 + na - sa, 2.0 + sb, 3.0 + nb - sb
    # Evan Miller's sum for P(p_B > p_A), integer alpha_B.
    i = np.arange(0, int(a_b))
    terms = special.betaln(a_a + i, b_a + b_b) - np.log(b_b + i) - special.betaln(1 + i, b_b) - special.betaln(a_a, b_a)
    assert r.probability_b_better == pytest.approx(float(np.exp(special.logsumexp(terms))), rel=RTOL)
    assert r.posterior_mean_a == pytest.approx(a_a / (a_a + b_a), rel=1e-14)
    np.testing.assert_allclose(list(r.credible_b), stats.beta.ppf([0.05, 0.95], a_b, b_b), rtol=RTOL)
    np.testing.assert_allclose(list(r.credible_a), stats.beta.ppf([0.05, 0.95], a_a, b_a), rtol=RTOL)
    assert not r.gaussian_approximation


def test_srm_equals_scipy_chisquare():
    observed = np.array([50_421.0, 49_123.0, 25_010.0])
    weights = np.array([2.0, 2.0, 1.0])
    r = ab.sample_ratio_mismatch_test(observed, weights)
    ref = stats.chisquare(observed, observed.sum() * weights / weights.sum())
    assert r.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert r.p_value == pytest.approx(ref.pvalue, rel=RTOL)
    assert r.degrees_of_freedom == 2


def test_moment_accumulators_shard_pickle_merge_then_test(rng):
    a = rng.gamma(2.0, 10.0, 3001)
    b = rng.gamma(2.1, 10.0, 2999)
    shards = []
    for values in (a, b):
        parts = []
        for chunk in np.array_split(values, 4):
            acc = ab.MomentAccumulator()
            acc.add(chunk)
            parts.append(pickle.loads(pickle.dumps(acc)))  # shipped between workers
        total = parts[0]
        for other in parts[1:]:
            total.merge(other)
        shards.append(total)
    for acc, values in zip(shards, (a, b)):
        assert acc.count == len(values)
        assert acc.mean == pytest.approx(values.mean(), rel=1e-13)
        assert acc.variance == pytest.approx(values.var(ddof=1), rel=1e-12)
    r = ab.t_test_from_summary(shards[0].summary(), shards[1].summary())
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    # Pickling is exact: the state survives bit for bit.
    again = pickle.loads(pickle.dumps(shards[0]))
    assert (again.count, again.mean, again.variance) == (shards[0].count, shards[0].mean, shards[0].variance)
    # A bad value leaves the accumulator unchanged.
    before = (shards[0].count, shards[0].mean)
    with pytest.raises(patron.InvalidInput, match=r"moment_accumulator::add: value \(nan\) must be finite"):
        shards[0].add([1.0, np.nan])
    assert (shards[0].count, shards[0].mean) == before


def test_cuped_from_accumulators_equals_arrays_and_numpy(rng):
    xa = rng.gamma(2.0, 10.0, 1200)
    ya = 5 + 0.8 * xa + rng.normal(0, 4, 1200)
    xb = rng.gamma(2.0, 10.0, 1000)
    yb = 7 + 0.8 * xb + rng.normal(0, 4, 1000)
    direct = ab.cuped_test(ya, xa, yb, xb)
    x_all, y_all = np.concatenate([xa, xb]), np.concatenate([ya, yb])
    theta = np.cov(y_all, x_all, ddof=1)[0, 1] / np.var(x_all, ddof=1)
    adj_a, adj_b = ya - theta * (xa - x_all.mean()), yb - theta * (xb - x_all.mean())
    diff = adj_b.mean() - adj_a.mean()
    se = np.sqrt(np.var(adj_a, ddof=1) / len(ya) + np.var(adj_b, ddof=1) / len(yb))
    assert direct.theta == pytest.approx(theta, rel=RTOL)
    assert direct.difference == pytest.approx(diff, rel=RTOL)
    assert direct.standard_error == pytest.approx(se, rel=RTOL)
    assert direct.p_value == pytest.approx(2 * stats.norm.sf(abs(diff / se)), rel=1e-9)
    accumulators = []
    for y, x in ((ya, xa), (yb, xb)):
        halves = []
        for part in np.array_split(np.arange(len(y)), 2):
            acc = ab.CovarianceAccumulator()
            acc.add(y[part], x[part])
            halves.append(pickle.loads(pickle.dumps(acc)))
        halves[0].merge(halves[1])
        accumulators.append(halves[0])
    merged = ab.cuped_test(accumulators[0], accumulators[1])
    assert merged.difference == pytest.approx(direct.difference, rel=1e-12)
    assert merged.standard_error == pytest.approx(direct.standard_error, rel=1e-12)


def test_sequential_designs():
    design = ab.group_sequential_boundaries([0.25, 0.5, 0.75, 1.0])
    # O'Brien-Fleming spending of alpha/2 per side, alpha*(t) = 2 - 2 Phi(z_{1-alpha/4} / sqrt(t)):
    # the first look spends alpha*(t1) on one side alone.
    spent = 2 * stats.norm.sf(stats.norm.isf(0.0125) / np.sqrt(0.25))
    assert design.z_boundary[0] == pytest.approx(stats.norm.isf(spent), rel=1e-9)
    assert design.cumulative_alpha[-1] == pytest.approx(0.05, rel=1e-12)
    plan = ab.simple_sequential_design(1000, 0.05)
    # Reflection principle: P(max S_k >= d) = P(S_N >= d) + P(S_N > d), S_N = 2 Bin(N, 1/2) - N.
    d, N = plan.threshold, plan.total_conversions

    def tail(m):  # P(S_N >= m)
        return stats.binom.sf(np.ceil((m + N) / 2) - 1, N, 0.5)

    assert plan.type_one_error == pytest.approx(tail(d) + tail(d + 1), rel=1e-10)
    assert tail(d - 1) + tail(d) > 0.05 >= plan.type_one_error
    assert ab.simple_sequential_decision(plan, 10, 10 + d) == ab.b_wins
    assert ab.simple_sequential_decision(plan, 10, 12) == ab.keep_going
    monitor = ab.AlwaysValidMonitor(mixture_variance=1.0, alpha=0.05)
    first = monitor.update(0.5, 0.04)
    look = ab.msprt_look(0.5, 0.04, 1.0, 0.05)
    assert first.p_value == look.p_value
    # Mixture likelihood ratio of a normal estimate (Johari et al. 2017).
    v, tau2 = 0.04, 1.0
    lr = np.sqrt(v / (v + tau2)) * np.exp(tau2 * 0.5 ** 2 / (2 * v * (v + tau2)))
    assert look.likelihood_ratio == pytest.approx(lr, rel=1e-12)
    # A monitor shipped mid-test (pickle) or saved and resumed continues exactly.
    for estimate, variance in [(0.3, 0.03), (0.45, 0.02), (0.4, 0.015)]:
        monitor.update(estimate, variance)
    shipped = pickle.loads(pickle.dumps(monitor))
    c = monitor.current
    resumed = ab.AlwaysValidMonitor.resume(monitor.mixture_variance, monitor.alpha, c.p_value, c.interval.lower,
                                           c.interval.upper, c.likelihood_ratio)
    for estimate, variance in [(0.42, 0.01), (0.41, 0.008)]:
        expected = monitor.update(estimate, variance)
        for other in (shipped, resumed):
            got = other.update(estimate, variance)
            assert (got.p_value, got.interval.lower, got.interval.upper) == (
                expected.p_value, expected.interval.lower, expected.interval.upper)
    assert shipped.rejected() == monitor.rejected() and shipped.alpha == 0.05
    with pytest.raises(patron.InvalidInput, match=r"resume: current.p_value \(1.5\) must be in \[0, 1\]"):
        ab.AlwaysValidMonitor.resume(1.0, 0.05, 1.5, 0.0, 1.0, 1.0)


def test_bad_input():
    with pytest.raises(patron.InvalidInput, match=r"two_proportion_z_test: trials_a \(0\) must be positive"):
        ab.two_proportion_z_test(0, 0, 1, 10)
    with pytest.raises(TypeError):
        ab.two_proportion_z_test(1.5, 10, 1, 10)
    with pytest.raises(TypeError):
        ab.two_proportion_z_test(None, 10, 1, 10)
    with pytest.raises(TypeError, match="b must be an array, not None"):
        ab.t_test([1.0, 2.0], None)
    with pytest.raises(ValueError, match="a must be 1-dimensional"):
        ab.t_test(np.ones((3, 2)), [1.0, 2.0, 3.0])
    with pytest.raises(patron.InvalidInput, match=r"t_test: b\[1\] \(nan\)"):
        ab.t_test([1.0, 2.0, 3.0], [1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match="table must be 2-dimensional"):
        ab.chi_square_independence_test([1.0, 2.0])
    with pytest.raises(patron.InvalidInput, match=r"p_values\[0\] \(nan\)"):
        ab.adjust_p_values([np.nan, 0.5], ab.holm)
    with pytest.raises(TypeError, match="values must be convertible to a numeric array"):
        ab.MomentAccumulator().add(np.array(["x"]))
    with pytest.raises(TypeError, match="successes_a must be an array, not None"):
        ab.two_proportion_z_test_batch(None, [1], [1], [1])
    with pytest.raises(patron.InvalidInput, match=r"normal_power: options.alpha \(1.5\)"):
        ab.normal_power(0.2, 100, alpha=1.5)
