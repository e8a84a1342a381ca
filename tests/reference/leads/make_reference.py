#!/usr/bin/python3
"""Reference values for tests/test_leads*.cpp (patron/leads.hpp).

Run from the repository root with Debian's interpreter (it has the packages):
    /usr/bin/python3 tests/reference/leads/make_reference.py
Writes tests/data/leads/*.csv (inputs, full precision) and
tests/reference/leads/leads_reference.hpp (expected values). Versions used are recorded
in the generated header. Every block below names the call that produced its numbers.
"""
import os
import warnings

import numpy as np
import scipy
import scipy.optimize
import scipy.stats
import sklearn
import sklearn.datasets
import statsmodels
import statsmodels.api as sm
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DATA = os.path.join(ROOT, "tests", "data", "leads")
OUT = os.path.join(ROOT, "tests", "reference", "leads", "leads_reference.hpp")
os.makedirs(DATA, exist_ok=True)

lines = []


def arr(name, values, comment):
    values = np.asarray(values, dtype=float).ravel()
    lines.append(f"// {comment}")
    body = ", ".join(repr(float(v)) if np.isfinite(v) else "std::numeric_limits<double>::infinity()"
                     for v in values)
    lines.append(f"inline const std::vector<double> {name} = {{{body}}};")


def num(name, value, comment):
    lines.append(f"// {comment}")
    lines.append(f"constexpr double {name} = {float(value)!r};")


def write_csv(name, header, columns):
    with open(os.path.join(DATA, name), "w") as f:
        f.write(",".join(header) + "\n")
        for row in zip(*columns):
            f.write(",".join(repr(float(v)) for v in row) + "\n")


rng = np.random.default_rng(20261126)

# --- 1. Generated conversion history: 400 leads, 3 features --------------------------
n = 400
X = np.column_stack([rng.normal(0, 1, n), rng.uniform(0, 5, n), rng.binomial(1, 0.4, n)])
eta = -0.5 + 0.8 * X[:, 0] - 0.3 * X[:, 1] + 1.1 * X[:, 2]
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
w = rng.uniform(0.5, 2.0, n)
write_csv("generated.csv", ["x1", "x2", "x3", "y", "weight"], [X[:, 0], X[:, 1], X[:, 2], y, w])

logit = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-11, maxiter=100, disp=0)
arr("generated_params", logit.params, "statsmodels Logit(y, add_constant(X)).fit(): params (intercept first)")
arr("generated_bse", logit.bse, "... .bse")
arr("generated_z", logit.tvalues, "... .tvalues (z)")
arr("generated_pvalues", logit.pvalues, "... .pvalues")
num("generated_llf", logit.llf, "... .llf")
num("generated_llnull", logit.llnull, "... .llnull")

# Sample weights as frequency weights: statsmodels GLM(Binomial, freq_weights=w).
glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-14)
arr("generated_weighted_params", glm.params, "statsmodels GLM(y, add_constant(X), Binomial(), freq_weights=w).fit(): params")
arr("generated_weighted_bse", glm.bse, "... .bse")


def penalised_objective(beta, X, y, sw, l2):
    """Exactly the objective patron minimises: weighted logistic loss + l2/2 |slopes|^2."""
    z = beta[0] + X @ beta[1:]
    f = np.sum(sw * (np.logaddexp(0, z) - y * z)) + 0.5 * l2 * beta[1:] @ beta[1:]
    p = 1 / (1 + np.exp(-z))
    g = np.concatenate([[np.sum(sw * (p - y))], X.T @ (sw * (p - y)) + l2 * beta[1:]])
    return f, g


def sklearn_penalised(X, y, C, sample_weight=None, class_weight=None):
    # sklearn >= 1.1 (LinearModelLoss) does not penalise the intercept with lbfgs or
    # newton-cholesky (liblinear does). lbfgs stops on its relative-decrease test
    # (ftol = 64 eps) about 1e-6 short of the optimum, so the reference is sklearn's
    # newton-cholesky solver at tol=1e-12 (the same model, solved exactly), checked
    # against lbfgs to 1e-4 and against scipy.optimize on patron's objective to 1e-7.
    def fit(solver, tol):
        model = LogisticRegression(C=C, penalty="l2", solver=solver, tol=tol, max_iter=100000,
                                   class_weight=class_weight)
        model.fit(X, y, sample_weight=sample_weight)
        return np.concatenate([model.intercept_, model.coef_.ravel()])
    beta = fit("newton-cholesky", 1e-12)
    lbfgs = fit("lbfgs", 1e-12)
    assert np.max(np.abs(lbfgs - beta) / np.maximum(1, np.abs(beta))) < 1e-4, (lbfgs, beta)
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    if class_weight == "balanced":
        cw = len(y) / (2 * np.bincount(y.astype(int)))
        sw = sw * cw[y.astype(int)]
    res = scipy.optimize.minimize(penalised_objective, beta, args=(X, y, sw, 1.0 / C), jac=True,
                                  method="BFGS", options={"gtol": 1e-11, "maxiter": 10000})
    assert np.max(np.abs(res.x - beta) / np.maximum(1, np.abs(beta))) < 1e-7, (res.x, beta)
    return beta


arr("generated_l2_params", sklearn_penalised(X, y, C=0.05),
    "sklearn LogisticRegression(C=0.05, penalty='l2', solver='newton-cholesky', tol=1e-12).fit(X, y): [intercept_, coef_]")
arr("generated_l2_weighted_params",
    sklearn_penalised(X, y, C=0.5, sample_weight=w, class_weight="balanced"),
    "sklearn LogisticRegression(C=0.5, class_weight='balanced', solver='newton-cholesky', tol=1e-12).fit(X, y, sample_weight=w)")

