// patron.churn (include/patron/churn.hpp): period formulas, cohort retention tables, sBG
// and BdW retention models (fits, projections), Kaplan-Meier and the log-rank test.
#include "bind_util_b.hpp"

#include "patron/churn.hpp"

namespace patron::python {
namespace {

py::object optional_float(const std::optional<double>& v) { return v ? py::object(py::float_(*v)) : py::none(); }

// Pickle state of the fit status shared by sbg_model and bdw_model (after their
// parameters, standard errors and covariance).
template <class Model>
py::tuple fit_status_state(const Model& s) {
  return py::make_tuple(s.log_likelihood, s.customers, s.converged, s.iterations, s.gradient_norm, s.message,
                        s.confidence_level);
}

template <class Model>
void restore_fit_status(Model& s, const py::tuple& t) {
  if (t.size() != 7) throw py::value_error("invalid retention model pickle state");
  s.log_likelihood = t[0].cast<double>();
  s.customers = t[1].cast<double>();
  s.converged = t[2].cast<bool>();
  s.iterations = t[3].cast<int>();
  s.gradient_norm = t[4].cast<double>();
  s.message = t[5].cast<std::string>();
  s.confidence_level = t[6].cast<double>();
}

void bind_formulas(py::module_& m) {
  py::class_<period_rates>(m, "PeriodRates", "Churn, retention and growth of one period.")
      .def_readonly("churn_rate", &period_rates::churn_rate)
      .def_readonly("retention_rate", &period_rates::retention_rate)
      .def_readonly("customers_at_end", &period_rates::customers_at_end)
      .def_readonly("net_growth_rate", &period_rates::net_growth_rate);
  m.def("period_rates_from_counts", &period_rates_from_counts, py::arg("customers_at_start"),
        py::arg("customers_lost"), py::arg("customers_gained") = 0.0,
        "Churn, retention and growth of one period from its customer counts.");
  m.def("convert_churn_rate", &convert_churn_rate, py::arg("churn_rate"), py::arg("from_length"),
        py::arg("to_length"), "A constant churn rate over one period length expressed over another.");
  m.def("expected_lifetime_constant_churn", &expected_lifetime_constant_churn, py::arg("churn_rate"),
        "1 / c: expected lifetime in periods under a constant churn rate.");
  m.def("survival_constant_churn", &survival_constant_churn, py::arg("churn_rate"), py::arg("periods"),
        "(1 - c)^t: share still active after t periods.");

  py::class_<cohort_retention_table>(m, "CohortRetentionTable", "Customers active per cohort and period.")
      .def_property_readonly("cohort", [](const cohort_retention_table& t) { return to_numpy(t.cohort); },
                             "start periods, ascending")
      .def_readonly("active", &cohort_retention_table::active)
      .def_readonly("retention", &cohort_retention_table::retention)
      .def_property_readonly("periods_observed",
                             [](const cohort_retention_table& t) { return to_numpy(t.periods_observed); })
      .def_readonly("observation_end", &cohort_retention_table::observation_end);
  m.def(
      "cohort_retention",
      [](const py::object& start, const py::object& last, std::optional<long long> observation_end) {
        const auto s = as_integer_vector(start, "start_period"), l = as_integer_vector(last, "last_active_period");
        py::gil_scoped_release release;
        return cohort_retention(s, l, cohort_table_options{observation_end});
      },
      py::arg("start_period"), py::arg("last_active_period"), py::kw_only(), py::arg("observation_end") = py::none(),
      "Cohort retention table from integer (start period, last active period) per customer.");
}

// Vectorised t for a function of (parameters, t).
template <class P, class F>
py::object over_t(const P& p, const py::object& t, F f) {
  return map_rows<1>({"t"}, {t}, [](const vector_map&) {}, [&p, f](double v) { return f(p, v); });
}

void bind_projection(py::module_& m) {
  py::class_<retention_projection>(m, "RetentionProjection", "S(t) with its interval and r(t), t = 0..horizon.")
      .def_readonly("period", &retention_projection::period)
      .def_readonly("survival", &retention_projection::survival)
      .def_readonly("lower", &retention_projection::lower)
      .def_readonly("upper", &retention_projection::upper)
      .def_readonly("retention_rate", &retention_projection::retention_rate)
      .def_readonly("confidence_level", &retention_projection::confidence_level);
  py::class_<likelihood_ratio_test>(m, "LikelihoodRatioTest", "Likelihood-ratio test of nested models.")
      .def_readonly("statistic", &likelihood_ratio_test::statistic)
      .def_readonly("degrees_of_freedom", &likelihood_ratio_test::degrees_of_freedom)
      .def_readonly("p_value", &likelihood_ratio_test::p_value);
}

void bind_sbg(py::module_& m) {
  py::class_<sbg_parameters>(m, "SbgParameters", "Shifted-beta-geometric parameters: theta ~ Beta(alpha, beta).")
      .def(py::init([](double alpha, double beta) { return sbg_parameters{alpha, beta}; }),
           py::arg("alpha") = sbg_parameters{}.alpha, py::arg("beta") = sbg_parameters{}.beta)
      .def_readwrite("alpha", &sbg_parameters::alpha)
      .def_readwrite("beta", &sbg_parameters::beta)
      .def(py::pickle([](const sbg_parameters& p) { return py::make_tuple(p.alpha, p.beta); },
                      [](const py::tuple& t) { return sbg_parameters{t[0].cast<double>(), t[1].cast<double>()}; }));
  m.def("sbg_survival", [](const sbg_parameters& p, const py::object& t) { return over_t(p, t, &sbg_survival); },
        py::arg("parameters"), py::arg("t"), "sBG S(t), t >= 0 (scalar or array).");
  m.def("sbg_churn_probability",
        [](const sbg_parameters& p, const py::object& t) { return over_t(p, t, &sbg_churn_probability); },
        py::arg("parameters"), py::arg("t"), "sBG P(T = t), t >= 1.");
  m.def("sbg_retention_rate", [](const sbg_parameters& p, const py::object& t) { return over_t(p, t, &sbg_retention_rate); },
        py::arg("parameters"), py::arg("t"), "sBG retention rate r(t) = S(t) / S(t - 1), t >= 1.");
  m.def("sbg_survival_curve", &sbg_survival_curve, py::arg("parameters"), py::arg("horizon"), "S(0), ..., S(horizon).");
  m.def("sbg_expected_lifetime", &sbg_expected_lifetime, py::arg("parameters"), "sBG expected lifetime in periods.");
  m.def("sbg_derl", &sbg_derl, py::arg("parameters"), py::arg("discount_rate"), py::arg("renewals"),
        "Discounted expected residual lifetime of a customer after `renewals` renewals.");

  py::class_<sbg_model>(m, "SbgModel", "Fitted shifted-beta-geometric model.")
      .def_readonly("alpha", &sbg_model::alpha)
      .def_readonly("beta", &sbg_model::beta)
      .def_property_readonly("alpha_se", [](const sbg_model& s) { return optional_float(s.alpha_se); })
      .def_property_readonly("beta_se", [](const sbg_model& s) { return optional_float(s.beta_se); })
      .def_readonly("log_covariance", &sbg_model::log_covariance, "covariance of (log alpha, log beta), or None")
      .def_readonly("log_likelihood", &sbg_model::log_likelihood)
      .def_readonly("customers", &sbg_model::customers)
      .def_readonly("converged", &sbg_model::converged)
      .def_readonly("iterations", &sbg_model::iterations)
      .def_readonly("gradient_norm", &sbg_model::gradient_norm)
      .def_readonly("message", &sbg_model::message)
      .def_readonly("confidence_level", &sbg_model::confidence_level)
      .def_property_readonly("parameters", &sbg_model::parameters, "SbgParameters(alpha, beta)")
      .def("survival", [](const sbg_model& s, const py::object& t) { return over_t(s.parameters(), t, &sbg_survival); },
           py::arg("t"), "S(t).")
      .def("retention_rate",
           [](const sbg_model& s, const py::object& t) { return over_t(s.parameters(), t, &sbg_retention_rate); },
           py::arg("t"), "r(t).")
      .def("churn_probability",
           [](const sbg_model& s, const py::object& t) { return over_t(s.parameters(), t, &sbg_churn_probability); },
           py::arg("t"), "P(T = t).")
      .def("expected_lifetime", &sbg_model::expected_lifetime, "Expected lifetime in periods.")
      .def("derl", &sbg_model::derl, py::arg("discount_rate"), py::arg("renewals"), "Discounted expected residual lifetime.")
      .def("project", &sbg_model::project, py::arg("horizon"), "S(t) with interval and r(t) for t = 0..horizon.")
      .def(py::pickle(
          [](const sbg_model& s) {
            return py::make_tuple(s.alpha, s.beta, s.alpha_se, s.beta_se, s.log_covariance, fit_status_state(s));
          },
          [](const py::tuple& t) {
            if (t.size() != 6) throw py::value_error("invalid SbgModel pickle state");
            sbg_model s;
            s.alpha = t[0].cast<double>();
            s.beta = t[1].cast<double>();
            s.alpha_se = t[2].cast<std::optional<double>>();
            s.beta_se = t[3].cast<std::optional<double>>();
            s.log_covariance = t[4].cast<std::optional<Eigen::Matrix2d>>();
            restore_fit_status(s, t[5].cast<py::tuple>());
            return s;
          }));
}

void bind_bdw(py::module_& m) {
  const bdw_parameters d{};
  py::class_<bdw_parameters>(m, "BdwParameters", "Beta-discrete-Weibull parameters (alpha, beta, c).")
      .def(py::init([](double alpha, double beta, double c) { return bdw_parameters{alpha, beta, c}; }),
           py::arg("alpha") = d.alpha, py::arg("beta") = d.beta, py::arg("c") = d.c)
      .def_readwrite("alpha", &bdw_parameters::alpha)
      .def_readwrite("beta", &bdw_parameters::beta)
      .def_readwrite("c", &bdw_parameters::c)
      .def(py::pickle([](const bdw_parameters& p) { return py::make_tuple(p.alpha, p.beta, p.c); },
                      [](const py::tuple& t) {
                        return bdw_parameters{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>()};
                      }));
  m.def("bdw_survival", [](const bdw_parameters& p, const py::object& t) { return over_t(p, t, &bdw_survival); },
        py::arg("parameters"), py::arg("t"), "BdW S(t), t >= 0.");
  m.def("bdw_churn_probability",
        [](const bdw_parameters& p, const py::object& t) { return over_t(p, t, &bdw_churn_probability); },
        py::arg("parameters"), py::arg("t"), "BdW P(T = t), t >= 1.");
  m.def("bdw_retention_rate", [](const bdw_parameters& p, const py::object& t) { return over_t(p, t, &bdw_retention_rate); },
        py::arg("parameters"), py::arg("t"), "BdW retention rate r(t), t >= 1.");
  py::class_<bdw_model>(m, "BdwModel", "Fitted beta-discrete-Weibull model.")
      .def_readonly("alpha", &bdw_model::alpha)
      .def_readonly("beta", &bdw_model::beta)
      .def_readonly("c", &bdw_model::c)
      .def_property_readonly("alpha_se", [](const bdw_model& s) { return optional_float(s.alpha_se); })
      .def_property_readonly("beta_se", [](const bdw_model& s) { return optional_float(s.beta_se); })
      .def_property_readonly("c_se", [](const bdw_model& s) { return optional_float(s.c_se); })
      .def_readonly("log_covariance", &bdw_model::log_covariance, "covariance of (log alpha, log beta, log c), or None")
      .def_readonly("log_likelihood", &bdw_model::log_likelihood)
      .def_readonly("customers", &bdw_model::customers)
      .def_readonly("converged", &bdw_model::converged)
      .def_readonly("iterations", &bdw_model::iterations)
      .def_readonly("gradient_norm", &bdw_model::gradient_norm)
      .def_readonly("message", &bdw_model::message)
      .def_readonly("confidence_level", &bdw_model::confidence_level)
      .def_property_readonly("parameters", &bdw_model::parameters, "BdwParameters(alpha, beta, c)")
      .def("survival", [](const bdw_model& s, const py::object& t) { return over_t(s.parameters(), t, &bdw_survival); },
           py::arg("t"), "S(t).")
      .def("retention_rate",
           [](const bdw_model& s, const py::object& t) { return over_t(s.parameters(), t, &bdw_retention_rate); },
           py::arg("t"), "r(t).")
      .def("churn_probability",
           [](const bdw_model& s, const py::object& t) { return over_t(s.parameters(), t, &bdw_churn_probability); },
           py::arg("t"), "P(T = t).")
      .def("project", &bdw_model::project, py::arg("horizon"), "S(t) with interval and r(t) for t = 0..horizon.")
      .def(py::pickle(
          [](const bdw_model& s) {
            return py::make_tuple(s.alpha, s.beta, s.c, s.alpha_se, s.beta_se, s.c_se, s.log_covariance,
                                  fit_status_state(s));
          },
          [](const py::tuple& t) {
            if (t.size() != 8) throw py::value_error("invalid BdwModel pickle state");
            bdw_model s;
            s.alpha = t[0].cast<double>();
            s.beta = t[1].cast<double>();
            s.c = t[2].cast<double>();
            s.alpha_se = t[3].cast<std::optional<double>>();
            s.beta_se = t[4].cast<std::optional<double>>();
            s.c_se = t[5].cast<std::optional<double>>();
            s.log_covariance = t[6].cast<std::optional<Eigen::Matrix3d>>();
            restore_fit_status(s, t[7].cast<py::tuple>());
            return s;
          }));
  m.def("compare_sbg_bdw", &compare_sbg_bdw, py::arg("sbg"), py::arg("bdw"),
        "Likelihood-ratio test of sBG (c = 1) against BdW fitted on the same data.");
}

template <class Model, class Counts, class Durations>
void def_retention_fits(py::module_& m, const char* counts_name, const char* durations_name, Counts counts,
                        Durations durations, const char* model) {
  const retention_fit_options d{};
  m.def(
      counts_name,
      [counts](const py::object& alive, int max_iterations, double gradient_tolerance, double confidence_level) {
        const vector_arg a(alive, "alive");
        py::gil_scoped_release release;
        return counts(a.map(), retention_fit_options{max_iterations, gradient_tolerance, confidence_level});
      },
      py::arg("alive"), py::kw_only(), py::arg("max_iterations") = d.max_iterations,
      py::arg("gradient_tolerance") = d.gradient_tolerance, py::arg("confidence_level") = d.confidence_level,
      (std::string("Fit the ") + model + " model on cohort counts alive at the start of periods 0..T.").c_str());
  m.def(
      durations_name,
      [durations](const py::object& durations_in, const py::object& event, const py::object& weight, int max_iterations,
                  double gradient_tolerance, double confidence_level) {
        const vector_arg t(durations_in, "durations"), e(event, "event");
        const auto w = optional_vector(weight, "weight");
        py::gil_scoped_release release;
        const retention_fit_options o{max_iterations, gradient_tolerance, confidence_level};
        return w ? durations(t.map(), e.map(), w->map(), o) : durations(t.map(), e.map(), Eigen::VectorXd(), o);
      },
      py::arg("durations"), py::arg("event"), py::arg("weight") = py::none(), py::kw_only(),
      py::arg("max_iterations") = d.max_iterations, py::arg("gradient_tolerance") = d.gradient_tolerance,
      py::arg("confidence_level") = d.confidence_level,
      (std::string("Fit the ") + model + " model on individual durations (event 1 churned, 0 censored).").c_str());
}

void bind_kaplan_meier(py::module_& m) {
  py::enum_<km_confidence_interval>(m, "KmConfidenceInterval", "Pointwise Kaplan-Meier interval (R conf.type).")
      .value("log_log", km_confidence_interval::log_log)
      .value("log", km_confidence_interval::log)
      .export_values();
  py::class_<restricted_mean>(m, "RestrictedMean", "Restricted mean survival time up to tau.")
      .def_readonly("estimate", &restricted_mean::estimate)
      .def_readonly("std_err", &restricted_mean::std_err)
      .def_readonly("tau", &restricted_mean::tau);
  using K = kaplan_meier_result;
  py::class_<K>(m, "KaplanMeierResult", "Kaplan-Meier curve, one row per distinct exit time (as R survfit).")
      .def_readonly("time", &K::time)
      .def_readonly("n_risk", &K::n_risk)
      .def_readonly("n_event", &K::n_event)
      .def_readonly("n_censor", &K::n_censor)
      .def_readonly("survival", &K::survival)
      .def_readonly("std_err", &K::std_err)
      .def_readonly("greenwood_variance", &K::greenwood_variance)
      .def_readonly("lower", &K::lower)
      .def_readonly("upper", &K::upper)
      .def_readonly("confidence_level", &K::confidence_level)
      .def(
          "survival_at",
          [](const K& k, const py::object& t) {
            return map_rows<1>({"t"}, {t}, [](const vector_map&) {}, [&k](double v) { return k.survival_at(v); });
          },
          py::arg("t"), "S at any time (scalar or array).")
      .def("median", &K::median, "Median survival time, or None.")
      .def("median_lower", &K::median_lower, "Lower limit of the median, or None.")
      .def("median_upper", &K::median_upper, "Upper limit of the median, or None.")
      .def("restricted_mean_survival", &K::restricted_mean_survival, py::arg("tau"), "Restricted mean up to tau (R rmean).")
      .def(
          "at_risk",
          [](const K& k, const py::object& times) {
            const vector_arg t(times, "times");
            return k.at_risk(t.map());
          },
          py::arg("times"), "Number at risk at each time (R summary(fit, times, extend = TRUE)).");
  const kaplan_meier_options d{};
  m.def(
      "kaplan_meier",
      [](const py::object& exit_time, const py::object& event, const py::object& entry, double confidence_level,
         km_confidence_interval interval) {
        const vector_arg x(exit_time, "exit_time"), e(event, "event");
        const auto n = optional_vector(entry, "entry");
        const kaplan_meier_options o{confidence_level, interval};
        py::gil_scoped_release release;
        return n ? kaplan_meier(n->map(), x.map(), e.map(), o) : kaplan_meier(x.map(), e.map(), o);
      },
      py::arg("exit_time"), py::arg("event"), py::arg("entry") = py::none(), py::kw_only(),
      py::arg("confidence_level") = d.confidence_level, py::arg("interval") = d.interval,
      "Kaplan-Meier survival curve (event 1 = churned, 0 = censored; optional delayed entry).");
  py::class_<logrank_result>(m, "LogrankResult", "Log-rank test of two groups.")
      .def_readonly("statistic", &logrank_result::statistic)
      .def_readonly("p_value", &logrank_result::p_value)
      .def_readonly("degrees_of_freedom", &logrank_result::degrees_of_freedom)
      .def_property_readonly("observed", [](const logrank_result& r) { return py::make_tuple(r.observed[0], r.observed[1]); })
      .def_property_readonly("expected", [](const logrank_result& r) { return py::make_tuple(r.expected[0], r.expected[1]); })
      .def_readonly("variance", &logrank_result::variance);
  m.def(
      "logrank_test",
      [](const py::object& exit_time, const py::object& event, const py::object& group, const py::object& entry) {
        const vector_arg x(exit_time, "exit_time"), e(event, "event"), g(group, "group");
        const auto n = optional_vector(entry, "entry");
        py::gil_scoped_release release;
        return n ? logrank_test(n->map(), x.map(), e.map(), g.map()) : logrank_test(x.map(), e.map(), g.map());
      },
      py::arg("exit_time"), py::arg("event"), py::arg("group"), py::arg("entry") = py::none(),
      "Log-rank test of two groups (group 0 / 1), as R survdiff.");
}

}  // namespace

void bind_churn(py::module_& parent) {
  auto m = parent.def_submodule("churn", "Churn and retention: formulas, cohort tables, sBG/BdW, Kaplan-Meier.");
  bind_formulas(m);
  bind_projection(m);
  bind_sbg(m);
  bind_bdw(m);
  def_retention_fits<sbg_model>(
      m, "sbg_fit_counts", "sbg_fit_durations", [](auto&&... a) { return sbg_fit_counts(a...); },
      [](auto&&... a) { return sbg_fit_durations(a...); }, "shifted-beta-geometric");
  def_retention_fits<bdw_model>(
      m, "bdw_fit_counts", "bdw_fit_durations", [](auto&&... a) { return bdw_fit_counts(a...); },
      [](auto&&... a) { return bdw_fit_durations(a...); }, "beta-discrete-Weibull");
  bind_kaplan_meier(m);
}

}  // namespace patron::python
