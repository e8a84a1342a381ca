// patron.transactions: transaction log -> one row per customer (include/patron/transactions.hpp).
#include "bindings.hpp"

#include <optional>

#include "patron/transactions.hpp"

namespace patron::python {
namespace {

summary_options make_summary_options(double period_length, double time_unit,
                                     std::optional<double> calibration_end,
                                     std::optional<double> observation_end) {
  summary_options options;
  options.period_length = period_length;
  options.time_unit = time_unit;
  options.calibration_end = calibration_end;
  options.observation_end = observation_end;
  return options;
}

template <class Id>
py::object customer_ids(const customer_summary<Id>& s) {
  if constexpr (std::is_same_v<Id, std::string>) return py::cast(s.customer);
  else return to_numpy(s.customer);
}

template <class Id>
void bind_summary(py::module_& m, const char* name) {
  using S = customer_summary<Id>;
  py::class_<S>(m, name, "One row per customer, in ascending id order (see docs/transactions.md).")
      .def_property_readonly("customer", &customer_ids<Id>, "customer ids, ascending")
      .def_readonly("first_purchase", &S::first_purchase)
      .def_readonly("last_purchase", &S::last_purchase)
      .def_readonly("transactions", &S::transactions)
      .def_readonly("purchase_periods", &S::purchase_periods)
      .def_readonly("total_spend", &S::total_spend)
      .def_readonly("mean_spend", &S::mean_spend)
      .def_readonly("mean_repeat_spend", &S::mean_repeat_spend)
      .def_readonly("x", &S::x)
      .def_readonly("t_x", &S::t_x)
      .def_readonly("T", &S::T)
      .def_readonly("holdout_transactions", &S::holdout_transactions)
      .def_readonly("holdout_spend", &S::holdout_spend)
      .def_readonly("calibration_end", &S::calibration_end)
      .def_readonly("observation_end", &S::observation_end)
      .def_readonly("holdout_length", &S::holdout_length)
      .def_readonly("customers_after_cutoff", &S::customers_after_cutoff)
      .def("__len__", &S::size);
}

template <class Id>
void bind_accumulator(py::module_& m, const char* name) {
  using A = transaction_accumulator<Id>;
  py::class_<A>(m, name,
                "Mergeable accumulator: add transactions shard by shard, merge accumulators "
                "built elsewhere, then summarize; equals the batch summary exactly.")
      .def(py::init<>())
      .def(
          "add",
          &add_transaction_columns<Id, A>,
          py::arg("customers"), py::arg("times"), py::arg("amounts"))
      .def("merge", &A::merge, py::arg("other"), py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("customers", &A::customers)
      .def_property_readonly("records", &A::records)
      .def(
          "summarize",
          [](const A& self, double period_length, double time_unit, std::optional<double> calibration_end,
             std::optional<double> observation_end) {
            const auto options = make_summary_options(period_length, time_unit, calibration_end, observation_end);
            py::gil_scoped_release release;
            return self.summarize(options);
          },
          py::arg("period_length") = summary_options{}.period_length,
          py::arg("time_unit") = summary_options{}.time_unit, py::arg("calibration_end") = py::none(),
          py::arg("observation_end") = py::none())
      .def(py::pickle([](const A& self) { return transaction_log_state(self); },
                      &accumulator_from_state<A, Id>));
}

}  // namespace

void bind_transactions(py::module_& parent) {
  auto m = parent.def_submodule("transactions", "Transaction log -> one row per customer.");
  bind_summary<std::int64_t>(m, "CustomerSummary");
  bind_summary<std::string>(m, "CustomerSummaryStrIds");
  bind_accumulator<std::int64_t>(m, "TransactionAccumulator");
  bind_accumulator<std::string>(m, "TransactionAccumulatorStrIds");

  m.def(
      "summarize_transactions",
      [](const py::object& customers, const py::object& times, const py::object& amounts,
         double period_length, double time_unit, std::optional<double> calibration_end,
         std::optional<double> observation_end) -> py::object {
        const auto options = make_summary_options(period_length, time_unit, calibration_end, observation_end);
        const auto t = as_array_1d<double>(times, "times");
        const auto a = as_array_1d<double>(amounts, "amounts");
        if (is_integer_ids(customers)) {
          const auto ids = as_array_1d<std::int64_t>(customers, "customers");
          customer_summary<std::int64_t> s;
          {
            py::gil_scoped_release release;
            s = summarize_transactions(as_view(ids), as_view(t), as_view(a), options);
          }
          return py::cast(std::move(s));
        }
        const auto ids = as_string_ids(customers, "customers");
        customer_summary<std::string> s;
        {
          py::gil_scoped_release release;
          s = summarize_transactions(ids, as_view(t), as_view(a), options);
        }
        return py::cast(std::move(s));
      },
      py::arg("customers"), py::arg("times"), py::arg("amounts"),
      py::arg("period_length") = summary_options{}.period_length,
      py::arg("time_unit") = summary_options{}.time_unit, py::arg("calibration_end") = py::none(),
      py::arg("observation_end") = py::none(),
      "Summarise a transaction log (customer ids: int or str; times; non-negative amounts, any "
      "order) into one row per customer: counts, spend, the BTYD triple (x, t_x, T) and the "
      "holdout when calibration_end is set.");
}

}  // namespace patron::python
