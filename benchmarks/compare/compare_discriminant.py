#!/usr/bin/python3
"""patron vs scikit-learn: LDA and QDA fit + predict_proba, 200,000 x 10, 3 classes.

Usage (after `cmake --preset bench && cmake --build --preset bench --target bench_discriminant`):
    /usr/bin/python3 benchmarks/compare/compare_discriminant.py [build/bench/benchmarks/bench_discriminant]

Generates one data set with numpy, writes it to a temporary file that the patron benchmark
reads (PATRON_DISCRIMINANT_DATA), runs both on it in this one run and prints the median
times and their ratio. The machine is shared: medians of several repetitions.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import sklearn
from sklearn.discriminant_analysis import (LinearDiscriminantAnalysis,
                                           QuadraticDiscriminantAnalysis)

ROWS, FEATURES, REPEATS = 200_000, 10, 7
binary = sys.argv[1] if len(sys.argv) > 1 else "build/bench/benchmarks/bench_discriminant"

rng = np.random.default_rng(42)
y = (np.arange(ROWS) % 3).astype(np.int32)
shift = 0.5 * y[:, None] * (np.arange(FEATURES) % 3)[None, :]
X = shift + rng.standard_normal((ROWS, FEATURES)) * (1.0 + 0.25 * y[:, None])

with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
    f.write(np.ascontiguousarray(X, dtype="<f8").tobytes())
    f.write(np.ascontiguousarray(y, dtype="<i4").tobytes())
    path = f.name
try:
    env = dict(os.environ, PATRON_DISCRIMINANT_DATA=path)
    result = subprocess.run(
        [binary, "--benchmark_format=json", "--benchmark_repetitions=%d" % REPEATS,
         "--benchmark_report_aggregates_only=true", "--benchmark_filter=_proba$"],
        env=env, check=True, capture_output=True, text=True)
finally:
    os.unlink(path)
patron_ms = {b["run_name"]: b["real_time"] for b in json.loads(result.stdout)["benchmarks"]
             if b.get("aggregate_name") == "median"}


def median_ms(fn):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


sk = {
    "lda_fit_predict_proba": median_ms(lambda: LinearDiscriminantAnalysis().fit(X, y).predict_proba(X)),
    "qda_fit_predict_proba": median_ms(lambda: QuadraticDiscriminantAnalysis().fit(X, y).predict_proba(X)),
}
print("%d x %d, 3 classes, median of %d runs; scikit-learn %s, numpy %s" %
      (ROWS, FEATURES, REPEATS, sklearn.__version__, np.__version__))
print("%-24s %12s %12s %8s" % ("benchmark", "patron ms", "sklearn ms", "ratio"))
for name, sk_ms in sk.items():
    ours = patron_ms[name]
    print("%-24s %12.2f %12.2f %7.1fx" % (name, ours, sk_ms, sk_ms / ours))
