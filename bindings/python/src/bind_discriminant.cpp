// patron.discriminant (include/patron/discriminant.hpp).
#include "bindings.hpp"

#include "patron/discriminant.hpp"

namespace patron::python {

void bind_discriminant(py::module_& parent) {
  auto m = parent.def_submodule("discriminant");
  (void)m;
}

}  // namespace patron::python
