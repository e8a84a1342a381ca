"""patron.discriminant against scikit-learn's LDA / QDA called in the same test (tolerances
of tests/test_discriminant.cpp)."""
import pickle

import numpy as np
import pytest
from sklearn.covariance import ledoit_wolf
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as LDA
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis as QDA
from sklearn.metrics import confusion_matrix

import patron

da = patron.discriminant
LOADERS = {"iris": load_iris, "wine": load_wine, "breast_cancer": load_breast_cancer}
# Absolute floors of tests/test_discriminant.cpp: posteriors, covariances and decision
# values that go through a covariance inverse. Breast cancer's class covariances have
# condition numbers near 1e14, so rounding alone moves them between any two codes.
FLOORS = {"iris": (1e-12, 1e-14, 1e-9), "wine": (1e-12, 1e-12, 1e-9),
          "breast_cancer": (2e-9, 2e-8, 2e-6)}
PROB_REL = 1e-9


def sklearn_rows(per_class):
    """scikit-learn keeps one row (coef_[1] - coef_[0]) for two classes, patron one per class."""
    per_class = np.atleast_2d(per_class)
    return per_class[1] - per_class[0] if per_class.shape[0] == 2 else per_class


def sklearn_columns(per_class):
    return per_class[:, 1] - per_class[:, 0] if per_class.shape[1] == 2 else per_class


def assert_columns_up_to_sign(actual, expected, rtol, atol):
    for j in range(expected.shape[1]):
        sign = 1.0 if np.dot(actual[:, j], expected[:, j]) >= 0 else -1.0
        np.testing.assert_allclose(sign * actual[:, j], expected[:, j], rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", list(LOADERS))
def test_lda_svd_equals_sklearn(name):
    X, y = LOADERS[name](return_X_y=True)
    posterior_abs, covariance_abs, decision_abs = FLOORS[name]
    m = da.fit_lda(X, y)
    ref = LDA(solver="svd", store_covariance=True).fit(X, y)
    assert isinstance(m, da.LdaModel)
    np.testing.assert_array_equal(m.classes, ref.classes_)
    np.testing.assert_allclose(m.priors, ref.priors_, rtol=1e-12)
    np.testing.assert_allclose(m.means, ref.means_, rtol=1e-12)
    np.testing.assert_allclose(m.xbar, ref.xbar_, rtol=1e-12)
    np.testing.assert_allclose(m.covariance, ref.covariance_, rtol=1e-10, atol=covariance_abs)
    np.testing.assert_allclose(sklearn_rows(m.coef), np.squeeze(ref.coef_), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sklearn_rows(m.intercept[:, None]).ravel(), ref.intercept_,
                               rtol=1e-9, atol=1e-12)
    components = len(m.explained_variance_ratio)
    np.testing.assert_allclose(m.explained_variance_ratio, ref.explained_variance_ratio_[:components],
                               rtol=1e-9, atol=1e-15)
    assert_columns_up_to_sign(m.scalings[:, :components], ref.scalings_[:, :components], 1e-9, 1e-12)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X), rtol=PROB_REL, atol=PROB_REL * 1e-3)
    np.testing.assert_allclose(m.predict_log_proba(X)[m.predict_proba(X) > 1e-3],
                               ref.predict_log_proba(X)[ref.predict_proba(X) > 1e-3],
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.squeeze(sklearn_columns(m.decision_function(X))),
                               ref.decision_function(X), rtol=1e-9, atol=1e-10)
    assert_columns_up_to_sign(m.transform(X), ref.transform(X), 1e-9, 1e-10)
    np.testing.assert_array_equal(m.predict(X), ref.predict(X))
    c = da.confusion_matrix(y, m.predict(X))
    np.testing.assert_array_equal(c.counts, confusion_matrix(y, ref.predict(X)))
    assert c.accuracy() == pytest.approx(ref.score(X, y), rel=1e-15)
    assert da.accuracy(y, m.predict(X)) == pytest.approx(ref.score(X, y), rel=1e-15)


