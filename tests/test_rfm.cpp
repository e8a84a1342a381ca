// RFM tables and scores against pandas (groupby + qcut), the tie policy, and the
// properties: permutation invariance, monotone scores, shards merge to the batch result.
// Reference values: tests/reference/rfm/make_reference.py -> tests/data/rfm/*.csv.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <map>
#include <patron/core/rng.hpp>
#include <patron/rfm.hpp>
#include <string>
#include <utility>
#include <vector>

#include "reference/rfm/csv_columns.hpp"
#include "support/close_to.hpp"

using patron_test::close_to;
using patron_test::read_reference_csv;

namespace {

struct log_columns {
  std::vector<long long> customers;
  std::vector<double> days, amounts;
};

log_columns reference_log() {
  const auto csv = read_reference_csv("transactions.csv");
  return {csv.integers("customer"), csv.numbers("day"), csv.numbers("amount")};
}

patron::rfm_options as_of_200() {
  patron::rfm_options o;
  o.as_of = 200.0;
  return o;
}

const patron::dimension_scores& dimension(const patron::rfm_scores& s, const std::string& name) {
  return name == "recency" ? s.recency : name == "frequency" ? s.frequency : s.monetary;
}

// A random log with heavy ties: few distinct days and amounts.
log_columns random_log(std::uint64_t seed, std::size_t rows, std::uint64_t customers) {
  patron::rng r(seed);
  log_columns log;
  for (std::size_t i = 0; i < rows; ++i) {
    log.customers.push_back(static_cast<long long>(r.uniform_index(customers)) + 1);
    log.days.push_back(static_cast<double>(r.uniform_index(40)));
    log.amounts.push_back(5.0 * static_cast<double>(r.uniform_index(8)));
  }
  return log;
}

}  // namespace

TEST_CASE("scores on data without ties equal pandas qcut for 2 to 10 bins", "[reference]") {
  const auto data = read_reference_csv("continuous.csv");
  const auto recency = data.numbers("recency"), frequency = data.numbers("frequency"),
             monetary = data.numbers("monetary");
  const Eigen::Map<const Eigen::VectorXd> r(recency.data(), static_cast<Eigen::Index>(recency.size()));
  const Eigen::Map<const Eigen::VectorXd> f(frequency.data(), r.size());
  const Eigen::Map<const Eigen::VectorXd> m(monetary.data(), r.size());

  const auto ref = read_reference_csv("continuous_qcut.csv");
  const auto bins = ref.integers("bins");
  const auto& dim = ref.text("dimension");
  const auto& kind = ref.text("kind");
  const auto index = ref.integers("index");
  const auto value = ref.numbers("value");

  for (int q : {2, 3, 4, 5, 7, 10}) {
    patron::score_options o;
    o.recency.bins = o.frequency.bins = o.monetary.bins = q;
    const auto s = patron::score_rfm(r, f, m, o);
    std::size_t scores_checked = 0, cuts_checked = 0;
    for (std::size_t k = 0; k < bins.size(); ++k) {
      if (bins[k] != q) continue;
      const auto& d = dimension(s, dim[k]);
      if (kind[k] == "score") {
        // pandas.qcut(x, q, labels=False) + 1 (recency: q + 1 - that).
        CHECK(d.score(index[k]) == static_cast<int>(value[k]));
        ++scores_checked;
      } else {
        // pandas.qcut(x, q, retbins=True)[1][1:-1]: numpy linear quantiles.
        CHECK_THAT(d.breakpoints[static_cast<std::size_t>(index[k])], close_to(value[k], 1e-15));
        ++cuts_checked;
      }
    }
    CHECK(scores_checked == 3 * recency.size());
    CHECK(cuts_checked == 3 * static_cast<std::size_t>(q - 1));
    CHECK(s.recency.collapsed_bins.empty());
    CHECK(s.frequency.collapsed_bins.empty());
  }
}

TEST_CASE("RFM table from a transaction log equals pandas groupby", "[reference]") {
  const auto log = reference_log();
  const auto ref = read_reference_csv("transactions_rfm.csv");
  const auto customer = ref.integers("customer");

  const auto t = patron::rfm_from_transactions(log.customers, log.days, log.amounts, as_of_200());
  REQUIRE(t.size() == customer.size());
  CHECK(*t.as_of == 200.0);
  // as_of - g["day"].max(), g.size(), g["amount"].sum(): recency and counts are exact,
  // sums differ from pandas' only in summation order.
  const auto recency = ref.numbers("recency"), frequency = ref.numbers("frequency"),
             monetary = ref.numbers("monetary");
  for (std::size_t i = 0; i < customer.size(); ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    CHECK(t.customer[i] == customer[i]);
    CHECK(t.recency(row) == recency[i]);
    CHECK(t.frequency(row) == frequency[i]);
    CHECK_THAT(t.monetary(row), close_to(monetary[i], 1e-13));
    CHECK(t.revenue(row) == t.monetary(row));
  }

  patron::rfm_options o = as_of_200();
  o.frequency = patron::frequency_measure::purchase_periods;
  o.monetary = patron::monetary_measure::mean;
  const auto days = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
  const auto distinct = ref.numbers("purchase_days");  // g["day"].nunique()
  for (std::size_t i = 0; i < customer.size(); ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    CHECK(days.frequency(row) == distinct[i]);
    // mean per counted purchase: g["amount"].sum() / g["day"].nunique()
    CHECK_THAT(days.monetary(row), close_to(monetary[i] / distinct[i], 1e-13));
    CHECK_THAT(days.revenue(row), close_to(monetary[i], 1e-13));
  }

  o.monetary = patron::monetary_measure::mean;
  o.frequency = patron::frequency_measure::transactions;
  const auto mean = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
  const auto mean_ref = ref.numbers("mean_monetary");  // g["amount"].mean()
  for (std::size_t i = 0; i < customer.size(); ++i)
    CHECK_THAT(mean.monetary(static_cast<Eigen::Index>(i)), close_to(mean_ref[i], 1e-13));
}

