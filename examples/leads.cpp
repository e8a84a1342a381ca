// Lead-priority scoring with patron/leads.hpp: twelve embedded B2B leads scored on
// purchase intent, customer value, competitive position and risk; tiers; behavioural
// points with decay; a logistic conversion model fitted on generated past leads, its
// scorecard points and expected deal value.
//
//   ./example_leads
#include <patron/core/rng.hpp>
#include <patron/leads.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main() {
  // Rows are leads. Columns: intent (0..10 from the discovery call), value (expected
  // annual contract, $k), competition (number of competitors in the deal: fewer is better),
  // risk (credit-risk grade 1..5: lower is better).
  const std::vector<std::string> names = {"Acme", "Borealis", "Cobalt", "Dunmore", "Eastwick", "Fjord",
                                          "Granite", "Halcyon", "Ironside", "Juniper", "Kestrel", "Lumen"};
  Eigen::MatrixXd X(12, 4);
  X << 9, 120, 1, 2,  //
      4, 300, 3, 1,   //
      7, 45, 0, 3,    //
      2, 80, 4, 4,    //
      8, 200, 2, 2,   //
      6, 15, 1, 1,    //
      3, 500, 5, 5,   //
      10, 60, 2, 3,   //
      5, 150, 1, 2,   //
      1, 30, 0, 1,    //
      7, 90, 3, 4,    //
      6, 250, 2, 3;
  std::vector<patron::criterion> criteria(4);
  criteria[0].name = "intent";
  criteria[0].weight = 4;
  criteria[1].name = "value";
  criteria[1].weight = 3;
  criteria[1].normalisation = patron::criterion_normalisation::percentile_rank;
  criteria[2].name = "competition";
  criteria[2].weight = 2;
  criteria[2].direction = patron::criterion_direction::lower_is_better;
  criteria[3].name = "risk";
  criteria[3].weight = 1;
  criteria[3].normalisation = patron::criterion_normalisation::bins;  // grades 1-2 fine, 3 so-so, 4-5 poor
  criteria[3].bin_edges = {3, 4};
  criteria[3].bin_points = {10, 5, 0};
  const auto scorer = patron::fit_lead_scorer(X, criteria);
  const patron::lead_scores scores = scorer.score(X);
  const auto tiers = patron::assign_tiers_by_quantiles(scores.total, 0.25, 0.25, 0.25);
  const auto order = patron::priority_order(scores.total);

  std::printf("%-9s %6s %4s | %7s %7s %11s %5s\n", "lead", "score", "tier", "intent", "value",
              "competition", "risk");
  for (const auto i : order)
    std::printf("%-9s %6.1f %4c | %7.1f %7.1f %11.1f %5.1f\n", names[static_cast<std::size_t>(i)].c_str(),
                scores.total(i), patron::tier_letter(tiers.tiers[static_cast<std::size_t>(i)]),
                scores.contribution(i, 0), scores.contribution(i, 1), scores.contribution(i, 2),
                scores.contribution(i, 3));
  std::printf("Tier thresholds: A >= %.1f, B >= %.1f, C >= %.1f\n\n", tiers.thresholds[0],
              tiers.thresholds[1], tiers.thresholds[2]);

  // Behavioural points as of day 30: a webinar counts once, e-mail opens are capped,
  // everything halves every 14 days.
  std::vector<patron::event_rule> rules(2);
  rules[0].event = "webinar";
  rules[0].points = 15;
  rules[0].repeat = patron::event_repeat::first_time_only;
  rules[0].half_life = 14;
  rules[1].event = "email_open";
  rules[1].points = 2;
  rules[1].cap = 8;
  rules[1].half_life = 14;
  const auto behaviour = patron::score_behaviour(12, {0, 0, 4, 4, 4, 7}, {"webinar", "email_open", "email_open",
                                                                          "email_open", "webinar", "email_open"},
                                                 {28, 29, 2, 3, 16, 30}, rules, 30);
  std::printf("Behavioural points today: Acme %.2f, Eastwick %.2f, Halcyon %.2f\n\n", behaviour.total(0),
              behaviour.total(4), behaviour.total(7));

  // A conversion model from 5,000 generated past leads with the same four columns.
  patron::rng rng(2026);
  const Eigen::Index n = 5000;
  Eigen::MatrixXd history(n, 4);
  Eigen::VectorXd converted(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    history(i, 0) = std::floor(11 * rng.uniform());
    history(i, 1) = rng.exponential(1.0 / 150);
    history(i, 2) = std::floor(6 * rng.uniform());
    history(i, 3) = 1 + std::floor(5 * rng.uniform());
    const double eta = -2 + 0.35 * history(i, 0) + 0.002 * history(i, 1) - 0.3 * history(i, 2) -
                       0.25 * history(i, 3);
    converted(i) = rng.bernoulli(1 / (1 + std::exp(-eta))) ? 1 : 0;
  }
  const auto model = patron::fit_logistic(history, converted);
  std::printf("Logistic model (%s in %d Newton steps):\n", model.message.c_str(), model.iterations);
  const char* terms[] = {"(intercept)", "intent", "value", "competition", "risk"};
  for (Eigen::Index j = 0; j < 5; ++j)
    std::printf("  %-12s %9.4f  se %.4f  p %.2e\n", terms[j], j == 0 ? model.intercept : model.coefficients(j - 1),
                model.standard_error(j), model.p_value(j));
  const Eigen::VectorXd p = model.predict_probability(X);
  const Eigen::VectorXd points = patron::scorecard_points(model.predict_log_odds(X));  // 600 at 1:1, PDO 20
  const Eigen::VectorXd ev = patron::expected_value(p, X.col(1));
  std::printf("\nCall list by expected value (probability x $k):\n");
  for (const auto i : patron::priority_order(ev))
    std::printf("  %-9s p %.3f  points %5.0f  expected $%6.1fk\n", names[static_cast<std::size_t>(i)].c_str(),
                p(i), points(i), ev(i));
  std::printf("In-sample AUC %.3f, Brier %.4f\n", patron::roc_auc(converted, model.predict_probability(history)),
              patron::brier_score(converted, model.predict_probability(history)));
  return 0;
}
