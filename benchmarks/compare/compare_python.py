#!/usr/bin/python3
"""The Python module's call overhead, and the Dask scale-out against pandas/scipy.

1. Call overhead: median time of tiny calls through the binding (a 1-row summary; the
   same call on 10^5 rows, where the overhead is amortised), so a wrapper author knows
   what a call costs.
2. The three steps of examples/dask/scale_out.py on generated transactions (default
   20,000,000), on a LocalCluster of 2 single-threaded worker processes, against the
   single-process pandas equivalent on the same data:
   (a) per-customer summary: pandas groupby vs patron buckets on Dask (and patron in-process);
   (b) BG/NBD on compressed patterns + scoring (patron) vs the scipy fit of the same
       likelihood on the same patterns (benchmarks/compare/compare_clv.py's reference);
   (c) A/B moments: pandas groupby mean/var + scipy ttest_ind_from_stats vs patron's
       mergeable moment accumulators.

    PYTHONPATH=build/bench/bindings/python /usr/bin/python3 benchmarks/compare/compare_python.py
"""
import argparse
import pathlib
import statistics
import sys
import time

import numpy as np
import pandas as pd

import scipy.optimize
import scipy.special
import scipy.stats

import patron

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "dask"))
import scale_out  # noqa: E402
sys.path.insert(0, str(ROOT / "benchmarks" / "compare"))
from compare_clv import bgnbd_nll  # noqa: E402  (the scipy reference likelihood)


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def call_overhead():
    one = (np.array([1], dtype=np.int64), np.array([0.0]), np.array([1.0]))
    rng = np.random.default_rng(1)
    many = (rng.integers(0, 10_000, 100_000).astype(np.int64),
            rng.integers(0, 365, 100_000).astype(np.float64), rng.random(100_000))
    calls = 20_000
    per_call = median_seconds(
        lambda: [patron.transactions.summarize_transactions(*one) for _ in range(calls)], 5) / calls
    bulk = median_seconds(lambda: patron.transactions.summarize_transactions(*many), 7)
    print(f"call overhead: summarize_transactions on 1 row: {per_call * 1e6:.2f} us per call")
    print(f"               on 100,000 rows: {bulk * 1e3:.2f} ms ({bulk / 1e5 * 1e9:.1f} ns per row)")


def pandas_summary(frame, observation_end):
    grouped = frame.groupby("customer", sort=True)
    out = grouped.agg(first=("time", "min"), last=("time", "max"), transactions=("time", "size"),
                      total=("amount", "sum"), periods=("time", "nunique"))
    out["x"] = out.periods - 1
    out["t_x"] = out["last"] - out["first"]
    out["T"] = observation_end - out["first"]
    return out


def peer_bgnbd(summary):
    """(b) with numpy/scipy: compress (x, t_x, T) with np.unique, fit BG/NBD by L-BFGS-B on
    the patterns, then P(alive) and E[Y(52) | x, t_x, T] for every customer (hyp2f1)."""
    s = summary[summary["T"] > 0]
    x, t_x, T = s.x.to_numpy(float), s.t_x.to_numpy(float) / 7.0, s["T"].to_numpy(float) / 7.0
    patterns, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    fit = scipy.optimize.minimize(bgnbd_nll, np.zeros(4), method="L-BFGS-B",
                                  args=(patterns[:, 0], patterns[:, 1], patterns[:, 2], counts.astype(float)))
    r, alpha, a, b = np.exp(fit.x)
    log_dead = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * np.log((alpha + T) / (alpha + t_x))
    p_alive = np.where(x > 0, 1.0 / (1.0 + np.exp(log_dead)), 1.0)
    t = 52.0
    hyp = scipy.special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    expected = ((a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
                * p_alive)
    return p_alive, expected


def peer_ab(frame):
    """(c) with pandas/scipy: per-variant count, mean, variance, then Welch's t-test."""
    stats = frame.amount.groupby(frame.customer % 2).agg(["count", "mean", "var"])
    return scipy.stats.ttest_ind_from_stats(stats.loc[1, "mean"], np.sqrt(stats.loc[1, "var"]), stats.loc[1, "count"],
                                            stats.loc[0, "mean"], np.sqrt(stats.loc[0, "var"]), stats.loc[0, "count"],
                                            equal_var=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--buckets", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    call_overhead()

    from distributed import Client, LocalCluster
    rows = args.rows // args.partitions
    parts = [scale_out.generate_partition(20261126, i, rows, args.customers, 546)
             for i in range(args.partitions)]
    ids, times, amounts = (np.concatenate([p[k] for p in parts]) for k in range(3))
    frame = pd.DataFrame({"customer": ids, "time": times, "amount": amounts})
    observation_end = float(times.max())
    print(f"\n{len(ids):,} transactions, {args.customers:,} customers, {args.partitions} partitions")

    summary = pandas_summary(frame, observation_end)
    t_pandas = median_seconds(lambda: pandas_summary(frame, observation_end), args.repeats)
    t_inproc = median_seconds(
        lambda: patron.transactions.summarize_transactions(ids, times, amounts), args.repeats)
    t_peer_b = median_seconds(lambda: peer_bgnbd(summary), args.repeats)
    t_peer_c = median_seconds(lambda: peer_ab(frame), args.repeats)
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        futures = client.scatter(parts)
        frames = []

        def distributed_summary():
            frames[:] = scale_out.customer_summaries(client, futures, args.buckets)[0]
            client.gather(frames)

        def distributed_clv():
            _, _, _, scores = scale_out.fit_and_score(client, frames)
            client.gather(scores)

        t_dask = median_seconds(distributed_summary, args.repeats)
        t_dask_b = median_seconds(distributed_clv, args.repeats)
        t_dask_c = median_seconds(lambda: scale_out.ab_test(client, futures), args.repeats)
    print(f"medians of {args.repeats}; Dask: LocalCluster, 2 worker processes x 1 thread, data already on the workers")
    print("(a) per-customer summary")
    print(f"    pandas groupby, 1 process        : {t_pandas * 1e3:9.1f} ms")
    print(f"    patron in-process (binding)      : {t_inproc * 1e3:9.1f} ms  ({t_pandas / t_inproc:.1f}x)")
    print(f"    patron on Dask, 2 workers        : {t_dask * 1e3:9.1f} ms  ({t_pandas / t_dask:.1f}x)")
    print("(b) BG/NBD on compressed patterns + scoring every customer")
    print(f"    numpy/scipy (unique, L-BFGS-B, P(alive), E[Y]) : {t_peer_b * 1e3:9.1f} ms")
    print(f"    patron on Dask (+ Gamma-Gamma and CLV)         : {t_dask_b * 1e3:9.1f} ms  ({t_peer_b / t_dask_b:.1f}x)")
    print("(c) A/B moments + Welch t-test")
    print(f"    pandas groupby + scipy           : {t_peer_c * 1e3:9.1f} ms")
    print(f"    patron accumulators on Dask      : {t_dask_c * 1e3:9.1f} ms  ({t_peer_c / t_dask_c:.1f}x)")


if __name__ == "__main__":
    main()
