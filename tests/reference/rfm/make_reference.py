#!/usr/bin/python3
"""Reference values for tests/test_rfm*.cpp, from pandas (groupby + qcut) and from the
published segment ranges transcribed below.

Run from the repository root with Debian's interpreter (python3-pandas 1.5, numpy 1.24):
    /usr/bin/python3 tests/reference/rfm/make_reference.py
Writes tests/data/rfm/*.csv. The C++ tests never run Python.
"""
import os

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT = os.path.join(ROOT, "tests", "data", "rfm")
os.makedirs(OUT, exist_ok=True)


def write(df, name):
    df.to_csv(os.path.join(OUT, name), index=False, float_format="%.17g")


def cuts(values, q):
    """Interior cut points exactly as pandas.qcut computes its bin edges."""
    return values.quantile(np.linspace(0, 1, q + 1)).to_numpy()[1:-1]


def patron_policy(values, q, reverse=False):
    """patron's documented tie policy in pandas/numpy terms: right-closed bins over the
    quantile cut points (pandas.cut semantics), bins never renumbered."""
    b = np.searchsorted(cuts(values, q), values.to_numpy(), side="left") + 1
    return q + 1 - b if reverse else b


# --- 1. continuous customer-level data: no ties, scores must equal qcut exactly -------
rng = np.random.default_rng(20261126)
n = 257
cont = pd.DataFrame({
    "customer": np.arange(1, n + 1),
    "recency": rng.exponential(40.0, n),
    "frequency": rng.gamma(2.0, 3.0, n) + 0.5,
    "monetary": rng.lognormal(4.0, 1.0, n),
})
assert all(cont[c].is_unique for c in ["recency", "frequency", "monetary"])
write(cont, "continuous.csv")
rows = []
for q in [2, 3, 4, 5, 7, 10]:
    for col in ["recency", "frequency", "monetary"]:
        # pandas.qcut(x, q, labels=False) + 1; recency reversed (most recent = q).
        labels = pd.qcut(cont[col], q, labels=False).to_numpy() + 1
        if col == "recency":
            labels = q + 1 - labels
        _, edges = pd.qcut(cont[col], q, retbins=True)
        for i, s in enumerate(labels):
            rows.append({"bins": q, "dimension": col, "kind": "score", "index": i, "value": s})
        for j, e in enumerate(edges[1:-1]):
            rows.append({"bins": q, "dimension": col, "kind": "cut", "index": j, "value": e})
write(pd.DataFrame(rows), "continuous_qcut.csv")

# --- 2. a transaction log with ties: RFM table from pandas groupby -------------------
m = 300
base = pd.Timestamp("2024-01-01")
cust = rng.integers(1, m + 1, 1500)
days = rng.integers(0, 180, 1500)
amount = np.round(rng.gamma(2.0, 25.0, 1500), 2)
log = pd.DataFrame({"customer": cust, "day": days, "amount": amount})
write(log, "transactions.csv")
as_of = 200
g = log.groupby("customer")
table = pd.DataFrame({
    "recency": as_of - g["day"].max(),
    "frequency": g.size(),
    "purchase_days": g["day"].nunique(),
    "monetary": g["amount"].sum(),
    "mean_monetary": g["amount"].mean(),
}).reset_index()
for col, rev in [("recency", True), ("frequency", False), ("monetary", False)]:
    # pandas.qcut(x, 5, labels=False, duplicates="drop"): the partition pandas makes of
    # the tied data (labels renumbered after dropped edges).
    table[col + "_qcut_drop"] = pd.qcut(table[col], 5, labels=False, duplicates="drop")
    table[col + "_score"] = patron_policy(table[col], 5, rev)
write(table, "transactions_rfm.csv")
write(pd.DataFrame({
    "dimension": ["recency"] * 4 + ["frequency"] * 4 + ["monetary"] * 4,
    "cut": np.concatenate([cuts(table[c], 5) for c in ["recency", "frequency", "monetary"]]),
}), "transactions_cuts.csv")

# --- 3. segment tables: published ranges, first match wins ----------------------------
# R rfm 0.3.0, R/rfm-segment.R example and vignettes/rfm-introduction.Rmd
# (github.com/rsquaredacademy/rfm, CRAN 2024-02-26).
R030 = [("Champions", 5, 5, 5, 5, 5, 5), ("Potential Loyalist", 3, 5, 3, 5, 2, 5),
        ("Loyal Customers", 2, 4, 2, 4, 2, 4), ("Promising", 3, 4, 1, 3, 3, 5),
        ("New Customers", 4, 5, 1, 3, 1, 5), ("Can't Lose Them", 1, 2, 3, 4, 4, 5),
        ("At Risk", 1, 2, 2, 5, 4, 5), ("Need Attention", 1, 3, 3, 5, 3, 5),
        ("About To Sleep", 2, 3, 1, 3, 1, 4), ("Lost", 1, 1, 1, 5, 1, 5)]