TEST_CASE("with ties, scores follow the stated policy and pandas' partition", "[reference]") {
  const auto log = reference_log();
  const auto t = patron::rfm_from_transactions(log.customers, log.days, log.amounts, as_of_200());
  const auto s = patron::score_rfm(t);
  const auto ref = read_reference_csv("transactions_rfm.csv");
  const auto cuts = read_reference_csv("transactions_cuts.csv");
  const auto& cut_dim = cuts.text("dimension");
  const auto cut = cuts.numbers("cut");

  for (const std::string name : {"recency", "frequency", "monetary"}) {
    const auto& d = dimension(s, name);
    // Series.quantile(np.linspace(0, 1, 6))[1:-1], the cut points pandas.qcut uses.
    std::size_t j = 0;
    for (std::size_t k = 0; k < cut.size(); ++k)
      if (cut_dim[k] == name) CHECK_THAT(d.breakpoints[j++], close_to(cut[k], 1e-15));
    REQUIRE(j == 4);

    // The policy in numpy terms: np.searchsorted(cuts, x, side="left") + 1.
    const auto expected = ref.integers(name + "_score");
    // pandas.qcut(x, 5, labels=False, duplicates="drop"): no edges tie in this data, so
    // the same groups in the same order.
    const auto qcut_drop = ref.integers(name + "_qcut_drop");
    std::map<long long, int> score_of_group;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const int score = d.score(static_cast<Eigen::Index>(i));
      CHECK(score == expected[i]);
      const auto [it, inserted] = score_of_group.emplace(qcut_drop[i], score);
      CHECK(it->second == score);
    }
    int previous = name == "recency" ? 6 : 0;
    for (const auto& [group, score] : score_of_group) {
      CHECK((name == "recency" ? score < previous : score > previous));
      previous = score;
    }
  }
  // Frequency cut points 3, 4, 5, 7 are distinct here: nothing collapsed.
  CHECK(s.frequency.collapsed_bins.empty());
}

TEST_CASE("scores are monotone in the values and equal values get equal scores", "[property]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto log = random_log(seed, 3000, 700);
    const auto t = patron::rfm_from_transactions(log.customers, log.days, log.amounts);
    patron::score_options o;
    o.recency.bins = 4;
    o.frequency.bins = 7;
    o.monetary.bins = 10;
    const auto s = patron::score_rfm(t, o);
    for (Eigen::Index i = 0; i < t.recency.size(); ++i)
      for (Eigen::Index j = 0; j < t.recency.size(); j += 7) {
        if (t.recency(i) <= t.recency(j)) CHECK(s.recency.score(i) >= s.recency.score(j));
        if (t.frequency(i) <= t.frequency(j)) CHECK(s.frequency.score(i) <= s.frequency.score(j));
        if (t.monetary(i) <= t.monetary(j)) CHECK(s.monetary.score(i) <= s.monetary.score(j));
      }
    // The counts per score are the scores given, and the bins reported as collapsed are
    // exactly the scores nobody received.
    for (const auto* d : {&s.recency, &s.frequency, &s.monetary}) {
      std::int64_t total = 0;
      for (int score = 1; score <= d->bins; ++score) {
        const auto count = d->customers_per_score[static_cast<std::size_t>(score - 1)];
        CHECK(count == (d->score.array() == score).count());
        total += count;
        const bool listed = std::find(d->collapsed_bins.begin(), d->collapsed_bins.end(),
                                      score) != d->collapsed_bins.end();
        CHECK(listed == (count == 0));
      }
      CHECK(total == t.recency.size());
    }
  }
}

TEST_CASE("permuting the input rows changes nothing", "[property]") {
  auto log = random_log(11, 2000, 300);
  const auto before = patron::rfm_from_transactions(log.customers, log.days, log.amounts);
  const auto scores_before = patron::score_rfm(before);

  std::vector<std::size_t> order(log.customers.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  patron::rng(5).shuffle(order);
  log_columns shuffled;
  for (std::size_t i : order) {
    shuffled.customers.push_back(log.customers[i]);
    shuffled.days.push_back(log.days[i]);
    shuffled.amounts.push_back(log.amounts[i]);
  }
  const auto after = patron::rfm_from_transactions(shuffled.customers, shuffled.days, shuffled.amounts);
  const auto scores_after = patron::score_rfm(after);
  CHECK(after.customer == before.customer);
  CHECK(after.recency == before.recency);
  CHECK(after.frequency == before.frequency);
  CHECK(after.monetary == before.monetary);
  CHECK(scores_after.code == scores_before.code);
  CHECK(scores_after.monetary.breakpoints == scores_before.monetary.breakpoints);
}

TEST_CASE("merging shards in any order equals the batch table exactly", "[property]") {
  const auto log = random_log(21, 2500, 400);
  patron::rfm_options o;
  o.as_of = 45.0;
  o.monetary = patron::monetary_measure::mean;
  const auto batch = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);

  // Three shards: one fed row by row, two by ranges; merged in a different order.
  patron::rfm_accumulator<long long> shard[3];
  for (std::size_t i = 0; i < log.customers.size(); ++i) {
    const std::size_t k = (i * 7) % 3;
    if (k == 0) shard[0].add(log.customers[i], log.days[i], log.amounts[i]);
  }
  for (std::size_t k = 1; k < 3; ++k) {
    log_columns part;
    for (std::size_t i = 0; i < log.customers.size(); ++i)
      if ((i * 7) % 3 == k) {
        part.customers.push_back(log.customers[i]);
        part.days.push_back(log.days[i]);
        part.amounts.push_back(log.amounts[i]);
      }
    shard[k].add(part.customers, part.days, part.amounts);
  }
  shard[2].merge(shard[0]);
  shard[2].merge(shard[1]);
  CHECK(shard[2].records() == log.customers.size());
  const auto merged = shard[2].table(o);
  CHECK(merged.customer == batch.customer);
  CHECK(merged.recency == batch.recency);
  CHECK(merged.frequency == batch.frequency);
  CHECK(merged.monetary == batch.monetary);
  CHECK(merged.revenue == batch.revenue);
  CHECK(patron::score_rfm(merged).code == patron::score_rfm(batch).code);

  // Merging an accumulator into itself counts every transaction twice.
  patron::rfm_accumulator<long long> twice = shard[0];
  twice.merge(twice);
  CHECK(twice.records() == 2 * shard[0].records());
  const auto doubled = twice.table(o);
  const auto single = shard[0].table(o);
  CHECK(doubled.frequency == 2.0 * single.frequency);

  // Without as_of both take the latest transaction.
  CHECK(*shard[2].table().as_of == *patron::rfm_from_transactions(log.customers, log.days,
                                                                   log.amounts).as_of);
}

