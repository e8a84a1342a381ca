// Input validation shared by every public entry point. Each helper throws
// patron::invalid_input naming the function, the argument and the first offending
// index and value, so a caller (or a language binding) can point at the bad record.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "patron/core/error.hpp"

namespace patron::detail {

inline void require_non_empty(const char* function, const char* argument, std::size_t size) {
  if (size == 0) throw_invalid(function, std::string(argument) + " must not be empty");
}

inline void require_same_length(const char* function, const char* argument_a, std::size_t size_a,
                                const char* argument_b, std::size_t size_b) {
  if (size_a != size_b)
    throw_invalid(function, std::string(argument_a) + " has " + std::to_string(size_a) +
                                " elements but " + argument_b + " has " +
                                std::to_string(size_b));
}

// Applies `ok` to every element of a contiguous range and reports the first failure
// as "argument[i] (value) what".
template <class T, class Predicate>
void require_each(const char* function, const char* argument, const T* data, std::size_t size,
                  Predicate ok, const char* what) {
  for (std::size_t i = 0; i < size; ++i)
    if (!ok(data[i])) throw_invalid_element(function, argument, i, data[i], what);
}

template <class T, class Predicate>
void require_each(const char* function, const char* argument, const std::vector<T>& values,
                  Predicate ok, const char* what) {
  require_each(function, argument, values.data(), values.size(), ok, what);
}

// Eigen vector types report "argument[i]", matrix types "argument(row, col)"; the scan
// is row-major so the first bad *sample* (row) is the one reported.
template <class Derived, class Predicate>
void require_each(const char* function, const char* argument,
                  const Eigen::DenseBase<Derived>& values, Predicate ok, const char* what) {
  if constexpr (Derived::IsVectorAtCompileTime) {
    for (Eigen::Index i = 0; i < values.size(); ++i) {
      const auto v = values.derived().coeff(i);
      if (!ok(v)) throw_invalid_element(function, argument, static_cast<std::size_t>(i), v, what);
    }
  } else {
    for (Eigen::Index r = 0; r < values.rows(); ++r)
      for (Eigen::Index c = 0; c < values.cols(); ++c)
        if (!ok(values.derived().coeff(r, c)))
          throw_invalid(function, std::string(argument) + "(" + std::to_string(r) + ", " +
                                      std::to_string(c) + ") (" +
                                      format_value(values.derived().coeff(r, c)) + ") " + what);
  }
}

struct is_finite {
  template <class T>
  bool operator()(T v) const { return std::isfinite(static_cast<double>(v)); }
};
struct is_finite_non_negative {
  template <class T>
  bool operator()(T v) const { return std::isfinite(static_cast<double>(v)) && v >= T(0); }
};
struct is_finite_positive {
  template <class T>
  bool operator()(T v) const { return std::isfinite(static_cast<double>(v)) && v > T(0); }
};

// Eigen expressions, whether passed as themselves or as MatrixBase<D> / DenseBase<D>.
template <class T, class = void>
struct has_all_finite : std::false_type {};
template <class T>
struct has_all_finite<T, std::void_t<decltype(std::declval<const T&>().derived().allFinite())>>
    : std::true_type {};

template <class Range>
void require_finite(const char* function, const char* argument, const Range& values) {
  // Eigen objects: a vectorised scan in storage order first; the element-wise scan that
  // names the first bad row only runs when something is wrong.
  if constexpr (has_all_finite<Range>::value) {
    if (values.derived().allFinite()) return;
  }
  require_each(function, argument, values, is_finite{}, "must be finite");
}
template <class Range>
void require_non_negative(const char* function, const char* argument, const Range& values) {
  require_each(function, argument, values, is_finite_non_negative{},
               "must be finite and non-negative");
}
template <class Range>
void require_positive(const char* function, const char* argument, const Range& values) {
  require_each(function, argument, values, is_finite_positive{}, "must be finite and positive");
}

// Scalar checks, for options fields and single parameters.
template <class T>
void require(bool condition, const char* function, const char* argument, const T& value,
             const char* what) {
  if (!condition) throw_invalid_value(function, argument, value, what);
}

template <class T>
void require_in_range(const char* function, const char* argument, const T& value, const T& low,
                      const T& high) {
  if (!(value >= low && value <= high))
    throw_invalid_value(function, argument, value,
                        ("must be in [" + format_value(low) + ", " + format_value(high) + "]")
                            .c_str());
}

inline void require_probability_open(const char* function, const char* argument, double value) {
  require(value > 0.0 && value < 1.0, function, argument, value, "must be in (0, 1)");
}

inline void require_finite_scalar(const char* function, const char* argument, double value) {
  require(std::isfinite(value), function, argument, value, "must be finite");
}

inline void require_positive_scalar(const char* function, const char* argument, double value) {
  require(std::isfinite(value) && value > 0.0, function, argument, value,
          "must be finite and positive");
}

}  // namespace patron::detail
