#!/usr/bin/python3
"""Reference values for tests/test_clv_boundary.cpp (fits whose maximum lies on the
boundary of the parameter space). Run with the Debian interpreter:
    /usr/bin/python3 tests/reference/clv/boundary_values.py
and paste the printed constants into the test. Every value comes from a route that does
not use patron's formulas:
- No dropout (every customer's last purchase at T): BG/NBD as a -> 0 and Pareto/NBD as
  s -> 0 reduce to the NBD likelihood G(r+x)/G(r) alpha^r (alpha+T)^-(r+x); its maximum
  (r, alpha, log L) is found by mpmath.findroot on the score equations at 40 digits,
  started from scipy's Nelder-Mead, and E[X(t)] = r t / alpha,
  E[Y(t) | x, T, T] = (r + x) t / (alpha + T) are the negative-binomial means.
- One customer (x, t_x, T) = (3, 20, 30), or ten identical ones: the likelihood is linear
  in the mixing distribution, so its supremum over BG/NBD and Pareto/NBD is the supremum
  over one purchase rate lambda and one dropout probability p (BG/NBD) or rate mu
  (Pareto/NBD), found by brute force over a grid and refined with mpmath.findroot.
- BG/BB expectations at extreme (alpha, beta, gamma, delta): the sums of beta-function
  ratios of FHS (2010), eqs. 9 and 13, term by term at 50 digits.
"""
import mpmath as mp
import numpy as np
from scipy import optimize

mp.mp.dps = 40

# --- no dropout: NBD maximum --------------------------------------------------------
n = 40
T = [30 + 3 * (i % 7) for i in range(n)]
x = [1 + (7 * i) % 13 for i in range(n)]


def nbd_ll(r, alpha):
    return mp.fsum(mp.loggamma(r + xi) - mp.loggamma(r) + r * mp.log(alpha) - (r + xi) * mp.log(alpha + Ti)
                   for xi, Ti in zip(x, T))


def nbd_ll_float(v):
    return -float(nbd_ll(mp.e ** v[0], mp.e ** v[1]))


start = optimize.minimize(nbd_ll_float, [0.0, 1.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12}).x
r, alpha = mp.findroot([lambda r, a: mp.diff(lambda rr: nbd_ll(rr, a), r),
                        lambda r, a: mp.diff(lambda aa: nbd_ll(r, aa), a)],
                       (mp.e ** start[0], mp.e ** start[1]))
print("no dropout: r =", mp.nstr(r, 20), " alpha =", mp.nstr(alpha, 20), " log L =", mp.nstr(nbd_ll(r, alpha), 20))
print("  E[X(10)] =", mp.nstr(r * 10 / alpha, 20))
print("  E[Y(10) | x = %d, T = %d] =" % (x[0], T[0]), mp.nstr((r + x[0]) * 10 / (alpha + T[0]), 20))

# --- one customer: supremum over point masses ----------------------------------------
X, TX, TT = 3, 20, 30


def bgnbd_point(lam, p):
    return (1 - p) ** X * lam ** X * mp.e ** (-lam * TT) + p * (1 - p) ** (X - 1) * lam ** X * mp.e ** (-lam * TX)


def pnbd_point(lam, mu):
    k = lam + mu
    return lam ** X * mp.e ** (-k * TT) + lam ** X * mu / k * (mp.e ** (-k * TX) - mp.e ** (-k * TT))


for name, f in (("BG/NBD", bgnbd_point), ("Pareto/NBD", pnbd_point)):
    grid_lam = np.linspace(0.01, 0.5, 491)
    grid_other = np.linspace(0.0, 1.0, 1001) if name == "BG/NBD" else np.concatenate([[0.0], np.geomspace(1e-6, 10, 1000)])
    best = max((float(f(mp.mpf(l), mp.mpf(o))), l, o) for l in grid_lam for o in grid_other)
    print(name, "one customer: grid supremum at lambda =", best[1], " other =", best[2])
    # At the other parameter's boundary value 0 the supremum over lambda is x / T.
    lam = mp.findroot(lambda l: mp.diff(lambda ll: mp.log(f(ll, 0)), l), mp.mpf(best[1]))
    print("  lambda =", mp.nstr(lam, 20), " log L =", mp.nstr(mp.log(f(lam, 0)), 20),
          " ten customers:", mp.nstr(10 * mp.log(f(lam, 0)), 20), " E[X(10)] =", mp.nstr(lam * 10, 20))

