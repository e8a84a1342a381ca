// patron leads: lead-priority scoring (patron/leads.hpp).
//   patron leads score CRITERIA LEADS   weighted criteria (+ behavioural points) -> score, tier, rank
//   patron leads events RULES EVENTS    behavioural points with decay, as of a date
//   patron leads fit HISTORY            logistic conversion model -> coefficients, points, gains
// and the "Lead priority" section of `patron demo`.
#include <patron/leads.hpp>
#include <patron/transactions.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>

#include "cli.hpp"
#include "csv.hpp"
#include "demo_data.hpp"

namespace patron_cli {
namespace {

double parse_number(const std::string& text, const std::string& context) {
  double value = 0.0;
  const char* b = text.data();
  const char* e = b + text.size();
  const auto [ptr, ec] = std::from_chars(b, e, value);
  if (text.empty() || ec != std::errc() || ptr != e)
    throw usage_error(context + ": '" + text + "' is not a number");
  return value;
}

std::vector<double> parse_list(const std::string& text, const std::string& context) {
  std::vector<double> values;
  for (const auto& part : split_list(text, text.find(';') != std::string::npos ? ';' : ','))
    values.push_back(parse_number(part, context));
  return values;
}

// An empty field or NA is a missing value (NaN): the criterion's policy decides.
double number_or_missing(const csv_table& csv, std::size_t row, std::size_t col) {
  const std::string& text = csv.rows[row][col];
  if (text.empty() || text == "NA") return std::numeric_limits<double>::quiet_NaN();
  return csv.number(row, col);
}

// --- criteria config -------------------------------------------------------------
// CSV with columns criterion, weight, direction (higher|lower), normalisation
// (min_max|z_score|percentile|bins) and optionally missing (reject|worst|neutral|reweight),
// bin_edges and bin_points (values separated by ';').
std::vector<patron::criterion> read_criteria(const std::string& path) {
  const csv_table csv = read_csv_file(path);
  const auto name = csv.column("criterion"), weight = csv.column("weight"),
             direction = csv.column("direction"), norm = csv.column("normalisation");
  const bool has_missing = csv.has_column("missing");
  const bool has_bins = csv.has_column("bin_edges") && csv.has_column("bin_points");
  std::vector<patron::criterion> criteria;
  for (std::size_t r = 0; r < csv.size(); ++r) {
    patron::criterion c;
    c.name = csv.rows[r][name];
    c.weight = csv.number(r, weight);
    const std::string& d = csv.rows[r][direction];
    if (d == "higher") c.direction = patron::criterion_direction::higher_is_better;
    else if (d == "lower") c.direction = patron::criterion_direction::lower_is_better;
    else csv.fail(r, direction, "'" + d + "' is not higher or lower");
    const std::string& n = csv.rows[r][norm];
    if (n == "min_max") c.normalisation = patron::criterion_normalisation::min_max;
    else if (n == "z_score") c.normalisation = patron::criterion_normalisation::z_score;
    else if (n == "percentile") c.normalisation = patron::criterion_normalisation::percentile_rank;
    else if (n == "bins") c.normalisation = patron::criterion_normalisation::bins;
    else csv.fail(r, norm, "'" + n + "' is not min_max, z_score, percentile or bins");
    if (has_missing) {
      const auto col = csv.column("missing");
      const std::string& m = csv.rows[r][col];
      if (m == "reject" || m.empty()) c.missing = patron::missing_policy::reject;
      else if (m == "worst") c.missing = patron::missing_policy::worst;
      else if (m == "neutral") c.missing = patron::missing_policy::neutral;
      else if (m == "reweight") c.missing = patron::missing_policy::reweight;
      else csv.fail(r, col, "'" + m + "' is not reject, worst, neutral or reweight");
    }
    if (has_bins && c.normalisation == patron::criterion_normalisation::bins) {
      const auto e = csv.column("bin_edges"), p = csv.column("bin_points");
      const std::string where = path + ": criterion '" + c.name + "'";
      if (!csv.rows[r][e].empty()) c.bin_edges = parse_list(csv.rows[r][e], where + " bin_edges");
      c.bin_points = parse_list(csv.rows[r][p], where + " bin_points");
    }
    criteria.push_back(std::move(c));
  }
  if (criteria.empty()) throw usage_error(path + ": no criteria");
  return criteria;
}

struct numeric_columns {
  std::vector<std::string> names;
  Eigen::MatrixXd values;
};

numeric_columns read_columns(const csv_table& csv, const std::vector<std::string>& names) {
  numeric_columns out;
  out.names = names;
  out.values.resize(static_cast<Eigen::Index>(csv.size()), static_cast<Eigen::Index>(names.size()));
  for (std::size_t j = 0; j < names.size(); ++j) {
    const auto col = csv.column(names[j]);
    for (std::size_t r = 0; r < csv.size(); ++r)
      out.values(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = number_or_missing(csv, r, col);
  }
  return out;
}

table::cell id_cell(const csv_table& csv, std::optional<std::size_t> id_col, std::size_t row) {
  if (id_col) return csv.rows[row][*id_col];
  return static_cast<long long>(row + 1);
}

std::optional<std::size_t> id_column(const arguments& args, const csv_table& csv) {
  if (args.has("id-column")) return csv.column(args.text("id-column"));
  if (csv.has_column("id")) return csv.column("id");
  return std::nullopt;
}

patron::tier_assignment tiers_from_arguments(const arguments& args, const Eigen::VectorXd& score) {
  if (args.has("tier-thresholds")) {
    const auto t = parse_list(args.text("tier-thresholds"), "--tier-thresholds");
    if (t.size() != 3) throw usage_error("--tier-thresholds needs three values A,B,C");
    return patron::assign_tiers_by_thresholds(score, t[0], t[1], t[2]);
  }
  const auto s = parse_list(args.text("tier-shares", "0.1,0.2,0.3"), "--tier-shares");
  if (s.size() != 3) throw usage_error("--tier-shares needs three values A,B,C");
  return patron::assign_tiers_by_quantiles(score, s[0], s[1], s[2]);
}

json tier_json(const patron::tier_assignment& t) {
  json j = json::object();
  for (int k = 0; k < 4; ++k) {
    json tier = json::object();
    if (k < 3) tier.set("min_score", t.thresholds[k]);
    tier.set("leads", static_cast<unsigned long long>(t.counts[k]));
    j.set(std::string(1, static_cast<char>('A' + k)), tier);
  }
  return j;
}


// --- events ----------------------------------------------------------------------
// RULES: CSV with columns event and points, and optionally repeat (repeatable|first_time),
// cap (empty = none) and half_life (days; empty = no decay).
std::vector<patron::event_rule> read_event_rules(const std::string& path) {
  const csv_table csv = read_csv_file(path);
  const auto event = csv.column("event"), points = csv.column("points");
  const auto optional_column = [&](const char* name) -> std::optional<std::size_t> {
    if (csv.has_column(name)) return csv.column(name);
    return std::nullopt;
  };
  const auto repeat = optional_column("repeat"), cap = optional_column("cap"),
             half_life = optional_column("half_life");
  std::vector<patron::event_rule> rules;
  for (std::size_t r = 0; r < csv.size(); ++r) {
    patron::event_rule rule;
    rule.event = csv.rows[r][event];
    rule.points = csv.number(r, points);
    if (repeat) {
      const std::string& text = csv.rows[r][*repeat];
      if (text == "first_time") rule.repeat = patron::event_repeat::first_time_only;
      else if (text != "repeatable" && !text.empty())
        csv.fail(r, *repeat, "'" + text + "' is not repeatable or first_time");
    }
    if (cap && !csv.rows[r][*cap].empty()) rule.cap = csv.number(r, *cap);
    if (half_life && !csv.rows[r][*half_life].empty()) rule.half_life = csv.number(r, *half_life);
    rules.push_back(std::move(rule));
  }
  if (rules.empty()) throw usage_error(path + ": no event rules");
  return rules;
}

// EVENTS: one row per event with a lead identifier, an event type and a time.
struct event_log {
  std::vector<std::string> lead, event;
  std::vector<double> time;
  double as_of = 0;  // --as-of, else the last event
};

event_log read_event_log(const arguments& args, const std::string& path) {
  const csv_table events = read_csv_file(path);
  const auto lead_col = events.column(args.text("lead-column", "lead"));
  const auto event_col = events.column(args.text("event-column", "event"));
  const auto time_col = events.column(args.text("time-column", "time"));
  event_log log;
  for (std::size_t r = 0; r < events.size(); ++r) {
    log.lead.push_back(events.rows[r][lead_col]);
    log.event.push_back(events.rows[r][event_col]);
  }
  log.time = events.dates(time_col);
  if (log.time.empty()) throw usage_error(events.source + ": no events");
  log.as_of = args.has("as-of") ? parse_date(args.text("as-of"), "--as-of: ")
                                : *std::max_element(log.time.begin(), log.time.end());
  return log;
}

// Behavioural points of the rows of LEADS (--rules and --events): events are matched to
// leads by the id column; events of leads not in LEADS are counted, not scored.
struct lead_behaviour {
  patron::behaviour_points points;
  std::vector<patron::event_rule> rules;
  double as_of = 0;
  std::size_t events_of_other_leads = 0;
};

std::optional<lead_behaviour> behaviour_of_leads(const arguments& args, const csv_table& leads,
                                                 std::optional<std::size_t> id) {
  if (args.has("rules") != args.has("events"))
    throw usage_error("score: --rules and --events go together");
  if (!args.has("rules")) return std::nullopt;
  if (!id)
    throw usage_error(leads.source + ": --events needs a lead identifier column (id or --id-column)");
  std::map<std::string, std::size_t> row_of;
  for (std::size_t r = 0; r < leads.size(); ++r)
    if (!row_of.emplace(leads.rows[r][*id], r).second)
      leads.fail(r, *id, "'" + leads.rows[r][*id] + "' identifies an earlier lead too");
  lead_behaviour out;
  out.rules = read_event_rules(args.text("rules"));
  const event_log log = read_event_log(args, args.text("events"));
  out.as_of = log.as_of;
  std::vector<std::size_t> lead;
  std::vector<std::string> event;
  std::vector<double> time;
  for (std::size_t e = 0; e < log.lead.size(); ++e) {
    const auto found = row_of.find(log.lead[e]);
    if (found == row_of.end()) {
      ++out.events_of_other_leads;
      continue;
    }
    lead.push_back(found->second);
    event.push_back(log.event[e]);
    time.push_back(log.time[e]);
  }
  out.points = patron::score_behaviour(leads.size(), lead, event, time, out.rules, log.as_of);
  return out;
}

int run_score(const arguments& args, std::ostream& out) {
  const auto criteria = read_criteria(args.positional(1, "CRITERIA file"));
  const csv_table leads = read_csv_file(args.positional(2, "LEADS file"));
  std::vector<std::string> names;
  for (const auto& c : criteria) {
    if (!leads.has_column(c.name))
      throw usage_error(leads.source + ": criterion '" + c.name + "' is not a column");
    names.push_back(c.name);
  }
  const auto id = id_column(args, leads);
  const auto behaviour = behaviour_of_leads(args, leads, id);
  const numeric_columns x = read_columns(leads, names);
  numeric_columns reference = x;
  if (args.has("reference")) reference = read_columns(read_csv_file(args.text("reference")), names);
  const auto scorer = patron::fit_lead_scorer(reference.values, names, criteria);
  const auto s = scorer.score(x.values);
  // The lead's score is its criteria score (0..100) plus its behavioural points, which
  // keep the rules' own units (caps bound them): the total ranks and tiers the leads.
  Eigen::VectorXd total = s.total;
  if (behaviour) total += behaviour->points.total;
  const auto tiers = tiers_from_arguments(args, total);
  const auto order = patron::priority_order(total);
  std::vector<long long> rank(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) rank[static_cast<std::size_t>(order[k])] = static_cast<long long>(k + 1);

  std::vector<std::string> columns = {"lead", "score", "tier", "rank"};
  if (behaviour) {
    columns.push_back("criteria_score");
    columns.push_back("behaviour_points");
  }
  for (const auto& c : criteria) columns.push_back("points_" + c.name);
  if (behaviour)
    for (const auto& rule : behaviour->rules) columns.push_back("behaviour_" + rule.event);
  table t(columns);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto i = order[k];  // best first
    std::vector<table::cell> row;
    row.reserve(columns.size());
    row.emplace_back(id_cell(leads, id, static_cast<std::size_t>(i)));
    row.emplace_back(total(i));
    row.emplace_back(std::string(1, patron::tier_letter(tiers.tiers[static_cast<std::size_t>(i)])));
    row.emplace_back(rank[static_cast<std::size_t>(i)]);
    if (behaviour) {
      row.emplace_back(s.total(i));
      row.emplace_back(behaviour->points.total(i));
    }
    for (Eigen::Index j = 0; j < s.contribution.cols(); ++j) row.emplace_back(s.contribution(i, j));
    if (behaviour)
      for (Eigen::Index j = 0; j < behaviour->points.points.cols(); ++j)
        row.emplace_back(behaviour->points.points(i, j));
    t.add_row(std::move(row));
  }
  json extra = json::object();
  extra.set("leads", static_cast<unsigned long long>(order.size()));
  extra.set("tiers", tier_json(tiers));
  if (behaviour) {
    extra.set("as_of", format_date(behaviour->as_of));
    extra.set("events_after_as_of",
              static_cast<unsigned long long>(behaviour->points.events_after_as_of));
    extra.set("events_of_other_leads",
              static_cast<unsigned long long>(behaviour->events_of_other_leads));
  }
  write_result(args, out, t, extra);
  return 0;
}

// --- fit -------------------------------------------------------------------------
int run_fit(const arguments& args, std::ostream& out) {
  const csv_table history = read_csv_file(args.positional(1, "HISTORY file"));
  const std::string target = args.text("target", "converted");
  const auto target_col = history.column(target);
  const auto id = id_column(args, history);
  const std::string weight_name = args.text("weight-column", "");
  std::vector<std::string> features;
  if (args.has("features")) {
    features = split_list(args.text("features"), ',');
  } else {
    for (std::size_t j = 0; j < history.header.size(); ++j)
      if (j != target_col && (!id || j != *id) && history.header[j] != weight_name)
        features.push_back(history.header[j]);
  }
  if (features.empty()) throw usage_error(history.source + ": no feature columns");
  const numeric_columns x = read_columns(history, features);
  Eigen::VectorXd y(static_cast<Eigen::Index>(history.size()));
  for (std::size_t r = 0; r < history.size(); ++r) y(static_cast<Eigen::Index>(r)) = history.number(r, target_col);
  Eigen::VectorXd w;
  if (!weight_name.empty()) {
    const auto col = history.column(weight_name);
    w.resize(y.size());
    for (std::size_t r = 0; r < history.size(); ++r) w(static_cast<Eigen::Index>(r)) = history.number(r, col);
  }
  patron::logistic_options options;
  options.l2 = args.number("l2", 0.0);
  const std::string cw = args.text("class-weight", "none");
  if (cw == "balanced") options.class_weights = patron::class_weighting::balanced;
  else if (cw != "none") throw usage_error("--class-weight must be none or balanced, not '" + cw + "'");
  options.max_iterations = static_cast<int>(args.integer("max-iterations", 100));
  const auto m = patron::fit_logistic(x.values, y, options, w);
  if (m.status == patron::fit_status::separation || m.status == patron::fit_status::singular) {
    // No estimate to report; the message says what to change, in command-line terms.
    std::string message = m.message;
    message.replace(message.find("options.l2"), std::string("options.l2").size(), "--l2");
    throw usage_error(message);
  }

  patron::scorecard_scaling scaling;
  scaling.base_points = args.number("base-points", scaling.base_points);
  scaling.base_odds = args.number("base-odds", scaling.base_odds);
  scaling.pdo = args.number("pdo", scaling.pdo);
  const Eigen::VectorXd log_odds = m.predict_log_odds(x.values);
  const Eigen::VectorXd probability = m.predict_probability(x.values);
  const auto groups = static_cast<int>(args.integer("groups", 10));

  table coefficients({"term", "coefficient", "std_error", "z", "p_value"});
  for (Eigen::Index j = 0; j <= m.coefficients.size(); ++j) {
    const std::string term = j == 0 ? "(intercept)" : features[static_cast<std::size_t>(j - 1)];
    const double value = j == 0 ? m.intercept : m.coefficients(j - 1);
    if (m.standard_error.size())
      coefficients.add_row({term, value, m.standard_error(j), m.z(j), m.p_value(j)});
    else
      coefficients.add_row({term, value, std::string(), std::string(), std::string()});
  }
  // Points at odds base_odds * 2^k: the PDO ladder.
  table points({"odds", "probability", "points"});
  Eigen::VectorXd ladder(9);
  for (int k = -4; k <= 4; ++k) ladder(k + 4) = std::log(scaling.base_odds) + k * std::log(2.0);
  const Eigen::VectorXd ladder_points = patron::scorecard_points(ladder, scaling);
  for (int k = -4; k <= 4; ++k) {
    const double odds = std::ldexp(scaling.base_odds, k);
    points.add_row({odds, odds / (1.0 + odds), ladder_points(k + 4)});
  }
  const auto g = patron::gains_by_group(y, probability, groups);
  table gains({"group", "leads", "conversions", "conversion_rate", "cumulative_gain", "lift",
               "cumulative_lift", "min_probability", "max_probability"});
  for (int k = 0; k < groups; ++k)
    gains.add_row({static_cast<long long>(k + 1), g.leads(k), g.conversions(k), g.conversion_rate(k),
                   g.cumulative_gain(k), g.lift(k), g.cumulative_lift(k), g.min_score(k), g.max_score(k)});

  const std::string report = args.text("report", "coefficients");
  if (!args.flag("json")) {
    if (report == "coefficients") coefficients.write_csv(out);
    else if (report == "points") points.write_csv(out);
    else if (report == "gains") gains.write_csv(out);
    else throw usage_error("--report must be coefficients, points or gains, not '" + report + "'");
    return 0;
  }
  json extra = json::object();
  extra.set("status", m.converged ? "converged" : "max_iterations");
  extra.set("message", m.message);
  extra.set("iterations", m.iterations);
  extra.set("log_likelihood", m.log_likelihood);
  extra.set("null_log_likelihood", m.null_log_likelihood);
  extra.set("auc", patron::roc_auc(y, probability));
  extra.set("ks", patron::ks_statistic(y, probability));
  extra.set("brier", patron::brier_score(y, probability));
  extra.set("points", points.to_json());
  extra.set("gains", gains.to_json());
  write_result(args, out, coefficients, extra);
  return 0;
}
int run_events(const arguments& args, std::ostream& out) {
  const auto rules = read_event_rules(args.positional(1, "RULES file"));
  const event_log log = read_event_log(args, args.positional(2, "EVENTS file"));
  // Leads are numbered in order of first appearance.
  std::map<std::string, std::size_t> index_of;
  std::vector<std::string> ids;
  std::vector<std::size_t> lead(log.lead.size());
  for (std::size_t r = 0; r < log.lead.size(); ++r) {
    const auto [it, inserted] = index_of.emplace(log.lead[r], ids.size());
    if (inserted) ids.push_back(log.lead[r]);
    lead[r] = it->second;
  }
  const auto b = patron::score_behaviour(ids.size(), lead, log.event, log.time, rules, log.as_of);
  const auto order = patron::priority_order(b.total);

  std::vector<std::string> columns = {"lead", "points", "rank"};
  for (const auto& rule : rules) columns.push_back("points_" + rule.event);
  table t(columns);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto i = order[k];  // most points first
    std::vector<table::cell> row(columns.size());
    row[0] = ids[static_cast<std::size_t>(i)];
    row[1] = b.total(i);
    row[2] = static_cast<long long>(k + 1);
    for (Eigen::Index j = 0; j < b.points.cols(); ++j)
      row[static_cast<std::size_t>(j) + 3] = b.points(i, j);
    t.add_row(std::move(row));
  }
  json extra = json::object();
  extra.set("leads", static_cast<unsigned long long>(ids.size()));
  extra.set("as_of", format_date(log.as_of));
  extra.set("events_after_as_of", static_cast<unsigned long long>(b.events_after_as_of));
  write_result(args, out, t, extra);
  return 0;
}

int run(const arguments& args, std::ostream& out) {
  const std::string& action = args.positional(0, "action (score, events or fit)");
  if (action == "score") return run_score(args, out);
  if (action == "events") return run_events(args, out);
  if (action == "fit") return run_fit(args, out);
  throw usage_error("unknown action '" + action + "' (score, events or fit)");
}

std::vector<option_spec> options() {
  return {
      {"id-column", "NAME", "column identifying leads (score, fit)", "id, when present"},
      {"reference", "FILE", "score: learn the normalisation from FILE instead of LEADS", ""},
      {"tier-shares", "A,B,C", "score: top shares of tiers A, B, C by quantile", "0.1,0.2,0.3"},
      {"tier-thresholds", "A,B,C", "score: lowest score of tiers A, B, C (overrides shares)", ""},
      {"rules", "FILE", "score: event rules (as for events); with --events", ""},
      {"events", "FILE", "score: events of the leads, matched by id; adds behavioural points", ""},
      {"lead-column", "NAME", "events, score --events: lead identifier column of EVENTS", "lead"},
      {"event-column", "NAME", "events, score --events: event type column of EVENTS", "event"},
      {"time-column", "NAME", "events, score --events: event time column (YYYY-MM-DD[THH:MM[:SS]])", "time"},
      {"as-of", "DATE", "events, score --events: evaluation time; later events are ignored", "the last event"},
      {"target", "NAME", "fit: 0/1 outcome column", "converted"},
      {"features", "A,B,...", "fit: feature columns", "every other column"},
      {"weight-column", "NAME", "fit: sample (frequency) weights", ""},
      {"l2", "LAMBDA", "fit: L2 penalty on the slopes (1/C of scikit-learn)", "0"},
      {"class-weight", "MODE", "fit: none or balanced", "none"},
      {"max-iterations", "N", "fit: Newton iterations", "100"},
      {"base-points", "P", "fit: scorecard points at the base odds", "600"},
      {"base-odds", "ODDS", "fit: conversion odds scored base-points", "1"},
      {"pdo", "P", "fit: points to double the odds", "20"},
      {"groups", "N", "fit: groups of the gains table", "10"},
      {"report", "NAME", "fit: coefficients, points or gains (CSV output)", "coefficients"},
  };
}

[[maybe_unused]] const bool registered = register_command(
    {"leads", "lead-priority scoring: weighted criteria or a logistic conversion model",
     "patron leads score CRITERIA LEADS [options]\n"
     "patron leads events RULES EVENTS [options]\n"
     "patron leads fit HISTORY [options]\n\n"
     "score: CRITERIA is a CSV with columns criterion,weight,direction,normalisation\n"
     "  (direction higher|lower; normalisation min_max|z_score|percentile|bins) and optional\n"
     "  missing (reject|worst|neutral|reweight), bin_edges and bin_points ('0;3' and '0;20;40').\n"
     "  LEADS is a CSV with one column per criterion (empty or NA = missing). Output: one row\n"
     "  per lead, best first: score 0..100, tier, rank and each criterion's points.\n"
     "  With --rules RULES --events EVENTS (as for events, matched to LEADS by id), score\n"
     "  is criteria_score (0..100) + behaviour_points, which rank and tier the leads, and\n"
     "  each event type's points follow; events of other leads are counted, not scored.\n"
     "events: behavioural points. RULES is a CSV with columns event,points and optional\n"
     "  repeat (repeatable|first_time), cap (on the decayed sum per event type; empty = none)\n"
     "  and half_life (days; empty = no decay). EVENTS is a CSV with columns lead,event,time.\n"
     "  Each event scores points * 2^(-age / half_life) as of --as-of. Output: one row per\n"
     "  lead, most points first: total points, rank and the points of each event type.\n"
     "fit: HISTORY is a CSV of past leads with a 0/1 target column. Output: coefficients\n"
     "  (with standard errors, z and p-values when unpenalised), the scorecard points ladder\n"
     "  and the in-sample gains table (--report, or all three with --json).",
     options(), run});

// --- demo ------------------------------------------------------------------------
// CDNOW customers as leads for a second purchase in the holdout: rules-based scores on
// four criteria, then the logistic model fitted on the same customers.
void demo(const demo_data& data, std::ostream& out) {
  const auto& s = data.weekly;
  const auto n = static_cast<Eigen::Index>(s.size());
  // Purchase intent = repeat purchases, customer value = mean spend, competitive position
  // = recency (weeks since the last purchase, lower is better), risk = single-purchase
  // customer (1 = yes, lower is better).
  Eigen::MatrixXd X(n, 4);
  X.col(0) = s.x;
  X.col(1) = s.mean_spend;
  X.col(2) = s.T - s.t_x;
  X.col(3) = (s.x.array() == 0).cast<double>();
  std::vector<patron::criterion> criteria(4);
  const char* names[] = {"intent", "value", "weeks_since", "one_off"};
  const double weights[] = {4, 2, 3, 1};
  for (int j = 0; j < 4; ++j) {
    criteria[static_cast<std::size_t>(j)].name = names[j];
    criteria[static_cast<std::size_t>(j)].weight = weights[j];
    criteria[static_cast<std::size_t>(j)].normalisation = patron::criterion_normalisation::percentile_rank;
  }
  criteria[2].direction = criteria[3].direction = patron::criterion_direction::lower_is_better;
  const auto scores = patron::fit_lead_scorer(X, criteria).score(X);
  const auto tiers = patron::assign_tiers_by_quantiles(scores.total);
  const Eigen::VectorXd converted = (s.holdout_transactions.array() > 0).cast<double>();
  const auto order = patron::priority_order(scores.total);
  char line[256];
  std::snprintf(line, sizeof line,
                "%ld customers scored as leads for a holdout purchase on intent (x, weight 4),\n"
                "value (mean spend, 2), weeks since last purchase (3, lower better), one-off (1).\n",
                static_cast<long>(n));
  out << line;
  out << "  rank  customer  score  tier  intent  value  weeks_since  one_off  bought_again\n";
  for (std::size_t k = 0; k < 5; ++k) {
    const auto i = order[k];
    std::snprintf(line, sizeof line, "  %4zu  %8lld  %5.1f     %c  %6.0f  %5.2f  %11.1f  %7.0f  %12s\n", k + 1,
                  s.customer[static_cast<std::size_t>(i)], scores.total(i),
                  patron::tier_letter(tiers.tiers[static_cast<std::size_t>(i)]), X(i, 0), X(i, 1), X(i, 2),
                  X(i, 3), converted(i) > 0 ? "yes" : "no");
    out << line;
  }
  const auto top = order[0];
  out << "Top lead's points:";
  for (int j = 0; j < 4; ++j) {
    std::snprintf(line, sizeof line, " %s %.1f%s", names[j], scores.contribution(top, j), j < 3 ? " +" : "");
    out << line;
  }
  std::snprintf(line, sizeof line, " = %.1f.\n", scores.total(top));
  out << line;
  std::snprintf(line, sizeof line, "Tiers (top 10%%/20%%/30%%): A >= %.1f (%zu), B >= %.1f (%zu), C >= %.1f (%zu), D (%zu).\n",
                tiers.thresholds[0], tiers.counts[0], tiers.thresholds[1], tiers.counts[1],
                tiers.thresholds[2], tiers.counts[2], tiers.counts[3]);
  out << line;
  const double auc_rules = patron::roc_auc(converted, scores.total);
  const auto m = patron::fit_logistic(X.leftCols(3), converted);
  const Eigen::VectorXd p = m.predict_probability(X.leftCols(3));
  const auto gains = patron::gains_by_group(converted, p, 10);
  std::snprintf(line, sizeof line,
                "Holdout AUC of the weighted score %.3f; logistic model fitted to the same outcomes\n"
                "on the first three criteria (in-sample, %s, %d Newton steps): AUC %.3f,\n"
                "top-decile lift %.2f, Brier %.4f.\n",
                auc_rules, m.converged ? "converged" : "not converged", m.iterations,
                patron::roc_auc(converted, p), gains.lift(0), patron::brier_score(converted, p));
  out << line;
}

[[maybe_unused]] const bool demo_registered = register_demo_section({70, "Lead priority", demo});

}  // namespace
}  // namespace patron_cli
