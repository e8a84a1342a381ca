// patron.kmeans: k-means segmentation, scaling and cluster quality
// (include/patron/kmeans.hpp). float32 arrays take the float path without a copy to
// float64; every other dtype is converted to float64.
#include "bind_util_a.hpp"

#include "patron/kmeans.hpp"

namespace patron::python {
namespace {

kmeans_options make_options(int k, kmeans_init init, const py::object& initial_centers,
                            kmeans_algorithm algorithm, int n_init, int max_iter, double tol,
                            std::uint64_t seed, unsigned threads) {
  kmeans_options o;
  o.k = k;
  o.init = init;
  if (!initial_centers.is_none())
    o.initial_centers = as_matrix(as_array_2d<double>(initial_centers, "initial_centers"));
  o.algorithm = algorithm;
  o.n_init = n_init;
  o.max_iter = max_iter;
  o.tol = tol;
  o.seed = seed;
  o.threads = threads;
  return o;
}

const kmeans_options defaults{};

template <class T>
void bind_model(py::module_& m, const char* name) {
  using M = kmeans_model<T>;
  auto X_of = [](const py::object& X) { return as_array_2d<T>(X, "X"); };
  py::class_<M> cls(m, name, "A fitted k-means model (centres k x d, training labels, inertia).");
  cls.def_readonly("centers", &M::centers, "k x d centres")
      .def_readonly("labels", &M::labels, "cluster of each training row (empty after mini-batch)")
      .def_readonly("inertia", &M::inertia, "sum of squared distances to the nearest centre")
      .def_readonly("iterations", &M::iterations, "iterations of the winning restart")
      .def_readonly("converged", &M::converged, "labels stopped changing or shift <= tolerance")
      .def_readonly("distinct_clusters", &M::distinct_clusters, "clusters holding at least one row")
      .def_readonly("best_restart", &M::best_restart, "restart (0-based) that won")
      .def(
          "predict",
          [X_of](const M& self, const py::object& X) {
            const auto a = X_of(X);
            const auto x = as_matrix(a);
            return without_gil([&] { return self.predict(x); });
          },
          py::arg("X"), "Nearest centre of each row of X (ties to the lowest index).")
      .def(
          "transform",
          [X_of](const M& self, const py::object& X) {
            const auto a = X_of(X);
            const auto x = as_matrix(a);
            return without_gil([&] { return self.transform(x); });
          },
          py::arg("X"), "Euclidean distance of each row of X to each centre (n x k).")
      .def(
          "score",
          [X_of](const M& self, const py::object& X) {
            const auto a = X_of(X);
            const auto x = as_matrix(a);
            return without_gil([&] { return self.score(x); });
          },
          py::arg("X"), "Minus the inertia of X under this model (scikit-learn's KMeans.score).");
  def_pickle(cls, &M::centers, &M::labels, &M::inertia, &M::iterations, &M::converged,
             &M::distinct_clusters, &M::best_restart);
}

template <class T>
void bind_minibatch(py::module_& m, const char* name) {
  using B = minibatch_kmeans<T>;
  py::class_<B>(m, name,
                "Mini-batch k-means (Sculley 2010): partial_fit batch by batch, then model(). "
                "Picklable: a run moves to the worker holding the next batch and continues exactly.")
      .def(py::init([](int k, kmeans_init init, const py::object& initial_centers,
                       kmeans_algorithm algorithm, int n_init, int max_iter, double tol,
                       std::uint64_t seed, unsigned threads) {
             return B(make_options(k, init, initial_centers, algorithm, n_init, max_iter, tol, seed,
                                   threads));
           }),
           py::kw_only(), py::arg("k") = defaults.k, py::arg("init") = defaults.init,
           py::arg("initial_centers") = py::none(), py::arg("algorithm") = defaults.algorithm,
           py::arg("n_init") = defaults.n_init, py::arg("max_iter") = defaults.max_iter,
           py::arg("tol") = defaults.tol, py::arg("seed") = defaults.seed,
           py::arg("threads") = defaults.threads, "Options as in kmeans_fit.")
      .def(
          "partial_fit",
          [](B& self, const py::object& batch, const py::object& sample_weight) {
            const auto a = as_array_2d<T>(batch, "batch");
            const auto x = as_matrix(a);
            const Eigen::VectorXd w = as_optional_weights(sample_weight, "sample_weight");
            py::gil_scoped_release release;
            if (w.size() == 0) self.partial_fit(x);
            else self.partial_fit(x, w);
          },
          py::arg("batch"), py::arg("sample_weight") = py::none(),
          "Assign a batch to the current centres and move them (the first batch seeds them).")
      .def_property_readonly("batches", &B::batches, "batches seen so far")
      .def("model", &B::model, "The centres so far as a model (no training labels).")
      .def(py::pickle(
          [](const B& self) {
            const kmeans_options& o = self.options();
            const auto st = self.state();
            const py::object centres = o.initial_centers.size() == 0 ? py::none() : py::cast(o.initial_centers);
            return py::make_tuple(o.k, o.init, centres, o.algorithm, o.n_init, o.max_iter, o.tol, o.seed, o.threads,
                                  st.centers, st.counts, st.batches, st.last_inertia);
          },
          [](const py::tuple& state) {
            const auto t = state_tuple(state, 13, "MinibatchKMeans");
            const kmeans_options o =
                make_options(t[0].cast<int>(), t[1].cast<kmeans_init>(), t[2], t[3].cast<kmeans_algorithm>(),
                             t[4].cast<int>(), t[5].cast<int>(), t[6].cast<double>(), t[7].cast<std::uint64_t>(),
                             t[8].cast<unsigned>());
            return B::resume(o, {t[9].cast<typename B::matrix_type>(), t[10].cast<Eigen::VectorXd>(),
                                 t[11].cast<std::int64_t>(), t[12].cast<double>()});
          }));
}

template <class Derived>
py::object fit(const Eigen::MatrixBase<Derived>& x, const Eigen::VectorXd& w, const kmeans_options& o) {
  return py::cast(without_gil([&] { return w.size() == 0 ? kmeans_fit(x, o) : kmeans_fit(x, w, o); }));
}

// The cluster-quality scores, float or double X, integer labels.
template <class Score>
void def_quality(py::module_& m, const char* name, Score score, const char* doc) {
  m.def(
      name,
      [score](const py::object& X, const py::object& labels) {
        const Eigen::VectorXi y = as_labels(labels, "labels");
        return with_matrix(X, "X", [&](const auto& x) {
          return py::cast(without_gil([&] { return score(x, y); }));
        });
      },
      py::arg("X"), py::arg("labels"), doc);
}

}  // namespace

void bind_kmeans(py::module_& parent) {
  auto m = parent.def_submodule("kmeans", "k-means customer segmentation, feature scaling and "
                                          "cluster quality.");

  py::enum_<kmeans_init>(m, "Init", "How the centres are seeded.")
      .value("k_means_plus_plus", kmeans_init::k_means_plus_plus, "greedy k-means++ (default)")
      .value("random_rows", kmeans_init::random_rows, "k distinct rows drawn uniformly")
      .value("given_centers", kmeans_init::given_centers, "initial_centers (k x d); no restarts")
      .export_values();
  py::enum_<kmeans_algorithm>(m, "Algorithm", "Assignment algorithm (same result).")
      .value("lloyd", kmeans_algorithm::lloyd, "full assignment every iteration (default)")
      .value("hamerly", kmeans_algorithm::hamerly, "distance bounds skip most distances")
      .export_values();

  bind_model<double>(m, "KMeansModel");
  bind_model<float>(m, "KMeansModelFloat32");
  bind_minibatch<double>(m, "MinibatchKMeans");
  bind_minibatch<float>(m, "MinibatchKMeansFloat32");

  m.def(
      "kmeans_fit",
      [](const py::object& X, const py::object& sample_weight, int k, kmeans_init init,
         const py::object& initial_centers, kmeans_algorithm algorithm, int n_init, int max_iter,
         double tol, std::uint64_t seed, unsigned threads) {
        const kmeans_options o =
            make_options(k, init, initial_centers, algorithm, n_init, max_iter, tol, seed, threads);
        const Eigen::VectorXd w = as_optional_weights(sample_weight, "sample_weight");
        return with_matrix(X, "X", [&](const auto& x) { return fit(x, w, o); });
      },
      py::arg("X"), py::kw_only(), py::arg("sample_weight") = py::none(), py::arg("k") = defaults.k,
      py::arg("init") = defaults.init, py::arg("initial_centers") = py::none(),
      py::arg("algorithm") = defaults.algorithm, py::arg("n_init") = defaults.n_init,
      py::arg("max_iter") = defaults.max_iter, py::arg("tol") = defaults.tol,
      py::arg("seed") = defaults.seed, py::arg("threads") = defaults.threads,
      "Fit k-means to the rows of X (float32 -> KMeansModelFloat32, else KMeansModel), "
      "optionally weighted.");

  m.def(
      "kmeans_plus_plus",
      [](const py::object& X, int k, std::uint64_t seed, unsigned threads) {
        return with_matrix(X, "X", [&](const auto& x) {
          return py::cast(without_gil([&] { return kmeans_plus_plus(x, k, seed, threads); }));
        });
      },
      py::arg("X"), py::arg("k"), py::arg("seed") = 0, py::arg("threads") = 1,
      "Greedy k-means++ centres alone (k x d), as scikit-learn's kmeans_plusplus.");

  py::class_<feature_scaling> scaling(m, "FeatureScaling",
                                      "A fitted per-column scaling x -> (x - center) / scale.");
  scaling.def(py::init([](const py::object& center, const py::object& scale) {
                return feature_scaling{as_vector(as_array_1d<double>(center, "center")),
                                       as_vector(as_array_1d<double>(scale, "scale"))};
              }),
              py::arg("center"), py::arg("scale"), "A scaling from its center and scale columns.")
      .def_readonly("center", &feature_scaling::center, "per-column centre")
      .def_readonly("scale", &feature_scaling::scale, "per-column scale (> 0)");
  scaling
      .def(
          "transform",
          [](const feature_scaling& s, const py::object& X) {
            return with_matrix(X, "X", [&](const auto& x) { return py::cast(s.transform(x)); });
          },
          py::arg("X"), "(X - center) / scale, float32 for float32 X, else float64.")
      .def(
          "inverse_transform",
          [](const feature_scaling& s, const py::object& Z) {
            return with_matrix(Z, "Z", [&](const auto& z) { return py::cast(s.inverse_transform(z)); });
          },
          py::arg("Z"), "Z * scale + center, float32 for float32 Z, else float64.");
  def_pickle(scaling, &feature_scaling::center, &feature_scaling::scale);

  m.def(
      "fit_standard_scaler",
      [](const py::object& X) {
        return with_matrix(X, "X", [](const auto& x) { return py::cast(fit_standard_scaler(x)); });
      },
      py::arg("X"), "z-scores: column mean and population standard deviation (StandardScaler).");
  m.def(
      "fit_robust_scaler",
      [](const py::object& X) {
        return with_matrix(X, "X", [](const auto& x) { return py::cast(fit_robust_scaler(x)); });
      },
      py::arg("X"), "Median and interquartile range per column (RobustScaler).");
  m.def(
      "log1p_features",
      [](const py::object& X) {
        return with_matrix(X, "X", [](const auto& x) { return py::cast(log1p_features(x)); });
      },
      py::arg("X"), "log(1 + x) elementwise, in X's dtype; every value must be > -1.");

  def_quality(m, "silhouette_score",
              [](const auto& x, const Eigen::VectorXi& y) { return silhouette_score(x, y); },
              "Mean silhouette over all rows (exact, O(n^2 d)).");
  def_quality(m, "silhouette_samples",
              [](const auto& x, const Eigen::VectorXi& y) { return silhouette_samples(x, y); },
              "Silhouette of each row.");
  def_quality(m, "calinski_harabasz_score",
              [](const auto& x, const Eigen::VectorXi& y) { return calinski_harabasz_score(x, y); },
              "Calinski-Harabasz score (higher is better).");
  def_quality(m, "davies_bouldin_score",
              [](const auto& x, const Eigen::VectorXi& y) { return davies_bouldin_score(x, y); },
              "Davies-Bouldin score (lower is better).");
  m.def(
      "silhouette_score_sampled",
      [](const py::object& X, const py::object& labels, Eigen::Index sample_size, std::uint64_t seed) {
        const Eigen::VectorXi y = as_labels(labels, "labels");
        return with_matrix(X, "X", [&](const auto& x) {
          return py::cast(without_gil([&] { return silhouette_score_sampled(x, y, sample_size, seed); }));
        });
      },
      py::arg("X"), py::arg("labels"), py::arg("sample_size"), py::arg("seed") = 0,
      "Mean silhouette of a seeded sample of sample_size distinct rows.");

  using row = kmeans_sweep_row;
  py::class_<row> sweep_row(m, "KMeansSweepRow", "One k of a sweep: inertia and quality scores.");
  sweep_row.def_readonly("k", &row::k)
      .def_readonly("inertia", &row::inertia)
      .def_readonly("silhouette", &row::silhouette)
      .def_readonly("calinski_harabasz", &row::calinski_harabasz)
      .def_readonly("davies_bouldin", &row::davies_bouldin)
      .def_readonly("iterations", &row::iterations)
      .def_readonly("converged", &row::converged)
      .def_readonly("distinct_clusters", &row::distinct_clusters);
  def_pickle(sweep_row, &row::k, &row::inertia, &row::silhouette, &row::calinski_harabasz,
             &row::davies_bouldin, &row::iterations, &row::converged, &row::distinct_clusters);
  py::class_<kmeans_sweep_result> sweep_result(m, "KMeansSweepResult",
                                               "One row per k, the best-silhouette k and the elbow k.");
  sweep_result.def_readonly("rows", &kmeans_sweep_result::rows, "one per k, ascending")
      .def_readonly("best_silhouette_k", &kmeans_sweep_result::best_silhouette_k)
      .def_readonly("elbow_k", &kmeans_sweep_result::elbow_k);
  def_pickle(sweep_result, &kmeans_sweep_result::rows, &kmeans_sweep_result::best_silhouette_k,
             &kmeans_sweep_result::elbow_k);

  const kmeans_sweep_options sweep_defaults{};
  m.def(
      "kmeans_sweep",
      [](const py::object& X, int k_min, int k_max, Eigen::Index silhouette_sample_size,
         kmeans_init init, const py::object& initial_centers, kmeans_algorithm algorithm, int n_init,
         int max_iter, double tol, std::uint64_t seed, unsigned threads) {
        const kmeans_options o = make_options(defaults.k, init, initial_centers, algorithm, n_init,
                                              max_iter, tol, seed, threads);
        const kmeans_sweep_options sweep{k_min, k_max, silhouette_sample_size};
        return with_matrix(X, "X", [&](const auto& x) {
          return py::cast(without_gil([&] { return kmeans_sweep(x, o, sweep); }));
        });
      },
      py::arg("X"), py::kw_only(), py::arg("k_min") = sweep_defaults.k_min,
      py::arg("k_max") = sweep_defaults.k_max,
      py::arg("silhouette_sample_size") = sweep_defaults.silhouette_sample_size,
      py::arg("init") = defaults.init, py::arg("initial_centers") = py::none(),
      py::arg("algorithm") = defaults.algorithm, py::arg("n_init") = defaults.n_init,
      py::arg("max_iter") = defaults.max_iter, py::arg("tol") = defaults.tol,
      py::arg("seed") = defaults.seed, py::arg("threads") = defaults.threads,
      "Fit k-means for every k in [k_min, k_max] and score each clustering.");
}

}  // namespace patron::python