# --- BG/BB expectations at extreme parameters ----------------------------------------
mp.mp.dps = 50
B = mp.beta


def bgbb(a, b, g, d, x, tx, nn, n_star):
    a, b, g, d = map(mp.mpf, (a, b, g, d))
    L = B(a + x, b + nn - x) / B(a, b) * B(g, d + nn) / B(g, d)
    L += mp.fsum(B(a + x, b + tx - x + i) / B(a, b) * B(g + 1, d + tx + i) / B(g, d) for i in range(nn - tx))
    alive_opportunities = lambda lo, hi: mp.fsum(B(g, d + t) / B(g, d) for t in range(lo + 1, hi + 1))
    conditional = B(a + x + 1, b + nn - x) / B(a, b) / L * alive_opportunities(nn, nn + n_star)
    unconditional = a / (a + b) * alive_opportunities(0, n_star)
    return conditional, unconditional


for params in (("96391.9", "0.000127807", "0.000127807", "96391.9"), ("2.5", "0.5", "0.001", "30000"),
               ("0.7", "1.3", "1e-7", "5e6")):
    c, u = bgbb(*params, 6, 6, 6, 5)
    print("BG/BB", params, ": E[X(6, 6 + 5) | 6, 6, 6] =", mp.nstr(c, 20), " E[X(5)] =", mp.nstr(u, 20))

# --- Gamma-Gamma without spread within a customer: p -> inf, gamma -> 0 ---------------
# zbar | nu -> p / nu as p -> inf, so zbar ~ InverseGamma(q, scale c = p gamma): the limit
# of the likelihood is the inverse-gamma one, maximised over (q, c) here.
mp.mp.dps = 40
zbar = [mp.mpf(v) for v in ("13.63", "11.85", "5.36", "66.28", "7.93", "13.2", "15.05", "7.95", "8.84", "5.76",
                            "6.39", "45.98")]


def invgamma_ll(q, c):
    return mp.fsum(q * mp.log(c) - mp.loggamma(q) - (q + 1) * mp.log(z) - c / z for z in zbar)


q, c = mp.findroot([lambda q, c: mp.diff(lambda qq: invgamma_ll(qq, c), q),
                    lambda q, c: mp.diff(lambda cc: invgamma_ll(q, cc), c)], (mp.mpf(2.5), mp.mpf(25)))
print("Gamma-Gamma, no spread within a customer: q =", mp.nstr(q, 20), " p gamma =", mp.nstr(c, 20),
      " log L =", mp.nstr(invgamma_ll(q, c), 20))

# --- Gamma-Gamma with identical spends: the point returned on the ray p = q = 1e6 ---------
# log f(zbar | p, q, gamma; x) = log G(px+q) - log G(px) - log G(q) + q log gamma + px log x
#                                + (px-1) log zbar - (px+q) log(gamma + x zbar), x = 1..5.
mp.mp.dps = 60
for spend in ("10", "35.5"):
    z, p = mp.mpf(spend), mp.mpf(10) ** 6
    g = z * (p - 1) / p
    ll = mp.fsum(mp.loggamma(p * k + p) - mp.loggamma(p * k) - mp.loggamma(p) + p * mp.log(g) + p * k * mp.log(k)
                 + (p * k - 1) * mp.log(z) - (p * k + p) * mp.log(g + k * z) for k in range(1, 6))
    print("Gamma-Gamma, identical spends", spend, ": log L at p = q = 1e6 =", mp.nstr(ll, 20))
