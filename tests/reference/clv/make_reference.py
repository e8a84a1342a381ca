#!/usr/bin/python3
"""Reference values for tests/test_clv_*.cpp, written to clv_reference.hpp.

Run with the Debian interpreter (it has python3-mpmath and python3-scipy):
    /usr/bin/python3 tests/reference/clv/make_reference.py

Every value is computed at 40 significant digits with mpmath, by a route independent
of patron's formulas wherever one exists:
- hyp2f1: mpmath.hyp2f1 (arbitrary precision, its own transformations).
- BG/NBD E[X(t)] and E[Y(t) | x, t_x, T]: quadrature over the dropout probability p of
  (1/p)(1 - (scale/(scale + p t))^shape) against the (posterior) Beta density, not the
  2F1 closed form; P(alive) from the likelihood terms; the PMF from the finite
  negative-binomial sum of eq. 8 (patron uses the incomplete beta function).
- Pareto/NBD log-likelihood and P(alive): the death-time integral
  s * int_{t_x}^{T} (alpha+y)^-(r+x) (beta+y)^-(s+1) dy by quadrature (patron uses 2F1);
  DERT with mpmath.hyperu (patron: incomplete gamma recurrences); finite-horizon
  discounted purchases by quadrature of e^(-delta t) dE[Y(t)].
- BG/BB DERT: the infinite discounted sum of per-opportunity expectations (patron: 2F1).
- BG/BB P(X(n) = x) and E[X(n)]: dynamic programming over the opportunities with p and
  theta as Polya urns (patron: the beta-function sum of FHS 2010 eq. 7, eq. 9).
- Retention CLV: explicit sums (patron: closed forms).
"""
import mpmath as mp

mp.mp.dps = 40
OUT = __file__.replace("make_reference.py", "clv_reference.hpp")
lines = []


def emit(name, rows, fields):
    lines.append(f"struct {name}_case {{ double {', '.join(fields)}; }};")
    lines.append(f"inline constexpr {name}_case {name}[] = {{")
    for row in rows:
        lines.append("    {" + ", ".join(mp.nstr(mp.mpf(v), 20) if not isinstance(v, int) else str(v)
                                          for v in row) + "},")
    lines.append("};")


# --- 2F1 ---------------------------------------------------------------------------
hyp_points = [
    (0.5, 1.5, 2.5, 0.3), (1.0, 1.0, 2.0, 0.5), (2.3, 4.1, 3.3, 0.85),       # series
    (0.7, 1.3, 2.9, 0.95), (1.5, 2.5, 3.7, 0.999), (0.3, 0.4, 2.5, 0.99999),  # 1 - z formula
    (1.0, 2.0, 3.0, 0.97), (1.0, 1.0, 2.0, 0.95),                            # c-a-b integer: series
    (0.6, 2.1, 1.7, -0.4), (1.2, 0.8, 2.2, -5.0), (3.0, 0.5, 1.5, -250.0),   # Pfaff
    (100.5, 1.6, 101.5, 0.8), (10000.8, 1.6, 10001.8, 0.5),                  # Pareto/NBD shapes
    (0.243, 2.426, 2.219, 0.9),                                              # BG/NBD shape
    (1.0, 9.78, 10.44, 1 / 1.1), (1.0, 3.78, 4.44, 1 / 1.001),               # BG/BB DERT shapes
    (0.5, 0.25, 2.0, 1.0),                                                   # Gauss at z = 1
]
emit("hyp2f1_reference", [(a, b, c, z, mp.hyp2f1(a, b, c, z)) for a, b, c, z in hyp_points],
     ["a", "b", "c", "z", "value"])

# --- BG/NBD --------------------------------------------------------------------------
r, alpha, a, b = map(mp.mpf, ("0.242593", "4.413531", "0.792886", "2.425751"))


def beta_pdf(p, a_, b_):
    return p ** (a_ - 1) * (1 - p) ** (b_ - 1) / mp.beta(a_, b_)


