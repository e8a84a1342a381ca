// patron churn: retention models (patron/churn.hpp).
//   patron churn sbg --survival 100,63.1,46.8 --cohort-size 1000 [--fit-periods 7] [--horizon 12]
//   patron churn sbg FILE --column pct [...]
//   patron churn km FILE --time-column t --event-column e [--entry-column s] [--group-column g]
// and the demo section "Retention: the shifted-beta-geometric model".
#include <patron/churn.hpp>

#include <cstdio>
#include <map>
#include <sstream>

#include "cli.hpp"
#include "csv.hpp"

namespace patron_cli {
namespace {

std::vector<double> parse_list(const std::string& option, const std::string& text) {
  std::vector<double> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    double v = 0.0;
    const char* end = item.data() + item.size();
    auto [ptr, ec] = std::from_chars(item.data(), end, v);
    if (item.empty() || ec != std::errc() || ptr != end)
      throw usage_error("option --" + option + ": '" + item + "' is not a number");
    values.push_back(v);
  }
  return values;
}

// Survival values from --survival or a CSV column, scaled to counts by --cohort-size.
Eigen::VectorXd read_survival(const arguments& args) {
  std::vector<double> values;
  if (args.has("survival")) {
    if (!args.positional().empty() && args.positional().size() > 1)
      throw usage_error("give either --survival or FILE, not both");
    values = parse_list("survival", args.text("survival"));
  } else {
    const csv_table csv = read_csv_file(args.positional(1, "FILE or --survival"));
    values = csv.numbers(csv.column(args.text("column", "survival")));
  }
  Eigen::VectorXd alive = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  if (args.has("cohort-size")) {
    const double size = args.number("cohort-size", 0.0);
    if (!(size > 0.0)) throw usage_error("option --cohort-size must be positive");
    if (alive.size() == 0 || !(alive(0) > 0.0)) throw usage_error("the first survival value must be positive");
    alive = (alive / alive(0) * size).array().round().matrix();
  }
  return alive;
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(); }

int run_sbg(const arguments& args, std::ostream& out) {
  const Eigen::VectorXd alive = read_survival(args);
  const long long fit_periods = args.integer("fit-periods", static_cast<long long>(alive.size()) - 1);
  if (fit_periods < 1 || fit_periods >= alive.size())
    throw usage_error("option --fit-periods must be in [1, " + std::to_string(alive.size() - 1) + "]");
  const long long horizon = args.integer("horizon", static_cast<long long>(alive.size()) - 1);
  if (horizon < 0 || horizon > 100000) throw usage_error("option --horizon must be in [0, 100000]");
  patron::retention_fit_options options;
  options.confidence_level = args.number("confidence", 0.95);
  const std::string model = args.text("model", "sbg");
  const Eigen::VectorXd calibration = alive.head(fit_periods + 1);

  json extra = json::object();
  extra.set("model", model);
  patron::retention_projection projection;
  auto set_status = [&](const auto& fit) {
    extra.set("log_likelihood", fit.log_likelihood);
    extra.set("customers", fit.customers);
    extra.set("converged", fit.converged);
    extra.set("iterations", fit.iterations);
    extra.set("gradient_norm", fit.gradient_norm);
    extra.set("message", fit.message);
    projection = fit.project(static_cast<int>(horizon));
  };
  table parameters({"parameter", "estimate", "std_err"});
  if (model == "sbg") {
    const auto fit = patron::sbg_fit_counts(calibration, options);
    extra.set("alpha", fit.alpha).set("beta", fit.beta);
    extra.set("alpha_se", optional_number(fit.alpha_se)).set("beta_se", optional_number(fit.beta_se));
    parameters.add_row({"alpha", fit.alpha, fit.alpha_se ? table::cell(*fit.alpha_se) : table::cell("")});
    parameters.add_row({"beta", fit.beta, fit.beta_se ? table::cell(*fit.beta_se) : table::cell("")});
    parameters.add_row({"log_likelihood", fit.log_likelihood, ""});
    set_status(fit);
  } else if (model == "bdw") {
    const auto fit = patron::bdw_fit_counts(calibration, options);
    extra.set("alpha", fit.alpha).set("beta", fit.beta).set("c", fit.c);
    extra.set("alpha_se", optional_number(fit.alpha_se)).set("beta_se", optional_number(fit.beta_se));
    extra.set("c_se", optional_number(fit.c_se));
    parameters.add_row({"alpha", fit.alpha, fit.alpha_se ? table::cell(*fit.alpha_se) : table::cell("")});
    parameters.add_row({"beta", fit.beta, fit.beta_se ? table::cell(*fit.beta_se) : table::cell("")});
    parameters.add_row({"c", fit.c, fit.c_se ? table::cell(*fit.c_se) : table::cell("")});
    parameters.add_row({"log_likelihood", fit.log_likelihood, ""});
    set_status(fit);
  } else {
    throw usage_error("option --model: '" + model + "' is not sbg or bdw");
  }
  if (args.text("output", "curve") == "parameters") {
    write_result(args, out, parameters, extra);
    return 0;
  }
  if (args.text("output", "curve") != "curve")
    throw usage_error("option --output: '" + args.text("output") + "' is not curve or parameters");
  table curve({"period", "observed", "sample", "survival", "lower", "upper", "retention_rate"});
  for (Eigen::Index t = 0; t < projection.period.size(); ++t) {
    const bool observed = t < alive.size();
    curve.add_row({static_cast<long long>(t), observed ? table::cell(alive(t) / alive(0)) : table::cell(""),
                   observed ? table::cell(t <= fit_periods ? "calibration" : "holdout") : table::cell(""),
                   projection.survival(t), projection.lower(t), projection.upper(t), projection.retention_rate(t)});
  }
  write_result(args, out, curve, extra);
  return 0;
}

int run_km(const arguments& args, std::ostream& out) {
  const csv_table csv = read_csv_file(args.positional(1, "FILE"));
  const auto exit_time = csv.numbers(csv.column(args.text("time-column", "time")));
  const auto event = csv.numbers(csv.column(args.text("event-column", "event")));
  std::vector<double> entry;
  if (args.has("entry-column")) entry = csv.numbers(csv.column(args.text("entry-column")));
  std::vector<double> group(exit_time.size(), 0.0);
  if (args.has("group-column")) group = csv.numbers(csv.column(args.text("group-column")));
  patron::kaplan_meier_options options;
  options.confidence_level = args.number("confidence", 0.95);
  const std::string interval = args.text("interval", "log-log");
  if (interval == "log") options.interval = patron::km_confidence_interval::log;
  else if (interval != "log-log") throw usage_error("option --interval: '" + interval + "' is not log-log or log");
  auto map = [](const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  };

  json extra = json::object();
  if (args.has("group-column")) {
    const auto lr = entry.empty() ? patron::logrank_test(map(exit_time), map(event), map(group))
                                  : patron::logrank_test(map(entry), map(exit_time), map(event), map(group));
    json logrank = json::object();
    logrank.set("statistic", lr.statistic).set("p_value", lr.p_value).set("degrees_of_freedom", lr.degrees_of_freedom);
    logrank.set("observed", json(json::array_type{lr.observed[0], lr.observed[1]}));
    logrank.set("expected", json(json::array_type{lr.expected[0], lr.expected[1]}));
    extra.set("logrank", logrank);
  }
  std::map<double, std::vector<std::size_t>> rows_by_group;
  for (std::size_t i = 0; i < group.size(); ++i) rows_by_group[group[i]].push_back(i);
  table curve({"group", "time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper"});
  json summaries = json::array();
  for (const auto& group_rows : rows_by_group) {
    const double g = group_rows.first;
    const std::vector<std::size_t>& rows = group_rows.second;  // lambdas cannot capture bindings in C++17
    auto pick = [&](const std::vector<double>& v) {
      std::vector<double> out_values;
      for (std::size_t i : rows) out_values.push_back(v[i]);
      return out_values;
    };
    const auto t = pick(exit_time), e = pick(event), s = pick(entry.empty() ? exit_time : entry);
    const auto fit = entry.empty() ? patron::kaplan_meier(map(t), map(e), options)
                                   : patron::kaplan_meier(map(s), map(t), map(e), options);
    for (Eigen::Index j = 0; j < fit.time.size(); ++j)
      curve.add_row({g, fit.time(j), fit.n_risk(j), fit.n_event(j), fit.n_censor(j), fit.survival(j), fit.std_err(j),
                     fit.lower(j), fit.upper(j)});
    json summary = json::object();
    summary.set("group", g);
    summary.set("median", optional_number(fit.median()));
    summary.set("median_lower", optional_number(fit.median_lower()));
    summary.set("median_upper", optional_number(fit.median_upper()));
    if (args.has("rmst")) {
      const auto rm = fit.restricted_mean_survival(args.number("rmst", 0.0));
      summary.set("rmst", rm.estimate).set("rmst_std_err", rm.std_err).set("rmst_tau", rm.tau);
    }
    summaries.push(summary);
  }
  extra.set("groups", summaries);
  write_result(args, out, curve, extra);
  return 0;
}

int run(const arguments& args, std::ostream& out) {
  const std::string action = args.positional(0, "action (sbg or km)");
  if (action == "sbg") return run_sbg(args, out);
  if (action == "km") return run_km(args, out);
  throw usage_error("unknown action '" + action + "' (expected sbg or km)");
}

[[maybe_unused]] const bool registered = register_command(
    {"churn", "retention: sBG / BdW fit and projection, Kaplan-Meier curves and log-rank",
     "patron churn sbg (--survival V0,V1,... | FILE --column NAME) [options]\n"
     "       patron churn km FILE [--time-column T] [--event-column E] [--entry-column S] [--group-column G]\n\n"
     "sbg fits the shifted-beta-geometric (or, with --model bdw, beta-discrete-Weibull) model to\n"
     "the number of customers active at the start of periods 0, 1, ... and projects survival.\n"
     "km writes the Kaplan-Meier curve (per group, with a log-rank test in --json, when\n"
     "--group-column is given; groups are 0/1). Events are 1 (churned) or 0 (censored).",
     {{"survival", "LIST", "sbg: comma-separated counts (or %) active at the start of periods 0..T", ""},
      {"column", "NAME", "sbg: column of FILE holding the survival values", "survival"},
      {"cohort-size", "N", "sbg: rescale the values so that period 0 has N customers", "the values as given"},
      {"fit-periods", "K", "sbg: fit on periods 0..K, the rest is holdout", "all"},
      {"horizon", "H", "sbg: project periods 0..H", "the last period given"},
      {"model", "NAME", "sbg: sbg or bdw (beta-discrete-Weibull)", "sbg"},
      {"output", "WHAT", "sbg: curve or parameters", "curve"},
      {"confidence", "LEVEL", "confidence level of the intervals", "0.95"},
      {"time-column", "NAME", "km: exit (churn or censoring) time column", "time"},
      {"event-column", "NAME", "km: event column, 1 churned / 0 censored", "event"},
      {"entry-column", "NAME", "km: entry time column (late entry)", ""},
      {"group-column", "NAME", "km: 0/1 cohort column; adds the log-rank test", ""},
      {"interval", "TYPE", "km: log-log or log", "log-log"},
      {"rmst", "TAU", "km: restricted mean survival time up to TAU (JSON)", ""}},
     run});

// ---- demo ---------------------------------------------------------------------------

// Fader & Hardie (2007), "How to Project Customer Retention", J. Interactive Marketing
// 21(1), Table 1: % of a 1,000-customer cohort active at the start of years 0..12.
constexpr double regular_pct[13] = {100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3};
constexpr double high_end_pct[13] = {100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1, 46.8, 44.5, 42.7, 40.9, 39.4};

void retention_demo(const demo_data&, std::ostream& out) {
  out << "Fader & Hardie (2007): two 1,000-customer cohorts, fitted on years 0..7, projected to 12.\n";
  patron::sbg_model fits[2];
  const double* pct[2] = {regular_pct, high_end_pct};
  char line[512];
  for (int k = 0; k < 2; ++k) {
    Eigen::VectorXd alive(8);
    for (int t = 0; t < 8; ++t) alive(t) = std::round(pct[k][t] * 10.0);
    fits[k] = patron::sbg_fit_counts(alive);
    const auto bdw = patron::bdw_fit_counts(alive);
    const auto lr = patron::compare_sbg_bdw(fits[k], bdw);
    std::snprintf(line, sizeof line,
                  "%-9s alpha = %.3f, beta = %.3f, LL = %.2f (paper: %s); BdW c = %.2f, LR test p = %.3f\n",
                  k == 0 ? "Regular" : "High End", fits[k].alpha, fits[k].beta, fits[k].log_likelihood,
                  k == 0 ? "0.704, 1.182, -1680.27" : "0.668, 3.806, -1611.16", bdw.c, lr.p_value);
    out << line;
  }
  out << "year  Regular actual  sBG [95% interval]      High End actual  sBG [95% interval]\n";
  const auto regular = fits[0].project(12), high_end = fits[1].project(12);
  for (int t = 8; t <= 12; ++t) {
    std::snprintf(line, sizeof line, "%4d  %13.1f%%  %5.1f%% [%4.1f, %4.1f]  %15.1f%%  %5.1f%% [%4.1f, %4.1f]\n", t,
                  regular_pct[t], 100 * regular.survival(t), 100 * regular.lower(t), 100 * regular.upper(t),
                  high_end_pct[t], 100 * high_end.survival(t), 100 * high_end.lower(t), 100 * high_end.upper(t));
    out << line;
  }
  const double first_year_churn = patron::period_rates_from_counts(1000, 1000 - 631).churn_rate;
  std::snprintf(line, sizeof line,
                "Average churn is not the churn of the average customer: retention rises with tenure\n"
                "(Regular r(1) = %.2f, r(8) = %.2f) although no customer's churn changes, because the cohort\n"
                "sheds its churn-prone members first. Year 1's %.1f%% churn held constant would leave %.1f%%\n"
                "in year 12 (actual %.1f%%). A Regular customer who has renewed 4 times is worth %.2f\n"
                "discounted future payments at 10%% (DERL).\n",
                fits[0].retention_rate(1), fits[0].retention_rate(8), 100 * first_year_churn,
                100 * patron::survival_constant_churn(first_year_churn, 12), regular_pct[12], fits[0].derl(0.10, 4));
  out << line;
}

[[maybe_unused]] const bool demo_registered =
    register_demo_section({60, "Retention: the shifted-beta-geometric model", retention_demo});

}  // namespace
}  // namespace patron_cli
