// Deterministic data parallelism for k-means: the rows are cut into chunks of a fixed
// size that does not depend on the thread count, every chunk writes its own partial
// result, and the caller reduces the partials in chunk order. Whichever thread runs a
// chunk, the arithmetic is the same, so 1 and N threads give bitwise-identical results.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace patron::detail {

// Rows per chunk. Fixed (never derived from the thread count) because the chunking
// decides the order of the floating-point sums.
inline constexpr std::ptrdiff_t kmeans_chunk_rows = 4096;

inline std::ptrdiff_t chunk_count(std::ptrdiff_t rows) {
  return (rows + kmeans_chunk_rows - 1) / kmeans_chunk_rows;
}

// Calls fn(chunk, begin_row, end_row) for every chunk, on up to `threads` threads
// (0 = std::thread::hardware_concurrency()). With OpenMP compiled in, its threads are
// used; otherwise std::thread. Exceptions thrown by fn are rethrown on the caller.
template <class Fn>
void for_each_chunk(std::ptrdiff_t rows, unsigned threads, Fn&& fn) {
  const std::ptrdiff_t chunks = chunk_count(rows);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const auto workers =
      static_cast<std::ptrdiff_t>(std::min<std::ptrdiff_t>(threads, std::max<std::ptrdiff_t>(chunks, 1)));
  auto run = [&](std::ptrdiff_t c) {
    const std::ptrdiff_t begin = c * kmeans_chunk_rows;
    fn(c, begin, std::min(rows, begin + kmeans_chunk_rows));
  };
  if (workers <= 1) {
    for (std::ptrdiff_t c = 0; c < chunks; ++c) run(c);
    return;
  }
#if defined(_OPENMP)
  std::exception_ptr error;
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(workers))
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    try {
      run(c);
    } catch (...) {
#pragma omp critical
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
#else
  // Static interleaved assignment: worker t runs chunks t, t + workers, ...
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(workers));
  auto worker = [&](std::ptrdiff_t t) {
    try {
      for (std::ptrdiff_t c = t; c < chunks; c += workers) run(c);
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers - 1));
  for (std::ptrdiff_t t = 1; t < workers; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
#endif
}

}  // namespace patron::detail
