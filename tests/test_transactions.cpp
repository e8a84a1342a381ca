// Transactions -> per-customer summary: the CDNOW reproduction, conventions, the
// mergeable accumulator and bad input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <patron/core/calendar.hpp>
#include <patron/core/rng.hpp>
#include <patron/transactions.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/close_to.hpp"

namespace {

std::vector<std::vector<std::string>> read_csv_rows(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

double day_of(const std::string& yyyymmdd) {
  return static_cast<double>(patron::days_from_civil(std::stoi(yyyymmdd.substr(0, 4)),
                                                     std::stoi(yyyymmdd.substr(4, 2)),
                                                     std::stoi(yyyymmdd.substr(6, 2))));
}

struct cdnow_log {
  std::vector<long long> customers;
  std::vector<double> days, amounts;
};

cdnow_log load_cdnow() {
  cdnow_log log;
  for (const auto& r : read_csv_rows(std::string(PATRON_EXAMPLES_DATA_DIR) + "/cdnow_sample.csv")) {
    log.customers.push_back(std::stoll(r[0]));
    log.days.push_back(day_of(r[1]));
    log.amounts.push_back(std::stod(r[3]));
  }
  return log;
}

patron::summary_options cdnow_options() {
  patron::summary_options o;
  o.time_unit = 7.0;
  o.calibration_end = day_of("19970930");
  o.observation_end = day_of("19980630");
  return o;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

TEST_CASE("CDNOW sample summary reproduces cdnow_summary.csv for all 2357 customers",
          "[transactions][reference]") {
  const auto log = load_cdnow();
  const auto s = patron::summarize_transactions(log.customers, log.days, log.amounts, cdnow_options());
  // Reference: ../shared/data/cdnow/cdnow_summary.csv (copied to tests/data), the BG/NBD
  // paper's calibration summary; t_x and T printed to two decimals (weeks).
  const auto reference = read_csv_rows(std::string(PATRON_TEST_DATA_DIR) + "/cdnow_summary.csv");
  REQUIRE(s.size() == 2357);
  REQUIRE(reference.size() == 2357);
  int mismatches = 0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    const bool same = s.customer[i] == std::stoll(reference[i][0]) &&
                      s.x(r) == std::stod(reference[i][1]) &&
                      round2(s.t_x(r)) == std::stod(reference[i][2]) &&
                      round2(s.T(r)) == std::stod(reference[i][3]);
    if (!same) ++mismatches;
  }
  CHECK(mismatches == 0);
  CHECK(s.customers_after_cutoff == 0);
  CHECK(s.holdout_length == 39.0);  // 1997-09-30 .. 1998-06-30 is 273 days
}

TEST_CASE("CDNOW mean repeat spend reproduces zbar of cdnow_summary_with_spend.csv",
          "[transactions][reference]") {
  const auto log = load_cdnow();
  const auto s = patron::summarize_transactions(log.customers, log.days, log.amounts, cdnow_options());
  const auto reference =
      read_csv_rows(std::string(PATRON_TEST_DATA_DIR) + "/cdnow_summary_with_spend.csv");
  REQUIRE(reference.size() == s.size());
  // The file rounds half up from exact decimals (22.345 -> 22.35) while 22.345 has no
  // exact double, so agreement "to two decimals" means within half a cent.
  int mismatches = 0;
  for (std::size_t i = 0; i < reference.size(); ++i)
    if (std::abs(s.mean_repeat_spend(static_cast<Eigen::Index>(i)) - std::stod(reference[i][4])) >
        0.005 + 1e-9)
      ++mismatches;
  CHECK(mismatches == 0);
}

TEST_CASE("summary equals pandas groupby on a generated log with string ids", "[transactions][reference]") {
  // Reference: tests/reference/transactions/make_summary_reference.py (pandas groupby
  // with cut-off 60, observation end 100, period 1, unit 7). Sums run in a different
  // order in pandas, so floating columns agree to 1e-12 relative, counts exactly.
  std::vector<std::string> id;
  std::vector<double> t, amount;
  for (const auto& r : read_csv_rows(std::string(PATRON_TEST_DATA_DIR) + "/transactions/log.csv")) {
    id.push_back(r[0]);
    t.push_back(std::stod(r[1]));
    amount.push_back(std::stod(r[2]));
  }
  patron::summary_options o;
  o.calibration_end = 60.0;
  o.observation_end = 100.0;
  o.time_unit = 7.0;
  const auto s = patron::summarize_transactions(id, t, amount, o);
  const auto ref = read_csv_rows(std::string(PATRON_TEST_DATA_DIR) + "/transactions/summary_reference.csv");
  REQUIRE(s.size() == ref.size());
  CHECK(s.customers_after_cutoff == 3);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    INFO("customer " << ref[i][0]);
    CHECK(s.customer[i] == ref[i][0]);
    CHECK(s.first_purchase(r) == std::stod(ref[i][1]));
    CHECK(s.last_purchase(r) == std::stod(ref[i][2]));
    CHECK(s.transactions(r) == std::stoll(ref[i][3]));
    CHECK_THAT(s.total_spend(r), close_to(std::stod(ref[i][4]), 1e-12));
    CHECK_THAT(s.mean_spend(r), close_to(std::stod(ref[i][5]), 1e-12));
    CHECK(s.purchase_periods(r) == std::stoll(ref[i][6]));
    CHECK_THAT(s.mean_repeat_spend(r), close_to(std::stod(ref[i][7]), 1e-12));
    CHECK(s.x(r) == std::stod(ref[i][8]));
    CHECK_THAT(s.t_x(r), close_to(std::stod(ref[i][9]), 1e-15));
    CHECK_THAT(s.T(r), close_to(std::stod(ref[i][10]), 1e-15));
    CHECK(s.holdout_transactions(r) == std::stoll(ref[i][11]));
    CHECK_THAT(s.holdout_spend(r), close_to(std::stod(ref[i][12]), 1e-12, 1e-300));
  }
}

TEST_CASE("same-period purchases merge for BTYD counts but not for transaction counts",
          "[transactions]") {
  const std::vector<int> id{1, 1, 1, 1};
  const std::vector<double> t{0.0, 0.25, 3.0, 3.5};
  const std::vector<double> amount{10, 5, 7, 1};
  const auto s = patron::summarize_transactions(id, t, amount);
  CHECK(s.transactions(0) == 4);
  CHECK(s.purchase_periods(0) == 2);
  CHECK(s.x(0) == 1.0);
  CHECK(s.t_x(0) == 3.5);  // last purchase time, not the start of its period
  CHECK(s.mean_spend(0) == 23.0 / 4.0);
  CHECK(s.mean_repeat_spend(0) == 8.0);  // the second period's 7 + 1
}

TEST_CASE("calibration cut-off splits holdout and leaves out later customers", "[transactions]") {
  const std::vector<std::string> id{"b", "a", "a", "c", "a"};
  const std::vector<double> t{2, 0, 5, 12, 15};
  const std::vector<double> amount{1, 2, 3, 4, 5};
  patron::summary_options o;
  o.calibration_end = 10;
  o.observation_end = 20;
  const auto s = patron::summarize_transactions(id, t, amount, o);
  REQUIRE(s.size() == 2);
  CHECK(s.customer == std::vector<std::string>{"a", "b"});
  CHECK(s.customers_after_cutoff == 1);
  CHECK(s.x(0) == 1);
  CHECK(s.T(0) == 10);
  CHECK(s.holdout_transactions(0) == 1);
  CHECK(s.holdout_spend(0) == 5);
  CHECK(s.holdout_length == 10);
  CHECK(s.T(1) == 8);
}

TEST_CASE("summary is invariant to row order and id representation", "[transactions][property]") {
  patron::rng r(3);
  const std::size_t n = 5000;
  std::vector<long long> id(n);
  std::vector<double> t(n), amount(n);
  for (std::size_t i = 0; i < n; ++i) {
    id[i] = static_cast<long long>(r.uniform_index(400)) * 1000003;  // sparse ids: hash path
    t[i] = std::floor(r.uniform() * 300.0);
    amount[i] = std::round(r.uniform() * 10000.0) / 100.0;
  }
  const auto a = patron::summarize_transactions(id, t, amount);
  std::vector<std::size_t> perm(n);
  for (std::size_t i = 0; i < n; ++i) perm[i] = i;
  r.shuffle(perm);
  std::vector<long long> id2(n);
  std::vector<double> t2(n), amount2(n);
  for (std::size_t i = 0; i < n; ++i) {
    id2[i] = id[perm[i]] / 1000003;  // dense ids: lookup-table path
    t2[i] = t[perm[i]];
    amount2[i] = amount[perm[i]];
  }
  const auto b = patron::summarize_transactions(id2, t2, amount2);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a.customer[i] / 1000003 == b.customer[i]);
  CHECK(a.total_spend == b.total_spend);  // bitwise: canonical summation order
  CHECK(a.mean_repeat_spend == b.mean_repeat_spend);
  CHECK(a.x == b.x);
  CHECK(a.t_x == b.t_x);
  CHECK(a.T == b.T);
}

