"""patron.rfm against pandas (groupby, qcut, cut) and numpy called in the same test."""
import itertools
import pickle

import numpy as np
import pandas as pd
import pytest

import patron
from conftest import transaction_log

rfm = patron.rfm


def pandas_rfm(customers, times, amounts, as_of):
    frame = pd.DataFrame({"customer": customers, "time": times, "amount": amounts})
    g = frame.groupby("customer")
    return pd.DataFrame({"recency": as_of - g.time.max(), "transactions": g.size(),
                         "periods": g.time.nunique(), "spend": g.amount.sum()})


def test_table_equals_pandas_groupby(rng):
    customers, times, amounts = transaction_log(rng)
    expected = pandas_rfm(customers, times, amounts, 400.0)
    t = rfm.rfm_from_transactions(customers, times, amounts, as_of=400.0)
    assert isinstance(t, rfm.RfmTable) and len(t) == len(expected) and t.as_of == 400.0
    np.testing.assert_array_equal(t.customer, expected.index.to_numpy())
    np.testing.assert_array_equal(t.recency, expected.recency)
    np.testing.assert_array_equal(t.frequency, expected.transactions)
    np.testing.assert_allclose(t.monetary, expected.spend, rtol=1e-12)
    threaded = rfm.rfm_from_transactions(customers, times, amounts, as_of=400.0, threads=0)  # every core
    np.testing.assert_array_equal(threaded.monetary, t.monetary)
    s = rfm.score_rfm(t)
    np.testing.assert_array_equal(rfm.score_rfm(t, threads=3).code, s.code)
    np.testing.assert_allclose(t.revenue, expected.spend, rtol=1e-12)
    weeks = rfm.rfm_from_transactions(customers, times, amounts, as_of=400.0, time_unit=7.0,
                                      frequency=rfm.purchase_periods, monetary=rfm.mean)
    np.testing.assert_allclose(weeks.recency, expected.recency / 7.0, rtol=1e-15)
    np.testing.assert_array_equal(weeks.frequency, expected.periods)
    np.testing.assert_allclose(weeks.monetary, expected.spend / expected.periods, rtol=1e-12)
    # as_of unset: the latest transaction.
    np.testing.assert_array_equal(rfm.rfm_from_transactions(customers, times, amounts).recency,
                                  times.max() - expected.recency.rsub(400.0))


def continuous_table(rng, n=1_000):
    """Customer-level values without ties, so quantile scores equal pandas.qcut."""
    ids = np.arange(n, dtype=np.int64) * 3 + 7
    return rfm.rfm_from_customers(ids, rng.uniform(0, 365, n), rng.gamma(2.0, 3.0, n) + 1.0,
                                  rng.gamma(2.0, 50.0, n))


@pytest.mark.parametrize("bins", [5, 4, 10])
def test_scores_equal_pandas_qcut_on_data_without_ties(rng, bins):
    t = continuous_table(rng)
    b = rfm.Binning(bins=bins)
    s = rfm.score_rfm(t, recency=b, frequency=b, monetary=b, recency_weight=2.0)
    R = bins - pd.qcut(t.recency, bins, labels=False)  # reversed: recent customers score highest
    F = pd.qcut(t.frequency, bins, labels=False) + 1
    M = pd.qcut(t.monetary, bins, labels=False) + 1
    np.testing.assert_array_equal(s.recency.score, R)
    np.testing.assert_array_equal(s.frequency.score, F)
    np.testing.assert_array_equal(s.monetary.score, M)
    np.testing.assert_array_equal(s.code, R * 100 + F * 10 + M)
    np.testing.assert_array_equal(s.total, 2.0 * R + F + M)
    p = np.arange(1, bins) / bins
    for dim, values in ((s.recency, t.recency), (s.frequency, t.frequency), (s.monetary, t.monetary)):
        np.testing.assert_allclose(dim.breakpoints, np.quantile(values, p), rtol=1e-15)
        assert dim.collapsed_bins == []
        np.testing.assert_array_equal(dim.customers_per_score, np.bincount(dim.score, minlength=bins + 1)[1:])
    # The three-array form scores the same columns.
    cols = rfm.score_rfm(t.recency, t.frequency, t.monetary, recency=b, frequency=b, monetary=b)
    np.testing.assert_array_equal(cols.code, s.code)


