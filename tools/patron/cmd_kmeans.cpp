// patron kmeans: segment the rows of a features CSV (patron/kmeans.hpp), or sweep k;
// and the "k-means segments" section of patron demo.
#include <patron/kmeans.hpp>
#include <patron/transactions.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "csv.hpp"
#include "demo_data.hpp"

namespace patron_cli {
namespace {

struct feature_input {
  std::vector<std::string> names;
  Eigen::MatrixXd X;                 // rows as in the file
  std::vector<std::string> row_ids;  // --id-column values, or 1-based row numbers
};

feature_input read_features(const arguments& args) {
  const csv_table csv = read_csv_file(args.positional(0, "FILE"));
  if (csv.size() == 0) throw usage_error(csv.source + ": no data rows");
  feature_input in;
  const std::string id_column = args.text("id-column");
  if (args.has("columns")) {
    in.names = split_list(args.text("columns"));
  } else {
    for (const auto& name : csv.header)
      if (name != id_column) in.names.push_back(name);
  }
  if (in.names.empty()) throw usage_error("no feature columns");
  in.X.resize(static_cast<Eigen::Index>(csv.size()), static_cast<Eigen::Index>(in.names.size()));
  for (std::size_t f = 0; f < in.names.size(); ++f) {
    const std::size_t col = csv.column(in.names[f]);
    for (std::size_t r = 0; r < csv.size(); ++r)
      in.X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(f)) = csv.number(r, col);
  }
  if (id_column.empty()) {
    for (std::size_t r = 0; r < csv.size(); ++r) in.row_ids.push_back(std::to_string(r + 1));
  } else {
    in.row_ids = csv.texts(csv.column(id_column));
  }
  return in;
}

int int_option(const arguments& args, const std::string& name, long long fallback) {
  const long long v = args.integer(name, fallback);
  if (v < -1000000000LL || v > 1000000000LL)
    throw usage_error("option --" + name + ": " + std::to_string(v) + " is out of range");
  return static_cast<int>(v);
}

patron::kmeans_options fit_options(const arguments& args) {
  patron::kmeans_options o;
  o.k = int_option(args, "k", 8);
  o.n_init = int_option(args, "n-init", 10);
  o.max_iter = int_option(args, "max-iter", 300);
  o.tol = args.number("tol", 1e-4);
  const long long seed = args.integer("seed", 0);
  if (seed < 0) throw usage_error("option --seed: " + std::to_string(seed) + " must be non-negative");
  o.seed = static_cast<std::uint64_t>(seed);
  o.threads = args.threads();
  const std::string algorithm = args.text("algorithm", "lloyd");
  if (algorithm == "lloyd") o.algorithm = patron::kmeans_algorithm::lloyd;
  else if (algorithm == "hamerly" || algorithm == "elkan") o.algorithm = patron::kmeans_algorithm::hamerly;
  else throw usage_error("option --algorithm: '" + algorithm + "' is not lloyd or hamerly");
  const std::string init = args.text("init", "k-means++");
  if (init == "k-means++") o.init = patron::kmeans_init::k_means_plus_plus;
  else if (init == "random") o.init = patron::kmeans_init::random_rows;
  else throw usage_error("option --init: '" + init + "' is not k-means++ or random");
  return o;
}

// "2..10" -> {2, 10}
std::pair<int, int> parse_range(const std::string& text) {
  const auto dots = text.find("..");
  auto bad = [&]() { return usage_error("option --sweep: '" + text + "' is not a range like 2..10"); };
  if (dots == std::string::npos) throw bad();
  try {
    std::size_t used_a = 0, used_b = 0;
    const std::string a = text.substr(0, dots), b = text.substr(dots + 2);
    const int low = std::stoi(a, &used_a), high = std::stoi(b, &used_b);
    if (used_a != a.size() || used_b != b.size()) throw bad();
    return {low, high};
  } catch (const std::logic_error&) {
    throw bad();
  }
}

json matrix_json(const Eigen::MatrixXd& m) {
  json rows = json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    json row = json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push(m(r, c));
    rows.push(row);
  }
  return rows;
}

int run_sweep(const arguments& args, const feature_input& in, const Eigen::MatrixXd& X,
              std::ostream& out) {
  const auto [low, high] = parse_range(args.text("sweep"));
  patron::kmeans_sweep_options sweep;
  sweep.k_min = low;
  sweep.k_max = high;
  const long long sample = args.integer("silhouette-sample", X.rows() > 5000 ? 5000 : 0);
  if (sample < 0) throw usage_error("option --silhouette-sample: must be non-negative");
  sweep.silhouette_sample_size = static_cast<Eigen::Index>(sample);
  const auto result = patron::kmeans_sweep(X, fit_options(args), sweep);
  table t({"k", "inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "iterations",
           "converged", "distinct_clusters"});
  for (const auto& r : result.rows)
    t.add_row({static_cast<long long>(r.k), r.inertia, r.silhouette, r.calinski_harabasz,
               r.davies_bouldin, static_cast<long long>(r.iterations),
               std::string(r.converged ? "true" : "false"), static_cast<long long>(r.distinct_clusters)});
  json extra = json::object();
  extra.set("best_silhouette_k", result.best_silhouette_k);
  extra.set("elbow_k", result.elbow_k);
  extra.set("rows_clustered", static_cast<long long>(in.X.rows()));
  write_result(args, out, t, extra);
  return 0;
}

