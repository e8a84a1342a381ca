// The scikit-learn data sets of tests/data/sklearn/ (see the README there) as features
// and integer classes.
#pragma once

#include <Eigen/Core>
#include <string>

#include "support/sklearn_csv.hpp"

namespace discriminant_test {

struct dataset {
  Eigen::MatrixXd X;
  Eigen::VectorXi y;
};

inline dataset load_dataset(const std::string& file) {
  const auto d = patron_test::read_sklearn_csv("sklearn/" + file);
  return {d.X, d.labels()};
}

}  // namespace discriminant_test
