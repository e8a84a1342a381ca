// patron/leads.hpp, part 1: weighted multi-criteria scores, behavioural points with
// decay, tiers; reference values from tests/reference/leads/make_reference.py.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <patron/core/rng.hpp>
#include <patron/leads.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "reference/leads/leads_reference.hpp"
#include "support/close_to.hpp"

namespace ref = leads_reference;

namespace {

Eigen::VectorXd read_column(const std::string& name, int column) {
  std::ifstream in(std::string(PATRON_TEST_DATA_DIR) + "/leads/" + name);
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  std::vector<double> values;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string field;
    for (int c = 0; c <= column; ++c) std::getline(ss, field, ',');
    values.push_back(std::stod(field));
  }
  return Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

patron::criterion make_criterion(const std::string& name, double weight,
                                 patron::criterion_normalisation norm,
                                 patron::criterion_direction dir =
                                     patron::criterion_direction::higher_is_better) {
  patron::criterion c;
  c.name = name;
  c.weight = weight;
  c.normalisation = norm;
  c.direction = dir;
  return c;
}

using norm = patron::criterion_normalisation;
using dir = patron::criterion_direction;

}  // namespace

TEST_CASE("percentile-rank and z-score normalisation equal scipy", "[reference]") {
  const Eigen::VectorXd score = read_column("metrics.csv", 0);  // 300 values, heavy ties
  const std::vector<patron::criterion> criteria = {make_criterion("p", 1, norm::percentile_rank),
                                                   make_criterion("z", 1, norm::z_score)};
  Eigen::MatrixXd reference(score.size(), 2);
  reference << score, score;
  const auto scorer = patron::fit_lead_scorer(reference, criteria);
  Eigen::MatrixXd query(6, 2);
  for (Eigen::Index i = 0; i < 6; ++i) query.row(i).setConstant(ref::percentile_rank_of[static_cast<std::size_t>(i)]);
  const auto s = scorer.score(query);
  for (Eigen::Index i = 0; i < 6; ++i) {
    // scipy.stats.percentileofscore(score, x, kind="mean") / 100
    CHECK_THAT(s.normalised(i, 0), close_to(ref::percentile_rank_expected[static_cast<std::size_t>(i)], 1e-14));
    // scipy.stats.norm.cdf((x - score.mean()) / score.std(ddof=1))
    CHECK_THAT(s.normalised(i, 1), close_to(ref::z_score_expected[static_cast<std::size_t>(i)], 1e-12));
  }
}

TEST_CASE("weighted score: total on 0..100, contributions add up, direction flips", "[property]") {
  Eigen::MatrixXd X(3, 3);
  X << 10, 1, 5,  //
      20, 3, 7,   //
      30, 2, 9;
  std::vector<patron::criterion> criteria = {
      make_criterion("intent", 3, norm::min_max), make_criterion("risk", 1, norm::min_max, dir::lower_is_better),
      make_criterion("value", 0, norm::min_max)};
  const auto s = patron::fit_lead_scorer(X, {"intent", "risk", "value"}, criteria).score(X);
  // Lead 2: intent max (u = 1), risk 2 of 1..3 (u = 1 - 0.5), weight 3 : 1 : 0.
  CHECK_THAT(s.total(2), close_to(100.0 * (3 * 1.0 + 1 * 0.5) / 4.0, 1e-14));
  CHECK_THAT(s.contribution(2, 0), close_to(75.0, 1e-14));
  CHECK_THAT(s.contribution(2, 1), close_to(12.5, 1e-14));
  CHECK(s.contribution(2, 2) == 0.0);
  // Lead 0: intent min, risk min (best) -> 25.
  CHECK_THAT(s.total(0), close_to(25.0, 1e-14));
  for (Eigen::Index i = 0; i < 3; ++i) {
    CHECK_THAT(s.contribution.row(i).sum(), close_to(s.total(i), 1e-14));
    CHECK(s.total(i) >= 0.0);
    CHECK(s.total(i) <= 100.0);
  }
}

