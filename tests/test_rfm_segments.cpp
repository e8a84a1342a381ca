// RFM segment tables (published ranges, validator), the segment summary of the CDNOW
// sample against pandas, and every bad input of the rfm entry points.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <patron/core/calendar.hpp>
#include <patron/rfm.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "reference/rfm/csv_columns.hpp"
#include "support/close_to.hpp"

using patron_test::close_to;
using patron_test::read_reference_csv;

namespace {

struct cdnow_log {
  std::vector<long long> customers;
  std::vector<double> days, amounts;
};

cdnow_log load_cdnow() {
  std::ifstream in(std::string(PATRON_EXAMPLES_DATA_DIR) + "/cdnow_sample.csv");
  REQUIRE(in.good());
  cdnow_log log;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string customer, date, cds, amount;
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

const double not_a_number = std::numeric_limits<double>::quiet_NaN();
const double infinity = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("CDNOW segment summary with R rfm 0.3.0 segments equals pandas", "[reference]") {
  const auto log = load_cdnow();
  patron::rfm_options o;
  o.as_of = static_cast<double>(patron::days_from_civil(1998, 6, 30));
  const auto table = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
  const auto scores = patron::score_rfm(table);
  const auto segments = patron::assign_segments(scores, patron::r_rfm_0_3_0_segments());
  const auto summary = patron::summarize_segments(table, scores, segments);

  // make_reference.py: Series.quantile(np.linspace(0, 1, 6))[1:-1] per dimension.
  const auto cuts = read_reference_csv("cdnow_cuts.csv");
  const auto cut = cuts.numbers("cut");
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK_THAT(scores.recency.breakpoints[j], close_to(cut[j], 1e-15));
    CHECK_THAT(scores.frequency.breakpoints[j], close_to(cut[4 + j], 1e-15));
    CHECK_THAT(scores.monetary.breakpoints[j], close_to(cut[8 + j], 1e-15));
  }
  // 1,205 of 2,357 customers bought once: cut points 1, 1, 2, 4, so frequency score 2
  // is reported collapsed (pandas.qcut without duplicates="drop" raises here).
  CHECK(scores.frequency.collapsed_bins == std::vector<int>{2});

  // groupby("segment").agg(...) over the transcribed R rfm 0.3.0 ranges, first match wins.
  const auto ref = read_reference_csv("cdnow_segment_summary.csv");
  const auto& name = ref.text("segment");
  const auto customers = ref.integers("customers");
  const auto orders = ref.numbers("orders"), revenue = ref.numbers("revenue"),
             share = ref.numbers("share"), aov = ref.numbers("aov"),
             mean_recency = ref.numbers("mean_recency"),
             mean_frequency = ref.numbers("mean_frequency"),
             mean_monetary = ref.numbers("mean_monetary");
  REQUIRE(summary.size() == name.size());
  for (std::size_t k = 0; k < name.size(); ++k) {
    const auto& row = summary[k];
    CHECK(row.segment == name[k]);
    CHECK(row.customers == customers[k]);
    CHECK(row.orders == orders[k]);
    CHECK_THAT(row.revenue, close_to(revenue[k], 1e-12));
    CHECK_THAT(row.share, close_to(share[k], 1e-15));
    CHECK_THAT(row.average_order_value, close_to(aov[k], 1e-12));
    CHECK_THAT(row.mean_recency, close_to(mean_recency[k], 1e-14));
    CHECK_THAT(row.mean_frequency, close_to(mean_frequency[k], 1e-14));
    CHECK_THAT(row.mean_monetary, close_to(mean_monetary[k], 1e-12));
  }
}

TEST_CASE("CDNOW frequency: collapsed bins against pandas duplicates=drop", "[reference]") {
  const auto log = load_cdnow();
  patron::rfm_options o;
  o.as_of = static_cast<double>(patron::days_from_civil(1998, 6, 30));
  const auto table = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
  const auto scores = patron::score_rfm(table);
  const auto ref = read_reference_csv("cdnow_frequency_scores.csv");
  const auto f = ref.integers("f");                 // np.searchsorted(cuts, x, "left") + 1
  const auto dropped = ref.integers("f_qcut_drop");  // pandas.qcut(..., duplicates="drop")
  REQUIRE(f.size() == table.size());
  std::map<int, long long> pandas_label_of_score;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const int score = scores.frequency.score(static_cast<Eigen::Index>(i));
    CHECK(score == f[i]);
    // patron's bins refine pandas': customers sharing a patron score share a pandas label.
    const auto [it, inserted] = pandas_label_of_score.emplace(score, dropped[i]);
    CHECK(it->second == dropped[i]);
  }
  // pandas keeps 3 bins and merges one- and two-time buyers into its first, [1, 2];
  // patron keeps scores 1 (x = 1) and 3 (x = 2) apart and reports score 2 as collapsed.
  CHECK(pandas_label_of_score == std::map<int, long long>{{1, 0}, {3, 0}, {4, 1}, {5, 2}});
}

