// Shared machinery of the Python module: array conventions, argument checks and the
// per-capability registration functions (one translation unit each).
//
// Array conventions (docs/python.md):
// - Samples (customers, leads, experiments) are rows. A C-contiguous float64 array binds
//   to `matrix_in<double>` without a copy; float32 binds to `matrix_in<float>` where the
//   C++ function has a float overload. Other layouts and dtypes are converted into a
//   temporary (a copy), never rejected.
// - 1-D inputs go through `as_vector<T>` / `as_view<T>`: any array-like is accepted,
//   converted to a contiguous array of T if it is not one already; more than one
//   dimension is a ValueError naming the argument.
// - Results are numpy arrays owned by the result object (read-only views of its memory).
// - patron::invalid_input becomes patron.InvalidInput (a ValueError) with the C++
//   message; patron::numerical_error becomes patron.NumericalError (an ArithmeticError).
// - Long computations release the GIL, so Dask/thread pools run them concurrently.
#pragma once

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace patron::python {

namespace py = pybind11;

template <class T>
using row_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// 2-D input, samples as rows; no copy for a C-contiguous array of T.
template <class T>
using matrix_in = Eigen::Ref<const row_matrix<T>>;
// 1-D input as an Eigen vector; no copy for a contiguous array of T.
template <class T>
using vector_in = Eigen::Ref<const Eigen::Matrix<T, Eigen::Dynamic, 1>>;

template <class T>
using contiguous_array = py::array_t<T, py::array::c_style | py::array::forcecast>;

// A read-only contiguous range (data(), size()) over a numpy array, for the C++ entry
// points that take ranges. It borrows: the array must outlive the view.
template <class T>
struct array_view {
  const T* pointer = nullptr;
  std::size_t count = 0;
  [[nodiscard]] const T* data() const { return pointer; }
  [[nodiscard]] std::size_t size() const { return count; }
  [[nodiscard]] const T* begin() const { return pointer; }
  [[nodiscard]] const T* end() const { return pointer + count; }
};

// Converts any array-like to a contiguous 1-D array of T (a copy only when needed);
// `name` is the argument's name for the error message.
template <class T>
contiguous_array<T> as_array_1d(const py::handle& object, const char* name) {
  if (object.is_none()) throw py::type_error(std::string(name) + " must be an array, not None");
  auto array = contiguous_array<T>::ensure(object);
  if (!array) throw py::type_error(std::string(name) + " must be convertible to a numeric array");
  if (array.ndim() != 1)
    throw py::value_error(std::string(name) + " must be 1-dimensional, got " +
                          std::to_string(array.ndim()) + " dimensions");
  return array;
}

template <class T>
array_view<T> as_view(const contiguous_array<T>& array) {
  return {array.data(), static_cast<std::size_t>(array.size())};
}

// A copy of an std::vector as a 1-D numpy array (for ids and other vector members).
template <class T>
py::array_t<T> to_numpy(const std::vector<T>& values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

// Customer ids arrive as integers (any integer numpy dtype, converted to int64) or as
// strings (a list or an array of str). `is_integer_ids` decides which.
bool is_integer_ids(const py::handle& ids);
std::vector<std::string> as_string_ids(const py::handle& ids, const char* name);

// Accumulator::add(customers, times, amounts) from Python columns (transaction and RFM
// accumulators); the GIL is released for integer ids.
template <class Id, class Accumulator>
void add_transaction_columns(Accumulator& self, const py::object& customers, const py::object& times,
                             const py::object& amounts) {
  const auto t = as_array_1d<double>(times, "times");
  const auto a = as_array_1d<double>(amounts, "amounts");
  if constexpr (std::is_same_v<Id, std::string>) {
    const auto ids = as_string_ids(customers, "customers");
    self.add(ids, as_view(t), as_view(a));
  } else {
    const auto ids = as_array_1d<std::int64_t>(customers, "customers");
    py::gil_scoped_release release;
    self.add(as_view(ids), as_view(t), as_view(a));
  }
}

// Pickle state of a transaction log (transaction_accumulator and what wraps one): its
// three columns in arrival order; rebuilt by adding them to an empty accumulator.
template <class Log>
py::tuple transaction_log_state(const Log& log) {
  using Id = typename std::decay_t<decltype(log.customer_column())>::value_type;
  py::object ids;
  if constexpr (std::is_same_v<Id, std::string>) ids = py::cast(log.customer_column());
  else ids = to_numpy(log.customer_column());
  return py::make_tuple(ids, to_numpy(log.time_column()), to_numpy(log.amount_column()));
}

template <class Accumulator, class Id>
Accumulator accumulator_from_state(const py::tuple& state) {
  if (state.size() != 3) throw py::value_error("invalid accumulator pickle state: expected 3 columns");
  Accumulator out;
  const auto times = state[1].cast<std::vector<double>>();
  const auto amounts = state[2].cast<std::vector<double>>();
  out.add(state[0].cast<std::vector<Id>>(), times, amounts);
  return out;
}

// Reads a tuple of exactly n elements (a pickle state), or raises ValueError.
inline py::tuple state_tuple(const py::handle& state, std::size_t n, const char* type) {
  auto t = py::reinterpret_borrow<py::tuple>(state);
  if (!py::isinstance<py::tuple>(state) || t.size() != n)
    throw py::value_error(std::string("invalid pickle state for ") + type);
  return t;
}

void bind_transactions(py::module_& m);
void bind_rfm(py::module_& m);
void bind_kmeans(py::module_& m);
void bind_tree(py::module_& m);
void bind_discriminant(py::module_& m);
void bind_churn(py::module_& m);
void bind_clv(py::module_& m);
void bind_leads(py::module_& m);
void bind_abtest(py::module_& m);

}  // namespace patron::python
