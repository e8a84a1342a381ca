"""patron.churn against the published sBG table (Fader & Hardie 2007, REFERENCES.md),
closed forms with scipy, and statsmodels SurvfuncRight / survdiff for Kaplan-Meier."""
import pickle

import numpy as np
import pytest
from scipy import special
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

import patron

churn = patron.churn

# Fader & Hardie (2007), percentage of the cohort active at the start of years 0..12;
# fitted on years 0..7, years 8..12 are the holdout.
REGULAR = [100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3]
HIGH_END = [100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1, 46.8, 44.5, 42.7, 40.9, 39.4]


@pytest.mark.parametrize("table, alpha, beta, log_likelihood, holdout_points", [
    (REGULAR, 0.7041, 1.1820, -1680.27, 1.0), (HIGH_END, 0.6681, 3.8061, -1611.16, 2.0)])
def test_sbg_fit_reproduces_the_published_table(table, alpha, beta, log_likelihood, holdout_points):
    alive = 10.0 * np.array(table[:8])  # 1,000 customers
    m = churn.sbg_fit_counts(alive)
    assert m.converged
    assert abs(m.alpha - alpha) <= 5e-5 and abs(m.beta - beta) <= 5e-5
    assert abs(m.log_likelihood - log_likelihood) <= 0.01
    t = np.arange(13, dtype=float)
    closed = np.exp(special.betaln(m.alpha, m.beta + t) - special.betaln(m.alpha, m.beta))
    np.testing.assert_allclose(churn.sbg_survival_curve(m.parameters, 12), closed, rtol=1e-12)
    np.testing.assert_allclose(m.survival(t), closed, rtol=1e-12)
    projection = m.project(12)
    np.testing.assert_allclose(projection.survival, closed, rtol=1e-12)
    assert np.max(np.abs(100 * projection.survival[8:] - np.array(table[8:]))) <= holdout_points
    assert np.all(projection.lower <= projection.survival) and np.all(projection.survival <= projection.upper)
    churn_t = np.exp(special.betaln(m.alpha + 1, m.beta + t[1:] - 1) - special.betaln(m.alpha, m.beta))
    np.testing.assert_allclose(m.churn_probability(t[1:]), churn_t, rtol=1e-12)
    np.testing.assert_allclose(m.retention_rate(t[1:]), (m.beta + t[1:] - 1) / (m.alpha + m.beta + t[1:] - 1), rtol=1e-12)
    # Individual durations (churned in period t, or censored after 7 periods) give the same fit.
    lost = -np.diff(alive)
    durations = np.concatenate([np.arange(1, 8, dtype=float), [7.0]])
    event = np.concatenate([np.ones(7), [0.0]])
    weights = np.concatenate([lost, [alive[-1]]])
    d = churn.sbg_fit_durations(durations, event, weights)
    assert d.alpha == pytest.approx(m.alpha, rel=1e-7) and d.beta == pytest.approx(m.beta, rel=1e-7)
    copy = pickle.loads(pickle.dumps(m))
    assert (copy.alpha, copy.beta, copy.alpha_se, copy.message) == (m.alpha, m.beta, m.alpha_se, m.message)
    np.testing.assert_array_equal(copy.project(12).upper, projection.upper)


def test_bdw_nests_sbg_and_formulas():
    alive = 10.0 * np.array(REGULAR[:8])
    sbg = churn.sbg_fit_counts(alive)
    bdw = churn.bdw_fit_counts(alive)
    assert bdw.log_likelihood >= sbg.log_likelihood - 1e-9
    copy = pickle.loads(pickle.dumps(bdw))
    assert (copy.alpha, copy.beta, copy.c, copy.c_se, copy.log_likelihood) == (
        bdw.alpha, bdw.beta, bdw.c, bdw.c_se, bdw.log_likelihood)
    np.testing.assert_array_equal(copy.project(12).lower, bdw.project(12).lower)
    assert copy.parameters.c == bdw.c
    lrt = churn.compare_sbg_bdw(sbg, bdw)
    assert lrt.statistic == pytest.approx(2 * (bdw.log_likelihood - sbg.log_likelihood), rel=1e-9, abs=1e-12)
    p = churn.BdwParameters(alpha=0.7, beta=1.2, c=1.0)
    t = np.arange(0, 10, dtype=float)
    np.testing.assert_allclose(churn.bdw_survival(p, t), churn.sbg_survival(churn.SbgParameters(0.7, 1.2), t), rtol=1e-12)
    assert churn.sbg_expected_lifetime(churn.SbgParameters(2.0, 3.0)) == pytest.approx(3.0 / (2.0 - 1.0) + 1.0, rel=1e-12)
    assert churn.convert_churn_rate(0.02, 1, 12) == pytest.approx(1 - 0.98 ** 12, rel=1e-14)
    assert churn.expected_lifetime_constant_churn(0.25) == 4.0
    assert churn.survival_constant_churn(0.1, 3) == pytest.approx(0.9 ** 3, rel=1e-14)
    r = churn.period_rates_from_counts(1000, 50, 80)
    assert (r.churn_rate, r.retention_rate, r.customers_at_end) == (0.05, 0.95, 1030.0)


