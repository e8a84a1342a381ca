#!/usr/bin/python3
"""Reference values for the O(1) rising factorials and digamma differences of
patron/core/special.hpp (log_rising_factorial, digamma_rising: Stirling's form past 1000
factors) and for BTYD likelihoods at an absurd repeat-purchase count x = 1e15, which
the per-purchase sums took days to reach. mpmath at 80 digits; printed as the literals
of tests/test_core.cpp ("log_rising_factorial and digamma_rising past 1000 terms") and
tests/test_clv_bgnbd.cpp / tests/test_clv_pareto_nbd.cpp ("x = 1e15").

    /usr/bin/python3 tests/reference/clv/rising_values.py
"""
import mpmath

# 80 digits: log Gamma(1e40) ~ 9e41 and psi(1e40) ~ 92 must keep ~40 digits after their
# difference (at 50 digits the c = 1e40 case is off in the 10th digit).
mpmath.mp.dps = 80
mpf = mpmath.mpf

# (c, n): the loop's old ground (c >= 1000 n), the lgamma branch (c < 1000), Stirling's
# branch at its edges (c = 1000, n = 1001) and with n >> c, c >> n.
CASES = [(1e12, 1e9), (1e40, 2000.0), (1e6, 1e15), (1000.0, 1001.0), (5e3, 1e6),
         (999.5, 1e4), (0.243, 1e15), (2.426, 1e15), (3.219, 1e15)]

print("log Gamma(c + n) / Gamma(c) and psi(c + n) - psi(c): {c, n, log_rf, psi_diff}")
for c, n in CASES:
    c_, n_ = mpf(c), mpf(n)
    lrf = mpmath.loggamma(c_ + n_) - mpmath.loggamma(c_)
    psi = mpmath.digamma(c_ + n_) - mpmath.digamma(c_)
    print(f"  {{{c!r}, {n!r}, {mpmath.nstr(lrf, 20)}, {mpmath.nstr(psi, 20)}}},")


def bgnbd_ll(r, alpha, a, b, x, t_x, T):
    r, alpha, a, b, x, t_x, T = map(mpf, (r, alpha, a, b, x, t_x, T))
    common = mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha)
    lb = mpmath.log(mpmath.beta(a, b + x)) - mpmath.log(mpmath.beta(a, b))
    l1 = lb + common - (r + x) * mpmath.log(alpha + T)
    ld = mpmath.log(mpmath.beta(a + 1, b + x - 1)) - mpmath.log(mpmath.beta(a, b))
    l2 = ld + common - (r + x) * mpmath.log(alpha + t_x)
    return l1 + mpmath.log1p(mpmath.exp(l2 - l1)), 1 / (1 + mpmath.exp(l2 - l1))


def pareto_nbd_ll(r, alpha, s, beta, x, t_x, T):
    # L = G(r+x) alpha^r beta^s / G(r) [(alpha+T)^-(r+x) (beta+T)^-s
    #       + int_{t_x}^T s (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau]:
    # the integrand falls by e^-1 every (alpha+tau)/(r+x) ~ 3e-14, so the quadrature is
    # split at t_x + k (alpha + t_x)/(r+x), k = 1, 2, 4, ..., where its mass lies.
    r, alpha, s, beta, x, t_x, T = map(mpf, (r, alpha, s, beta, x, t_x, T))
    common = mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha) + s * mpmath.log(beta)
    la = -(r + x) * mpmath.log(alpha + T) - s * mpmath.log(beta + T)
    lf0 = mpmath.log(s) - (r + x) * mpmath.log(alpha + t_x) - (s + 1) * mpmath.log(beta + t_x)
    scale = (alpha + t_x) / (r + x)
    points = [t_x] + [t_x + scale * 2**k for k in range(0, 12)]
    integral = mpmath.quad(lambda tau: mpmath.exp(mpmath.log(s) - (r + x) * mpmath.log(alpha + tau)
                                                  - (s + 1) * mpmath.log(beta + tau) - lf0), points)
    ld = lf0 + mpmath.log(integral)  # the rest, from t_x + 2^11 scale to T, is below e^-2000
    top = max(la, ld)
    total = top + mpmath.log(mpmath.exp(la - top) + mpmath.exp(ld - top))
    return common + total, mpmath.exp(la - total)


print("BG/NBD at the CDNOW parameters, x = 1e15, T = 38: {t_x, log L, P(alive)}")
for t_x in (37.9, 38.0):
    ll, alive = bgnbd_ll(0.243, 4.414, 0.793, 2.426, 1e15, t_x, 38)
    print(f"  {{{t_x}, {mpmath.nstr(ll, 20)}, {mpmath.nstr(alive, 20)}}}")
print("Pareto/NBD at the CDNOW parameters, x = 1e15, T = 38: {t_x, log L, P(alive)}")
for t_x in (37.9, 38.0):
    if t_x < 38:
        ll, alive = pareto_nbd_ll(0.5533, 10.5776, 0.6062, 11.6679, 1e15, t_x, 38)
    else:  # no time to die unseen: L is the alive term alone
        r, alpha, s, beta, x, T = map(mpf, (0.5533, 10.5776, 0.6062, 11.6679, 1e15, 38))
        ll = (mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha) + s * mpmath.log(beta)
              - (r + x) * mpmath.log(alpha + T) - s * mpmath.log(beta + T))
        alive = mpf(1)
    print(f"  {{{t_x}, {mpmath.nstr(ll, 20)}, {mpmath.nstr(alive, 20)}}}")


