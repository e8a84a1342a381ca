// patron.abtest, first half (include/patron/abtest.hpp): shared enums and result types,
// proportions (z-test and its batch form, contingency tests, Fisher, intervals), the
// mergeable moment accumulators (picklable), SRM and CUPED. The rest is in
// bind_abtest_tests.cpp.
#include "bind_util_b.hpp"

#include "patron/abtest.hpp"

namespace patron::python {
namespace {

using count_map = Eigen::Map<const count_vector>;

count_map map_counts(const contiguous_array<std::int64_t>& a) { return {a.data(), static_cast<Eigen::Index>(a.size())}; }

void bind_common(py::module_& m) {
  py::enum_<alternative>(m, "Alternative", "Alternative hypothesis; greater means B is larger than A.")
      .value("two_sided", alternative::two_sided)
      .value("greater", alternative::greater)
      .value("less", alternative::less)
      .export_values();
  py::enum_<continuity_correction>(m, "ContinuityCorrection", "Continuity correction (Yates, Mann-Whitney 1/2).")
      .value("off", continuity_correction::off)
      .value("on", continuity_correction::on)
      .export_values();
  py::enum_<variance_estimate>(m, "VarianceEstimate", "Variance of the two-proportion z-test.")
      .value("pooled", variance_estimate::pooled)
      .value("unpooled", variance_estimate::unpooled)
      .export_values();
  py::enum_<proportion_interval_method>(m, "ProportionIntervalMethod", "Interval method for one proportion.")
      .value("wald", proportion_interval_method::wald)
      .value("wilson", proportion_interval_method::wilson)
      .value("agresti_coull", proportion_interval_method::agresti_coull)
      .value("clopper_pearson", proportion_interval_method::clopper_pearson)
      .value("jeffreys", proportion_interval_method::jeffreys)
      .export_values();
  // Not exported: its `wald` would shadow ProportionIntervalMethod.wald in the module.
  py::enum_<difference_interval_method>(m, "DifferenceIntervalMethod",
                                        "Interval method for p_B - p_A (values not exported: use the class).")
      .value("newcombe", difference_interval_method::newcombe)
      .value("wald", difference_interval_method::wald);
  py::enum_<ratio_interval_method>(m, "RatioIntervalMethod", "Interval method for the relative lift.")
      .value("log", ratio_interval_method::log)
      .value("log_adjusted", ratio_interval_method::log_adjusted)
      .export_values();
  py::enum_<variance_assumption>(m, "VarianceAssumption", "Welch (unequal) or Student (equal) t-test.")
      .value("unequal", variance_assumption::unequal)
      .value("equal", variance_assumption::equal)
      .export_values();
  py::enum_<mann_whitney_method>(m, "MannWhitneyMethod", "Null distribution of the Mann-Whitney U.")
      .value("automatic", mann_whitney_method::automatic)
      .value("exact", mann_whitney_method::exact)
      .value("asymptotic", mann_whitney_method::asymptotic)
      .export_values();
  py::enum_<correction_method>(m, "CorrectionMethod", "Multiple-comparison correction.")
      .value("bonferroni", correction_method::bonferroni)
      .value("sidak", correction_method::sidak)
      .value("holm", correction_method::holm)
      .value("hochberg", correction_method::hochberg)
      .value("benjamini_hochberg", correction_method::benjamini_hochberg)
      .value("benjamini_yekutieli", correction_method::benjamini_yekutieli)
      .export_values();
  py::enum_<spending_function>(m, "SpendingFunction", "Lan-DeMets alpha-spending function.")
      .value("obrien_fleming", spending_function::obrien_fleming)
      .value("pocock", spending_function::pocock)
      .export_values();
  py::enum_<sequential_decision>(m, "SequentialDecision", "Decision of Evan Miller's simple sequential test.")
      .value("keep_going", sequential_decision::keep_going)
      .value("b_wins", sequential_decision::b_wins)
      .value("no_winner", sequential_decision::no_winner)
      .export_values();

  py::class_<confidence_interval>(m, "ConfidenceInterval", "An interval [lower, upper]; unpacks as a tuple.")
      .def(py::init([](double lower, double upper) { return confidence_interval{lower, upper}; }), py::arg("lower"),
           py::arg("upper"))
      .def_readonly("lower", &confidence_interval::lower)
      .def_readonly("upper", &confidence_interval::upper)
      .def("__iter__", [](const confidence_interval& c) { return py::iter(py::make_tuple(c.lower, c.upper)); })
      .def("__repr__", [](const confidence_interval& c) {
        return py::str("ConfidenceInterval(lower={}, upper={})").format(c.lower, c.upper);
      })
      .def(py::pickle([](const confidence_interval& c) { return py::make_tuple(c.lower, c.upper); },
                      [](const py::tuple& t) { return confidence_interval{t[0].cast<double>(), t[1].cast<double>()}; }));
  py::class_<sample_summary>(m, "SampleSummary", "n, mean and unbiased variance of one group.")
      .def(py::init([](double count, double mean, double variance) { return sample_summary{count, mean, variance}; }),
           py::arg("count"), py::arg("mean"), py::arg("variance"))
      .def_readwrite("count", &sample_summary::count)
      .def_readwrite("mean", &sample_summary::mean)
      .def_readwrite("variance", &sample_summary::variance)
      .def("__repr__", [](const sample_summary& s) {
        return py::str("SampleSummary(count={}, mean={}, variance={})").format(s.count, s.mean, s.variance);
      })
      .def(py::pickle([](const sample_summary& s) { return py::make_tuple(s.count, s.mean, s.variance); },
                      [](const py::tuple& t) {
                        return sample_summary{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>()};
                      }));
}

void bind_proportions(py::module_& m) {
  py::class_<two_proportion_result>(m, "TwoProportionResult", "Result of the two-proportion z-test.")
      .def_readonly("statistic", &two_proportion_result::statistic)
      .def_readonly("p_value", &two_proportion_result::p_value)
      .def_readonly("proportion_a", &two_proportion_result::proportion_a)
      .def_readonly("proportion_b", &two_proportion_result::proportion_b)
      .def_readonly("difference", &two_proportion_result::difference)
      .def_readonly("relative_lift", &two_proportion_result::relative_lift)
      .def_readonly("standard_error", &two_proportion_result::standard_error);
  const two_proportion_options zd{};
  m.def(
      "two_proportion_z_test",
      [](std::int64_t sa, std::int64_t ta, std::int64_t sb, std::int64_t tb, alternative alt, variance_estimate v) {
        return two_proportion_z_test(sa, ta, sb, tb, two_proportion_options{alt, v});
      },
      py::arg("successes_a"), py::arg("trials_a"), py::arg("successes_b"), py::arg("trials_b"), py::kw_only(),
      py::arg("alt") = zd.alt, py::arg("variance") = zd.variance,
      "Two-proportion z-test of H0: p_A = p_B (statsmodels proportions_ztest / test_proportions_2indep wald).");
  m.def(
      "two_proportion_z_test_batch",
      [](const py::object& sa, const py::object& ta, const py::object& sb, const py::object& tb, alternative alt,
         variance_estimate v, unsigned threads) {
        const auto a1 = as_counts(sa, "successes_a"), a2 = as_counts(ta, "trials_a"), b1 = as_counts(sb, "successes_b"),
                   b2 = as_counts(tb, "trials_b");
        py::array_t<double> statistic(a1.size()), p_value(a1.size());
        Eigen::Map<Eigen::VectorXd> s(statistic.mutable_data(), a1.size()), p(p_value.mutable_data(), a1.size());
        {
          py::gil_scoped_release release;
          two_proportion_z_test_batch(map_counts(a1), map_counts(a2), map_counts(b1), map_counts(b2), s, p,
                                      two_proportion_options{alt, v}, batch_options{threads});
        }
        return py::make_tuple(statistic, p_value);
      },
      py::arg("successes_a"), py::arg("trials_a"), py::arg("successes_b"), py::arg("trials_b"), py::kw_only(),
      py::arg("alt") = zd.alt, py::arg("variance") = zd.variance, py::arg("threads") = batch_options{}.threads,
      "The z-test over many experiments (row i of each integer array): returns (statistic, p_value) arrays; "
      "threads split the rows (0 = every hardware thread; results identical for any count).");

  py::class_<contingency_result>(m, "ContingencyResult", "Result of a chi-square or G test of independence.")
      .def_readonly("statistic", &contingency_result::statistic)
      .def_readonly("p_value", &contingency_result::p_value)
      .def_readonly("degrees_of_freedom", &contingency_result::degrees_of_freedom)
      .def_readonly("expected", &contingency_result::expected);
  const contingency_options cd{};
  m.def(
      "chi_square_independence_test",
      [](const py::object& table, continuity_correction correction) {
        const matrix_arg t(table, "table");
        return chi_square_independence_test(t.map(), contingency_options{correction});
      },
      py::arg("table"), py::kw_only(), py::arg("correction") = cd.correction,
      "Pearson chi-square test of independence (scipy chi2_contingency); rows are groups.");
  m.def(
      "g_test_independence",
      [](const py::object& table, continuity_correction correction) {
        const matrix_arg t(table, "table");
        return g_test_independence(t.map(), contingency_options{correction});
      },
      py::arg("table"), py::kw_only(), py::arg("correction") = cd.correction,
      "G-test (likelihood ratio) of independence (scipy chi2_contingency lambda_='log-likelihood').");

  py::class_<fisher_result>(m, "FisherResult", "Result of Fisher's exact test.")
      .def_readonly("odds_ratio", &fisher_result::odds_ratio)
      .def_readonly("p_value", &fisher_result::p_value);
  m.def("fisher_exact_test", &fisher_exact_test, py::arg("a"), py::arg("b"), py::arg("c"), py::arg("d"),
        py::arg("alt") = alternative::two_sided, "Fisher's exact test of the 2x2 table [[a, b], [c, d]] (scipy fisher_exact).");
  m.def("proportion_interval", &proportion_interval, py::arg("successes"), py::arg("trials"),
        py::arg("confidence") = 0.95, py::arg("method") = proportion_interval_method::wilson,
        "Interval for one proportion (statsmodels proportion_confint).");
  m.def("difference_interval", &difference_interval, py::arg("successes_a"), py::arg("trials_a"),
        py::arg("successes_b"), py::arg("trials_b"), py::arg("confidence") = 0.95,
        py::arg("method") = difference_interval_method::newcombe,
        "Interval for p_B - p_A (statsmodels confint_proportions_2indep compare='diff').");
  m.def("relative_lift_interval", &relative_lift_interval, py::arg("successes_a"), py::arg("trials_a"),
        py::arg("successes_b"), py::arg("trials_b"), py::arg("confidence") = 0.95,
        py::arg("method") = ratio_interval_method::log,
        "Interval for p_B / p_A - 1 (statsmodels confint_proportions_2indep compare='ratio', minus 1).");
}

void bind_accumulators(py::module_& m) {
  py::class_<moment_accumulator>(m, "MomentAccumulator",
                                 "Mergeable count, mean and variance (Welford/Chan); picklable for Dask.")
      .def(py::init<>())
      .def(
          "add",
          [](moment_accumulator& self, const py::object& values) {
            const vector_arg v(values, "values");
            py::gil_scoped_release release;
            moment_accumulator next = self;  // all or nothing: a bad value leaves self unchanged
            for (const double value : v.map()) next.add(value);
            self = next;
          },
          py::arg("values"), "Add every value of a 1-D array (or a scalar in a list).")
      .def("merge", &moment_accumulator::merge, py::arg("other"), "Merge an accumulator built elsewhere.")
      .def_property_readonly("count", &moment_accumulator::count)
      .def_property_readonly("mean", &moment_accumulator::mean)
      .def_property_readonly("variance", &moment_accumulator::variance, "unbiased (ddof 1); 0 below two values")
      .def("summary", &moment_accumulator::summary, "SampleSummary(count, mean, variance) for t_test_from_summary.")
      .def(py::pickle([](const moment_accumulator& a) { return a.state(); },
                      [](const std::array<double, 3>& s) { return moment_accumulator::from_state(s); }));
  py::class_<covariance_accumulator>(m, "CovarianceAccumulator",
                                     "Mergeable moments of pairs (y, x) for CUPED; picklable for Dask.")
      .def(py::init<>())
      .def(
          "add",
          [](covariance_accumulator& self, const py::object& y, const py::object& x) {
            const vector_arg vy(y, "y"), vx(x, "x");
            py::gil_scoped_release release;
            detail::require_same_length("covariance_accumulator::add", "y", static_cast<std::size_t>(vy.map().size()),
                                        "x", static_cast<std::size_t>(vx.map().size()));
            covariance_accumulator next = self;
            for (Eigen::Index i = 0; i < vy.map().size(); ++i) next.add(vy.map()(i), vx.map()(i));
            self = next;
          },
          py::arg("y"), py::arg("x"), "Add pairs: the metric y and its pre-period covariate x.")
      .def("merge", &covariance_accumulator::merge, py::arg("other"), "Merge an accumulator built elsewhere.")
      .def_property_readonly("count", &covariance_accumulator::count)
      .def_property_readonly("mean_y", &covariance_accumulator::mean_y)
      .def_property_readonly("mean_x", &covariance_accumulator::mean_x)
      .def_property_readonly("variance_y", &covariance_accumulator::variance_y)
      .def_property_readonly("variance_x", &covariance_accumulator::variance_x)
      .def_property_readonly("covariance", &covariance_accumulator::covariance)
      .def("summary_y", &covariance_accumulator::summary_y, "SampleSummary of y.")
      .def(py::pickle([](const covariance_accumulator& a) { return a.state(); },
                      [](const std::array<double, 6>& s) { return covariance_accumulator::from_state(s); }));
}

void bind_platform(py::module_& m) {
  py::class_<srm_result>(m, "SrmResult", "Result of the sample-ratio-mismatch test.")
      .def_readonly("statistic", &srm_result::statistic)
      .def_readonly("p_value", &srm_result::p_value)
      .def_readonly("degrees_of_freedom", &srm_result::degrees_of_freedom)
      .def_readonly("expected", &srm_result::expected);
  m.def(
      "sample_ratio_mismatch_test",
      [](const py::object& observed, const py::object& weights) {
        const vector_arg o(observed, "observed"), w(weights, "weights");
        return sample_ratio_mismatch_test(o.map(), w.map());
      },
      py::arg("observed"), py::arg("weights"),
      "Chi-square test of observed arm counts against the planned split (weights).");
  py::class_<cuped_result>(m, "CupedResult", "Result of the CUPED-adjusted comparison of means.")
      .def_readonly("theta", &cuped_result::theta)
      .def_readonly("adjusted_mean_a", &cuped_result::adjusted_mean_a)
      .def_readonly("adjusted_mean_b", &cuped_result::adjusted_mean_b)
      .def_readonly("difference", &cuped_result::difference)
      .def_readonly("standard_error", &cuped_result::standard_error)
      .def_readonly("unadjusted_standard_error", &cuped_result::unadjusted_standard_error)
      .def_readonly("variance_reduction", &cuped_result::variance_reduction)
      .def_readonly("statistic", &cuped_result::statistic)
      .def_readonly("p_value", &cuped_result::p_value)
      .def_readonly("difference_interval", &cuped_result::difference_interval);
  const cuped_options d{};
  m.def(
      "cuped_test",
      [](const covariance_accumulator& a, const covariance_accumulator& b, alternative alt, double confidence) {
        return cuped_test(a, b, cuped_options{alt, confidence});
      },
      py::arg("a"), py::arg("b"), py::kw_only(), py::arg("alt") = d.alt, py::arg("confidence") = d.confidence,
      "CUPED test from two CovarianceAccumulators (A, B).");
  m.def(
      "cuped_test",
      [](const py::object& y_a, const py::object& x_a, const py::object& y_b, const py::object& x_b, alternative alt,
         double confidence) {
        const vector_arg ya(y_a, "y_a"), xa(x_a, "x_a"), yb(y_b, "y_b"), xb(x_b, "x_b");
        py::gil_scoped_release release;
        return cuped_test(ya.map(), xa.map(), yb.map(), xb.map(), cuped_options{alt, confidence});
      },
      py::arg("y_a"), py::arg("x_a"), py::arg("y_b"), py::arg("x_b"), py::kw_only(), py::arg("alt") = d.alt,
      py::arg("confidence") = d.confidence,
      "CUPED test from raw metrics y and pre-period covariates x of each group.");
}

}  // namespace

void bind_abtest(py::module_& parent) {
  auto m = parent.def_submodule("abtest", "A/B tests: proportions, means, power, Bayesian, corrections, sequential.");
  bind_common(m);
  bind_proportions(m);
  bind_accumulators(m);
  bind_platform(m);
  bind_abtest_tests(m);
}

}  // namespace patron::python
