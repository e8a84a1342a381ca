// Helpers shared by the churn, clv, leads and abtest bindings: 1-D and 2-D inputs as
// Eigen maps over (possibly converted) numpy arrays, integer-count inputs, per-row
// functions that accept scalars or arrays, and enums registered once.
#pragma once

#include "bindings.hpp"

#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace patron::python {

using vector_map = Eigen::Map<const Eigen::VectorXd>;
using matrix_map = Eigen::Map<const row_matrix<double>>;

// A 1-D float64 input: keeps the converted array alive and views it as an Eigen vector.
struct vector_arg {
  contiguous_array<double> array;
  vector_arg(const py::handle& object, const char* name) : array(as_array_1d<double>(object, name)) {}
  [[nodiscard]] vector_map map() const { return {array.data(), static_cast<Eigen::Index>(array.size())}; }
};

// An optional 1-D input (None: absent).
inline std::optional<vector_arg> optional_vector(const py::object& object, const char* name) {
  if (object.is_none()) return std::nullopt;
  return vector_arg(object, name);
}

// A 2-D float64 input, samples as rows; `name` is the argument's name for the errors.
struct matrix_arg {
  contiguous_array<double> array;
  matrix_arg(const py::handle& object, const char* name) {
    if (object.is_none()) throw py::type_error(std::string(name) + " must be an array, not None");
    array = contiguous_array<double>::ensure(object);
    if (!array) throw py::type_error(std::string(name) + " must be convertible to a numeric array");
    if (array.ndim() != 2)
      throw py::value_error(std::string(name) + " must be 2-dimensional (rows are samples), got " +
                            std::to_string(array.ndim()) + " dimensions");
  }
  [[nodiscard]] matrix_map map() const {
    return {array.data(), static_cast<Eigen::Index>(array.shape(0)), static_cast<Eigen::Index>(array.shape(1))};
  }
};

// A 1-D array of integer counts: integer (or bool) dtypes only, so a fractional count is
// a TypeError rather than a silent truncation.
inline contiguous_array<std::int64_t> as_counts(const py::handle& object, const char* name) {
  if (object.is_none()) throw py::type_error(std::string(name) + " must be an array, not None");
  const py::array raw = py::array::ensure(object);
  if (!raw) throw py::type_error(std::string(name) + " must be convertible to a numeric array");
  const char kind = raw.dtype().kind();
  if (raw.size() > 0 && kind != 'i' && kind != 'u' && kind != 'b')
    throw py::type_error(std::string(name) + " must hold integer counts, got dtype " +
                         std::string(py::str(raw.dtype())));
  return as_array_1d<std::int64_t>(raw, name);
}

// True for a Python number or a 0-d array (not None).
inline bool is_scalar(const py::handle& object) {
  if (object.is_none()) return false;
  if (py::isinstance<py::float_>(object) || py::isinstance<py::int_>(object)) return true;
  return py::isinstance<py::array>(object) && py::reinterpret_borrow<py::array>(object).ndim() == 0;
}

namespace detail_b {
template <class F, class Map, std::size_t... K>
void call_with(F& f, Map& map, std::index_sequence<K...>) {
  f(map(K)...);
}
}  // namespace detail_b

// Applies `row(double...)` to N per-customer arguments. All scalars: a float. Otherwise
// the arrays (1-D, one length, else a ValueError; scalars are broadcast) go through
// `validate(maps...)` and `row` runs per element with the GIL released; the result is a
// float64 array.
template <std::size_t N, class Validate, class Row>
py::object map_rows(const std::array<const char*, N>& names, const std::array<py::object, N>& args,
                    Validate&& validate, Row&& row) {
  for (std::size_t k = 0; k < N; ++k)
    if (args[k].is_none()) throw py::type_error(std::string(names[k]) + " must be a number or an array, not None");
  bool scalars = true;
  for (const auto& a : args) scalars = scalars && is_scalar(a);
  if (scalars) {
    std::array<double, N> v{};
    for (std::size_t k = 0; k < N; ++k) v[k] = args[k].template cast<double>();
    double out = 0.0;
    {
      py::gil_scoped_release release;
      out = std::apply(row, v);
    }
    return py::float_(out);
  }
  std::array<contiguous_array<double>, N> arrays;
  py::ssize_t length = -1;
  for (std::size_t k = 0; k < N; ++k)
    if (!is_scalar(args[k])) {
      arrays[k] = as_array_1d<double>(args[k], names[k]);
      if (length < 0) length = arrays[k].size();
    }
  std::size_t first = 0;
  while (first + 1 < N && is_scalar(args[first])) ++first;  // not all scalars: one is an array
  for (std::size_t k = first + 1; k < N; ++k)
    if (!is_scalar(args[k]) && arrays[k].size() != length)
      throw py::value_error(std::string(names[first]) + " has " + std::to_string(length) + " elements but " +
                            names[k] + " has " + std::to_string(arrays[k].size()));
  for (std::size_t k = 0; k < N; ++k)
    if (is_scalar(args[k])) {
      arrays[k] = contiguous_array<double>(length);
      std::fill_n(arrays[k].mutable_data(), length, args[k].template cast<double>());
    }
  py::array_t<double> result(length);
  double* out = result.mutable_data();
  auto map = [&](std::size_t k) { return vector_map(arrays[k].data(), static_cast<Eigen::Index>(arrays[k].size())); };
  {
    py::gil_scoped_release release;
    detail_b::call_with(validate, map, std::make_index_sequence<N>{});
    for (py::ssize_t i = 0; i < length; ++i) {
      std::array<double, N> v{};
      for (std::size_t k = 0; k < N; ++k) v[k] = arrays[k].data()[i];
      out[i] = std::apply(row, v);
    }
  }
  return std::move(result);
}

// Registers an enum shared by several submodules once (`define` registers it); every
// caller gets the type and its values as attributes of its own submodule.
template <class Enum, class Define>
void bind_enum_once(py::module_& m, const char* name, Define&& define) {
  if (const auto* info = py::detail::get_type_info(typeid(Enum))) {
    const py::handle type(reinterpret_cast<PyObject*>(info->type));
    m.attr(name) = type;
    for (const auto item : py::reinterpret_borrow<py::dict>(type.attr("__members__")))
      m.attr(item.first) = item.second;
    return;
  }
  define();
}

// A std::vector<long long> from a 1-D integer array (periods, ids).
inline std::vector<long long> as_integer_vector(const py::handle& object, const char* name) {
  const auto a = as_counts(object, name);
  return std::vector<long long>(a.data(), a.data() + a.size());
}

}  // namespace patron::python

namespace patron::python {
// Second half of patron.abtest (means, power, Bayesian, corrections, sequential), in its
// own translation unit; called by bind_abtest after the shared enums are registered.
void bind_abtest_tests(py::module_& m);
}  // namespace patron::python