TEST_CASE("scores are monotone in each criterion in its stated direction", "[property]") {
  patron::rng r(11);
  const Eigen::Index n = 200;
  Eigen::MatrixXd X(n, 4);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < 4; ++j) X(i, j) = r.normal(j, 1 + j);
  std::vector<patron::criterion> criteria = {
      make_criterion("a", 2, norm::min_max), make_criterion("b", 1, norm::z_score, dir::lower_is_better),
      make_criterion("c", 1, norm::percentile_rank), make_criterion("d", 3, norm::bins)};
  criteria[3].bin_edges = {0.0, 3.0, 6.0};
  criteria[3].bin_points = {0, 10, 25, 40};
  const auto scorer = patron::fit_lead_scorer(X, criteria);
  const Eigen::VectorXd base = scorer.score(X).total;
  for (Eigen::Index j = 0; j < 4; ++j) {
    const double sign = j == 1 ? -1.0 : 1.0;  // criterion b: lower is better
    Eigen::MatrixXd moved = X;
    moved.col(j).array() += sign * 1.5;
    const Eigen::VectorXd after = scorer.score(moved).total;
    CHECK((after - base).minCoeff() >= 0.0);  // never worse
    CHECK((after - base).maxCoeff() > 0.0);   // and better for some
  }
}

TEST_CASE("bins map values to points with edges belonging to the upper bin", "[edge]") {
  Eigen::MatrixXd X(5, 1);
  X << -1, 0, 2.5, 3, 100;
  std::vector<patron::criterion> criteria = {make_criterion("v", 1, norm::bins)};
  criteria[0].bin_edges = {0.0, 3.0};
  criteria[0].bin_points = {0, 20, 40};
  const auto s = patron::fit_lead_scorer(X, criteria).score(X);
  CHECK(s.normalised(0, 0) == 0.0);
  CHECK(s.normalised(1, 0) == 0.5);  // x = 0 is in [0, 3)
  CHECK(s.normalised(2, 0) == 0.5);
  CHECK(s.normalised(3, 0) == 1.0);
  CHECK(s.total(4) == 100.0);
}

TEST_CASE("missing values follow each criterion's policy", "[edge]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Eigen::MatrixXd X(3, 2);
  X << 0, 0,  //
      10, nan,  //
      5, 10;
  std::vector<patron::criterion> criteria = {make_criterion("a", 1, norm::min_max),
                                             make_criterion("b", 1, norm::min_max)};
  SECTION("reject") {
    CHECK_THROWS_WITH(patron::fit_lead_scorer(X, criteria),
                      "patron::fit_lead_scorer: X(1, 1) (nan) must be finite (criterion 'b' rejects "
                      "missing values)");
  }
  SECTION("worst, neutral, reweight") {
    criteria[1].missing = patron::missing_policy::worst;
    CHECK(patron::fit_lead_scorer(X, criteria).score(X).total(1) == 50.0);
    criteria[1].missing = patron::missing_policy::neutral;
    CHECK(patron::fit_lead_scorer(X, criteria).score(X).total(1) == 75.0);
    criteria[1].missing = patron::missing_policy::reweight;
    const auto s = patron::fit_lead_scorer(X, criteria).score(X);
    CHECK(s.total(1) == 100.0);  // only criterion a counts, and lead 1 has its maximum
    CHECK(s.contribution(1, 1) == 0.0);
    CHECK_FALSE(s.normalised.hasNaN());
  }
}

TEST_CASE("constant criteria score the neutral 0.5", "[edge]") {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Constant(4, 2, 3.0);
  const std::vector<patron::criterion> criteria = {make_criterion("a", 1, norm::min_max),
                                                   make_criterion("b", 1, norm::z_score)};
  const auto s = patron::fit_lead_scorer(X, criteria).score(X);
  CHECK((s.total.array() == 50.0).all());
}

