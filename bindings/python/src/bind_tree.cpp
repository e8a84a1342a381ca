// patron.tree (include/patron/tree.hpp).
#include "bindings.hpp"

#include "patron/tree.hpp"

namespace patron::python {

void bind_tree(py::module_& parent) {
  auto m = parent.def_submodule("tree");
  (void)m;
}

}  // namespace patron::python