TEST_CASE("user-supplied breakpoints, combined code and weighted total", "[edge]") {
  const Eigen::VectorXd recency = (Eigen::VectorXd(6) << 0, 10, 30, 30, 90, 400).finished();
  const Eigen::VectorXd frequency = (Eigen::VectorXd(6) << 1, 2, 2, 5, 9, 1).finished();
  const Eigen::VectorXd monetary = (Eigen::VectorXd(6) << 10, 50, 100, 100.5, 1e4, 0).finished();
  patron::score_options o;
  o.recency.bins = 3;
  o.recency.breakpoints = {7, 30};  // (-inf, 7], (7, 30], (30, inf) -> scores 3, 2, 1
  o.frequency.bins = 2;
  o.frequency.breakpoints = {1};
  o.monetary.bins = 4;
  o.monetary.breakpoints = {50, 100, 1000};
  o.recency_weight = 2.0;
  o.frequency_weight = 0.5;
  o.monetary_weight = 1.0;
  const auto s = patron::score_rfm(recency, frequency, monetary, o);
  // Hand-derived from the right-closed rule: score = 1 + #{cuts < x}.
  CHECK(s.recency.score == (Eigen::VectorXi(6) << 3, 2, 2, 2, 1, 1).finished());
  CHECK(s.frequency.score == (Eigen::VectorXi(6) << 1, 2, 2, 2, 2, 1).finished());
  CHECK(s.monetary.score == (Eigen::VectorXi(6) << 1, 1, 2, 3, 4, 1).finished());
  CHECK(s.recency.breakpoints == std::vector<double>{7, 30});
  CHECK(s.code == (Eigen::VectorXi(6) << 311, 221, 222, 223, 124, 111).finished());
  CHECK(s.total(4) == 2.0 * 1 + 0.5 * 2 + 1.0 * 4);
  CHECK(s.recency.collapsed_bins.empty());
}

