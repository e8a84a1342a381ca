// patron.rfm: recency, frequency and monetary value per customer, quantile scores and
// named segments (include/patron/rfm.hpp). Customer ids are int64 or str.
#include "bind_util_a.hpp"

#include <optional>

#include "patron/rfm.hpp"

namespace patron::python {
namespace {

const rfm_options rfm_defaults{};
const score_options score_defaults{};

rfm_options make_rfm_options(std::optional<double> as_of, double time_unit, double period_length,
                             frequency_measure frequency, monetary_measure monetary, unsigned threads) {
  return {as_of, time_unit, period_length, frequency, monetary, threads};
}

#define PATRON_PY_RFM_ARGS                                                                  \
  py::arg("as_of") = rfm_defaults.as_of, py::arg("time_unit") = rfm_defaults.time_unit,     \
  py::arg("period_length") = rfm_defaults.period_length,                                    \
  py::arg("frequency") = rfm_defaults.frequency, py::arg("monetary") = rfm_defaults.monetary, \
  py::arg("threads") = rfm_defaults.threads

score_options make_score_options(std::optional<binning> recency, std::optional<binning> frequency,
                                 std::optional<binning> monetary, breakpoint_method method,
                                 double sketch_relative_accuracy, double recency_weight,
                                 double frequency_weight, double monetary_weight, unsigned threads) {
  score_options o;
  if (recency) o.recency = std::move(*recency);
  if (frequency) o.frequency = std::move(*frequency);
  if (monetary) o.monetary = std::move(*monetary);
  o.method = method;
  o.sketch_relative_accuracy = sketch_relative_accuracy;
  o.recency_weight = recency_weight;
  o.frequency_weight = frequency_weight;
  o.monetary_weight = monetary_weight;
  o.threads = threads;
  return o;
}

#define PATRON_PY_SCORE_ARGS                                                                \
  py::arg("recency") = py::none(), py::arg("frequency") = py::none(),                       \
  py::arg("monetary") = py::none(), py::arg("method") = score_defaults.method,              \
  py::arg("sketch_relative_accuracy") = score_defaults.sketch_relative_accuracy,            \
  py::arg("recency_weight") = score_defaults.recency_weight,                                \
  py::arg("frequency_weight") = score_defaults.frequency_weight,                            \
  py::arg("monetary_weight") = score_defaults.monetary_weight,                              \
  py::arg("threads") = score_defaults.threads

template <class Id>
py::object ids_of(const std::vector<Id>& ids) {
  if constexpr (std::is_same_v<Id, std::string>) return py::cast(ids);
  else return to_numpy(ids);
}

template <class Id>
void bind_table(py::module_& m, const char* name) {
  using T = rfm_table<Id>;
  py::class_<T> table(m, name, "Per-customer RFM values (rows are customers).");
  table.def_property_readonly("customer", [](const T& t) { return ids_of(t.customer); },
                             "customer ids (ascending from transactions, input order otherwise)")
      .def_readonly("recency", &T::recency, "time since the last purchase, in time_unit")
      .def_readonly("frequency", &T::frequency, "transactions or purchase periods")
      .def_readonly("monetary", &T::monetary, "total or mean spend")
      .def_readonly("revenue", &T::revenue, "total spend")
      .def_readonly("as_of", &T::as_of, "analysis date used; None for a customer-level table")
      .def("__len__", &T::size);
  def_pickle(table, &T::customer, &T::recency, &T::frequency, &T::monetary, &T::revenue, &T::as_of);
}

template <class Id>
void bind_accumulator(py::module_& m, const char* name) {
  using A = rfm_accumulator<Id>;
  py::class_<A>(m, name,
                "Mergeable, streaming RFM: add transactions shard by shard, merge, then table(); "
                "equals rfm_from_transactions on all rows exactly.")
      .def(py::init<>())
      .def(
          "add",
          &add_transaction_columns<Id, A>,
          py::arg("customers"), py::arg("times"), py::arg("amounts"),
          "Add transactions (three equally long 1-D arrays).")
      .def("merge", &A::merge, py::arg("other"), py::call_guard<py::gil_scoped_release>(),
           "Add every transaction of another accumulator.")
      .def_property_readonly("customers", &A::customers, "distinct customers so far")
      .def_property_readonly("records", &A::records, "transactions so far")
      .def(
          "table",
          [](const A& self, std::optional<double> as_of, double time_unit, double period_length,
             frequency_measure frequency, monetary_measure monetary, unsigned threads) {
            const auto o = make_rfm_options(as_of, time_unit, period_length, frequency, monetary, threads);
            return without_gil([&] { return self.table(o); });
          },
          py::kw_only(), PATRON_PY_RFM_ARGS, "The RFM table of every transaction added.")
      .def(py::pickle([](const A& self) { return transaction_log_state(self.transactions()); },
                      &accumulator_from_state<A, Id>));
}

template <class Id>
void bind_table_functions(py::module_& m) {
  m.def(
      "score_rfm",
      [](const rfm_table<Id>& table, std::optional<binning> recency, std::optional<binning> frequency,
         std::optional<binning> monetary, breakpoint_method method, double sketch_relative_accuracy,
         double recency_weight, double frequency_weight, double monetary_weight, unsigned threads) {
        const auto o = make_score_options(std::move(recency), std::move(frequency), std::move(monetary),
                                          method, sketch_relative_accuracy, recency_weight,
                                          frequency_weight, monetary_weight, threads);
        return without_gil([&] { return score_rfm(table, o); });
      },
      py::arg("table"), py::kw_only(), PATRON_PY_SCORE_ARGS,
      "Quantile scores of an RFM table (recency reversed: recent customers score highest).");
  m.def("summarize_segments", &summarize_segments<Id>, py::arg("table"), py::arg("scores"),
        py::arg("segments"),
        "One row per segment with customers, in table order, \"Others\" last.");
}

}  // namespace

void bind_rfm(py::module_& parent) {
  auto m = parent.def_submodule("rfm", "Recency, frequency, monetary value: scores and segments.");

  py::enum_<frequency_measure>(m, "FrequencyMeasure", "What frequency counts.")
      .value("transactions", frequency_measure::transactions, "rows in the log (default)")
      .value("purchase_periods", frequency_measure::purchase_periods, "distinct purchase periods")
      .export_values();
  py::enum_<monetary_measure>(m, "MonetaryMeasure", "What monetary measures.")
      .value("total", monetary_measure::total, "sum of amounts (default)")
      .value("mean", monetary_measure::mean, "sum of amounts / frequency")
      .export_values();
  py::enum_<breakpoint_method>(m, "BreakpointMethod", "Where quantile cut points come from.")
      .value("exact_quantiles", breakpoint_method::exact_quantiles, "sample quantiles (default)")
      .value("sketch_quantiles", breakpoint_method::sketch_quantiles, "a quantile sketch")
      .export_values();

  bind_table<std::int64_t>(m, "RfmTable");
  bind_table<std::string>(m, "RfmTableStrIds");
  bind_accumulator<std::int64_t>(m, "RfmAccumulator");
  bind_accumulator<std::string>(m, "RfmAccumulatorStrIds");

  // Pickle state: the accuracy, the zero count, then keys, counts, low, high of the
  // positive and of the negative buckets.
  auto buckets_state = [](const quantile_sketch_state::buckets& b) {
    return py::make_tuple(to_numpy(b.keys), to_numpy(b.counts), to_numpy(b.low), to_numpy(b.high));
  };
  auto buckets_from = [](const py::handle& t) {
    const auto b = state_tuple(t, 4, "QuantileSketch buckets");
    return quantile_sketch_state::buckets{b[0].cast<std::vector<std::int64_t>>(), b[1].cast<std::vector<std::uint64_t>>(),
                                          b[2].cast<std::vector<double>>(), b[3].cast<std::vector<double>>()};
  };
  py::class_<quantile_sketch>(m, "QuantileSketch",
                              "Mergeable DDSketch with relative error relative_accuracy; picklable "
                              "(Dask ships shard sketches to be merged).")
      .def(py::init<double>(), py::arg("relative_accuracy") = 0.005, "An empty sketch.")
      .def(
          "add",
          [](quantile_sketch& s, const py::object& values) {
            if (py::isinstance<py::float_>(values) || py::isinstance<py::int_>(values)) {
              s.add(values.cast<double>());
              return;
            }
            const auto v = as_array_1d<double>(values, "values");
            py::gil_scoped_release release;
            for (const double x : as_view(v)) s.add(x);
          },
          py::arg("values"), "Add one value or a 1-D array of values (finite).")
      .def("merge", &quantile_sketch::merge, py::arg("other"), "Add another sketch's values.")
      .def_property_readonly("count", &quantile_sketch::count, "values added")
      .def_property_readonly("relative_accuracy", &quantile_sketch::relative_accuracy,
                             "relative accuracy a")
      .def("quantile", &quantile_sketch::quantile, py::arg("p"),
           "Estimate of the order statistic x_(floor((n - 1) p)), p in [0, 1].")
      .def(py::pickle(
          [buckets_state](const quantile_sketch& q) {
            const auto st = q.state();
            return py::make_tuple(st.relative_accuracy, st.zeros, buckets_state(st.positive),
                                  buckets_state(st.negative));
          },
          [buckets_from](const py::tuple& state) {
            const auto t = state_tuple(state, 4, "QuantileSketch");
            return quantile_sketch::from_state(
                {t[0].cast<double>(), t[1].cast<std::uint64_t>(), buckets_from(t[2]), buckets_from(t[3])});
          }));

  py::class_<binning>(m, "Binning", "How one dimension is binned.")
      .def(py::init([](int bins, std::vector<double> breakpoints, std::optional<quantile_sketch> sketch) {
             return binning{bins, std::move(breakpoints), std::move(sketch)};
           }),
           py::arg("bins") = binning{}.bins, py::arg("breakpoints") = binning{}.breakpoints,
           py::arg("sketch") = py::none(),
           "bins (2..10); breakpoints (bins - 1, increasing) or a sketch, else quantiles.")
      .def_readonly("bins", &binning::bins, "number of bins")
      .def_readonly("breakpoints", &binning::breakpoints, "user cut points (empty: quantiles)")
      .def_readonly("sketch", &binning::sketch, "sketch giving the cut points, or None");

  py::class_<dimension_scores> dimension(m, "DimensionScores", "Scores of one dimension.");
  dimension.def_readonly("score", &dimension_scores::score, "1..bins per customer")
      .def_readonly("bins", &dimension_scores::bins, "number of bins")
      .def_readonly("breakpoints", &dimension_scores::breakpoints, "cut points used, ascending")
      .def_property_readonly(
          "customers_per_score",
          [](const dimension_scores& d) { return to_numpy(d.customers_per_score); },
          "[s - 1] = customers with score s")
      .def_readonly("collapsed_bins", &dimension_scores::collapsed_bins, "scores nobody received");
  def_pickle(dimension, &dimension_scores::score, &dimension_scores::bins, &dimension_scores::breakpoints,
             &dimension_scores::customers_per_score, &dimension_scores::collapsed_bins);
  py::class_<rfm_scores> scores(m, "RfmScores", "R, F and M scores, the RFM code and the total score.");
  scores.def_readonly("recency", &rfm_scores::recency, "DimensionScores (reversed)")
      .def_readonly("frequency", &rfm_scores::frequency, "DimensionScores")
      .def_readonly("monetary", &rfm_scores::monetary, "DimensionScores")
      .def_readonly("code", &rfm_scores::code, "R * 100 + F * 10 + M")
      .def_readonly("total", &rfm_scores::total, "weighted total score")
      .def("__len__", [](const rfm_scores& s) { return s.size(); });
  def_pickle(scores, &rfm_scores::recency, &rfm_scores::frequency, &rfm_scores::monetary,
             &rfm_scores::code, &rfm_scores::total);

  py::class_<score_range> range(m, "ScoreRange", "Inclusive range of scores.");
  range.def(py::init([](int low, int high) { return score_range{low, high}; }), py::arg("low"),
           py::arg("high"), "low..high, inclusive.")
      .def_readonly("low", &score_range::low, "lowest score")
      .def_readonly("high", &score_range::high, "highest score");
  def_pickle(range, &score_range::low, &score_range::high);
  py::class_<segment_rule> rule(m, "SegmentRule", "A named segment: one score range per dimension.");
  rule.def(py::init([](std::string name, std::string description, score_range recency,
                       score_range frequency, score_range monetary) {
             return segment_rule{std::move(name), std::move(description), recency, frequency, monetary};
           }),
           py::arg("name"), py::arg("description"), py::arg("recency"), py::arg("frequency"),
           py::arg("monetary"), "A rule from its name, description and three score ranges.")
      .def_readonly("name", &segment_rule::name, "segment name")
      .def_readonly("description", &segment_rule::description, "what the segment is")
      .def_readonly("recency", &segment_rule::recency, "ScoreRange")
      .def_readonly("frequency", &segment_rule::frequency, "ScoreRange")
      .def_readonly("monetary", &segment_rule::monetary, "ScoreRange");
  def_pickle(rule, &segment_rule::name, &segment_rule::description, &segment_rule::recency,
             &segment_rule::frequency, &segment_rule::monetary);
  py::class_<segment_table> segments(m, "SegmentTable", "Segment rules, evaluated first match wins.");
  segments.def(py::init([](std::string name, std::string source, std::vector<segment_rule> rules) {
             return segment_table{std::move(name), std::move(source), std::move(rules)};
           }),
           py::arg("name"), py::arg("source"), py::arg("rules"), "A table of SegmentRule.")
      .def_readonly("name", &segment_table::name, "version tag")
      .def_readonly("source", &segment_table::source, "where the ranges were published")
      .def_readonly("rules", &segment_table::rules, "list of SegmentRule");
  def_pickle(segments, &segment_table::name, &segment_table::source, &segment_table::rules);
  m.def("r_rfm_0_3_0_segments", &r_rfm_0_3_0_segments, "R package rfm 0.3.0 segments (default).");
  m.def("r_rfm_0_2_segments", &r_rfm_0_2_segments, "R package rfm 0.2.x segments.");
  m.def("pypi_rfm_segments", &pypi_rfm_segments, "PyPI package rfm 1.0.x segments.");
  m.def("published_segment_tables", &published_segment_tables, "Every shipped segment table.");

  py::class_<segment_assignment> assignment(m, "SegmentAssignment", "Segment of each customer.");
  assignment.def_readonly("names", &segment_assignment::names, "segment names, \"Others\" last")
      .def_readonly("segment", &segment_assignment::segment, "index into names per customer")
      .def("name_of", &segment_assignment::name_of, py::arg("customer"), "segment name of a customer");
  def_pickle(assignment, &segment_assignment::names, &segment_assignment::segment);
  py::class_<score_cell>(m, "ScoreCell", "One (R, F, M) score cell.")
      .def_readonly("recency", &score_cell::recency)
      .def_readonly("frequency", &score_cell::frequency)
      .def_readonly("monetary", &score_cell::monetary)
      .def("__repr__", [](const score_cell& c) {
        return "ScoreCell(" + std::to_string(c.recency) + ", " + std::to_string(c.frequency) + ", " +
               std::to_string(c.monetary) + ")";
      });
  py::class_<segment_table_report>(m, "SegmentTableReport", "Gaps and shadowed rows of a table.")
      .def_readonly("gaps", &segment_table_report::gaps, "cells no row covers")
      .def_readonly("shadowed", &segment_table_report::shadowed, "rows an earlier row fully covers")
      .def_readonly("cells_matched", &segment_table_report::cells_matched, "cells each row wins")
      .def("complete", &segment_table_report::complete, "no gaps and no shadowed rows");
  using R = segment_summary_row;
  py::class_<R> summary_row(m, "SegmentSummaryRow", "One segment of the summary.");
  summary_row.def_readonly("segment", &R::segment)
      .def_readonly("customers", &R::customers)
      .def_readonly("share", &R::share)
      .def_readonly("orders", &R::orders)
      .def_readonly("revenue", &R::revenue)
      .def_readonly("average_order_value", &R::average_order_value)
      .def_readonly("mean_recency", &R::mean_recency)
      .def_readonly("mean_frequency", &R::mean_frequency)
      .def_readonly("mean_monetary", &R::mean_monetary)
      .def_readonly("mean_recency_score", &R::mean_recency_score)
      .def_readonly("mean_frequency_score", &R::mean_frequency_score)
      .def_readonly("mean_monetary_score", &R::mean_monetary_score);
  def_pickle(summary_row, &R::segment, &R::customers, &R::share, &R::orders, &R::revenue,
             &R::average_order_value, &R::mean_recency, &R::mean_frequency, &R::mean_monetary,
             &R::mean_recency_score, &R::mean_frequency_score, &R::mean_monetary_score);

  m.def(
      "rfm_from_transactions",
      [](const py::object& customers, const py::object& times, const py::object& amounts,
         std::optional<double> as_of, double time_unit, double period_length,
         frequency_measure frequency, monetary_measure monetary, unsigned threads) -> py::object {
        const auto o = make_rfm_options(as_of, time_unit, period_length, frequency, monetary, threads);
        const auto t = as_array_1d<double>(times, "times");
        const auto a = as_array_1d<double>(amounts, "amounts");
        if (is_integer_ids(customers)) {
          const auto ids = as_array_1d<std::int64_t>(customers, "customers");
          return py::cast(without_gil([&] { return rfm_from_transactions(as_view(ids), as_view(t), as_view(a), o); }));
        }
        const auto ids = as_string_ids(customers, "customers");
        return py::cast(without_gil([&] { return rfm_from_transactions(ids, as_view(t), as_view(a), o); }));
      },
      py::arg("customers"), py::arg("times"), py::arg("amounts"), py::kw_only(), PATRON_PY_RFM_ARGS,
      "RFM table from a transaction log (int or str ids, finite times, amounts >= 0).");
  m.def(
      "rfm_from_customers",
      [](const py::object& customers, const py::object& recency, const py::object& frequency,
         const py::object& monetary, monetary_measure measure) -> py::object {
        const auto r = as_array_1d<double>(recency, "recency");
        const auto f = as_array_1d<double>(frequency, "frequency");
        const auto mo = as_array_1d<double>(monetary, "monetary");
        if (is_integer_ids(customers)) {
          const auto a = as_array_1d<std::int64_t>(customers, "customers");
          const std::vector<std::int64_t> ids(a.data(), a.data() + a.size());
          return py::cast(rfm_from_customers(ids, as_vector(r), as_vector(f), as_vector(mo), measure));
        }
        const auto ids = as_string_ids(customers, "customers");
        return py::cast(rfm_from_customers(ids, as_vector(r), as_vector(f), as_vector(mo), measure));
      },
      py::arg("customers"), py::arg("recency"), py::arg("frequency"), py::arg("monetary"),
      py::arg("measure") = monetary_measure::total,
      "RFM table from a customer-level table (distinct ids; frequency > 0, monetary >= 0).");

  bind_table_functions<std::int64_t>(m);
  bind_table_functions<std::string>(m);
  m.def(
      "score_rfm",
      [](const py::object& recency, const py::object& frequency, const py::object& monetary,
         std::optional<binning> recency_binning, std::optional<binning> frequency_binning,
         std::optional<binning> monetary_binning, breakpoint_method method,
         double sketch_relative_accuracy, double recency_weight, double frequency_weight,
         double monetary_weight, unsigned threads) {
        const auto o = make_score_options(std::move(recency_binning), std::move(frequency_binning),
                                          std::move(monetary_binning), method, sketch_relative_accuracy,
                                          recency_weight, frequency_weight, monetary_weight, threads);
        const auto r = as_array_1d<double>(recency, "recency");
        const auto f = as_array_1d<double>(frequency, "frequency");
        const auto mo = as_array_1d<double>(monetary, "monetary");
        return without_gil([&] { return score_rfm(as_vector(r), as_vector(f), as_vector(mo), o); });
      },
      py::arg("recency_values"), py::arg("frequency_values"), py::arg("monetary_values"),
      py::kw_only(), py::arg("recency") = py::none(), py::arg("frequency") = py::none(),
      py::arg("monetary") = py::none(), py::arg("method") = score_defaults.method,
      py::arg("sketch_relative_accuracy") = score_defaults.sketch_relative_accuracy,
      py::arg("recency_weight") = score_defaults.recency_weight,
      py::arg("frequency_weight") = score_defaults.frequency_weight,
      py::arg("monetary_weight") = score_defaults.monetary_weight, py::arg("threads") = score_defaults.threads,
      "Quantile scores of three value columns; recency/frequency/monetary take a Binning.");

  m.def("assign_segments", &assign_segments, py::arg("scores"), py::arg("table"),
        "Segment of each customer, first match wins; uncovered customers are \"Others\".");
  m.def("check_segment_table", &check_segment_table, py::arg("table"), py::arg("recency_bins") = 5,
        py::arg("frequency_bins") = 5, py::arg("monetary_bins") = 5,
        "Gaps and shadowed rows of a segment table for the given bins.");
}

#undef PATRON_PY_RFM_ARGS
#undef PATRON_PY_SCORE_ARGS

}  // namespace patron::python
