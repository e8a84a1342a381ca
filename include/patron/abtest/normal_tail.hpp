// The complementary error function on SIMD packets, for p-values of z statistics in
// bulk (a million z-tests cost one erfc each; glibc's and Boost's erfc are scalar and
// were 60-75% of the time of the batch z-test).
//
// The approximations are Cephes' (Moshier 1992; scipy's ndtr, and so norm.sf, uses the
// same rational functions): erfc(x) = 1 - x T(x^2) / U(x^2) below 1, and
// exp(-x^2) P(x) / Q(x) below 8, exp(-x^2) R(x) / S(x) above. All three branches are
// evaluated on every lane and blended, with one division, and exp is Eigen's vectorised
// pexp, so a packet of 2, 4 or 8 doubles costs about what one scalar erfc did.
// Two changes from Cephes keep the far tail at full relative precision: exp(-x^2) is
// evaluated as exp(-x^2 / 2)^2, so it underflows gradually (to subnormals) instead of
// at x = 26.6, and the rounding error of x^2 (exact through a fused multiply-add when
// the target has one) is applied as a factor 1 - lo, instead of the ~1e-13 relative
// error Cephes documents there. Against glibc's erfc the relative difference is below
// 1.1e-15 with a fused multiply-add and 6e-14 without, wherever erfc(x) > 1e-300
// (tests/test_abtest_proportions.cpp checks a grid to 2e-13).
#pragma once

#include <Eigen/Core>
#include <cstddef>

namespace patron::detail {

using double_packet = Eigen::internal::packet_traits<double>::type;
constexpr int double_packet_size = Eigen::internal::packet_traits<double>::size;

// c[0] x^(N-1) + ... + c[N-1] (Horner; Cephes' polevl).
template <class Packet, std::size_t N>
Packet polynomial(const Packet& x, const double (&c)[N]) {
  using namespace Eigen::internal;
  Packet y = pset1<Packet>(c[0]);
  for (std::size_t i = 1; i < N; ++i) y = pmadd(y, x, pset1<Packet>(c[i]));
  return y;
}

// x^N + c[0] x^(N-1) + ... + c[N-1] (Cephes' p1evl).
template <class Packet, std::size_t N>
Packet monic_polynomial(const Packet& x, const double (&c)[N]) {
  using namespace Eigen::internal;
  Packet y = padd(x, pset1<Packet>(c[0]));
  for (std::size_t i = 1; i < N; ++i) y = pmadd(y, x, pset1<Packet>(c[i]));
  return y;
}

// erfc on every lane of a packet of x >= 0 (+inf included; NaN is not expected: callers
// pass z statistics of validated counts). The result is at most 1.
template <class Packet>
EIGEN_STRONG_INLINE Packet erfc_packet_non_negative(const Packet& x) {
  using namespace Eigen::internal;
  static constexpr double T[] = {9.60497373987051638749E0, 9.00260197203842689217E1,
                                 2.23200534594684319226E3, 7.00332514112805075473E3,
                                 5.55923013010394962768E4};
  static constexpr double U[] = {3.35617141647503099647E1, 5.21357949780152679795E2,
                                 4.59432382970980127987E3, 2.26290000613890934246E4,
                                 4.92673942608635921086E4};
  static constexpr double P[] = {2.46196981473530512524E-10, 5.64189564831068821977E-1,
                                 7.46321056442269912687E0,   4.86371970985681366614E1,
                                 1.96520832956077098242E2,   5.26445194995477358631E2,
                                 9.34528527171957607540E2,   1.02755188689515710272E3,
                                 5.57535335369399327526E2};
  static constexpr double Q[] = {1.32281951154744992508E1, 8.67072140885989742329E1,
                                 3.54937778887819891062E2, 9.75708501743205489753E2,
                                 1.82390916687909736289E3, 2.24633760818710981792E3,
                                 1.65666309194161350182E3, 5.57535340817727675546E2};
  static constexpr double R[] = {5.64189583547755073984E-1, 1.27536670759978104416E0,
                                 5.01905042251180477414E0,  6.16021097993053585195E0,
                                 7.40974269950448939160E0,  2.97886665372100240670E0};
  static constexpr double S[] = {2.26052863220117276590E0, 9.39603524938001434673E0,
                                 1.20489539808096656605E1, 1.70814450747565897222E1,
                                 9.60896809063285878198E0, 3.36907645100081516050E0};
  const Packet zero = pzero(x), one = pset1<Packet>(1.0);
  const Packet x2 = pmul(x, x);
  const Packet small = pcmp_lt(x, one);
  // Below 1: erfc = (U - x T) / U; above: the P/Q or R/S ratio, blended lane by lane
  // (one division for all). A branch is skipped when no lane needs it (common in real
  // data: |z| < 11 everywhere, so R/S is rarely needed); the lanes' values do not depend
  // on it, so results stay identical whatever the neighbours in the packet.
  const Packet t = polynomial(x2, T), u = monic_polynomial(x2, U);
  Packet numerator = psub(u, pmul(x, t)), denominator = u;
  const bool any_tail = predux_any(pcmp_le(one, x));
  if (any_tail) {
    const Packet middle = pcmp_lt(x, pset1<Packet>(8.0));
    Packet tail_numerator = polynomial(x, P), tail_denominator = monic_polynomial(x, Q);
    if (predux_any(pcmp_le(pset1<Packet>(8.0), x))) {
      tail_numerator = pselect(middle, tail_numerator, polynomial(x, R));
      tail_denominator = pselect(middle, tail_denominator, monic_polynomial(x, S));
    }
    numerator = pselect(small, numerator, tail_numerator);
    denominator = pselect(small, denominator, tail_denominator);
  }
  Packet y = pdiv(numerator, denominator);
  if (any_tail) {
    const Packet half_gaussian = pexp(pmul(pset1<Packet>(-0.5), x2));
    const Packet x2_error = pmadd(x, x, pnegate(x2));  // x^2 = x2 + x2_error
    const Packet tail =
        pmul(pmul(pmul(y, psub(one, x2_error)), half_gaussian), half_gaussian);
    // Beyond 40 erfc is 0 in doubles (and R/S would be inf/inf at x = inf).
    y = pselect(small, y, pselect(pcmp_lt(x, pset1<Packet>(40.0)), tail, zero));
  }
  return y;
}

// erfc on every lane of a packet, any sign: erfc(-x) = 2 - erfc(x).
template <class Packet>
EIGEN_STRONG_INLINE Packet erfc_packet(const Packet& x) {
  using namespace Eigen::internal;
  const Packet y = erfc_packet_non_negative(pabs(x));
  return pselect(pcmp_lt(x, pzero(x)), psub(pset1<Packet>(2.0), y), y);
}

// One erfc through the packet code, so single calls and batches give identical bits.
inline double erfc_vectorised(double x) {
  return Eigen::internal::pfirst(erfc_packet(Eigen::internal::pset1<double_packet>(x)));
}

}  // namespace patron::detail
