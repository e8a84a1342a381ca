#!/usr/bin/python3
"""Reference values for patron's A/B tests (tests/test_abtest_*.cpp).

Run with the Debian interpreter (scipy 1.10, statsmodels 0.13, mpmath 1.2):
    /usr/bin/python3 tests/reference/abtest/make_reference.py
It rewrites tests/reference/abtest/abtest_reference.hpp. Every array says which call
produced it. Convention: A is the control, B the treatment, differences are B - A, so
scipy/statsmodels receive B first. Values with p <= 1e-300 are left out (the tests
compare to 1e-10 relative wherever p > 1e-300).
"""
import math
import warnings
import os

import mpmath
import numpy as np
from scipy import optimize, stats
from statsmodels.stats import proportion as smp
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
out = []
ALTS = [("two_sided", "two-sided", "two-sided"), ("greater", "greater", "larger"),
        ("less", "less", "smaller")]


def num(x):
    x = float(x)
    if math.isinf(x):
        return "kInf" if x > 0 else "-kInf"
    assert not math.isnan(x), "NaN in a reference value"
    return repr(x)


def array(name, ctype, rows, comment):
    out.append(f"// {comment}")
    out.append(f"inline const {ctype} {name}[] = {{")
    for r in rows:
        out.append("    {" + ", ".join(r) + "},")
    out.append("};\n")


def vec(name, values, comment=None):
    if comment:
        out.append(f"// {comment}")
    out.append(f"inline const std::vector<double> {name} = {{" +
               ", ".join(num(v) for v in values) + "};")


# --- two-proportion z-tests -------------------------------------------------------
counts = [  # (successes_a, trials_a, successes_b, trials_b): small, balanced, large, extreme
    (3, 10, 7, 12), (5, 50, 5, 50), (120, 2400, 156, 2400), (48, 1000, 31, 1000),
    (1200, 100000, 1320, 100000), (0, 40, 6, 40), (40, 40, 33, 40), (1, 1000000, 4, 1000000),
    (10000, 1000000, 12000, 1000000), (100000, 1000000, 112000, 1000000),
    (500, 1000, 850, 1000), (250000, 1000000, 262000, 1000000), (7, 9, 1, 30)]
rows = []
for sa, na, sb, nb in counts:
    for alt, _, sm_alt in ALTS:
        z, p = smp.proportions_ztest([sb, sa], [nb, na], alternative=sm_alt)
        if p > 1e-300 and np.isfinite(z):
            rows.append([str(sa), str(na), str(sb), str(nb), f"patron::alternative::{alt}",
                         "patron::variance_estimate::pooled", num(z), num(p)])
        with np.errstate(all="ignore"):  # its unused ratio divides by p_A = 0
            r = smp.test_proportions_2indep(np.float64(sb), nb, np.float64(sa), na,
                                            method="wald", compare="diff",
                                            alternative=sm_alt, return_results=True)
        if r.pvalue > 1e-300 and np.isfinite(r.statistic):
            rows.append([str(sa), str(na), str(sb), str(nb), f"patron::alternative::{alt}",
                         "patron::variance_estimate::unpooled", num(r.statistic), num(r.pvalue)])
out.append("struct z_case { std::int64_t sa, na, sb, nb; patron::alternative alt; "
           "patron::variance_estimate variance; double statistic, p_value; };")
array("z_cases", "z_case", rows,
      "statsmodels proportions_ztest([sb, sa], [nb, na], alternative) (pooled) and "
      "test_proportions_2indep(sb, nb, sa, na, method='wald') (unpooled)")

# --- contingency tables -------------------------------------------------------------
tables = [np.array(t, dtype=float) for t in (
    [[12, 5], [7, 15]], [[120, 2280], [156, 2244]], [[3, 0], [1, 4]], [[50, 50], [50, 50]],
    [[2000, 98000], [2600, 97400]], [[10, 20, 30], [25, 15, 12]],
    [[5, 9, 2, 7], [8, 3, 6, 1], [4, 4, 9, 12]], [[1, 2], [0.5, 7.5]], [[100000, 5], [5, 100000]])]