TEST_CASE("accumulator merged from shards equals the batch summary exactly",
          "[transactions][property]") {
  const auto log = load_cdnow();
  const auto batch = patron::summarize_transactions(log.customers, log.days, log.amounts, cdnow_options());
  patron::transaction_accumulator<long long> shard[3];
  for (std::size_t i = 0; i < log.customers.size(); ++i)
    shard[(i * 7919) % 3].add(log.customers[i], log.days[i], log.amounts[i]);
  shard[1].merge(shard[2]);
  shard[0].merge(shard[1]);
  CHECK(shard[0].records() == log.customers.size());
  const auto merged = shard[0].summarize(cdnow_options());
  CHECK(merged.customer == batch.customer);
  CHECK(merged.total_spend == batch.total_spend);
  CHECK(merged.mean_repeat_spend == batch.mean_repeat_spend);
  CHECK(merged.x == batch.x);
  CHECK(merged.t_x == batch.t_x);
  CHECK(merged.T == batch.T);
  CHECK(merged.holdout_transactions == batch.holdout_transactions);
  CHECK(merged.holdout_spend == batch.holdout_spend);

  patron::transaction_accumulator<long long> columns;
  columns.add(log.customers, log.days, log.amounts);
  CHECK(columns.summarize(cdnow_options()).x == batch.x);
}

