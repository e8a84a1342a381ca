// Data loading shared by the tests/test_clv_*.cpp executables.
#pragma once

#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace clv_test {

// A numeric CSV with a header: one Eigen vector per column, columns in file order.
inline std::vector<Eigen::VectorXd> read_numeric_csv(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> columns;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string field;
    std::size_t c = 0;
    while (std::getline(ss, field, ',')) {
      if (columns.size() <= c) columns.emplace_back();
      columns[c++].push_back(std::stod(field));
    }
  }
  std::vector<Eigen::VectorXd> out;
  for (const auto& column : columns)
    out.push_back(Eigen::Map<const Eigen::VectorXd>(column.data(), static_cast<Eigen::Index>(column.size())));
  return out;
}

// The CDNOW calibration summary of the BG/NBD paper: ID, x, t_x, T (weeks).
struct cdnow {
  Eigen::VectorXd x, t_x, T, zbar;
};
inline cdnow load_cdnow() {
  const auto c = read_numeric_csv(std::string(PATRON_TEST_DATA_DIR) + "/cdnow_summary_with_spend.csv");
  return {c[1], c[2], c[3], c[4]};
}

}  // namespace clv_test
