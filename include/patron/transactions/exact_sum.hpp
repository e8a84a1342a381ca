// Exact sums of non-negative amounts for patron/transactions.hpp and patron/rfm.hpp.
//
// Every total patron reports (spend, revenue, holdout spend) is the exact sum of its
// amounts rounded once to the nearest double (ties to even), as Python's math.fsum
// rounds it. The result therefore depends on nothing but the multiset of amounts: not
// on the order of the rows, the sharding, or the number of threads, so the library can
// aggregate in a single pass over unsorted rows and still return bit-identical results.
//
// A finite non-negative double is m * 2^(e - 1075) with an integer m < 2^53 and
// e = max(biased exponent, 1). Sums run in integer arithmetic:
// - window_summer: when every amount of the input lies in a 75-bit window of exponents
//   (always, for money), two 64-bit limbs per sum on the grid 2^(e_min - 1075);
// - wide_summer: otherwise, 34 limbs spanning the whole double range.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace patron::detail {

struct double_parts {
  std::uint64_t mantissa;  // m < 2^53
  int exponent;            // e in 1..2046
};

inline double_parts parts_of(double amount) {
  std::uint64_t bits;
  std::memcpy(&bits, &amount, sizeof bits);
  const auto biased = static_cast<int>((bits >> 52) & 0x7ff);  // the sign of -0.0 dropped
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  return biased == 0 ? double_parts{fraction, 1}
                     : double_parts{fraction | (std::uint64_t{1} << 52), biased};
}

inline int leading_zeros(std::uint64_t x) {  // x != 0
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_clzll(x);
#else
  int n = 0;
  for (std::uint64_t top = std::uint64_t{1} << 63; !(x & top); top >>= 1) ++n;
  return n;
#endif
}

// x * 2^e, as std::ldexp computes it (exact or correctly rounded); a multiplication by
// the power of two when that is a normal double, which is most of the cost of
// rounding a sum otherwise.
inline double times_power_of_two(double x, int e) {
  if (e < -1022 || e > 1023) return std::ldexp(x, e);
  const std::uint64_t bits = static_cast<std::uint64_t>(e + 1023) << 52;
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x * scale;
}

// sum_i limb[i] 2^(64 i) * 2^scale rounded to nearest, ties to even (scale >= -1074).
inline double round_to_double(const std::uint64_t* limb, int n, int scale) {
  int top = n - 1;
  while (top >= 0 && limb[top] == 0) --top;
  if (top < 0) return 0.0;
  const int high = 64 * top + 63 - leading_zeros(limb[top]);
  // 53 significant bits, fewer when the result is subnormal; at least one, since the
  // value is a non-zero multiple of 2^scale >= 2^-1074.
  const int kept = std::min(53, high + scale + 1075);
  const int low = high - kept + 1;
  if (low <= 0) return times_power_of_two(static_cast<double>(limb[0]), scale);  // exact
  const auto bit = [&](int p) { return (limb[p / 64] >> (p % 64)) & 1u; };
  std::uint64_t word = limb[low / 64] >> (low % 64);
  if (low % 64 != 0 && low / 64 + 1 < n) word |= limb[low / 64 + 1] << (64 - low % 64);
  std::uint64_t mantissa = word & ((std::uint64_t{1} << kept) - 1);
  const int r = low - 1;
  bool sticky = (limb[r / 64] & ((std::uint64_t{1} << (r % 64)) - 1)) != 0;
  for (int i = r / 64 - 1; i >= 0 && !sticky; --i) sticky = limb[i] != 0;
  if (bit(r) && (sticky || (mantissa & 1u))) ++mantissa;
  // mantissa has at most `kept` bits (53, or as many as a subnormal result holds) and
  // perhaps one more from rounding up, a power of two: the product is exact.
  return times_power_of_two(static_cast<double>(mantissa), low + scale);
}

