#!/usr/bin/python3
"""patron k-means vs scikit-learn KMeans on the same data, in one run.

    cmake --preset bench && cmake --build --preset bench -j2 --target bench_kmeans
    /usr/bin/python3 benchmarks/compare/compare_kmeans.py [--repetitions 5]

Data: 1,000,000 x 8 float64, eight overlapping gaussian blobs (numpy RandomState(42)),
k = 8, both libraries started from the same initial centres (the first 8 rows).
Measured, each as the median of --repetitions runs, on 1 and 2 threads (scikit-learn's
OpenMP threads limited with threadpoolctl, patron's with options.threads):
  - per Lloyd iteration: (time of a fit with 12 iterations - time with 2) / 10, tol = 0
    (so both run exactly that many iterations; checked for scikit-learn),
  - the full fit from the given centres with tol = 1e-4 (iterations and inertia printed,
    to show both reach the same fixed point),
  - greedy k-means++ seeding (sklearn.cluster.kmeans_plusplus vs patron::kmeans_plus_plus),
  - predict on X with the initial centres as the model (1 thread; both check X first),
  - fraction of the memory-bandwidth floor: time to read X once (patron's read_bandwidth
    benchmark, a vectorised sum of the 64 MB) / patron's per-iteration time.
The machine is shared: medians, not means; process CPU times are printed beside the
wall-clock ones because they suffer less from other users' load.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans, kmeans_plusplus
from threadpoolctl import threadpool_limits

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
N, D, K = 1_000_000, 8, 8


def make_data():
    rng = np.random.RandomState(42)
    X = rng.normal(size=(N, D))
    idx = np.arange(N)
    X[idx, idx % D] += 1.5 * (idx % K)
    return X, X[:K].copy()


CPU = {}  # measure -> median process CPU time (ms) of the last median_time call per key


def median_time(fn, repetitions, key=None):
    times, cpu = [], []
    result = None
    for _ in range(repetitions):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if key:
        CPU[key] = statistics.median(cpu) * 1e3
    return statistics.median(times) * 1e3, result


def sklearn_times(X, init, threads, repetitions):
    out = {}
    with threadpool_limits(limits=threads):
        def lloyd(iters):
            return KMeans(n_clusters=K, init=init, n_init=1, tol=0.0, max_iter=iters,
                          algorithm="lloyd").fit(X)
        t2, m2 = median_time(lambda: lloyd(2), repetitions, (threads, 2))
        t12, m12 = median_time(lambda: lloyd(12), repetitions, (threads, 12))
        if m2.n_iter_ != 2 or m12.n_iter_ != 12:
            print(f"warning: scikit-learn ran {m2.n_iter_} / {m12.n_iter_} iterations", file=sys.stderr)
        out["per_iteration"] = (t12 - t2) / 10
        out["per_iteration_cpu"] = (CPU[(threads, 12)] - CPU[(threads, 2)]) / 10
        t, m = median_time(lambda: KMeans(n_clusters=K, init=init, n_init=1, tol=1e-4,
                                          algorithm="lloyd").fit(X), repetitions)
        out["fit"], out["fit_iterations"], out["fit_inertia"] = t, m.n_iter_, m.inertia_
        out["plus_plus"], _ = median_time(lambda: kmeans_plusplus(X, K, random_state=0), repetitions)
        if threads == 1:
            model = KMeans(n_clusters=K, init=init, n_init=1, max_iter=1).fit(X)
            model.cluster_centers_ = init.copy()
            out["predict"], _ = median_time(lambda: model.predict(X), repetitions, "predict")
            out["predict_cpu"] = CPU["predict"]
    return out


def patron_times(binary, data_file, repetitions):
    env = dict(os.environ, PATRON_KMEANS_DATA=data_file)
    proc = subprocess.run([binary, f"--benchmark_repetitions={repetitions}",
                           "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
                          env=env, check=True, capture_output=True, text=True)
    medians = {}
    for b in json.loads(proc.stdout)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            medians[b["run_name"]] = b
    ms = lambda name: medians[name]["real_time"]  # Unit is milliseconds
    out = {}
    for threads in (1, 2):
        per = (ms(f"kmeans_lloyd/{threads}/12/real_time") - ms(f"kmeans_lloyd/{threads}/2/real_time")) / 10
        cpu = lambda name: medians[name]["cpu_time"]
        per_cpu = (cpu(f"kmeans_lloyd/{threads}/12/real_time") - cpu(f"kmeans_lloyd/{threads}/2/real_time")) / 10
        fit = medians[f"kmeans_fit/{threads}/real_time"]
        out[threads] = {
            "per_iteration": per,
            "per_iteration_cpu": per_cpu,
            "fit": fit["real_time"],
            "fit_iterations": int(fit["fit_iterations"]),
            "fit_inertia": fit["fit_inertia"],
            "plus_plus": ms(f"kmeans_plus_plus/{threads}/real_time"),
            # binaries before the float screen name it without the /screen argument
            "assign_pass": ms(next(n for n in (f"kmeans_assign_pass/{threads}/1/real_time",
                                               f"kmeans_assign_pass/{threads}/real_time") if n in medians)),
        }
    if "kmeans_predict/real_time" in medians:  # binaries before this benchmark lack it
        out[1]["predict"] = ms("kmeans_predict/real_time")
        out[1]["predict_cpu"] = medians["kmeans_predict/real_time"]["cpu_time"]
    if "kmeans_assign_pass/1/0/real_time" in medians:
        out[1]["assign_pass_double_only"] = ms("kmeans_assign_pass/1/0/real_time")
    out["read"] = ms("read_bandwidth/real_time")
    out["read_cpu"] = medians["read_bandwidth/real_time"]["cpu_time"]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "bench", "benchmarks", "bench_kmeans"))
    args = parser.parse_args()
    X, init = make_data()
    with tempfile.TemporaryDirectory() as tmp:
        data_file = os.path.join(tmp, "kmeans.f64")
        with open(data_file, "wb") as f:
            np.array([N, D, K], dtype="<f8").tofile(f)
            np.ascontiguousarray(X, dtype="<f8").tofile(f)
            np.ascontiguousarray(init, dtype="<f8").tofile(f)
        patron = patron_times(args.binary, data_file, args.repetitions)
    print(f"k-means, {N} x {D} float64, k = {K}, same initial centres; medians of "
          f"{args.repetitions} runs (ms); scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    floor = patron["read"]
    print(f"memory-bandwidth floor (one read of X, {X.nbytes / 1e6:.0f} MB): {floor:.2f} ms "
          f"= {X.nbytes / floor / 1e6:.1f} GB/s")
    header = f"{'measure':<34}{'threads':>8}{'patron':>10}{'sklearn':>10}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for threads in (1, 2):
        sk = sklearn_times(X, init, threads, args.repetitions)
        p = patron[threads]
        for label, key in (("per Lloyd iteration", "per_iteration"), ("full fit (tol 1e-4)", "fit"),
                           ("k-means++ init", "plus_plus")):
            print(f"{label:<34}{threads:>8}{p[key]:>10.2f}{sk[key]:>10.2f}{sk[key] / p[key]:>7.1f}x")
        print(f"  full fit: patron {p['fit_iterations']} iterations, inertia {p['fit_inertia']:.10g}; "
              f"sklearn {sk['fit_iterations']} iterations, inertia {sk['fit_inertia']:.10g}")
        if threads == 1:  # Google Benchmark's cpu_time counts the main thread only
            print(f"  per Lloyd iteration, CPU time: patron {p['per_iteration_cpu']:.2f} ms, "
                  f"sklearn {sk['per_iteration_cpu']:.2f} ms "
                  f"({sk['per_iteration_cpu'] / p['per_iteration_cpu']:.1f}x); floor by CPU time "
                  f"{patron['read_cpu']:.2f} ms ({100 * patron['read_cpu'] / p['per_iteration_cpu']:.0f}% reached)")
        if "predict" in p and "predict" in sk:
            print(f"{'predict (given centres)':<34}{threads:>8}{p['predict']:>10.2f}{sk['predict']:>10.2f}"
                  f"{sk['predict'] / p['predict']:>7.1f}x")
            print(f"  predict, CPU time: patron {p['predict_cpu']:.2f} ms, sklearn {sk['predict_cpu']:.2f} ms "
                  f"({sk['predict_cpu'] / p['predict_cpu']:.1f}x)")
        if "assign_pass_double_only" in p:
            print(f"  patron assignment pass with double-only scoring (no float screen): "
                  f"{p['assign_pass_double_only']:.2f} ms")
        print(f"  patron assignment pass {p['assign_pass']:.2f} ms; per iteration reaches "
              f"{100 * floor / p['per_iteration']:.0f}% of the bandwidth floor "
              f"(sklearn {100 * floor / sk['per_iteration']:.0f}%)")


if __name__ == "__main__":
    main()