TEST_CASE("heavy ties collapse bins and report them", "[edge]") {
  // 60% of customers bought once, so two quintile cut points coincide.
  const Eigen::VectorXd frequency = (Eigen::VectorXd(10) << 1, 1, 1, 1, 1, 1, 2, 3, 4, 5).finished();
  const Eigen::VectorXd same = Eigen::VectorXd::Constant(10, 7.0);
  const auto s = patron::score_rfm(same, frequency, same);
  // Cut points Q(.2) = Q(.4) = 1, Q(.6) = 1.4, Q(.8) = 3.2 (h = 9p, linear): every 1
  // scores 1 and scores 2, 3 stay empty; 2, 3 -> 4; 4, 5 -> 5.
  CHECK(s.frequency.breakpoints[0] == 1.0);
  CHECK(s.frequency.breakpoints[1] == 1.0);
  CHECK(s.frequency.score == (Eigen::VectorXi(10) << 1, 1, 1, 1, 1, 1, 4, 4, 5, 5).finished());
  CHECK(s.frequency.collapsed_bins == std::vector<int>{2, 3});
  CHECK(s.frequency.customers_per_score == std::vector<std::int64_t>{6, 0, 0, 2, 2});
  // All values equal: one bin for everybody (recency reversed: the top score).
  CHECK((s.recency.score.array() == 5).all());
  CHECK((s.monetary.score.array() == 1).all());
  CHECK(s.monetary.collapsed_bins == std::vector<int>{2, 3, 4, 5});
  CHECK(s.recency.collapsed_bins == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("a single customer and fewer customers than bins", "[edge]") {
  std::vector<std::string> ids{"b", "a", "b"};
  std::vector<double> days{3, 1, 5};
  std::vector<double> amounts{1, 2, 3};
  patron::rfm_options o;
  o.time_unit = 7.0;
  o.as_of = 12.0;
  const auto t = patron::rfm_from_transactions(ids, days, amounts, o);
  REQUIRE(t.customer == std::vector<std::string>{"a", "b"});
  CHECK(t.recency(0) == 11.0 / 7.0);
  CHECK(t.recency(1) == 1.0);
  CHECK(t.frequency(1) == 2.0);
  const auto s = patron::score_rfm(t);
  CHECK(s.frequency.collapsed_bins.size() == 3);  // two customers fill at most two bins

  const auto one = patron::rfm_from_transactions(std::vector<long long>{9}, std::vector<double>{4},
                                                 std::vector<double>{0});
  CHECK(*one.as_of == 4.0);
  CHECK(one.recency(0) == 0.0);
  const auto s1 = patron::score_rfm(one);
  CHECK(s1.code(0) == 511);
}

TEST_CASE("a customer-level table scores like the transaction table it mirrors", "[edge]") {
  const auto log = random_log(31, 800, 120);
  const auto t = patron::rfm_from_transactions(log.customers, log.days, log.amounts);
  const auto c = patron::rfm_from_customers(t.customer, t.recency, t.frequency, t.monetary);
  CHECK(c.customer == t.customer);
  CHECK(!c.as_of);
  CHECK(patron::score_rfm(c).code == patron::score_rfm(t).code);
  CHECK(c.revenue == t.revenue);
  const Eigen::VectorXd mean = t.monetary.array() / t.frequency.array();
  const auto m = patron::rfm_from_customers(t.customer, t.recency, t.frequency, mean,
                                            patron::monetary_measure::mean);
  for (Eigen::Index i = 0; i < mean.size(); ++i)
    CHECK_THAT(m.revenue(i), close_to(t.revenue(i), 1e-15));
}

TEST_CASE("the quantile sketch is within its relative accuracy of the order statistic", "[property]") {
  patron::rng r(41);
  std::vector<double> values;
  for (int i = 0; i < 20000; ++i) {
    const double u = r.uniform();
    values.push_back(u < 0.05 ? 0.0 : (u < 0.15 ? -1.0 : 1.0) * std::exp(r.normal(3.0, 2.0)));
  }
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double accuracy : {0.01, 0.001}) {
    patron::quantile_sketch sketch(accuracy);
    for (double v : values) sketch.add(v);
    CHECK(sketch.count() == values.size());
    for (int k = 0; k <= 200; ++k) {
      const double p = k / 200.0;
      const double exact = sorted[static_cast<std::size_t>(std::floor(p * (sorted.size() - 1)))];
      // DDSketch guarantee (Masson et al. 2019, Prop. 3), plus rounding of log/exp.
      CHECK(std::abs(sketch.quantile(p) - exact) <= accuracy * std::abs(exact) * (1 + 1e-9));
    }
  }
}

TEST_CASE("the sketch returns tied values exactly", "[edge]") {
  // Each bucket keeps its smallest and largest value; a bucket of equal values answers
  // with that value rather than the bucket's representative 2 gamma^k / (gamma + 1).
  patron::quantile_sketch sketch(0.01);
  for (int i = 0; i < 60; ++i) sketch.add(1.0);
  for (int i = 0; i < 25; ++i) sketch.add(2.0);
  for (int i = 0; i < 15; ++i) sketch.add(-7.0);
  CHECK(sketch.quantile(0.0) == -7.0);
  CHECK(sketch.quantile(0.14) == -7.0);
  CHECK(sketch.quantile(0.5) == 1.0);
  CHECK(sketch.quantile(0.8) == 2.0);
  CHECK(sketch.quantile(1.0) == 2.0);
}

TEST_CASE("sketches merged from shards equal the sketch of all values", "[property]") {
  patron::rng r(43);
  patron::quantile_sketch all, shard[3];
  for (int i = 0; i < 9000; ++i) {
    const double v = std::round(r.gamma(0.7, 40.0) * 100.0) / 100.0;
    all.add(v);
    shard[(i * 5) % 3].add(v);
  }
  shard[1].merge(shard[2]);
  shard[1].merge(shard[0]);
  CHECK(shard[1].count() == all.count());
  for (int k = 0; k <= 1000; ++k) CHECK(shard[1].quantile(k / 1000.0) == all.quantile(k / 1000.0));
}

TEST_CASE("a sketch rebuilt from its state answers and merges as the original", "[property][invalid]") {
  patron::rng r(44);
  patron::quantile_sketch a(0.01), b(0.01);
  for (int i = 0; i < 5000; ++i) {
    const double v = r.normal() * 50.0 + (i % 7 == 0 ? 0.0 : 20.0);  // both signs and zeros
    (i % 2 ? a : b).add(i % 11 == 0 ? 0.0 : v);
  }
  const auto state = a.state();
  const auto copy = patron::quantile_sketch::from_state(state);
  CHECK(copy.count() == a.count());
  for (int k = 0; k <= 200; ++k) CHECK(copy.quantile(k / 200.0) == a.quantile(k / 200.0));
  auto merged = patron::quantile_sketch::from_state(state);
  merged.merge(b);
  a.merge(b);
  for (int k = 0; k <= 200; ++k) CHECK(merged.quantile(k / 200.0) == a.quantile(k / 200.0));
  auto bad = state;
  bad.positive.counts[1] = 0;
  CHECK_THROWS_WITH(patron::quantile_sketch::from_state(bad),
                    "patron::quantile_sketch::from_state: state.positive.counts[1] (0) must be positive");
  bad = state;
  bad.negative.low[0] = bad.negative.low[0] * 1.5;
  CHECK_THROWS_WITH(patron::quantile_sketch::from_state(bad),
                    Catch::StartsWith("patron::quantile_sketch::from_state: state.negative.low[0]"));
  bad = state;
  bad.positive.keys.pop_back();
  CHECK_THROWS_WITH(patron::quantile_sketch::from_state(bad),
                    Catch::StartsWith("patron::quantile_sketch::from_state: state.positive.keys has"));
}

TEST_CASE("sketch breakpoints score shards exactly as the whole customer base", "[property]") {
  const auto log = random_log(47, 6000, 1500);
  const auto t = patron::rfm_from_transactions(log.customers, log.days, log.amounts);
  patron::score_options whole;
  whole.method = patron::breakpoint_method::sketch_quantiles;
  whole.sketch_relative_accuracy = 0.01;
  const auto s = patron::score_rfm(t, whole);

  // Customers split over two shards; each shard sketches its monetary values, the
  // sketches merge centrally and every shard scores its customers with the result.
  const Eigen::Index half = t.monetary.size() / 2;
  patron::quantile_sketch first(0.01), second(0.01);
  for (Eigen::Index i = 0; i < half; ++i) first.add(t.monetary(i));
  for (Eigen::Index i = half; i < t.monetary.size(); ++i) second.add(t.monetary(i));
  first.merge(second);
  patron::score_options shard_options;
  shard_options.monetary.sketch = first;
  const Eigen::VectorXd m2 = t.monetary.tail(t.monetary.size() - half);
  const Eigen::VectorXd r2 = t.recency.tail(m2.size()), f2 = t.frequency.tail(m2.size());
  const auto s2 = patron::score_rfm(r2, f2, m2, shard_options);
  CHECK(s2.monetary.breakpoints == s.monetary.breakpoints);
  CHECK(s2.monetary.score == s.monetary.score.tail(m2.size()));

  // Each sketch cut point is within 1% of the order statistic x_(floor((n-1) p)).
  std::vector<double> sorted(t.monetary.data(), t.monetary.data() + t.monetary.size());
  std::sort(sorted.begin(), sorted.end());
  for (int j = 1; j < 5; ++j) {
    const double exact = sorted[static_cast<std::size_t>(std::floor((sorted.size() - 1) * (j * 0.2)))];
    CHECK(std::abs(s.monetary.breakpoints[static_cast<std::size_t>(j - 1)] - exact) <=
          0.01 * exact * (1 + 1e-9));
  }
}

TEST_CASE("every aggregation path gives the same table", "[property]") {
  // Direct cells (ids span about the customer count), a rank table (a wider span), a
  // hash map (sparse integer and string ids), and the grouped summary
  // (frequency_measure::purchase_periods, the accumulator) must agree bit for bit.
  const auto log = random_log(31, 4000, 700);
  patron::rfm_options o;
  o.as_of = 50.0;
  o.monetary = patron::monetary_measure::mean;
  const auto direct = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);

  std::vector<long long> spread, sparse;
  std::vector<std::string> names;
  for (long long id : log.customers) {
    spread.push_back(id * 12);  // span 8400 > rows / 2: rank table in dense_customer_index
    sparse.push_back(id * 1000003);
    names.push_back("c" + std::to_string(100000 + id));  // same order as the integers
  }
  const auto ranked = patron::rfm_from_transactions(spread, log.days, log.amounts, o);
  const auto hashed = patron::rfm_from_transactions(sparse, log.days, log.amounts, o);
  const auto named = patron::rfm_from_transactions(names, log.days, log.amounts, o);
  patron::rfm_accumulator<long long> acc;
  acc.add(log.customers, log.days, log.amounts);
  const auto grouped = acc.table(o);
  auto by_days = o;
  by_days.frequency = patron::frequency_measure::purchase_periods;
  const auto periods = patron::rfm_from_transactions(log.customers, log.days, log.amounts, by_days);

  REQUIRE(direct.size() > 600);
  for (const auto* t : {&ranked, &hashed, &grouped}) {
    REQUIRE(t->size() == direct.size());
    CHECK(t->recency == direct.recency);
    CHECK(t->frequency == direct.frequency);
    CHECK(t->monetary == direct.monetary);
    CHECK(t->revenue == direct.revenue);
  }
  CHECK(named.recency == direct.recency);
  CHECK(named.revenue == direct.revenue);
  CHECK(named.customer.front() == "c100001");
  for (std::size_t i = 0; i < direct.size(); ++i) {
    CHECK(ranked.customer[i] == 12 * direct.customer[i]);
    CHECK(hashed.customer[i] == 1000003 * direct.customer[i]);
  }
  CHECK(periods.revenue == direct.revenue);
  CHECK(periods.recency == direct.recency);
}