TEST_CASE("published segment tables: gaps and cells won per row", "[reference]") {
  // Brute force over the 125 cells in make_reference.py, from the ranges as published.
  const auto ref = read_reference_csv("segment_table_cells.csv");
  const auto& tag = ref.text("table");
  const auto& kind = ref.text("kind");
  const auto& value = ref.text("value");
  for (const auto& table : patron::published_segment_tables()) {
    const auto report = patron::check_segment_table(table);
    std::vector<std::string> gaps, cells;
    for (const auto& g : report.gaps)
      gaps.push_back(std::to_string(g.recency * 100 + g.frequency * 10 + g.monetary));
    for (std::size_t k = 0; k < report.cells_matched.size(); ++k)
      cells.push_back(std::to_string(k) + ":" + std::to_string(report.cells_matched[k]));
    std::vector<std::string> expected_gaps, expected_cells;
    for (std::size_t i = 0; i < tag.size(); ++i)
      if (tag[i] == table.name) (kind[i] == "gap" ? expected_gaps : expected_cells).push_back(value[i]);
    INFO(table.name);
    CHECK(gaps == expected_gaps);
    CHECK(cells == expected_cells);
  }
}

TEST_CASE("the validator finds the shadowed rows of R rfm 0.2.x", "[reference]") {
  // In 0.2.2's ranges "New Customers" (R 4-5, F 1, M 1) and "Promising" (R 3-4, F 1,
  // M 1) lie inside "Potential Loyalist" (R 3-5, F 1-3, M 1-3), and "Can't Lose Them"
  // (R 1, F 4-5, M 4-5) inside "At Risk" (R 1-2, F 2-5, M 2-5).
  const auto report = patron::check_segment_table(patron::r_rfm_0_2_segments());
  CHECK(report.shadowed == std::vector<std::size_t>{3, 4, 8});
  CHECK(!report.complete());
  CHECK(patron::check_segment_table(patron::pypi_rfm_segments()).complete());
  const auto r030 = patron::check_segment_table(patron::r_rfm_0_3_0_segments());
  CHECK(r030.shadowed.empty());
  CHECK(r030.gaps.size() == 10);
}

TEST_CASE("segments are first match wins; uncovered cells become Others", "[edge]") {
  const Eigen::VectorXd v = (Eigen::VectorXd(4) << 1, 2, 3, 4).finished();
  patron::score_options o;
  o.recency.bins = o.frequency.bins = o.monetary.bins = 2;
  const auto s = patron::score_rfm(v, v, v, o);  // codes 211, 211, 122, 122
  patron::segment_table t{"custom", "test", {}};
  t.rules.push_back({"recent", "", {2, 2}, {1, 2}, {1, 2}});
  t.rules.push_back({"also recent", "", {2, 2}, {1, 1}, {1, 1}});
  const auto a = patron::assign_segments(s, t);
  CHECK(a.names == std::vector<std::string>{"recent", "also recent", "Others"});
  CHECK(a.segment == (Eigen::VectorXi(4) << 0, 0, 2, 2).finished());
  CHECK(a.name_of(3) == "Others");
  const auto report = patron::check_segment_table(t, 2, 2, 2);
  CHECK(report.shadowed == std::vector<std::size_t>{1});
  CHECK(report.gaps.size() == 4);

  // A table with ten-bin ranges on ten-bin scores.
  patron::segment_table wide{"wide", "", {{"all", "", {1, 10}, {1, 10}, {1, 10}}}};
  CHECK(patron::check_segment_table(wide, 10, 10, 10).complete());
}