def test_tie_policy_equal_values_get_equal_scores(rng):
    n = 2_000
    frequency = rng.poisson(1.5, n).astype(float) + 1.0  # heavy ties at 1, 2, 3
    recency, monetary = rng.uniform(0, 100, n), rng.gamma(2.0, 10.0, n)
    s = rfm.score_rfm(recency, frequency, monetary)
    f = s.frequency
    cuts = np.quantile(frequency, [0.2, 0.4, 0.6, 0.8])
    np.testing.assert_allclose(f.breakpoints, cuts, rtol=1e-15)
    # Right-closed bins (c_{k-1}, c_k]: the score is 1 + #{j : c_j < x}, as pandas.cut.
    np.testing.assert_array_equal(f.score, np.searchsorted(f.breakpoints, frequency, side="left") + 1)
    edges = np.r_[-np.inf, np.unique(f.breakpoints), np.inf]
    by_cut = pd.cut(frequency, edges, labels=False)
    np.testing.assert_array_equal(np.unique(f.score)[by_cut], f.score)
    for value in np.unique(frequency):
        assert len(np.unique(f.score[frequency == value])) == 1
    # Scores that nobody received are listed, not renumbered.
    empty = [k + 1 for k, c in enumerate(f.customers_per_score) if c == 0]
    assert f.collapsed_bins == empty and empty
    # Row order does not matter (unlike qcut of rank(method="first")).
    order = rng.permutation(n)
    shuffled = rfm.score_rfm(recency[order], frequency[order], monetary[order])
    np.testing.assert_array_equal(shuffled.frequency.score, f.score[order])


def test_user_breakpoints_equal_pandas_cut(rng):
    t = continuous_table(rng)
    s = rfm.score_rfm(t, monetary=rfm.Binning(bins=3, breakpoints=[50.0, 150.0]))
    expected = pd.cut(t.monetary, [-np.inf, 50.0, 150.0, np.inf], labels=False) + 1
    np.testing.assert_array_equal(s.monetary.score, expected)
    assert s.monetary.bins == 3 and s.monetary.breakpoints == [50.0, 150.0]


def test_sketch_quantiles_within_relative_accuracy(rng):
    values = rng.lognormal(3.0, 1.0, 20_000)
    shards = [rfm.QuantileSketch(0.01) for _ in range(4)]
    for shard, part in zip(shards, np.array_split(values, 4)):
        shard.add(part)
    whole = rfm.QuantileSketch(0.01)
    whole.add(values)
    for other in shards[1:]:
        shards[0].merge(other)
    assert shards[0].count == whole.count == len(values)
    ordered = np.sort(values)
    for p in (0.0, 0.1, 0.2, 0.5, 0.8, 0.99, 1.0):
        exact = ordered[int(np.floor((len(values) - 1) * p))]
        assert whole.quantile(p) == pytest.approx(exact, rel=0.01)
        assert shards[0].quantile(p) == whole.quantile(p)  # merged = built whole
    # Shards shipped by pickle (as Dask does) merge to the same sketch.
    shipped = [pickle.loads(pickle.dumps(rfm_shard)) for rfm_shard in shards[1:]]
    rebuilt = rfm.QuantileSketch(0.01)
    rebuilt.add(np.array_split(values, 4)[0])
    for other in shipped:
        rebuilt.merge(other)
    assert [rebuilt.quantile(p) for p in np.linspace(0, 1, 101)] == [whole.quantile(p) for p in np.linspace(0, 1, 101)]
    t = rfm.rfm_from_customers(np.arange(len(values)), values, values + 1.0, values)
    s = rfm.score_rfm(t, monetary=rfm.Binning(sketch=whole))
    np.testing.assert_array_equal(s.monetary.breakpoints, [whole.quantile(p) for p in (0.2, 0.4, 0.6, 0.8)])
    by_method = rfm.score_rfm(t, method=rfm.sketch_quantiles, sketch_relative_accuracy=0.01)
    np.testing.assert_array_equal(by_method.monetary.breakpoints, s.monetary.breakpoints)