@pytest.mark.parametrize("name", list(LOADERS))
def test_lda_priors_solvers_and_shrinkage_equal_sklearn(name):
    X, y = LOADERS[name](return_X_y=True)
    posterior_abs, covariance_abs, _ = FLOORS[name]
    k = len(np.unique(y))
    priors = np.linspace(1, 2, k) / np.linspace(1, 2, k).sum()
    np.testing.assert_allclose(da.fit_lda(X, y, priors=list(priors)).predict_proba(X),
                               LDA(priors=priors).fit(X, y).predict_proba(X), rtol=PROB_REL,
                               atol=1e-12)
    cases = [
        (dict(solver=da.eigen), dict(solver="eigen")),
        (dict(solver=da.eigen, shrinkage=da.Shrinkage.ledoit_wolf), dict(solver="eigen", shrinkage="auto")),
        (dict(solver=da.eigen, shrinkage=da.Shrinkage.fixed, shrinkage_value=0.3),
         dict(solver="eigen", shrinkage=0.3)),
        (dict(solver=da.lsqr), dict(solver="lsqr")),
        (dict(solver=da.lsqr, shrinkage=da.Shrinkage.fixed, shrinkage_value=0.3),
         dict(solver="lsqr", shrinkage=0.3)),
    ]
    for ours, theirs in cases:
        m = da.fit_lda(X, y, **ours)
        ref = LDA(store_covariance=True, **theirs).fit(X, y)
        np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X), rtol=PROB_REL,
                                   atol=posterior_abs, err_msg=str(theirs))
        np.testing.assert_allclose(m.covariance, ref.covariance_, rtol=1e-10, atol=covariance_abs,
                                   err_msg=str(theirs))
        np.testing.assert_array_equal(m.predict(X), ref.predict(X), err_msg=str(theirs))
        if theirs == dict(solver="eigen"):
            np.testing.assert_allclose(sklearn_rows(m.coef), np.squeeze(ref.coef_), rtol=1e-9, atol=1e-12)
            components = len(m.explained_variance_ratio)
            np.testing.assert_allclose(m.explained_variance_ratio,
                                       ref.explained_variance_ratio_[:components], rtol=1e-9, atol=1e-15)
            assert_columns_up_to_sign(m.transform(X), ref.transform(X)[:, :components], 1e-8, 1e-10)


@pytest.mark.parametrize("name", list(LOADERS))
@pytest.mark.parametrize("reg_param", [0.0, 0.1])
def test_qda_equals_sklearn(name, reg_param):
    X, y = LOADERS[name](return_X_y=True)
    posterior_abs, covariance_abs, decision_abs = FLOORS[name]
    m = da.fit_qda(X, y, reg_param=reg_param)
    ref = QDA(reg_param=reg_param, store_covariance=True).fit(X, y)
    assert isinstance(m, da.QdaModel)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X), rtol=PROB_REL,
                               atol=posterior_abs if reg_param == 0 else 1e-12)
    np.testing.assert_allclose(m.decision_function(X), ref._decision_function(X), rtol=1e-9,
                               atol=decision_abs)
    for ours, theirs in zip(m.covariances, ref.covariance_):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=covariance_abs)
    np.testing.assert_array_equal(m.predict(X), ref.predict(X))


@pytest.mark.parametrize("name", list(LOADERS))
def test_ledoit_wolf_equals_sklearn(name):
    X, _ = LOADERS[name](return_X_y=True)
    covariance_abs = FLOORS[name][1]
    ours = da.ledoit_wolf(X)
    covariance, shrinkage = ledoit_wolf(X)
    assert ours.shrinkage == pytest.approx(shrinkage, rel=1e-10)
    np.testing.assert_allclose(ours.covariance, covariance, rtol=1e-10, atol=covariance_abs)