# --- 2. breast_cancer (tests/data/sklearn/ holds python3-sklearn's file unchanged) ---
bc = sklearn.datasets.load_breast_cancer()
cols = [0, 1, 4, 8, 9]  # a feature subset where the unpenalised MLE exists (no separation)
with warnings.catch_warnings():
    warnings.simplefilter("error")
    bl = sm.Logit(bc.target.astype(float), sm.add_constant(bc.data[:, cols])).fit(
        method="newton", tol=1e-11, maxiter=100, disp=0)
arr("breast_cancer_params", bl.params,
    "statsmodels Logit(target, add_constant(data[:, [0, 1, 4, 8, 9]])).fit(): params")
arr("breast_cancer_bse", bl.bse, "... .bse")
arr("breast_cancer_pvalues", bl.pvalues, "... .pvalues")
num("breast_cancer_llf", bl.llf, "... .llf")
# Penalised on all 30 features, standardised with the population sd (ddof=0) in the test too.
Z = (bc.data - bc.data.mean(axis=0)) / bc.data.std(axis=0)
arr("breast_cancer_l2_params", sklearn_penalised(Z, bc.target.astype(float), C=0.1),
    "sklearn LogisticRegression(C=0.1, solver='newton-cholesky', tol=1e-12).fit(standardised data (ddof=0), target)")

# --- 3. Metrics with heavy ties -------------------------------------------------------
m = 300
score = np.round(rng.uniform(0, 1, m), 1)  # 11 distinct values: heavy ties
yt = (rng.uniform(size=m) < 0.2 + 0.6 * score).astype(float)
mw = rng.uniform(0.1, 3.0, m)
prob = np.clip(score * 0.9 + 0.05, 0, 1)
write_csv("metrics.csv", ["score", "y", "weight", "probability"], [score, yt, mw, prob])
num("auc_ties", roc_auc_score(yt, score), "sklearn.metrics.roc_auc_score(y, score)")
num("auc_ties_weighted", roc_auc_score(yt, score, sample_weight=mw),
    "sklearn.metrics.roc_auc_score(y, score, sample_weight=weight)")
fpr, tpr, thr = roc_curve(yt, score, drop_intermediate=False)
arr("roc_fpr", fpr, "sklearn.metrics.roc_curve(y, score, drop_intermediate=False): fpr")
arr("roc_tpr", tpr, "... tpr")
arr("roc_thresholds", thr[1:], "... thresholds[1:] (sklearn 1.2 puts max + 1 first; patron +inf)")
fpr, tpr, thr = roc_curve(yt, score, sample_weight=mw, drop_intermediate=False)
arr("roc_weighted_fpr", fpr, "sklearn.metrics.roc_curve(y, score, sample_weight=weight, drop_intermediate=False): fpr")
arr("roc_weighted_tpr", tpr, "... tpr")
num("ks_ties", scipy.stats.ks_2samp(score[yt == 1], score[yt == 0]).statistic,
    "scipy.stats.ks_2samp(score[y == 1], score[y == 0]).statistic")
num("brier", brier_score_loss(yt, prob), "sklearn.metrics.brier_score_loss(y, probability)")
num("brier_weighted", brier_score_loss(yt, prob, sample_weight=mw),
    "sklearn.metrics.brier_score_loss(y, probability, sample_weight=weight)")
pt, pp = calibration_curve(yt, prob, n_bins=10, strategy="uniform")
arr("calibration_uniform_true", pt, "sklearn.calibration.calibration_curve(y, probability, n_bins=10, strategy='uniform'): prob_true")
arr("calibration_uniform_pred", pp, "... prob_pred")
# Continuous probabilities for the quantile strategy (edges are interpolated, so no
# probability sits exactly on an edge).
cprob = rng.uniform(0, 1, 203)
cy = (rng.uniform(size=203) < cprob).astype(float)
write_csv("calibration.csv", ["y", "probability"], [cy, cprob])
pt, pp = calibration_curve(cy, cprob, n_bins=5, strategy="quantile")
arr("calibration_quantile_true", pt, "sklearn.calibration.calibration_curve(y, probability, n_bins=5, strategy='quantile'): prob_true")
arr("calibration_quantile_pred", pp, "... prob_pred")
q = np.quantile(cprob, [0.9, 0.7, 0.4])
arr("tier_quantile_thresholds", q, "numpy.quantile(calibration.csv probability, [0.9, 0.7, 0.4])")
xs = [0.0, 0.2, 0.35, 0.5, 0.77, 1.0]
arr("percentile_rank_of", xs, "query points for the percentile rank check")
arr("percentile_rank_expected", [scipy.stats.percentileofscore(score, x, kind="mean") / 100 for x in xs],
    "scipy.stats.percentileofscore(metrics.csv score, x, kind='mean') / 100")
arr("z_score_expected",
    scipy.stats.norm.cdf((np.array(xs) - score.mean()) / score.std(ddof=1)),
    "scipy.stats.norm.cdf((x - score.mean()) / score.std(ddof=1))")

with open(OUT, "w") as f:
    f.write("// Generated by tests/reference/leads/make_reference.py -- do not edit.\n")
    f.write(f"// numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
            f"statsmodels {statsmodels.__version__}\n")
    f.write("#pragma once\n#include <limits>\n#include <vector>\n\nnamespace leads_reference {\n\n")
    f.write("\n".join(lines))
    f.write("\n\n}  // namespace leads_reference\n")
print("wrote", OUT)
