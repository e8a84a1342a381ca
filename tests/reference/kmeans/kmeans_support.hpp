// Shared by the k-means tests: loads the CSV data sets (tests/data/sklearn and
// tests/data/kmeans) and brings in the reference values of make_reference.py (this folder).
#pragma once

#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "kmeans_reference.hpp"
#include "support/sklearn_csv.hpp"

namespace kmeans_test {

struct dataset {
  Eigen::MatrixXd X;       // features, rows are samples
  Eigen::VectorXi target;  // the data set's own classes
};

// Iris and wine are scikit-learn's files in tests/data/sklearn/; blobs is written by
// make_reference.py in the same layout (tests/data/kmeans/blobs.csv).
inline dataset load(const std::string& name) {
  const std::string path = name == "blobs" ? "kmeans/blobs.csv"
                           : name == "wine" ? "sklearn/wine_data.csv"
                                            : "sklearn/" + name + ".csv";
  const auto d = patron_test::read_sklearn_csv(path);
  return {d.X, d.labels()};
}

// A row-major reference vector as an r x c matrix.
inline Eigen::MatrixXd as_matrix(const std::vector<double>& v, Eigen::Index cols) {
  const auto rows = static_cast<Eigen::Index>(v.size()) / cols;
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) m(r, c) = v[static_cast<std::size_t>(r * cols + c)];
  return m;
}

inline Eigen::VectorXi as_labels(const std::vector<int>& v) {
  Eigen::VectorXi out(static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<Eigen::Index>(i)) = v[i];
  return out;
}

inline Eigen::MatrixXd rows_of(const Eigen::MatrixXd& X, const std::vector<int>& rows) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), X.cols());
  for (std::size_t r = 0; r < rows.size(); ++r) out.row(static_cast<Eigen::Index>(r)) = X.row(rows[r]);
  return out;
}

}  // namespace kmeans_test