// round_to_double for two limbs, without loops or data-dependent branches: the top 64
// bits of the value, with a sticky bit for the rest in their lowest bit, rounded by the
// conversion to double. That conversion rounds to nearest, ties to even, as the value
// itself would be: the sticky bit lies below the rounding position (bit 11), where it
// only tells an exact half from more. (Rounding by hand instead, comparing the dropped
// bits, is a branch the data decide: it halved the speed of filling an RFM table.)
// Falls back to round_to_double when the result may be subnormal.
inline double round_two_limbs(std::uint64_t lo, std::uint64_t hi, int scale) {
  if (scale < -1022) {
    const std::uint64_t limb[2] = {lo, hi};
    return round_to_double(limb, 2, scale);
  }
  if (hi == 0) return times_power_of_two(static_cast<double>(lo), scale);
  const int z = leading_zeros(hi);
  const std::uint64_t top = (hi << z) | ((lo >> 1) >> (63 - z));
  const std::uint64_t sticky = (lo << z) != 0 ? 1 : 0;
  return times_power_of_two(static_cast<double>(top | sticky), 64 - z + scale);
}

// Exponent range of the non-zero amounts of an input, which picks the summer.
struct amount_exponents {
  int low = 2047, high = 0;  // empty range: only zeros seen

  void note(double amount) {
    if (amount == 0.0) return;
    const int e = parts_of(amount).exponent;
    low = e < low ? e : low;
    high = e > high ? e : high;
  }
  void merge(const amount_exponents& other) {
    low = other.low < low ? other.low : low;
    high = other.high > high ? other.high : high;
  }
  // Two limbs hold any sum of `terms` amounts: each is below 2^(53 + high - low).
  [[nodiscard]] bool fit_window(std::uint64_t terms) const {
    int width = 0;
    for (; terms != 0; terms >>= 1) ++width;
    return low > high || (high - low) + 53 + width <= 128;
  }
};

// Two 64-bit limbs on the grid 2^(low - 1075); valid when amount_exponents::fit_window.
struct window_summer {
  struct sum {
    std::uint64_t lo = 0, hi = 0;
  };
  int low = 1;

  void add(sum& s, double amount) const {
    const auto [m, e] = parts_of(amount);
    // 0 .. 74 for a non-zero amount; a zero (m = 0) may sit below the window.
    const int shift = e > low ? e - low : 0;
    const std::uint64_t add_lo = shift < 64 ? m << shift : 0;
    const std::uint64_t add_hi = shift == 0 ? 0 : shift < 64 ? m >> (64 - shift) : m << (shift - 64);
    s.lo += add_lo;
    s.hi += add_hi + (s.lo < add_lo ? 1u : 0u);
  }
  static void merge(sum& s, const sum& other) {
    s.lo += other.lo;
    s.hi += other.hi + (s.lo < other.lo ? 1u : 0u);
  }
  [[nodiscard]] double value(const sum& s) const {
    return round_two_limbs(s.lo, s.hi, low - 1075);
  }
};

// Fixed point over the whole range of doubles (2^-1074 up to 2^1102): any input.
struct wide_summer {
  static constexpr int limbs = 34;
  struct sum {
    std::array<std::uint64_t, limbs> limb{};
  };

  static void add(sum& s, double amount) {
    const auto [m, e] = parts_of(amount);
    const int p = e - 1;
    auto i = static_cast<std::size_t>(p / 64);
    const int o = p % 64;
    std::uint64_t carry = o == 0 ? 0 : m >> (64 - o);
    std::uint64_t& first = s.limb[i];
    first += m << o;
    if (first < (m << o)) ++carry;
    for (++i; carry != 0 && i < limbs; ++i) {
      s.limb[i] += carry;
      carry = s.limb[i] < carry ? 1u : 0u;
    }
  }
  static void merge(sum& s, const sum& other) {
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < limbs; ++i) {
      const std::uint64_t part = other.limb[i] + carry;
      carry = part < carry ? 1u : 0u;
      s.limb[i] += part;
      if (s.limb[i] < part) ++carry;
    }
  }
  [[nodiscard]] static double value(const sum& s) {
    return round_to_double(s.limb.data(), limbs, -1074);
  }
};

inline window_summer window_for(const amount_exponents& range) {
  return window_summer{range.low > range.high ? 1 : range.low};
}

// Calls f(summer) with the window summer when it holds every sum of at most `terms` of
// these amounts, the wide one otherwise.
template <class F>
decltype(auto) with_summer(const amount_exponents& range, std::uint64_t terms, F&& f) {
  if (range.fit_window(terms)) return f(window_for(range));
  return f(wide_summer{});
}

}  // namespace patron::detail
