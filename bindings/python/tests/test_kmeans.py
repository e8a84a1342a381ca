"""patron.kmeans against scikit-learn called in the same test (tolerances of tests/test_kmeans.cpp)."""
import pickle

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris, load_wine, make_blobs
from sklearn.metrics import (calinski_harabasz_score, davies_bouldin_score, silhouette_samples,
                             silhouette_score)
from sklearn.preprocessing import RobustScaler, StandardScaler

import patron

km = patron.kmeans


def datasets():
    blobs, _ = make_blobs(n_samples=600, n_features=5, centers=4, cluster_std=1.5, random_state=42)
    return {"iris": load_iris().data, "wine": load_wine().data, "blobs": blobs}


def start_rows(n, k, seed):
    return np.random.default_rng(seed).choice(n, size=k, replace=False)


@pytest.mark.parametrize("name, k", [("iris", 3), ("wine", 4), ("blobs", 4), ("blobs", 7)])
@pytest.mark.parametrize("algorithm", [km.lloyd, km.hamerly])
def test_fit_from_given_centres_equals_sklearn(name, k, algorithm):
    X = datasets()[name]
    init = X[start_rows(len(X), k, k)]
    ref = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", tol=1e-4).fit(X)
    m = km.kmeans_fit(X, k=k, init=km.given_centers, initial_centers=init, algorithm=algorithm)
    assert isinstance(m, km.KMeansModel)
    np.testing.assert_array_equal(m.labels, ref.labels_)
    np.testing.assert_allclose(m.centers, ref.cluster_centers_, rtol=1e-9, atol=1e-12)
    assert m.inertia == pytest.approx(ref.inertia_, rel=1e-9)
    assert m.converged
    # The model's queries against the fitted estimator's.
    new = X[::3] + 0.25
    np.testing.assert_array_equal(m.predict(new), ref.predict(new))
    np.testing.assert_allclose(m.transform(new), ref.transform(new), rtol=1e-9, atol=1e-12)
    assert m.score(new) == pytest.approx(ref.score(new), rel=1e-9)


def test_weighted_fit_equals_sklearn():
    X = load_wine().data
    w = np.random.default_rng(3).uniform(0.5, 2.0, len(X))
    init = X[start_rows(len(X), 3, 11)]
    ref = KMeans(n_clusters=3, init=init, n_init=1, algorithm="lloyd", tol=1e-4).fit(X, sample_weight=w)
    m = km.kmeans_fit(X, sample_weight=w, k=3, init=km.given_centers, initial_centers=init)
    np.testing.assert_array_equal(m.labels, ref.labels_)
    np.testing.assert_allclose(m.centers, ref.cluster_centers_, rtol=1e-9, atol=1e-12)
    assert m.inertia == pytest.approx(ref.inertia_, rel=1e-9)


def test_float32_stays_float32_and_matches_sklearn():
    X = load_iris().data.astype(np.float32)
    init = X[start_rows(len(X), 3, 5)]
    ref = KMeans(n_clusters=3, init=init, n_init=1, algorithm="lloyd", tol=1e-4).fit(X)
    m = km.kmeans_fit(X, k=3, init=km.given_centers, initial_centers=init)
    assert isinstance(m, km.KMeansModelFloat32)
    assert m.centers.dtype == np.float32
    np.testing.assert_array_equal(m.labels, ref.labels_)
    # float accumulation order differs: the C++ test's 1e-6 relative.
    np.testing.assert_allclose(m.centers, ref.cluster_centers_, rtol=1e-6, atol=1e-6)
    assert m.transform(X).dtype == np.float32
    np.testing.assert_array_equal(m.predict(X), ref.predict(X))
    # float64 data through the same centres goes through the double path.
    assert km.kmeans_fit(X.astype(np.float64), k=3, init=km.given_centers,
                         initial_centers=init).centers.dtype == np.float64


