// Deterministic random numbers: the same seed gives the same stream on every platform,
// compiler and standard library. std::*_distribution is deliberately not used: its
// algorithms are implementation-defined, so libstdc++, libc++ and MSVC disagree.
//
// Engine: xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64 so any
// 64-bit seed, including 0, gives a well-mixed state. Streams: rng(seed, stream) gives
// independent sequences for parallel workers, so results do not depend on how many
// threads run: work item i always uses stream i, whoever executes it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace patron {

class rng {
 public:
  explicit rng(std::uint64_t seed = 0, std::uint64_t stream = 0) {
    std::uint64_t s = seed ^ (0x9E3779B97F4A7C15ULL * (stream + 1));
    for (auto& word : state_) word = splitmix64(s);
  }

  // Raw 64 random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform on (0, 1): safe to take the log of.
  double uniform_open() {
    return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53;
  }

  // Uniform integer in [0, n), unbiased: the top bits of a draw, rejected when they
  // fall outside [0, n) (at most 2 draws expected). n > 0.
  std::uint64_t uniform_index(std::uint64_t n) {
    if (n <= 1) return 0;
    int bits = 64;
    while (bits > 1 && ((n - 1) >> (bits - 1)) == 0) --bits;
    for (;;) {
      const std::uint64_t candidate = next() >> (64 - bits);
      if (candidate < n) return candidate;
    }
  }

  // Standard normal by the Marsaglia polar method (only log and sqrt, both correctly
  // rounded in mainstream libms; no trigonometric functions).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

  double normal(double mean, double sd) { return mean + sd * normal(); }

  // Exponential with the given rate (> 0).
  double exponential(double rate) { return -std::log(uniform_open()) / rate; }

  // Gamma(shape, scale) by Marsaglia & Tsang (2000); shape < 1 through
  // Gamma(shape) = Gamma(shape + 1) * U^(1/shape).
  double gamma(double shape, double scale = 1.0) {
    if (shape < 1.0) return gamma(shape + 1.0, scale) * std::pow(uniform_open(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_open();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v * scale;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v * scale;
    }
  }

  // Beta(a, b) from two gammas.
  double beta(double a, double b) {
    const double x = gamma(a);
    const double y = gamma(b);
    return x / (x + y);
  }

  // Poisson(mean) by inversion; large means are split into chunks of 30 so that
  // exp(-mean) never underflows. Cost grows linearly with the mean.
  std::uint64_t poisson(double mean) {
    std::uint64_t total = 0;
    while (mean > 30.0) {
      total += poisson_inversion(30.0);
      mean -= 30.0;
    }
    return total + poisson_inversion(mean);
  }

  // Bernoulli(p).
  bool bernoulli(double p) { return uniform() < p; }

  // In-place Fisher-Yates shuffle.
  template <class T>
  void shuffle(std::vector<T>& values) {
    for (std::size_t i = values.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(uniform_index(i));
      std::swap(values[i - 1], values[j]);
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t poisson_inversion(double mean) {
    double p = std::exp(-mean);
    double cumulative = p;
    const double u = uniform();
    std::uint64_t k = 0;
    while (u > cumulative && p > 0.0) {
      ++k;
      p *= mean / static_cast<double>(k);
      cumulative += p;
    }
    return k;
  }

  std::uint64_t state_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace patron
