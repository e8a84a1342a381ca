// Reads the tree test data sets: scikit-learn's bundled CSV layout (a first line
// "n,d,...", then rows of d features and the target last).
#pragma once

#include <Eigen/Core>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tree_test {

struct data_set {
  Eigen::MatrixXd X;
  Eigen::VectorXd target;
  Eigen::VectorXi labels() const { return target.cast<int>(); }
};

inline data_set read_data(const std::string& file) {
  const std::string path = std::string(PATRON_TEST_DATA_DIR) + "/tree/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) row.push_back(std::strtod(field.c_str(), nullptr));
    rows.push_back(row);
  }
  data_set d;
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto cols = static_cast<Eigen::Index>(rows.at(0).size()) - 1;
  d.X.resize(n, cols);
  d.target.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) d.X(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    d.target(i) = rows[static_cast<std::size_t>(i)].back();
  }
  return d;
}

}  // namespace tree_test