TEST_CASE("identical rows are kept as separate transactions", "[transactions][edge]") {
  const std::vector<int> id{5, 5};
  const std::vector<double> t{1, 1}, amount{3, 3};
  const auto s = patron::summarize_transactions(id, t, amount);
  CHECK(s.transactions(0) == 2);
  CHECK(s.purchase_periods(0) == 1);
  CHECK(s.total_spend(0) == 6);
}

TEST_CASE("summarize_transactions rejects bad input with the offending record",
          "[transactions][invalid]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<int> id{1, 2, 3};
  const std::vector<double> t{0, 1, 2}, amount{1, 1, 1};
  CHECK_THROWS_WITH(patron::summarize_transactions(std::vector<int>{}, std::vector<double>{},
                                                   std::vector<double>{}),
                    "patron::summarize_transactions: customers must not be empty");
  CHECK_THROWS_WITH(patron::summarize_transactions(id, std::vector<double>{0, 1}, amount),
                    "patron::summarize_transactions: customers has 3 elements but times has 2");
  CHECK_THROWS_WITH(patron::summarize_transactions(id, std::vector<double>{0, nan, 2}, amount),
                    "patron::summarize_transactions: times[1] (nan) must be finite");
  CHECK_THROWS_WITH(patron::summarize_transactions(id, t, std::vector<double>{1, 1, -2}),
                    "patron::summarize_transactions: amounts[2] (-2) must be finite and non-negative");
  patron::summary_options o;
  o.calibration_end = -1;
  CHECK_THROWS_WITH(patron::summarize_transactions(id, t, amount, o),
                    "patron::summarize_transactions: options.calibration_end (-1) precedes every "
                    "transaction (earliest at time 0)");
  o = {};
  o.observation_end = 1.5;
  CHECK_THROWS_WITH(patron::summarize_transactions(id, t, amount, o),
                    "patron::summarize_transactions: options.observation_end (1.5) precedes "
                    "transaction 2 at time 2");
  o = {};
  o.calibration_end = 3;
  o.observation_end = 2;
  CHECK_THROWS_AS(patron::summarize_transactions(id, t, amount, o), patron::invalid_input);
  o = {};
  o.period_length = 0;
  CHECK_THROWS_WITH(patron::summarize_transactions(id, t, amount, o),
                    "patron::summarize_transactions: options.period_length (0) must be finite and positive");
  o = {};
  o.time_unit = nan;
  CHECK_THROWS_AS(patron::summarize_transactions(id, t, amount, o), patron::invalid_input);

  patron::transaction_accumulator<int> acc;
  CHECK_THROWS_WITH(acc.add(1, 0.0, -1.0),
                    "patron::transaction_accumulator::add: amounts[0] (-1) must be finite and non-negative");
  CHECK_THROWS_WITH(acc.summarize(), "patron::transaction_accumulator::summarize: records must not be empty");
}