def bg_expect(shape, scale, a_, b_, t):
    # E over p ~ Beta(a_, b_) of (1/p)(1 - (scale/(scale + p t))^shape).
    f = lambda p: (1 - (scale / (scale + p * t)) ** shape) / p * beta_pdf(p, a_, b_)
    return mp.quad(f, [0, mp.mpf(10) ** -8, mp.mpf("0.01"), 1])


def bg_palive(x, tx, T):
    if x == 0:
        return mp.mpf(1)
    return 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def bg_pmf(t, x):
    first = (mp.beta(a, b + x) / mp.beta(a, b) * mp.gamma(r + x) / (mp.gamma(r) * mp.factorial(x))
             * (alpha / (alpha + t)) ** r * (t / (alpha + t)) ** x)
    if x == 0:
        return first
    partial = sum(mp.gamma(r + j) / (mp.gamma(r) * mp.factorial(j)) * (t / (alpha + t)) ** j for j in range(x))
    return first + mp.beta(a + 1, b + x - 1) / mp.beta(a, b) * (1 - (alpha / (alpha + t)) ** r * partial)


bg_customers = [(2, "30.43", "38.86"), (0, "0", "38.86"), (1, "1.71", "38.86"), (7, "29.43", "35.14"),
                (25, "36.5", "37.0"), (3, "5.0", "38.0")]
bg_rows = []
for x, tx, T in bg_customers:
    tx, T = mp.mpf(tx), mp.mpf(T)
    for t in ("39", "0.5", "200"):
        t = mp.mpf(t)
        cond = bg_palive(x, tx, T) * bg_expect(r + x, alpha + T, a, b + x, t)
        bg_rows.append((x, tx, T, t, bg_palive(x, tx, T), bg_palive(x, tx, T + t), cond))
emit("bgnbd_customer_reference", bg_rows, ["x", "t_x", "T", "t", "p_alive", "p_alive_after_t", "expected"])
emit("bgnbd_new_customer_reference", [(t, bg_expect(r, alpha, a, b, mp.mpf(t))) for t in ("1", "39", "78", "520")],
     ["t", "expected"])
emit("bgnbd_pmf_reference", [(t, x, bg_pmf(mp.mpf(t), x)) for t in ("39", "78") for x in (0, 1, 2, 5, 20)],
     ["t", "x", "probability"])

# --- Pareto/NBD ----------------------------------------------------------------------
pr, palpha, ps, pbeta = map(mp.mpf, ("0.5533", "10.5776", "0.6062", "11.6679"))


def pnbd_terms(x, tx, T, r_=None, al=None, s_=None, be=None):
    r_, al, s_, be = (r_ or pr), (al or palpha), (s_ or ps), (be or pbeta)
    const = mp.loggamma(r_ + x) - mp.loggamma(r_) + r_ * mp.log(al) + s_ * mp.log(be)
    alive = (al + T) ** (-(r_ + x)) * (be + T) ** (-s_)
    if tx == T:
        return const, alive, mp.mpf(0)
    f = lambda y: (al + y) ** (-(r_ + x)) * (be + y) ** (-(s_ + 1))
    # Breakpoints growing geometrically from the integrand's decay scale near t_x.
    width = (al + tx) / (r_ + x + s_ + 1) / 8
    points = [tx]
    while points[-1] + width < T:
        points.append(points[-1] + width)
        width *= 2
    points.append(T)
    # mpmath.quad's tolerance is absolute: integrate f relative to its value at t_x.
    scale = f(tx)
    dead = s_ * scale * mp.quad(lambda y: f(y) / scale, points, maxdegree=10)
    # Cross-check against the 2F1 form of the MATLAB note (mpmath.hyp2f1).
    K = r_ + s_ + x
    if al >= be:
        F = lambda t: mp.hyp2f1(K, s_ + 1, K + 1, (al - be) / (al + t), maxterms=10**6) / (al + t) ** K
    else:
        F = lambda t: mp.hyp2f1(K, r_ + x, K + 1, (be - al) / (be + t), maxterms=10**6) / (be + t) ** K
    assert abs(dead / (s_ / K * (F(tx) - F(T))) - 1) < mp.mpf(10) ** -25, (x, tx, T)
    return const, alive, dead