def test_fisher_and_mahalanobis_against_their_formulas():
    X, y = load_breast_cancer(return_X_y=True)
    fisher = da.fit_fisher(X, y)
    # Identical to two-class LDA (svd): the same predictions as scikit-learn's.
    np.testing.assert_array_equal(fisher.predict(X), LDA().fit(X, y).predict(X))
    X, y = load_wine(return_X_y=True)
    m = da.fit_mahalanobis(X, y)
    classes = np.unique(y)
    means = np.array([X[y == c].mean(axis=0) for c in classes])
    centred = X - means[np.searchsorted(classes, y)]
    pooled = centred.T @ centred / (len(X) - len(classes))
    diff = X[:, None, :] - means[None, :, :]
    d2 = np.einsum("ikf,fg,ikg->ik", diff, np.linalg.inv(pooled), diff)
    np.testing.assert_allclose(m.covariance, pooled, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.squared_distances(X), d2, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(m.predict(X), classes[d2.argmin(axis=1)])


def test_leave_one_out_is_consistent():
    X, y = load_iris(return_X_y=True)
    cv = da.lda_leave_one_out(X, y)
    np.testing.assert_allclose(cv.posterior.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(cv.predicted, cv.classes[cv.posterior.argmax(axis=1)])
    assert cv.error_rate == pytest.approx(np.mean(cv.predicted != y), abs=0)
    assert cv.error_rate == 3.0 / 150.0  # MASS::lda(CV = TRUE) on iris (tests/test_discriminant.cpp)
    # Leaving row i out: the QDA fitted to the other rows classifies it as leave-one-out did.
    q = da.qda_leave_one_out(X, y)
    for i in (0, 75, 149):
        rest = np.delete(np.arange(len(y)), i)
        priors = list(np.bincount(y) / len(y))  # priors held fixed, as MASS does
        refit = da.fit_qda(X[rest], y[rest], priors=priors)
        np.testing.assert_allclose(q.posterior[i], refit.predict_proba(X[i:i + 1])[0], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("fit", [da.fit_lda, da.fit_qda])
def test_float32_model_close_to_float64(fit):
    X, y = load_iris(return_X_y=True)
    m32 = fit(X.astype(np.float32), y)
    m64 = fit(X, y)
    assert type(m32).__name__.endswith("Float32")
    p32 = m32.predict_proba(X.astype(np.float32))
    assert p32.dtype == np.float32
    assert np.abs(p32 - m64.predict_proba(X)).max() < 1e-4  # as tests/test_discriminant_properties.cpp


@pytest.mark.parametrize("fit", [da.fit_lda, da.fit_qda, da.fit_fisher, da.fit_mahalanobis])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_models_pickle_round_trip(fit, dtype):
    # Fisher's discriminant takes two classes; breast cancer is too ill-conditioned for a
    # float32 QDA, so the others use iris.
    X, y = (load_breast_cancer if fit is da.fit_fisher else load_iris)(return_X_y=True)
    X = X.astype(dtype)
    m = fit(X, y)
    back = pickle.loads(pickle.dumps(m))
    assert type(back) is type(m)
    np.testing.assert_array_equal(back.predict(X), m.predict(X))
    for name in ("predict_proba", "decision_function", "squared_distances", "project"):
        if hasattr(m, name):
            np.testing.assert_array_equal(getattr(back, name)(X), getattr(m, name)(X))


def test_bad_input():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(TypeError, match="X must be an array, not None"):
        da.fit_lda(None, y)
    with pytest.raises(TypeError, match="y must be an array, not None"):
        da.fit_qda(X, None)
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        da.fit_lda(X.ravel(), y)
    with pytest.raises(ValueError, match=r"y\[0\] \(0.5\) must be an integer label"):
        da.fit_lda(X, y + 0.5)
    with pytest.raises(TypeError, match="X must be convertible to a numeric array"):
        da.fit_lda(np.full((3, 2), "x"), [0, 1, 1])
    bad = X.copy()
    bad[3, 0] = np.inf
    with pytest.raises(patron.InvalidInput, match=r"patron::fit_lda: X\(3, 0\) \(inf\) must be finite"):
        da.fit_lda(bad, y)
    bad[3, 0] = np.nan
    with pytest.raises(patron.InvalidInput, match=r"patron::fit_qda: X\(3, 0\) \(nan\) must be finite"):
        da.fit_qda(bad, y)
    m = da.fit_lda(X, y)
    with pytest.raises(patron.InvalidInput, match="lda_model::predict_proba: X has 3 columns"):
        m.predict_proba(X[:, :3])
    with pytest.raises(patron.InvalidInput, match="fit_fisher"):
        da.fit_fisher(X, y)  # three classes
    with pytest.raises(patron.InvalidInput, match="lda_model::transform: solver lsqr"):
        da.fit_lda(X, y, solver=da.lsqr).transform(X)
    # Integer features are converted, not rejected.
    ints = np.rint(X * 10).astype(np.int64)
    np.testing.assert_array_equal(da.fit_lda(ints, y).coef, da.fit_lda(ints.astype(float), y).coef)


def test_results_pickle_round_trip():
    X, y = load_iris(return_X_y=True)
    for result in (da.lda_leave_one_out(X, y), da.qda_leave_one_out(X.astype(np.float32), y),
                   da.confusion_matrix(y, da.fit_lda(X, y).predict(X)), da.ledoit_wolf(X)):
        back = pickle.loads(pickle.dumps(result))
        assert type(back) is type(result)
        for name in dir(result):
            if not name.startswith("_") and not callable(getattr(result, name)):
                np.testing.assert_array_equal(getattr(back, name), getattr(result, name))
