"""patron.clv against the published CDNOW / donations fits (REFERENCES.md) and closed
forms evaluated here with scipy (hyp2f1, betaln, nbinom, quad)."""
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

import patron

clv = patron.clv


def data_file(*parts):
    root = os.environ.get("PATRON_SOURCE_DIR")
    base = Path(root) if root else Path(__file__).resolve().parents[3]
    return base.joinpath("tests", "data", *parts)


@pytest.fixture(scope="module")
def cdnow():
    d = pd.read_csv(data_file("cdnow_summary.csv"))
    return (d.frequency.to_numpy(float), d.recency.to_numpy(float), d["T"].to_numpy(float))


@pytest.fixture(scope="module")
def bgnbd_fit(cdnow):
    return clv.fit_bgnbd(*cdnow)


# REFERENCES.md "checked" BG/NBD parameters for CDNOW.
BGNBD = dict(r=0.242593, alpha=4.413531, a=0.792886, b=2.425751)


def bgnbd_p_alive(p, x, t_x, T):
    odds = np.where(x > 0, p["a"] / (p["b"] + x - 1) * ((p["alpha"] + T) / (p["alpha"] + t_x)) ** (p["r"] + x), 0.0)
    return 1.0 / (1.0 + odds)


def bgnbd_conditional(p, t, x, t_x, T):
    """Fader, Hardie & Lee (2005) eq. 10 with scipy's hyp2f1."""
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    z = t / (alpha + T + t)
    f = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * f
    return (a + b + x - 1) / (a - 1) * bracket * bgnbd_p_alive(p, x, t_x, T)


def bgnbd_log_likelihood(p, x, t_x, T):
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    first = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + T)
    second = special.betaln(a + 1, b + x - 1) - special.betaln(a, b) - (r + x) * np.log(alpha + t_x)
    return common + np.where(x > 0, np.logaddexp(first, np.where(x > 0, second, -np.inf)), first)


def test_bgnbd_fit_reproduces_the_published_cdnow_parameters(bgnbd_fit):
    p = bgnbd_fit.parameters
    for name, value in BGNBD.items():
        assert getattr(p, name) == pytest.approx(value, rel=1e-5)
    report = bgnbd_fit.report
    assert report.converged
    assert abs(report.log_likelihood - -9582.4256) < 0.01
    assert report.parameter_names == ["r", "alpha", "a", "b"]
    assert report.total_weight == 2357
    se = report.standard_errors()
    np.testing.assert_allclose(se ** 2, np.diag(report.covariance), rtol=1e-14)


def test_bgnbd_weighted_fit_on_numpy_patterns_equals_the_row_fit(cdnow, bgnbd_fit):
    # What a Dask reduction does: distinct (x, t_x, T) with counts, fitted with weights.
    rows = np.column_stack(cdnow)
    patterns, counts = np.unique(rows, axis=0, return_counts=True)
    weighted = clv.fit_bgnbd(patterns[:, 0], patterns[:, 1], patterns[:, 2], weights=counts.astype(float))
    for name in BGNBD:
        assert getattr(weighted.parameters, name) == pytest.approx(getattr(bgnbd_fit.parameters, name), rel=1e-10)
    assert weighted.report.log_likelihood == pytest.approx(bgnbd_fit.report.log_likelihood, rel=1e-12)
    compressed = clv.compress_btyd(*cdnow)
    assert len(compressed) == len(patterns)
    assert compressed.weight.sum() == 2357


