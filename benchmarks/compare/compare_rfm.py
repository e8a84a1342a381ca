#!/usr/bin/python3
"""patron vs pandas: RFM table + quintile scores + R rfm 0.3.0 segments on the same
5,000,000 transactions by 500,000 customers, in one run.

    cmake --preset bench && cmake --build --preset bench --target bench_rfm
    /usr/bin/python3 benchmarks/compare/compare_rfm.py [--bench build/bench/benchmarks/bench_rfm]
        [--rows 5000000] [--customers 500000] [--repetitions 5] [--rounds 5] [--threads 1]
        [--tuned-malloc]

The data are generated once with numpy and written to a temporary binary file that
bench_rfm reads (PATRON_RFM_BENCH_DATA); CSV parsing is excluded on both sides. Each
side runs in its own process so that its peak resident memory (ru_maxrss, which
includes the input arrays) can be reported. Times are medians of the repetitions, wall
and CPU (the machine is shared with other jobs, so medians, and CPU time as the steadier
figure). --threads sets patron's rfm_options::threads for the pass over the rows (1 or
2, the arguments bench_rfm registers); pandas runs on one thread.

Both sides are timed warm: pandas' median call comes after its first, and each patron
repetition runs for at least a second (--benchmark_min_time=1). The machine's speed
drifts by 20-30% over minutes (a shared VM), so the two sides alternate: each round runs
patron then pandas, the ratio is taken within the round, and the median of the rounds'
ratios is reported with their range.

A sizeable share of both sides' time is page faults on fresh output memory (patron
writes about 34 MB of columns per call for 500,000 customers), and how often glibc
hands out fresh pages depends on the process's history (its dynamic mmap and trim
thresholds). --tuned-malloc runs BOTH processes with the same GLIBC_TUNABLES (large
blocks kept in the heap, no trimming), which takes that noise out; the default is the
allocator as each process finds it.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

PANDAS_PEER = r'''
import sys, time, json, resource
import numpy as np, pandas as pd
path, reps = sys.argv[1], int(sys.argv[2])
with open(path, "rb") as f:
    n = int(np.fromfile(f, dtype="<i8", count=1)[0])
    ids = np.fromfile(f, dtype="<i8", count=n)
    days = np.fromfile(f, dtype="<f8", count=n)
    amounts = np.fromfile(f, dtype="<f8", count=n)
df = pd.DataFrame({"customer": ids, "day": days, "amount": amounts})
as_of = 730.0
# R rfm 0.3.0 ranges (include/patron/rfm/segment_tables.hpp), first match wins = np.select.
RULES = [("Champions", 5, 5, 5, 5, 5, 5), ("Potential Loyalist", 3, 5, 3, 5, 2, 5),
         ("Loyal Customers", 2, 4, 2, 4, 2, 4), ("Promising", 3, 4, 1, 3, 3, 5),
         ("New Customers", 4, 5, 1, 3, 1, 5), ("Can't Lose Them", 1, 2, 3, 4, 4, 5),
         ("At Risk", 1, 2, 2, 5, 4, 5), ("Need Attention", 1, 3, 3, 5, 3, 5),
         ("About To Sleep", 2, 3, 1, 3, 1, 4), ("Lost", 1, 1, 1, 5, 1, 5)]

def run():
    g = df.groupby("customer")
    rfm = g.agg(last=("day", "max"), frequency=("day", "size"), monetary=("amount", "sum"))
    rfm["recency"] = as_of - rfm["last"]
    r = 5 - pd.qcut(rfm["recency"], 5, labels=False, duplicates="drop").to_numpy()
    f = 1 + pd.qcut(rfm["frequency"], 5, labels=False, duplicates="drop").to_numpy()
    m = 1 + pd.qcut(rfm["monetary"], 5, labels=False, duplicates="drop").to_numpy()
    conds = [(r >= a) & (r <= b) & (f >= c) & (f <= d) & (m >= e) & (m <= h)
             for _, a, b, c, d, e, h in RULES]
    seg = np.select(conds, [name for name, *_ in RULES], default="Others")
    return len(seg)

times, cpu = [], []
for _ in range(reps):
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
print(json.dumps({"times": times, "cpu": cpu,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", default="build/bench/benchmarks/bench_rfm")
    p.add_argument("--rows", type=int, default=5_000_000)
    p.add_argument("--customers", type=int, default=500_000)
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--rounds", type=int, default=5,
                   help="patron then pandas, this many times; the ratio is taken per round")
    p.add_argument("--threads", type=int, default=1, choices=[1, 2])
    p.add_argument("--tuned-malloc", action="store_true",
                   help="the same GLIBC_TUNABLES for both processes (see above)")
    a = p.parse_args()
    tunables = ({"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=33554432:"
                                   "glibc.malloc.trim_threshold=268435456"}
                if a.tuned_malloc else {})

    rng = np.random.default_rng(2026)
    ids = rng.integers(1, a.customers + 1, a.rows).astype("<i8")
    days = rng.integers(0, 730, a.rows).astype("<f8")
    amounts = np.round(rng.gamma(2.0, 25.0, a.rows), 2).astype("<f8")
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
        path = f.name
        np.array([a.rows], dtype="<i8").tofile(f)
        ids.tofile(f)
        days.tofile(f)
        amounts.tofile(f)
    rounds = []
    try:
        env = dict(os.environ, PATRON_RFM_BENCH_DATA=path, **tunables)
        for r in range(a.rounds):
            out = subprocess.run(
                [a.bench, f"--benchmark_filter=rfm_pipeline/{a.threads}/",
                 f"--benchmark_repetitions={a.repetitions}", "--benchmark_min_time=1",
                 "--benchmark_format=json",
                 "--benchmark_report_aggregates_only=true"],
                env=env, check=True, capture_output=True, text=True).stdout
            if r == 0:  # before pandas has run: the children's peak is patron's
                patron_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            report = json.loads(out)
            median = next(b for b in report["benchmarks"] if b.get("aggregate_name") == "median")
            peer = subprocess.run([sys.executable, "-c", PANDAS_PEER, path, str(a.repetitions)],
                                  env=dict(os.environ, **tunables),
                                  check=True, capture_output=True, text=True).stdout
            pandas = json.loads(peer)
            rounds.append({"patron": median["real_time"], "patron_cpu": median["cpu_time"],
                           "pandas": 1000.0 * float(np.median(pandas["times"])),
                           "pandas_cpu": 1000.0 * float(np.median(pandas["cpu"])),
                           "pandas_rss": pandas["maxrss_kib"]})
    finally:
        os.unlink(path)

    import pandas as pd
    print(f"data: {a.rows:,} transactions, {a.customers:,} customers; {a.rounds} rounds, each "
          f"patron then pandas, median of {a.repetitions} runs each; patron threads {a.threads}; "
          f"pandas {pd.__version__}, numpy {np.__version__}; "
          f"allocator {'tuned (GLIBC_TUNABLES, both)' if a.tuned_malloc else 'as found'}")
    print(f"{'round':>5s} {'patron wall':>12s} {'CPU':>9s} {'pandas wall':>12s} {'CPU':>9s}"
          f" {'ratio wall':>11s} {'CPU':>6s}")
    for r, x in enumerate(rounds, 1):
        print(f"{r:5d} {x['patron']:9.1f} ms {x['patron_cpu']:6.1f} ms {x['pandas']:9.1f} ms"
              f" {x['pandas_cpu']:6.1f} ms {x['pandas'] / x['patron']:10.1f}x"
              f" {x['pandas_cpu'] / x['patron_cpu']:5.1f}x")
    med = {k: float(np.median([x[k] for x in rounds])) for k in rounds[0]}
    wall = sorted(x["pandas"] / x["patron"] for x in rounds)
    cpu = sorted(x["pandas_cpu"] / x["patron_cpu"] for x in rounds)
    print(f"median  patron {med['patron']:.1f} ms wall / {med['patron_cpu']:.1f} ms CPU, "
          f"pandas {med['pandas']:.1f} ms wall / {med['pandas_cpu']:.1f} ms CPU")
    print(f"peak RSS (incl. input): patron {patron_rss / 1024:.0f} MiB, "
          f"pandas {med['pandas_rss'] / 1024:.0f} MiB")
    print(f"ratio   pandas / patron, median of the rounds' ratios: "
          f"{float(np.median(wall)):.1f}x wall (range {wall[0]:.1f}-{wall[-1]:.1f}), "
          f"{float(np.median(cpu)):.1f}x CPU (range {cpu[0]:.1f}-{cpu[-1]:.1f})")

if __name__ == "__main__":
    main()
