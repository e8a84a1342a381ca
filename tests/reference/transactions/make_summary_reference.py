#!/usr/bin/python3
"""Reference values for patron::summarize_transactions, computed with pandas.

Writes tests/data/transactions/log.csv (a generated transaction log with string ids,
fractional-day times, same-day repeats and purchases after the cut-off) and
tests/data/transactions/summary_reference.csv (one row per customer), computed
independently of patron by pandas groupby:
  calibration rows: time <= CUTOFF; customers first seen after CUTOFF are dropped;
  periods: floor(time / PERIOD) distinct values; x = periods - 1;
  mean_repeat_spend: mean of the per-period spend totals after the first period;
  t_x = (last - first) / UNIT; T = (CUTOFF - first) / UNIT;
  holdout: distinct periods and spend of rows with time > CUTOFF.

Run from the repository root: /usr/bin/python3 tests/reference/transactions/make_summary_reference.py
"""
import numpy as np
import pandas as pd

CUTOFF, END, PERIOD, UNIT = 60.0, 100.0, 1.0, 7.0

rng = np.random.default_rng(20261126)
n = 600
ids = np.array([f"c{k:03d}" for k in rng.integers(0, 90, n)])
times = np.round(rng.uniform(0, END, n) * 4) / 4  # quarter days: same-day repeats
amounts = np.round(rng.gamma(2.0, 15.0, n), 2)
log = pd.DataFrame({"customer": ids, "date": times, "amount": amounts})
log.to_csv("tests/data/transactions/log.csv", index=False)

log["period"] = np.floor(log["date"] / PERIOD)
cal = log[log["date"] <= CUTOFF]
hold = log[log["date"] > CUTOFF]
g = cal.groupby("customer", sort=True)
out = g.agg(first_purchase=("date", "min"), last_purchase=("date", "max"),
            transactions=("date", "size"), total_spend=("amount", "sum"))
out["mean_spend"] = out["total_spend"] / out["transactions"]
per = cal.groupby(["customer", "period"], sort=True)["amount"].sum().reset_index()
pg = per.groupby("customer", sort=True)["amount"]
out["purchase_periods"] = pg.size()
x = out["purchase_periods"] - 1
repeat_total = pg.sum() - pg.first()
out["mean_repeat_spend"] = np.where(x > 0, repeat_total / x.where(x > 0, 1), 0.0)
out["x"] = x
out["t_x"] = (out["last_purchase"] - out["first_purchase"]) / UNIT
out["T"] = (CUTOFF - out["first_purchase"]) / UNIT
hg = hold.groupby("customer")
out["holdout_transactions"] = hg["period"].nunique().reindex(out.index, fill_value=0)
out["holdout_spend"] = hg["amount"].sum().reindex(out.index, fill_value=0.0)
after = set(log["customer"]) - set(out.index)
out.to_csv("tests/data/transactions/summary_reference.csv", float_format="%.17g")
print(f"{len(out)} customers, {len(after)} first seen after the cut-off")
