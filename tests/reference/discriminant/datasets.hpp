// Reads the scikit-learn data sets copied to tests/data/discriminant/ (see the README
// there): first line "n_rows,n_features,class names...", then features and the class.
#pragma once

#include <Eigen/Core>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace discriminant_test {

struct dataset {
  Eigen::MatrixXd X;
  Eigen::VectorXi y;
};

inline dataset load_dataset(const std::string& file) {
  const std::string path = std::string(PATRON_TEST_DATA_DIR) + "/discriminant/" + file;
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
    while (std::getline(fields, field, ',')) row.push_back(std::stod(field));
    rows.push_back(row);
  }
  dataset d;
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto p = static_cast<Eigen::Index>(rows.front().size()) - 1;
  d.X.resize(n, p);
  d.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < p; ++j) d.X(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    d.y(i) = static_cast<int>(rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(p)]);
  }
  return d;
}

}  // namespace discriminant_test