rows = []
for t in tables:
    for corr in (True, False):
        for lam, kind in ((None, "pearson"), ("log-likelihood", "g")):
            if t.shape != (2, 2) and not corr:
                continue
            chi2, p, dof, _ = stats.chi2_contingency(t, correction=corr, lambda_=lam)
            if p <= 1e-300:
                continue
            cells = ", ".join(num(v) for v in t.ravel())
            rows.append([str(t.shape[0]), str(t.shape[1]), "{" + cells + "}",
                         "true" if corr else "false", "true" if kind == "g" else "false",
                         num(chi2), num(p), str(dof)])
out.append("struct table_case { int rows, cols; double cells[12]; bool yates; bool g_test; "
           "double statistic, p_value; int dof; };")
array("table_cases", "table_case", rows,
      "scipy.stats.chi2_contingency(table, correction=yates, lambda_=None or "
      "'log-likelihood'); cells row-major")

# --- Fisher's exact test --------------------------------------------------------------
fisher_tables = [(3, 1, 1, 3), (8, 2, 1, 5), (0, 5, 5, 0), (10, 10, 10, 10), (1, 9, 11, 3),
                 (2, 7, 8, 2), (156, 2244, 120, 2280), (20, 380, 5, 395), (0, 10, 0, 12),
                 (4, 0, 0, 0), (100, 900, 150, 850), (7, 12, 0, 3), (1, 1000, 30, 1000),
                 (500, 9500, 200, 9800), (5, 5, 5, 5), (6, 4, 4, 6),
                 (30, 70, 70, 30), (300, 700, 700, 300), (45, 55, 55, 45)]  # exact ties far from the mode
rows = []
for a, b, c, d in fisher_tables:
    if 0 in (a + b, c + d, a + c, b + d):
        continue  # scipy returns NaN odds ratio; patron documents p = 1 (tested as an edge)
    for alt, sp_alt, _ in ALTS:
        odds, p = stats.fisher_exact([[a, b], [c, d]], alternative=sp_alt)
        if p > 1e-300:
            rows.append([str(a), str(b), str(c), str(d), f"patron::alternative::{alt}", num(odds), num(p)])
out.append("struct fisher_case { std::int64_t a, b, c, d; patron::alternative alt; double odds_ratio, p_value; };")
array("fisher_cases", "fisher_case", rows,
      "scipy.stats.fisher_exact([[a, b], [c, d]], alternative)")

# --- one-proportion intervals --------------------------------------------------------------
methods = [("wald", "normal"), ("wilson", "wilson"), ("agresti_coull", "agresti_coull"),
           ("clopper_pearson", "beta"), ("jeffreys", "jeffreys")]
rows = []
for x, n in [(0, 10), (1, 10), (5, 10), (10, 10), (3, 250), (120, 2400), (999, 1000), (1, 1000000)]:
    for conf in (0.95, 0.9, 0.999):
        for m, sm in methods:
            lo, hi = smp.proportion_confint(x, n, alpha=1 - conf, method=sm)
            rows.append([str(x), str(n), num(conf), f"patron::proportion_interval_method::{m}",
                         num(lo), num(hi)])
out.append("struct proportion_ci_case { std::int64_t x, n; double confidence; "
           "patron::proportion_interval_method method; double lower, upper; };")
array("proportion_ci_cases", "proportion_ci_case", rows,
      "statsmodels proportion_confint(x, n, alpha=1-confidence, method=normal/wilson/"
      "agresti_coull/beta/jeffreys)")