def test_restarts_are_seeded_and_reproducible():
    X = datasets()["blobs"]
    a = km.kmeans_fit(X, k=4, seed=9, n_init=3)
    b = km.kmeans_fit(X, k=4, seed=9, n_init=3, threads=2)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.centers, b.centers)
    # Never worse than sklearn's own k-means++ restarts by more than a local optimum.
    ref = KMeans(n_clusters=4, n_init=3, random_state=0).fit(X)
    assert a.inertia <= ref.inertia_ * (1 + 1e-9)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_model_pickle_round_trip(dtype):
    X = datasets()["blobs"].astype(dtype)
    m = km.kmeans_fit(X, k=4, seed=1)
    back = pickle.loads(pickle.dumps(m))
    assert type(back) is type(m)
    for member in ("centers", "labels"):
        np.testing.assert_array_equal(getattr(back, member), getattr(m, member))
    for member in ("inertia", "iterations", "converged", "distinct_clusters", "best_restart"):
        assert getattr(back, member) == getattr(m, member)
    np.testing.assert_array_equal(back.predict(X), m.predict(X))


@pytest.mark.parametrize("name", ["iris", "wine", "blobs"])
def test_quality_scores_equal_sklearn_metrics(name):
    X = datasets()[name]
    labels = km.kmeans_fit(X, k=4, seed=2).labels
    assert km.silhouette_score(X, labels) == pytest.approx(silhouette_score(X, labels), rel=1e-9)
    np.testing.assert_allclose(km.silhouette_samples(X, labels), silhouette_samples(X, labels),
                               rtol=1e-9, atol=1e-12)
    assert km.calinski_harabasz_score(X, labels) == pytest.approx(
        calinski_harabasz_score(X, labels), rel=1e-9)
    assert km.davies_bouldin_score(X, labels) == pytest.approx(
        davies_bouldin_score(X, labels), rel=1e-9)