def test_bgnbd_per_customer_quantities_equal_the_closed_forms(cdnow):
    x, t_x, T = cdnow
    m = clv.BgnbdModel(clv.BgnbdParameters(**BGNBD))
    np.testing.assert_allclose(m.probability_alive(x, t_x, T), bgnbd_p_alive(BGNBD, x, t_x, T), rtol=1e-12)
    np.testing.assert_allclose(m.conditional_expected_purchases(39.0, x, t_x, T),
                               bgnbd_conditional(BGNBD, 39.0, x, t_x, T), rtol=1e-9)
    np.testing.assert_allclose(m.log_likelihood(x, t_x, T), bgnbd_log_likelihood(BGNBD, x, t_x, T), rtol=1e-10)
    # The paper's customer: scalars in, floats out.
    assert m.probability_alive(2, 30.43, 38.86) == pytest.approx(0.72661, abs=5e-6)
    assert m.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.2259, abs=5e-5)
    assert isinstance(m.probability_alive(2, 30.43, 38.86), float)
    np.testing.assert_allclose(m.probability_alive_after(10.0, x, t_x, T), bgnbd_p_alive(BGNBD, x, t_x, T + 10.0),
                               rtol=1e-12)
    first = np.array([0.0, 0.0, 3.0, 7.5, 20.0])
    at = np.array([1.0, 10.0, 39.0, 78.0])
    cohort = [sum(m.expected_purchases(a - f) for f in first if a > f) for a in at]
    np.testing.assert_allclose(m.expected_cumulative_repeat_purchases(first, at), cohort, rtol=1e-12)
    # Broadcasting a scalar T against arrays.
    np.testing.assert_array_equal(m.probability_alive(x[:5], t_x[:5], 38.86),
                                  m.probability_alive(x[:5], t_x[:5], np.full(5, 38.86)))


def test_bgnbd_unconditional_expectation_and_pmf_equal_scipy():
    p = BGNBD
    m = clv.BgnbdModel(clv.BgnbdParameters(**p))
    t = np.array([1.0, 10.0, 39.0, 78.0])
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    np.testing.assert_allclose(m.expected_purchases(t), expected, rtol=1e-9)
    x = np.arange(0, 15, dtype=float)
    q = alpha / (alpha + 39.0)
    first = np.exp(special.betaln(a, b + x) - special.betaln(a, b)) * stats.nbinom.pmf(x, r, q)
    tail = np.where(x > 0, stats.nbinom.sf(x - 1, r, q), 0.0)
    second = np.exp(special.betaln(a + 1, b + x - 1) - special.betaln(a, b)) * tail
    np.testing.assert_allclose(m.probability_of_purchases(39.0, x), first + np.where(x > 0, second, 0.0), rtol=1e-9)


def test_pareto_nbd_fit_and_p_alive_by_quadrature(cdnow):
    model = clv.fit_pareto_nbd(*cdnow)
    patterns, counts = np.unique(np.column_stack(cdnow), axis=0, return_counts=True)
    weighted = clv.fit_pareto_nbd(patterns[:, 0], patterns[:, 1], patterns[:, 2], weights=counts.astype(float))
    assert weighted.parameters.s == pytest.approx(model.parameters.s, rel=1e-10)
    assert weighted.report.log_likelihood == pytest.approx(model.report.log_likelihood, rel=1e-12)
    p = model.parameters
    assert abs(p.r - 0.5533) <= 5e-5 and abs(p.alpha - 10.5776) <= 5e-4
    assert abs(p.s - 0.6062) <= 5e-5 and abs(p.beta - 11.6679) <= 5e-4
    assert abs(model.report.log_likelihood - -9594.97) <= 0.01
    r, alpha, s, beta = p.r, p.alpha, p.s, p.beta
    x, t_x, T = (v[:25] for v in cdnow)

    def alive_and_dead(xi, txi, Ti):
        # Gamma mixtures integrated analytically; the death time by adaptive quadrature.
        alive = (alpha + Ti) ** -(r + xi) * (beta / (beta + Ti)) ** s
        dead = integrate.quad(lambda tau: (alpha + tau) ** -(r + xi) * s * beta ** s * (beta + tau) ** -(s + 1),
                              txi, Ti, epsabs=0, epsrel=1e-13)[0]
        return alive, dead

    reference = np.array([a / (a + d) for a, d in (alive_and_dead(*c) for c in zip(x, t_x, T))])
    np.testing.assert_allclose(model.probability_alive(x, t_x, T), reference, rtol=1e-9)
    conditional = (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + 39.0)) ** (s - 1))
    np.testing.assert_allclose(model.conditional_expected_purchases(39.0, x, t_x, T), conditional * reference, rtol=1e-9)
    log_l = np.array([np.log(a + d) for a, d in (alive_and_dead(*c) for c in zip(x, t_x, T))])
    log_l += special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    np.testing.assert_allclose(model.log_likelihood(x, t_x, T), log_l, rtol=1e-9)
    dert = model.discounted_expected_residual_transactions(0.1, x, t_x, T)
    assert dert.shape == x.shape and np.all(dert > 0)


