// patron.leads (include/patron/leads.hpp).
#include "bindings.hpp"

#include "patron/leads.hpp"

namespace patron::python {

void bind_leads(py::module_& parent) {
  auto m = parent.def_submodule("leads");
  (void)m;
}

}  // namespace patron::python
