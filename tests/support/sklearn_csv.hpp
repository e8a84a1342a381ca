// Reads a CSV in the layout of scikit-learn's bundled data (sklearn/datasets/data/*.csv,
// the copies in tests/data/sklearn/ and the generated sets written the same way): a first
// line "n_rows,n_features,class names...", then one row per sample, the target last.
#pragma once

#include <Eigen/Core>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace patron_test {

struct labelled_data {
  Eigen::MatrixXd X;
  Eigen::VectorXd target;
  [[nodiscard]] Eigen::VectorXi labels() const { return target.cast<int>(); }
};

// `relative_path` is under tests/data, e.g. "sklearn/iris.csv".
inline labelled_data read_sklearn_csv(const std::string& relative_path) {
  const std::string path = std::string(PATRON_TEST_DATA_DIR) + "/" + relative_path;
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
  labelled_data d;
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto cols = static_cast<Eigen::Index>(rows.at(0).size()) - 1;
  d.X.resize(n, cols);
  d.target.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& row = rows[static_cast<std::size_t>(i)];
    for (Eigen::Index j = 0; j < cols; ++j) d.X(i, j) = row[static_cast<std::size_t>(j)];
    d.target(i) = row.back();
  }
  return d;
}

}  // namespace patron_test