def pareto_nbd_short(r, alpha, s, beta, x, t_x, T):
    """log L and P(alive) = A(T) / (A(T) + D), D by direct quadrature of the death-time
    density over [t_x, T], a few ulp wide in the cases below, where the density falls by
    e^-8 within one ulp and patron integrates it as one exponential piece."""
    r, alpha, s, beta, x, t_x, T = map(mpf, (r, alpha, s, beta, x, t_x, T))
    common = mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha) + s * mpmath.log(beta)
    la = -(r + x) * mpmath.log(alpha + T) - s * mpmath.log(beta + T)
    lf0 = mpmath.log(s) - (r + x) * mpmath.log(alpha + t_x) - (s + 1) * mpmath.log(beta + t_x)
    integral = mpmath.quad(lambda tau: mpmath.exp(mpmath.log(s) - (r + x) * mpmath.log(alpha + tau)
                                                  - (s + 1) * mpmath.log(beta + tau) - lf0), [t_x, T])
    ld = lf0 + mpmath.log(integral)
    top = max(la, ld)
    total = top + mpmath.log(mpmath.exp(la - top) + mpmath.exp(ld - top))
    return common + total, mpmath.exp(la - total)


print("Pareto/NBD at r = 3e21, alpha = 1e6, s = beta = 1, x = 2, t_x = 30, T = 30 + k ulp: {k, log L, P(alive)}")
for k in (1, 4):
    ll, alive = pareto_nbd_short(3e21, 1e6, 1.0, 1.0, 2.0, 30.0, 30.0 + k * 2.0**-48)
    print(f"  {{{k}, {mpmath.nstr(ll, 20)}, {mpmath.nstr(alive, 20)}}}")

print("Pareto/NBD E[X(10)] = r beta / (alpha (s-1)) [1 - (beta / (beta+t))^(s-1)] at r = 1, alpha = 1e-300, "
      "s = beta = 1e300 (r beta / alpha overflows)")
r, alpha, s, beta, t = mpf(1), mpf(1e-300), mpf(1e300), mpf(1e300), mpf(10)
# (beta / (beta + t))^(s-1) as exp(-(s-1) log1p(t / beta)): beta / (beta + t) is 1 - 1e-299
print(f"  {mpmath.nstr(r * beta / (alpha * (s - 1)) * -mpmath.expm1(-(s - 1) * mpmath.log1p(t / beta)), 20)}")

print("e^z z^(s-1) Gamma(1 - s, z) for s >= 20, z <= 1 (the DERT factor over beta + T): {s, z, value}")
for s, z in [(20.5, 1e-6), (60.0, 0.39), (1e6, 0.5)]:
    a, z_ = 1 - mpf(s), mpf(z)
    print(f"  {{{s}, {z}, {mpmath.nstr(mpmath.exp(z_) * z_**(-a) * mpmath.gammainc(a, z_), 20)}}}")

print("BG/NBD E[X(t)] = int_0^1 (1 - (1 + p t/alpha)^-r) / p Beta(p; a, b) dp at a + b = 1, where the "
      "2F1 form has c = a + b - 1 = 0: {a, b, t, value}")
r, alpha = mpf(0.243), mpf(4.414)
for a, b, t in [(0.5, 0.5, 39.0), (0.25, 0.75, 10.0), (0.5, 0.5 + 3e-6, 39.0)]:
    a_, b_, t_ = mpf(a), mpf(b), mpf(t)
    value = mpmath.quad(lambda p: -mpmath.expm1(-r * mpmath.log1p(p * t_ / alpha)) / p
                        * p**(a_ - 1) * (1 - p)**(b_ - 1), [0, 0.5, 1]) / mpmath.beta(a_, b_)
    print(f"  {{{a}, {b!r}, {t}, {mpmath.nstr(value, 20)}}}")

print("BG/NBD E[Y(10) | x, t_x = T = 38] at the CDNOW parameters: P(alive) times the mean over "
      "p ~ Beta(a, b+x) of (1 - ((alpha+T) / (alpha+T+p t))^(r+x)) / p: {x, value}")
r, alpha, a, b, T, t = map(mpf, (0.243, 4.414, 0.793, 2.426, 38, 10))
for x in (1e6, 1e9, 1e15):
    x_ = mpf(x)
    shape, scale, b_ = r + x_, alpha + T, b + x_
    log_norm = mpmath.log(mpmath.beta(a, b_))
    f = lambda p: (-mpmath.expm1(-shape * mpmath.log1p(p * t / scale)) / p
                   * mpmath.exp((a - 1) * mpmath.log(p) + (b_ - 1) * mpmath.log1p(-p) - log_norm))
    points = [0] + [mpf(10)**k / x_ for k in range(-4, 5)] + [1]
    alive = 1 / (1 + a / (b + x_ - 1))
    print(f"  {{{x!r}, {mpmath.nstr(alive * mpmath.quad(f, points), 20)}}}")