TEST_CASE("quantile cut points from a sampled bracket equal those of a full sort", "[property]") {
  // numpy "linear" quantiles of the sorted values (the definition pandas.qcut uses)
  // against patron::detail::quantile_cuts, on samples large enough for the bracket.
  const auto sorted_cuts = [](std::vector<double> v, int bins) {
    std::sort(v.begin(), v.end());
    std::vector<double> cuts;
    const double last = static_cast<double>(v.size() - 1);
    for (int j = 1; j < bins; ++j) {
      const double h = last * patron::detail::cut_probability(j, bins);
      const auto i = static_cast<std::size_t>(std::floor(h));
      cuts.push_back(patron::detail::lerp_like_numpy(v[i], v[std::min(i + 1, v.size() - 1)],
                                                     h - std::floor(h)));
    }
    return cuts;
  };
  const std::size_t n = 70001;
  patron::rng r(41);
  std::vector<double> continuous(n), tied(n), two_valued(n), zero_inflated(n), signed_zeros(n),
      periodic(n), crowded(n);
  for (std::size_t k = 0; k < n; ++k) {
    continuous[k] = r.gamma(2.0, 25.0);
    tied[k] = static_cast<double>(r.uniform_index(12));
    // Brackets between two tied values: every rank read off the counts, some of them
    // the least value above a bracket.
    two_valued[k] = r.uniform() < 0.3 ? 0.0 : 1.0;
    // A tie mass at one end of the bracket and distinct values inside it.
    zero_inflated[k] = r.uniform() < 0.35 ? 0.0 : r.gamma(2.0, 25.0);
    signed_zeros[k] = r.uniform() < 0.5 ? (k % 2 == 0 ? -0.0 : 0.0) : r.normal();
    // Every sampled position (a multiple of n / 4096 = 17) holds 0: the bracket misses
    // and the exact selection takes over.
    periodic[k] = k % 17 == 0 ? 0.0 : static_cast<double>(k);
    // The sampled positions spread over [1, 2], the others crowd into the bracket of
    // the median: it outgrows its bound and the exact selection takes over.
    crowded[k] = k % 17 == 0 ? 1.0 + static_cast<double>(k) / static_cast<double>(n)
                             : 1.45 + 0.1 * r.uniform();
  }
  // x_(i) the last of a tie that fills the sample (zeros at every sampled position) and
  // x_(i + 1) above the bracket: read off as the least value above it. The median rank
  // i = (n - 1) / 2 is the last zero.
  std::vector<double> edge_of_tie(n);
  std::size_t zeros = 0;
  for (std::size_t k = 0; k < n; ++k) zeros += k % 17 == 0 ? 1 : 0;
  for (std::size_t k = 0; k < n; ++k) {
    const bool zero = k % 17 == 0 || zeros++ < (n - 1) / 2 + 1;
    edge_of_tie[k] = zero ? 0.0 : 1.0 + r.uniform();
  }
  for (const auto* values : {&continuous, &tied, &two_valued, &zero_inflated, &signed_zeros,
                             &periodic, &crowded, &edge_of_tie}) {
    for (int bins : {2, 3, 5, 10}) {
      CHECK(patron::detail::quantile_cuts(values->data(), n, bins) == sorted_cuts(*values, bins));
    }
  }
  const std::vector<std::size_t> ranks = {n / 5, n / 2, n - 1};
  for (const auto* values : {&continuous, &tied, &two_valued, &zero_inflated, &signed_zeros})
    CHECK(patron::detail::bracketed_pairs(values->data(), n, ranks).size() == 3);
  const auto edge = patron::detail::bracketed_pairs(edge_of_tie.data(), n, {(n - 1) / 2});
  REQUIRE(edge.size() == 1);
  CHECK(edge[0].at == 0.0);
  double least_positive = 2.0;
  for (const double v : edge_of_tie) least_positive = v > 0.0 ? std::min(least_positive, v) : least_positive;
  CHECK(edge[0].next == least_positive);
  CHECK(patron::detail::bracketed_pairs(periodic.data(), n, ranks).empty());
  CHECK(patron::detail::bracketed_pairs(crowded.data(), n, {n / 2}).empty());
}

namespace {

// Every member of two score results equal, bit for bit.
void check_same_scores(const patron::rfm_scores& one, const patron::rfm_scores& many) {
  for (const auto& [a, b] : {std::pair{&one.recency, &many.recency},
                             std::pair{&one.frequency, &many.frequency},
                             std::pair{&one.monetary, &many.monetary}}) {
    CHECK(a->score == b->score);
    CHECK(a->breakpoints == b->breakpoints);
    CHECK(a->customers_per_score == b->customers_per_score);
    CHECK(a->collapsed_bins == b->collapsed_bins);
  }
  CHECK(many.code == one.code);
  CHECK(many.total == one.total);
}

}  // namespace

