#!/usr/bin/python3
"""scipy's results for the hostile-input cases of tests/test_abtest_hostile_inputs.cpp
that compare with a value: Fisher's exact test on counts near 2^31, and Mann-Whitney's
asymptotic test on 8 against 5,001 values.

    /usr/bin/python3 tests/reference/abtest/hostile_values.py
"""
import numpy as np
from scipy import stats

print("fisher_exact([[2147483647, 2147483646], [1, 0]]):",
      stats.fisher_exact([[2147483647, 2147483646], [1, 0]]))
a = np.linspace(0.0, 7.0, 8)
b = np.linspace(0.5, 10000.5, 5001)
r = stats.mannwhitneyu(b, a, method="asymptotic")
print(f"mannwhitneyu(b, a, method='asymptotic'): U = {r.statistic}, p = {r.pvalue!r}")