def test_gamma_gamma_fit_and_conditional_spend():
    d = pd.read_csv(data_file("cdnow_summary_with_spend.csv"))
    x, zbar = d.x.to_numpy(float), d.zbar.to_numpy(float)
    g = clv.fit_gamma_gamma(x, zbar)
    p = g.parameters
    assert abs(p.p - 6.2488) <= 5e-5 and abs(p.q - 3.7446) <= 5e-5 and abs(p.gamma - 15.4477) <= 5e-4
    np.testing.assert_allclose(g.conditional_expected_spend(x, zbar),
                               p.p * (p.gamma + x * zbar) / (p.p * x + p.q - 1), rtol=1e-13)
    assert g.population_mean_spend() == pytest.approx(p.p * p.gamma / (p.q - 1), rel=1e-15)
    # Weights = duplicated rows.
    twice = clv.fit_gamma_gamma(np.concatenate([x, x]), np.concatenate([zbar, zbar]))
    weighted = clv.fit_gamma_gamma(x, zbar, weights=np.full(len(x), 2.0))
    assert weighted.parameters.q == pytest.approx(twice.parameters.q, rel=1e-10)


def test_bgbb_donations_fit_and_p_alive():
    d = pd.read_csv(data_file("clv", "donations.csv"))
    x, t_x, n, w = (d[c].to_numpy(float) for c in ("frequency", "recency", "periods", "weights"))
    model = clv.fit_bgbb(x, t_x, n, weights=w)
    p = model.parameters
    for value, expected in ((p.alpha, 1.2035), (p.beta, 0.7497), (p.gamma, 0.6567), (p.delta, 2.7834)):
        assert abs(value - expected) <= 5e-5
    assert abs(model.report.log_likelihood - -33225.58) <= 0.01
    al, be, ga, de = p.alpha, p.beta, p.gamma, p.delta

    def log_l(xi, txi, ni):
        terms = [special.betaln(al + xi, be + ni - xi) - special.betaln(al, be)
                 + special.betaln(ga, de + ni) - special.betaln(ga, de)]
        for i in range(int(ni - txi)):
            terms.append(special.betaln(al + xi, be + txi - xi + i) - special.betaln(al, be)
                         + special.betaln(ga + 1, de + txi + i) - special.betaln(ga, de))
        return special.logsumexp(terms)

    ll = np.array([log_l(*c) for c in zip(x, t_x, n)])
    np.testing.assert_allclose(model.log_likelihood(x, t_x, n), ll, rtol=1e-12)
    alive = np.exp(special.betaln(al + x, be + n - x) - special.betaln(al, be)
                   + special.betaln(ga, de + n + 1) - special.betaln(ga, de) - ll)
    np.testing.assert_allclose(model.probability_alive(x, t_x, n), alive, rtol=1e-12)
    assert float(np.dot(w, model.log_likelihood(x, t_x, n))) == pytest.approx(model.report.log_likelihood, rel=1e-12)
    # Fader, Hardie & Shang (2010) eq. 13 and the DERT (eq. 14) with scipy's gammaln and hyp2f1.
    n_star = 5.0
    expected = (np.exp(special.betaln(al + x + 1, be + n - x) - special.betaln(al, be) - ll) * de / (ga - 1)
                * np.exp(special.gammaln(ga + de) - special.gammaln(1 + de))
                * (np.exp(special.gammaln(1 + de + n) - special.gammaln(ga + de + n))
                   - np.exp(special.gammaln(1 + de + n + n_star) - special.gammaln(ga + de + n + n_star))))
    np.testing.assert_allclose(model.conditional_expected_transactions(n_star, x, t_x, n), expected, rtol=1e-10)
    d = 0.1
    dert = np.exp(special.betaln(al + x + 1, be + n - x) - special.betaln(al, be) + special.betaln(ga, de + n + 1)
                  - special.betaln(ga, de) - np.log1p(d) - ll) * special.hyp2f1(1, de + n + 1, ga + de + n + 1, 1 / (1 + d))
    np.testing.assert_allclose(model.discounted_expected_residual_transactions(d, x, t_x, n), dert, rtol=1e-10)
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.probability_alive(x, t_x, n), model.probability_alive(x, t_x, n))