# --- difference and ratio intervals ---------------------------------------------------------
rows = []
for sa, na, sb, nb in [(3, 10, 7, 12), (120, 2400, 156, 2400), (48, 1000, 31, 1000),
                       (1, 50, 9, 60), (1200, 100000, 1320, 100000), (0, 40, 6, 40)]:
    for conf in (0.95, 0.8):
        for m, sm in (("newcombe", "newcomb"), ("wald", "wald")):
            lo, hi = smp.confint_proportions_2indep(sb, nb, sa, na, method=sm, compare="diff",
                                                    alpha=1 - conf)
            rows.append([str(sa), str(na), str(sb), str(nb), num(conf), "0",
                         f"{'0' if m == 'newcombe' else '1'}", num(lo), num(hi)])
        for m, sm in (("log", "log"), ("log_adjusted", "log-adjusted")):
            if sm == "log" and (sa == 0 or sb == 0):
                continue
            lo, hi = smp.confint_proportions_2indep(sb, nb, sa, na, method=sm, compare="ratio",
                                                    alpha=1 - conf)
            rows.append([str(sa), str(na), str(sb), str(nb), num(conf), "1",
                         f"{'0' if m == 'log' else '1'}", num(lo - 1), num(hi - 1)])
out.append("struct two_sample_ci_case { std::int64_t sa, na, sb, nb; double confidence; "
           "int kind /* 0 difference, 1 relative lift */; int method /* 0 newcombe|log, "
           "1 wald|log_adjusted */; double lower, upper; };")
array("two_sample_ci_cases", "two_sample_ci_case", rows,
      "statsmodels confint_proportions_2indep(sb, nb, sa, na, method, compare='diff' or "
      "'ratio' (minus 1 for the lift), alpha=1-confidence)")

# --- samples for t and Mann-Whitney tests ------------------------------------------------
rng = np.random.default_rng(20261126)
samples = {
    "small": (rng.normal(10, 2, 6), rng.normal(12, 3, 9)),
    "paired": (rng.normal(5, 1, 12), None),
    "unequal": (rng.normal(0, 1, 50), rng.normal(0.3, 4, 80)),
    "huge_shift": (rng.normal(0, 1, 200), rng.normal(3, 1, 200)),
    "ties": (rng.integers(0, 6, 30).astype(float), rng.integers(1, 7, 40).astype(float)),
    "tiny": (rng.normal(0, 1, 5), rng.normal(1, 1, 7)),
    "exact8": (rng.exponential(1, 8), rng.exponential(2, 12)),
    "exact_big": (rng.normal(0, 1, 20), rng.normal(0.8, 1, 25)),
}
a, _ = samples["paired"]
samples["paired"] = (a, a + rng.normal(0.4, 0.5, 12))
for name, (a, b) in samples.items():
    vec(f"sample_{name}_a", a)
    vec(f"sample_{name}_b", b)
out.append("")
SAMPLE_NAMES = list(samples)

rows = []
for name, (a, b) in samples.items():
    for equal in (False, True):
        cm = CompareMeans(DescrStatsW(b), DescrStatsW(a))
        for alt, sp_alt, _ in ALTS:
            r = stats.ttest_ind(b, a, equal_var=equal, alternative=sp_alt)
            if r.pvalue <= 1e-300:
                continue
            lo, hi = cm.tconfint_diff(alpha=0.05, usevar="pooled" if equal else "unequal")
            rows.append([f"sample_{name}_a", f"sample_{name}_b",
                         "patron::variance_assumption::" + ("equal" if equal else "unequal"),
                         f"patron::alternative::{alt}", num(r.statistic), num(r.pvalue),
                         num(lo), num(hi)])
out.append("struct t_case { const std::vector<double>* a; const std::vector<double>* b; "
           "patron::variance_assumption variance; patron::alternative alt; double statistic, "
           "p_value, ci_lower, ci_upper; };")
out.append("// scipy.stats.ttest_ind(b, a, equal_var, alternative); interval: statsmodels")
out.append("// CompareMeans(DescrStatsW(b), DescrStatsW(a)).tconfint_diff(0.05, usevar)")
array("t_cases", "t_case", [["&" + r[0], "&" + r[1]] + r[2:] for r in rows], "(see above)")

rows = []
a, b = samples["paired"]
for alt, sp_alt, _ in ALTS:
    r = stats.ttest_rel(b, a, alternative=sp_alt)
    lo, hi = r.confidence_interval(0.95)
    rows.append([f"patron::alternative::{alt}", num(r.statistic), num(r.pvalue), num(lo), num(hi)])
