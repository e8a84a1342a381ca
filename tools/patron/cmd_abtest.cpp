// patron abtest: A/B significance tests, intervals, power, Bayesian and sequential
// analysis from counts or a CSV (patron/abtest.hpp), and the demo's campaign section.
#include <patron/abtest.hpp>
#include <patron/transactions.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "cli.hpp"
#include "csv.hpp"
#include "demo_data.hpp"

namespace patron_cli {
namespace {

struct counts {
  std::int64_t successes = 0, trials = 0;
};

// "SUCCESSES/TRIALS", e.g. 120/2400.
counts parse_counts(const arguments& args, const std::string& name) {
  if (!args.has(name)) throw usage_error("missing --" + name + " SUCCESSES/TRIALS");
  const std::string text = args.text(name);
  const auto slash = text.find('/');
  counts c;
  try {
    std::size_t used_s = 0, used_t = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    c.successes = std::stoll(text.substr(0, slash), &used_s);
    c.trials = std::stoll(text.substr(slash + 1), &used_t);
    if (used_s != slash || used_t != text.size() - slash - 1) throw std::invalid_argument("junk");
  } catch (const std::logic_error&) {
    throw usage_error("option --" + name + ": '" + text + "' is not SUCCESSES/TRIALS (e.g. 120/2400)");
  }
  return c;
}

std::vector<double> parse_list(const arguments& args, const std::string& name) {
  std::vector<double> values;
  std::stringstream in(args.text(name));
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      std::size_t used = 0;
      values.push_back(std::stod(item, &used));
      if (used != item.size()) throw std::invalid_argument("junk");
    } catch (const std::logic_error&) {
      throw usage_error("option --" + name + ": '" + item + "' is not a number");
    }
  }
  if (values.empty()) throw usage_error("option --" + name + " needs a comma-separated list");
  return values;
}

patron::alternative parse_alternative(const arguments& args) {
  const std::string a = args.text("alternative", "two-sided");
  if (a == "two-sided") return patron::alternative::two_sided;
  if (a == "greater") return patron::alternative::greater;
  if (a == "less") return patron::alternative::less;
  throw usage_error("option --alternative: '" + a + "' is not two-sided, greater or less");
}

