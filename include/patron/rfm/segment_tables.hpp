// The published RFM segment tables, transcribed as data (see docs/rfm.md). Each is
// evaluated first match wins; customers no row covers become "Others".
#pragma once

#include <string>
#include <vector>

namespace patron {

// Inclusive range of scores, 1 <= low <= high <= bins.
struct score_range {
  int low = 1;
  int high = 5;
};

struct segment_rule {
  std::string name;
  std::string description;
  score_range recency;
  score_range frequency;
  score_range monetary;
};

struct segment_table {
  std::string name;    // version tag, e.g. "r-rfm-0.3.0"
  std::string source;  // where the ranges were published
  std::vector<segment_rule> rules;
};

namespace detail {

struct segment_row_data {
  const char* name;
  const char* description;
  int r_low, r_high, f_low, f_high, m_low, m_high;
};

template <std::size_t N>
segment_table make_segment_table(const char* name, const char* source,
                                 const segment_row_data (&rows)[N]) {
  segment_table t{name, source, {}};
  for (const auto& r : rows)
    t.rules.push_back({r.name, r.description, {r.r_low, r.r_high}, {r.f_low, r.f_high},
                       {r.m_low, r.m_high}});
  return t;
}

}  // namespace detail

// R package `rfm` 0.3.0 (Hebbali, CRAN 2024-02-26), the ranges of the rfm_segment()
// example in R/rfm-segment.R; descriptions from vignettes/rfm-introduction.Rmd. Five bins.
[[nodiscard]] inline segment_table r_rfm_0_3_0_segments() {
  static const detail::segment_row_data rows[] = {
      {"Champions", "Bought recently, buy often and spend the most", 5, 5, 5, 5, 5, 5},
      {"Potential Loyalist", "Recent customers, spent good amount, bought more than once", 3, 5, 3, 5, 2, 5},
      {"Loyal Customers", "Spend good money. Responsive to promotions", 2, 4, 2, 4, 2, 4},
      {"Promising", "Recent shoppers, but haven't spent much", 3, 4, 1, 3, 3, 5},
      {"New Customers", "Bought more recently, but not often", 4, 5, 1, 3, 1, 5},
      {"Can't Lose Them", "Made big purchases and often, but long time ago", 1, 2, 3, 4, 4, 5},
      {"At Risk", "Spent big money, purchased often but long time ago", 1, 2, 2, 5, 4, 5},
      {"Need Attention", "Above average recency, frequency & monetary values", 1, 3, 3, 5, 3, 5},
      {"About To Sleep", "Below average recency, frequency & monetary values", 2, 3, 1, 3, 1, 4},
      {"Lost", "Bought a long time ago, average amount spent", 1, 1, 1, 5, 1, 5},
  };
  return detail::make_segment_table(
      "r-rfm-0.3.0", "R package rfm 0.3.0, R/rfm-segment.R example (github.com/rsquaredacademy/rfm)",
      rows);
}

// R package `rfm` 0.2.x (0.2.1 and 0.2.2, the rfm_segment() example). 0.2.1 let later
// rows overwrite earlier matches (last match wins); 0.2.2 fixed it to first match wins
// (issue #67), which is the semantics patron applies to every table.
[[nodiscard]] inline segment_table r_rfm_0_2_segments() {
  static const detail::segment_row_data rows[] = {
      {"Champions", "Bought recently, buy often and spend the most", 4, 5, 4, 5, 4, 5},
      {"Loyal Customers", "Spend good money. Responsive to promotions", 2, 5, 3, 5, 3, 5},
      {"Potential Loyalist", "Recent customers, spent good amount, bought more than once", 3, 5, 1, 3, 1, 3},
      {"New Customers", "Bought more recently, but not often", 4, 5, 1, 1, 1, 1},
      {"Promising", "Recent shoppers, but haven't spent much", 3, 4, 1, 1, 1, 1},
      {"Need Attention", "Above average recency, frequency & monetary values", 2, 3, 2, 3, 2, 3},
      {"About To Sleep", "Below average recency, frequency & monetary values", 2, 3, 1, 2, 1, 2},
      {"At Risk", "Spent big money, purchased often but long time ago", 1, 2, 2, 5, 2, 5},
      {"Can't Lose Them", "Made big purchases and often, but long time ago", 1, 1, 4, 5, 4, 5},
      {"Lost", "Bought a long time ago, average amount spent", 1, 2, 1, 2, 1, 2},
  };
  return detail::make_segment_table(
      "r-rfm-0.2", "R package rfm 0.2.2, R/rfm-segment.R example (github.com/rsquaredacademy/rfm)",
      rows);
}

// PyPI package `rfm` 1.0.x (S. Sonwane), RFM.find_segments() in rfm/rfm.py; five bins.
[[nodiscard]] inline segment_table pypi_rfm_segments() {
  static const detail::segment_row_data rows[] = {
      {"Champions", "Recent, frequent and high-spending", 4, 5, 4, 5, 4, 5},
      {"Promising", "Recent, infrequent, spending well", 4, 5, 1, 2, 3, 5},
      {"Loyal Accounts", "Fairly recent, frequent, spending well", 3, 5, 3, 5, 3, 5},
      {"Potential Loyalist", "Fairly recent, moderately frequent and spending", 3, 5, 2, 3, 2, 4},
      {"New Active Accounts", "Most recent, bought once", 5, 5, 1, 1, 1, 5},
      {"Low Spenders", "Fairly recent, low spending", 3, 5, 1, 5, 1, 2},
      {"Need Attention", "Lapsing, infrequent, high spending", 2, 3, 1, 2, 4, 5},
      {"About to Sleep", "Lapsing, infrequent, low to medium spending", 2, 3, 1, 2, 1, 3},
      {"At Risk", "Long ago, spending well", 1, 2, 1, 5, 3, 5},
      {"Lost", "Long ago, low spending", 1, 2, 1, 5, 1, 2},
  };
  return detail::make_segment_table(
      "pypi-rfm-1.0", "PyPI package rfm 1.0.15, RFM.find_segments() in rfm/rfm.py "
      "(github.com/sonwanesuresh95/rfm)", rows);
}

// The shipped tables by tag: "r-rfm-0.3.0" (default), "r-rfm-0.2", "pypi-rfm-1.0".
[[nodiscard]] inline std::vector<segment_table> published_segment_tables() {
  return {r_rfm_0_3_0_segments(), r_rfm_0_2_segments(), pypi_rfm_segments()};
}

}  // namespace patron