out.append("struct paired_case { patron::alternative alt; double statistic, p_value, ci_lower, ci_upper; };")
array("paired_cases", "paired_case", rows,
      "scipy.stats.ttest_rel(sample_paired_b, sample_paired_a, alternative) and its "
      ".confidence_interval(0.95)")

rows = []
for name, (a, b) in samples.items():
    ties = len(np.unique(np.concatenate([a, b]))) < len(a) + len(b)
    for method in ("auto", "exact", "asymptotic"):
        if method == "exact" and (ties or len(a) * len(b) > 600):
            continue
        for cont in (True, False):
            if method != "asymptotic" and not cont:
                continue
            for alt, sp_alt, _ in ALTS:
                r = stats.mannwhitneyu(b, a, use_continuity=cont, alternative=sp_alt, method=method)
                if r.pvalue <= 1e-300:
                    continue
                pm = {"auto": "automatic", "exact": "exact", "asymptotic": "asymptotic"}[method]
                rows.append([f"&sample_{name}_a", f"&sample_{name}_b",
                             f"patron::mann_whitney_method::{pm}",
                             "patron::continuity_correction::" + ("on" if cont else "off"),
                             f"patron::alternative::{alt}", num(r.statistic), num(r.pvalue)])
out.append("struct mwu_case { const std::vector<double>* a; const std::vector<double>* b; "
           "patron::mann_whitney_method method; patron::continuity_correction continuity; "
           "patron::alternative alt; double statistic, p_value; };")
array("mwu_cases", "mwu_case", rows,
      "scipy.stats.mannwhitneyu(b, a, use_continuity, alternative, method)")

# --- multiple comparisons --------------------------------------------------------------
p_sets = [[0.01, 0.04, 0.03, 0.005, 0.20], [0.001, 0.001, 0.02, 0.02, 0.5, 1.0, 0.0],
          [0.049, 0.051], [1e-12, 0.3, 0.0125, 0.0126, 0.04, 0.9, 0.041, 0.2]]
mm = [("bonferroni", "bonferroni"), ("sidak", "sidak"), ("holm", "holm"),
      ("hochberg", "simes-hochberg"), ("benjamini_hochberg", "fdr_bh"),
      ("benjamini_yekutieli", "fdr_by")]
rows = []
for i, ps in enumerate(p_sets):
    vec(f"p_set_{i}", ps)
    for m, sm in mm:
        rej, adj, _, _ = multipletests(ps, alpha=0.05, method=sm)
        vec(f"p_set_{i}_{m}", adj)
        rows.append([f"&p_set_{i}", f"patron::correction_method::{m}", f"&p_set_{i}_{m}",
                     "{" + ", ".join("true" if x else "false" for x in rej) + "}"])
out.append("struct correction_case { const std::vector<double>* p; patron::correction_method "
           "method; const std::vector<double>* adjusted; bool reject[8]; };")
array("correction_cases", "correction_case", rows,
      "statsmodels multipletests(p, alpha=0.05, method=bonferroni/sidak/holm/"
      "simes-hochberg/fdr_bh/fdr_by)")

# --- power -------------------------------------------------------------------------------
rows = []
for es, n, ratio, alpha in [(0.2, 100, 1, 0.05), (0.5, 30, 2, 0.05), (-0.3, 200, 0.5, 0.01),
                            (0.1, 1000, 1, 0.1), (0.8, 10, 1, 0.05)]:
    for alt, _, sm_alt in ALTS:
        pn = NormalIndPower().power(es, n, alpha, ratio=ratio, alternative=sm_alt)
        pt = TTestIndPower().power(es, n, alpha, ratio=ratio, alternative=sm_alt)
        rows.append([num(es), num(n), num(ratio), num(alpha), f"patron::alternative::{alt}",
                     num(pn), num(pt)])
out.append("struct power_case { double effect, n_a, ratio, alpha; patron::alternative alt; "
           "double normal_power, t_power; };")
