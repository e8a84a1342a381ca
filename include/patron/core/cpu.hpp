// Instruction sets chosen at run time, for the few loops whose speed depends most on
// them, in builds that do not assume them.
//
// A library built for the x86-64 baseline (what distributions and Python wheels ship)
// runs SSE2 code even on a machine with AVX2. The loops that gain most (the RFM row
// encoding: table 55 -> 33 ms for 5M rows; the quantile brackets) are compiled a second
// time for AVX2 and taken when the processor has it. The two versions are one template body, inlined into
// each, so they compute the same thing; only integer and exact double operations run
// in them (AVX2 without FMA: no contraction changes a rounding).
#pragma once

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__AVX2__)
#define PATRON_DISPATCH_AVX2 1
#define PATRON_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define PATRON_DISPATCH_AVX2 0
#define PATRON_TARGET_AVX2
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PATRON_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PATRON_ALWAYS_INLINE inline
#endif

namespace patron::detail {

#if PATRON_DISPATCH_AVX2
// Whether this processor runs AVX2 (asked once).
inline bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}
#endif

}  // namespace patron::detail
