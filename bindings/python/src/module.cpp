// The extension module patron._patron: exceptions, version, one submodule per capability.
#include "bindings.hpp"

#include "patron/core/error.hpp"
#include "patron/version.hpp"

namespace patron::python {

bool is_integer_ids(const py::handle& ids) {
  if (!py::isinstance<py::array>(ids)) {
    // A list or tuple: integers if its first element is one (bool excluded).
    if (!py::isinstance<py::sequence>(ids) || py::isinstance<py::str>(ids)) return false;
    const auto sequence = py::reinterpret_borrow<py::sequence>(ids);
    if (sequence.size() == 0) return true;
    const py::object first = sequence[0];
    return py::isinstance<py::int_>(first) && !py::isinstance<py::bool_>(first);
  }
  const char kind = py::reinterpret_borrow<py::array>(ids).dtype().kind();
  return kind == 'i' || kind == 'u';
}

std::vector<std::string> as_string_ids(const py::handle& ids, const char* name) {
  if (ids.is_none()) throw py::type_error(std::string(name) + " must be a sequence of ids, not None");
  if (py::isinstance<py::str>(ids) || (!py::isinstance<py::sequence>(ids) && !py::isinstance<py::array>(ids)))
    throw py::type_error(std::string(name) + " must be a sequence of int or str ids");
  std::vector<std::string> out;
  out.reserve(py::len(ids));
  std::size_t i = 0;
  for (const py::handle item : ids) {
    if (!py::isinstance<py::str>(item))
      throw py::type_error(std::string(name) + "[" + std::to_string(i) +
                           "] must be an int or a str, got " +
                           std::string(py::str(py::type::of(item).attr("__name__"))));
    out.push_back(item.cast<std::string>());
    ++i;
  }
  return out;
}

}  // namespace patron::python

PYBIND11_MODULE(_patron, m) {
  namespace pp = patron::python;
  m.doc() = "patron: customer analytics (RFM, k-means, trees, discriminant analysis, churn, "
            "CLV, lead scoring, A/B tests) over the header-only C++ library";
  m.attr("__version__") = patron::version_string;
  pybind11::register_exception<patron::invalid_input>(m, "InvalidInput", PyExc_ValueError);
  pybind11::register_exception<patron::numerical_error>(m, "NumericalError", PyExc_ArithmeticError);

  pp::bind_transactions(m);
  pp::bind_rfm(m);
  pp::bind_kmeans(m);
  pp::bind_tree(m);
  pp::bind_discriminant(m);
  pp::bind_churn(m);
  pp::bind_clv(m);
  pp::bind_leads(m);
  pp::bind_abtest(m);
}