def first_match(scores, table):
    """Segment index of each customer, first matching rule wins, else len(rules) ("Others")."""
    out = np.full(len(scores.code), len(table.rules))
    for i, rule in reversed(list(enumerate(table.rules))):
        hit = np.ones(len(out), dtype=bool)
        for dim, rng_ in ((scores.recency, rule.recency), (scores.frequency, rule.frequency),
                          (scores.monetary, rule.monetary)):
            hit &= (dim.score >= rng_.low) & (dim.score <= rng_.high)
        out[hit] = i
    return out


@pytest.mark.parametrize("table", rfm.published_segment_tables(), ids=lambda t: t.name)
def test_segments_and_summary_equal_numpy_and_pandas(rng, table):
    customers, times, amounts = transaction_log(rng)
    t = rfm.rfm_from_transactions(customers, times, amounts)
    s = rfm.score_rfm(t)
    seg = rfm.assign_segments(s, table)
    assert seg.names == [r.name for r in table.rules] + ["Others"]
    np.testing.assert_array_equal(seg.segment, first_match(s, table))
    assert seg.name_of(0) == seg.names[seg.segment[0]]

    frame = pd.DataFrame({"segment": np.array(seg.names)[seg.segment], "frequency": t.frequency,
                          "revenue": t.revenue, "recency": t.recency, "r": s.recency.score})
    g = frame.groupby("segment")
    rows = rfm.summarize_segments(t, s, seg)
    order = [n for n in seg.names if n in g.groups]
    assert [r.segment for r in rows] == order
    for row in rows:
        assert row.customers == g.size()[row.segment]
        assert row.share == pytest.approx(g.size()[row.segment] / len(t), rel=1e-15)
        assert row.orders == pytest.approx(g.frequency.sum()[row.segment], rel=1e-12)
        assert row.revenue == pytest.approx(g.revenue.sum()[row.segment], rel=1e-12)
        assert row.mean_recency == pytest.approx(g.recency.mean()[row.segment], rel=1e-12)
        assert row.mean_recency_score == pytest.approx(g.r.mean()[row.segment], rel=1e-12)

    # Gaps and shadowed rows by brute force over the 125 score cells.
    report = rfm.check_segment_table(table)
    cells = list(itertools.product(range(1, 6), repeat=3))
    covers = [[r.recency.low <= a <= r.recency.high and r.frequency.low <= b <= r.frequency.high
               and r.monetary.low <= c <= r.monetary.high for (a, b, c) in cells] for r in table.rules]
    winner = [next((i for i, cov in enumerate(covers) if cov[j]), None) for j in range(len(cells))]
    assert [(g_.recency, g_.frequency, g_.monetary) for g_ in report.gaps] == \
        [cells[j] for j in range(len(cells)) if winner[j] is None]
    assert report.cells_matched == [winner.count(i) for i in range(len(table.rules))]
    assert report.shadowed == [i for i in range(len(table.rules)) if any(covers[i]) and winner.count(i) == 0]
    assert report.complete() == (not report.gaps and not report.shadowed)


