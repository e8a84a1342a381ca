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
#include <vector>

namespace patron::detail {

// Threads for `units` pieces of work: `requested`, where 0 means every hardware thread,
// and never more threads than units (at least 1).
inline std::size_t thread_count(std::size_t requested, std::size_t units) {
  if (requested == 0) requested = std::max(1u, std::thread::hardware_concurrency());
  return std::max<std::size_t>(1, std::min(requested, units));
}

// Runs fn(unit) for every unit in [0, units) on up to `threads` threads (0 = every
// hardware thread); worker t runs units t, t + workers, ... in increasing order and stops
// at its first exception. The exception of the lowest-numbered throwing unit is
// rethrown on the caller: the error a single thread would have met first, and every
// unit before it has run.
template <class Fn>
void parallel_for(std::size_t units, std::size_t threads, Fn&& fn) {
  const std::size_t workers = thread_count(threads, units);
  if (workers == 1) {
    for (std::size_t u = 0; u < units; ++u) fn(u);
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
        fn(u);
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

}  // namespace patron::detail
