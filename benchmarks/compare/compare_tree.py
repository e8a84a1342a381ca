#!/usr/bin/python3
"""patron's CART against scikit-learn's DecisionTreeClassifier on the same data, in one run.

    cmake --preset bench && cmake --build --preset bench --target bench_tree
    /usr/bin/python3 benchmarks/compare/compare_tree.py [--bench build/bench/benchmarks/bench_tree]
        [--rows 200000] [--cols 10] [--repetitions 5]

Generates 200,000 x 10 features and 3 classes (a noisy non-linear score cut in three),
writes them to a temporary file that patron's Google Benchmark binary reads
(PATRON_BENCH_TREE_DATA), then times scikit-learn on the very same arrays in a separate
process. Both sides report the median of the repetitions; peak memory is each process's
maximum resident set size (which includes the data: float64 X, 16 MB at the default size).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

PEER = r"""
import json, resource, sys, time
import numpy as np
import sklearn
from sklearn.tree import DecisionTreeClassifier
path, reps = sys.argv[1], int(sys.argv[2])
with open(path, "rb") as f:
    rows, cols = np.frombuffer(f.read(16), dtype="<i8")
    X = np.frombuffer(f.read(8 * rows * cols), dtype="<f8").reshape(rows, cols).copy()
    y = np.frombuffer(f.read(4 * rows), dtype="<i4").copy()
out = {"sklearn": sklearn.__version__}
for depth in (None, 8):
    fit, predict = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        est = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y)
        fit.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        p = est.predict(X)
        predict.append(time.perf_counter() - t0)
    key = "None" if depth is None else str(depth)
    out[key] = {"fit_ms": 1e3 * float(np.median(fit)), "predict_ms": 1e3 * float(np.median(predict)),
                "leaves": int(est.get_n_leaves()), "train_accuracy": float(np.mean(p == y))}
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def generate(rows, cols, seed=42):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, cols))
    score = X[:, 0] + 0.8 * X[:, 1] ** 2 - 0.6 * X[:, 2] * X[:, 3] + 0.5 * np.sin(3 * X[:, 4]) \
        + 0.5 * rng.normal(size=rows)
    y = np.where(score < 0.2, 0, np.where(score < 1.2, 1, 2)).astype(np.int32)
    return X, y


def run_with_peak(cmd, env=None):
    """Runs cmd; returns its stdout and its peak resident set size in MB."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit("%s failed with exit code %d" % (cmd[0], proc.returncode))
    return out, usage.ru_maxrss / 1024


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default=os.path.join(root, "build", "bench", "benchmarks", "bench_tree"))
    parser.add_argument("--rows", type=int, default=200000)
    parser.add_argument("--cols", type=int, default=10)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(args.bench):
        sys.exit("no %s: build it with cmake --preset bench && cmake --build --preset bench --target bench_tree"
                 % args.bench)

    X, y = generate(args.rows, args.cols)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tree_data.bin")
        with open(path, "wb") as f:
            f.write(np.array([args.rows, args.cols], dtype="<i8").tobytes())
            f.write(np.ascontiguousarray(X, dtype="<f8").tobytes())
            f.write(y.astype("<i4").tobytes())
        env = dict(os.environ, PATRON_BENCH_TREE_DATA=path)
        out, patron_peak = run_with_peak(
            [args.bench, "--benchmark_format=json", "--benchmark_repetitions=%d" % args.repetitions,
             "--benchmark_report_aggregates_only=true"], env)
        report = json.loads(out)
        out, peer_peak = run_with_peak(["/usr/bin/python3", "-c", PEER, path, str(args.repetitions)])
        peer = json.loads(out)

    median = {b["run_name"]: b for b in report["benchmarks"] if b.get("aggregate_name") == "median"}

    def patron_ms(name):
        b = median[name]
        scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
        return b["real_time"] * scale, b

    print("CART, %d rows x %d features, 3 classes; medians of %d runs (2 shared cores)"
          % (args.rows, args.cols, args.repetitions))
    print("scikit-learn %s DecisionTreeClassifier vs patron (double X; float X in brackets)" % peer["sklearn"])
    print("%-10s %-8s %12s %12s %8s %8s" % ("max_depth", "step", "sklearn ms", "patron ms", "ratio", "leaves"))
    for depth, arg in (("None", "0"), ("8", "8")):
        fit_ms, fit_b = patron_ms("tree_fit/%s" % arg)
        float_ms, _ = patron_ms("tree_fit_float/%s" % arg)
        pred_ms, _ = patron_ms("tree_predict/%s" % arg)
        s = peer[depth]
        print("%-10s %-8s %12.1f %12.1f %7.1fx %8s   [float: %.1f ms, %.1fx]" % (
            depth, "fit", s["fit_ms"], fit_ms, s["fit_ms"] / fit_ms,
            "%d/%d" % (s["leaves"], int(fit_b.get("leaves", 0))), float_ms, s["fit_ms"] / float_ms))
        print("%-10s %-8s %12.1f %12.1f %7.1fx" % (depth, "predict", s["predict_ms"], pred_ms,
                                                   s["predict_ms"] / pred_ms))
    print("peak RSS: scikit-learn process %.0f MB, patron benchmark process %.0f MB" % (peer_peak, patron_peak))
    print("(leaves: scikit-learn/patron; they can differ by tie-breaks between equally good splits)")


if __name__ == "__main__":
    main()
