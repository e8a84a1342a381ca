#!/usr/bin/python3
"""patron vs scipy on the same A/B-test workloads, in one run.

    cmake --preset bench && cmake --build --preset bench --target bench_abtest -j2
    /usr/bin/python3 benchmarks/compare/compare_abtest.py [path/to/bench_abtest]

Workloads (generated identically here and in benchmarks/bench_abtest.cpp from a
counter-based splitmix64 stream):
  - 1,000,000 two-proportion z-tests from counts: patron's batch API vs numpy-vectorised
    code with scipy.stats.norm.sf (the idiomatic fast Python);
  - Fisher's exact test per call (200 tables cycled): vs scipy.stats.fisher_exact;
  - Mann-Whitney U per call, 6 vs 16 (exact) and 50 vs 60 (asymptotic): vs
    scipy.stats.mannwhitneyu.
Times are medians over repetitions of CPU time (time.process_time here, Google
Benchmark's cpu_time there): the machine is shared with other builds, so wall-clock
time measures the neighbours; medians, not means.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/bench/benchmarks/bench_abtest")
GAMMA = np.uint64(0x9E3779B97F4A7C15)


def splitmix(seed, n):
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * GAMMA
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def median_time(fn, repeat, clock=time.process_time):
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def scipy_z_tests(clock=time.process_time):
    n = 1_000_000
    na = (1000 + splitmix(1, n) % np.uint64(100000)).astype(np.int64)
    nb = (1000 + splitmix(2, n) % np.uint64(100000)).astype(np.int64)
    sa = np.maximum(0, na // 20 + (splitmix(3, n) % np.uint64(201)).astype(np.int64) - 100)
    sb = np.maximum(0, nb // 20 + (splitmix(4, n) % np.uint64(201)).astype(np.int64) - 100)

    def run():
        pa, pb = sa / na, sb / nb
        pooled = (sa + sb) / (na + nb)
        se = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        z = (pb - pa) / se
        return z, 2 * stats.norm.sf(np.abs(z))
    return median_time(run, 7, clock)


def scipy_fisher():
    cells = (1 + splitmix(5, 800) % np.uint64(200)).astype(np.int64).reshape(200, 2, 2).tolist()

    def run():
        for t in cells:
            stats.fisher_exact(t)
    return median_time(run, 5) / 200


def scipy_mwu(na):
    a = (splitmix(6, na) % np.uint64(1000000)).astype(np.float64) / 1e4
    b = (splitmix(7, na + 10) % np.uint64(1000000)).astype(np.float64) / 1e4
    reps = 200

    def run():
        for _ in range(reps):
            stats.mannwhitneyu(b, a)
    return median_time(run, 5) / reps


def patron_times():
    out = subprocess.run([BENCH, "--benchmark_format=json", "--benchmark_repetitions=5",
                          "--benchmark_report_aggregates_only=true"],
                         check=True, capture_output=True, text=True).stdout
    result = {}
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            result[b["run_name"]] = b["cpu_time"] * scale[b["time_unit"]]
            result[b["run_name"] + " wall"] = b["real_time"] * scale[b["time_unit"]]
    return result


def main():
    p = patron_times()
    rows = [("1e6 z-tests (batch)", p["z_test_batch"], scipy_z_tests()),
            ("Fisher exact, per call", p["fisher_exact"], scipy_fisher()),
            ("Mann-Whitney 6 vs 16 (exact), per call", p["mann_whitney/6"], scipy_mwu(6)),
            ("Mann-Whitney 50 vs 60 (asymptotic), per call", p["mann_whitney/50"], scipy_mwu(50))]
    print(f"{'workload (CPU time)':46s} {'patron':>12s} {'scipy':>12s} {'ratio':>8s}")
    for name, ours, theirs in rows:
        print(f"{name:46s} {ours * 1e3:10.4f}ms {theirs * 1e3:10.4f}ms {theirs / ours:7.1f}x")
    # 2 threads: wall-clock time against numpy's (single-threaded) wall-clock time, and
    # the CPU time of both threads. Wall time is only meaningful on an idle machine.
    wall_numpy = scipy_z_tests(time.perf_counter)
    ours = p["z_test_batch_threads/2/process_time/real_time wall"]
    print(f"{'1e6 z-tests, 2 threads, wall':46s} {ours * 1e3:10.4f}ms {wall_numpy * 1e3:10.4f}ms "
          f"{wall_numpy / ours:7.1f}x")
    ours_cpu = p["z_test_batch_threads/2/process_time/real_time"]
    print(f"{'1e6 z-tests, 2 threads, CPU of both threads':46s} {ours_cpu * 1e3:10.4f}ms")


if __name__ == "__main__":
    main()
