// patron.rfm (include/patron/rfm.hpp).
#include "bindings.hpp"

#include "patron/rfm.hpp"

namespace patron::python {

void bind_rfm(py::module_& parent) {
  auto m = parent.def_submodule("rfm");
  (void)m;
}

}  // namespace patron::python
