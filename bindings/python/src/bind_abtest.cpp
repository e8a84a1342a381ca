// patron.abtest (include/patron/abtest.hpp).
#include "bindings.hpp"

#include "patron/abtest.hpp"

namespace patron::python {

void bind_abtest(py::module_& parent) {
  auto m = parent.def_submodule("abtest");
  (void)m;
}

}  // namespace patron::python
