// patron.leads (include/patron/leads.hpp): weighted criteria scoring, behavioural points,
// the logistic conversion model with scorecard points, tiers, ranking and evaluation.
#include "bind_util_b.hpp"

#include "patron/leads.hpp"

namespace patron::python {
namespace {

void bind_enums(py::module_& m) {
  py::enum_<criterion_direction>(m, "CriterionDirection", "Whether a higher criterion value is better.")
      .value("higher_is_better", criterion_direction::higher_is_better)
      .value("lower_is_better", criterion_direction::lower_is_better)
      .export_values();
  py::enum_<criterion_normalisation>(m, "CriterionNormalisation", "How a criterion is mapped to [0, 1].")
      .value("min_max", criterion_normalisation::min_max)
      .value("z_score", criterion_normalisation::z_score)
      .value("percentile_rank", criterion_normalisation::percentile_rank)
      .value("bins", criterion_normalisation::bins)
      .export_values();
  py::enum_<missing_policy>(m, "MissingPolicy", "What a NaN criterion value earns.")
      .value("reject", missing_policy::reject)
      .value("worst", missing_policy::worst)
      .value("neutral", missing_policy::neutral)
      .value("reweight", missing_policy::reweight)
      .export_values();
  py::enum_<event_repeat>(m, "EventRepeat", "Whether an event scores every time or once.")
      .value("repeatable", event_repeat::repeatable)
      .value("first_time_only", event_repeat::first_time_only)
      .export_values();
  // Not exported: `fit` and `none` are too generic (and `none` is ClassWeighting.none).
  py::enum_<intercept_term>(m, "InterceptTerm", "Fit an intercept or not (values not exported: use the class).")
      .value("fit", intercept_term::fit)
      .value("none", intercept_term::none);
  bind_enum_once<class_weighting>(m, "ClassWeighting", [&m] {
    py::enum_<class_weighting>(m, "ClassWeighting", "Class weights: none, balanced or explicit.")
        .value("none", class_weighting::none)
        .value("balanced", class_weighting::balanced)
        .value("explicit_weights", class_weighting::explicit_weights)
        .export_values();
  });
  py::enum_<fit_status>(m, "FitStatus", "Why the logistic fit stopped.")
      .value("converged", fit_status::converged)
      .value("max_iterations", fit_status::max_iterations)
      .value("separation", fit_status::separation)
      .value("singular", fit_status::singular)
      .export_values();
  py::enum_<tier>(m, "Tier", "Priority tier, A best.")
      .value("A", tier::A)
      .value("B", tier::B)
      .value("C", tier::C)
      .value("D", tier::D)
      .export_values();
  py::enum_<tie_handling>(m, "TieHandling", "Tied scores in the gains table.")
      .value("split", tie_handling::split)
      .value("keep_together", tie_handling::keep_together)
      .export_values();
  py::enum_<calibration_strategy>(m, "CalibrationStrategy", "Calibration bins: uniform or quantile.")
      .value("uniform", calibration_strategy::uniform)
      .value("quantile", calibration_strategy::quantile)
      .export_values();
}

py::tuple criterion_state(const criterion& c) {
  return py::make_tuple(c.name, c.weight, c.direction, c.normalisation, c.missing, c.bin_edges, c.bin_points);
}

criterion criterion_from_state(const py::tuple& t) {
  if (t.size() != 7) throw py::value_error("invalid Criterion pickle state");
  return criterion{t[0].cast<std::string>(), t[1].cast<double>(), t[2].cast<criterion_direction>(),
                   t[3].cast<criterion_normalisation>(), t[4].cast<missing_policy>(),
                   t[5].cast<std::vector<double>>(), t[6].cast<std::vector<double>>()};
}

void bind_criteria(py::module_& m) {
  const criterion d{};
  py::class_<criterion>(m, "Criterion", "One weighted criterion of the rules-based lead score.")
      .def(py::init([](std::string name, double weight, criterion_direction direction,
                       criterion_normalisation normalisation, missing_policy missing, std::vector<double> bin_edges,
                       std::vector<double> bin_points) {
             return criterion{std::move(name), weight, direction, normalisation, missing, std::move(bin_edges),
                              std::move(bin_points)};
           }),
           py::arg("name"), py::arg("weight") = d.weight, py::arg("direction") = d.direction,
           py::arg("normalisation") = d.normalisation, py::arg("missing") = d.missing,
           py::arg("bin_edges") = d.bin_edges, py::arg("bin_points") = d.bin_points)
      .def_readwrite("name", &criterion::name)
      .def_readwrite("weight", &criterion::weight)
      .def_readwrite("direction", &criterion::direction)
      .def_readwrite("normalisation", &criterion::normalisation)
      .def_readwrite("missing", &criterion::missing)
      .def_readwrite("bin_edges", &criterion::bin_edges)
      .def_readwrite("bin_points", &criterion::bin_points)
      .def(py::pickle(&criterion_state, &criterion_from_state));
  py::class_<lead_scores>(m, "LeadScores", "Scores 0..100 per lead with per-criterion contributions.")
      .def_readonly("total", &lead_scores::total)
      .def_readonly("normalised", &lead_scores::normalised)
      .def_readonly("contribution", &lead_scores::contribution);
  py::class_<lead_scorer>(m, "LeadScorer", "Criteria with normalisation statistics from a reference sample.")
      .def_readonly("criteria", &lead_scorer::criteria)
      .def_property_readonly("columns", [](const lead_scorer& s) { return to_numpy(std::vector<std::int64_t>(s.columns.begin(), s.columns.end())); })
      .def_readonly("reference", &lead_scorer::reference)
      .def_readonly("location", &lead_scorer::location)
      .def_readonly("scale", &lead_scorer::scale)
      .def(
          "score",
          [](const lead_scorer& s, const py::object& X) {
            const matrix_arg x(X, "X");
            py::gil_scoped_release release;
            return s.score(x.map());
          },
          py::arg("X"), "Score the rows of X (same columns as the reference sample).")
      .def(py::pickle(
          [](const lead_scorer& s) {
            return py::make_tuple(s.criteria, std::vector<std::int64_t>(s.columns.begin(), s.columns.end()), s.reference,
                                  s.location, s.scale);
          },
          [](const py::tuple& t) {
            if (t.size() != 5) throw py::value_error("invalid LeadScorer pickle state");
            lead_scorer s;
            s.criteria = t[0].cast<std::vector<criterion>>();
            const auto columns = t[1].cast<std::vector<std::int64_t>>();
            s.columns.assign(columns.begin(), columns.end());
            s.reference = t[2].cast<std::vector<Eigen::VectorXd>>();
            s.location = t[3].cast<Eigen::VectorXd>();
            s.scale = t[4].cast<Eigen::VectorXd>();
            return s;
          }));
  m.def(
      "fit_lead_scorer",
      [](const py::object& X, const std::vector<criterion>& criteria, std::optional<std::vector<std::string>> names) {
        const matrix_arg x(X, "X");
        py::gil_scoped_release release;
        return names ? fit_lead_scorer(x.map(), *names, criteria) : fit_lead_scorer(x.map(), criteria);
      },
      py::arg("X"), py::arg("criteria"), py::arg("column_names") = py::none(),
      "Normalisation statistics from a reference sample X; criteria read columns by name (or in order).");
}

void bind_behaviour(py::module_& m) {
  const event_rule d{};
  py::class_<event_rule>(m, "EventRule", "Points of one event type, with repeat rule, cap and half-life.")
      .def(py::init([](std::string event, double points, event_repeat repeat, double cap, double half_life) {
             return event_rule{std::move(event), points, repeat, cap, half_life};
           }),
           py::arg("event"), py::arg("points") = d.points, py::arg("repeat") = d.repeat, py::arg("cap") = d.cap,
           py::arg("half_life") = d.half_life)
      .def_readwrite("event", &event_rule::event)
      .def_readwrite("points", &event_rule::points)
      .def_readwrite("repeat", &event_rule::repeat)
      .def_readwrite("cap", &event_rule::cap)
      .def_readwrite("half_life", &event_rule::half_life);
  py::class_<behaviour_points>(m, "BehaviourPoints", "Decayed, capped points per lead and event type.")
      .def_readonly("points", &behaviour_points::points)
      .def_readonly("total", &behaviour_points::total)
      .def_readonly("events_after_as_of", &behaviour_points::events_after_as_of);
  m.def(
      "score_behaviour",
      [](std::size_t n_leads, const py::object& lead, const py::object& event, const py::object& time,
         const std::vector<event_rule>& rules, double as_of) {
        const auto l = as_counts(lead, "lead");
        std::vector<std::size_t> leads(static_cast<std::size_t>(l.size()));
        for (py::ssize_t i = 0; i < l.size(); ++i) {
          if (l.data()[i] < 0)
            throw py::value_error("lead[" + std::to_string(i) + "] (" + std::to_string(l.data()[i]) +
                                  ") must be a non-negative lead index");
          leads[static_cast<std::size_t>(i)] = static_cast<std::size_t>(l.data()[i]);
        }
        const auto events = as_string_ids(event, "event");
        const vector_arg t(time, "time");
        const std::vector<double> times(t.map().data(), t.map().data() + t.map().size());
        py::gil_scoped_release release;
        return score_behaviour(n_leads, leads, events, times, rules, as_of);
      },
      py::arg("n_leads"), py::arg("lead"), py::arg("event"), py::arg("time"), py::arg("rules"), py::arg("as_of"),
      "Behavioural points per lead and rule from an event log (lead index, event name, time).");
}

py::tuple logistic_state(const logistic_model& l) {
  return py::make_tuple(l.intercept, l.coefficients, l.standard_error, l.z, l.p_value, l.covariance, l.log_likelihood,
                        l.null_log_likelihood, l.status, l.converged, l.iterations, l.gradient_norm, l.message);
}

logistic_model logistic_from_state(const py::tuple& t) {
  if (t.size() != 13) throw py::value_error("invalid LogisticModel pickle state");
  logistic_model l;
  l.intercept = t[0].cast<double>();
  l.coefficients = t[1].cast<Eigen::VectorXd>();
  l.standard_error = t[2].cast<Eigen::VectorXd>();
  l.z = t[3].cast<Eigen::VectorXd>();
  l.p_value = t[4].cast<Eigen::VectorXd>();
  l.covariance = t[5].cast<Eigen::MatrixXd>();
  l.log_likelihood = t[6].cast<double>();
  l.null_log_likelihood = t[7].cast<double>();
  l.status = t[8].cast<fit_status>();
  l.converged = t[9].cast<bool>();
  l.iterations = t[10].cast<int>();
  l.gradient_norm = t[11].cast<double>();
  l.message = t[12].cast<std::string>();
  return l;
}

void bind_logistic(py::module_& m) {
  using L = logistic_model;
  py::class_<L>(m, "LogisticModel", "Logistic conversion model (Newton/IRLS maximum likelihood).")
      .def_readonly("intercept", &L::intercept)
      .def_readonly("coefficients", &L::coefficients)
      .def_readonly("standard_error", &L::standard_error, "intercept first; empty when penalised or weighted")
      .def_readonly("z", &L::z)
      .def_readonly("p_value", &L::p_value)
      .def_readonly("covariance", &L::covariance)
      .def_readonly("log_likelihood", &L::log_likelihood)
      .def_readonly("null_log_likelihood", &L::null_log_likelihood)
      .def_readonly("status", &L::status)
      .def_readonly("converged", &L::converged)
      .def_readonly("iterations", &L::iterations)
      .def_readonly("gradient_norm", &L::gradient_norm)
      .def_readonly("message", &L::message)
      .def(
          "predict_log_odds",
          [](const L& l, const py::object& X) {
            const matrix_arg x(X, "X");
            return l.predict_log_odds(x.map());
          },
          py::arg("X"), "Log-odds of conversion per row.")
      .def(
          "predict_probability",
          [](const L& l, const py::object& X) {
            const matrix_arg x(X, "X");
            return l.predict_probability(x.map());
          },
          py::arg("X"), "Probability of conversion per row.")
      .def(py::pickle(&logistic_state, &logistic_from_state));
  const logistic_options d{};
  m.def(
      "fit_logistic",
      [](const py::object& X, const py::object& y, const py::object& sample_weight, double l2, intercept_term intercept,
         class_weighting class_weights, double weight_0, double weight_1, int max_iterations, double tolerance,
         unsigned threads) {
        const matrix_arg x(X, "X");
        const vector_arg vy(y, "y");
        const auto w = optional_vector(sample_weight, "sample_weight");
        const logistic_options o{l2, intercept, class_weights, weight_0, weight_1, max_iterations, tolerance, threads};
        py::gil_scoped_release release;
        return w ? fit_logistic(x.map(), vy.map(), o, w->map()) : fit_logistic(x.map(), vy.map(), o);
      },
      py::arg("X"), py::arg("y"), py::arg("sample_weight") = py::none(), py::kw_only(), py::arg("l2") = d.l2,
      py::arg("intercept") = d.intercept, py::arg("class_weights") = d.class_weights,
      py::arg("weight_0") = d.weight_0, py::arg("weight_1") = d.weight_1,
      py::arg("max_iterations") = d.max_iterations, py::arg("tolerance") = d.tolerance, py::arg("threads") = d.threads,
      "Fit a logistic conversion model on X (rows are leads) and y in {0, 1}; threads (0 = every core) "
      "never change the result.");
  const scorecard_scaling s{};
  m.def(
      "scorecard_points",
      [](const py::object& log_odds, double base_points, double base_odds, double pdo) {
        const vector_arg v(log_odds, "log_odds");
        return scorecard_points(v.map(), scorecard_scaling{base_points, base_odds, pdo});
      },
      py::arg("log_odds"), py::kw_only(), py::arg("base_points") = s.base_points, py::arg("base_odds") = s.base_odds,
      py::arg("pdo") = s.pdo, "Scorecard points: base_points + pdo / ln 2 * (log_odds - ln base_odds).");
  m.def(
      "expected_value",
      [](const py::object& probability, const py::object& deal_value) {
        const vector_arg p(probability, "probability"), v(deal_value, "deal_value");
        return expected_value(p.map(), v.map());
      },
      py::arg("probability"), py::arg("deal_value"), "Probability times deal value per lead.");
  m.def(
      "priority_order",
      [](const py::object& value) {
        const vector_arg v(value, "value");
        const auto order = priority_order(v.map());
        return to_numpy(std::vector<std::int64_t>(order.begin(), order.end()));
      },
      py::arg("value"), "Lead indices by decreasing value (stable).");
}

void bind_tiers(py::module_& m) {
  py::class_<tier_assignment>(m, "TierAssignment", "Tier per lead (0 = A .. 3 = D), thresholds and counts.")
      .def_property_readonly(
          "tiers",
          [](const tier_assignment& t) {
            std::vector<std::int8_t> codes(t.tiers.size());
            std::transform(t.tiers.begin(), t.tiers.end(), codes.begin(),
                           [](tier v) { return static_cast<std::int8_t>(v); });
            return to_numpy(codes);
          },
          "tier codes per lead (int8: 0 = A, 1 = B, 2 = C, 3 = D)")
      .def_property_readonly(
          "letters",
          [](const tier_assignment& t) {
            std::string s(t.tiers.size(), ' ');
            std::transform(t.tiers.begin(), t.tiers.end(), s.begin(), [](tier v) { return tier_letter(v); });
            return s;
          },
          "tier letters as one string")
      .def_property_readonly(
          "thresholds",
          [](const tier_assignment& t) { return py::make_tuple(t.thresholds[0], t.thresholds[1], t.thresholds[2]); },
          "lowest score of A, B and C")
      .def_property_readonly("counts", [](const tier_assignment& t) {
        return py::make_tuple(t.counts[0], t.counts[1], t.counts[2], t.counts[3]);
      }, "leads in A, B, C, D");
  m.def("tier_letter", &tier_letter, py::arg("tier"), "'A'..'D'.");
  m.def(
      "assign_tiers_by_thresholds",
      [](const py::object& score, double a_min, double b_min, double c_min) {
        const vector_arg s(score, "score");
        return assign_tiers_by_thresholds(s.map(), a_min, b_min, c_min);
      },
      py::arg("score"), py::arg("a_min"), py::arg("b_min"), py::arg("c_min"), "Tiers from score thresholds.");
  m.def(
      "assign_tiers_by_quantiles",
      [](const py::object& score, double a, double b, double c) {
        const vector_arg s(score, "score");
        return assign_tiers_by_quantiles(s.map(), a, b, c);
      },
      py::arg("score"), py::arg("a") = 0.1, py::arg("b") = 0.2, py::arg("c") = 0.3,
      "Tiers by shares: the top `a` of leads are A, the next `b` B, the next `c` C, the rest D.");
}

// Evaluation metrics of the form f(y, score, sample_weight).
template <class F>
auto weighted_metric(F f, const char* score_name) {
  return [f, score_name](const py::object& y, const py::object& score, const py::object& sample_weight) {
    const vector_arg vy(y, "y"), s(score, score_name);
    const auto w = optional_vector(sample_weight, "sample_weight");
    py::gil_scoped_release release;
    return w ? f(vy.map(), s.map(), w->map()) : f(vy.map(), s.map(), Eigen::VectorXd());
  };
}

void bind_evaluation(py::module_& m) {
  m.def("roc_auc", weighted_metric([](auto&&... a) { return roc_auc(a...); }, "score"), py::arg("y"), py::arg("score"),
        py::arg("sample_weight") = py::none(), "Area under the ROC curve (sklearn roc_auc_score).");
  py::class_<roc_curve_points>(m, "RocCurvePoints", "ROC curve: false and true positive rates per threshold.")
      .def_readonly("false_positive_rate", &roc_curve_points::false_positive_rate)
      .def_readonly("true_positive_rate", &roc_curve_points::true_positive_rate)
      .def_readonly("threshold", &roc_curve_points::threshold);
  m.def("roc_curve", weighted_metric([](auto&&... a) { return roc_curve(a...); }, "score"), py::arg("y"),
        py::arg("score"), py::arg("sample_weight") = py::none(), "ROC curve points (sklearn roc_curve).");
  m.def("ks_statistic", weighted_metric([](auto&&... a) { return ks_statistic(a...); }, "score"), py::arg("y"),
        py::arg("score"), py::arg("sample_weight") = py::none(), "Kolmogorov-Smirnov separation: max(TPR - FPR).");
  m.def("brier_score", weighted_metric([](auto&&... a) { return brier_score(a...); }, "probability"), py::arg("y"),
        py::arg("probability"), py::arg("sample_weight") = py::none(), "Mean squared error of probabilities.");
  py::class_<gains_table>(m, "GainsTable", "Gains and lift by score group, best first.")
      .def_readonly("leads", &gains_table::leads)
      .def_readonly("conversions", &gains_table::conversions)
      .def_readonly("conversion_rate", &gains_table::conversion_rate)
      .def_readonly("cumulative_leads", &gains_table::cumulative_leads)
      .def_readonly("cumulative_conversions", &gains_table::cumulative_conversions)
      .def_readonly("cumulative_gain", &gains_table::cumulative_gain)
      .def_readonly("lift", &gains_table::lift)
      .def_readonly("cumulative_lift", &gains_table::cumulative_lift)
      .def_readonly("min_score", &gains_table::min_score)
      .def_readonly("max_score", &gains_table::max_score);
  m.def(
      "gains_by_group",
      [](const py::object& y, const py::object& score, int groups, tie_handling ties) {
        const vector_arg vy(y, "y"), s(score, "score");
        return gains_by_group(vy.map(), s.map(), groups, ties);
      },
      py::arg("y"), py::arg("score"), py::arg("groups") = 10, py::arg("ties") = tie_handling::split,
      "Gains table (deciles by default).");
  py::class_<calibration_bins>(m, "CalibrationBins", "Non-empty calibration bins in increasing probability.")
      .def_readonly("mean_predicted", &calibration_bins::mean_predicted)
      .def_readonly("observed_rate", &calibration_bins::observed_rate)
      .def_readonly("count", &calibration_bins::count)
      .def_readonly("lower", &calibration_bins::lower)
      .def_readonly("upper", &calibration_bins::upper);
  m.def(
      "calibration",
      [](const py::object& y, const py::object& probability, int bins, calibration_strategy strategy) {
        const vector_arg vy(y, "y"), p(probability, "probability");
        return calibration(vy.map(), p.map(), bins, strategy);
      },
      py::arg("y"), py::arg("probability"), py::arg("bins") = 10, py::arg("strategy") = calibration_strategy::uniform,
      "Calibration curve (sklearn calibration_curve) with intervals of the observed rates.");
}

}  // namespace

void bind_leads(py::module_& parent) {
  auto m = parent.def_submodule("leads", "Lead scoring: criteria, behaviour, logistic model, tiers, evaluation.");
  bind_enums(m);
  bind_criteria(m);
  bind_behaviour(m);
  bind_logistic(m);
  bind_tiers(m);
  bind_evaluation(m);
}

}  // namespace patron::python
