// patron rfm: transaction log -> per-customer R, F, M, scores, code and segment, or the
// segment summary (patron/rfm.hpp); and the "RFM segments" section of patron demo.
#include <patron/rfm.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>

#include "cli.hpp"
#include "csv.hpp"
#include "demo_data.hpp"
#include "transaction_input.hpp"

namespace patron_cli {
namespace {

constexpr const char* default_table = "r-rfm-0.3.0";

// "7,30,90" -> {7, 30, 90}.
std::vector<double> parse_list(const arguments& args, const std::string& option) {
  std::vector<double> values;
  std::stringstream in(args.text(option));
  for (std::string item; std::getline(in, item, ',');) {
    double v = 0.0;
    const char* end = item.data() + item.size();
    auto [ptr, ec] = std::from_chars(item.data(), end, v);
    if (item.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
      throw usage_error("option --" + option + ": '" + item + "' is not a finite number");
    values.push_back(v);
  }
  return values;
}

patron::binning binning_of(const arguments& args, const std::string& dimension) {
  patron::binning b;
  const std::string option = args.has(dimension + "-bins") ? dimension + "-bins" : "bins";
  const long long bins = args.integer(option, 5);
  // The library names the valid range; only values an int cannot hold stop here.
  if (bins < std::numeric_limits<int>::min() || bins > std::numeric_limits<int>::max())
    throw usage_error("option --" + option + ": '" + std::to_string(bins) + "' is out of range");
  b.bins = static_cast<int>(bins);
  if (args.has(dimension + "-breaks")) {
    b.breakpoints = parse_list(args, dimension + "-breaks");
    b.bins = static_cast<int>(b.breakpoints.size()) + 1;
  }
  return b;
}

// A segment table CSV: segment, [description,] r_low, r_high, f_low, f_high, m_low, m_high.
patron::segment_table read_segment_table(const std::string& path) {
  const csv_table csv = read_csv_file(path);
  const std::size_t name = csv.column("segment");
  const bool described = csv.has_column("description");
  std::size_t col[6];
  const char* names[6] = {"r_low", "r_high", "f_low", "f_high", "m_low", "m_high"};
  for (int k = 0; k < 6; ++k) col[k] = csv.column(names[k]);
  patron::segment_table t{path, path, {}};
  for (std::size_t i = 0; i < csv.size(); ++i) {
    int v[6];
    for (int k = 0; k < 6; ++k) v[k] = static_cast<int>(csv.integer(i, col[k]));
    t.rules.push_back({csv.rows[i][name], described ? csv.rows[i][csv.column("description")] : "",
                       {v[0], v[1]}, {v[2], v[3]}, {v[4], v[5]}});
  }
  return t;
}

patron::segment_table segment_table_of(const arguments& args) {
  const std::string which = args.text("segments-table", default_table);
  for (auto& t : patron::published_segment_tables())
    if (t.name == which) return t;
  if (which.find(".csv") == std::string::npos && which.find('/') == std::string::npos)
    throw usage_error("option --segments-table: '" + which +
                      "' is neither r-rfm-0.3.0, r-rfm-0.2, pypi-rfm-1.0 nor a CSV file");
  return read_segment_table(which);
}

json breakpoints_json(const patron::dimension_scores& d) {
  json cuts = json::array(), collapsed = json::array();
  for (double c : d.breakpoints) cuts.push(c);
  for (int s : d.collapsed_bins) collapsed.push(s);
  json o = json::object();
  o.set("bins", d.bins);
  o.set("breakpoints", cuts);
  o.set("collapsed_bins", collapsed);
  return o;
}

template <class T>
std::string join(const std::vector<T>& values) {
  std::string text;
  for (const T& v : values) {
    if (!text.empty()) text += ", ";
    if constexpr (std::is_floating_point_v<T>) text += format_number(v);
    else text += std::to_string(v);
  }
  return text;
}

// Collapsed bins are worth knowing but are not an error: one note per dimension.
void note_collapsed(const char* name, const patron::dimension_scores& d) {
  if (d.collapsed_bins.empty()) return;
  std::cerr << "patron rfm: note: no customer has " << name << " score "
            << join(d.collapsed_bins) << " (tied values share one bin)\n";
}

table summary_table(const std::vector<patron::segment_summary_row>& rows) {
  table t({"segment", "customers", "share", "orders", "revenue", "average_order_value",
           "mean_recency", "mean_frequency", "mean_monetary", "mean_recency_score",
           "mean_frequency_score", "mean_monetary_score"});
  for (const auto& r : rows)
    t.add_row({r.segment, static_cast<long long>(r.customers), r.share, r.orders, r.revenue,
               r.average_order_value, r.mean_recency, r.mean_frequency, r.mean_monetary,
               r.mean_recency_score, r.mean_frequency_score, r.mean_monetary_score});
  return t;
}

table check_table(const patron::segment_table& segments, const patron::rfm_scores& s) {
  const auto report = patron::check_segment_table(segments, s.recency.bins, s.frequency.bins,
                                                  s.monetary.bins);
  table t({"kind", "segment", "cells"});
  for (std::size_t k = 0; k < segments.rules.size(); ++k) {
    const bool shadowed = report.cells_matched[k] == 0;
    t.add_row({std::string(shadowed ? "shadowed" : "segment"), segments.rules[k].name,
               static_cast<long long>(report.cells_matched[k])});
  }
  for (const auto& g : report.gaps)
    t.add_row({std::string("gap"), "R" + std::to_string(g.recency) + " F" +
                                       std::to_string(g.frequency) + " M" +
                                       std::to_string(g.monetary),
               1LL});
  return t;
}

int run(const arguments& args, std::ostream& out) {
  const transaction_input input = read_transactions(args, args.positional(0, "FILE"));
  patron::rfm_options options;
  if (args.has("as-of")) options.as_of = parse_time_option(input, args, "as-of");
  options.time_unit = args.number("time-unit", 1.0);
  const std::string frequency = args.text("frequency", "transactions");
  if (frequency == "days") options.frequency = patron::frequency_measure::purchase_periods;
  else if (frequency != "transactions")
    throw usage_error("option --frequency: '" + frequency + "' is neither transactions nor days");
  const std::string monetary = args.text("monetary", "total");
  if (monetary == "mean") options.monetary = patron::monetary_measure::mean;
  else if (monetary != "total")
    throw usage_error("option --monetary: '" + monetary + "' is neither total nor mean");
  options.threads = args.threads();
  patron::score_options scoring;
  scoring.recency = binning_of(args, "recency");
  scoring.frequency = binning_of(args, "frequency");
  scoring.monetary = binning_of(args, "monetary");
  const std::string quantiles = args.text("quantiles", "exact");
  if (quantiles == "sketch") scoring.method = patron::breakpoint_method::sketch_quantiles;
  else if (quantiles != "exact")
    throw usage_error("option --quantiles: '" + quantiles + "' is neither exact nor sketch");
  scoring.sketch_relative_accuracy = args.number("sketch-accuracy", 0.005);
  scoring.threads = options.threads;
  const patron::segment_table segments = segment_table_of(args);

  return std::visit(
      [&](const auto& ids) {
        const auto rfm = patron::rfm_from_transactions(ids, input.times, input.amounts, options);
        const auto s = patron::score_rfm(rfm, scoring);
        // Notes only once the segment table has passed validation: an error exit prints
        // exactly one line.
        const auto notes = [&] {
          note_collapsed("recency", s.recency);
          note_collapsed("frequency", s.frequency);
          note_collapsed("monetary", s.monetary);
        };
        if (args.flag("check-table")) {
          const table checked = check_table(segments, s);
          notes();
          write_result(args, out, checked);
          return 0;
        }
        const auto assignment = patron::assign_segments(s, segments);
        notes();
        json extra = json::object();
        extra.set("as_of", format_time(input, *rfm.as_of));
        extra.set("customers", rfm.size());
        extra.set("segments_table", segments.name);
        extra.set("recency", breakpoints_json(s.recency));
        extra.set("frequency", breakpoints_json(s.frequency));
        extra.set("monetary", breakpoints_json(s.monetary));
        if (args.flag("summary")) {
          write_result(args, out, summary_table(patron::summarize_segments(rfm, s, assignment)),
                       extra);
          return 0;
        }
        table t({"customer", "recency", "frequency", "monetary", "recency_score",
                 "frequency_score", "monetary_score", "rfm_code", "total_score", "segment"});
        for (std::size_t i = 0; i < rfm.size(); ++i) {
          const auto r = static_cast<Eigen::Index>(i);
          table::cell id;
          if constexpr (std::is_integral_v<typename std::decay_t<decltype(ids)>::value_type>)
            id = static_cast<long long>(rfm.customer[i]);
          else id = rfm.customer[i];
          t.add_row({id, rfm.recency(r), rfm.frequency(r), rfm.monetary(r),
                     static_cast<long long>(s.recency.score(r)),
                     static_cast<long long>(s.frequency.score(r)),
                     static_cast<long long>(s.monetary.score(r)), static_cast<long long>(s.code(r)),
                     s.total(r), assignment.name_of(r)});
        }
        write_result(args, out, t, extra);
        return 0;
      },
      input.customers);
}

std::vector<option_spec> options() {
  auto o = transaction_input_options();
  o.push_back({"as-of", "DATE", "analysis date; recency = as-of - last purchase", "the last purchase"});
  o.push_back({"time-unit", "DAYS", "unit of recency in days (7 = weeks)", "1"});
  o.push_back({"frequency", "WHAT", "transactions (rows) or days (distinct purchase days)", "transactions"});
  o.push_back({"monetary", "WHAT", "total spend or mean (total / frequency)", "total"});
  o.push_back({"bins", "N", "quantile bins per dimension, 2..10", "5"});
  for (const char* d : {"recency", "frequency", "monetary"}) {
    o.push_back({std::string(d) + "-bins", "N", std::string("bins for ") + d, "--bins"});
    o.push_back({std::string(d) + "-breaks", "LIST",
                 std::string("increasing cut points for ") + d + ", e.g. 30,90,180 (bins = count + 1)",
                 "quantiles"});
  }
  o.push_back({"quantiles", "HOW", "exact quantile cut points, or sketch (DDSketch, relative error)", "exact"});
  o.push_back({"sketch-accuracy", "A", "relative accuracy of --quantiles sketch, in (0, 1)", "0.005"});
  o.push_back({"segments-table", "NAME|FILE",
               "r-rfm-0.3.0, r-rfm-0.2, pypi-rfm-1.0, or a CSV with columns segment, "
               "[description,] r_low, r_high, f_low, f_high, m_low, m_high",
               default_table});
  o.push_back({"summary", "", "print the segment summary instead of the customers", ""});
  o.push_back({"check-table", "", "print the segment table's cells won, shadowed rows and gaps", ""});
  o.push_back({"threads", "N",
               "threads for the pass over the transactions and the scores, 0 (every core) to 1024; same output for any N", "1"});
  return o;
}

[[maybe_unused]] const bool registered = register_command(
    {"rfm", "transaction log -> recency, frequency, monetary scores and segments",
     "patron rfm FILE [options]\n\nFILE is a CSV with a header; '-' reads standard input.\n"
     "Scores are quantile bins (right-closed, as pandas.qcut); equal values always share a\n"
     "score, and bins emptied by ties are noted on stderr. Segments: first match wins,\n"
     "uncovered customers are \"Others\".",
     options(), run});

// --- patron demo ---------------------------------------------------------------------

void demo(const demo_data& data, std::ostream& out) {
  patron::rfm_options options;
  options.as_of = data.observation_end;
  const auto rfm = patron::rfm_from_transactions(data.customers, data.days, data.amounts, options);
  const auto s = patron::score_rfm(rfm);
  const auto rows =
      patron::summarize_segments(rfm, s, patron::assign_segments(s, patron::r_rfm_0_3_0_segments()));
  char line[256];
  std::snprintf(line, sizeof line,
                "Quintile scores as of %s, R rfm 0.3.0 segments (first match wins):\n",
                format_date(data.observation_end).c_str());
  out << line;
  std::snprintf(line, sizeof line, "  %-19s %9s %6s %7s %10s %7s %8s %6s %9s\n", "segment",
                "customers", "share", "orders", "revenue", "AOV", "recency", "freq", "monetary");
  out << line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line,
                  "  %-19s %9lld %5.1f%% %7.0f %10.2f %7.2f %8.1f %6.2f %9.2f\n", r.segment.c_str(),
                  static_cast<long long>(r.customers), 100.0 * r.share, r.orders, r.revenue,
                  r.average_order_value, r.mean_recency, r.mean_frequency, r.mean_monetary);
    out << line;
  }
  for (const auto& [name, d] : {std::pair{"recency", &s.recency}, std::pair{"frequency", &s.frequency},
                                std::pair{"monetary", &s.monetary}}) {
    if (d->collapsed_bins.empty()) continue;
    out << "  No customer has " << name << " score " << join(d->collapsed_bins)
        << ": tied values share one score (" << name << " cut points "
        << join(d->breakpoints) << ").\n";
  }
}

[[maybe_unused]] const bool demo_registered = register_demo_section({10, "RFM segments", demo});

}  // namespace
}  // namespace patron_cli
