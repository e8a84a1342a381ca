// Reads the bundled CDNOW sample (examples/data/cdnow_sample.csv: customer, date as
// YYYYMMDD, cds, amount) for the example programs. The library itself does no I/O.
#pragma once

#include <fstream>
#include <patron/core/calendar.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

struct cdnow_log {
  std::vector<long long> customers;
  std::vector<double> days;  // days since 1970-01-01
  std::vector<double> amounts;
};

// The path given on the command line, or the bundled sample.
inline std::string cdnow_path(int argc, char** argv) {
  return argc > 1 ? argv[1] : std::string(PATRON_EXAMPLES_DATA_DIR) + "/cdnow_sample.csv";
}

inline cdnow_log read_cdnow(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  cdnow_log log;
  std::string line, customer, date, cds, amount;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::getline(row, customer, ',');
    std::getline(row, date, ',');
    std::getline(row, cds, ',');
    std::getline(row, amount, ',');
    log.customers.push_back(std::stoll(customer));
    log.days.push_back(static_cast<double>(patron::days_from_civil(
        std::stoi(date.substr(0, 4)), std::stoi(date.substr(4, 2)), std::stoi(date.substr(6, 2)))));
    log.amounts.push_back(std::stod(amount));
  }
  return log;
}