TEST_CASE("any number of scoring threads gives the same scores", "[property]") {
  const auto log = random_log(53, 5000, 600);
  const auto table = patron::rfm_from_transactions(log.customers, log.days, log.amounts);
  patron::score_options o;
  o.monetary.bins = 4;
  const auto one = patron::score_rfm(table, o);
  for (unsigned threads : {2u, 3u, 64u, 0u}) {  // 0: every hardware thread
    o.threads = threads;
    check_same_scores(one, patron::score_rfm(table, o));
  }
}

TEST_CASE("scoring threads sharing each pass over 200,003 customers give the same scores",
          "[property]") {
  // Enough customers for three threads of 65,536 values: brackets filled per thread and
  // merged, scores and counts per thread. Frequencies tie heavily, as in real logs.
  const std::size_t n = 200003;
  patron::rng r(59);
  std::vector<std::int64_t> customers(n);
  Eigen::VectorXd recency(n), frequency(n), monetary(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    customers[i] = static_cast<std::int64_t>(i);
    recency(k) = static_cast<double>(r.uniform_index(730));
    frequency(k) = 1.0 + static_cast<double>(r.uniform_index(12));
    monetary(k) = r.gamma(2.0, 25.0);
  }
  const auto table = patron::rfm_from_customers(customers, recency, frequency, monetary);
  patron::score_options o;
  o.frequency.bins = 7;
  const auto one = patron::score_rfm(table, o);
  for (unsigned threads : {2u, 3u, 0u}) {
    o.threads = threads;
    check_same_scores(one, patron::score_rfm(table, o));
  }
  // The merged brackets give the order statistics a full sort gives.
  std::vector<double> sorted(monetary.data(), monetary.data() + n);
  std::sort(sorted.begin(), sorted.end());
  const std::vector<std::size_t> ranks = {n / 4, n / 2, 3 * n / 4};
  const auto pairs = patron::detail::bracketed_pairs(monetary.data(), n, ranks, 3);
  REQUIRE(pairs.size() == 3);
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(pairs[j].at == sorted[ranks[j]]);
    CHECK(pairs[j].next == sorted[ranks[j] + 1]);
  }
}

TEST_CASE("any number of threads gives the same table bit for bit", "[property]") {
  // 5,000 rows: up to 4 threads (each gets at least 1,024 rows), 10,000 asks for more.
  const auto log = random_log(43, 5000, 600);
  std::vector<long long> sparse;
  for (long long id : log.customers) sparse.push_back(id * 1000003);
  for (const auto* ids : {&log.customers, static_cast<const std::vector<long long>*>(&sparse)}) {
    patron::rfm_options o;
    o.monetary = patron::monetary_measure::mean;
    const auto one = patron::rfm_from_transactions(*ids, log.days, log.amounts, o);
    for (unsigned threads : {2u, 3u, 8u, 10000u, 0u}) {
      o.threads = threads;
      const auto many = patron::rfm_from_transactions(*ids, log.days, log.amounts, o);
      CHECK(many.customer == one.customer);
      CHECK(many.recency == one.recency);
      CHECK(many.frequency == one.frequency);
      CHECK(many.monetary == one.monetary);
      CHECK(many.revenue == one.revenue);
    }
  }
}

namespace {

// The same log with string ids in the same order: the scan-first pass with 32-byte cells
// (dense_customer_index), never the compact one.
std::vector<std::string> as_names(const std::vector<long long>& ids) {
  std::vector<std::string> names;
  for (long long id : ids) names.push_back("c" + std::to_string(100000000 + id));
  return names;
}

void check_same_table(const patron::rfm_table<long long>& a, const patron::rfm_table<std::string>& b) {
  REQUIRE(a.size() == b.size());
  CHECK(a.recency == b.recency);
  CHECK(a.frequency == b.frequency);
  CHECK(a.monetary == b.monetary);
  CHECK(a.revenue == b.revenue);
  CHECK(a.as_of == b.as_of);
}

// 6,000 rows, integral days, amounts in cents, customer 7 with 1,000 rows of the largest
// amounts the compact window holds (its count spills to the side three times).
log_columns compact_log() {
  patron::rng r(47);
  log_columns log;
  for (std::size_t i = 0; i < 6000; ++i) {
    const bool heavy = i % 6 == 5;
    log.customers.push_back(heavy ? 7 : static_cast<long long>(r.uniform_index(900)) + 8);
    log.days.push_back(static_cast<double>(r.uniform_index(365)) - 100.0);
    // The first 4,096 rows place the window: amounts of exponent 0 (1 .. 2) then.
    log.amounts.push_back(i < 4096 ? 1.0 + std::round(r.uniform() * 99.0) / 100.0
                          : heavy  ? 32767.99 - std::round(r.uniform() * 100.0) / 100.0
                                   : std::round(r.gamma(2.0, 25.0) * 100.0) / 100.0 + 0.01);
  }
  return log;
}

}  // namespace

TEST_CASE("the compact pass equals the 32-byte cells, spilled counts included", "[property]") {
  const auto log = compact_log();
  patron::rfm_options o;
  o.monetary = patron::monetary_measure::mean;
  REQUIRE(patron::detail::rfm_compact_pass("t", log.customers.data(), log.customers.size(),
                                           log.days.data(), log.amounts.data(), o));
  const auto names = as_names(log.customers);
  const auto reference = patron::rfm_from_transactions(names, log.days, log.amounts, o);
  for (unsigned threads : {1u, 2u, 3u}) {
    o.threads = threads;
    const auto t = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
    check_same_table(t, reference);
  }
  const auto t = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
  const auto heavy = std::find(t.customer.begin(), t.customer.end(), 7) - t.customer.begin();
  CHECK(t.frequency(heavy) == 1000.0);
}

