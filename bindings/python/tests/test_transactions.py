"""patron.transactions against pandas groupby on the same log."""
import pickle

import numpy as np
import pandas as pd
import pytest

import patron
from conftest import transaction_log


def pandas_summary(customers, times, amounts, calibration_end):
    frame = pd.DataFrame({"customer": customers, "time": times, "amount": amounts})
    calibration = frame[frame.time <= calibration_end]
    grouped = calibration.groupby("customer")
    out = pd.DataFrame({
        "first": grouped.time.min(),
        "last": grouped.time.max(),
        "transactions": grouped.size(),
        "periods": grouped.time.nunique(),
        "spend": grouped.amount.sum(),
    })
    out["x"] = out.periods - 1
    out["t_x"] = out["last"] - out["first"]
    out["T"] = calibration_end - out["first"]
    holdout = frame[frame.time > calibration_end].groupby("customer").time.nunique()
    out["holdout"] = holdout.reindex(out.index, fill_value=0)
    return out


def test_summary_equals_pandas_groupby(rng):
    customers, times, amounts = transaction_log(rng)
    s = patron.transactions.summarize_transactions(customers, times, amounts, calibration_end=270.0)
    expected = pandas_summary(customers, times, amounts, 270.0)
    np.testing.assert_array_equal(s.customer, expected.index.to_numpy())
    np.testing.assert_array_equal(s.first_purchase, expected["first"])
    np.testing.assert_array_equal(s.last_purchase, expected["last"])
    np.testing.assert_array_equal(s.transactions, expected.transactions)
    np.testing.assert_array_equal(s.x, expected.x)
    np.testing.assert_array_equal(s.t_x, expected.t_x)
    np.testing.assert_array_equal(s.T, expected["T"])
    np.testing.assert_array_equal(s.holdout_transactions, expected.holdout)
    np.testing.assert_allclose(s.total_spend, expected.spend, rtol=1e-12)


def test_string_ids_give_the_same_rows_as_integer_ids(rng):
    customers, times, amounts = transaction_log(rng, n_rows=2_000, n_customers=100)
    by_int = patron.transactions.summarize_transactions(customers, times, amounts)
    names = [f"c{c:04d}" for c in customers]  # zero-padded: same order as the integers
    by_str = patron.transactions.summarize_transactions(names, times, amounts)
    assert by_str.customer == [f"c{c:04d}" for c in by_int.customer]
    np.testing.assert_array_equal(by_str.x, by_int.x)
    np.testing.assert_array_equal(by_str.total_spend, by_int.total_spend)


def test_accumulator_shards_merge_to_the_batch_summary(rng):
    customers, times, amounts = transaction_log(rng)
    batch = patron.transactions.summarize_transactions(customers, times, amounts)
    shards = [patron.transactions.TransactionAccumulator() for _ in range(3)]
    for i, part in enumerate(np.array_split(rng.permutation(len(customers)), 3)):
        shards[i].add(customers[part], times[part], amounts[part])
    shards[2].merge(pickle.loads(pickle.dumps(shards[0])))  # as Dask ships them
    shards[2].merge(shards[1])
    merged = shards[2].summarize()
    np.testing.assert_array_equal(merged.customer, batch.customer)
    np.testing.assert_array_equal(merged.total_spend, batch.total_spend)  # bitwise
    np.testing.assert_array_equal(merged.mean_repeat_spend, batch.mean_repeat_spend)


def test_result_arrays_are_read_only_views():
    s = patron.transactions.summarize_transactions([1, 2], [0.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        s.x[0] = 5.0


@pytest.mark.parametrize("times, amounts, message", [
    ([0.0, float("nan")], [1.0, 2.0], r"times\[1\] \(nan\) must be finite"),
    ([0.0, 1.0], [1.0, -2.0], r"amounts\[1\] \(-2\)"),
])
def test_bad_values_raise_invalid_input_with_the_cpp_message(times, amounts, message):
    with pytest.raises(patron.InvalidInput, match=message):
        patron.transactions.summarize_transactions([1, 2], times, amounts)
    assert issubclass(patron.InvalidInput, ValueError)


def test_bad_shapes_and_types_raise_python_errors():
    with pytest.raises(TypeError, match="amounts must be an array, not None"):
        patron.transactions.summarize_transactions([1, 2], [0.0, 1.0], None)
    with pytest.raises(ValueError, match="times must be 1-dimensional"):
        patron.transactions.summarize_transactions([1, 2], np.zeros((2, 2)), [1.0, 2.0])
    with pytest.raises(TypeError, match=r"customers\[1\] must be an int or a str"):
        patron.transactions.summarize_transactions(["a", 2.5], [0.0, 1.0], [1.0, 2.0])
    with pytest.raises(patron.InvalidInput, match="customers has 3 elements but times has 2"):
        patron.transactions.summarize_transactions([1, 2, 3], [0.0, 1.0], [1.0, 2.0])


def test_non_contiguous_input_is_copied_not_rejected(rng):
    customers, times, amounts = transaction_log(rng, n_rows=1_000, n_customers=50)
    wide = np.stack([times, times]).T  # column slices of a C-ordered array are strided
    s = patron.transactions.summarize_transactions(customers, wide[:, 0], amounts)
    r = patron.transactions.summarize_transactions(customers, times.copy(), amounts)
    np.testing.assert_array_equal(s.T, r.T)