def pnbd_ll(x, tx, T, **kw):
    const, alive, dead = pnbd_terms(x, tx, T, **kw)
    return const + mp.log(alive + dead)


def pnbd_palive(x, tx, T, **kw):
    _, alive, dead = pnbd_terms(x, tx, T, **kw)
    return alive / (alive + dead)


def pnbd_expected(t, x, tx, T):
    return ((pr + x) * (pbeta + T) / ((palpha + T) * (ps - 1)) * (1 - ((pbeta + T) / (pbeta + T + t)) ** (ps - 1))
            * pnbd_palive(x, tx, T))


def pnbd_dert(delta, x, tx, T):
    _, alive, dead = pnbd_terms(x, tx, T)
    L = mp.exp(mp.loggamma(pr + x) - mp.loggamma(pr) + pr * mp.log(palpha) + ps * mp.log(pbeta)) * (alive + dead)
    return (palpha ** pr * pbeta ** ps * delta ** (ps - 1) * mp.gamma(pr + x + 1) * mp.hyperu(ps, ps, delta * (pbeta + T))
            / (mp.gamma(pr) * (palpha + T) ** (pr + x + 1) * L))


def pnbd_discounted(delta, horizon, x, tx, T):
    # int_0^H e^(-delta t) dE[Y(t)] with dE/dt by mpmath.diff.
    return mp.quad(lambda t: mp.exp(-delta * t) * mp.diff(lambda u: pnbd_expected(u, x, tx, T), t), [0, horizon])


def pnbd_pmf(t, x):
    # Fader & Hardie (2006), "Deriving an expression for P(X(t) = x) under the Pareto/NBD
    # model": the 2F1 closed form, cross-checked against the mixture over the death time.
    r_, al, s_, be = pr, palpha, ps, pbeta
    first = (mp.gamma(r_ + x) / (mp.gamma(r_) * mp.factorial(x)) * (al / (al + t)) ** r_ * (t / (al + t)) ** x
             * (be / (be + t)) ** s_)
    if al >= be:
        b1 = mp.hyp2f1(r_ + s_, s_ + 1, r_ + s_ + x + 1, (al - be) / al) / al ** (r_ + s_)
        b2 = lambda i: mp.hyp2f1(r_ + s_ + i, s_ + 1, r_ + s_ + x + 1, (al - be) / (al + t)) / (al + t) ** (r_ + s_ + i)
    else:
        b1 = mp.hyp2f1(r_ + s_, r_ + x, r_ + s_ + x + 1, (be - al) / be) / be ** (r_ + s_)
        b2 = lambda i: mp.hyp2f1(r_ + s_ + i, r_ + x, r_ + s_ + x + 1, (be - al) / (be + t)) / (be + t) ** (r_ + s_ + i)
    bracket = b1 - sum(mp.gamma(r_ + s_ + i) / (mp.gamma(r_ + s_) * mp.factorial(i)) * t ** i * b2(i)
                       for i in range(x + 1))
    closed = first + al ** r_ * be ** s_ * mp.beta(r_ + x, s_ + 1) / mp.beta(r_, s_) * bracket
    nb = lambda tau: (mp.gamma(r_ + x) / (mp.gamma(r_) * mp.factorial(x)) * (al / (al + tau)) ** r_
                      * (tau / (al + tau)) ** x)
    mixture = first + mp.quad(lambda tau: nb(tau) * s_ * be ** s_ * (be + tau) ** (-(s_ + 1)), [0, t])
    assert abs(closed / mixture - 1) < mp.mpf(10) ** -25, (t, x)
    return closed