array("power_cases", "power_case", rows,
      "statsmodels NormalIndPower().power / TTestIndPower().power(effect, n_a, alpha, "
      "ratio, alternative)")

rows = []
for pa, pb, n, ratio, alpha in [(0.05, 0.06, 5000, 1, 0.05), (0.2, 0.15, 300, 2, 0.05),
                                (0.5, 0.55, 1000, 0.5, 0.01), (0.01, 0.013, 20000, 1, 0.1)]:
    for alt, _, sm_alt in ALTS:
        r = smp.power_proportions_2indep(pb - pa, pa, n * ratio, ratio=1 / ratio, alpha=alpha,
                                         alternative=sm_alt, return_results=True)
        rows.append([num(pa), num(pb), num(n), num(ratio), num(alpha),
                     f"patron::alternative::{alt}", num(r.power)])
out.append("struct proportion_power_case { double p_a, p_b, n_a, ratio, alpha; "
           "patron::alternative alt; double power; };")
array("proportion_power_cases", "proportion_power_case", rows,
      "statsmodels power_proportions_2indep(p_b - p_a, p_a, n_b = n_a * ratio, ratio = "
      "1 / ratio, alpha, alternative).power")

rows = []
for es, power, ratio, alpha, alt, sm_alt in [(0.2, 0.8, 1, 0.05, "two_sided", "two-sided"),
                                             (0.5, 0.9, 2, 0.01, "greater", "larger"),
                                             (-0.3, 0.8, 1, 0.05, "less", "smaller")]:
    nn = NormalIndPower().solve_power(es, None, alpha, power, ratio, alternative=sm_alt)
    nt = TTestIndPower().solve_power(es, None, alpha, power, ratio, alternative=sm_alt)
    n_fix = 150.0
    # solve_power for the effect stops at ~1e-6 relative (fsolve); brentq on the same
    # statsmodels power function, started from its answer, pins it to 1e-15.
    def effect(solver):
        guess = solver.solve_power(None, n_fix, alpha, power, ratio, alternative=sm_alt)
        return optimize.brentq(
            lambda e: solver.power(e, n_fix, alpha, ratio, alternative=sm_alt) - power,
            guess * 0.9, guess * 1.1, xtol=1e-16, rtol=1e-15)
    en, et = effect(NormalIndPower()), effect(TTestIndPower())
    rows.append([num(es), num(power), num(ratio), num(alpha), f"patron::alternative::{alt}",
                 num(nn), num(nt), num(n_fix), num(en), num(et)])
out.append("struct solve_case { double effect, power, ratio, alpha; patron::alternative alt; "
           "double normal_n, t_n, fixed_n, normal_effect, t_effect; };")
array("solve_cases", "solve_case", rows,
      "statsmodels NormalIndPower/TTestIndPower().solve_power(effect, None, alpha, power, "
      "ratio, alternative) for n; effects by scipy brentq(xtol=1e-16) on their .power")

# --- Bayesian -----------------------------------------------------------------------------
mpmath.mp.dps = 40


def p_greater(a1, b1, a2, b2):
    """P(X > Y), X ~ Beta(a1, b1), Y ~ Beta(a2, b2), by mpmath quadrature of
    f_X(x) F_Y(x), split at the posterior means, 40 digits."""
    a1, b1, a2, b2 = (mpmath.mpf(v) for v in (a1, b1, a2, b2))
    lb = mpmath.log(mpmath.beta(a1, b1))

    def integrand(x):
        return mpmath.exp((a1 - 1) * mpmath.log(x) + (b1 - 1) * mpmath.log1p(-x) - lb) * \
            mpmath.betainc(a2, b2, 0, x, regularized=True)
    m1, m2 = a1 / (a1 + b1), a2 / (a2 + b2)
    s = mpmath.sqrt(a1 * b1 / ((a1 + b1) ** 2 * (a1 + b1 + 1)))
    pts = sorted({mpmath.mpf(0), mpmath.mpf(1)} |
                 {min(max(m1 + k * s, mpmath.mpf(0)), mpmath.mpf(1)) for k in range(-12, 13, 2)} |
                 {m2})
    return mpmath.quad(integrand, pts)