TEST_CASE("rows the compact pass cannot hold fall back to the same table", "[edge]") {
  // Each change comes after the first 4,096 rows, which placed the time base and the
  // amount window: the compact pass gives up and the scan-first pass takes over.
  const auto base = compact_log();
  const auto edit = [&](std::size_t row, double day, double amount) {
    auto log = base;
    log.days[row] = day;
    log.amounts[row] = amount;
    return log;
  };
  const std::vector<log_columns> logs = {
      edit(5000, 12.5, 10.0),              // a time with a fraction
      edit(5000, 3.0e9, 10.0),             // a time 2^31 units or more from the base
      edit(5000, -0.0, 10.0),              // -0.0: same code as 0.0
      edit(5000, 12.0, 1.0e-9),            // an amount below the window
      edit(5000, 12.0, 1.0e30),            // above it (and beyond the 32-byte window too)
  };
  for (const auto& log : logs) {
    const patron::rfm_options o;
    CHECK_FALSE(patron::detail::rfm_compact_pass("t", log.customers.data(), log.customers.size(),
                                                 log.days.data(), log.amounts.data(), o));
    check_same_table(patron::rfm_from_transactions(log.customers, log.days, log.amounts, o),
                     patron::rfm_from_transactions(as_names(log.customers), log.days, log.amounts, o));
  }
  // Only zero amounts in the first rows: no window to place.
  auto zeros = base;
  std::fill(zeros.amounts.begin(), zeros.amounts.begin() + 4096, 0.0);
  CHECK_FALSE(patron::detail::rfm_compact_pass("t", zeros.customers.data(), zeros.customers.size(),
                                               zeros.days.data(), zeros.amounts.data(),
                                               patron::rfm_options{}));
  check_same_table(
      patron::rfm_from_transactions(zeros.customers, zeros.days, zeros.amounts),
      patron::rfm_from_transactions(as_names(zeros.customers), zeros.days, zeros.amounts));
}

TEST_CASE("a bad record after the first rows is named by the compact pass's fallback", "[invalid]") {
  auto log = compact_log();
  log.amounts[5000] = std::nan("");
  patron::rfm_options o;
  o.threads = 2;
  CHECK_THROWS_WITH(patron::rfm_from_transactions(log.customers, log.days, log.amounts, o),
                    "patron::rfm_from_transactions: amounts[5000] (nan) must be finite and non-negative");
  log = compact_log();
  log.days[5999] = -std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(patron::rfm_from_transactions(log.customers, log.days, log.amounts, o),
                    "patron::rfm_from_transactions: times[5999] (-inf) must be finite");
}

TEST_CASE("ids outside the guessed range send the compact pass over the exact range", "[edge]") {
  // 50,000 rows of ids 1..4,000: the guess reads the first and last 4,096 rows and every
  // 12th row and widens by 126 ids each way; the outliers sit in rows it does not read.
  const auto base = random_log(53, 50000, 4000);
  const std::size_t n = base.customers.size();
  for (const auto& [row, id] : {std::pair<std::size_t, long long>{20001, -300},
                                std::pair<std::size_t, long long>{30001, 9000}}) {
    auto log = base;
    log.customers[row] = id;
    const auto guess = patron::detail::guessed_id_range(log.customers.data(), n, n / 2 + 1024);
    CHECK((id < guess.low || id >= guess.low + static_cast<long long>(guess.span)));
    for (unsigned threads : {1u, 2u}) {
      patron::rfm_options o;
      o.threads = threads;
      REQUIRE(patron::detail::rfm_compact_pass("t", log.customers.data(), n, log.days.data(),
                                               log.amounts.data(), o));
      const auto t = patron::rfm_from_transactions(log.customers, log.days, log.amounts, o);
      // Names in the same order as the ids: all positive, of one length.
      std::vector<long long> shifted;
      for (long long c : log.customers) shifted.push_back(c + 1000);
      check_same_table(t, patron::rfm_from_transactions(as_names(shifted), log.days, log.amounts, o));
      CHECK(std::find(t.customer.begin(), t.customer.end(), id) != t.customer.end());
    }
  }
}

TEST_CASE("the guessed id range stays within the id type and covers the ids it read", "[edge]") {
  constexpr std::int64_t top = std::numeric_limits<std::int64_t>::max();
  const std::vector<std::int64_t> high = {top - 5, top, top - 2};
  const auto h = patron::detail::guessed_id_range(high.data(), high.size(), 1025);
  CHECK(h.low == top - 5 - 64);
  CHECK(h.span == 5 + 64 + 1);  // no room above the largest id
  const std::vector<std::uint32_t> low = {3, 0, 1};
  const auto l = patron::detail::guessed_id_range(low.data(), low.size(), 1025);
  CHECK(l.low == 0u);
  CHECK(l.span == 3 + 64 + 1);  // no room below 0
  const std::vector<int> negative = {-5, -100, -7};
  const auto g = patron::detail::guessed_id_range(negative.data(), negative.size(), 1025);
  CHECK(g.low == -100 - 65);  // widened by 95 / 64 + 64
  CHECK(g.span == 95 + 2 * 65 + 1);
  // Too wide for the limit: no cells.
  CHECK(patron::detail::guessed_id_range(negative.data(), negative.size(), 95).span == 0);
  // Tables at the ends of the id type equal the string-id path's.
  const std::vector<double> days = {1.0, 2.0, 3.0}, amounts = {1.5, 2.25, 4.0};
  const std::vector<long long> ends = {top, top - 1, top};
  const auto t = patron::rfm_from_transactions(ends, days, amounts);
  CHECK(t.customer == std::vector<long long>{top - 1, top});
  check_same_table(t, patron::rfm_from_transactions(std::vector<std::string>{"b", "a", "b"}, days,
                                                    amounts));
}

