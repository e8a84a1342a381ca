"""The Dask scale-out of examples/dask/scale_out.py on a 2-worker LocalCluster on loopback:
every distributed result equals the single-machine result on the same data."""
import pathlib
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.stats

import patron

distributed = pytest.importorskip("distributed")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "examples" / "dask"))
import scale_out  # noqa: E402

PARTITIONS, ROWS, CUSTOMERS, DAYS = 4, 25_000, 5_000, 546


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def partitions(client):
    return client.map(scale_out.generate_partition, [7] * PARTITIONS, range(PARTITIONS),
                      rows=ROWS, customers=CUSTOMERS, days=DAYS)


@pytest.fixture(scope="module")
def whole_log():
    parts = [scale_out.generate_partition(7, i, ROWS, CUSTOMERS, DAYS) for i in range(PARTITIONS)]
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))


def test_the_cluster_has_two_workers_on_loopback(client):
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)


def test_bucketed_summaries_equal_the_single_machine_summary(client, partitions, whole_log):
    frames, observation_end = scale_out.customer_summaries(client, partitions, buckets=3)
    distributed_summary = pd.concat(client.gather(frames)).sort_values("customer", ignore_index=True)
    single = patron.transactions.summarize_transactions(*whole_log)
    assert observation_end == single.observation_end
    np.testing.assert_array_equal(distributed_summary.customer, single.customer)
    for column in scale_out.SUMMARY_COLUMNS:
        # Bitwise: the accumulators sum every customer's rows in a canonical order.
        np.testing.assert_array_equal(distributed_summary[column], getattr(single, column),
                                      err_msg=column)


def test_bgnbd_on_merged_patterns_and_bucket_scores_equal_the_single_machine_ones(
        client, partitions, whole_log):
    frames, _ = scale_out.customer_summaries(client, partitions, buckets=3)
    transactions, spend, patterns, scores = scale_out.fit_and_score(client, frames)
    single = patron.transactions.summarize_transactions(*whole_log)
    keep = single.T > 0  # the example models customers first seen before the last day
    customers = single.customer[keep]
    x, t_x, T = single.x[keep], single.t_x[keep] / scale_out.WEEK, single.T[keep] / scale_out.WEEK
    reference = patron.clv.fit_bgnbd(x, t_x, T)
    # Pattern compression is canonical: the fit on merged shards is the fit on the rows.
    assert patterns.weight.sum() == len(customers)
    assert transactions.parameters.r == reference.parameters.r
    assert transactions.parameters.alpha == reference.parameters.alpha
    assert transactions.parameters.a == reference.parameters.a
    assert transactions.parameters.b == reference.parameters.b
    assert transactions.report.converged
    repeat = x > 0
    spend_reference = patron.clv.fit_gamma_gamma(x[repeat], single.mean_repeat_spend[keep][repeat])
    assert (spend.parameters.p, spend.parameters.q, spend.parameters.gamma) == (
        spend_reference.parameters.p, spend_reference.parameters.q, spend_reference.parameters.gamma)
    scored = pd.concat(client.gather(scores)).sort_values("customer", ignore_index=True)
    np.testing.assert_array_equal(scored.customer, customers)
    np.testing.assert_array_equal(scored.p_alive, reference.probability_alive(x, t_x, T))
    np.testing.assert_array_equal(
        scored.expected_purchases, reference.conditional_expected_purchases(52.0, x, t_x, T))
    assert np.all(np.isfinite(scored.clv)) and np.all(scored.clv >= 0)


def test_merged_ab_moments_give_the_single_machine_welch_test(client, partitions, whole_log):
    result, a, b = scale_out.ab_test(client, partitions)
    ids, _, amounts = whole_log
    in_a, in_b = amounts[ids % 2 == 0], amounts[ids % 2 == 1]
    assert (a.count, b.count) == (len(in_a), len(in_b))
    expected = scipy.stats.ttest_ind(in_b, in_a, equal_var=False)
    # Chan's merge reorders the floating-point sums: equal to 1e-12, not bitwise.
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-10)