def test_model_clv_equals_the_discounted_sum_of_closed_form_expectations(cdnow):
    d = pd.read_csv(data_file("cdnow_summary_with_spend.csv"))
    x, t_x, T, zbar = (d[c].to_numpy(float)[:50] for c in ("x", "t_x", "T", "zbar"))
    m = clv.BgnbdModel(clv.BgnbdParameters(**BGNBD))
    g = clv.GammaGammaModel(clv.GammaGammaParameters(p=6.2488, q=3.7446, gamma=15.4477))
    value = clv.customer_lifetime_value(m, g, x, t_x, T, zbar, periods=12, period_length=4.0,
                                        discount_rate=0.01, margin=0.3)
    cumulative = np.array([bgnbd_conditional(BGNBD, 4.0 * k, x, t_x, T) for k in range(1, 13)])
    increments = np.diff(np.vstack([np.zeros_like(x), cumulative]), axis=0)
    discounted = (increments / 1.01 ** np.arange(1, 13)[:, None]).sum(axis=0)
    np.testing.assert_allclose(value, 0.3 * g.conditional_expected_spend(x, zbar) * discounted, rtol=1e-9)
    np.testing.assert_allclose(
        clv.discounted_expected_purchases(m, x, t_x, T, periods=12, period_length=4.0, discount_rate=0.01),
        discounted, rtol=1e-9)
    pareto = clv.ParetoNbdModel(clv.ParetoNbdParameters(r=0.5533, alpha=10.5776, s=0.6062, beta=11.6679))
    infinite = clv.discounted_expected_purchases(pareto, x, t_x, T, discounting=clv.continuous,
                                                 infinite_horizon=True, discount_rate=0.01, period_length=4.0)
    np.testing.assert_allclose(
        infinite, pareto.discounted_expected_residual_transactions(np.log1p(0.01) / 4.0, x, t_x, T), rtol=1e-12)


def test_closed_form_clv_formulas():
    assert clv.retention_clv(100.0, 0.8, 0.1) == pytest.approx(100 * 0.8 / (1.1 - 0.8), rel=1e-14)
    finite = sum(100.0 * 0.8 ** t / 1.1 ** t for t in range(1, 6))
    assert clv.retention_clv(100.0, 0.8, 0.1, horizon=5) == pytest.approx(finite, rel=1e-13)
    start = sum(100.0 * 0.8 ** t / 1.1 ** t for t in range(0, 5)) - 20.0
    assert clv.retention_clv(100.0, 0.8, 0.1, horizon=5, timing=clv.start_of_period,
                             acquisition_cost=20.0) == pytest.approx(start, rel=1e-13)
    survival = np.array([1.0, 0.7, 0.5, 0.4])
    assert clv.survival_clv(50.0, survival, 0.05) == pytest.approx(
        float(np.sum(50.0 * survival / 1.05 ** np.arange(1, 5))), rel=1e-14)
    assert clv.customer_equity(1000, 250.0, 40.0) == 1000 * 210.0


