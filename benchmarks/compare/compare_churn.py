"""patron churn vs its peers on the same data, in one run.

    /usr/bin/python3 benchmarks/compare/compare_churn.py [build/bench/benchmarks/bench_churn]

Peers: an sBG maximum-likelihood fit written with scipy (lifelines has no sBG and is not
in Debian), statsmodels' SurvfuncRight / survdiff, and R survival's survfit / survdiff via
Rscript. All sides build the same deterministic data (see benchmarks/bench_churn.cpp):
    u_i = frac((i + 1) * 0.6180339887498949)
    sBG durations: smallest t >= 1 with S(t) < u_i under sBG(0.704, 1.182), censored at 24
    KM data: exit_i = 1 + floor(100 u_i), event_i = (i mod 4 != 0), group_i = i mod 2
Times are medians of 5 runs of CPU time (patron: Google Benchmark cpu_time repetitions;
Python: time.process_time; R: user + system of system.time), because the machine is
shared with other builds and wall-clock times swing with its load.
"""
import json
import statistics
import subprocess
import sys
import time

import numpy as np
from scipy import optimize, special
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

N = 1_000_000
REPEATS = 5
GOLDEN = 0.6180339887498949


def sequence(n):
    x = np.arange(1, n + 1, dtype=float) * GOLDEN
    return x - np.floor(x)


def sbg_durations(n, horizon=24):
    t = np.arange(horizon + 1)
    s = np.exp(special.betaln(0.704, 1.182 + t) - special.betaln(0.704, 1.182))
    u = sequence(n)
    # first t >= 1 with s[t] < u: 1 + #{t in 1..horizon: s[t] >= u} (s is decreasing)
    first = 1 + np.searchsorted(-s[1:], -u, side="right")
    event = (first <= horizon).astype(float)
    return np.minimum(first, horizon).astype(float), event


def km_data(n):
    i = np.arange(n)
    return 1.0 + np.floor(100.0 * sequence(n)), (i % 4 != 0).astype(float), (i % 2).astype(float)


def sbg_nll(x, t, event, weight):
    a, b = np.exp(x)
    log_s = special.betaln(a, b + t) - special.betaln(a, b)
    log_p = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)
    return -np.sum(weight * np.where(event == 1, log_p, log_s))


def scipy_sbg_rows(t, event):
    w = np.ones_like(t)
    return np.exp(optimize.minimize(sbg_nll, [0.0, 0.0], args=(t, event, w), method="L-BFGS-B").x)


def scipy_sbg_compressed(t, event):
    keys, weight = np.unique(np.stack([t, event]), axis=1, return_counts=True)
    return np.exp(optimize.minimize(sbg_nll, [0.0, 0.0], args=(keys[0], keys[1], weight.astype(float)),
                                    method="L-BFGS-B").x)


def median_seconds(f, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        start = time.process_time()
        f()
        times.append(time.process_time() - start)
    return statistics.median(times)


def patron_medians(binary):
    out = subprocess.run([binary, "--benchmark_repetitions=%d" % REPEATS, "--benchmark_report_aggregates_only=true",
                          "--benchmark_format=json",
                          "--benchmark_filter=BM_sbg_fit_durations/1000000|BM_kaplan_meier/1000000|BM_logrank/1000000"],
                         check=True, capture_output=True, text=True).stdout
    result = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            scale = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
            result[b["run_name"]] = b["cpu_time"] * scale
    return result


R_SCRIPT = r"""
suppressMessages(library(survival))
n <- %d
u <- ((1:n) * %.16f) %%%% 1
exit <- 1 + floor(100 * u); event <- as.integer((0:(n - 1)) %%%% 4 != 0); group <- (0:(n - 1)) %%%% 2
med <- function(f) median(replicate(%d, sum(system.time(f())[c("user.self", "sys.self")])))
cat(med(function() survfit(Surv(exit, event) ~ 1)), med(function() survdiff(Surv(exit, event) ~ group)), "\n")
""" % (N, GOLDEN, REPEATS)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bench/benchmarks/bench_churn"
    patron = patron_medians(binary)
    t, event = sbg_durations(N)
    exit_time, km_event, group = km_data(N)
    rows = [
        ("sBG fit, 10^6 durations", patron["BM_sbg_fit_durations/1000000"], "scipy L-BFGS-B, per-row betaln",
         median_seconds(lambda: scipy_sbg_rows(t, event), 3)),
        ("sBG fit, 10^6 durations", patron["BM_sbg_fit_durations/1000000"], "scipy L-BFGS-B, np.unique-compressed",
         median_seconds(lambda: scipy_sbg_compressed(t, event))),
        ("Kaplan-Meier, 10^6", patron["BM_kaplan_meier/1000000"], "statsmodels SurvfuncRight",
         median_seconds(lambda: SurvfuncRight(exit_time, km_event))),
        ("log-rank, 10^6", patron["BM_logrank/1000000"], "statsmodels survdiff",
         median_seconds(lambda: survdiff(exit_time, km_event, group))),
    ]
    r = subprocess.run(["Rscript", "-e", R_SCRIPT], check=True, capture_output=True, text=True).stdout.split()
    rows.append(("Kaplan-Meier, 10^6", patron["BM_kaplan_meier/1000000"], "R survival::survfit", float(r[0])))
    rows.append(("log-rank, 10^6", patron["BM_logrank/1000000"], "R survival::survdiff", float(r[1])))
    print("sanity: scipy sBG on the benchmark data: alpha, beta =", scipy_sbg_compressed(t, event))
    print("%-26s %12s  %-40s %12s %8s" % ("task", "patron ms", "peer", "peer ms", "ratio"))
    for task, mine, peer, theirs in rows:
        print("%-26s %12.2f  %-40s %12.2f %8.1f" % (task, 1e3 * mine, peer, 1e3 * theirs, theirs / mine))


if __name__ == "__main__":
    main()