emit("pnbd_pmf_reference", [(t, x, pnbd_pmf(mp.mpf(t), x)) for t in ("39", "78") for x in (0, 1, 2, 5, 20)],
     ["t", "x", "probability"])

pnbd_customers = [(2, "30.43", "38.86"), (0, "0", "38.86"), (1, "1.71", "38.86"), (7, "29.43", "35.14"),
                  (25, "36.5", "37.0"), (3, "38.0", "38.0")]
pnbd_rows = []
for x, tx, T in pnbd_customers:
    tx, T = mp.mpf(tx), mp.mpf(T)
    pnbd_rows.append((x, tx, T, pnbd_ll(x, tx, T), pnbd_palive(x, tx, T), pnbd_palive(x, tx, T + 13),
                      pnbd_expected(mp.mpf(39), x, tx, T), pnbd_dert(mp.mpf("0.0015"), x, tx, T),
                      pnbd_discounted(mp.log(mp.mpf("1.01")) / (mp.mpf(52) / 12), 52, x, tx, T)))
emit("pnbd_customer_reference", pnbd_rows,
     ["x", "t_x", "T", "log_likelihood", "p_alive", "p_alive_after_13", "expected_39", "dert_0_0015",
      "discounted_52_weeks"])

# Extreme frequencies and both branches (alpha >= beta and alpha < beta).
extreme = []
for (r_, al, s_, be) in [("0.5533", "10.5776", "0.6062", "11.6679"), ("0.8", "30.0", "1.7", "2.5"),
                         ("2.0", "0.05", "0.3", "40.0")]:
    r_, al, s_, be = map(mp.mpf, (r_, al, s_, be))
    for x, tx, T in [(10000, "30.0", "38.86"), (1000, "38.0", "38.86"), (50, "10.0", "38.86"), (0, "0", "100")]:
        tx, T = mp.mpf(tx), mp.mpf(T)
        kw = dict(r_=r_, al=al, s_=s_, be=be)
        extreme.append((r_, al, s_, be, x, tx, T, pnbd_ll(x, tx, T, **kw), mp.log(pnbd_palive(x, tx, T, **kw))))
emit("pnbd_extreme_reference", extreme, ["r", "alpha", "s", "beta", "x", "t_x", "T", "log_likelihood", "log_p_alive"])

# --- BG/BB ---------------------------------------------------------------------------
ba, bb, bg, bd = map(mp.mpf, ("1.2035", "0.7497", "0.6567", "2.7834"))


def B(x, y):
    return mp.beta(x, y)


def bgbb_L(x, tx, n):
    total = B(ba + x, bb + n - x) / B(ba, bb) * B(bg, bd + n) / B(bg, bd)
    for i in range(n - tx):
        total += B(ba + x, bb + tx - x + i) / B(ba, bb) * B(bg + 1, bd + tx + i) / B(bg, bd)
    return total


def bgbb_expected(nstar, x, tx, n):
    return (B(ba + x + 1, bb + n - x) / B(ba, bb) * bd / (bg - 1) * mp.gamma(bg + bd) / mp.gamma(1 + bd)
            * (mp.gamma(1 + bd + n) / mp.gamma(bg + bd + n) - mp.gamma(1 + bd + n + nstar) / mp.gamma(bg + bd + n + nstar))
            / bgbb_L(x, tx, n))


def bgbb_dert(d, x, tx, n):
    return mp.nsum(lambda k: (bgbb_expected(k, x, tx, n) - bgbb_expected(k - 1, x, tx, n)) / (1 + d) ** k, [1, mp.inf])