def test_models_and_reports_pickle(bgnbd_fit, cdnow):
    x, t_x, T = cdnow
    copy = pickle.loads(pickle.dumps(bgnbd_fit))
    np.testing.assert_array_equal(copy.probability_alive(x, t_x, T), bgnbd_fit.probability_alive(x, t_x, T))
    assert copy.report.log_likelihood == bgnbd_fit.report.log_likelihood
    np.testing.assert_array_equal(copy.report.covariance, bgnbd_fit.report.covariance)
    assert copy.report.message == bgnbd_fit.report.message
    assert copy.report.boundary_parameters == bgnbd_fit.report.boundary_parameters == []
    # Customers with one purchase rate (Poisson, 0.5 per week): the maximum is at r, alpha -> inf
    # for this draw (for about half of the draws the sample's rates happen to look
    # overdispersed and the maximum is finite: r ~ 300-13,000 at seeds 1-4).
    rng = np.random.default_rng(5)
    n = 4000
    T_p = 40.0 + 12.0 * rng.random(n)
    dropout = rng.beta(0.8, 2.5, n)
    x_p, t_p = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(2.0)
            if t > T_p[i]:
                break
            x_p[i], t_p[i] = x_p[i] + 1, t
            if rng.random() < dropout[i]:
                break
    poisson = clv.fit_bgnbd(x_p, t_p, T_p)
    assert poisson.report.boundary_parameters == ["r", "alpha"] and poisson.report.covariance is None
    assert pickle.loads(pickle.dumps(poisson)).report.boundary_parameters == ["r", "alpha"]
    g = pickle.loads(pickle.dumps(clv.GammaGammaModel(clv.GammaGammaParameters(p=6.0, q=3.0, gamma=15.0))))
    assert g.parameters.q == 3.0
    patterns = pickle.loads(pickle.dumps(clv.compress_btyd(x, t_x, T)))
    assert patterns.weight.sum() == len(x)


def test_bad_input():
    with pytest.raises(patron.InvalidInput, match=r"fit_bgnbd: x\[1\] \(nan\) must be a non-negative integer"):
        clv.fit_bgnbd([1.0, np.nan], [1.0, 0.0], [5.0, 5.0])
    with pytest.raises(patron.InvalidInput, match="x has 3 elements but t_x has 2"):
        clv.fit_bgnbd([1.0, 0.0, 0.0], [1.0, 0.0], [5.0, 5.0])
    with pytest.raises(TypeError, match="T must be an array, not None"):
        clv.fit_pareto_nbd([1.0], [1.0], None)
    with pytest.raises(ValueError, match="t_x must be 1-dimensional"):
        clv.fit_bgnbd([1.0, 0.0], np.zeros((2, 1)), [5.0, 5.0])
    with pytest.raises(TypeError, match="x must be convertible to a numeric array"):
        clv.fit_bgnbd(np.array(["a", "b"]), [1.0, 0.0], [5.0, 5.0])
    m = clv.BgnbdModel(clv.BgnbdParameters(**BGNBD))
    with pytest.raises(patron.InvalidInput, match=r"bgnbd_model::probability_alive: t_x\[2\] \(9\) exceeds T\[2\]"):
        m.probability_alive([1.0, 1.0, 1.0], [1.0, 2.0, 9.0], [5.0, 5.0, 5.0])
    with pytest.raises(TypeError, match="x must be a number or an array, not None"):
        m.probability_alive(None, 1.0, 5.0)
    with pytest.raises(ValueError, match="x has 2 elements but t_x has 3"):
        m.probability_alive([1.0, 1.0], [1.0, 2.0, 3.0], 5.0)
    g = clv.GammaGammaModel(clv.GammaGammaParameters(p=6.0, q=3.0, gamma=15.0))
    with pytest.raises(ValueError, match="x has 2 elements but zbar has 1"):
        g.conditional_expected_spend([1.0, 2.0], [10.0])
    with pytest.raises(patron.InvalidInput, match=r"conditional_expected_spend: zbar\[1\] \(nan\)"):
        g.conditional_expected_spend([1.0, 2.0], [10.0, np.nan])
    with pytest.raises(patron.InvalidInput, match=r"parameters.r \(-1\)"):
        clv.BgnbdModel(clv.BgnbdParameters(r=-1.0))
    with pytest.raises(patron.InvalidInput, match=r"weights"):
        clv.fit_bgnbd([1.0, 0.0], [1.0, 0.0], [5.0, 5.0], weights=[1.0, -1.0])
    with pytest.raises(patron.InvalidInput, match=r"fit_bgbb: x\[0\] \(3\) exceeds t_x\[0\]"):
        clv.fit_bgbb([3.0], [2.0], [6.0])
    with pytest.raises(patron.InvalidInput, match=r"options.l2_penalty \(-1\)"):
        clv.fit_bgnbd([1.0], [1.0], [5.0], l2_penalty=-1.0)