def test_cohort_retention_equals_a_numpy_count():
    rng = np.random.default_rng(7)
    start = rng.integers(0, 6, 500)
    last = start + rng.integers(0, 6, 500)
    table = churn.cohort_retention(start, last, observation_end=int(last.max()))
    np.testing.assert_array_equal(table.cohort, np.arange(6))
    for i, c in enumerate(table.cohort):
        members = start == c
        for k in range(table.periods_observed[i]):
            assert table.active[i, k] == np.sum(last[members] >= c + k)
        np.testing.assert_allclose(table.retention[i, :table.periods_observed[i]],
                                   table.active[i, :table.periods_observed[i]] / table.active[i, 0], rtol=1e-15)


def test_kaplan_meier_and_logrank_equal_statsmodels(rng):
    n = 400
    time = np.round(rng.exponential(12.0, n)) + 1.0  # ties
    event = (rng.random(n) < 0.7).astype(float)
    group = (rng.random(n) < 0.5).astype(float)
    km = churn.kaplan_meier(time, event, interval=churn.log)
    ref = SurvfuncRight(time, event)
    at_event = np.isin(km.time, ref.surv_times)  # statsmodels lists event times only
    np.testing.assert_allclose(km.survival[at_event], ref.surv_prob, rtol=1e-12)
    # Greenwood standard error of S; statsmodels gives NaN once S = 0, patron 0.
    se = np.sqrt(km.greenwood_variance[at_event])
    finite = np.isfinite(ref.surv_prob_se)
    np.testing.assert_allclose(se[finite], ref.surv_prob_se[finite], rtol=1e-10)
    assert np.all(se[~finite] == 0.0)
    np.testing.assert_allclose(km.n_risk[at_event], ref.n_risk, rtol=0)
    # Product limit written out with numpy.
    times = np.unique(time)
    at_risk = np.array([np.sum(time >= t) for t in times])
    deaths = np.array([np.sum((time == t) & (event == 1)) for t in times])
    np.testing.assert_allclose(km.survival, np.cumprod(1 - deaths / at_risk), rtol=1e-13)
    np.testing.assert_allclose(km.survival_at(times + 0.5), np.cumprod(1 - deaths / at_risk), rtol=1e-13)
    tau = 30.0
    grid = np.concatenate([[0.0], times[times < tau], [tau]])
    steps = np.concatenate([[1.0], np.cumprod(1 - deaths / at_risk)[times < tau]])
    assert km.restricted_mean_survival(tau).estimate == pytest.approx(float(np.sum(steps * np.diff(grid))), rel=1e-12)
    lr = churn.logrank_test(time, event, group)
    chisq, p = survdiff(time, event, group)
    assert lr.statistic == pytest.approx(chisq, rel=1e-10)
    assert lr.p_value == pytest.approx(p, rel=1e-10)


def test_bad_input():
    with pytest.raises(patron.InvalidInput, match=r"kaplan_meier: exit_time\[1\] \(nan\)"):
        churn.kaplan_meier([1.0, np.nan], [1.0, 0.0])
    with pytest.raises(TypeError, match="event must be an array, not None"):
        churn.kaplan_meier([1.0, 2.0], None)
    with pytest.raises(ValueError, match="alive must be 1-dimensional"):
        churn.sbg_fit_counts(np.ones((3, 2)))
    with pytest.raises(patron.InvalidInput, match=r"sbg_fit_counts: alive"):
        churn.sbg_fit_counts([1000.0, 1200.0, 500.0])
    with pytest.raises(TypeError, match="start_period must hold integer counts"):
        churn.cohort_retention([0.5, 1.0], [1, 2])
    with pytest.raises(patron.InvalidInput, match=r"last_active_period\[1\] \(0\) precedes"):
        churn.cohort_retention([0, 1], [1, 0])
    with pytest.raises(patron.InvalidInput, match=r"convert_churn_rate: churn_rate \(nan\)"):
        churn.convert_churn_rate(np.nan, 1, 12)
    with pytest.raises(TypeError, match="t must be a number or an array, not None"):
        churn.sbg_survival(churn.SbgParameters(), None)
