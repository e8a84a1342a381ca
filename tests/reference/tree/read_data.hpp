// The tree test data sets: scikit-learn's (tests/data/sklearn/) and the generated ones
// of make_tree_reference.py (tests/data/tree/generated_*.csv), in the same layout.
#pragma once

#include <string>

#include "support/sklearn_csv.hpp"

namespace tree_test {

using data_set = patron_test::labelled_data;

inline data_set read_data(const std::string& file) {
  const bool generated = file.rfind("generated", 0) == 0;
  return patron_test::read_sklearn_csv((generated ? "tree/" : "sklearn/") + file);
}

}  // namespace tree_test
