// Summarise the bundled CDNOW sample the way the BG/NBD paper does: 39-week calibration
// period ending 1997-09-30, times in weeks, same-day purchases merged.
#include <patron/core/calendar.hpp>
#include <patron/transactions.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const std::string path =
      argc > 1 ? argv[1] : std::string(PATRON_EXAMPLES_DATA_DIR) + "/cdnow_sample.csv";
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    return 2;
  }
  std::vector<long long> customer;
  std::vector<double> day, amount;
  std::string line;
  std::getline(in, line);  // header: customer,date,cds,amount
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string id, date, cds, dollars;
    std::getline(row, id, ',');
    std::getline(row, date, ',');
    std::getline(row, cds, ',');
    std::getline(row, dollars, ',');
    customer.push_back(std::stoll(id));
    day.push_back(static_cast<double>(patron::days_from_civil(
        std::stoi(date.substr(0, 4)), std::stoi(date.substr(4, 2)), std::stoi(date.substr(6, 2)))));
    amount.push_back(std::stod(dollars));
  }

  patron::summary_options options;
  options.time_unit = 7.0;
  options.calibration_end = static_cast<double>(patron::days_from_civil(1997, 9, 30));
  const auto s = patron::summarize_transactions(customer, day, amount, options);

  std::printf("%zu customers; first five (x, t_x, T in weeks, holdout purchases):\n", s.size());
  for (Eigen::Index i = 0; i < 5; ++i)
    std::printf("  customer %lld: x=%g t_x=%.2f T=%.2f holdout=%lld\n", s.customer[i], s.x(i),
                s.t_x(i), s.T(i), static_cast<long long>(s.holdout_transactions(i)));
  return 0;
}
