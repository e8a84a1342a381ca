"""patron.leads against statsmodels (logistic fit), scikit-learn (AUC, ROC, Brier,
calibration), scipy (percentile ranks) and numpy written out in the test."""
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

import patron

leads = patron.leads


def data_file(*parts):
    root = os.environ.get("PATRON_SOURCE_DIR")
    base = Path(root) if root else Path(__file__).resolve().parents[3]
    return base.joinpath("tests", "data", *parts)


@pytest.fixture(scope="module")
def generated():
    d = pd.read_csv(data_file("leads", "generated.csv"))
    return d[["x1", "x2", "x3"]].to_numpy(), d.y.to_numpy(), d.weight.to_numpy()


def test_logistic_fit_equals_statsmodels_logit(generated):
    X, y, _ = generated
    m = leads.fit_logistic(X, y)
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-14, maxiter=100)
    assert m.converged and m.status == leads.converged
    np.testing.assert_allclose(np.concatenate([[m.intercept], m.coefficients]), ref.params, rtol=1e-6)
    np.testing.assert_allclose(m.standard_error, ref.bse, rtol=1e-6)
    threaded = leads.fit_logistic(X, y, threads=2)
    np.testing.assert_array_equal(threaded.coefficients, m.coefficients)  # bit-identical for any threads
    np.testing.assert_allclose(m.z, ref.tvalues, rtol=1e-6)
    np.testing.assert_allclose(m.p_value, ref.pvalues, rtol=1e-6)
    assert m.log_likelihood == pytest.approx(ref.llf, rel=1e-10)
    assert m.null_log_likelihood == pytest.approx(ref.llnull, rel=1e-9)
    np.testing.assert_allclose(m.predict_probability(X), ref.predict(sm.add_constant(X)), rtol=1e-6)
    np.testing.assert_allclose(m.predict_log_odds(X), np.log(ref.predict(sm.add_constant(X)) /
                                                             (1 - ref.predict(sm.add_constant(X)))), rtol=1e-6, atol=1e-9)
    copy = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(copy.predict_probability(X), m.predict_probability(X))
    assert copy.status == m.status and copy.message == m.message


def test_weighted_logistic_fit_equals_statsmodels_glm_freq_weights(generated):
    X, y, w = generated
    m = leads.fit_logistic(X, y, sample_weight=w)
    ref = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-14)
    np.testing.assert_allclose(np.concatenate([[m.intercept], m.coefficients]), ref.params, rtol=1e-6)
    np.testing.assert_allclose(m.standard_error, ref.bse, rtol=1e-6)
    # Penalised fits report no standard errors.
    penalised = leads.fit_logistic(X, y, l2=1.0)
    assert penalised.standard_error.size == 0


