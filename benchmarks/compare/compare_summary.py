#!/usr/bin/python3
"""patron vs pandas: transaction log -> per-customer summary, same data, one run.

Generates 5,000,000 transactions of 500,000 customers (seeded), writes them to a
binary file, times pandas groupby computing the same columns as
patron::summarize_transactions (first/last purchase, transactions, total and mean
spend, same-day merged purchase periods, mean repeat spend, BTYD x, t_x, T in weeks),
then runs patron's benchmark binary on the same file. CSV parsing is excluded on both
sides. Prints medians and the ratio.

usage: benchmarks/compare/compare_summary.py [build/bench/benchmarks/bench_transactions]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

N, CUSTOMERS, REPEATS = 5_000_000, 500_000, 5
CUTOFF = 545.0


def generate():
    rng = np.random.default_rng(2026)
    ids = rng.integers(0, CUSTOMERS, N, dtype=np.int64)
    days = rng.integers(0, 546, N).astype(np.float64)
    amounts = rng.integers(0, 20000, N).astype(np.float64) / 100.0
    return ids, days, amounts


def pandas_summary(df):
    g = df.groupby("customer", sort=True)
    base = g.agg(first=("time", "min"), last=("time", "max"),
                 transactions=("time", "size"), total=("amount", "sum"))
    base["mean_spend"] = base["total"] / base["transactions"]
    daily = df.groupby(["customer", "time"], sort=True)["amount"].sum().reset_index()
    per = daily.groupby("customer", sort=True)["amount"]
    periods = per.size()
    first_spend = per.first()
    x = periods - 1
    base["x"] = x
    base["mean_repeat_spend"] = np.where(x > 0, (per.sum() - first_spend) / x.where(x > 0, 1), 0.0)
    base["t_x"] = (base["last"] - base["first"]) / 7.0
    base["T"] = (CUTOFF - base["first"]) / 7.0
    return base


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bench/benchmarks/bench_transactions"
    ids, days, amounts = generate()
    df = pd.DataFrame({"customer": ids, "time": days, "amount": amounts})
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = pandas_summary(df)
        times.append(time.perf_counter() - start)
    pandas_ms = 1000 * float(np.median(times))

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "log.bin")
        with open(path, "wb") as f:
            f.write(np.int64(N).tobytes())
            f.write(ids.tobytes())
            f.write(days.tobytes())
            f.write(amounts.tobytes())
        out = subprocess.run(
            [binary, "--benchmark_filter=summarize_5m", "--benchmark_repetitions=%d" % REPEATS,
             "--benchmark_format=json"],
            env=dict(os.environ, PATRON_BENCH_DATA=path), check=True, capture_output=True, text=True)
    runs = [b for b in json.loads(out.stdout)["benchmarks"] if b.get("run_type") == "iteration"]
    patron_ms = float(np.median([b["real_time"] for b in runs]))

    print(f"customers: {len(result)}  transactions: {N}")
    print(f"pandas groupby summary : {pandas_ms:9.1f} ms (median of {REPEATS})")
    print(f"patron summarize       : {patron_ms:9.1f} ms (median of {REPEATS})")
    print(f"ratio pandas / patron  : {pandas_ms / patron_ms:9.1f}x")


if __name__ == "__main__":
    main()
