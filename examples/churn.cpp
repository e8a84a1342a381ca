// Retention of a subscription cohort: the sBG fit and projection of Fader & Hardie
// (2007), the value of a renewing customer (DERL), and a Kaplan-Meier curve.
#include <patron/churn.hpp>

#include <cstdio>

int main() {
  // Fader & Hardie (2007), "How to Project Customer Retention", Table 1, Regular cohort:
  // customers (of 1,000) active at the start of years 0..7.
  Eigen::VectorXd alive(8);
  alive << 1000, 631, 468, 382, 326, 289, 262, 241;
  const patron::sbg_model fit = patron::sbg_fit_counts(alive);
  if (!fit.converged) {
    std::printf("fit did not converge: %s\n", fit.message.c_str());
    return 1;
  }
  std::printf("alpha = %.3f (se %.3f), beta = %.3f (se %.3f), LL = %.2f\n", fit.alpha, *fit.alpha_se, fit.beta,
              *fit.beta_se, fit.log_likelihood);
  const patron::retention_projection p = fit.project(12);
  std::printf("year  survival  95%% interval     retention\n");
  for (int t = 8; t <= 12; ++t)
    std::printf("%4d  %7.1f%%  [%4.1f%%, %4.1f%%]  %8.3f\n", t, 100 * p.survival(t), 100 * p.lower(t),
                100 * p.upper(t), p.retention_rate(t));

  // A customer paying $100 a year who has just renewed for the 4th time, 10% discount rate.
  std::printf("expected remaining value after 4 renewals: $%.2f\n", 100 * fit.derl(0.10, 4));

  // Kaplan-Meier from individual tenures (months); event 0 = still subscribed.
  Eigen::VectorXd months(8), churned(8);
  months << 2, 3, 3, 5, 8, 12, 12, 12;
  churned << 1, 1, 0, 1, 1, 0, 0, 0;
  const auto km = patron::kaplan_meier(months, churned);
  for (Eigen::Index j = 0; j < km.time.size(); ++j)
    std::printf("month %4.0f  at risk %2.0f  S = %.3f  [%.3f, %.3f]\n", km.time(j), km.n_risk(j), km.survival(j),
                km.lower(j), km.upper(j));
  return 0;
}
