// RFM on the bundled CDNOW sample: scores, segments and a check of a segment table.
//   ./example_rfm [examples/data/cdnow_sample.csv]
#include <cstdio>
#include <patron/rfm.hpp>
#include <string>
#include <vector>

#include "cdnow_sample.hpp"

int main(int argc, char** argv) {
  const cdnow_log log = read_cdnow(cdnow_path(argc, argv));
  const auto& customers = log.customers;
  const auto& days = log.days;
  const auto& amounts = log.amounts;

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
