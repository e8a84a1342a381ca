// patron.abtest, second half: t-tests and Mann-Whitney, multiple comparisons, power and
// sample size, the Bayesian beta-binomial test and the sequential designs. The enums and
// shared result types are registered by bind_abtest.cpp first.
#include "bind_util_b.hpp"

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "patron/abtest/bayesian.hpp"
#include "patron/abtest/corrections.hpp"
#include "patron/abtest/means.hpp"
#include "patron/abtest/power.hpp"
#include "patron/abtest/sequential.hpp"

namespace patron::python {
namespace {

void bind_means(py::module_& m) {
  py::class_<t_test_result>(m, "TTestResult", "Result of a t-test (difference = B - A).")
      .def_readonly("statistic", &t_test_result::statistic)
      .def_readonly("p_value", &t_test_result::p_value)
      .def_readonly("degrees_of_freedom", &t_test_result::degrees_of_freedom)
      .def_readonly("mean_a", &t_test_result::mean_a)
      .def_readonly("mean_b", &t_test_result::mean_b)
      .def_readonly("difference", &t_test_result::difference)
      .def_readonly("standard_error", &t_test_result::standard_error)
      .def_readonly("difference_interval", &t_test_result::difference_interval)
      .def_readonly("cohens_d", &t_test_result::cohens_d);
  const t_test_options d{};
  m.def(
      "t_test_from_summary",
      [](const sample_summary& a, const sample_summary& b, alternative alt, variance_assumption v, double confidence) {
        return t_test_from_summary(a, b, t_test_options{alt, v, confidence});
      },
      py::arg("a"), py::arg("b"), py::kw_only(), py::arg("alt") = d.alt, py::arg("variance") = d.variance,
      py::arg("confidence") = d.confidence, "Two-sample t-test from SampleSummary of each group (scipy ttest_ind_from_stats).");
  m.def(
      "t_test",
      [](const py::object& a, const py::object& b, alternative alt, variance_assumption v, double confidence) {
        const vector_arg va(a, "a"), vb(b, "b");
        py::gil_scoped_release release;
        return t_test(va.map(), vb.map(), t_test_options{alt, v, confidence});
      },
      py::arg("a"), py::arg("b"), py::kw_only(), py::arg("alt") = d.alt, py::arg("variance") = d.variance,
      py::arg("confidence") = d.confidence, "Two-sample t-test on raw samples (scipy ttest_ind(b, a)); Welch by default.");
  m.def(
      "t_test_from_summary_batch",
      [](const py::object& ca, const py::object& ma, const py::object& va, const py::object& cb,
         const py::object& mb, const py::object& vb, alternative alt, variance_assumption v) {
        const vector_arg count_a(ca, "count_a"), mean_a(ma, "mean_a"), variance_a(va, "variance_a"),
            count_b(cb, "count_b"), mean_b(mb, "mean_b"), variance_b(vb, "variance_b");
        const auto n = count_a.map().size();
        py::array_t<double> statistic(n), p_value(n), dof(n);
        Eigen::Map<Eigen::VectorXd> s(statistic.mutable_data(), n), p(p_value.mutable_data(), n),
            df(dof.mutable_data(), n);
        {
          py::gil_scoped_release release;
          t_test_from_summary_batch(count_a.map(), mean_a.map(), variance_a.map(), count_b.map(), mean_b.map(),
                                    variance_b.map(), s, p, df, t_test_options{alt, v, t_test_options{}.confidence});
        }
        return py::make_tuple(statistic, p_value, dof);
      },
      py::arg("count_a"), py::arg("mean_a"), py::arg("variance_a"), py::arg("count_b"), py::arg("mean_b"),
      py::arg("variance_b"), py::kw_only(), py::arg("alt") = d.alt, py::arg("variance") = d.variance,
      "The t-test from summaries over many experiments (row i of each array: count, mean, unbiased variance): "
      "returns (statistic, p_value, degrees_of_freedom) arrays, equal to t_test_from_summary row by row.");
  m.def(
      "paired_t_test",
      [](const py::object& a, const py::object& b, alternative alt, variance_assumption v, double confidence) {
        const vector_arg va(a, "a"), vb(b, "b");
        py::gil_scoped_release release;
        return paired_t_test(va.map(), vb.map(), t_test_options{alt, v, confidence});
      },
      py::arg("a"), py::arg("b"), py::kw_only(), py::arg("alt") = d.alt, py::arg("variance") = d.variance,
      py::arg("confidence") = d.confidence, "Paired t-test on b - a (scipy ttest_rel(b, a)).");

  py::class_<mann_whitney_result>(m, "MannWhitneyResult", "Result of the Mann-Whitney U test (U of B).")
      .def_readonly("statistic", &mann_whitney_result::statistic)
      .def_readonly("p_value", &mann_whitney_result::p_value)
      .def_readonly("method", &mann_whitney_result::method)
      .def_readonly("probability_of_superiority", &mann_whitney_result::probability_of_superiority)
      .def_readonly("rank_biserial", &mann_whitney_result::rank_biserial);
  const mann_whitney_options md{};
  m.def(
      "mann_whitney_test",
      [](const py::object& a, const py::object& b, alternative alt, mann_whitney_method method,
         continuity_correction continuity) {
        const vector_arg va(a, "a"), vb(b, "b");
        py::gil_scoped_release release;
        return mann_whitney_test(va.map(), vb.map(), mann_whitney_options{alt, method, continuity});
      },
      py::arg("a"), py::arg("b"), py::kw_only(), py::arg("alt") = md.alt, py::arg("method") = md.method,
      py::arg("continuity") = md.continuity, "Mann-Whitney U test (scipy mannwhitneyu(b, a)).");
}

void bind_corrections(py::module_& m) {
  py::class_<multiple_comparison_result>(m, "MultipleComparisonResult", "Adjusted p-values and rejections.")
      .def_readonly("adjusted_p_value", &multiple_comparison_result::adjusted_p_value)
      .def_property_readonly(
          "reject",
          [](const multiple_comparison_result& r) {
            py::array_t<bool> out(static_cast<py::ssize_t>(r.reject.size()));
            std::copy(r.reject.begin(), r.reject.end(), out.mutable_data());
            return out;
          },
          "H0 rejected at family level alpha (bool array)");
  m.def(
      "adjust_p_values",
      [](const py::object& p_values, correction_method method, double alpha) {
        const vector_arg p(p_values, "p_values");
        return adjust_p_values(p.map(), method, alpha);
      },
      py::arg("p_values"), py::arg("method"), py::arg("alpha") = 0.05,
      "Multiple-comparison adjusted p-values (statsmodels multipletests).");
}

// Every power, sample-size and minimum-effect function takes N leading numbers and
// power_options: Python gets the numbers positionally and the options as keywords.
template <class F, std::size_t... I>
void def_power(py::module_& m, const char* name, F f, const std::array<const char*, sizeof...(I)>& names,
               const char* doc, std::index_sequence<I...>) {
  const power_options d{};
  m.def(
      name,
      [f](std::conditional_t<I == I, double, void>... x, double alpha, alternative alt, double ratio) {
        return f(x..., power_options{alpha, alt, ratio});
      },
      py::arg(names[I])..., py::kw_only(), py::arg("alpha") = d.alpha, py::arg("alt") = d.alt,
      py::arg("ratio") = d.ratio, doc);
}

template <std::size_t N, class F>
void def_power(py::module_& m, const char* name, F f, const std::array<const char*, N>& names, const char* doc) {
  def_power(m, name, f, names, doc, std::make_index_sequence<N>{});
}

void bind_power(py::module_& m) {
  using two = std::array<const char*, 2>;
  using three = std::array<const char*, 3>;
  def_power(m, "normal_power", &normal_power, two{"effect_size", "n_a"},
            "Power of the two-sample z-test (statsmodels NormalIndPower).");
  def_power(m, "t_test_power", &t_test_power, two{"effect_size", "n_a"},
            "Power of the two-sample t-test (statsmodels TTestIndPower).");
  def_power(m, "two_proportion_power", &two_proportion_power, three{"p_a", "p_b", "n_a"},
            "Power of the two-proportion z-test (Cohen's h).");
  def_power(m, "normal_sample_size", &normal_sample_size, two{"effect_size", "power"},
            "Group A size for the z-test to reach `power`.");
  def_power(m, "t_test_sample_size", &t_test_sample_size, two{"effect_size", "power"},
            "Group A size for the t-test to reach `power`.");
  def_power(m, "two_proportion_sample_size", &two_proportion_sample_size, three{"p_a", "p_b", "power"},
            "Users in A for the two-proportion test to reach `power`.");
  def_power(m, "normal_minimum_effect", &normal_minimum_effect, two{"n_a", "power"},
            "Minimum detectable standardised effect of the z-test.");
  def_power(m, "t_test_minimum_effect", &t_test_minimum_effect, two{"n_a", "power"},
            "Minimum detectable standardised effect of the t-test.");
  def_power(m, "two_proportion_minimum_effect", &two_proportion_minimum_effect, three{"p_a", "n_a", "power"},
            "Minimum detectable p_B given p_A and n_A.");
}

void bind_bayesian(py::module_& m) {
  py::class_<beta_prior>(m, "BetaPrior", "Beta(alpha, beta) prior of a conversion rate.")
      .def(py::init([](double alpha, double beta) { return beta_prior{alpha, beta}; }),
           py::arg("alpha") = beta_prior{}.alpha, py::arg("beta") = beta_prior{}.beta)
      .def_readwrite("alpha", &beta_prior::alpha)
      .def_readwrite("beta", &beta_prior::beta);
  py::class_<bayesian_result>(m, "BayesianResult", "Posterior summary of a beta-binomial A/B test.")
      .def_readonly("probability_b_better", &bayesian_result::probability_b_better)
      .def_readonly("expected_loss_a", &bayesian_result::expected_loss_a)
      .def_readonly("expected_loss_b", &bayesian_result::expected_loss_b)
      .def_readonly("posterior_mean_a", &bayesian_result::posterior_mean_a)
      .def_readonly("posterior_mean_b", &bayesian_result::posterior_mean_b)
      .def_readonly("credible_a", &bayesian_result::credible_a)
      .def_readonly("credible_b", &bayesian_result::credible_b)
      .def_readonly("gaussian_approximation", &bayesian_result::gaussian_approximation);
  const bayesian_options d{};
  m.def(
      "bayesian_ab_test",
      [](std::int64_t sa, std::int64_t ta, std::int64_t sb, std::int64_t tb, const beta_prior& prior_a,
         const beta_prior& prior_b, double credible, std::int64_t limit) {
        py::gil_scoped_release release;
        return bayesian_ab_test(sa, ta, sb, tb, bayesian_options{prior_a, prior_b, credible, limit});
      },
      py::arg("successes_a"), py::arg("trials_a"), py::arg("successes_b"), py::arg("trials_b"), py::kw_only(),
      py::arg("prior_a") = d.prior_a, py::arg("prior_b") = d.prior_b, py::arg("credible") = d.credible,
      py::arg("exact_term_limit") = d.exact_term_limit,
      "Beta-binomial test: P(p_B > p_A) in closed form, expected losses, credible intervals.");
}

void bind_sequential(py::module_& m) {
  py::class_<group_sequential_design>(m, "GroupSequentialDesign", "Lan-DeMets boundaries per look.")
      .def_readonly("information_fraction", &group_sequential_design::information_fraction)
      .def_readonly("z_boundary", &group_sequential_design::z_boundary)
      .def_readonly("cumulative_alpha", &group_sequential_design::cumulative_alpha)
      .def_readonly("nominal_p_value", &group_sequential_design::nominal_p_value);
  const group_sequential_options d{};
  m.def(
      "group_sequential_boundaries",
      [](const py::object& fractions, double alpha, spending_function spending, alternative alt, int grid_points) {
        const vector_arg f(fractions, "information_fractions");
        const std::vector<double> t(f.map().data(), f.map().data() + f.map().size());
        py::gil_scoped_release release;
        return group_sequential_boundaries(t, group_sequential_options{alpha, spending, alt, grid_points});
      },
      py::arg("information_fractions"), py::kw_only(), py::arg("alpha") = d.alpha, py::arg("spending") = d.spending,
      py::arg("alt") = d.alt, py::arg("grid_points") = d.grid_points,
      "Group-sequential boundaries by alpha spending at the given information fractions.");
  py::class_<always_valid_result>(m, "AlwaysValidResult", "Always-valid p-value and confidence sequence.")
      .def_readonly("p_value", &always_valid_result::p_value)
      .def_readonly("interval", &always_valid_result::interval)
      .def_readonly("likelihood_ratio", &always_valid_result::likelihood_ratio);
  m.def("msprt_look", &msprt_look, py::arg("estimate"), py::arg("variance"), py::arg("mixture_variance"),
        py::arg("alpha"), "One mSPRT look: mixture likelihood ratio, p-value and interval (no running state).");
  py::class_<always_valid_monitor>(m, "AlwaysValidMonitor", "Running mSPRT: always-valid p-value and interval.")
      .def(py::init<double, double>(), py::arg("mixture_variance"), py::arg("alpha") = 0.05)
      .def("update", &always_valid_monitor::update, py::arg("estimate"), py::arg("variance"),
           "Add a look (current estimate and its variance); returns the running result.")
      .def_property_readonly("current", &always_valid_monitor::current, "the running result")
      .def_property_readonly("mixture_variance", &always_valid_monitor::mixture_variance)
      .def_property_readonly("alpha", &always_valid_monitor::alpha)
      .def("rejected", &always_valid_monitor::rejected, "True once the p-value is at or below alpha.")
      .def_static(
          "resume",
          [](double mixture_variance, double alpha, double p_value, double lower, double upper,
             double likelihood_ratio) {
            return always_valid_monitor::resume(mixture_variance, alpha,
                                                {p_value, {lower, upper}, likelihood_ratio});
          },
          py::arg("mixture_variance"), py::arg("alpha"), py::arg("p_value"), py::arg("lower"), py::arg("upper"),
          py::arg("likelihood_ratio"),
          "A monitor continuing from a saved state (mixture_variance, alpha and the current result's p-value, "
          "interval and likelihood ratio).")
      .def(py::pickle(
          [](const always_valid_monitor& a) {
            const auto& c = a.current();
            return py::make_tuple(a.mixture_variance(), a.alpha(), c.p_value, c.interval.lower, c.interval.upper,
                                  c.likelihood_ratio);
          },
          [](const py::tuple& state) {
            const auto t = state_tuple(state, 6, "AlwaysValidMonitor");
            return always_valid_monitor::resume(
                t[0].cast<double>(), t[1].cast<double>(),
                {t[2].cast<double>(), {t[3].cast<double>(), t[4].cast<double>()}, t[5].cast<double>()});
          }));
  py::class_<simple_sequential_plan>(m, "SimpleSequentialPlan", "Evan Miller's simple sequential plan.")
      .def(py::init([](std::int64_t total, std::int64_t threshold, double type_one_error) {
             return simple_sequential_plan{total, threshold, type_one_error};
           }),
           py::arg("total_conversions"), py::arg("threshold"), py::arg("type_one_error") = 0.0)
      .def_readonly("total_conversions", &simple_sequential_plan::total_conversions)
      .def_readonly("threshold", &simple_sequential_plan::threshold)
      .def_readonly("type_one_error", &simple_sequential_plan::type_one_error);
  m.def("simple_sequential_design", &simple_sequential_design, py::arg("total_conversions"), py::arg("alpha") = 0.05,
        "Plan of the simple sequential test for N total conversions.");
  m.def("simple_sequential_decision", &simple_sequential_decision, py::arg("plan"), py::arg("conversions_a"),
        py::arg("conversions_b"), "Decision of the simple sequential test at the current conversion counts.");
}

}  // namespace

void bind_abtest_tests(py::module_& m) {
  bind_means(m);
  bind_corrections(m);
  bind_power(m);
  bind_bayesian(m);
  bind_sequential(m);
}

}  // namespace patron::python