rows = []
for sa, na, sb, nb, pa, pb in [(120, 2400, 156, 2400, (1, 1), (1, 1)), (3, 10, 7, 12, (1, 1), (1, 1)),
                               (0, 20, 0, 20, (1, 1), (1, 1)), (40, 1000, 30, 1000, (2, 5), (2, 5)),
                               (5, 50, 5, 50, (1, 1), (1, 1)), (10, 200, 45, 200, (1, 1), (1, 1)),
                               (3, 7, 4, 9, (0.5, 1), (0.5, 1))]:
    a1, b1 = pb[0] + sb, pb[1] + nb - sb
    a2, b2 = pa[0] + sa, pa[1] + na - sa
    prob = p_greater(a1, b1, a2, b2)
    ma, mb = mpmath.mpf(a2) / (a2 + b2), mpmath.mpf(a1) / (a1 + b1)
    loss_b = ma * p_greater(a2 + 1, b2, a1, b1) - mb * p_greater(a2, b2, a1 + 1, b1)
    loss_a = mb * p_greater(a1 + 1, b1, a2, b2) - ma * p_greater(a1, b1, a2 + 1, b2)
    lo_a, hi_a = stats.beta.ppf(0.025, a2, b2), stats.beta.isf(0.025, a2, b2)
    lo_b, hi_b = stats.beta.ppf(0.025, a1, b1), stats.beta.isf(0.025, a1, b1)
    rows.append([str(sa), str(na), str(sb), str(nb), num(pa[0]), num(pa[1]), num(pb[0]), num(pb[1]),
                 num(prob), num(loss_a), num(loss_b), num(lo_a), num(hi_a), num(lo_b), num(hi_b)])
out.append("struct bayes_case { std::int64_t sa, na, sb, nb; double prior_a_alpha, prior_a_beta, "
           "prior_b_alpha, prior_b_beta; double prob_b_better, loss_a, loss_b, ci_a_lower, "
           "ci_a_upper, ci_b_lower, ci_b_upper; };")
array("bayes_cases", "bayes_case", rows,
      "P(p_B > p_A) and the expected losses by mpmath.quad (40 digits) of "
      "Beta pdf x regularized betainc; intervals scipy.stats.beta.ppf / isf(0.025, ...)")

# --- sample-ratio mismatch -------------------------------------------------------------------
rows = []
for obs, w in [([5050, 4950], [1, 1]), ([50000, 48000], [1, 1]), ([500000, 480000], [1, 1]),
               ([1000, 2100, 2900], [1, 2, 3]), ([9000, 1100], [9, 1]), ([5000000, 4900000], [1, 1])]:
    obs = np.array(obs, dtype=float)
    w = np.array(w, dtype=float)
    r = stats.chisquare(obs, obs.sum() * w / w.sum())
    rows.append(["{" + ", ".join(num(v) for v in obs) + "}", "{" + ", ".join(num(v) for v in w) + "}",
                 str(len(obs)), num(r.statistic), num(r.pvalue)])
out.append("struct srm_case { double observed[3]; double weights[3]; int size; double statistic, p_value; };")
array("srm_cases", "srm_case", rows,
      "scipy.stats.chisquare(observed, observed.sum() * weights / weights.sum())")