def test_accumulator_and_string_ids(rng):
    customers, times, amounts = transaction_log(rng, n_rows=5_000, n_customers=300)
    batch = rfm.rfm_from_transactions(customers, times, amounts)
    shards = [rfm.RfmAccumulator() for _ in range(3)]
    for shard, part in zip(shards, np.array_split(rng.permutation(len(customers)), 3)):
        shard.add(customers[part], times[part], amounts[part])
    shards[1].merge(shards[0])
    shards[1].merge(pickle.loads(pickle.dumps(shards[2])))  # as Dask ships them
    assert shards[1].records == len(customers) and shards[1].customers == len(batch)
    merged = shards[1].table()
    np.testing.assert_array_equal(merged.customer, batch.customer)
    np.testing.assert_array_equal(merged.monetary, batch.monetary)  # bitwise
    np.testing.assert_array_equal(merged.recency, batch.recency)
    names = [f"c{c:04d}" for c in customers]
    by_str = rfm.rfm_from_transactions(names, times, amounts)
    assert isinstance(by_str, rfm.RfmTableStrIds)
    assert by_str.customer == [f"c{c:04d}" for c in batch.customer]
    np.testing.assert_array_equal(rfm.score_rfm(by_str).code, rfm.score_rfm(batch).code)
    acc = rfm.RfmAccumulatorStrIds()
    acc.add(names, times, amounts)
    acc = pickle.loads(pickle.dumps(acc))
    np.testing.assert_array_equal(acc.table().frequency, batch.frequency)


def test_bad_input():
    with pytest.raises(patron.InvalidInput, match=r"patron::rfm_from_transactions: times\[1\] \(nan\) must be finite"):
        rfm.rfm_from_transactions([1, 2], [0.0, np.nan], [1.0, 1.0])
    with pytest.raises(TypeError, match="amounts must be an array, not None"):
        rfm.rfm_from_transactions([1, 2], [0.0, 1.0], None)
    with pytest.raises(ValueError, match="times must be 1-dimensional"):
        rfm.rfm_from_transactions([1, 2], np.zeros((2, 2)), [1.0, 1.0])
    with pytest.raises(TypeError, match="amounts must be convertible to a numeric array"):
        rfm.rfm_from_transactions([1, 2], [0.0, 1.0], ["a", "b"])
    with pytest.raises(patron.InvalidInput, match=r"patron::score_rfm: recency\[2\] \(nan\) must be finite"):
        rfm.score_rfm([1.0, 2.0, np.nan], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    with pytest.raises(patron.InvalidInput, match=r"options.recency.bins \(11\) must be in \[2, 10\]"):
        rfm.score_rfm([1.0, 2.0], [1.0, 2.0], [1.0, 2.0], recency=rfm.Binning(bins=11))
    with pytest.raises(patron.InvalidInput, match=r"patron::rfm_from_customers: frequency\[0\] \(0\)"):
        rfm.rfm_from_customers([1, 2], [1.0, 2.0], [0.0, 1.0], [1.0, 1.0])
    with pytest.raises(patron.InvalidInput):
        rfm.QuantileSketch(1.5)
    # Integer columns are converted, not rejected.
    ints = rfm.score_rfm(np.arange(10), np.arange(10), np.arange(10))
    np.testing.assert_array_equal(ints.code, rfm.score_rfm(*(np.arange(10.0),) * 3).code)


def test_results_pickle_round_trip(rng):
    import pickle
    customers, times, amounts = transaction_log(rng, n_rows=2_000, n_customers=200)
    for ids in (customers, [f"c{c}" for c in customers]):
        t = rfm.rfm_from_transactions(ids, times, amounts, as_of=400.0)
        back = pickle.loads(pickle.dumps(t))
        assert type(back) is type(t) and back.as_of == 400.0
        assert list(back.customer) == list(t.customer)
        for member in ("recency", "frequency", "monetary", "revenue"):
            np.testing.assert_array_equal(getattr(back, member), getattr(t, member))
    s = rfm.score_rfm(t)
    back = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(back.code, s.code)
    np.testing.assert_array_equal(back.total, s.total)
    assert back.frequency.breakpoints == s.frequency.breakpoints
    assert back.frequency.collapsed_bins == s.frequency.collapsed_bins
    table = pickle.loads(pickle.dumps(rfm.r_rfm_0_3_0_segments()))
    seg = rfm.assign_segments(s, table)
    np.testing.assert_array_equal(seg.segment, rfm.assign_segments(s, rfm.r_rfm_0_3_0_segments()).segment)
    assert pickle.loads(pickle.dumps(seg)).names == seg.names
    rows = rfm.summarize_segments(t, s, seg)
    assert [r.revenue for r in pickle.loads(pickle.dumps(rows))] == [r.revenue for r in rows]
