#!/usr/bin/python3
"""patron's CART against scikit-learn's DecisionTreeClassifier on the same data, in one run.

    cmake --preset bench && cmake --build --preset bench --target bench_tree
    /usr/bin/python3 benchmarks/compare/compare_tree.py [--bench build/bench/benchmarks/bench_tree]
        [--rows 200000] [--cols 10] [--repetitions 5]

Times fit, predict and decision_path. Generates 200,000 x 10 features and 3 classes (a
noisy non-linear score cut in three), writes them to a temporary file that patron's Google Benchmark binary reads
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
    times = {"fit": [], "predict": [], "fit_cpu": [], "predict_cpu": [], "path": [], "path_cpu": []}
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        est = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y)
        t1, c1 = time.perf_counter(), time.process_time()
        p = est.predict(X)
        t2, c2 = time.perf_counter(), time.process_time()
        est.decision_path(X)
        t3, c3 = time.perf_counter(), time.process_time()
        times["path"].append(t3 - t2)
        times["path_cpu"].append(c3 - c2)
        times["fit"].append(t1 - t0)
        times["fit_cpu"].append(c1 - c0)
        times["predict"].append(t2 - t1)
        times["predict_cpu"].append(c2 - c1)
    key = "None" if depth is None else str(depth)
    out[key] = {k + "_ms": 1e3 * float(np.median(v)) for k, v in times.items()}
    out[key].update(leaves=int(est.get_n_leaves()), train_accuracy=float(np.mean(p == y)))
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
        return b["real_time"] * scale, b["cpu_time"] * scale, b

    print("CART, %d rows x %d features, 3 classes; medians of %d runs, wall clock and CPU time"
          % (args.rows, args.cols, args.repetitions))
    print("(2 cores shared with other jobs: the CPU-time ratio is the steadier one)")
    print("scikit-learn %s DecisionTreeClassifier vs patron fit_tree_classifier on double X"
          % peer["sklearn"])
    print("%-9s %-8s %11s %11s %7s %11s %11s %7s %13s" % (
        "max_depth", "step", "sk wall ms", "pt wall ms", "ratio", "sk cpu ms", "pt cpu ms", "ratio", "leaves sk/pt"))
    for depth, arg in (("None", "0"), ("8", "8")):
        s = peer[depth]
        for step, name in (("fit", "tree_fit/%s" % arg), ("fit f32", "tree_fit_float/%s" % arg),
                           ("predict", "tree_predict/%s/1/process_time" % arg),
                           ("pred 2t", "tree_predict/%s/2/process_time" % arg),
                           ("path", "tree_decision_path/%s/1/process_time" % arg),
                           ("path 2t", "tree_decision_path/%s/2/process_time" % arg)):
            wall, cpu, b = patron_ms(name)
            key = "predict" if step.startswith("pred") else ("path" if step.startswith("path") else "fit")
            leaves = "%d/%d" % (s["leaves"], int(b["leaves"])) if "leaves" in b else ""
            print("%-9s %-8s %11.1f %11.1f %6.1fx %11.1f %11.1f %6.1fx %13s" % (
                depth, step, s[key + "_ms"], wall, s[key + "_ms"] / wall,
                s[key + "_cpu_ms"], cpu, s[key + "_cpu_ms"] / cpu, leaves))
    print("peak RSS: scikit-learn process %.0f MB, patron benchmark process %.0f MB"
          % (peer_peak, patron_peak))
    print("(the patron process also holds a float copy of X for the f32 rows; leaf counts can")
    print(" differ where equally good splits are broken differently; 'pred 2t' is patron's predict")
    print(" with tree_predict_options::threads = 2 against the same single-threaded scikit-learn")
    print(" predict, its CPU time that of both threads; 'path' is decision_path, scikit-learn's")
    print(" returning a CSR indicator matrix whose indptr and indices are patron's row_start and nodes)")


if __name__ == "__main__":
    main()