std::string fmt(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string percent(double p) { return fmt("%.3f%%", 100.0 * p); }

std::string verdict(double p, double alpha) {
  return p <= alpha ? "significant at alpha = " + fmt("%g", alpha)
                    : "not significant at alpha = " + fmt("%g", alpha);
}

json interval_json(const patron::confidence_interval& ci) {
  json j = json::array();
  j.push(ci.lower);
  j.push(ci.upper);
  return j;
}

int finish(const arguments& args, std::ostream& out, const json& document, const std::string& text) {
  if (args.flag("json")) {
    document.write(out);
    out << "\n";
  } else {
    out << text;
  }
  return 0;
}

int run_prop(const arguments& args, std::ostream& out) {
  const counts a = parse_counts(args, "a"), b = parse_counts(args, "b");
  patron::two_proportion_options o;
  o.alt = parse_alternative(args);
  const std::string variance = args.text("variance", "pooled");
  if (variance == "unpooled") o.variance = patron::variance_estimate::unpooled;
  else if (variance != "pooled") throw usage_error("option --variance: '" + variance + "' is not pooled or unpooled");
  const double confidence = args.number("confidence", 0.95);
  const double alpha = args.number("alpha", 0.05);
  const auto z = patron::two_proportion_z_test(a.successes, a.trials, b.successes, b.trials, o);
  const auto diff = patron::difference_interval(a.successes, a.trials, b.successes, b.trials, confidence);
  const bool lift_defined = a.successes > 0 && b.successes > 0;
  const auto lift = patron::relative_lift_interval(
      a.successes, a.trials, b.successes, b.trials, confidence,
      lift_defined ? patron::ratio_interval_method::log : patron::ratio_interval_method::log_adjusted);
  json j = json::object();
  j.set("test", "two-proportion z-test").set("proportion_a", z.proportion_a)
      .set("proportion_b", z.proportion_b).set("difference", z.difference)
      .set("relative_lift", z.relative_lift).set("statistic", z.statistic)
      .set("p_value", z.p_value).set("confidence", confidence)
      .set("difference_interval", interval_json(diff))
      .set("relative_lift_interval", interval_json(lift))
      .set("significant", z.p_value <= alpha);
  std::ostringstream text;
  text << "A: " << a.successes << "/" << a.trials << " = " << percent(z.proportion_a)
       << "   B: " << b.successes << "/" << b.trials << " = " << percent(z.proportion_b) << "\n"
       << "difference B - A: " << fmt("%+.4f", z.difference) << "  (" << fmt("%g", 100 * confidence)
       << "% Newcombe CI " << fmt("%+.4f", diff.lower) << " to " << fmt("%+.4f", diff.upper) << ")\n"
       << "relative lift: " << fmt("%+.2f%%", 100 * z.relative_lift) << "  (CI "
       << fmt("%+.2f%%", 100 * lift.lower) << " to " << fmt("%+.2f%%", 100 * lift.upper) << ")\n"
       << "z = " << fmt("%.4f", z.statistic) << ", p = " << fmt("%.4g", z.p_value) << ": "
       << verdict(z.p_value, alpha) << "\n";
  return finish(args, out, j, text.str());
}

int run_fisher(const arguments& args, std::ostream& out) {
  const counts a = parse_counts(args, "a"), b = parse_counts(args, "b");
  for (const auto& [name, c] : {std::pair<const char*, counts>{"a", a}, {"b", b}})
    if (c.successes > c.trials || c.successes < 0 || c.trials <= 0)
      throw usage_error(std::string("option --") + name + ": successes must be in [0, trials] and trials positive");
  const double alpha = args.number("alpha", 0.05);
  const auto r = patron::fisher_exact_test(b.successes, b.trials - b.successes, a.successes,
                                           a.trials - a.successes, parse_alternative(args));
  json j = json::object();
  j.set("test", "Fisher's exact test").set("odds_ratio", r.odds_ratio).set("p_value", r.p_value)
      .set("significant", r.p_value <= alpha);
  std::ostringstream text;
  text << "table [[B successes, B failures], [A successes, A failures]] = [["
       << b.successes << ", " << b.trials - b.successes << "], [" << a.successes << ", "
       << a.trials - a.successes << "]]\nodds ratio (B vs A) " << fmt("%.4g", r.odds_ratio)
       << ", exact p = " << fmt("%.4g", r.p_value) << ": " << verdict(r.p_value, alpha) << "\n";
  return finish(args, out, j, text.str());
}

int run_means(const arguments& args, std::ostream& out) {
  const csv_table csv = read_csv_file(args.positional(1, "FILE"));
  const auto group_col = csv.column(args.text("group", "group"));
  const auto value_col = csv.column(args.text("value", "value"));
  std::vector<std::string> labels;
  std::map<std::string, std::vector<double>> values;
  for (std::size_t i = 0; i < csv.size(); ++i) {
    const std::string& g = csv.rows[i][group_col];
    if (!values.count(g)) labels.push_back(g);
    values[g].push_back(csv.number(i, value_col));
  }
  if (labels.size() != 2)
    throw usage_error(csv.source + ": column '" + csv.header[group_col] + "' must hold exactly 2 groups, found " +
                      std::to_string(labels.size()));
  const std::string control = args.text("control", labels[0]);
  if (!values.count(control)) throw usage_error("option --control: no group '" + control + "'");
  const std::string treatment = labels[0] == control ? labels[1] : labels[0];
  const auto& va = values[control];
  const auto& vb = values[treatment];
  const Eigen::Map<const Eigen::VectorXd> a(va.data(), static_cast<Eigen::Index>(va.size()));
  const Eigen::Map<const Eigen::VectorXd> b(vb.data(), static_cast<Eigen::Index>(vb.size()));
  const std::string test = args.text("test", "welch");
  const double alpha = args.number("alpha", 0.05);
  json j = json::object();
  std::ostringstream text;
  text << "A = '" << control << "' (" << va.size() << " rows), B = '" << treatment << "' ("
       << vb.size() << " rows)\n";
  if (test == "mann-whitney") {
    patron::mann_whitney_options o;
    o.alt = parse_alternative(args);
    const auto r = patron::mann_whitney_test(a, b, o);
    j.set("test", "Mann-Whitney U").set("statistic", r.statistic).set("p_value", r.p_value)
        .set("probability_of_superiority", r.probability_of_superiority)
        .set("method", r.method == patron::mann_whitney_method::exact ? "exact" : "asymptotic")
        .set("significant", r.p_value <= alpha);
    text << "Mann-Whitney U_B = " << fmt("%.1f", r.statistic) << ", P(B > A) = "
         << fmt("%.4f", r.probability_of_superiority) << ", p = " << fmt("%.4g", r.p_value)
         << ": " << verdict(r.p_value, alpha) << "\n";
  } else if (test == "welch" || test == "student") {
    patron::t_test_options o;
    o.alt = parse_alternative(args);
    o.variance = test == "welch" ? patron::variance_assumption::unequal : patron::variance_assumption::equal;
    o.confidence = args.number("confidence", 0.95);
    const auto r = patron::t_test(a, b, o);
    j.set("test", test == "welch" ? "Welch t-test" : "Student t-test").set("mean_a", r.mean_a)
        .set("mean_b", r.mean_b).set("difference", r.difference).set("statistic", r.statistic)
        .set("degrees_of_freedom", r.degrees_of_freedom).set("p_value", r.p_value)
        .set("difference_interval", interval_json(r.difference_interval))
        .set("cohens_d", r.cohens_d).set("significant", r.p_value <= alpha);
    text << "mean A " << fmt("%.4f", r.mean_a) << ", mean B " << fmt("%.4f", r.mean_b)
         << ", difference " << fmt("%+.4f", r.difference) << " (CI " << fmt("%+.4f", r.difference_interval.lower)
         << " to " << fmt("%+.4f", r.difference_interval.upper) << ")\n"
         << "t = " << fmt("%.4f", r.statistic) << " on " << fmt("%.1f", r.degrees_of_freedom)
         << " df, p = " << fmt("%.4g", r.p_value) << ": " << verdict(r.p_value, alpha) << "\n";
  } else {
    throw usage_error("option --test: '" + test + "' is not welch, student or mann-whitney");
  }
  return finish(args, out, j, text.str());
}

int run_power(const arguments& args, std::ostream& out) {
  patron::power_options o;
  o.alpha = args.number("alpha", 0.05);
  o.alt = parse_alternative(args);
  o.ratio = args.number("ratio", 1.0);
  if (!args.has("baseline")) throw usage_error("missing --baseline RATE (control conversion rate)");
  const double baseline = args.number("baseline", 0.0);
  const double power = args.number("power", 0.8);
  json j = json::object();
  std::ostringstream text;
  j.set("baseline", baseline).set("alpha", o.alpha).set("power", power);
  if (args.has("n")) {
    const double n = args.number("n", 0.0);
    const double mde = patron::two_proportion_minimum_effect(baseline, n, power, o);
    j.set("n_a", n).set("minimum_detectable_effect", mde);
    text << "with " << fmt("%.0f", n) << " users in A: minimum detectable difference "
         << fmt("%+.5f", mde) << " (" << percent(baseline) << " -> " << percent(baseline + mde)
         << ") at " << fmt("%g", 100 * power) << "% power\n";
  } else {
    if (!args.has("mde")) throw usage_error("missing --mde DIFFERENCE (or --n USERS)");
    const double mde = args.number("mde", 0.0);
    const double n = patron::two_proportion_sample_size(baseline, baseline + mde, power, o);
    j.set("minimum_detectable_effect", mde).set("n_a", std::ceil(n)).set("n_b", std::ceil(n * o.ratio));
    text << "to detect " << percent(baseline) << " -> " << percent(baseline + mde) << " with "
         << fmt("%g", 100 * power) << "% power at alpha = " << fmt("%g", o.alpha) << ": "
         << fmt("%.0f", std::ceil(n)) << " users in A and " << fmt("%.0f", std::ceil(n * o.ratio))
         << " in B\n";
  }
  return finish(args, out, j, text.str());
}

int run_bayes(const arguments& args, std::ostream& out) {
  const counts a = parse_counts(args, "a"), b = parse_counts(args, "b");
  patron::bayesian_options o;
  if (args.has("prior")) {
    const auto prior = parse_list(args, "prior");
    if (prior.size() != 2) throw usage_error("option --prior needs ALPHA,BETA");
    o.prior_a = o.prior_b = {prior[0], prior[1]};
  }
  o.credible = args.number("confidence", 0.95);
  const auto r = patron::bayesian_ab_test(a.successes, a.trials, b.successes, b.trials, o);
  json j = json::object();
  j.set("probability_b_better", r.probability_b_better).set("expected_loss_a", r.expected_loss_a)
      .set("expected_loss_b", r.expected_loss_b).set("credible_a", interval_json(r.credible_a))
      .set("credible_b", interval_json(r.credible_b)).set("gaussian_approximation", r.gaussian_approximation);
  std::ostringstream text;
  text << "P(p_B > p_A) = " << fmt("%.4f", r.probability_b_better) << "\n"
       << "expected loss: keep A " << fmt("%.3g", r.expected_loss_a) << ", ship B "
       << fmt("%.3g", r.expected_loss_b) << "\n"
       << "credible intervals: A " << percent(r.credible_a.lower) << " to " << percent(r.credible_a.upper)
       << ", B " << percent(r.credible_b.lower) << " to " << percent(r.credible_b.upper) << "\n";
  return finish(args, out, j, text.str());
}

int run_srm(const arguments& args, std::ostream& out) {
  if (!args.has("observed")) throw usage_error("missing --observed N1,N2[,...]");
  const auto observed = parse_list(args, "observed");
  const auto weights = args.has("weights") ? parse_list(args, "weights") : std::vector<double>(observed.size(), 1.0);
  const auto r = patron::sample_ratio_mismatch_test(
      Eigen::Map<const Eigen::VectorXd>(observed.data(), static_cast<Eigen::Index>(observed.size())),
      Eigen::Map<const Eigen::VectorXd>(weights.data(), static_cast<Eigen::Index>(weights.size())));
  const double threshold = args.number("alpha", 0.001);
  json j = json::object();
  j.set("statistic", r.statistic).set("p_value", r.p_value).set("degrees_of_freedom", r.degrees_of_freedom)
      .set("mismatch", r.p_value < threshold);
  std::ostringstream text;
  text << "chi-square = " << fmt("%.4f", r.statistic) << " on " << r.degrees_of_freedom
       << " df, p = " << fmt("%.4g", r.p_value) << ": "
       << (r.p_value < threshold ? "SAMPLE RATIO MISMATCH: do not trust this experiment\n"
                                 : "no sample ratio mismatch\n");
  return finish(args, out, j, text.str());
}

int run_sequential(const arguments& args, std::ostream& out) {
  std::vector<double> fractions;
  if (args.has("fractions")) {
    fractions = parse_list(args, "fractions");
  } else {
    const long long looks = args.integer("looks", 5);
    if (looks < 1 || looks > 100) throw usage_error("option --looks must be in [1, 100]");
    for (long long k = 1; k <= looks; ++k) fractions.push_back(static_cast<double>(k) / static_cast<double>(looks));
  }
  patron::group_sequential_options o;
  o.alpha = args.number("alpha", 0.05);
  o.alt = parse_alternative(args);
  const std::string spending = args.text("spending", "obrien-fleming");
  if (spending == "pocock") o.spending = patron::spending_function::pocock;
  else if (spending != "obrien-fleming") throw usage_error("option --spending: '" + spending + "' is not obrien-fleming or pocock");
  const auto d = patron::group_sequential_boundaries(fractions, o);
  table t({"look", "information_fraction", "z_boundary", "nominal_p_value", "cumulative_alpha"});
  for (std::size_t k = 0; k < fractions.size(); ++k)
    t.add_row({static_cast<long long>(k + 1), d.information_fraction[k], d.z_boundary[k],
               d.nominal_p_value[k], d.cumulative_alpha[k]});
  write_result(args, out, t);
  return 0;
}

int run(const arguments& args, std::ostream& out) {
  const std::string action = args.positional(0, "ACTION (prop, means, fisher, power, bayes, srm, sequential)");
  if (action == "prop") return run_prop(args, out);
  if (action == "means") return run_means(args, out);
  if (action == "fisher") return run_fisher(args, out);
  if (action == "power") return run_power(args, out);
  if (action == "bayes") return run_bayes(args, out);
  if (action == "srm") return run_srm(args, out);
  if (action == "sequential") return run_sequential(args, out);
  throw usage_error("unknown action '" + action + "' (prop, means, fisher, power, bayes, srm, sequential)");
}

const std::vector<option_spec> kOptions = {
    {"a", "S/N", "control: successes/trials (prop, fisher, bayes)", ""},
    {"b", "S/N", "treatment: successes/trials (prop, fisher, bayes)", ""},
    {"alternative", "H1", "two-sided, greater (B > A) or less", "two-sided"},
    {"alpha", "LEVEL", "significance level (srm: alert threshold, default 0.001)", "0.05"},
    {"confidence", "LEVEL", "interval level", "0.95"},
    {"variance", "KIND", "prop: pooled or unpooled", "pooled"},
    {"group", "COLUMN", "means: group column of FILE", "group"},
    {"value", "COLUMN", "means: metric column of FILE", "value"},
    {"control", "LABEL", "means: the control group", "the first group in FILE"},
    {"test", "NAME", "means: welch, student or mann-whitney", "welch"},
    {"baseline", "RATE", "power: control conversion rate", ""},
    {"mde", "DIFF", "power: absolute difference to detect -> sample size", ""},
    {"n", "USERS", "power: users in A -> minimum detectable difference", ""},
    {"power", "LEVEL", "power: target power", "0.8"},
    {"ratio", "R", "power: n_B / n_A", "1"},
    {"prior", "ALPHA,BETA", "bayes: Beta prior of both rates", "1,1"},
    {"observed", "N1,N2,...", "srm: users per arm", ""},
    {"weights", "W1,W2,...", "srm: planned allocation", "equal"},
    {"looks", "K", "sequential: equally spaced looks", "5"},
    {"fractions", "T1,...", "sequential: information fractions (last 1)", ""},
    {"spending", "NAME", "sequential: obrien-fleming or pocock", "obrien-fleming"},
};

[[maybe_unused]] const bool registered = register_command(
    {"abtest", "A/B tests: proportions, means, Fisher, power, Bayesian, SRM, sequential",
     "patron abtest ACTION [options]\n\n"
     "  prop --a 120/2400 --b 156/2400        two-proportion z-test, intervals, lift\n"
     "  fisher --a 3/20 --b 9/20               Fisher's exact test\n"
     "  means FILE [--test welch]             t-test or Mann-Whitney on a CSV (group,value)\n"
     "  power --baseline 0.05 --mde 0.01      users per arm (or --n for the detectable effect)\n"
     "  bayes --a 120/2400 --b 156/2400       P(B > A), expected loss, credible intervals\n"
     "  srm --observed 5050,4950              sample-ratio mismatch\n"
     "  sequential --looks 5                  Lan-DeMets group-sequential boundaries",
     kOptions, run});

// The demo campaign: the CDNOW sample has no real campaign, so customers are split by
// id parity (B = even ids) as a random assignment would; conversion is a repeat
// purchase in the holdout period. An A/A test in effect: the verdict should be "no
// significant difference", which is what a healthy platform must report.
void campaign(const demo_data& data, std::ostream& out) {
  const auto& s = data.weekly;
  std::int64_t n[2] = {0, 0}, converted[2] = {0, 0};
  for (std::size_t i = 0; i < s.size(); ++i) {
    const int arm = s.customer[i] % 2 == 0 ? 1 : 0;
    ++n[arm];
    converted[arm] += s.holdout_transactions(static_cast<Eigen::Index>(i)) > 0;
  }
  const auto z = patron::two_proportion_z_test(converted[0], n[0], converted[1], n[1]);
  const auto ci = patron::difference_interval(converted[0], n[0], converted[1], n[1]);
  const auto bayes = patron::bayesian_ab_test(converted[0], n[0], converted[1], n[1]);
  const double users = patron::two_proportion_sample_size(z.proportion_a, z.proportion_a * 1.1, 0.8);
  char line[256];
  std::snprintf(line, sizeof line,
                "Assignment by customer id parity (an A/A test); conversion = a purchase in the "
                "holdout.\n  A (odd ids): %lld of %lld converted (%.2f%%); B (even ids): %lld "
                "of %lld (%.2f%%).\n",
                static_cast<long long>(converted[0]), static_cast<long long>(n[0]),
                100.0 * z.proportion_a, static_cast<long long>(converted[1]),
                static_cast<long long>(n[1]), 100.0 * z.proportion_b);
  out << line;
  std::snprintf(line, sizeof line,
                "  z-test: z = %.3f, p = %.3f; B - A = %+.2f points (95%% CI %+.2f to %+.2f).\n",
                z.statistic, z.p_value, 100.0 * z.difference, 100.0 * ci.lower, 100.0 * ci.upper);
  out << line;
  std::snprintf(line, sizeof line,
                "  Bayesian: P(p_B > p_A) = %.3f; expected loss of shipping B %.4f points.\n",
                bayes.probability_b_better, 100.0 * bayes.expected_loss_b);
  out << line;
  std::snprintf(line, sizeof line,
                "  Verdict: %s. Detecting a 10%% relative lift with 80%% power would need %.0f "
                "customers per arm.\n",
                z.p_value <= 0.05 ? "B differs from A" : "no evidence that B differs from A",
                std::ceil(users));
  out << line;
}

[[maybe_unused]] const bool demo_registered =
    register_demo_section({80, "A/B test of a campaign", campaign});

}  // namespace
}  // namespace patron_cli
