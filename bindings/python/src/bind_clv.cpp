// patron.clv: BG/NBD, Pareto/NBD, Gamma-Gamma and BG/BB models, CLV formulas
// (include/patron/clv.hpp). Per-customer quantities accept scalars (-> float) or
// arrays (-> float64 array, GIL released); fits take optional weights (pattern counts).
#include "bind_util_b.hpp"

#include "patron/clv.hpp"

namespace patron::python {
namespace {

clv_fit_options make_fit_options(double l2_penalty, bool standard_errors, int max_iterations,
                                 double gradient_tolerance, int memory, int newton_steps) {
  clv_fit_options o;
  o.l2_penalty = l2_penalty;
  o.standard_errors = standard_errors;
  o.optimizer.max_iterations = max_iterations;
  o.optimizer.gradient_tolerance = gradient_tolerance;
  o.optimizer.memory = memory;
  o.optimizer.newton_steps = newton_steps;
  return o;
}

// Defines a fit whose callable ends with the six clv_fit_options fields, as keyword-only
// arguments with the C++ defaults.
template <class F, class... Leading>
void def_fit(py::module_& m, const char* name, F&& f, const char* doc, Leading&&... leading) {
  const clv_fit_options d{};
  m.def(name, std::forward<F>(f), std::forward<Leading>(leading)..., py::kw_only(),
        py::arg("l2_penalty") = d.l2_penalty, py::arg("standard_errors") = d.standard_errors,
        py::arg("max_iterations") = d.optimizer.max_iterations,
        py::arg("gradient_tolerance") = d.optimizer.gradient_tolerance,
        py::arg("memory") = d.optimizer.memory, py::arg("newton_steps") = d.optimizer.newton_steps, doc);
}

py::tuple report_state(const clv_fit_report& r) {
  return py::make_tuple(r.log_likelihood, r.l2_penalty, r.total_weight, r.patterns, r.converged, r.iterations,
                        r.gradient_norm, r.message, r.parameter_names,
                        r.covariance ? py::cast(*r.covariance) : py::none(), r.boundary_parameters);
}

clv_fit_report report_from_state(const py::tuple& t) {
  if (t.size() != 11) throw py::value_error("invalid ClvFitReport pickle state");
  clv_fit_report r;
  r.log_likelihood = t[0].cast<double>();
  r.l2_penalty = t[1].cast<double>();
  r.total_weight = t[2].cast<double>();
  r.patterns = t[3].cast<std::size_t>();
  r.converged = t[4].cast<bool>();
  r.iterations = t[5].cast<int>();
  r.gradient_norm = t[6].cast<double>();
  r.message = t[7].cast<std::string>();
  r.parameter_names = t[8].cast<std::vector<std::string>>();
  if (!t[9].is_none()) r.covariance = t[9].cast<Eigen::MatrixXd>();
  r.boundary_parameters = t[10].cast<std::vector<std::string>>();
  return r;
}

void bind_report(py::module_& m) {
  py::class_<clv_fit_report>(m, "ClvFitReport", "What a CLV fit did: likelihood, convergence, covariance.")
      .def(py::init<>())
      .def_readonly("log_likelihood", &clv_fit_report::log_likelihood)
      .def_readonly("l2_penalty", &clv_fit_report::l2_penalty)
      .def_readonly("total_weight", &clv_fit_report::total_weight)
      .def_readonly("patterns", &clv_fit_report::patterns)
      .def_readonly("converged", &clv_fit_report::converged)
      .def_readonly("iterations", &clv_fit_report::iterations)
      .def_readonly("gradient_norm", &clv_fit_report::gradient_norm)
      .def_readonly("message", &clv_fit_report::message)
      .def_readonly("parameter_names", &clv_fit_report::parameter_names)
      .def_readonly("boundary_parameters", &clv_fit_report::boundary_parameters,
                    "parameters whose maximum-likelihood value is infinite (every CLV fit checks; see docs/clv.md)")
      .def_readonly("covariance", &clv_fit_report::covariance,
                    "covariance of the parameters (order of parameter_names), or None")
      .def("standard_errors", &clv_fit_report::standard_errors, "square roots of the covariance diagonal, or None")
      .def(py::pickle(&report_state, &report_from_state));

  py::class_<btyd_patterns>(m, "BtydPatterns", "Customers compressed to distinct (x, t_x, T) with weights.")
      .def_readonly("x", &btyd_patterns::x)
      .def_readonly("t_x", &btyd_patterns::t_x)
      .def_readonly("T", &btyd_patterns::T)
      .def_readonly("weight", &btyd_patterns::weight)
      .def("__len__", &btyd_patterns::size)
      .def(py::pickle([](const btyd_patterns& p) { return py::make_tuple(p.x, p.t_x, p.T, p.weight); },
                      [](const py::tuple& t) {
                        if (t.size() != 4) throw py::value_error("invalid BtydPatterns pickle state");
                        return btyd_patterns{t[0].cast<Eigen::VectorXd>(), t[1].cast<Eigen::VectorXd>(),
                                             t[2].cast<Eigen::VectorXd>(), t[3].cast<Eigen::VectorXd>()};
                      }));
  m.def(
      "compress_btyd",
      [](const py::object& x, const py::object& t_x, const py::object& T) {
        const vector_arg vx(x, "x"), vt(t_x, "t_x"), vT(T, "T");
        py::gil_scoped_release release;
        return compress_btyd(vx.map(), vt.map(), vT.map());
      },
      py::arg("x"), py::arg("t_x"), py::arg("T"),
      "Compress customers' (x, t_x, T) to distinct patterns with counts (fitting them with weights equals "
      "the fit on the rows).");

  py::class_<btyd_pattern_accumulator>(
      m, "BtydPatternAccumulator",
      "Mergeable (x, t_x, T) pattern counts: add customers shard by shard, merge, fit on patterns(); "
      "picklable for Dask.")
      .def(py::init<>())
      .def(py::init<const btyd_patterns&>(), py::arg("patterns"))
      .def(
          "add",
          [](btyd_pattern_accumulator& self, const py::object& x, const py::object& t_x, const py::object& T,
             const py::object& weights) {
            const vector_arg vx(x, "x"), vt(t_x, "t_x"), vT(T, "T");
            if (weights.is_none()) {
              py::gil_scoped_release release;
              self.add(vx.map(), vt.map(), vT.map());
            } else {
              const vector_arg vw(weights, "weights");
              py::gil_scoped_release release;
              self.add(vx.map(), vt.map(), vT.map(), vw.map());
            }
          },
          py::arg("x"), py::arg("t_x"), py::arg("T"), py::arg("weights") = py::none(),
          "Add customers (or rows standing for `weights` customers); all rows are checked before any is added.")
      .def("merge", &btyd_pattern_accumulator::merge, py::arg("other"), py::return_value_policy::reference_internal,
           "Add another accumulator's patterns; the result does not depend on the merge order.")
      .def("patterns", &btyd_pattern_accumulator::patterns, "The distinct patterns, sorted by x, T, t_x, with weights.")
      .def("__len__", &btyd_pattern_accumulator::size)
      .def_property_readonly("rows", &btyd_pattern_accumulator::rows, "rows received (not restored by pickling)")
      .def(py::pickle([](const btyd_pattern_accumulator& a) { return a.patterns(); },
                      [](const btyd_patterns& p) { return btyd_pattern_accumulator(p); }));
}

// Pickling of a model: its parameters and fit report.
template <class Model>
auto model_pickle() {
  using P = std::decay_t<decltype(std::declval<Model>().parameters())>;
  return py::pickle([](const Model& m) { return py::make_tuple(m.parameters(), report_state(m.report())); },
                    [](const py::tuple& t) {
                      if (t.size() != 2) throw py::value_error("invalid model pickle state");
                      return Model(t[0].cast<P>(), report_from_state(t[1].cast<py::tuple>()));
                    });
}

// Validation of BTYD rows in the vector forms (names the first bad row).
auto btyd_validator(const char* function) {
  return [function](const vector_map& x, const vector_map& t_x, const vector_map& T) {
    detail::validate_btyd(function, x, t_x, T);
  };
}

// C++ function names used in the messages of the vector forms.
struct method_names {
  const char* log_likelihood;
  const char* probability_alive;
  const char* conditional_expected_purchases;
};

// The per-customer members shared by BG/NBD and Pareto/NBD.
template <class Model, class Class>
void def_btyd_methods(Class& c, method_names names) {
  c.def_property_readonly("parameters", &Model::parameters, "the model's parameters")
      .def_property_readonly("report", &Model::report, "the fit report (default for a model built from parameters)")
      .def(
          "log_likelihood",
          [names](const Model& m, const py::object& x, const py::object& t_x, const py::object& T) {
            return map_rows<3>({"x", "t_x", "T"}, {x, t_x, T}, btyd_validator(names.log_likelihood),
                               [&m](double a, double b, double c) { return m.log_likelihood(a, b, c); });
          },
          py::arg("x"), py::arg("t_x"), py::arg("T"), "Log-likelihood of each customer.")
      .def(
          "expected_purchases",
          [](const Model& m, const py::object& t) {
            return map_rows<1>({"t"}, {t}, [](const vector_map&) {}, [&m](double v) { return m.expected_purchases(v); });
          },
          py::arg("t"), "E[X(t)]: expected repeat purchases of a new customer in (0, t].")
      .def(
          "probability_alive",
          [names](const Model& m, const py::object& x, const py::object& t_x, const py::object& T) {
            return map_rows<3>({"x", "t_x", "T"}, {x, t_x, T}, btyd_validator(names.probability_alive),
                               [&m](double a, double b, double c) { return m.probability_alive(a, b, c); });
          },
          py::arg("x"), py::arg("t_x"), py::arg("T"), "P(alive at T | x, t_x, T).")
      .def(
          "probability_alive_after",
          [names](const Model& m, double t, const py::object& x, const py::object& t_x, const py::object& T) {
            return map_rows<3>(
                {"x", "t_x", "T"}, {x, t_x, T}, btyd_validator(names.probability_alive),
                [&m, t](double a, double b, double c) { return m.probability_alive_after(t, a, b, c); });
          },
          py::arg("t"), py::arg("x"), py::arg("t_x"), py::arg("T"),
          "P(alive at T + t | x, t_x, T and no purchase in (T, T + t]).")
      .def(
          "conditional_expected_purchases",
          [names](const Model& m, double t, const py::object& x, const py::object& t_x, const py::object& T) {
            return map_rows<3>(
                {"x", "t_x", "T"}, {x, t_x, T}, btyd_validator(names.conditional_expected_purchases),
                [&m, t](double a, double b, double c) { return m.conditional_expected_purchases(t, a, b, c); });
          },
          py::arg("t"), py::arg("x"), py::arg("t_x"), py::arg("T"),
          "E[Y(t) | x, t_x, T]: expected purchases in (T, T + t].")
      .def(
          "probability_of_purchases",
          [](const Model& m, double t, const py::object& x) {
            return map_rows<1>({"x"}, {x}, [](const vector_map&) {},
                               [&m, t](double v) { return m.probability_of_purchases(t, v); });
          },
          py::arg("t"), py::arg("x"), "P(X(t) = x) for a new customer.")
      .def(
          "expected_cumulative_repeat_purchases",
          [](const Model& m, const py::object& first_purchase, const py::object& at) {
            const vector_arg f(first_purchase, "first_purchase"), a(at, "at");
            py::gil_scoped_release release;
            return Eigen::VectorXd(m.expected_cumulative_repeat_purchases(f.map(), a.map()));
          },
          py::arg("first_purchase"), py::arg("at"),
          "Expected cumulative repeat purchases of a cohort at each time in `at` (tracking curve).")
      .def(model_pickle<Model>());
}

// Weighted or unweighted BTYD fit with the options from keywords.
template <class Model, class Fit>
Model fit_btyd(Fit&& fit, const py::object& x, const py::object& t_x, const py::object& T, const py::object& weights,
               const clv_fit_options& options) {
  const vector_arg vx(x, "x"), vt(t_x, "t_x"), vT(T, "T");
  const auto w = optional_vector(weights, "weights");
  py::gil_scoped_release release;
  return w ? fit(vx.map(), vt.map(), vT.map(), w->map(), options) : fit(vx.map(), vt.map(), vT.map(), options);
}

void bind_bgnbd(py::module_& m) {
  const bgnbd_parameters d{};
  py::class_<bgnbd_parameters>(m, "BgnbdParameters", "BG/NBD parameters: lambda ~ Gamma(r, alpha), p ~ Beta(a, b).")
      .def(py::init([](double r, double alpha, double a, double b) { return bgnbd_parameters{r, alpha, a, b}; }),
           py::arg("r") = d.r, py::arg("alpha") = d.alpha, py::arg("a") = d.a, py::arg("b") = d.b)
      .def_readwrite("r", &bgnbd_parameters::r)
      .def_readwrite("alpha", &bgnbd_parameters::alpha)
      .def_readwrite("a", &bgnbd_parameters::a)
      .def_readwrite("b", &bgnbd_parameters::b)
      .def("__repr__", [](const bgnbd_parameters& p) {
        return py::str("BgnbdParameters(r={}, alpha={}, a={}, b={})").format(p.r, p.alpha, p.a, p.b);
      })
      .def(py::pickle([](const bgnbd_parameters& p) { return py::make_tuple(p.r, p.alpha, p.a, p.b); },
                      [](const py::tuple& t) {
                        return bgnbd_parameters{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>(),
                                                t[3].cast<double>()};
                      }));
  py::class_<bgnbd_model> c(m, "BgnbdModel", "BG/NBD model (Fader, Hardie & Lee 2005): fitted or from parameters.");
  c.def(py::init<const bgnbd_parameters&>(), py::arg("parameters"));
  def_btyd_methods<bgnbd_model>(c, {"bgnbd_model::log_likelihood", "bgnbd_model::probability_alive",
                                    "bgnbd_model::conditional_expected_purchases"});
  def_fit(
      m, "fit_bgnbd",
      [](const py::object& x, const py::object& t_x, const py::object& T, const py::object& weights, double l2,
         bool se, int iterations, double tolerance, int memory, int newton) {
        return fit_btyd<bgnbd_model>(
            [](auto&&... a) { return fit_bgnbd(a...); }, x, t_x, T, weights,
            make_fit_options(l2, se, iterations, tolerance, memory, newton));
      },
      "Maximum-likelihood BG/NBD fit on one row per customer (x, t_x, T); weights = customers per row.",
      py::arg("x"), py::arg("t_x"), py::arg("T"), py::arg("weights") = py::none());
}

void bind_pareto_nbd(py::module_& m) {
  const pareto_nbd_parameters d{};
  py::class_<pareto_nbd_parameters>(m, "ParetoNbdParameters",
                                    "Pareto/NBD parameters: lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta).")
      .def(py::init([](double r, double alpha, double s, double beta) {
             return pareto_nbd_parameters{r, alpha, s, beta};
           }),
           py::arg("r") = d.r, py::arg("alpha") = d.alpha, py::arg("s") = d.s, py::arg("beta") = d.beta)
      .def_readwrite("r", &pareto_nbd_parameters::r)
      .def_readwrite("alpha", &pareto_nbd_parameters::alpha)
      .def_readwrite("s", &pareto_nbd_parameters::s)
      .def_readwrite("beta", &pareto_nbd_parameters::beta)
      .def("__repr__", [](const pareto_nbd_parameters& p) {
        return py::str("ParetoNbdParameters(r={}, alpha={}, s={}, beta={})").format(p.r, p.alpha, p.s, p.beta);
      })
      .def(py::pickle([](const pareto_nbd_parameters& p) { return py::make_tuple(p.r, p.alpha, p.s, p.beta); },
                      [](const py::tuple& t) {
                        return pareto_nbd_parameters{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>(),
                                                     t[3].cast<double>()};
                      }));
  py::class_<pareto_nbd_model> c(m, "ParetoNbdModel", "Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).");
  c.def(py::init<const pareto_nbd_parameters&>(), py::arg("parameters"));
  def_btyd_methods<pareto_nbd_model>(c, {"pareto_nbd_model::log_likelihood", "pareto_nbd_model::probability_alive",
                                         "pareto_nbd_model::conditional_expected_purchases"});
  c.def(
      "discounted_expected_residual_transactions",
      [](const pareto_nbd_model& model, double delta, const py::object& x, const py::object& t_x, const py::object& T) {
        return map_rows<3>({"x", "t_x", "T"}, {x, t_x, T},
                           btyd_validator("pareto_nbd_model::discounted_expected_residual_transactions"),
                           [&model, delta](double a, double b, double c) {
                             return model.discounted_expected_residual_transactions(delta, a, b, c);
                           });
      },
      py::arg("delta"), py::arg("x"), py::arg("t_x"), py::arg("T"),
      "DERT at continuous discount rate delta per time unit (Fader, Hardie & Lee 2005, JMR).");
  def_fit(
      m, "fit_pareto_nbd",
      [](const py::object& x, const py::object& t_x, const py::object& T, const py::object& weights, double l2,
         bool se, int iterations, double tolerance, int memory, int newton) {
        return fit_btyd<pareto_nbd_model>(
            [](auto&&... a) { return fit_pareto_nbd(a...); }, x, t_x, T, weights,
            make_fit_options(l2, se, iterations, tolerance, memory, newton));
      },
      "Maximum-likelihood Pareto/NBD fit on (x, t_x, T) per customer; weights = customers per row.",
      py::arg("x"), py::arg("t_x"), py::arg("T"), py::arg("weights") = py::none());
}

void bind_gamma_gamma(py::module_& m) {
  const gamma_gamma_parameters d{};
  py::class_<gamma_gamma_parameters>(m, "GammaGammaParameters",
                                     "Gamma-Gamma spend parameters: shape p, rate shape q, rate scale gamma.")
      .def(py::init([](double p, double q, double gamma) { return gamma_gamma_parameters{p, q, gamma}; }),
           py::arg("p") = d.p, py::arg("q") = d.q, py::arg("gamma") = d.gamma)
      .def_readwrite("p", &gamma_gamma_parameters::p)
      .def_readwrite("q", &gamma_gamma_parameters::q)
      .def_readwrite("gamma", &gamma_gamma_parameters::gamma)
      .def("__repr__", [](const gamma_gamma_parameters& p) {
        return py::str("GammaGammaParameters(p={}, q={}, gamma={})").format(p.p, p.q, p.gamma);
      })
      .def(py::pickle([](const gamma_gamma_parameters& p) { return py::make_tuple(p.p, p.q, p.gamma); },
                      [](const py::tuple& t) {
                        return gamma_gamma_parameters{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>()};
                      }));
  py::class_<gamma_gamma_model>(m, "GammaGammaModel", "Gamma-Gamma model of spend per transaction.")
      .def(py::init<const gamma_gamma_parameters&>(), py::arg("parameters"))
      .def_property_readonly("parameters", &gamma_gamma_model::parameters, "the model's parameters")
      .def_property_readonly("report", &gamma_gamma_model::report, "the fit report")
      .def("mean_spend_is_finite", &gamma_gamma_model::mean_spend_is_finite, "True when q > 1.")
      .def("population_mean_spend", &gamma_gamma_model::population_mean_spend,
           "p gamma / (q - 1); NumericalError when q <= 1.")
      .def(
          "conditional_expected_spend",
          [](const gamma_gamma_model& model, const py::object& x, const py::object& zbar) {
            return map_rows<2>(
                {"x", "zbar"}, {x, zbar},
                [](const vector_map& vx, const vector_map& vz) {
                  const char* f = "gamma_gamma_model::conditional_expected_spend";
                  detail::require_same_length(f, "x", static_cast<std::size_t>(vx.size()), "zbar",
                                              static_cast<std::size_t>(vz.size()));
                  for (Eigen::Index i = 0; i < vx.size(); ++i)
                    gamma_gamma_model::validate_row(f, static_cast<std::size_t>(i), vx(i), vz(i));
                },
                [&model](double a, double b) { return model.conditional_expected_spend(a, b); });
          },
          py::arg("x"), py::arg("zbar"), "E[M | x, zbar]: expected spend per transaction of each customer.")
      .def(model_pickle<gamma_gamma_model>());
  def_fit(
      m, "fit_gamma_gamma",
      [](const py::object& x, const py::object& zbar, const py::object& weights, double l2, bool se, int iterations,
         double tolerance, int memory, int newton) {
        const vector_arg vx(x, "x"), vz(zbar, "zbar");
        const auto w = optional_vector(weights, "weights");
        const auto options = make_fit_options(l2, se, iterations, tolerance, memory, newton);
        py::gil_scoped_release release;
        return w ? fit_gamma_gamma(vx.map(), vz.map(), w->map(), options) : fit_gamma_gamma(vx.map(), vz.map(), options);
      },
      "Gamma-Gamma fit on repeat customers (x = 0 rows skipped); zbar = mean repeat spend; weights optional.",
      py::arg("x"), py::arg("zbar"), py::arg("weights") = py::none());
}

void bind_bgbb(py::module_& m) {
  const bgbb_parameters d{};
  py::class_<bgbb_parameters>(m, "BgbbParameters", "BG/BB parameters: p ~ Beta(alpha, beta), theta ~ Beta(gamma, delta).")
      .def(py::init([](double alpha, double beta, double gamma, double delta) {
             return bgbb_parameters{alpha, beta, gamma, delta};
           }),
           py::arg("alpha") = d.alpha, py::arg("beta") = d.beta, py::arg("gamma") = d.gamma, py::arg("delta") = d.delta)
      .def_readwrite("alpha", &bgbb_parameters::alpha)
      .def_readwrite("beta", &bgbb_parameters::beta)
      .def_readwrite("gamma", &bgbb_parameters::gamma)
      .def_readwrite("delta", &bgbb_parameters::delta)
      .def("__repr__", [](const bgbb_parameters& p) {
        return py::str("BgbbParameters(alpha={}, beta={}, gamma={}, delta={})").format(p.alpha, p.beta, p.gamma, p.delta);
      })
      .def(py::pickle([](const bgbb_parameters& p) { return py::make_tuple(p.alpha, p.beta, p.gamma, p.delta); },
                      [](const py::tuple& t) {
                        return bgbb_parameters{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>(),
                                               t[3].cast<double>()};
                      }));
  auto validator = [](const char* f) {
    return [f](const vector_map& x, const vector_map& t_x, const vector_map& n) {
      detail::require_same_length(f, "x", static_cast<std::size_t>(x.size()), "t_x", static_cast<std::size_t>(t_x.size()));
      detail::require_same_length(f, "x", static_cast<std::size_t>(x.size()), "n", static_cast<std::size_t>(n.size()));
      for (Eigen::Index i = 0; i < x.size(); ++i) detail::validate_bgbb_row(f, static_cast<std::size_t>(i), x(i), t_x(i), n(i));
    };
  };
  py::class_<bgbb_model>(m, "BgbbModel", "BG/BB model (Fader, Hardie & Shang 2010) of discrete opportunities.")
      .def(py::init<const bgbb_parameters&>(), py::arg("parameters"))
      .def_property_readonly("parameters", &bgbb_model::parameters, "the model's parameters")
      .def_property_readonly("report", &bgbb_model::report, "the fit report")
      .def(
          "log_likelihood",
          [validator](const bgbb_model& model, const py::object& x, const py::object& t_x, const py::object& n) {
            return map_rows<3>({"x", "t_x", "n"}, {x, t_x, n}, validator("bgbb_model::log_likelihood"),
                               [&model](double a, double b, double c) { return model.log_likelihood(a, b, c); });
          },
          py::arg("x"), py::arg("t_x"), py::arg("n"), "Log-likelihood of each (x, t_x, n) row.")
      .def(
          "probability_alive",
          [validator](const bgbb_model& model, const py::object& x, const py::object& t_x, const py::object& n) {
            return map_rows<3>({"x", "t_x", "n"}, {x, t_x, n}, validator("bgbb_model::probability_alive"),
                               [&model](double a, double b, double c) { return model.probability_alive(a, b, c); });
          },
          py::arg("x"), py::arg("t_x"), py::arg("n"), "P(alive at opportunity n + 1 | x, t_x, n).")
      .def(
          "probability_of_transactions",
          [](const bgbb_model& model, const py::object& n, const py::object& x) {
            return py::vectorize([&model](double n_, double x_) { return model.probability_of_transactions(n_, x_); })(
                n, x);
          },
          py::arg("n"), py::arg("x"), "P(X(n) = x): a new customer's transactions in the first n opportunities.")
      .def(
          "expected_transactions",
          [](const bgbb_model& model, const py::object& n) {
            return py::vectorize([&model](double n_) { return model.expected_transactions(n_); })(n);
          },
          py::arg("n"), "E[X(n)]: a new customer's expected transactions in the first n opportunities.")
      .def(
          "conditional_expected_transactions",
          [validator](const bgbb_model& model, double n_star, const py::object& x, const py::object& t_x,
                      const py::object& n) {
            return map_rows<3>({"x", "t_x", "n"}, {x, t_x, n}, validator("bgbb_model::conditional_expected_transactions"),
                               [&model, n_star](double a, double b, double c) {
                                 return model.conditional_expected_transactions(n_star, a, b, c);
                               });
          },
          py::arg("n_star"), py::arg("x"), py::arg("t_x"), py::arg("n"),
          "E[X(n, n + n_star) | x, t_x, n]: expected transactions in the next n_star opportunities.")
      .def(
          "discounted_expected_residual_transactions",
          [validator](const bgbb_model& model, double discount, const py::object& x, const py::object& t_x,
                      const py::object& n) {
            return map_rows<3>({"x", "t_x", "n"}, {x, t_x, n},
                               validator("bgbb_model::discounted_expected_residual_transactions"),
                               [&model, discount](double a, double b, double c) {
                                 return model.discounted_expected_residual_transactions(discount, a, b, c);
                               });
          },
          py::arg("discount"), py::arg("x"), py::arg("t_x"), py::arg("n"),
          "DERT at discount rate `discount` per opportunity.")
      .def(model_pickle<bgbb_model>());
  def_fit(
      m, "fit_bgbb",
      [](const py::object& x, const py::object& t_x, const py::object& n, const py::object& weights, double l2, bool se,
         int iterations, double tolerance, int memory, int newton) {
        const vector_arg vx(x, "x"), vt(t_x, "t_x"), vn(n, "n");
        const auto w = optional_vector(weights, "weights");
        const auto options = make_fit_options(l2, se, iterations, tolerance, memory, newton);
        py::gil_scoped_release release;
        if (w) return fit_bgbb(vx.map(), vt.map(), vn.map(), w->map(), options);
        return fit_bgbb(vx.map(), vt.map(), vn.map(), Eigen::VectorXd::Ones(vx.map().size()), options);
      },
      "BG/BB fit on (x, t_x, n) rows with weights (customers per row; default 1 each).", py::arg("x"),
      py::arg("t_x"), py::arg("n"), py::arg("weights") = py::none());
}

template <class Model>
void def_model_clv(py::module_& m) {
  const model_clv_options d{};
  m.def(
      "customer_lifetime_value",
      [](const Model& transactions, const gamma_gamma_model& spend, const py::object& x, const py::object& t_x,
         const py::object& T, const py::object& zbar, int periods, double period_length, double discount_rate,
         double margin, clv_discounting discounting, bool infinite_horizon) {
        const vector_arg vx(x, "x"), vt(t_x, "t_x"), vT(T, "T"), vz(zbar, "zbar");
        const model_clv_options o{periods, period_length, discount_rate, margin, discounting, infinite_horizon};
        py::gil_scoped_release release;
        return Eigen::VectorXd(customer_lifetime_value(transactions, spend, vx.map(), vt.map(), vT.map(), vz.map(), o));
      },
      py::arg("transactions"), py::arg("spend"), py::arg("x"), py::arg("t_x"), py::arg("T"), py::arg("zbar"),
      py::kw_only(), py::arg("periods") = d.periods, py::arg("period_length") = d.period_length,
      py::arg("discount_rate") = d.discount_rate, py::arg("margin") = d.margin,
      py::arg("discounting") = d.discounting, py::arg("infinite_horizon") = d.infinite_horizon,
      "Per-customer CLV = margin * E[spend | Gamma-Gamma] * discounted expected purchases (BG/NBD or Pareto/NBD).");
  m.def(
      "discounted_expected_purchases",
      [](const Model& transactions, const py::object& x, const py::object& t_x, const py::object& T, int periods,
         double period_length, double discount_rate, double margin, clv_discounting discounting,
         bool infinite_horizon) {
        const vector_arg vx(x, "x"), vt(t_x, "t_x"), vT(T, "T");
        const model_clv_options o{periods, period_length, discount_rate, margin, discounting, infinite_horizon};
        py::gil_scoped_release release;
        return Eigen::VectorXd(discounted_expected_purchases(transactions, vx.map(), vt.map(), vT.map(), o));
      },
      py::arg("transactions"), py::arg("x"), py::arg("t_x"), py::arg("T"), py::kw_only(),
      py::arg("periods") = d.periods, py::arg("period_length") = d.period_length,
      py::arg("discount_rate") = d.discount_rate, py::arg("margin") = d.margin,
      py::arg("discounting") = d.discounting, py::arg("infinite_horizon") = d.infinite_horizon,
      "Discounted expected purchases per customer over the options' horizon (margin is not applied).");
}

void bind_formulas(py::module_& m) {
  py::enum_<margin_timing>(m, "MarginTiming", "When the margin of a period is received.")
      .value("end_of_period", margin_timing::end_of_period)
      .value("start_of_period", margin_timing::start_of_period)
      .export_values();
  py::enum_<clv_discounting>(m, "ClvDiscounting", "Discounting of expected purchases in model CLV.")
      .value("discrete_periods", clv_discounting::discrete_periods)
      .value("continuous", clv_discounting::continuous)
      .export_values();
  const retention_clv_options d{};
  m.def(
      "retention_clv",
      [](double margin, double retention, double discount, std::optional<int> horizon, margin_timing timing,
         double acquisition_cost) {
        return retention_clv(margin, retention, discount, retention_clv_options{horizon, timing, acquisition_cost});
      },
      py::arg("margin"), py::arg("retention"), py::arg("discount"), py::kw_only(), py::arg("horizon") = py::none(),
      py::arg("timing") = d.timing, py::arg("acquisition_cost") = d.acquisition_cost,
      "CLV of one customer with constant retention (infinite horizon when horizon is None).");
  m.def(
      "survival_clv",
      [](double margin, const py::object& survival, double discount, margin_timing timing) {
        const vector_arg s(survival, "survival");
        return survival_clv(margin, s.map(), discount, timing);
      },
      py::arg("margin"), py::arg("survival"), py::arg("discount"), py::arg("timing") = margin_timing::end_of_period,
      "CLV from a survival curve: survival[k] = P(active when the margin of period k + 1 is earned).");
  m.def("customer_equity", &customer_equity, py::arg("customers"), py::arg("clv_per_customer"),
        py::arg("acquisition_cost") = 0.0, "Customer equity: customers * (CLV per customer - acquisition cost).");
  def_model_clv<bgnbd_model>(m);
  def_model_clv<pareto_nbd_model>(m);
}

}  // namespace

void bind_clv(py::module_& parent) {
  auto m = parent.def_submodule("clv", "Customer lifetime value: BG/NBD, Pareto/NBD, Gamma-Gamma, BG/BB, CLV formulas.");
  bind_report(m);
  bind_bgnbd(m);
  bind_pareto_nbd(m);
  bind_gamma_gamma(m);
  bind_bgbb(m);
  bind_formulas(m);
}

}  // namespace patron::python
