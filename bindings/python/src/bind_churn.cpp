// patron.churn (include/patron/churn.hpp).
#include "bindings.hpp"

#include "patron/churn.hpp"

namespace patron::python {

void bind_churn(py::module_& parent) {
  auto m = parent.def_submodule("churn");
  (void)m;
}

}  // namespace patron::python
