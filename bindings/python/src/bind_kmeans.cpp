// patron.kmeans (include/patron/kmeans.hpp).
#include "bindings.hpp"

#include "patron/kmeans.hpp"

namespace patron::python {

void bind_kmeans(py::module_& parent) {
  auto m = parent.def_submodule("kmeans");
  (void)m;
}

}  // namespace patron::python