TEST_CASE("bad transactions and options are rejected naming the record", "[invalid]") {
  std::vector<long long> ids{1, 2, 3};
  std::vector<double> days{1, 2, 3}, amounts{1, 2, 3};
  auto bad = days;
  bad[1] = not_a_number;
  CHECK_THROWS_WITH(patron::rfm_from_transactions(ids, bad, amounts),
                    "patron::rfm_from_transactions: times[1] (nan) must be finite");
  bad = amounts;
  bad[2] = infinity;
  CHECK_THROWS_WITH(patron::rfm_from_transactions(ids, days, bad),
                    "patron::rfm_from_transactions: amounts[2] (inf) must be finite and non-negative");
  bad[2] = -1;
  CHECK_THROWS_WITH(patron::rfm_from_transactions(ids, days, bad),
                    "patron::rfm_from_transactions: amounts[2] (-1) must be finite and non-negative");
  patron::rfm_options o;
  o.as_of = 2.5;
  CHECK_THROWS_WITH(patron::rfm_from_transactions(ids, days, amounts, o),
                    "patron::rfm_from_transactions: options.as_of (2.5) precedes times[2] (3)");
  o.as_of = not_a_number;
  CHECK_THROWS_WITH(patron::rfm_from_transactions(ids, days, amounts, o),
                    "patron::rfm_from_transactions: options.as_of (nan) must be finite");
  o.as_of.reset();
  o.time_unit = 0;
  CHECK_THROWS_WITH(patron::rfm_from_transactions(ids, days, amounts, o),
                    "patron::rfm_from_transactions: options.time_unit (0) must be finite and positive");
  o.time_unit = 1;
  CHECK_THROWS_WITH(patron::rfm_from_transactions(std::vector<long long>{}, std::vector<double>{},
                                                  std::vector<double>{}),
                    "patron::rfm_from_transactions: customers must not be empty");
  CHECK_THROWS_WITH(patron::rfm_from_transactions(ids, std::vector<double>{1, 2}, amounts),
                    "patron::rfm_from_transactions: customers has 3 elements but times has 2");

  patron::rfm_accumulator<long long> acc;
  CHECK_THROWS_WITH(acc.table(), "patron::rfm_accumulator::table: records must not be empty");
  acc.add(7, 10.0, 1.0);
  CHECK_THROWS_WITH(acc.add(7, not_a_number, 1.0), "patron::rfm_accumulator::add: times[1] (nan) must be finite");
  CHECK_THROWS_WITH(acc.add(ids, days, bad),
                    "patron::rfm_accumulator::add: amounts[2] (-1) must be finite and non-negative");
  acc.add(ids, days, amounts);
  patron::rfm_options early;
  early.as_of = 9.0;
  CHECK_THROWS_WITH(acc.table(early),
                    "patron::rfm_accumulator::table: options.as_of (9) precedes times[0] (10)");
  CHECK(acc.records() == 4);
}

TEST_CASE("bad customer tables are rejected naming the row", "[invalid]") {
  const std::vector<int> ids{4, 5, 4};
  const Eigen::VectorXd ok = Eigen::VectorXd::Ones(3);
  CHECK_THROWS_WITH(patron::rfm_from_customers(ids, ok, ok, ok),
                    "patron::rfm_from_customers: customers[2] (4) repeats customers[0]");
  const std::vector<int> distinct{1, 2, 3};
  Eigen::VectorXd bad = ok;
  bad(1) = -2;
  CHECK_THROWS_WITH(patron::rfm_from_customers(distinct, bad, ok, ok),
                    "patron::rfm_from_customers: recency[1] (-2) must be finite and non-negative");
  bad(1) = 0;
  CHECK_THROWS_WITH(patron::rfm_from_customers(distinct, ok, bad, ok),
                    "patron::rfm_from_customers: frequency[1] (0) must be finite and positive");
  bad(1) = not_a_number;
  CHECK_THROWS_WITH(patron::rfm_from_customers(distinct, ok, ok, bad),
                    "patron::rfm_from_customers: monetary[1] (nan) must be finite and non-negative");
  CHECK_THROWS_WITH(patron::rfm_from_customers(distinct, ok, ok, Eigen::VectorXd::Ones(2)),
                    "patron::rfm_from_customers: customers has 3 elements but monetary has 2");
}

TEST_CASE("bad bins, breakpoints and weights are rejected", "[invalid]") {
  const Eigen::VectorXd v = (Eigen::VectorXd(3) << 1, 2, 3).finished();
  patron::score_options o;
  o.frequency.bins = 1;
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.frequency.bins (1) must be in [2, 10]");
  o.frequency.bins = 11;
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.frequency.bins (11) must be in [2, 10]");
  o = {};
  o.monetary.bins = 3;
  o.monetary.breakpoints = {5, 5};
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.monetary.breakpoints[1] (5) must be greater than "
                    "the breakpoint before it (5)");
  o.monetary.breakpoints = {5};
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.monetary.breakpoints has 1 elements but "
                    "options.monetary.bins - 1 has 2");
  o.monetary.breakpoints = {1, infinity};
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.monetary.breakpoints[1] (inf) must be finite");
  o = {};
  o.recency_weight = not_a_number;
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.recency_weight (nan) must be finite");
  Eigen::VectorXd bad = v;
  bad(2) = -infinity;
  CHECK_THROWS_WITH(patron::score_rfm(bad, v, v), "patron::score_rfm: recency[2] (-inf) must be finite");
  CHECK_THROWS_WITH(patron::score_rfm(v, Eigen::VectorXd(2), v),
                    "patron::score_rfm: recency has 3 elements but frequency has 2");
  o = {};
  // Dimensions scored on threads of their own report the first failure in R, F, M order.
  o.threads = 3;
  o.monetary.bins = 11;
  o.frequency.bins = 1;
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.frequency.bins (1) must be in [2, 10]");
}