# --- CUPED -----------------------------------------------------------------------------------
xa = rng.gamma(2.0, 10.0, 120)
ya = 5 + 0.8 * xa + rng.normal(0, 4, 120)
xb = rng.gamma(2.0, 10.0, 100)
yb = 7 + 0.8 * xb + rng.normal(0, 4, 100)
vec("cuped_x_a", xa)
vec("cuped_y_a", ya)
vec("cuped_x_b", xb)
vec("cuped_y_b", yb)
x_all, y_all = np.concatenate([xa, xb]), np.concatenate([ya, yb])
theta = np.cov(y_all, x_all, ddof=1)[0, 1] / np.var(x_all, ddof=1)
adj_a = ya - theta * (xa - x_all.mean())
adj_b = yb - theta * (xb - x_all.mean())
diff = adj_b.mean() - adj_a.mean()
se = math.sqrt(np.var(adj_a, ddof=1) / len(ya) + np.var(adj_b, ddof=1) / len(yb))
z = diff / se
p = 2 * stats.norm.sf(abs(z))
q = stats.norm.isf(0.025)
out.append("// CUPED (Deng et al. 2013) written out with numpy: theta = cov(y, x) / var(x) over")
out.append("// both groups, adjusted y = y - theta (x - mean(x)), Welch-type normal test.")
vec("cuped_expected", [theta, diff, se, z, p, diff - q * se, diff + q * se])

# --- group-sequential boundaries ----------------------------------------------------------
# Lan-DeMets boundaries computed without patron's method (recursive numerical integration of
# the Brownian-motion density): with Z_j = B(t_j) / sqrt(t_j), corr(Z_i, Z_j) = sqrt(t_i / t_j)
# (i < j), c_k solves, by scipy brentq,
#   one-sided  P(Z_1 < c_1, ..., Z_{k-1} < c_{k-1}, Z_k >= c_k)       = a(t_k) - a(t_{k-1}),
#   two-sided  P(|Z_1| < c_1, ..., |Z_{k-1}| < c_{k-1}, |Z_k| >= c_k) = a(t_k) - a(t_{k-1}),
# the two-sided one as 2 P(|Z_j| < c_j, Z_k >= c_k) (the law is symmetric under Z -> -Z), each
# probability a rectangle of a k-variate normal: scipy.stats.multivariate_normal.cdf with
# lower_limit (Genz's MVNDST; exact bivariate algorithm for k <= 2, randomised lattice rules
# for k >= 3, which use all maxpts because abseps = releps = 0). Spending functions as
# docs/abtest.md defines them: O'Brien-Fleming type a(t) = 2 - 2 Phi(z_{1-a/2} / sqrt(t)),
# Pocock type a log(1 + (e - 1) t); a two-sided design of level a spends 2 a_{a/2}(t).
# Accuracy: every design is solved twice, with GS_LOOSE and with GS_TIGHT lattice points per
# probability; the header keeps the tight values, and the largest |tight - loose| over all
# boundaries, written as gs_reference_accuracy, is taken as their error bound (the lattice
# error falls ~10x per 10x points here, so it mostly measures the loose values). Measured
# 2026-11-26: 1.8e-7. Genz's own 3-sigma error estimate (scipy.stats._mvn.mvndst) for a tight
# 5-variate crossing probability is ~3e-10, i.e. ~2e-8 on the z scale at the last look.
# Run time ~6 CPU minutes, almost all in the 4- and 5-variate GS_TIGHT probabilities. The
# lattice shifts come from MVNDST's fixed-seed generator: two fresh runs gave identical digits.
GS_LOOSE, GS_TIGHT = 10**6, 10**7


def gs_spent(spending, alpha, t, two_sided):
    if two_sided:
        return 2.0 * gs_spent(spending, alpha / 2.0, t, False)
    if spending == "pocock":
        return alpha * math.log1p((math.e - 1.0) * t)
    return 2.0 * stats.norm.sf(stats.norm.isf(alpha / 2.0) / math.sqrt(t))


def gs_crossing(t, earlier, c, two_sided, maxpts):
    """P(no crossing at the looks of `earlier`, crossing at the next look with boundary c)."""
    k = len(earlier) + 1
    tk = np.asarray(t[:k], dtype=float)
    corr = np.sqrt(np.minimum.outer(tk, tk) / np.maximum.outer(tk, tk))
    upper = np.append(earlier, np.inf)
    lower = np.append(-np.asarray(earlier) if two_sided else np.full(k - 1, -np.inf), c)
    p = stats.multivariate_normal.cdf(upper, mean=np.zeros(k), cov=corr, maxpts=maxpts,
                                      abseps=0.0, releps=0.0, lower_limit=lower)
    return 2.0 * p if two_sided else p