bgbb_rows = []
for x, tx, n in [(0, 0, 6), (1, 1, 6), (3, 5, 6), (6, 6, 6), (2, 3, 6), (4, 4, 5)]:
    bgbb_rows.append((x, tx, n, mp.log(bgbb_L(x, tx, n)),
                      B(ba + x, bb + n - x) / B(ba, bb) * B(bg, bd + n + 1) / B(bg, bd) / bgbb_L(x, tx, n),
                      bgbb_expected(5, x, tx, n), bgbb_dert(mp.mpf("0.1"), x, tx, n)))
emit("bgbb_customer_reference", bgbb_rows,
     ["x", "t_x", "n", "log_likelihood", "p_alive", "expected_5", "dert_0_1"])



def bgbb_pmf_urn(n, a_, b_, g_, d_):
    """P(X(n) = x) for x = 0..n by dynamic programming over the opportunities, with p and
    theta integrated out as Polya urns (no beta functions, no closed form): a customer
    alive after t opportunities survives the next with probability (d_+t)/(g_+d_+t) and
    then, having had t trials with k transactions, transacts with (a_+k)/(a_+b_+t)."""
    alive = [mp.mpf(1)] + [mp.mpf(0)] * n  # by transactions so far
    dead = [mp.mpf(0)] * (n + 1)
    for t in range(n):
        survive = (d_ + t) / (g_ + d_ + t)
        nxt = [mp.mpf(0)] * (n + 1)
        for k in range(t + 1):
            if alive[k] == 0:
                continue
            dead[k] += alive[k] * (1 - survive)
            buy = (a_ + k) / (a_ + b_ + t)
            nxt[k + 1] += alive[k] * survive * buy
            nxt[k] += alive[k] * survive * (1 - buy)
        alive = nxt
    return [alive[k] + dead[k] for k in range(n + 1)]


# P(X(n) = x) and E[X(n)] = sum_x x P(X(n) = x): donations parameters, and gamma > 1.
bgbb_pmf_rows, bgbb_mean_rows = [], []
for params in [(ba, bb, bg, bd), tuple(map(mp.mpf, ("0.45", "2.3", "1.8", "0.9")))]:
    for n in [1, 6, 11, 40]:
        pmf = bgbb_pmf_urn(n, *params)
        for x in sorted({0, 1, n // 2, n - 1, n}):
            bgbb_pmf_rows.append((*params, n, x, pmf[x]))
        bgbb_mean_rows.append((*params, n, sum(k * pmf[k] for k in range(n + 1))))
emit("bgbb_pmf_reference", bgbb_pmf_rows, ["alpha", "beta", "gamma", "delta", "n", "x", "probability"])
emit("bgbb_mean_reference", bgbb_mean_rows, ["alpha", "beta", "gamma", "delta", "n", "expected"])

# --- Retention CLV -------------------------------------------------------------------
clv_rows = []
for m, rr, d, H in [("100", "0.8", "0.1", 10), ("50", "0.95", "0.05", 40), ("1", "0.3", "0", 3)]:
    m, rr, d = map(mp.mpf, (m, rr, d))
    end = sum(m * (rr / (1 + d)) ** t for t in range(1, H + 1))
    start = sum(m * (rr / (1 + d)) ** t for t in range(0, H))
    end_inf = mp.nsum(lambda t: m * (rr / (1 + d)) ** t, [1, mp.inf])
    start_inf = mp.nsum(lambda t: m * (rr / (1 + d)) ** t, [0, mp.inf])
    clv_rows.append((m, rr, d, H, end, start, end_inf, start_inf))
emit("retention_clv_reference", clv_rows,
     ["margin", "retention", "discount", "horizon", "end_finite", "start_finite", "end_infinite", "start_infinite"])

header = ["// Generated by tests/reference/clv/make_reference.py (mpmath " + mp.__version__ + ", 40 digits).",
          "// Do not edit: rerun the script.", "#pragma once", "", "namespace clv_reference {", ""]
with open(OUT, "w") as out:
    out.write("\n".join(header + lines + ["", "}  // namespace clv_reference", ""]))
print("wrote", OUT)
