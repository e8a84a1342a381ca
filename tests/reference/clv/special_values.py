#!/usr/bin/python3
"""Reference values of two special-function kernels of the CLV models, at 40 digits:
e^z Gamma(1 - s, z) (Pareto/NBD DERT) and psi(a + b) - psi(a) (the Gamma-Gamma
gradient near its q, gamma boundary). Printed as the literals of
tests/test_clv_pareto_nbd.cpp ("DERT's e^z Gamma(1-s, z) ...") and
tests/test_clv_gamma_gamma.cpp (digamma_difference).

    /usr/bin/python3 tests/reference/clv/special_values.py
"""
import mpmath

mpmath.mp.dps = 40

print("e^z Gamma(1 - s, z): {s, z, value}")
for s, z in [(0.6062, 0.05), (2.5, 5.0), (4.5, 50.0), (4.5, 500.0), (2.0, 800.0), (0.6062, 2000.0)]:
    v = mpmath.exp(z) * mpmath.gammainc(1 - mpmath.mpf(s), z)
    print(f"  {{{s}, {z}, {mpmath.nstr(v, 20)}}}")

print("psi(a + b) - psi(a): digamma_difference(a, b)")
for a, b in [(1e4, 0.5), (1e4, 37.3), (3e7, 4.2), (1e13, 12.0), (2e5, 1e-9)]:
    a_, b_ = mpmath.mpf(a), mpmath.mpf(b)
    print(f"  ({a:g}, {b:g}) = {mpmath.nstr(mpmath.digamma(a_ + b_) - mpmath.digamma(a_), 20)}")