def gs_boundaries(t, spending, alpha, two_sided, maxpts):
    """Boundaries with maxpts points per probability: brentq on a GS_LOOSE evaluation over
    [0, 12], then (if maxpts is larger) brentq again within 1e-5 of that root."""
    c = []
    for k in range(len(t)):
        target = gs_spent(spending, alpha, t[k], two_sided) - \
            (gs_spent(spending, alpha, t[k - 1], two_sided) if k else 0.0)
        if k == 0:
            c.append(stats.norm.isf(target / 2.0 if two_sided else target))
            continue
        def excess(x, points):
            return gs_crossing(t, c, x, two_sided, points) - target
        root = optimize.brentq(excess, 0.0, 12.0, args=(GS_LOOSE,), xtol=1e-12)
        if maxpts > GS_LOOSE:
            root = optimize.brentq(excess, root - 1e-5, root + 1e-5, args=(maxpts,), xtol=1e-12)
        c.append(root)
    return c


gs_designs = [([0.2, 0.4, 0.6, 0.8, 1.0], "obrien_fleming", 0.025, "greater"),
              ([0.2, 0.4, 0.6, 0.8, 1.0], "pocock", 0.025, "greater"),
              ([0.2, 0.4, 0.6, 0.8, 1.0], "obrien_fleming", 0.05, "two_sided"),
              ([0.3, 0.5, 1.0], "pocock", 0.05, "two_sided")]
rows, gs_accuracy = [], 0.0
for t, spending, alpha, alt in gs_designs:
    two_sided = alt == "two_sided"
    tight = gs_boundaries(t, spending, alpha, two_sided, GS_TIGHT)
    loose = gs_boundaries(t, spending, alpha, two_sided, GS_LOOSE)
    gs_accuracy = max(gs_accuracy, max(abs(a - b) for a, b in zip(tight, loose)))
    cumulative = [gs_spent(spending, alpha, x, two_sided) for x in t]
    rows.append([f"patron::spending_function::{spending}", f"patron::alternative::{alt}",
                 num(alpha), str(len(t)), "{" + ", ".join(num(x) for x in t) + "}",
                 "{" + ", ".join(num(x) for x in tight) + "}",
                 "{" + ", ".join(num(x) for x in cumulative) + "}"])
out.append("struct gs_case { patron::spending_function spending; patron::alternative alt; "
           "double alpha; int looks; double t[5], z_boundary[5], cumulative_alpha[5]; };")
array("gs_cases", "gs_case", rows,
      "Lan-DeMets boundaries by scipy brentq on scipy.stats.multivariate_normal.cdf("
      f"maxpts={GS_TIGHT}, abseps=releps=0, lower_limit) crossing probabilities; "
      "cumulative_alpha = spending function at t_k (see make_reference.py)")
out.append(f"// max |z_boundary(maxpts={GS_TIGHT}) - z_boundary(maxpts={GS_LOOSE})| over gs_cases")
out.append(f"inline constexpr double gs_reference_accuracy = {num(gs_accuracy)};\n")

with open(os.path.join(HERE, "abtest_reference.hpp"), "w") as fh:
    fh.write("// Generated by tests/reference/abtest/make_reference.py; do not edit.\n")
    fh.write("// scipy %s, statsmodels %s, numpy %s, mpmath %s\n" % (
        __import__("scipy").__version__, __import__("statsmodels").__version__, np.__version__,
        mpmath.__version__))
    fh.write("#pragma once\n\n#include <cstdint>\n#include <limits>\n#include <vector>\n\n"
             "#include <patron/abtest.hpp>\n\nnamespace abtest_reference {\n\n"
             "inline constexpr double kInf = std::numeric_limits<double>::infinity();\n\n")
    fh.write("\n".join(out))
    fh.write("\n}  // namespace abtest_reference\n")
print("wrote", os.path.join(HERE, "abtest_reference.hpp"))
