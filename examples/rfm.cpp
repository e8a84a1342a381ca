// RFM on the bundled CDNOW sample: scores, segments and a check of a segment table.
//   ./example_rfm [examples/data/cdnow_sample.csv]
#include <cstdio>
#include <fstream>
#include <patron/core/calendar.hpp>
#include <patron/rfm.hpp>
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
  // customer,date (YYYYMMDD),cds,amount
  std::vector<long long> customers;
  std::vector<double> days, amounts;
  std::string line, customer, date, cds, amount;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::getline(row, customer, ',');
    std::getline(row, date, ',');
    std::getline(row, cds, ',');
    std::getline(row, amount, ',');
    customers.push_back(std::stoll(customer));
    days.push_back(static_cast<double>(patron::days_from_civil(
        std::stoi(date.substr(0, 4)), std::stoi(date.substr(4, 2)), std::stoi(date.substr(6, 2)))));
    amounts.push_back(std::stod(amount));
  }

  patron::rfm_options options;
  options.as_of = static_cast<double>(patron::days_from_civil(1998, 6, 30));
  const auto table = patron::rfm_from_transactions(customers, days, amounts, options);
  const auto scores = patron::score_rfm(table);
  const auto segments = patron::assign_segments(scores, patron::r_rfm_0_3_0_segments());

  std::printf("customer  recency  frequency  monetary  code  segment\n");
  for (Eigen::Index i = 0; i < 5; ++i)
    std::printf("%8lld %8.0f %10.0f %9.2f %5d  %s\n", static_cast<long long>(table.customer[i]),
                table.recency(i), table.frequency(i), table.monetary(i), scores.code(i),
                segments.name_of(i).c_str());

  for (int s : scores.frequency.collapsed_bins)
    std::printf("frequency score %d received nobody (ties at the cut points)\n", s);

  const auto table_02 = patron::r_rfm_0_2_segments();
  const auto report = patron::check_segment_table(table_02);
  std::printf("%s: %zu score cells uncovered; rows that can never match:", table_02.name.c_str(),
              report.gaps.size());
  for (std::size_t k : report.shadowed) std::printf(" \"%s\"", table_02.rules[k].name.c_str());
  std::printf("\n");
  return 0;
}