def test_evaluation_metrics_equal_sklearn():
    d = pd.read_csv(data_file("leads", "metrics.csv"))
    y, score, w, prob = d.y.to_numpy(), d.score.to_numpy(), d.weight.to_numpy(), d.probability.to_numpy()
    assert leads.roc_auc(y, score) == pytest.approx(roc_auc_score(y, score), rel=1e-12)
    assert leads.roc_auc(y, score, w) == pytest.approx(roc_auc_score(y, score, sample_weight=w), rel=1e-12)
    curve = leads.roc_curve(y, score, sample_weight=w)
    fpr, tpr, _ = roc_curve(y, score, sample_weight=w, drop_intermediate=False)
    np.testing.assert_allclose(curve.false_positive_rate, fpr, rtol=1e-12)
    np.testing.assert_allclose(curve.true_positive_rate, tpr, rtol=1e-12)
    fpr0, tpr0, _ = roc_curve(y, score)
    assert leads.ks_statistic(y, score) == pytest.approx(float(np.max(tpr0 - fpr0)), rel=1e-12)
    assert leads.brier_score(y, prob, w) == pytest.approx(brier_score_loss(y, prob, sample_weight=w), rel=1e-12)
    c = pd.read_csv(data_file("leads", "calibration.csv"))
    bins = leads.calibration(c.y.to_numpy(), c.probability.to_numpy(), bins=10)
    prob_true, prob_pred = calibration_curve(c.y, c.probability, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(bins.observed_rate, prob_true, rtol=1e-12)
    np.testing.assert_allclose(bins.mean_predicted, prob_pred, rtol=1e-12)
    gains = leads.gains_by_group(y, score, groups=5)
    assert gains.conversions.sum() == pytest.approx(y.sum(), rel=1e-12)
    assert gains.cumulative_gain[-1] == pytest.approx(1.0, rel=1e-12)


def test_criteria_scores_equal_numpy(rng):
    X = rng.normal(size=(200, 3))
    criteria = [leads.Criterion("intent", weight=3.0),
                leads.Criterion("risk", weight=1.0, direction=leads.lower_is_better),
                leads.Criterion("fit", weight=2.0, normalisation=leads.percentile_rank)]
    scorer = leads.fit_lead_scorer(X, criteria, column_names=["intent", "risk", "fit"])
    new = rng.normal(size=(50, 3))
    s = scorer.score(new)
    lo, hi = X.min(axis=0), X.max(axis=0)
    u0 = np.clip((new[:, 0] - lo[0]) / (hi[0] - lo[0]), 0, 1)
    u1 = 1 - np.clip((new[:, 1] - lo[1]) / (hi[1] - lo[1]), 0, 1)
    u2 = np.array([stats.percentileofscore(X[:, 2], v, kind="mean") / 100 for v in new[:, 2]])
    np.testing.assert_allclose(s.normalised, np.column_stack([u0, u1, u2]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(s.total, 100 * (3 * u0 + u1 + 2 * u2) / 6, rtol=1e-12)
    np.testing.assert_allclose(s.contribution.sum(axis=1), s.total, rtol=1e-12)
    copy = pickle.loads(pickle.dumps(scorer))
    np.testing.assert_array_equal(copy.score(new).total, s.total)


def test_scorecard_ranking_tiers_and_behaviour():
    log_odds = np.array([-2.0, 0.0, 1.5])
    np.testing.assert_allclose(leads.scorecard_points(log_odds, base_points=600, base_odds=50, pdo=20),
                               600 + 20 / np.log(2) * (log_odds - np.log(50)), rtol=1e-14)
    value = leads.expected_value([0.1, 0.5, 0.2, 0.5], [1000.0, 100.0, 500.0, 300.0])
    np.testing.assert_allclose(value, [100.0, 50.0, 100.0, 150.0])
    np.testing.assert_array_equal(leads.priority_order(value), np.argsort(-value, kind="stable"))
    score = np.array([95.0, 10.0, 55.0, 70.0, 30.0])
    t = leads.assign_tiers_by_thresholds(score, 80.0, 60.0, 40.0)
    np.testing.assert_array_equal(t.tiers, np.select([score >= 80, score >= 60, score >= 40], [0, 1, 2], 3))
    assert t.letters == "ADCBD" and t.counts == (1, 1, 1, 2)
    assert leads.tier_letter(leads.C) == "C"
    rules = [leads.EventRule("visit", points=5.0, half_life=7.0), leads.EventRule("demo", points=30.0, cap=40.0)]
    b = leads.score_behaviour(2, [0, 0, 1, 1, 1], ["visit", "visit", "demo", "demo", "visit"],
                              [0.0, 7.0, 1.0, 2.0, 14.0], rules, 14.0)
    np.testing.assert_allclose(b.points, [[5 * 0.25 + 5 * 0.5, 0.0], [5.0, 40.0]], rtol=1e-14)
    np.testing.assert_allclose(b.total, b.points.sum(axis=1), rtol=1e-14)


def test_bad_input(generated):
    X, y, _ = generated
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(patron.InvalidInput, match=r"fit_logistic: X\(3, 1\) \(nan\) must be finite"):
        leads.fit_logistic(bad, y)
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        leads.fit_logistic(X[:, 0], y)
    with pytest.raises(TypeError, match="y must be an array, not None"):
        leads.fit_logistic(X, None)
    with pytest.raises(TypeError, match="X must be convertible to a numeric array"):
        leads.fit_logistic(np.array([["a", "b"]]), [1.0])
    with pytest.raises(patron.InvalidInput, match=r"roc_auc: y\[1\] \(2\)"):
        leads.roc_auc([0.0, 2.0, 1.0], [0.1, 0.2, 0.3])
    with pytest.raises(patron.InvalidInput, match="y has 2 elements but score has 3"):
        leads.roc_auc([0.0, 1.0], [0.1, 0.2, 0.3])
    with pytest.raises(TypeError, match="lead must hold integer counts"):
        leads.score_behaviour(1, [0.5], ["visit"], [0.0], [leads.EventRule("visit")], 1.0)