def test_scalers_equal_sklearn():
    X = load_wine().data
    s = km.fit_standard_scaler(X)
    ref = StandardScaler().fit(X)
    np.testing.assert_allclose(s.center, ref.mean_, rtol=1e-12)
    np.testing.assert_allclose(s.scale, ref.scale_, rtol=1e-12)
    np.testing.assert_allclose(s.transform(X), ref.transform(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.inverse_transform(s.transform(X)), X, rtol=1e-12)
    r = km.fit_robust_scaler(X)
    rref = RobustScaler().fit(X)
    np.testing.assert_allclose(r.center, rref.center_, rtol=1e-12)
    np.testing.assert_allclose(r.scale, rref.scale_, rtol=1e-12)
    back = pickle.loads(pickle.dumps(r))
    np.testing.assert_array_equal(back.transform(X), r.transform(X))
    np.testing.assert_allclose(km.log1p_features(X), np.log1p(X), rtol=1e-15)
    assert km.log1p_features(X.astype(np.float32)).dtype == np.float32


def test_minibatch_and_sweep():
    X = datasets()["blobs"]
    mb = km.MinibatchKMeans(k=4, seed=3)
    for batch in np.array_split(X, 6):
        mb.partial_fit(batch)
    assert mb.batches == 6
    model = mb.model()
    assert model.centers.shape == (4, 5)
    # Well-separated blobs: every batch-trained centre sits near a full-fit centre.
    full = km.kmeans_fit(X, k=4, seed=3)
    gaps = np.linalg.norm(model.centers[:, None, :] - full.centers[None, :, :], axis=2).min(axis=1)
    assert gaps.max() < 1.0
    # A run pickled mid-way (as Dask ships it to the next partition) continues bit for bit.
    first, second = km.MinibatchKMeans(k=4, seed=3), None
    for i, batch in enumerate(np.array_split(X, 6)):
        first.partial_fit(batch)
        if i == 2:
            second = pickle.loads(pickle.dumps(first))
        elif i > 2:
            second.partial_fit(batch)
    assert second.batches == 6
    np.testing.assert_array_equal(second.model().centers, first.model().centers)
    np.testing.assert_array_equal(second.model().centers, model.centers)
    empty = pickle.loads(pickle.dumps(km.MinibatchKMeans(k=4, seed=3)))
    assert empty.batches == 0
    sweep = km.kmeans_sweep(X, k_min=2, k_max=6, seed=3, n_init=2)
    assert [r.k for r in sweep.rows] == [2, 3, 4, 5, 6]
    for row in sweep.rows:
        labels = km.kmeans_fit(X, k=row.k, seed=3, n_init=2).labels
        assert row.silhouette == pytest.approx(silhouette_score(X, labels), rel=1e-9)
    assert sweep.best_silhouette_k == 4
    centres = km.kmeans_plus_plus(X, 4, seed=5)
    assert centres.shape == (4, 5)
    # k-means++ picks rows of X (up to the rounding of its centred arithmetic).
    nearest = np.linalg.norm(X[None, :, :] - centres[:, None, :], axis=2).min(axis=1)
    assert nearest.max() < 1e-12 * np.abs(X).max()


def test_options_default_to_the_cpp_defaults():
    X = datasets()["iris"]
    a = km.kmeans_fit(X)
    b = km.kmeans_fit(X, k=8, init=km.Init.k_means_plus_plus, algorithm=km.Algorithm.lloyd,
                      n_init=10, max_iter=300, tol=1e-4, seed=0, threads=1)
    np.testing.assert_array_equal(a.centers, b.centers)


def test_bad_input():
    X = datasets()["iris"]
    with pytest.raises(TypeError, match="X must be an array, not None"):
        km.kmeans_fit(None, k=3)
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        km.kmeans_fit(X[:, 0], k=3)
    with pytest.raises(TypeError, match="X must be convertible to a numeric array"):
        km.kmeans_fit(np.array([["a", "b"], ["c", "d"]]), k=1)
    # Integer data is converted (a copy), not rejected.
    ints = np.rint(X * 10).astype(np.int64)
    np.testing.assert_array_equal(km.kmeans_fit(ints, k=3, seed=1).centers,
                                  km.kmeans_fit(ints.astype(np.float64), k=3, seed=1).centers)
    bad = X.copy()
    bad[4, 2] = np.nan
    with pytest.raises(patron.InvalidInput, match=r"patron::kmeans_fit: X\(4, 2\) \(nan\) must be finite"):
        km.kmeans_fit(bad, k=3)
    with pytest.raises(patron.InvalidInput, match="patron::kmeans_fit: options.k"):
        km.kmeans_fit(X, k=0)
    m = km.kmeans_fit(X, k=3, seed=1)
    with pytest.raises(patron.InvalidInput, match="kmeans_model::predict: X.cols()"):
        m.predict(X[:, :2])
    with pytest.raises(ValueError, match=r"labels\[1\] \(0.5\) must be an integer label"):
        km.silhouette_score(X[:3], [0, 0.5, 1])
    with pytest.raises(TypeError):
        km.kmeans_fit(X, k="3")
    with pytest.raises(TypeError):  # enums only, not their names
        km.kmeans_fit(X, k=3, init="random_rows")
    with pytest.raises(ValueError, match="initial_centers must be 2-dimensional"):
        km.kmeans_fit(X, k=1, init=km.given_centers, initial_centers=X[0])
    with pytest.raises(patron.InvalidInput, match=r"options.initial_centers.rows\(\)"):
        km.kmeans_fit(X, k=3, init=km.given_centers, initial_centers=X[:2])


def test_fits_in_threads_equal_serial_fits():
    # The fit releases the GIL: concurrent fits (as under Dask's threaded scheduler) must
    # not share state.
    from concurrent.futures import ThreadPoolExecutor
    X = datasets()["blobs"]
    X32 = X.astype(np.float32)

    def fit(seed):
        return km.kmeans_fit(X if seed % 2 else X32, k=4, seed=seed, n_init=2).centers

    serial = [fit(s) for s in range(6)]
    with ThreadPoolExecutor(3) as pool:
        threaded = list(pool.map(fit, range(6)))
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)


def test_sweep_result_pickle_round_trip():
    X = datasets()["iris"]
    sweep = km.kmeans_sweep(X, k_min=2, k_max=4, seed=1, n_init=1)
    back = pickle.loads(pickle.dumps(sweep))
    assert (back.best_silhouette_k, back.elbow_k) == (sweep.best_silhouette_k, sweep.elbow_k)
    assert [(r.k, r.inertia, r.silhouette, r.converged) for r in back.rows] == \
        [(r.k, r.inertia, r.silhouette, r.converged) for r in sweep.rows]
