#!/usr/bin/python3
"""Reference values for tests/test_discriminant*.cpp from scikit-learn and scipy.

Run from the repository root with Debian's interpreter (python3-sklearn 1.2.1,
python3-scipy, python3-numpy):
    /usr/bin/python3 tests/reference/discriminant/sklearn_reference.py
It reads tests/data/sklearn/{iris,wine_data,breast_cancer}.csv (copies of
scikit-learn's bundled files) and writes tests/reference/discriminant/sklearn_reference.hpp.
Matrices are flattened row by row; every array's comment names the call that produced it.
"""
import os

import numpy as np
import scipy
import sklearn
from scipy.spatial.distance import cdist
from sklearn.covariance import ledoit_wolf
from sklearn.discriminant_analysis import (LinearDiscriminantAnalysis as LDA,
                                           QuadraticDiscriminantAnalysis as QDA)
from sklearn.metrics import confusion_matrix

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "sklearn")


def load(name):
    path = os.path.join(DATA, name)
    with open(path) as f:
        f.readline()  # "n_rows,n_features,class names..."
        rows = np.loadtxt(f, delimiter=",")
    return rows[:, :-1], rows[:, -1].astype(int)


out = []


def emit(name, values, call):
    values = np.asarray(values, dtype=float).ravel()
    text = ",\n    ".join(", ".join("%.17g" % v for v in values[i:i + 4])
                          for i in range(0, len(values), 4))
    out.append("// %s\ninline constexpr double %s[] = {\n    %s};\n" % (call, name, text))


def emit_int(name, values, call):
    values = np.asarray(values).ravel()
    out.append("// %s\ninline constexpr int %s[] = {%s};\n" %
               (call, name, ", ".join(str(int(v)) for v in values)))


def dataset(tag, X, y):
    out.append("namespace %s {\n" % tag)
    k = len(np.unique(y))
    # --- LDA, svd solver (default) ---
    lda = LDA(solver="svd", store_covariance=True).fit(X, y)
    emit("lda_svd_scalings", lda.scalings_, "LDA(solver='svd').fit(X, y).scalings_")
    emit("lda_svd_explained_variance_ratio", lda.explained_variance_ratio_,
         "LDA(solver='svd').explained_variance_ratio_")
    emit("lda_svd_coef", lda.coef_,
         "LDA(solver='svd').coef_ (two classes: one row, coef[1] - coef[0])")
    emit("lda_svd_intercept", lda.intercept_, "LDA(solver='svd').intercept_")
    emit("lda_svd_means", lda.means_, "LDA(solver='svd').means_")
    emit("lda_svd_xbar", lda.xbar_, "LDA(solver='svd').xbar_")
    emit("lda_svd_covariance", lda.covariance_, "LDA(solver='svd', store_covariance=True).covariance_")
    emit("lda_svd_proba", lda.predict_proba(X), "LDA(solver='svd').predict_proba(X)")
    emit("lda_svd_log_proba", lda.predict_log_proba(X), "LDA(solver='svd').predict_log_proba(X)")
    emit("lda_svd_decision", lda.decision_function(X), "LDA(solver='svd').decision_function(X)")
    emit("lda_svd_transform", lda.transform(X), "LDA(solver='svd').transform(X)")
    emit_int("lda_svd_predict", lda.predict(X), "LDA(solver='svd').predict(X)")
    emit_int("lda_svd_confusion", confusion_matrix(y, lda.predict(X)),
             "sklearn.metrics.confusion_matrix(y, LDA().predict(X))")
    # --- given priors ---
    priors = np.linspace(1.0, 2.0, k)
    priors /= priors.sum()
    emit("given_priors", priors, "np.linspace(1, 2, k) / sum")
    emit("lda_svd_priors_proba", LDA(priors=priors).fit(X, y).predict_proba(X),
         "LDA(solver='svd', priors=given_priors).predict_proba(X)")
    # --- eigen and lsqr solvers, with and without shrinkage ---
    for solver in ("eigen", "lsqr"):
        for shrink, label in ((None, "none"), ("auto", "auto"), (0.3, "fixed")):
            m = LDA(solver=solver, shrinkage=shrink).fit(X, y)
            call = "LDA(solver='%s', shrinkage=%r)" % (solver, shrink)
            emit("lda_%s_%s_proba" % (solver, label), m.predict_proba(X), call + ".predict_proba(X)")
            emit("lda_%s_%s_coef" % (solver, label), m.coef_, call + ".coef_")
            emit("lda_%s_%s_intercept" % (solver, label), m.intercept_, call + ".intercept_")
            emit("lda_%s_%s_covariance" % (solver, label), m.covariance_, call + ".covariance_")
            if solver == "eigen":
                emit("lda_eigen_%s_explained_variance_ratio" % label, m.explained_variance_ratio_,
                     call + ".explained_variance_ratio_")
                emit("lda_eigen_%s_transform" % label, m.transform(X), call + ".transform(X)")
    # --- QDA ---
    for reg, label in ((0.0, "reg0"), (0.1, "reg01")):
        m = QDA(reg_param=reg, store_covariance=True).fit(X, y)
        call = "QDA(reg_param=%g)" % reg
        emit("qda_%s_proba" % label, m.predict_proba(X), call + ".predict_proba(X)")
        emit("qda_%s_decision" % label, m._decision_function(X), call + "._decision_function(X)")
        emit("qda_%s_covariance" % label, np.concatenate(m.covariance_),
             call + ".covariance_ (stacked by class)")
        emit_int("qda_%s_predict" % label, m.predict(X), call + ".predict(X)")
    # --- Ledoit-Wolf on the raw features ---
    cov, shrinkage = ledoit_wolf(X)
    emit("ledoit_wolf_covariance", cov, "sklearn.covariance.ledoit_wolf(X)[0]")
    emit("ledoit_wolf_shrinkage", [shrinkage], "sklearn.covariance.ledoit_wolf(X)[1]")
    # --- Mahalanobis distances to the class means, pooled covariance (divisor n - k) ---
    means = np.array([X[y == c].mean(0) for c in np.unique(y)])
    centred = X - means[y]
    pooled = centred.T @ centred / (len(y) - k)
    emit("mahalanobis_squared", cdist(X, means, "mahalanobis", VI=np.linalg.inv(pooled)) ** 2,
         "scipy.spatial.distance.cdist(X, class means, 'mahalanobis', VI=inv(pooled cov))**2")
    out.append("}  // namespace %s\n" % tag)


header = ["// Generated by tests/reference/discriminant/sklearn_reference.py with scikit-learn %s,"
          " scipy %s, numpy %s. Do not edit.\n#pragma once\n\nnamespace sklearn_reference {\n"
          % (sklearn.__version__, scipy.__version__, np.__version__)]
for tag, name in (("iris", "iris.csv"), ("wine", "wine_data.csv"), ("breast_cancer", "breast_cancer.csv")):
    X, y = load(name)
    dataset(tag, X, y)
with open(os.path.join(HERE, "sklearn_reference.hpp"), "w") as f:
    f.write("".join(header + out) + "}  // namespace sklearn_reference\n")
