// patron's two exception types. A binding translates these: invalid_input to
// ValueError / IllegalArgumentException, numerical_error to a runtime error.
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace patron {

// A violated precondition. The message always reads
//   "patron::<function>: <argument>[<index>] (<value>) <what is wrong>"
// so the caller can find the offending record without a debugger.
class invalid_input : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A numerical failure the caller asked to be told about by exception (the `strict`
// option of a fit). By default non-convergence is a status in the result instead.
class numerical_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

// Formats a value for an error message: integers exactly, doubles with enough
// digits to round-trip, non-finite values spelled out.
template <class T>
std::string format_value(const T& value) {
  std::ostringstream out;
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    out.precision(17);
  }
  out << value;
  return out.str();
}

[[noreturn]] inline void throw_invalid(const std::string& function, const std::string& what) {
  throw invalid_input("patron::" + function + ": " + what);
}

// "patron::f: argument (value) what"
template <class T>
[[noreturn]] void throw_invalid_value(const std::string& function, const std::string& argument,
                                      const T& value, const std::string& what) {
  throw_invalid(function, argument + " (" + format_value(value) + ") " + what);
}

// "patron::f: argument[index] (value) what"
template <class T>
[[noreturn]] void throw_invalid_element(const std::string& function, const std::string& argument,
                                        std::size_t index, const T& value,
                                        const std::string& what) {
  throw_invalid(function,
                argument + "[" + std::to_string(index) + "] (" + format_value(value) + ") " + what);
}

}  // namespace detail
}  // namespace patron