TEST_CASE("segment tables with ranges outside 1..bins are rejected naming the row", "[invalid]") {
  const Eigen::VectorXd v = (Eigen::VectorXd(3) << 1, 2, 3).finished();
  const auto s = patron::score_rfm(v, v, v);
  auto t = patron::r_rfm_0_3_0_segments();
  t.rules[9].monetary.high = 6;
  CHECK_THROWS_WITH(patron::assign_segments(s, t),
                    "patron::assign_segments: table.rules[9].monetary.high (6) must be in [1, 5] "
                    "(segment \"Lost\")");
  t = patron::r_rfm_0_3_0_segments();
  t.rules[2].recency.low = 0;
  CHECK_THROWS_WITH(patron::assign_segments(s, t),
                    "patron::assign_segments: table.rules[2].recency.low (0) must be in [1, 5] "
                    "(segment \"Loyal Customers\")");
  t = patron::r_rfm_0_3_0_segments();
  t.rules[4].frequency = {3, 2};
  CHECK_THROWS_WITH(patron::check_segment_table(t),
                    "patron::check_segment_table: table.rules[4].frequency.high (2) must be in "
                    "[3, 5] (segment \"New Customers\")");
  CHECK_THROWS_WITH(patron::check_segment_table(patron::pypi_rfm_segments(), 4),
                    "patron::check_segment_table: table.rules[0].recency.high (5) must be in [4, 4] "
                    "(segment \"Champions\")");
  CHECK_THROWS_WITH(patron::check_segment_table(patron::pypi_rfm_segments(), 5, 11),
                    "patron::check_segment_table: frequency bins (11) must be in [2, 10]");
}

TEST_CASE("bad sketch arguments are rejected", "[invalid]") {
  CHECK_THROWS_WITH(patron::quantile_sketch(0.0),
                    "patron::quantile_sketch: relative_accuracy (0) must be in (0, 1)");
  patron::quantile_sketch sketch(0.01);
  CHECK_THROWS_WITH(sketch.quantile(0.5),
                    "patron::quantile_sketch::quantile: count() (0) must be positive: the sketch is empty");
  sketch.add(3.0);
  CHECK_THROWS_WITH(sketch.add(not_a_number),
                    "patron::quantile_sketch::add: values[1] (nan) must be finite");
  CHECK_THROWS_WITH(sketch.quantile(1.5), "patron::quantile_sketch::quantile: p (1.5) must be in [0, 1]");
  CHECK_THROWS_WITH(sketch.merge(patron::quantile_sketch(0.02)),
                    "patron::quantile_sketch::merge: other.relative_accuracy() (0.02) differs from "
                    "this sketch's (0.01)");
  const Eigen::VectorXd v = (Eigen::VectorXd(3) << 1, 2, 3).finished();
  patron::score_options o;
  o.frequency.sketch = patron::quantile_sketch();
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.frequency.sketch.count() (0) must be positive: the "
                    "sketch is empty");
  o = {};
  o.method = patron::breakpoint_method::sketch_quantiles;
  o.sketch_relative_accuracy = 1.0;
  CHECK_THROWS_WITH(patron::score_rfm(v, v, v, o),
                    "patron::score_rfm: options.sketch_relative_accuracy (1) must be in (0, 1)");
}

TEST_CASE("hand-edited scores and mismatched summaries are rejected", "[invalid]") {
  const Eigen::VectorXd v = (Eigen::VectorXd(3) << 1, 2, 3).finished();
  auto s = patron::score_rfm(v, v, v);
  const auto table = patron::rfm_from_customers(std::vector<int>{1, 2, 3}, v, v, v);
  const auto segments = patron::assign_segments(s, patron::r_rfm_0_3_0_segments());
  s.monetary.score(1) = 6;
  CHECK_THROWS_WITH(patron::assign_segments(s, patron::r_rfm_0_3_0_segments()),
                    "patron::assign_segments: scores.monetary.score[1] (6) must be in [1, 5]");
  s.monetary.score.resize(2);
  CHECK_THROWS_WITH(patron::summarize_segments(table, s, segments),
                    "patron::summarize_segments: scores.recency.score has 3 elements but "
                    "scores.monetary.score has 2");
  const auto other = patron::rfm_from_customers(std::vector<int>{1, 2}, v.head(2), v.head(2), v.head(2));
  CHECK_THROWS_WITH(patron::summarize_segments(other, patron::score_rfm(v, v, v), segments),
                    "patron::summarize_segments: table.recency has 2 elements but "
                    "scores.recency.score has 3");
}