int run(const arguments& args, std::ostream& out) {
  const feature_input in = read_features(args);
  patron::feature_scaling scaling;
  const bool standardize = args.flag("standardize");
  if (standardize) scaling = patron::fit_standard_scaler(in.X);
  const Eigen::MatrixXd X = standardize ? scaling.transform(in.X) : in.X;
  if (args.has("sweep")) return run_sweep(args, in, X, out);

  const auto m = patron::kmeans_fit(X, fit_options(args));
  const Eigen::MatrixXd centers = standardize ? scaling.inverse_transform(m.centers) : m.centers;
  table t({"row", "cluster"});
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    t.add_row({in.row_ids[static_cast<std::size_t>(i)], static_cast<long long>(m.labels(i))});
  json extra = json::object();
  json names = json::array();
  for (const auto& n : in.names) names.push(n);
  extra.set("features", names);
  extra.set("centers", matrix_json(centers));
  extra.set("inertia", m.inertia);
  extra.set("iterations", m.iterations);
  extra.set("converged", m.converged);
  extra.set("distinct_clusters", m.distinct_clusters);
  extra.set("standardized", standardize);
  write_result(args, out, t, extra);
  return 0;
}

std::vector<option_spec> options() {
  return {
      {"k", "K", "number of clusters", "8"},
      {"seed", "N", "random seed (same seed, same result for any --threads)", "0"},
      {"n-init", "N", "k-means++ restarts; the lowest inertia wins", "10"},
      {"algorithm", "NAME", "lloyd or hamerly (elkan is an alias of hamerly: no Elkan implementation)", "lloyd"},
      {"init", "NAME", "k-means++ or random", "k-means++"},
      {"max-iter", "N", "iterations per restart", "300"},
      {"tol", "X", "tolerance relative to the mean feature variance", "0.0001"},
      {"threads", "N", "worker threads (0 = all cores)", "1"},
      {"standardize", "", "z-score the features first (centres reported in input units)", ""},
      {"columns", "A,B,...", "feature columns", "all but --id-column"},
      {"id-column", "NAME", "column naming each row in the output", "row numbers"},
      {"sweep", "LOW..HIGH", "fit every k in the range and score it instead", ""},
      {"silhouette-sample", "N", "rows in the sweep's silhouette sample (0 = exact)",
       "0, or 5000 above 5000 rows"},
  };
}

[[maybe_unused]] const bool registered = register_command(
    {"kmeans", "k-means segments of a features CSV (labels; centres in --json; --sweep k)",
     "patron kmeans FILE [options]\n\nFILE is a CSV with a header and numeric feature columns; "
     "rows are customers.\nOutput: one row per input row with its cluster; --json adds centres "
     "and inertia.\nWith --sweep 2..10: one row per k with inertia, silhouette, "
     "Calinski-Harabasz and Davies-Bouldin.",
     options(), run});

// --- patron demo ---------------------------------------------------------------------

// A cluster's name from its standardised centre: a feature more than a quarter of a
// standard deviation from the average customer contributes a word, a stronger one past
// 1.5 standard deviations.
std::string segment_name(double recency_z, double frequency_z, double spend_z) {
  std::string name;
  auto word = [&](double z, const char* strong_low, const char* low, const char* high,
                  const char* strong_high) {
    const char* w = z < -1.5 ? strong_low : z < -0.25 ? low : z > 1.5 ? strong_high : z > 0.25 ? high : nullptr;
    if (w) name += name.empty() ? w : std::string(", ") + w;
  };
  word(recency_z, "active", "recent", "lapsed", "long gone");
  word(frequency_z, "one-off", "one-off", "repeat", "loyal");
  word(spend_z, "tiny baskets", "small baskets", "big baskets", "premium baskets");
  return name.empty() ? "average" : name;
}

void demo(const demo_data& data, std::ostream& out) {
  patron::summary_options so;
  so.observation_end = data.observation_end;
  const auto s = patron::summarize_transactions(data.customers, data.days, data.amounts, so);
  const auto n = static_cast<Eigen::Index>(s.size());
  Eigen::MatrixXd raw(n, 3);
  for (Eigen::Index i = 0; i < n; ++i) {
    raw(i, 0) = data.observation_end - s.last_purchase(i);  // days since last purchase
    raw(i, 1) = static_cast<double>(s.transactions(i));
    raw(i, 2) = s.mean_spend(i);
  }
  const Eigen::MatrixXd logged = patron::log1p_features(raw);
  const auto scaling = patron::fit_standard_scaler(logged);
  patron::kmeans_options o;
  o.k = 4;
  o.seed = 1;
  const auto m = patron::kmeans_fit(scaling.transform(logged), o);
  const Eigen::MatrixXd centre_logs = scaling.inverse_transform(m.centers);
  char line[256];
  std::snprintf(line, sizeof line,
                "%ld customers clustered on log1p(days since last purchase), log1p(transactions)\n"
                "and log1p(mean spend), z-scored; k = 4, k-means++ with 10 restarts (inertia %.1f).\n",
                static_cast<long>(n), m.inertia);
  out << line;
  out << "  cluster  customers  days since last  transactions  mean spend  segment\n";
  for (Eigen::Index j = 0; j < m.centers.rows(); ++j) {
    const long size = static_cast<long>((m.labels.array() == static_cast<int>(j)).count());
    std::snprintf(line, sizeof line, "  %7ld  %5ld %4.1f%%  %15.0f  %12.1f  %10.2f  %s\n",
                  static_cast<long>(j), size, 100.0 * static_cast<double>(size) / static_cast<double>(n),
                  std::expm1(centre_logs(j, 0)), std::expm1(centre_logs(j, 1)),
                  std::expm1(centre_logs(j, 2)),
                  segment_name(m.centers(j, 0), m.centers(j, 1), m.centers(j, 2)).c_str());
    out << line;
  }
  out << "Centres are shown back on the original scale (geometric-mean-like: expm1 of the mean log).\n";
}

[[maybe_unused]] const bool demo_registered =
    register_demo_section({20, "k-means segments", demo});

}  // namespace
}  // namespace patron_cli
