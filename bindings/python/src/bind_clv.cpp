// patron.clv (include/patron/clv.hpp).
#include "bindings.hpp"

#include "patron/clv.hpp"

namespace patron::python {

void bind_clv(py::module_& parent) {
  auto m = parent.def_submodule("clv");
  (void)m;
}

}  // namespace patron::python