TEST_CASE("weighted scoring rejects bad criteria and unknown names", "[invalid]") {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Ones(3, 2);
  std::vector<patron::criterion> criteria = {make_criterion("a", 1, norm::min_max),
                                             make_criterion("b", -2, norm::min_max)};
  CHECK_THROWS_WITH(patron::fit_lead_scorer(X, criteria),
                    "patron::fit_lead_scorer: criteria.weight[1] (-2) must be finite and non-negative");
  criteria[1].weight = 0;
  criteria[0].weight = 0;
  CHECK_THROWS_WITH(patron::fit_lead_scorer(X, criteria),
                    "patron::fit_lead_scorer: criteria weights must not all be zero");
  criteria[0].weight = 1;
  CHECK_THROWS_WITH(patron::fit_lead_scorer(X, {"a", "c"}, criteria),
                    "patron::fit_lead_scorer: criteria[1].name ('b') is not one of the column names");
  criteria[1].name = "a";
  CHECK_THROWS_WITH(patron::fit_lead_scorer(X, criteria),
                    "patron::fit_lead_scorer: criteria[1].name ('a') duplicates criteria[0]");
  criteria[1].name = "b";
  criteria[1].normalisation = norm::bins;
  criteria[1].bin_edges = {1.0, 0.5};
  criteria[1].bin_points = {0, 1, 2};
  CHECK_THROWS_WITH(patron::fit_lead_scorer(X, criteria),
                    "patron::fit_lead_scorer: criteria[1].bin_edges[1] (0.5) must be finite and strictly "
                    "increasing");
  criteria[1].bin_edges = {0.5};
  CHECK_THROWS_WITH(patron::fit_lead_scorer(X, criteria),
                    "patron::fit_lead_scorer: criteria[1].bin_points has 3 values but bin_edges makes 2 bins");
  criteria[1].normalisation = norm::min_max;
  const auto scorer = patron::fit_lead_scorer(X, criteria);
  Eigen::MatrixXd bad = X;
  bad(2, 0) = std::nan("");
  CHECK_THROWS_WITH(scorer.score(bad),
                    "patron::lead_scorer::score: X(2, 0) (nan) is missing but criterion 'a' rejects missing values");
  bad(2, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(scorer.score(bad), "patron::lead_scorer::score: X(2, 0) (inf) must not be infinite");
  CHECK_THROWS_WITH(scorer.score(Eigen::MatrixXd::Ones(2, 1)),
                    "patron::lead_scorer::score: X has 1 columns but the scorer reads column 1");
}

// --- behavioural points ---------------------------------------------------------------
TEST_CASE("behavioural points halve after one half-life", "[property]") {
  std::vector<patron::event_rule> rules(1);
  rules[0].event = "visit";
  rules[0].points = 10;
  rules[0].half_life = 7;
  const auto at = [&](double as_of) {
    return patron::score_behaviour(1, {0}, {"visit"}, {100.0}, rules, as_of).total(0);
  };
  CHECK(at(100) == 10.0);
  CHECK_THAT(at(107), close_to(5.0, 1e-15));
  CHECK_THAT(at(114), close_to(2.5, 1e-15));
  CHECK_THAT(at(103.5), close_to(10.0 / std::sqrt(2.0), 1e-15));
}

TEST_CASE("behavioural points: first-time-only, caps, negative points, future events", "[edge]") {
  std::vector<patron::event_rule> rules(3);
  rules[0].event = "webinar";
  rules[0].points = 20;
  rules[0].repeat = patron::event_repeat::first_time_only;
  rules[0].half_life = 10;
  rules[1].event = "email_open";
  rules[1].points = 2;
  rules[1].cap = 5;
  rules[2].event = "unsubscribe";
  rules[2].points = -30;
  const std::vector<std::size_t> lead = {0, 0, 0, 0, 0, 0, 1, 1};
  const std::vector<std::string> event = {"webinar", "webinar", "email_open", "email_open",
                                          "email_open", "email_open", "unsubscribe", "webinar"};
  const std::vector<double> time = {10, 5, 1, 2, 3, 40, 20, 25};
  const auto b = patron::score_behaviour(2, lead, event, time, rules, 30);
  // Lead 0: the first webinar (t = 5) counts once, 25 days = 2.5 half-lives old.
  CHECK_THAT(b.points(0, 0), close_to(20.0 * std::pow(2.0, -2.5), 1e-15));
  CHECK(b.points(0, 1) == 5.0);  // 3 opens = 6 points, capped at 5; the t = 40 open is future
  CHECK(b.events_after_as_of == 1);
  CHECK(b.points(1, 2) == -30.0);
  CHECK_THAT(b.total(1), close_to(-30.0 + 20.0 * std::pow(2.0, -0.5), 1e-15));
}

TEST_CASE("score_behaviour rejects bad input", "[invalid]") {
  std::vector<patron::event_rule> rules(1);
  rules[0].event = "visit";
  rules[0].points = 1;
  CHECK_THROWS_WITH(patron::score_behaviour(1, {0}, {"call"}, {1.0}, rules, 2),
                    "patron::score_behaviour: event[0] ('call') is not the event of any rule");
  CHECK_THROWS_WITH(patron::score_behaviour(1, {3}, {"visit"}, {1.0}, rules, 2),
                    "patron::score_behaviour: lead[0] (3) must be less than n_leads (1)");
  CHECK_THROWS_WITH(patron::score_behaviour(1, {0}, {"visit"}, {std::nan("")}, rules, 2),
                    "patron::score_behaviour: time[0] (nan) must be finite");
  rules[0].half_life = 0;
  CHECK_THROWS_WITH(patron::score_behaviour(1, {0}, {"visit"}, {1.0}, rules, 2),
                    "patron::score_behaviour: rules.half_life[0] (0) must be positive");
  rules[0].half_life = 1;
  rules.push_back(rules[0]);
  CHECK_THROWS_WITH(patron::score_behaviour(1, {0}, {"visit"}, {1.0}, rules, 2),
                    "patron::score_behaviour: rules[1].event ('visit') duplicates rules[0]");
}

// --- tiers ------------------------------------------------------------------------------
TEST_CASE("quantile tiers use numpy.quantile thresholds", "[reference]") {
  const Eigen::VectorXd p = read_column("calibration.csv", 1);
  const auto t = patron::assign_tiers_by_quantiles(p, 0.1, 0.2, 0.3);
  // numpy.quantile(probability, [0.9, 0.7, 0.4])
  for (int k = 0; k < 3; ++k)
    CHECK_THAT(t.thresholds[k], close_to(ref::tier_quantile_thresholds[static_cast<std::size_t>(k)], 1e-15));
  CHECK(t.counts[0] + t.counts[1] + t.counts[2] + t.counts[3] == 203);
  CHECK(t.counts[0] == 21);  // 203 leads: 20.3 above the 0.9 quantile -> the 21 largest
}

TEST_CASE("tiers: thresholds, ties share a tier, empty tiers", "[edge]") {
  Eigen::VectorXd s(6);
  s << 90, 75, 75, 50, 20, 75;
  const auto t = patron::assign_tiers_by_thresholds(s, 80, 60, 30);
  CHECK(patron::tier_letter(t.tiers[0]) == 'A');
  CHECK(patron::tier_letter(t.tiers[1]) == 'B');
  CHECK(t.tiers[5] == patron::tier::B);
  CHECK(patron::tier_letter(t.tiers[4]) == 'D');
  CHECK(t.counts[1] == 3);
  const auto q = patron::assign_tiers_by_quantiles(s, 0.0, 0.5, 0.5);
  CHECK(q.counts[0] == 0);
  CHECK(q.counts[3] == 0);
  CHECK((q.tiers[1] == q.tiers[2] && q.tiers[2] == q.tiers[5]));
}

TEST_CASE("tier functions reject bad input", "[invalid]") {
  Eigen::VectorXd s(2);
  s << 1, 2;
  CHECK_THROWS_WITH(patron::assign_tiers_by_thresholds(s, 50, 60, 10),
                    "patron::assign_tiers_by_thresholds: b_min (60) must not exceed a_min");
  CHECK_THROWS_WITH(patron::assign_tiers_by_quantiles(s, 0.5, 0.4, 0.3),
                    "patron::assign_tiers_by_quantiles: a + b + c (1.2) must not exceed 1");
  CHECK_THROWS_WITH(patron::assign_tiers_by_quantiles(s, -0.1),
                    "patron::assign_tiers_by_quantiles: a (-0.10000000000000001) must be in [0, 1]");
  s(1) = std::nan("");
  CHECK_THROWS_WITH(patron::assign_tiers_by_quantiles(s), "patron::assign_tiers_by_quantiles: score[1] (nan) must be finite");
}

TEST_CASE("lead scoring rejects a hand-built scorer or logistic model whose members disagree",
          "[invalid]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Eigen::MatrixXd X(3, 2);
  X << 1, 10, 2, 20, 3, 30;
  std::vector<patron::criterion> criteria(2);
  criteria[0].name = "a";
  criteria[1].name = "b";
  criteria[1].normalisation = patron::criterion_normalisation::percentile_rank;
  const auto fitted = patron::fit_lead_scorer(X, criteria);
  auto s = fitted;
  s.columns.pop_back();
  CHECK_THROWS_WITH(s.score(X), "patron::lead_scorer::score: columns has 1 elements but criteria has 2");
  s = fitted;
  s.columns[1] = -1;
  CHECK_THROWS_WITH(s.score(X), "patron::lead_scorer::score: columns[1] (-1) must be non-negative");
  s = fitted;
  s.location.resize(1);
  CHECK_THROWS_WITH(s.score(X), "patron::lead_scorer::score: location has 1 elements but criteria has 2");
  s = fitted;
  s.scale(0) = nan;
  CHECK_THROWS_WITH(s.score(X), "patron::lead_scorer::score: scale[0] (nan) must be finite and non-negative");
  s = fitted;
  s.reference[1].resize(0);
  CHECK_THROWS_WITH(s.score(X), "patron::lead_scorer::score: reference[1] must not be empty");
  s = fitted;
  s.reference[1](0) = 25.0;
  CHECK_THROWS_WITH(s.score(X),
                    "patron::lead_scorer::score: reference[1][1] (20) must be finite and sorted ascending");
  s = fitted;
  s.criteria[0].normalisation = patron::criterion_normalisation::bins;  // and no bin points
  CHECK_THROWS_WITH(s.score(X), "patron::lead_scorer::score: criteria[0].bin_points has 0 values but "
                                "bin_edges makes 1 bins");
  s = fitted;
  s.criteria[0].weight = -1.0;
  CHECK_THROWS_WITH(s.score(X),
                    "patron::lead_scorer::score: criteria.weight[0] (-1) must be finite and non-negative");
  CHECK(fitted.score(X).total.allFinite());

  patron::logistic_model m;
  m.coefficients = (Eigen::VectorXd(2) << 0.5, nan).finished();
  CHECK_THROWS_WITH(m.predict_log_odds(X),
                    "patron::logistic_model::predict_log_odds: coefficients[1] (nan) must be finite");
  m.coefficients(1) = 0.25;
  m.intercept = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(m.predict_probability(X),
                    "patron::logistic_model::predict_log_odds: intercept (inf) must be finite");
  m.intercept = -1.0;
  CHECK(m.predict_probability(X).allFinite());
}