# R rfm 0.2.2 (tag v0.2.2), R/rfm-segment.R example.
R02 = [("Champions", 4, 5, 4, 5, 4, 5), ("Loyal Customers", 2, 5, 3, 5, 3, 5),
       ("Potential Loyalist", 3, 5, 1, 3, 1, 3), ("New Customers", 4, 5, 1, 1, 1, 1),
       ("Promising", 3, 4, 1, 1, 1, 1), ("Need Attention", 2, 3, 2, 3, 2, 3),
       ("About To Sleep", 2, 3, 1, 2, 1, 2), ("At Risk", 1, 2, 2, 5, 2, 5),
       ("Can't Lose Them", 1, 1, 4, 5, 4, 5), ("Lost", 1, 2, 1, 2, 1, 2)]
# PyPI rfm 1.0.15, RFM.find_segments() (github.com/sonwanesuresh95/rfm, rfm/rfm.py).
PYPI = [("Champions", 4, 5, 4, 5, 4, 5), ("Promising", 4, 5, 1, 2, 3, 5),
        ("Loyal Accounts", 3, 5, 3, 5, 3, 5), ("Potential Loyalist", 3, 5, 2, 3, 2, 4),
        ("New Active Accounts", 5, 5, 1, 1, 1, 5), ("Low Spenders", 3, 5, 1, 5, 1, 2),
        ("Need Attention", 2, 3, 1, 2, 4, 5), ("About to Sleep", 2, 3, 1, 2, 1, 3),
        ("At Risk", 1, 2, 1, 5, 3, 5), ("Lost", 1, 2, 1, 5, 1, 2)]


def segment_of(r, f, mm, rules):
    for name, rl, rh, fl, fh, ml, mh in rules:
        if rl <= r <= rh and fl <= f <= fh and ml <= mm <= mh:
            return name
    return "Others"


rows = []
for tag, rules in [("r-rfm-0.3.0", R030), ("r-rfm-0.2", R02), ("pypi-rfm-1.0", PYPI)]:
    won = {name: 0 for name, *_ in rules}
    for r in range(1, 6):
        for f in range(1, 6):
            for mm in range(1, 6):
                s = segment_of(r, f, mm, rules)
                if s == "Others":
                    rows.append({"table": tag, "kind": "gap", "value": f"{r}{f}{mm}"})
                else:
                    won[s] += 1
    for k, (name, *_) in enumerate(rules):
        rows.append({"table": tag, "kind": "cells", "value": f"{k}:{won[name]}"})
write(pd.DataFrame(rows), "segment_table_cells.csv")

# --- 4. CDNOW sample as of 1998-06-30: RFM, quintile scores, R rfm 0.3.0 segments -----
cd = pd.read_csv(os.path.join(ROOT, "examples", "data", "cdnow_sample.csv"))
cd["day"] = (pd.to_datetime(cd["date"].astype(str), format="%Y%m%d") - pd.Timestamp("1970-01-01")).dt.days
as_of = (pd.Timestamp("1998-06-30") - pd.Timestamp("1970-01-01")).days
g = cd.groupby("customer")
rfm = pd.DataFrame({"recency": as_of - g["day"].max(), "frequency": g.size(),
                    "monetary": g["amount"].sum()})
rfm["r"] = patron_policy(rfm["recency"], 5, True)
rfm["f"] = patron_policy(rfm["frequency"], 5)
rfm["m"] = patron_policy(rfm["monetary"], 5)
rfm["segment"] = [segment_of(r, f, mm, R030) for r, f, mm in zip(rfm["r"], rfm["f"], rfm["m"])]
# Heavy ties (half the customers bought once): pandas.qcut(x, 5, labels=False,
# duplicates="drop") merges the tied edges and renumbers its bins 0..3; patron keeps 1..5.
cdnow_scores = pd.DataFrame({"customer": rfm.index, "frequency": rfm["frequency"].to_numpy(),
                             "f": rfm["f"].to_numpy(),
                             "f_qcut_drop": pd.qcut(rfm["frequency"], 5, labels=False,
                                                    duplicates="drop").to_numpy()})
write(cdnow_scores, "cdnow_frequency_scores.csv")
order = [name for name, *_ in R030] + ["Others"]
summary = rfm.groupby("segment").agg(customers=("r", "size"), orders=("frequency", "sum"),
                                     revenue=("monetary", "sum"), mean_recency=("recency", "mean"),
                                     mean_frequency=("frequency", "mean"),
                                     mean_monetary=("monetary", "mean"))
summary["share"] = summary["customers"] / len(rfm)
summary["aov"] = summary["revenue"] / summary["orders"]
summary = summary.reindex([s for s in order if s in summary.index]).reset_index()
write(summary, "cdnow_segment_summary.csv")
write(pd.DataFrame({"dimension": ["recency"] * 4 + ["frequency"] * 4 + ["monetary"] * 4,
                    "cut": np.concatenate([cuts(rfm[c], 5) for c in ["recency", "frequency", "monetary"]])}),
      "cdnow_cuts.csv")
print("wrote", OUT)
