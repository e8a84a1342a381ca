// Reads the reference CSV files written by make_reference.py (plain fields, a header
// line) into named columns, for tests/test_rfm*.cpp.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace patron_test {

struct csv_columns {
  std::map<std::string, std::vector<std::string>> columns;

  [[nodiscard]] const std::vector<std::string>& text(const std::string& name) const {
    const auto it = columns.find(name);
    REQUIRE(it != columns.end());
    return it->second;
  }
  [[nodiscard]] std::vector<double> numbers(const std::string& name) const {
    std::vector<double> out;
    for (const auto& s : text(name)) out.push_back(std::stod(s));
    return out;
  }
  [[nodiscard]] std::vector<long long> integers(const std::string& name) const {
    std::vector<long long> out;
    for (const auto& s : text(name)) out.push_back(std::stoll(s));
    return out;
  }
};

inline csv_columns read_reference_csv(const std::string& file) {
  std::ifstream in(std::string(PATRON_TEST_DATA_DIR) + "/rfm/" + file);
  REQUIRE(in.good());
  std::string line, field;
  std::getline(in, line);
  std::vector<std::string> names;
  for (std::stringstream header(line); std::getline(header, field, ',');) names.push_back(field);
  csv_columns csv;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    for (const auto& name : names) {
      std::getline(row, field, ',');
      csv.columns[name].push_back(field);
    }
  }
  return csv;
}

}  // namespace patron_test