#if defined(EIGEN_VECTORIZE_SSE2)
// The bracket loop for one instruction set against a plain loop, over values with ties
// at both ends, signed zeros and infinite ends; `width` values a step, the tail left to
// the caller. A build takes the widest loop its instruction set allows, so the narrower
// ones (used by builds for older instruction sets) are checked here directly.
template <class Loop>
void check_bracket_loop(const Loop& loop, std::size_t width) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<double, double>> ends = {
      {-1.0, 2.0}, {0.0, 0.0}, {-inf, 1.0}, {1.0, inf}, {-0.0, 0.5}, {-inf, inf}};
  const std::vector<double> pool = {-3.0, -1.0, -0.0, 0.0, 0.25, 0.5, 1.0, 2.0, 7.0};
  patron::rng r(61);
  for (const std::size_t n : {std::size_t{3}, std::size_t{4}, std::size_t{37}, std::size_t{1000}}) {
    std::vector<double> values;
    for (std::size_t i = 0; i < n; ++i)
      values.push_back(i % 3 == 0 ? 4.0 * r.uniform() - 2.0 : pool[r.uniform_index(pool.size())]);
    for (const auto& [lo, hi] : ends) {
      patron::detail::rank_bracket b;
      b.lo = lo;
      b.hi = hi;
      b.values.reset(new double[n + 8]);
      std::size_t kept = 0;
      const std::size_t stop = loop(b, values.data(), 0, n, kept);
      REQUIRE(stop == n / width * width);
      std::size_t below = 0, upto_lo = 0, upto_hi = 0;
      double least_above = inf;
      std::vector<double> inside;
      for (std::size_t i = 0; i < stop; ++i) {
        const double v = values[i];
        below += v < lo ? 1 : 0;
        upto_lo += v <= lo ? 1 : 0;
        upto_hi += v <= hi ? 1 : 0;
        if (v > hi) least_above = std::min(least_above, v);
        if (lo < v && v < hi) inside.push_back(v);
      }
      CHECK(b.below == below);
      CHECK(b.upto_lo == upto_lo);
      CHECK(b.upto_hi == upto_hi);
      CHECK(b.least_above == least_above);
      REQUIRE(kept == inside.size());
      std::vector<double> got(b.values.get(), b.values.get() + kept);
      std::sort(got.begin(), got.end());
      std::sort(inside.begin(), inside.end());
      CHECK(got == inside);
    }
  }
}

TEST_CASE("the SSE2 bracket loop counts and keeps what a plain loop does", "[property]") {
  check_bracket_loop(patron::detail::add_to_bracket_sse2, 2);
}
#endif

#if defined(EIGEN_VECTORIZE_AVX2) || PATRON_DISPATCH_AVX2
TEST_CASE("the AVX2 bracket loop counts and keeps what a plain loop does", "[property]") {
#if PATRON_DISPATCH_AVX2
  if (!patron::detail::cpu_has_avx2()) return;  // a processor without AVX2 never takes it
#endif
  check_bracket_loop(patron::detail::add_to_bracket_avx2, 4);
}
#endif

#if PATRON_DISPATCH_AVX2
// Built for the x86-64 baseline, the library takes the loops compiled for AVX2 when the
// processor has it; the baseline versions, which a processor without it runs, are
// checked here against them.
TEST_CASE("the baseline and AVX2 versions of the row encoding and the scores agree",
          "[property]") {
  if (!patron::detail::cpu_has_avx2()) return;
  using patron::detail::compact_outcome;
  patron::rng r(67);
  constexpr std::size_t n = 1000;
  std::vector<std::int64_t> ids(n);
  std::vector<double> days(n), amounts(n);
  for (std::size_t i = 0; i < n; ++i) {
    ids[i] = 100 + static_cast<std::int64_t>(r.uniform_index(500));
    days[i] = static_cast<double>(r.uniform_index(3000)) - 1000.0;
    amounts[i] = i % 7 == 0 ? 0.0 : std::round(r.uniform() * 1e6) / 100.0;
  }
  patron::detail::compact_layout layout;
  layout.base = -1000.0;
  layout.window_low = 1010;  // biased exponents: amounts from 2^-13 up to 2^14
  layout.window_high = layout.window_low + patron::detail::compact_window_width;
  const patron::detail::id_range<std::int64_t> cells{100, 500};
  // Rows every version holds, then one each that the pass cannot hold or that lies
  // outside the cells: both versions must say the same of every one.
  const std::vector<std::pair<std::size_t, std::function<void()>>> spoil = {
      {0, [] {}},
      {1, [&] { days[1] = std::nan(""); }},
      {2, [&] { days[2] = 0.5; }},
      {3, [&] { days[3] = -0.0; }},
      {4, [&] { amounts[4] = -1.0; }},
      {5, [&] { amounts[5] = std::numeric_limits<double>::infinity(); }},
      {6, [&] { amounts[6] = 1e-300; }},
      {7, [&] { ids[7] = 99; }},
      {8, [&] { ids[8] = 600; }},
      {9, [&] { days[9] = 3e9; }}};
  for (const auto& [row, spoil_row] : spoil) {
    auto saved_ids = ids;
    auto saved_days = days;
    auto saved_amounts = amounts;
    spoil_row();
    auto plain = std::make_unique<patron::detail::compact_block>();
    auto avx2 = std::make_unique<patron::detail::compact_block>();
    std::uint32_t plain_latest = 0, avx2_latest = 0;
    const compact_outcome a = patron::detail::encode_rows_body(
        ids.data(), cells, days.data(), amounts.data(), layout, 0, n, *plain, plain_latest);
    const compact_outcome b = patron::detail::encode_rows_avx2(
        ids.data(), cells, days.data(), amounts.data(), layout, 0, n, *avx2, avx2_latest);
    INFO("row " << row);
    CHECK(a == b);
    CHECK((a == compact_outcome::held) == (row == 0));
    if (a == compact_outcome::held) {
      CHECK(plain_latest == avx2_latest);
      for (std::size_t i = 0; i < n; ++i) {
        CHECK(plain->slot[i] == avx2->slot[i]);
        CHECK(plain->code[i] == avx2->code[i]);
        CHECK(plain->add_low[i] == avx2->add_low[i]);
        CHECK(plain->add_high[i] == avx2->add_high[i]);
      }
    }
    ids = saved_ids;
    days = saved_days;
    amounts = saved_amounts;
  }

  const std::vector<double> cuts = {-500.0, 0.0, 0.0, 700.5};
  for (const int step : {1, -1}) {
    std::vector<int> plain(n), avx2(n);
    std::vector<std::size_t> plain_above(cuts.size(), 0), avx2_above(cuts.size(), 0);
    patron::detail::score_block(days.data(), 3, n, cuts, step > 0 ? 1 : 5, step, plain.data(),
                                plain_above.data());
    patron::detail::score_block_avx2(days.data(), 3, n, cuts, step > 0 ? 1 : 5, step,
                                     avx2.data(), avx2_above.data());
    CHECK(plain == avx2);
    CHECK(plain_above == avx2_above);
  }
}
#endif
