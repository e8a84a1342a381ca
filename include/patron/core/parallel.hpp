// Deterministic data parallelism behind every `threads` option in patron.
//
// Work is cut into units whose boundaries never depend on the thread count; each unit
// writes its own result and the caller combines the results in unit order. Whichever
// thread runs a unit, the arithmetic is the same, so 1 and N threads give bitwise the
// same answer (scikit-learn's k-means does not; users notice). Plain std::thread, no
// pool: patron's parallel passes cover millions of rows, so starting a thread (tens of
// microseconds) is noise, and a library should not keep threads alive in its host.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

namespace patron::detail {

// Threads for `units` pieces of work: `requested`, where 0 means every hardware thread,
// and never more threads than units (at least 1).
inline std::size_t thread_count(std::size_t requested, std::size_t units) {
  if (requested == 0) requested = std::max(1u, std::thread::hardware_concurrency());
  return std::max<std::size_t>(1, std::min(requested, units));
}

// Threads worth starting for `n` items when each should get at least `min_per_thread`.
inline std::size_t thread_count(std::size_t requested, std::size_t n, std::size_t min_per_thread) {
  return thread_count(requested, n / min_per_thread);
}

// Runs fn(unit) -- or fn(unit, worker), for a caller that keeps a scratch buffer per
// worker (workers: thread_count(threads, units)) -- for every unit in [0, units) on up
// to `threads` threads (0 = every hardware thread); worker t runs units t, t + workers,
// ... in increasing order and stops at its first exception. The exception of the
// lowest-numbered throwing unit is rethrown on the caller: the error a single thread
// would have met first, and every unit before it has run.
template <class Fn>
void parallel_for(std::size_t units, std::size_t threads, Fn&& fn) {
  const std::size_t workers = thread_count(threads, units);
  const auto run = [&fn](std::size_t unit, std::size_t worker) {
    if constexpr (std::is_invocable_v<Fn&, std::size_t, std::size_t>) fn(unit, worker);
    else fn(unit);
  };
  if (workers == 1) {
    for (std::size_t u = 0; u < units; ++u) run(u, 0);
    return;
  }
  struct failure {
    std::size_t unit = 0;
    std::exception_ptr error;
  };
  std::vector<failure> failures(workers);
  auto worker = [&](std::size_t t) {
    for (std::size_t u = t; u < units; u += workers) {
      try {
        run(u, t);
      } catch (...) {
        failures[t] = {u, std::current_exception()};
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  try {
    for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(worker, t);
  } catch (const std::system_error&) {  // no more threads: the caller runs the rest
    for (std::size_t t = pool.size() + 1; t < workers; ++t) worker(t);
  }
  worker(0);
  for (auto& th : pool) th.join();
  const failure* first = nullptr;
  for (const auto& f : failures)
    if (f.error && (!first || f.unit < first->unit)) first = &f;
  if (first) std::rethrow_exception(first->error);
}

// Share k of `shares` contiguous, equal (to one item) shares of [0, n).
struct share_range {
  std::size_t begin, end;
};
inline share_range share_of(std::size_t n, std::size_t shares, std::size_t k) {
  const std::size_t begin = n / shares * k + std::min(k, n % shares);
  return {begin, begin + n / shares + (k < n % shares ? 1 : 0)};
}

// Calls fn(share, begin, end) for each of `shares` contiguous shares of [0, n), one per
// thread: for passes whose per-thread state (a table, a buffer) is combined afterwards
// in share order, so that any share count gives the same result.
template <class Fn>
void for_each_share(std::size_t n, std::size_t shares, Fn&& fn) {
  parallel_for(shares, shares, [&](std::size_t k) {
    const share_range r = share_of(n, shares, k);
    fn(k, r.begin, r.end);
  });
}

}  // namespace patron::detail
