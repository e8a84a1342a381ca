#!/usr/bin/python3
"""patron leads vs numpy / statsmodels / scikit-learn on the same generated data, one run.

    cmake --preset bench && cmake --build --preset bench --target bench_leads
    /usr/bin/python3 benchmarks/compare/compare_leads.py [--bench build/bench/benchmarks/bench_leads]
        [--repetitions 5]

1. Weighted score of 10,000,000 leads on 6 criteria (2 min-max, 2 z-score, 1 min-max
   lower-is-better, 1 binned; normalisation learned on the same leads) -- patron vs the
   same arithmetic vectorised in numpy (scipy.special.ndtr for Phi).
2. Logistic fit, 1,000,000 x 10, unpenalised -- patron Newton/IRLS (1 thread, and 2
   threads: identical coefficients) vs statsmodels Logit (Newton) and scikit-learn
   LogisticRegression(penalty=None, solver="lbfgs"), with the largest relative
   coefficient difference to patron printed beside each time.

Data are written once to a temporary directory (float64, column-major) and read by
bench_leads through PATRON_BENCH_LEADS_DIR, so every implementation sees the same numbers.
Times are medians over --repetitions runs (the machine is shared: medians, not means).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import scipy.special
import sklearn
import statsmodels
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def median_time(fn, repetitions):
    """Median wall and CPU (all threads of this process) seconds, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repetitions):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return (statistics.median(wall), statistics.median(cpu)), result


def numpy_score(X):
    """The same score as bench_leads' six_criteria(), vectorised in numpy."""
    w = np.arange(1.0, 7.0)
    u = np.empty_like(X)
    for j in (0, 1, 4):
        lo, hi = X[:, j].min(), X[:, j].max()
        u[:, j] = np.clip((X[:, j] - lo) / (hi - lo), 0, 1)
    for j in (2, 3):
        u[:, j] = scipy.special.ndtr((X[:, j] - X[:, j].mean()) / X[:, j].std(ddof=1))
    u[:, 5] = np.array([0, 10, 20, 40])[np.searchsorted([-1.0, 0.0, 1.0], X[:, 5], side="right")] / 40
    u[:, 1] = 1 - u[:, 1]
    u[:, 4] = 1 - u[:, 4]
    contribution = u * (100 * w / w.sum())
    return contribution.sum(axis=1)


def run_bench(bench, directory, name, repetitions):
    env = dict(os.environ, PATRON_BENCH_LEADS_DIR=directory)
    out = subprocess.run([bench, f"--benchmark_filter=^{name}/", f"--benchmark_repetitions={repetitions}",
                          "--benchmark_format=json"], env=env, check=True, capture_output=True, text=True).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    # ms -> s; cpu_time is the process's CPU time over all threads
    # (MeasureProcessCPUTime in bench_leads.cpp).
    return (statistics.median(b["real_time"] for b in runs) / 1000.0,
            statistics.median(b["cpu_time"] for b in runs) / 1000.0)


def line(label, t, base=None, extra=""):
    text = f"  {label:<28} wall {t[0]:8.3f} s  cpu {t[1]:8.3f} s"
    if base is not None:
        text += f"   ratio wall {t[0] / base[0]:5.1f}x  cpu {t[1] / base[1]:5.1f}x"
    print(text + extra)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default=os.path.join(ROOT, "build", "bench", "benchmarks", "bench_leads"))
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(args.bench):
        sys.exit(f"{args.bench} not found: cmake --preset bench && cmake --build --preset bench --target bench_leads")
    rng = np.random.default_rng(2026)
    print(f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, statsmodels {statsmodels.__version__}; "
          f"{os.cpu_count()} CPUs (shared); medians of {args.repetitions} runs")
    with tempfile.TemporaryDirectory() as directory:
        # --- 1. weighted score --------------------------------------------------------
        X = rng.normal(size=(10_000_000, 6))
        X.T.tofile(os.path.join(directory, "score_X.bin"))  # column-major: transpose of C order
        t_patron = run_bench(args.bench, directory, "BM_score_leads", args.repetitions)
        t_numpy, _ = median_time(lambda: numpy_score(X), args.repetitions)
        print("\nscore 10,000,000 leads x 6 criteria (ratio = peer / patron)")
        line("patron", t_patron)
        line("numpy (vectorised)", t_numpy, t_patron)
        del X

        # --- 2. logistic fit ----------------------------------------------------------
        n, p = 1_000_000, 10
        X = rng.normal(size=(n, p))
        beta = np.linspace(-0.5, 0.5, p)
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(X @ beta - 0.3)))).astype(float)
        X.T.tofile(os.path.join(directory, "fit_X.bin"))  # column-major: transpose of C order
        y.tofile(os.path.join(directory, "fit_y.bin"))
        t_patron = run_bench(args.bench, directory, "BM_fit_logistic/1", args.repetitions)
        t_patron2 = run_bench(args.bench, directory, "BM_fit_logistic/2", args.repetitions)
        coef_patron = np.fromfile(os.path.join(directory, "coefficients.bin"))

        def rel(c):
            return np.max(np.abs(c - coef_patron) / np.maximum(1.0, np.abs(coef_patron)))

        Xc = sm.add_constant(X)
        t_sm, res = median_time(lambda: sm.Logit(y, Xc).fit(method="newton", tol=1e-10, disp=0),
                                args.repetitions)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_sk, model = median_time(
                lambda: LogisticRegression(penalty=None, solver="lbfgs", tol=1e-8, max_iter=1000).fit(X, y),
                args.repetitions)
        coef_sk = np.concatenate([model.intercept_, model.coef_.ravel()])
        print("\nlogistic fit 1,000,000 x 10, unpenalised (ratio = peer / patron)")
        line("patron Newton/IRLS", t_patron)
        line("patron, 2 threads", t_patron2)
        line("statsmodels Logit (newton)", t_sm, t_patron,
             f"   max rel coef diff {rel(np.asarray(res.params)):.1e}")
        line("sklearn lbfgs (tol 1e-8)", t_sk, t_patron, f"   max rel coef diff {rel(coef_sk):.1e}")
        line("  ... vs patron 2 threads", t_sk, t_patron2)


if __name__ == "__main__":
    main()
