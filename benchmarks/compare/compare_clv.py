#!/usr/bin/python3
"""patron vs a scipy reference fit of the same BG/NBD and Pareto/NBD likelihoods on the
same 1,000,000 generated customers, in one run.

    cmake --preset bench && cmake --build --preset bench --target bench_clv
    /usr/bin/python3 benchmarks/compare/compare_clv.py [build/bench/benchmarks/bench_clv]

1. Runs patron's bench_clv (Google Benchmark, --benchmark_repetitions, median) with
   PATRON_CLV_BENCH_DATA set, so it writes the customers it generated to a CSV.
2. Fits the same customers with scipy: the likelihoods written with numpy and
   scipy.special (gammaln, hyp2f1), minimised by scipy.optimize.minimize (L-BFGS-B on log
   parameters, numerical gradient) over all rows, the way lifetimes-style code does it.
3. Fits BG/NBD with scipy a second time on the distinct (x, t_x, T) patterns with
   counts as weights (np.unique, timed), the representation patron fits: patron's time
   always includes its own compression of the 1M rows.
4. Prints medians, the ratios, and checks the fits agree.

Single-threaded on both sides (OMP/BLAS threads pinned to 1). Times are CPU times of
the process (Google Benchmark's cpu_time, Python's time.process_time): on a machine
shared with other jobs, wall time mostly measures the neighbours. Medians.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402
from scipy.special import gammaln, hyp2f1  # noqa: E402

BENCH = sys.argv[1] if len(sys.argv) > 1 else "build/bench/benchmarks/bench_clv"
SCIPY_BGNBD_RUNS = 3
SCIPY_PNBD_RUNS = 1


def bgnbd_nll(u, x, tx, T, w=None):
    r, alpha, a, b = np.exp(u)
    ll = (gammaln(r + x) - gammaln(r) + r * np.log(alpha)
          + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x))
    alive = -(r + x) * np.log(alpha + T)
    dead = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    terms = ll + np.logaddexp(alive, dead)
    return -(terms.mean() if w is None else w.dot(terms) / w.sum())


def pnbd_nll(u, x, tx, T):
    r, alpha, s, beta = np.exp(u)
    K = r + s + x
    if alpha >= beta:
        M, m, b2 = alpha, beta, s + 1
    else:
        M, m, b2 = beta, alpha, r + x
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.log(hyp2f1(K, b2, K + 1, (M - m) / (M + tx))) - K * np.log(M + tx)
        f2 = np.log(hyp2f1(K, b2, K + 1, (M - m) / (M + T))) - K * np.log(M + T)
        dead = np.where(tx < T, np.log(s / K) + f1 + np.log(-np.expm1(f2 - f1)), -np.inf)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.logaddexp(alive, dead)
    return -ll.mean()


def scipy_fit(nll, x, tx, T):
    # CPU time of this process: on a shared machine wall time measures the neighbours.
    start = time.process_time()
    res = minimize(nll, np.zeros(4), args=(x, tx, T), method="L-BFGS-B", options={"maxiter": 500})
    return time.process_time() - start, np.exp(res.x), -res.fun * len(x), res


def scipy_fit_patterns(data):
    """The same fit on the distinct (x, t_x, T) patterns with their counts as weights
    (the representation patron fits), the compression by np.unique included in the time."""
    start = time.process_time()
    patterns, counts = np.unique(data, axis=0, return_counts=True)
    w = counts.astype(float)
    res = minimize(bgnbd_nll, np.zeros(4), args=(patterns[:, 0], patterns[:, 1], patterns[:, 2], w),
                   method="L-BFGS-B", options={"maxiter": 500})
    return time.process_time() - start, np.exp(res.x), -res.fun * w.sum(), res


def main():
    with tempfile.TemporaryDirectory() as tmp:
        data_path = os.path.join(tmp, "customers.csv")
        env = dict(os.environ, PATRON_CLV_BENCH_DATA=data_path)
        out = subprocess.run(
            [BENCH, "--benchmark_filter=fit_(bgnbd_1m|pareto_nbd_1m|pareto_nbd_100k)$", "--benchmark_repetitions=3",
             "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
            env=env, check=True, capture_output=True, text=True).stdout
        report = json.loads(out)
        medians = {b["run_name"]: b for b in report["benchmarks"] if b.get("aggregate_name") == "median"}
        patron_ms = {name: b["cpu_time"] for name, b in medians.items()}  # single-threaded CPU time
        data = np.loadtxt(data_path, delimiter=",", skiprows=1)
    x, tx, T = data[:, 0], data[:, 1], data[:, 2]
    print(f"customers: {len(x)}, distinct (x, t_x, T) patterns: {len(np.unique(data, axis=0))}")
    print(f"machine: {os.cpu_count()} cores (shared), {report['context'].get('mhz_per_cpu', '?')} MHz; "
          f"patron medians of 3, scipy medians of {SCIPY_BGNBD_RUNS} (BG/NBD) and {SCIPY_PNBD_RUNS} (Pareto/NBD)")

    rows = []
    # scipy's Pareto/NBD needs 2 hyp2f1 per customer per evaluation (and 5 evaluations
    # per numerical gradient): it is timed on the first 100,000 customers, as is patron's.
    n_small = 100_000
    print(f"Pareto/NBD 1M: patron {patron_ms['fit_pareto_nbd_1m']:.0f} ms CPU "
          f"(converged={bool(medians['fit_pareto_nbd_1m']['converged'])}); scipy not run at 1M")
    for name, nll, runs, bench, n in [("BG/NBD 1M", bgnbd_nll, SCIPY_BGNBD_RUNS, "fit_bgnbd_1m", len(x)),
                                      ("Pareto/NBD 100k", pnbd_nll, SCIPY_PNBD_RUNS, "fit_pareto_nbd_100k", n_small)]:
        fits = [scipy_fit(nll, x[:n], tx[:n], T[:n]) for _ in range(runs)]
        seconds = statistics.median(f[0] for f in fits)
        params, ll, res = fits[0][1], fits[0][2], fits[0][3]
        ms = patron_ms[bench]
        rows.append((name, ms, seconds * 1000, seconds * 1000 / ms))
        b = medians[bench]
        patron_params = np.array([b[f"p{k}"] for k in range(4)])
        print(f"{name}: patron params {np.array2string(patron_params, precision=6)}, LL {b['log_likelihood']:.4f}, "
              f"converged={bool(b['converged'])}, {int(b['patterns'])} patterns")
        print(f"{name}: scipy  params {np.array2string(params, precision=6)}, LL {ll:.4f}, "
              f"{res.nit} iterations, {res.nfev} evaluations, success={res.success}")
        print(f"{name}: max relative parameter difference {np.max(np.abs(params / patron_params - 1)):.2e}")
    # The same BG/NBD fit on compressed patterns (compression included): the peer given
    # patron's data representation.
    fits = [scipy_fit_patterns(data) for _ in range(SCIPY_BGNBD_RUNS)]
    seconds = statistics.median(f[0] for f in fits)
    ms = patron_ms["fit_bgnbd_1m"]
    rows.append(("BG/NBD 1M, peer on patterns", ms, seconds * 1000, seconds * 1000 / ms))
    patron_params = np.array([medians["fit_bgnbd_1m"][f"p{k}"] for k in range(4)])
    print(f"BG/NBD 1M on patterns: scipy params {np.array2string(fits[0][1], precision=6)}, LL {fits[0][2]:.4f}, "
          f"{fits[0][3].nit} iterations, {fits[0][3].nfev} evaluations; max relative parameter difference "
          f"{np.max(np.abs(fits[0][1] / patron_params - 1)):.2e}")
    print()
    print("CPU time (ms), single-threaded, medians")
    print(f"{'model':<30}{'patron (ms)':>14}{'scipy (ms)':>14}{'ratio':>10}")
    for name, ms, sms, ratio in rows:
        print(f"{name:<30}{ms:>14.1f}{sms:>14.1f}{ratio:>9.0f}x")


if __name__ == "__main__":
    main()
