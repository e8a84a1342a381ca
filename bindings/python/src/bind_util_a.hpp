// Helpers shared by the rfm, kmeans, tree and discriminant bindings: 2-D sample matrices
// with their dtype, class labels, optional weights and pickling of Eigen members.
#pragma once

#include "bindings.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

namespace patron::python {

// True for a numpy array of dtype float32: the float overload takes it without a copy
// (every other dtype goes to the double overload).
inline bool is_float32(const py::handle& object) {
  return py::isinstance<py::array>(object) &&
         py::reinterpret_borrow<py::array>(object).dtype().is(py::dtype::of<float>());
}

// Any array-like as a C-contiguous 2-D array of T (a copy only when needed). None is a
// TypeError, another number of dimensions a ValueError naming the argument.
template <class T>
contiguous_array<T> as_array_2d(const py::handle& object, const char* name) {
  if (object.is_none()) throw py::type_error(std::string(name) + " must be an array, not None");
  auto array = contiguous_array<T>::ensure(object);
  if (!array) throw py::type_error(std::string(name) + " must be convertible to a numeric array");
  if (array.ndim() != 2)
    throw py::value_error(std::string(name) + " must be 2-dimensional (samples as rows), got " +
                          std::to_string(array.ndim()) + " dimensions");
  return array;
}

// Borrowed view of a 2-D array: the array must outlive the map.
template <class T>
Eigen::Map<const row_matrix<T>> as_matrix(const contiguous_array<T>& array) {
  return {array.data(), static_cast<Eigen::Index>(array.shape(0)),
          static_cast<Eigen::Index>(array.shape(1))};
}

// Runs f(x) on the rows of `object` as float (a float32 array, no copy) or double
// (anything else, converted when needed); f returns a py::object.
template <class F>
py::object with_matrix(const py::object& object, const char* name, F&& f) {
  if (is_float32(object)) {
    const auto a = as_array_2d<float>(object, name);
    return f(as_matrix(a));
  }
  const auto a = as_array_2d<double>(object, name);
  return f(as_matrix(a));
}

template <class T>
Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>> as_vector(const contiguous_array<T>& array) {
  return {array.data(), static_cast<Eigen::Index>(array.size())};
}

// An optional 1-D float64 argument (sample weights): None gives an empty vector, which
// the C++ entry points read as "all ones".
inline Eigen::VectorXd as_optional_weights(const py::handle& object, const char* name) {
  if (object.is_none()) return {};
  return as_vector(as_array_1d<double>(object, name));
}

// Integer class labels: integer or bool arrays, or floats holding whole numbers; any
// value outside the int32 range or with a fraction is a ValueError naming the argument.
inline Eigen::VectorXi as_labels(const py::handle& object, const char* name) {
  if (object.is_none()) throw py::type_error(std::string(name) + " must be an array, not None");
  const auto any = py::array::ensure(object);
  if (!any) throw py::type_error(std::string(name) + " must be convertible to a numeric array");
  const char kind = any.dtype().kind();
  if (kind != 'i' && kind != 'u' && kind != 'b' && kind != 'f')
    throw py::type_error(std::string(name) + " must hold integer labels, got dtype " +
                         std::string(py::str(any.dtype())));
  const auto values = as_array_1d<double>(any, name);
  Eigen::VectorXi out(values.size());
  const double* v = values.data();
  for (py::ssize_t i = 0; i < values.size(); ++i) {
    if (!(v[i] == static_cast<double>(static_cast<std::int64_t>(v[i]))) ||
        v[i] < std::numeric_limits<int>::min() || v[i] > std::numeric_limits<int>::max())
      throw py::value_error(std::string(name) + "[" + std::to_string(i) + "] (" +
                            std::string(py::str(py::float_(v[i]))) +
                            ") must be an integer label in the int32 range");
    out(i) = static_cast<int>(v[i]);
  }
  return out;
}

// Runs f() with the GIL released and returns its result (which must not be a Python
// object): `auto r = without_gil([&] { return fit(x, o); });`.
template <class F>
auto without_gil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

// Pickling of a value type whose state is its public members: the state is the tuple of
// the members (numpy arrays, lists, nested picklable objects), restored member by member
// into a default-constructed value. Dask ships models to workers and results back this way.
template <class T, class... Member>
void def_pickle(py::class_<T>& cls, Member T::*... members) {
  cls.def(py::pickle([members...](const T& value) { return py::make_tuple(value.*members...); },
                     [members...](const py::tuple& state) {
                       if (state.size() != sizeof...(Member))
                         throw py::value_error("invalid pickle state: " +
                                               std::to_string(state.size()) + " members, expected " +
                                               std::to_string(sizeof...(Member)));
                       T value;
                       std::size_t i = 0;
                       ((value.*members = state[i++].template cast<Member>()), ...);
                       return value;
                     }));
}

}  // namespace patron::python
