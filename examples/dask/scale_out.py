"""patron on Dask: customer summaries, BG/NBD + CLV and A/B tests, partition by partition.

The transaction log never sits on one machine. Each Dask task generates (or, in a real
deployment, reads) one partition of the log and splits it by customer bucket
(customer id modulo `buckets`); the reducer for bucket b merges the pieces of every
partition with patron's mergeable accumulators and summarises its customers. Buckets
hold disjoint customers, so the concatenated bucket summaries are exactly the
single-machine summary (patron's accumulators sum in a canonical order, whatever the
arrival order). Then:

  (a) per-customer summaries and RFM tables per bucket (quantile breakpoints computed
      once from all customers' values, then every bucket scored with them);
  (b) every bucket compresses its (x, t_x, T) into weighted patterns; the pattern sets are
      merged (small: at most a few thousand distinct patterns), BG/NBD is fitted once on
      the driver, and every bucket's customers are scored (P(alive), expected purchases)
      with the fitted parameters where they live;
  (c) per-partition moment accumulators of an A/B metric are merged and tested.

The same code runs on a multi-node cluster: pass the scheduler address instead of
starting a LocalCluster (`python3 scale_out.py --scheduler tcp://host:8786`); every worker
needs the patron module importable (docs/scale-out.md).

    PYTHONPATH=build/dev/bindings/python python3 examples/dask/scale_out.py --rows 2000000
"""
import argparse
import time

import numpy as np
import pandas as pd

import patron

SUMMARY_COLUMNS = ("first_purchase", "last_purchase", "transactions", "purchase_periods",
                   "total_spend", "mean_repeat_spend", "x", "t_x", "T")


def customer_profiles(customers, days, seed=2026):
    """The customer population, identical in every task (fixed seed): Pareto/NBD-shaped
    (Schmittlein, Morrison & Colombo 1987) - each customer is born on some day, buys as a
    Poisson process with a gamma-distributed rate while alive, and dies after an
    exponential lifetime."""
    rng = np.random.default_rng(seed)
    birth = np.floor(rng.random(customers) * 0.8 * days)
    rate = rng.gamma(0.7, 1.0, customers)
    end = np.minimum(birth + rng.exponential(0.4 * days, customers), days - 1.0)
    return birth, end, rate * (end - birth + 1.0)


def generate_partition(seed, index, rows, customers, days):
    """One partition of a synthetic transaction log (ids, day numbers, amounts).

    Given how many purchases fall in a window, a Poisson process puts them uniformly in it:
    so rows are independent draws of (customer with probability proportional to rate x
    active length, uniform day in the customer's active window), and partitions can be
    generated independently and still describe one consistent population."""
    birth, end, activity = customer_profiles(customers, days)
    rng = np.random.default_rng([seed, index])
    cumulative = np.cumsum(activity)
    ids = np.searchsorted(cumulative, rng.random(rows) * cumulative[-1], side="right").astype(np.int64)
    times = birth[ids] + np.floor(rng.random(rows) * (end[ids] - birth[ids] + 1.0))
    amounts = np.round(rng.gamma(2.0, 15.0, rows) + (ids % 7), 2)
    return ids, times, amounts


def split_by_bucket(partition, buckets):
    """The rows of one partition grouped by customer bucket: a list of `buckets` pieces."""
    if not 0 < buckets <= 65536:
        raise ValueError(f"buckets must be in 1..65536, got {buckets}")
    ids, times, amounts = partition
    # A 16-bit key makes numpy's stable argsort a radix sort: linear in the rows.
    key = (ids % buckets).astype(np.uint16)
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(buckets + 1))
    return [(ids[order[lo:hi]], times[order[lo:hi]], amounts[order[lo:hi]])
            for lo, hi in zip(bounds[:-1], bounds[1:])]


def summarize_bucket(pieces, observation_end):
    """Merges one bucket's pieces from every partition and summarises its customers."""
    merged = patron.transactions.TransactionAccumulator()
    for ids, times, amounts in pieces:
        shard = patron.transactions.TransactionAccumulator()
        shard.add(ids, times, amounts)
        merged.merge(shard)
    summary = merged.summarize(observation_end=observation_end)
    frame = pd.DataFrame({column: getattr(summary, column) for column in SUMMARY_COLUMNS})
    frame.insert(0, "customer", summary.customer)
    return frame


def latest_time(partition):
    return float(partition[1].max())


def customer_summaries(client, partitions, buckets):
    """(a) One summary row per customer, from partitions that live on the workers."""
    split = client.map(split_by_bucket, partitions, buckets=buckets, pure=False)
    observation_end = max(client.gather(client.map(latest_time, partitions)))
    pieces = [client.submit(lambda parts, b=b: [p[b] for p in parts], split, pure=False)
              for b in range(buckets)]
    frames = client.map(summarize_bucket, pieces, observation_end=observation_end, pure=False)
    return frames, observation_end


WEEK = 7.0  # the summaries are in days; the BTYD models are fitted in weeks


def modelled(frame):
    """Customers the BTYD models apply to: first seen before the end of the data (T > 0);
    those first seen on the last day carry no information about their rate yet."""
    return frame[frame["T"] > 0]


def bucket_patterns(frame):
    """(b) A bucket's customers compressed to weighted (x, t_x, T) patterns, in weeks."""
    frame = modelled(frame)
    patterns = patron.clv.BtydPatternAccumulator()
    patterns.add(frame.x.to_numpy(), frame.t_x.to_numpy() / WEEK, frame["T"].to_numpy() / WEEK)
    return patterns


