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

import patron

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "dask"))
import scale_out  # noqa: E402


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

    t_pandas = median_seconds(lambda: pandas_summary(frame, observation_end), args.repeats)
    t_inproc = median_seconds(
        lambda: patron.transactions.summarize_transactions(ids, times, amounts), args.repeats)
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        futures = client.scatter(parts)

        def distributed_summary():
            frames, _ = scale_out.customer_summaries(client, futures, args.buckets)
            return client.gather(frames)

        t_dask = median_seconds(distributed_summary, args.repeats)
    print("(a) per-customer summary")
    print(f"    pandas groupby, 1 process        : {t_pandas * 1e3:9.1f} ms")
    print(f"    patron in-process (binding)      : {t_inproc * 1e3:9.1f} ms  ({t_pandas / t_inproc:.1f}x)")
    print(f"    patron on Dask, 2 workers        : {t_dask * 1e3:9.1f} ms  ({t_pandas / t_dask:.1f}x)")


if __name__ == "__main__":
    main()
