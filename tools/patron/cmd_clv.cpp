// patron clv: fit the CLV models (patron/clv.hpp) and score customers; the demo's
// "Customer lifetime value" section.
#include <patron/clv.hpp>
#include <patron/transactions.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli.hpp"
#include "csv.hpp"
#include "demo_data.hpp"
#include "transaction_input.hpp"

namespace patron_cli {
namespace {

// Customers as the models see them: one row each, in input order.
struct btyd_input {
  std::vector<table::cell> ids;
  Eigen::VectorXd x, t_x, T, zbar, weight;  // weight: counts (BG/BB rows)
  bool has_spend = false;
};

std::optional<std::size_t> find_column(const csv_table& csv, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (csv.has_column(name)) return csv.column(name);
  return std::nullopt;
}

std::size_t require_column(const csv_table& csv, std::initializer_list<const char*> names) {
  if (auto c = find_column(csv, names)) return *c;
  return csv.column(*names.begin());  // a usage_error listing the columns
}

Eigen::VectorXd column_vector(const csv_table& csv, std::size_t col) {
  const std::vector<double> v = csv.numbers(col);
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// A summary CSV: x|frequency, t_x|recency (BTYD: age at the last purchase), T, and
// optionally zbar|monetary_value, an id column ID|id|customer, weight|weights|count.
btyd_input read_summary(const std::string& path, bool bgbb) {
  const csv_table csv = read_csv_file(path);
  btyd_input in;
  in.x = column_vector(csv, require_column(csv, {"x", "frequency"}));
  in.t_x = column_vector(csv, require_column(csv, {"t_x", "recency"}));
  in.T = column_vector(csv, bgbb ? require_column(csv, {"n", "periods"}) : require_column(csv, {"T"}));
  if (auto c = find_column(csv, {"zbar", "monetary_value"})) {
    in.zbar = column_vector(csv, *c);
    in.has_spend = true;
  } else {
    in.zbar = Eigen::VectorXd::Zero(in.x.size());
  }
  in.weight = Eigen::VectorXd::Ones(in.x.size());
  if (auto c = find_column(csv, {"weight", "weights", "count"})) in.weight = column_vector(csv, *c);
  const auto id = find_column(csv, {"ID", "id", "customer"});
  for (std::size_t i = 0; i < csv.size(); ++i)
    in.ids.push_back(id ? table::cell(csv.rows[i][*id]) : table::cell(static_cast<long long>(i + 1)));
  return in;
}

// A transaction log summarised at --cutoff (patron::summarize_transactions).
btyd_input read_log(const arguments& args, const std::string& path) {
  const transaction_input input = read_transactions(args, path);
  patron::summary_options options;
  options.time_unit = args.number("time-unit", 7.0);
  options.calibration_end = parse_time_option(input, args, "cutoff");
  return std::visit(
      [&](const auto& ids) {
        const auto s = patron::summarize_transactions(ids, input.times, input.amounts, options);
        btyd_input in;
        for (const auto& id : s.customer) {
          if constexpr (std::is_integral_v<std::decay_t<decltype(id)>>) in.ids.push_back(static_cast<long long>(id));
          else in.ids.push_back(id);
        }
        in.x = s.x;
        in.t_x = s.t_x;
        in.T = s.T;
        in.zbar = s.mean_repeat_spend;
        in.weight = Eigen::VectorXd::Ones(s.x.size());
        in.has_spend = true;
        return in;
      },
      input.customers);
}

btyd_input read_input(const arguments& args, bool bgbb) {
  const std::string& path = args.positional(1, "FILE");
  if (args.has("cutoff")) {
    if (bgbb) throw usage_error("--model bgbb needs a summary CSV (x, t_x, n, weight), not a transaction log");
    return read_log(args, path);
  }
  return read_summary(path, bgbb);
}

patron::clv_fit_options fit_options(const arguments& args) {
  patron::clv_fit_options o;
  o.l2_penalty = args.number("penalty", 0.0);
  return o;
}

json report_json(const std::string& model, const patron::clv_fit_report& r) {
  json j = json::object();
  j.set("model", model);
  j.set("log_likelihood", r.log_likelihood);
  j.set("customers", r.total_weight);
  j.set("patterns", static_cast<unsigned long long>(r.patterns));
  j.set("converged", r.converged);
  j.set("iterations", r.iterations);
  j.set("gradient_norm", r.gradient_norm);
  j.set("message", r.message);
  return j;
}

int write_fit(const arguments& args, std::ostream& out, const std::string& model,
              const std::vector<double>& values, const patron::clv_fit_report& r) {
  table t({"parameter", "value", "std_error"});
  const auto se = r.standard_errors();
  for (std::size_t k = 0; k < values.size(); ++k)
    t.add_row({r.parameter_names[k], values[k],
               se ? table::cell((*se)(static_cast<Eigen::Index>(k))) : table::cell(std::string())});
  t.add_row({std::string("log_likelihood"), r.log_likelihood, std::string()});
  write_result(args, out, t, report_json(model, r));
  return 0;
}

int run_fit(const arguments& args, std::ostream& out) {
  const std::string model = args.text("model", "bgnbd");
  const patron::clv_fit_options options = fit_options(args);
  if (model == "bgnbd" || model == "pnbd") {
    const btyd_input in = read_input(args, false);
    if (model == "bgnbd") {
      const auto m = patron::fit_bgnbd(in.x, in.t_x, in.T, in.weight, options);
      const auto& p = m.parameters();
      return write_fit(args, out, model, {p.r, p.alpha, p.a, p.b}, m.report());
    }
    const auto m = patron::fit_pareto_nbd(in.x, in.t_x, in.T, in.weight, options);
    const auto& p = m.parameters();
    return write_fit(args, out, model, {p.r, p.alpha, p.s, p.beta}, m.report());
  }
  if (model == "gg") {
    const btyd_input in = read_input(args, false);
    if (!in.has_spend) throw usage_error("--model gg needs a zbar (or monetary_value) column or a transaction log");
    const auto m = patron::fit_gamma_gamma(in.x, in.zbar, in.weight, options);
    const auto& p = m.parameters();
    return write_fit(args, out, model, {p.p, p.q, p.gamma}, m.report());
  }
  if (model == "bgbb") {
    const btyd_input in = read_input(args, true);
    const auto m = patron::fit_bgbb(in.x, in.t_x, in.T, in.weight, options);
    const auto& p = m.parameters();
    return write_fit(args, out, model, {p.alpha, p.beta, p.gamma, p.delta}, m.report());
  }
  throw usage_error("option --model: '" + model + "' is not one of bgnbd, pnbd, gg, bgbb");
}

patron::model_clv_options clv_options(const arguments& args) {
  patron::model_clv_options o;
  o.periods = static_cast<int>(args.integer("periods", 12));
  o.period_length = args.number("period-length", 52.0 / 12.0);
  o.discount_rate = args.number("discount", 0.01);
  o.margin = args.number("margin", 1.0);
  return o;
}

template <class Model>
table predict_table(const Model& m, const btyd_input& in, const std::optional<patron::gamma_gamma_model>& gg,
                    double horizon, const patron::model_clv_options& o) {
  const Eigen::VectorXd alive = m.probability_alive(in.x, in.t_x, in.T);
  const Eigen::VectorXd expected = m.conditional_expected_purchases(horizon, in.x, in.t_x, in.T);
  std::vector<std::string> columns = {"customer", "x", "t_x", "T", "p_alive", "expected_purchases"};
  Eigen::VectorXd spend, clv;
  if (gg) {
    columns.push_back("expected_spend");
    columns.push_back("clv");
    spend = gg->conditional_expected_spend(in.x, in.zbar);
    clv = patron::customer_lifetime_value(m, *gg, in.x, in.t_x, in.T, in.zbar, o);
  }
  table t(columns);
  for (Eigen::Index i = 0; i < in.x.size(); ++i) {
    std::vector<table::cell> row = {in.ids[static_cast<std::size_t>(i)], in.x(i), in.t_x(i), in.T(i), alive(i), expected(i)};
    if (gg) {
      row.push_back(spend(i));
      row.push_back(clv(i));
    }
    t.add_row(std::move(row));
  }
  return t;
}

// BG/BB rows (x, t_x, n, weight): P(alive at n + 1), expected transactions in the next
// --horizon opportunities and DERT at --discount per opportunity.
int predict_bgbb(const arguments& args, std::ostream& out) {
  const btyd_input in = read_input(args, true);
  const auto m = patron::fit_bgbb(in.x, in.t_x, in.T, in.weight, fit_options(args));
  const double horizon = args.number("horizon", 5.0), discount = args.number("discount", 0.1);
  table t({"customer", "x", "t_x", "n", "weight", "p_alive", "expected_transactions", "dert"});
  for (Eigen::Index i = 0; i < in.x.size(); ++i)
    t.add_row({in.ids[static_cast<std::size_t>(i)], in.x(i), in.t_x(i), in.T(i), in.weight(i),
               m.probability_alive(in.x(i), in.t_x(i), in.T(i)),
               m.conditional_expected_transactions(horizon, in.x(i), in.t_x(i), in.T(i)),
               m.discounted_expected_residual_transactions(discount, in.x(i), in.t_x(i), in.T(i))});
  json extra = json::object();
  extra.set("transactions_model", report_json("bgbb", m.report()));
  write_result(args, out, t, extra);
  return 0;
}

int run_predict(const arguments& args, std::ostream& out) {
  const std::string model = args.text("model", "bgnbd");
  if (model == "bgbb") return predict_bgbb(args, out);
  if (model != "bgnbd" && model != "pnbd")
    throw usage_error("option --model: '" + model + "' is not one of bgnbd, pnbd, bgbb (predict)");
  const double horizon = args.number("horizon", 39.0);
  if (!(horizon >= 0.0 && std::isfinite(horizon))) throw usage_error("option --horizon: must be a non-negative number");
  const patron::model_clv_options o = clv_options(args);
  const patron::clv_fit_options options = fit_options(args);
  const btyd_input in = read_input(args, false);
  std::optional<patron::gamma_gamma_model> gg;
  if (in.has_spend) {
    gg = patron::fit_gamma_gamma(in.x, in.zbar, in.weight, options);
    if (!gg->mean_spend_is_finite())
      throw usage_error("the Gamma-Gamma fit has q = " + format_number(gg->parameters().q) +
                        " <= 1 (infinite mean spend): no CLV");
  }
  json extra = json::object();
  if (model == "bgnbd") {
    const auto m = patron::fit_bgnbd(in.x, in.t_x, in.T, in.weight, options);
    extra.set("transactions_model", report_json(model, m.report()));
    write_result(args, out, predict_table(m, in, gg, horizon, o), extra);
  } else {
    const auto m = patron::fit_pareto_nbd(in.x, in.t_x, in.T, in.weight, options);
    extra.set("transactions_model", report_json(model, m.report()));
    write_result(args, out, predict_table(m, in, gg, horizon, o), extra);
  }
  return 0;
}

int run(const arguments& args, std::ostream& out) {
  const std::string& action = args.positional(0, "ACTION (fit or predict)");
  if (action == "fit") return run_fit(args, out);
  if (action == "predict") return run_predict(args, out);
  throw usage_error("unknown action '" + action + "' (expected fit or predict)");
}

std::vector<option_spec> options() {
  auto o = transaction_input_options();
  o.push_back({"model", "NAME", "bgnbd, pnbd, gg or bgbb (fit); bgnbd, pnbd or bgbb (predict)", "bgnbd"});
  o.push_back({"cutoff", "DATE", "FILE is a transaction log summarised at this calibration end", ""});
  o.push_back({"time-unit", "DAYS", "unit of t_x and T for a transaction log (7 = weeks)", "7"});
  o.push_back({"penalty", "L", "L2 penalty on the log parameters", "0"});
  o.push_back({"horizon", "T", "predict: expected purchases over this many time units (bgbb: opportunities)",
               "39 (bgbb: 5)"});
  o.push_back({"periods", "N", "predict: CLV horizon in discount periods", "12"});
  o.push_back({"period-length", "T", "predict: time units per discount period", "4.3333 (a month in weeks)"});
  o.push_back({"discount", "D", "predict: discount rate per period (bgbb: per opportunity, for DERT)",
               "0.01 (bgbb: 0.1)"});
  o.push_back({"margin", "M", "predict: profit margin applied to expected spend", "1"});
  return o;
}

[[maybe_unused]] const bool registered = register_command(
    {"clv", "customer lifetime value: fit BG/NBD, Pareto/NBD, Gamma-Gamma, BG/BB; score customers",
     "patron clv fit FILE --model bgnbd|pnbd|gg|bgbb [options]\n"
     "patron clv predict FILE [--model bgnbd|pnbd|bgbb] [options]\n\n"
     "FILE is a summary CSV with columns x (or frequency), t_x (or recency: the customer's\n"
     "age at the last repeat purchase, NOT the time since it), T, and optionally zbar (mean\n"
     "repeat spend), ID, weight; for bgbb: x, t_x, n (or periods), weight. With --cutoff,\n"
     "FILE is a transaction log (customer, date, amount) summarised at that date.\n"
     "predict prints per customer P(alive), expected purchases over --horizon and, with\n"
     "spend, the Gamma-Gamma expected spend and the discounted CLV; for bgbb, per row\n"
     "P(alive), expected transactions in the next --horizon opportunities and DERT.",
     options(), run});

// --- demo ----------------------------------------------------------------------------

void demo(const demo_data& data, std::ostream& out) {
  const auto& s = data.weekly;
  const patron::bgnbd_model bg = patron::fit_bgnbd(s.x, s.t_x, s.T);
  const patron::gamma_gamma_model gg = patron::fit_gamma_gamma(s.x, s.mean_repeat_spend);
  const auto& p = bg.parameters();
  const auto& q = gg.parameters();
  char line[256];
  std::snprintf(line, sizeof line,
                "BG/NBD: r = %.4f, alpha = %.4f, a = %.4f, b = %.4f (LL %.2f, %s)\n"
                "Gamma-Gamma: p = %.4f, q = %.4f, gamma = %.4f; mean spend per transaction $%.2f\n",
                p.r, p.alpha, p.a, p.b, bg.report().log_likelihood,
                bg.report().converged ? "converged" : "NOT converged", q.p, q.q, q.gamma,
                gg.population_mean_spend());
  out << line;

  patron::model_clv_options o;  // 12 months of 52/12 weeks, 1% a month
  const Eigen::VectorXd clv = patron::customer_lifetime_value(bg, gg, s.x, s.t_x, s.T, s.mean_repeat_spend, o);
  const Eigen::VectorXd alive = bg.probability_alive(s.x, s.t_x, s.T);
  const Eigen::VectorXd next = bg.conditional_expected_purchases(52.0, s.x, s.t_x, s.T);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(clv.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index i, Eigen::Index j) { return clv(i) > clv(j); });
  std::snprintf(line, sizeof line, "Customer equity (next 12 months, 1%%/month): $%.2f\n", clv.sum());
  out << line << "\nTen most valuable customers (12-month discounted revenue):\n";
  out << "customer    x     t_x       T  P(alive)  E[purchases 52w]  E[spend]      CLV\n";
  for (std::size_t k = 0; k < 10 && k < order.size(); ++k) {
    const Eigen::Index i = order[k];
    std::snprintf(line, sizeof line, "%8lld %4.0f %7.2f %7.2f %9.3f %17.2f %9.2f %8.2f\n",
                  static_cast<long long>(s.customer[static_cast<std::size_t>(i)]), s.x(i), s.t_x(i), s.T(i),
                  alive(i), next(i), gg.conditional_expected_spend(s.x(i), s.mean_repeat_spend(i)), clv(i));
    out << line;
  }

  // Tracking: cumulative repeat purchases by week since the cohort's start, actual
  // (same-day purchases merged, as in the summary) against the model.
  const double start = s.first_purchase.minCoeff();
  std::map<long long, std::set<double>> days;
  for (std::size_t i = 0; i < data.customers.size(); ++i) days[data.customers[i]].insert(std::floor(data.days[i]));
  const int weeks = static_cast<int>(std::ceil((data.observation_end - start + 1.0) / 7.0));
  std::vector<double> actual(static_cast<std::size_t>(weeks) + 1, 0.0);
  for (const auto& [customer, d] : days)
    for (auto it = std::next(d.begin()); it != d.end(); ++it)
      actual[static_cast<std::size_t>(std::floor((*it - start) / 7.0)) + 1] += 1.0;
  std::partial_sum(actual.begin(), actual.end(), actual.begin());
  const Eigen::VectorXd first = (s.first_purchase.array() - start) / 7.0;
  Eigen::VectorXd at(weeks);
  for (int w = 1; w <= weeks; ++w) at(w - 1) = w;
  const Eigen::VectorXd expected = bg.expected_cumulative_repeat_purchases(first, at);
  const int calibration_weeks = static_cast<int>(std::lround((data.calibration_end - start + 1.0) / 7.0));
  out << "\nCumulative repeat purchases, calibration (weeks 1-" << calibration_weeks << ") then holdout:\n";
  out << "week    actual  expected\n";
  for (int w = 6; w < weeks + 6; w += 6) {
    const int week = std::min(w, weeks);  // the last row is the end of the data
    std::snprintf(line, sizeof line, "%4d %9.0f %9.1f%s\n", week, actual[static_cast<std::size_t>(week)],
                  expected(week - 1), week > calibration_weeks ? "  holdout" : "");
    out << line;
  }
}

[[maybe_unused]] const bool demo_registered = register_demo_section({50, "Customer lifetime value", demo});

}  // namespace
}  // namespace patron_cli