TEST_CASE("calendar conversion round-trips and matches known dates", "[transactions][calendar]") {
  CHECK(patron::days_from_civil(1970, 1, 1) == 0);
  CHECK(patron::days_from_civil(1997, 9, 30) - patron::days_from_civil(1997, 1, 1) == 272);
  CHECK(patron::days_from_civil(2000, 3, 1) - patron::days_from_civil(2000, 2, 28) == 2);
  for (std::int64_t d = -800000; d < 800000; d += 997) {
    const auto c = patron::civil_from_days(d);
    CHECK(patron::days_from_civil(c.year, c.month, c.day) == d);
  }
}

TEST_CASE("spend is the exact sum rounded once, whatever the row order",
          "[transactions][property]") {
  // Expected values: Python's math.fsum of the same amounts (the correctly rounded exact
  // sum), e.g. math.fsum([0.1] * 10) == 1.0 while a running sum gives 0.9999999999999999.
  const double two53 = 9007199254740992.0;  // 2^53
  struct case_t {
    std::vector<double> amounts;
    double fsum;
  };
  const std::vector<case_t> cases = {
      {std::vector<double>(10, 0.1), 1.0},
      {{two53, 1.0, 1.0}, two53 + 2.0},                 // a running sum from 2^53 loses both
      {{two53, 1.0}, two53},                            // tie: to even
      {{two53, 1.0, std::ldexp(1.0, -60)}, two53 + 2.0},  // just above the tie: up
      {{5e-324, 5e-324, 0.0}, 1e-323},                  // subnormals are exact too
      {{1e300, 1e-300, 1e300}, 2e300},                  // wide exponent range
  };
  for (const auto& c : cases) {
    std::vector<double> amounts = c.amounts;
    std::sort(amounts.begin(), amounts.end());
    do {
      const std::vector<int> ids(amounts.size(), 7);
      const std::vector<double> days(amounts.size(), 1.0);
      const auto s = patron::summarize_transactions(ids, days, amounts);
      patron::transaction_accumulator<int> acc;
      for (double a : amounts) acc.add(7, 1.0, a);
      CHECK(s.total_spend(0) == c.fsum);
      CHECK(acc.summarize().total_spend(0) == c.fsum);
    } while (std::next_permutation(amounts.begin(), amounts.end()));
  }
}

TEST_CASE("exact sums: the two-limb window and the wide accumulator agree",
          "[transactions][property]") {
  patron::rng r(17);
  for (int trial = 0; trial < 200; ++trial) {
    // Amounts within a window of 2^(0..20) around a random scale, a few hundred of them.
    const int scale = static_cast<int>(r.uniform_index(120)) - 60;
    const std::size_t count = 1 + r.uniform_index(300);
    std::vector<double> amounts;
    patron::detail::amount_exponents range;
    for (std::size_t k = 0; k < count; ++k) {
      amounts.push_back(std::ldexp(r.uniform(), scale + static_cast<int>(r.uniform_index(21))));
      range.note(amounts.back());
    }
    REQUIRE(range.fit_window(count));
    const auto window = patron::detail::window_for(range);
    patron::detail::window_summer::sum a;
    patron::detail::wide_summer::sum b;
    for (double v : amounts) {
      window.add(a, v);
      patron::detail::wide_summer::add(b, v);
    }
    CHECK(window.value(a) == patron::detail::wide_summer::value(b));
  }
}

