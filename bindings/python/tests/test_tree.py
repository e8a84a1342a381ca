"""patron.tree against scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor in the
same test (tolerances of tests/test_tree.cpp).

scikit-learn converts X to float32 and breaks ties between equally good splits by a random
feature order, patron by the lowest feature index: the cases below are those
tests/reference/tree/make_tree_reference.py found to have a unique best split at every node,
fitted on float32 X (thresholds: double midpoints of float32 values), and on the same values
as float64.
"""
import os
import pickle

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import patron

tr = patron.tree
LOADERS = {"iris": load_iris, "wine": load_wine, "breast_cancer": load_breast_cancer}
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "data", "tree")


def check_structure(t, ref, classification):
    s = ref.tree_
    assert t.node_count() == s.node_count
    np.testing.assert_array_equal(t.children_left, s.children_left)
    np.testing.assert_array_equal(t.children_right, s.children_right)
    np.testing.assert_array_equal(t.feature, s.feature)
    np.testing.assert_allclose(t.threshold, s.threshold, rtol=1e-12, atol=0)
    if classification:
        np.testing.assert_allclose(t.impurity, s.impurity, rtol=1e-12, atol=1e-14)
    else:
        np.testing.assert_allclose(t.impurity, s.impurity, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(t.n_node_samples, s.n_node_samples)
    np.testing.assert_allclose(t.weighted_n_node_samples, s.weighted_n_node_samples, rtol=1e-12)
    np.testing.assert_allclose(t.value, s.value[:, 0, :], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.feature_importances(), ref.feature_importances_,
                               rtol=1e-10 if classification else 1e-8, atol=1e-12)
    assert t.depth() == ref.get_depth()
    assert t.leaf_count() == ref.get_n_leaves()


# random_state: one the reference script found to resolve every tie as patron does
# (tests/reference/tree/tree_reference.hpp names it for each case).
CLASSIFIER_CASES = [
    ("iris", dict(criterion="gini", max_depth=2, random_state=4)),
    ("iris", dict(criterion="gini", max_depth=3, random_state=4)),
    ("iris", dict(criterion="entropy", max_depth=3, random_state=4)),
    ("wine", dict(criterion="gini", max_depth=3, random_state=0)),
    ("wine", dict(criterion="entropy", max_depth=3, random_state=3)),
    ("breast_cancer", dict(criterion="gini", max_depth=4, random_state=364)),
    ("breast_cancer", dict(criterion="entropy", max_depth=3, random_state=3)),
    ("iris", dict(criterion="gini", ccp_alpha=0.01, random_state=15)),
    ("wine", dict(criterion="gini", ccp_alpha=0.02, random_state=360)),
]


@pytest.mark.parametrize("name, params", CLASSIFIER_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_classifier_equals_sklearn(name, params, dtype):
    X32, y = LOADERS[name](return_X_y=True)
    X32 = X32.astype(np.float32)
    X = X32.astype(dtype)
    ref = DecisionTreeClassifier(**params).fit(X32, y)
    t = tr.fit_tree_classifier(X, y, criterion=getattr(tr.Criterion, params["criterion"]),
                               max_depth=params.get("max_depth"),
                               ccp_alpha=params.get("ccp_alpha", 0.0))
    assert isinstance(t, tr.TreeClassifier)
    check_structure(t, ref, True)
    np.testing.assert_array_equal(t.predict(X), ref.predict(X32))
    np.testing.assert_allclose(t.predict_proba(X), ref.predict_proba(X32), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(t.apply(X), ref.apply(X32))
    np.testing.assert_array_equal(t.predict_proba(X, threads=2), t.predict_proba(X))
    path, ref_path = t.decision_path(X), ref.decision_path(X32)
    np.testing.assert_array_equal(path.row_start, ref_path.indptr)
    np.testing.assert_array_equal(path.nodes, ref_path.indices)
    threaded = t.decision_path(X, threads=2)
    np.testing.assert_array_equal(threaded.row_start, path.row_start)
    np.testing.assert_array_equal(threaded.nodes, path.nodes)


@pytest.mark.parametrize("name, random_state", [("iris", 15), ("wine", 360)])
def test_pruning_path_and_prune_tree_equal_sklearn(name, random_state):
    X, y = LOADERS[name](return_X_y=True)
    X = X.astype(np.float32)
    full = tr.fit_tree_classifier(X, y)
    check_structure(full, DecisionTreeClassifier(random_state=random_state).fit(X, y), True)
    path = tr.cost_complexity_pruning_path(full)
    ref = DecisionTreeClassifier(random_state=random_state).cost_complexity_pruning_path(X, y)
    np.testing.assert_allclose(path.ccp_alphas, ref.ccp_alphas, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(path.impurities, ref.impurities, rtol=1e-12, atol=1e-14)
    # Pruned at an interior alpha of the path: the subtree scikit-learn grows with ccp_alpha.
    mid = float(np.sqrt(path.ccp_alphas[-3] * path.ccp_alphas[-2]))
    pruned = tr.prune_tree(full, mid)
    check_structure(pruned, DecisionTreeClassifier(random_state=random_state, ccp_alpha=mid).fit(X, y), True)


def test_regressor_equals_sklearn():
    rows = np.loadtxt(os.path.join(DATA, "generated_regression.csv"), delimiter=",", skiprows=1)
    X, y = rows[:, :-1], rows[:, -1]
    ref = DecisionTreeRegressor(random_state=0, max_depth=4).fit(X, y)
    for data in (X, X.astype(np.float32)):
        t = tr.fit_tree_regressor(data, y, max_depth=4)
        assert isinstance(t, tr.TreeRegressor)
        check_structure(t, ref, False)
        np.testing.assert_allclose(t.predict(data), ref.predict(X), rtol=1e-12)
    path = tr.cost_complexity_pruning_path(tr.fit_tree_regressor(X, y, max_depth=4))
    ref_path = DecisionTreeRegressor(random_state=0, max_depth=4).cost_complexity_pruning_path(X, y)
    np.testing.assert_allclose(path.ccp_alphas, ref_path.ccp_alphas, rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(path.impurities, ref_path.impurities, rtol=1e-8, atol=1e-14)


def test_sample_weight_and_balanced_classes_equal_sklearn():
    rows = np.loadtxt(os.path.join(DATA, "generated_classification.csv"), delimiter=",", skiprows=1)
    X, y = rows[:, :-1], rows[:, -1].astype(int)
    ref = DecisionTreeClassifier(random_state=76, max_depth=5, class_weight="balanced").fit(X, y)
    t = tr.fit_tree_classifier(X, y, max_depth=5, class_weight_mode=tr.balanced)
    check_structure(t, ref, True)
    # Continuous weights: no two candidate splits tie.
    w = np.random.default_rng(8).uniform(0.5, 2.0, len(y))
    ref = DecisionTreeClassifier(random_state=0, max_depth=3).fit(X, y, sample_weight=w)
    t = tr.fit_tree_classifier(X, y, sample_weight=w, max_depth=3)
    check_structure(t, ref, True)


def test_pickle_round_trip_and_rules():
    X, y = load_iris(return_X_y=True)
    t = tr.fit_tree_classifier(X, y, max_depth=3)
    back = pickle.loads(pickle.dumps(t))
    assert type(back) is tr.TreeClassifier
    for member in ("children_left", "children_right", "feature", "threshold", "impurity",
                   "n_node_samples", "weighted_n_node_samples", "value"):
        np.testing.assert_array_equal(getattr(back, member), getattr(t, member))
    assert (back.n_classes, back.criterion, back.n_features) == (t.n_classes, t.criterion, t.n_features)
    np.testing.assert_array_equal(back.predict_proba(X), t.predict_proba(X))
    r = tr.fit_tree_regressor(X[:, 1:], X[:, 0], max_depth=3)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(r)).predict(X[:, 1:]), r.predict(X[:, 1:]))

    rules = tr.extract_rules(t)
    assert len(rules) == t.leaf_count()
    leaves = t.apply(X)
    for rule in rules:
        # A rule's conditions select exactly the training rows of its leaf.
        mask = np.ones(len(X), dtype=bool)
        for c in rule.conditions:
            mask &= X[:, c.feature] <= c.threshold if c.op == tr.less_equal else X[:, c.feature] > c.threshold
        np.testing.assert_array_equal(mask, leaves == rule.leaf)
        assert rule.n_samples == mask.sum()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert tr.format_rule(rules[0], feature_names=names).startswith("IF petal_length <= 2.45 THEN")
    assert '"leaf"' in tr.rules_to_json(rules)
    assert tr.export_text(t, feature_names=names).startswith("|--- petal_length <= 2.45")


def test_cross_validation_picks_an_alpha_of_the_path():
    X, y = load_wine(return_X_y=True)
    cv = tr.cross_validate_ccp_alpha_classifier(X, y, folds=5, seed=1, rule=tr.one_se)
    path = tr.cost_complexity_pruning_path(tr.fit_tree_classifier(X, y))
    np.testing.assert_array_equal(cv.ccp_alphas, path.ccp_alphas)
    assert cv.chosen_alpha == cv.ccp_alphas[cv.chosen_index]
    assert cv.cv_error[cv.best_index] == cv.cv_error.min()
    reg = tr.cross_validate_ccp_alpha_regressor(X[:, 1:], X[:, 0], folds=4, seed=2, max_depth=4)
    assert len(reg.cv_error) == len(reg.ccp_alphas)


def test_bad_input():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(TypeError, match="y must be an array, not None"):
        tr.fit_tree_classifier(X, None)
    with pytest.raises(TypeError, match="X must be an array, not None"):
        tr.fit_tree_classifier(None, y)
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        tr.fit_tree_classifier(X[:, 0], y)
    with pytest.raises(ValueError, match="y must be 1-dimensional"):
        tr.fit_tree_classifier(X, np.c_[y, y])
    with pytest.raises(ValueError, match=r"y\[0\] \(0.5\) must be an integer label"):
        tr.fit_tree_classifier(X, y + 0.5)
    with pytest.raises(TypeError, match="y must hold integer labels"):
        tr.fit_tree_classifier(X, np.array(["a"] * len(X)))
    bad = X.copy()
    bad[7, 1] = np.nan
    with pytest.raises(patron.InvalidInput, match=r"patron::fit_tree_classifier: X\(7, 1\) \(nan\) must be finite"):
        tr.fit_tree_classifier(bad, y)
    with pytest.raises(patron.InvalidInput, match=r"patron::fit_tree_classifier: y\[0\] \(-1\)"):
        tr.fit_tree_classifier(X, y - 1)
    with pytest.raises(patron.InvalidInput, match="options.max_depth"):
        tr.fit_tree_classifier(X, y, max_depth=0)
    with pytest.raises(patron.InvalidInput, match="fit_tree_regressor: y"):
        tr.fit_tree_regressor(X, np.r_[np.nan, y[1:]])
    t = tr.fit_tree_classifier(X, y, max_depth=2)
    with pytest.raises(patron.InvalidInput, match="X.cols()"):
        t.predict(X[:, :3])
    # Integer features are converted, not rejected.
    ints = np.rint(X * 10).astype(np.int32)
    np.testing.assert_array_equal(tr.fit_tree_classifier(ints, y).threshold,
                                  tr.fit_tree_classifier(ints.astype(np.float64), y).threshold)


def test_results_pickle_round_trip():
    X, y = load_wine(return_X_y=True)
    t = tr.fit_tree_classifier(X, y)
    for result in (tr.cost_complexity_pruning_path(t), t.decision_path(X),
                   tr.cross_validate_ccp_alpha_classifier(X, y, folds=3)):
        back = pickle.loads(pickle.dumps(result))
        for name in dir(result):
            if not name.startswith("_"):
                np.testing.assert_array_equal(getattr(back, name), getattr(result, name))
    rules = tr.extract_rules(t)
    assert tr.rules_to_json(pickle.loads(pickle.dumps(rules))) == tr.rules_to_json(rules)
