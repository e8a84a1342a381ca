// The bundled CDNOW sample as the demo sections see it.
#pragma once

#include <patron/transactions.hpp>

#include <string>
#include <vector>

namespace patron_cli {

struct demo_data {
  std::string path;
  std::vector<long long> customers;  // sample ids 1..2357
  std::vector<double> days;          // purchase dates, days since 1970-01-01
  std::vector<double> amounts;       // dollars
  double calibration_end;            // 1997-09-30, the BG/NBD paper's 39-week cut-off
  double observation_end;            // 1998-06-30, end of the data
  // The BG/NBD paper's summary: weeks, calibration to calibration_end, holdout to
  // observation_end; computed once for every section that needs it.
  patron::customer_summary<long long> weekly;
};

}  // namespace patron_cli