TEST_CASE("a log too wide for the two-limb window gives every customer the same sums",
          "[transactions][property]") {
  // One customer's amount of 1e-300 forces the wide accumulator for the whole log; the
  // other customers' sums must not change.
  patron::rng r(29);
  std::vector<long long> ids;
  std::vector<double> days, amounts;
  for (int i = 0; i < 3000; ++i) {
    ids.push_back(static_cast<long long>(r.uniform_index(200)));
    days.push_back(static_cast<double>(r.uniform_index(100)));
    amounts.push_back(static_cast<double>(r.uniform_index(100000)) / 100.0);
  }
  const auto narrow = patron::summarize_transactions(ids, days, amounts);
  ids.push_back(1000);
  days.push_back(5.0);
  amounts.push_back(1e-300);
  REQUIRE_FALSE([&] {
    patron::detail::amount_exponents range;
    for (double a : amounts) range.note(a);
    return range.fit_window(amounts.size());
  }());
  const auto wide = patron::summarize_transactions(ids, days, amounts);
  REQUIRE(wide.size() == narrow.size() + 1);
  CHECK(wide.total_spend(wide.size() - 1) == 1e-300);
  const auto rows = static_cast<Eigen::Index>(narrow.size());
  CHECK(wide.total_spend.head(rows) == narrow.total_spend);
  CHECK(wide.mean_repeat_spend.head(rows) == narrow.mean_repeat_spend);
  CHECK(wide.holdout_spend.head(rows) == narrow.holdout_spend);
}

TEST_CASE("customers summarised with and without sorting their records agree",
          "[transactions][property]") {
  // Customers with up to detail::unsorted_records records take the unsorted pass; check
  // it against the sorted pass on the same records, with periods straddling the cut-off.
  patron::rng r(53);
  patron::summary_options options;
  options.period_length = 7.0;
  const patron::detail::resolved_window window{24.5, 60.0};
  const patron::detail::window_summer summer{1000};  // grid 2^-75: eighths below 125 fit
  for (int trial = 0; trial < 500; ++trial) {
    const auto n = 1 + r.uniform_index(patron::detail::unsorted_records);
    std::vector<patron::detail::transaction_record> records;
    for (std::size_t k = 0; k < n; ++k)
      records.push_back({static_cast<double>(r.uniform_index(60)) / 2.0,
                         static_cast<double>(r.uniform_index(1000)) / 8.0});
    double first = records[0].time;
    for (const auto& rec : records) first = std::min(first, rec.time);
    if (first > window.calibration_end) continue;
    const auto a = patron::detail::pass_unsorted(records.data(), records.data() + n, first,
                                                 options, window, summer);
    auto sorted = records;
    const auto b = patron::detail::pass_sorted(sorted.data(), sorted.data() + n, options, window,
                                               summer);
    CHECK(a.transactions == b.transactions);
    CHECK(a.periods == b.periods);
    CHECK(a.holdout_periods == b.holdout_periods);
    CHECK(a.last == b.last);
    CHECK(summer.value(a.first_period_spend) == summer.value(b.first_period_spend));
    CHECK(summer.value(a.repeat_spend) == summer.value(b.repeat_spend));
    CHECK(summer.value(a.holdout) == summer.value(b.holdout));
  }
}

TEST_CASE("two-limb rounding equals the general rounding, ties and sticky bits included",
          "[transactions][property]") {
  // round_two_limbs is round_to_double without loops; the general one is the reference
  // (itself checked against math.fsum above). Limbs with few bits set make ties and
  // lone sticky bits common; scales cover normal, subnormal and overflowing results.
  patron::rng r(29);
  const auto sparse_word = [&] {
    std::uint64_t w = 0;
    for (std::uint64_t k = r.uniform_index(4); k-- > 0;) w |= std::uint64_t{1} << r.uniform_index(64);
    return r.uniform_index(3) == 0 ? w : w | (std::uint64_t{r.uniform_index(1u << 30)} << 20);
  };
  for (int trial = 0; trial < 20000; ++trial) {
    const std::uint64_t lo = sparse_word();
    const std::uint64_t hi = trial % 4 == 0 ? 0 : sparse_word();
    const int scale = trial % 50 == 0 ? -1074 + static_cast<int>(r.uniform_index(60))
                      : trial % 50 == 1 ? 900 + static_cast<int>(r.uniform_index(100))
                                        : static_cast<int>(r.uniform_index(400)) - 200;
    const std::uint64_t limb[2] = {lo, hi};
    const double expected = patron::detail::round_to_double(limb, 2, scale);
    const double got = patron::detail::round_two_limbs(lo, hi, scale);
    CHECK(std::memcmp(&expected, &got, sizeof got) == 0);
  }
}
