// Deterministic data parallelism for k-means: the rows are cut into chunks of a fixed
// size that does not depend on the thread count, every chunk writes its own partial
// result, and the caller reduces the partials in chunk order. Whichever thread runs a
// chunk, the arithmetic is the same, so 1 and N threads give bitwise-identical results.
#pragma once

#include <algorithm>
#include <cstddef>

#include "patron/core/parallel.hpp"

namespace patron::detail {

// Rows per chunk. Fixed (never derived from the thread count) because the chunking
// decides the order of the floating-point sums.
inline constexpr std::ptrdiff_t kmeans_chunk_rows = 4096;

inline std::ptrdiff_t chunk_count(std::ptrdiff_t rows) {
  return (rows + kmeans_chunk_rows - 1) / kmeans_chunk_rows;
}

// Calls fn(chunk, begin_row, end_row) for every chunk, on up to `threads` threads
// (0 = every hardware thread); an exception thrown by fn is rethrown on the caller.
template <class Fn>
void for_each_chunk(std::ptrdiff_t rows, unsigned threads, Fn&& fn) {
  parallel_for(static_cast<std::size_t>(chunk_count(rows)), threads, [&](std::size_t c) {
    const auto begin = static_cast<std::ptrdiff_t>(c) * kmeans_chunk_rows;
    fn(static_cast<std::ptrdiff_t>(c), begin, std::min(rows, begin + kmeans_chunk_rows));
  });
}

}  // namespace patron::detail