def test_bgbb_pmf_and_mean_equal_the_closed_form_with_scipy():
    params = clv.BgbbParameters(1.2035, 0.7497, 0.6567, 2.7834)
    model = clv.BgbbModel(params)
    al, be, ga, de = params.alpha, params.beta, params.gamma, params.delta

    def pmf(n, x):  # Fader, Hardie & Shang (2010) eq. 7
        lb = special.betaln
        head = (special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
                + lb(al + x, be + n - x) - lb(al, be) + lb(ga, de + n) - lb(ga, de))
        total = np.exp(head)
        for i in range(int(x), int(n)):
            total += np.exp(special.gammaln(i + 1) - special.gammaln(x + 1) - special.gammaln(i - x + 1)
                            + lb(al + x, be + i - x) - lb(al, be) + lb(ga + 1, de + i) - lb(ga, de))
        return total

    for n in (1.0, 6.0, 11.0):
        xs = np.arange(n + 1)
        expected = np.array([pmf(n, x) for x in xs])
        np.testing.assert_allclose(model.probability_of_transactions(n, xs), expected, rtol=1e-10)
        assert model.probability_of_transactions(n, xs).sum() == pytest.approx(1.0, rel=1e-12)
        assert model.expected_transactions(n) == pytest.approx(float(np.dot(xs, expected)), rel=1e-10)
    with pytest.raises(patron.InvalidInput, match="n .*must be a non-negative integer"):
        model.probability_of_transactions(2.5, 1.0)


def test_pattern_accumulators_merged_in_any_order_fit_like_the_rows(cdnow):
    x, t_x, T = cdnow
    shards = [clv.BtydPatternAccumulator() for _ in range(3)]
    for i, rows in enumerate(np.array_split(np.arange(len(x)), 3)):
        shards[i].add(x[rows], t_x[rows], T[rows])
    forward, backward = clv.BtydPatternAccumulator(), clv.BtydPatternAccumulator()
    for shard in shards:
        forward.merge(pickle.loads(pickle.dumps(shard)))  # as Dask ships them
    for shard in reversed(shards):
        backward.merge(shard)
    a, b = forward.patterns(), backward.patterns()
    for column in ("x", "t_x", "T", "weight"):
        np.testing.assert_array_equal(getattr(a, column), getattr(b, column))
    assert a.weight.sum() == len(x)
    merged_fit = clv.fit_bgnbd(a.x, a.t_x, a.T, weights=a.weight)
    row_fit = clv.fit_bgnbd(x, t_x, T)
    assert merged_fit.parameters.r == row_fit.parameters.r
    assert merged_fit.parameters.b == row_fit.parameters.b
    with pytest.raises(patron.InvalidInput, match=r"t_x\[1\]"):
        clv.BtydPatternAccumulator().add([1.0, 2.0], [1.0, 9.0], [5.0, 5.0])