def merge_patterns(accumulators):
    merged = patron.clv.BtydPatternAccumulator()
    for accumulator in accumulators:
        merged.merge(accumulator)
    return merged.patterns()


def repeat_spend(frame):
    """(b) What Gamma-Gamma needs: x and mean repeat spend of the repeat customers."""
    repeat = modelled(frame)
    repeat = repeat[repeat.x > 0]
    return repeat.customer.to_numpy(), repeat.x.to_numpy(), repeat.mean_repeat_spend.to_numpy()


def score_bucket(frame, transactions, spend, horizon_weeks):
    """(b) Every (modelled) customer of a bucket scored where the bucket lives."""
    frame = modelled(frame)
    x, t_x, T = frame.x.to_numpy(), frame.t_x.to_numpy() / WEEK, frame["T"].to_numpy() / WEEK
    zbar = frame.mean_repeat_spend.to_numpy()
    return pd.DataFrame({
        "customer": frame.customer.to_numpy(),
        "p_alive": transactions.probability_alive(x, t_x, T),
        "expected_purchases": transactions.conditional_expected_purchases(horizon_weeks, x, t_x, T),
        "clv": patron.clv.customer_lifetime_value(transactions, spend, x, t_x, T, zbar, periods=12,
                                                  period_length=52.0 / 12.0, discount_rate=0.01),
    })


def fit_and_score(client, frames, horizon_weeks=52.0):
    """(b) BG/NBD fitted once on the merged patterns, Gamma-Gamma on the repeat customers'
    (x, zbar), then every bucket scored with both models on its worker."""
    patterns = client.submit(merge_patterns, client.map(bucket_patterns, frames, pure=False),
                             pure=False).result()
    transactions = patron.clv.fit_bgnbd(patterns.x, patterns.t_x, patterns.T, weights=patterns.weight)
    pieces = client.gather(client.map(repeat_spend, frames, pure=False))
    # In customer order, so the likelihood sums in the same order as on one machine.
    order = np.argsort(np.concatenate([p[0] for p in pieces]), kind="stable")
    spend = patron.clv.fit_gamma_gamma(np.concatenate([p[1] for p in pieces])[order],
                                       np.concatenate([p[2] for p in pieces])[order])
    scores = client.map(score_bucket, frames, transactions=transactions, spend=spend,
                        horizon_weeks=horizon_weeks, pure=False)
    return transactions, spend, patterns, scores


def variant_moments(partition):
    """(c) Per-partition moment accumulators of the metric (amount) for variants A and B.

    Variant assignment is by customer (even ids see A, odd ids see B), as an experiment
    platform would hash users."""
    ids, _, amounts = partition
    out = []
    for variant in (0, 1):
        accumulator = patron.abtest.MomentAccumulator()
        accumulator.add(amounts[ids % 2 == variant])
        out.append(accumulator)
    return out


def merge_moments(per_partition):
    """Merges the partitions' accumulators (Chan's parallel update) in partition order."""
    a, b = patron.abtest.MomentAccumulator(), patron.abtest.MomentAccumulator()
    for part_a, part_b in per_partition:
        a.merge(part_a)
        b.merge(part_b)
    return a, b


def ab_test(client, partitions):
    """(c) Welch t-test of B vs A from moments merged on a worker: only two small
    accumulators reach the driver."""
    moments = client.map(variant_moments, partitions, pure=False)
    a, b = client.submit(merge_moments, moments, pure=False).result()
    return patron.abtest.t_test_from_summary(a.summary(), b.summary()), a, b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--buckets", type=int, default=4)
    parser.add_argument("--scheduler", help="address of a running Dask scheduler")
    args = parser.parse_args()

    from distributed import Client, LocalCluster
    cluster = None if args.scheduler else LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    client = Client(args.scheduler or cluster)
    rows = args.rows // args.partitions
    partitions = client.map(generate_partition, [20261126] * args.partitions,
                            range(args.partitions), rows=rows, customers=args.customers, days=546)
    start = time.perf_counter()
    frames, _ = customer_summaries(client, partitions, args.buckets)
    summary = pd.concat(client.gather(frames)).sort_values("customer", ignore_index=True)
    print(f"(a) {len(summary)} customer summaries in {time.perf_counter() - start:.2f} s")
    print(summary.head())

    start = time.perf_counter()
    transactions, spend, patterns, scores = fit_and_score(client, frames)
    top = pd.concat(client.gather(scores)).nlargest(10, "clv")
    p = transactions.parameters
    print(f"(b) BG/NBD on {len(patterns)} patterns: r={p.r:.4f} alpha={p.alpha:.4f} a={p.a:.4f} "
          f"b={p.b:.4f}; every customer scored in {time.perf_counter() - start:.2f} s")
    print(top.to_string(index=False))

    start = time.perf_counter()
    result, a, b = ab_test(client, partitions)
    print(f"(c) A/B: n = {a.count:.0f} / {b.count:.0f}, means {a.mean:.4f} / {b.mean:.4f}, "
          f"Welch t = {result.statistic:.3f}, p = {result.p_value:.4g} "
          f"in {time.perf_counter() - start:.2f} s")
    client.close()
    if cluster is not None:
        cluster.close()


if __name__ == "__main__":
    main()
