"""Shared fixtures: the module under test and seeded generators.

The tests compare patron with the reference libraries called directly in the same test
(no stored values). Run: PYTHONPATH=build/dev/bindings/python python3 -m pytest bindings/python/tests
"""
import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)


def transaction_log(rng, n_rows=20_000, n_customers=2_000, days=365):
    """A random transaction log: integer ids, whole-day times, positive amounts."""
    customers = rng.integers(0, n_customers, n_rows).astype(np.int64)
    times = rng.integers(0, days, n_rows).astype(np.float64)
    amounts = np.round(rng.gamma(2.0, 20.0, n_rows), 2)
    return customers, times, amounts
