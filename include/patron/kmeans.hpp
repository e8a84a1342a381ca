// k-means customer segmentation: k-means++ seeding, Lloyd and Hamerly iterations,
// restarts, mini-batch updates, feature scaling and cluster-quality scores.
// Rows are customers (samples), columns are features. Float and double data.
//
//   patron::kmeans_options opt;
//   opt.k = 5;
//   opt.seed = 7;
//   patron::kmeans_model m = patron::kmeans_fit(X, opt);   // X: n x d, rows are customers
//   m.labels, m.centers, m.inertia;   Eigen::VectorXi next = m.predict(X_new);
//
// The objective (MacQueen 1967; Lloyd 1982) is the inertia
//   J = sum_i w_i ||x_i - c_{label_i}||^2,
// minimised by alternating assignment (nearest centre) and update (weighted mean).
// Seeding: greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's
// 2 + floor(ln k) local trials per centre, each centre the candidate that lowers the
// potential most), candidates drawn with probability proportional to w_i D(x_i)^2.
// Hamerly (2010) keeps one upper and one lower distance bound per row and skips rows
// whose nearest centre provably did not change: same result as Lloyd, less work.
// Convergence as in scikit-learn's KMeans: stop when no label changes ("strict"), or
// when sum_j ||c_j^new - c_j^old||^2 <= tol * mean_f Var(x_f).
//
// Determinism: the same seed gives bitwise-identical labels and centres for any
// options.threads. Sums run over fixed chunks of 4096 rows and are reduced in chunk
// order; restart r draws from patron::rng(seed, r).
//
// Empty clusters: a cluster left without weight after an assignment takes the row
// farthest from its own centre (ties: lowest row index), as scikit-learn does; rows
// that are alone in their cluster are not taken. When every row already sits on its
// centre (fewer distinct rows than k) the empty centre stays where it was, and the
// model reports distinct_clusters < k.
//
// Inputs bind to Eigen::Ref<const Matrix<T, Dynamic, Dynamic>>: a column-major matrix
// or column block binds without a copy; a row-major matrix or an expression is copied.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "patron/core/validate.hpp"
#include "patron/kmeans/kernels.hpp"

namespace patron {

enum class kmeans_init {
  k_means_plus_plus,  // greedy k-means++ (default)
  random_rows,        // k distinct rows: uniformly, or with weights in proportion to them
  given_centers,      // options.initial_centers (k x d); restarts are skipped
};

// There is no Elkan (2003) implementation: Hamerly's bounds play the role of
// scikit-learn's algorithm='elkan' (both skip distance computations and give Lloyd's
// result; Hamerly keeps one lower bound per row instead of k). The CLI's
// `--algorithm elkan` is an alias of hamerly, said so in its help.
enum class kmeans_algorithm {
  lloyd,    // full assignment every iteration (default; fastest for small k)
  hamerly,  // distance bounds skip most distance computations; same result
};

struct kmeans_options {
  int k = 8;  // clusters, 1 <= k <= rows
  kmeans_init init = kmeans_init::k_means_plus_plus;
  Eigen::MatrixXd initial_centers;  // k x d, used with kmeans_init::given_centers
  kmeans_algorithm algorithm = kmeans_algorithm::lloyd;
  int n_init = 10;      // restarts (>= 1); the lowest inertia wins, the first on ties
  int max_iter = 300;   // iterations per restart (>= 1)
  double tol = 1e-4;    // relative to the mean feature variance (>= 0)
  std::uint64_t seed = 0;
  unsigned threads = 1;  // worker threads (0 = all cores); never changes the result
};

template <class Scalar = double>
struct kmeans_model {
  using matrix_type = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using data_type = Eigen::Ref<const matrix_type>;

  matrix_type centers;      // k x d
  Eigen::VectorXi labels;   // cluster of each training row (empty after mini-batch)
  double inertia = 0.0;     // sum_i w_i ||x_i - c_{label_i}||^2 on the training rows
  int iterations = 0;       // iterations of the winning restart (batches for mini-batch)
  bool converged = false;   // labels stopped changing or centre shift <= tolerance
  int distinct_clusters = 0;  // clusters holding at least one row; < k means the data has
                              // fewer distinct rows than k (or some centres coincide)
  int best_restart = 0;     // restart (0-based) that won

  // Nearest centre of each row of X (ties to the lowest index).
  [[nodiscard]] Eigen::VectorXi predict(const data_type& X) const {
    check_columns("kmeans_model::predict", X);
    Eigen::VectorXi out = Eigen::VectorXi::Constant(X.rows(), -1);
    const Eigen::VectorXd mean = X.template cast<double>().colwise().mean().transpose();
    const Eigen::MatrixXd centred = centers.template cast<double>().transpose().colwise() - mean;
    detail::assign_rows<Scalar>(X, mean, nullptr, detail::prepare_scores<Scalar>(centred), 1, out,
                                nullptr);
    return out;
  }

  // Euclidean distance of each row of X to each centre: n x k.
  [[nodiscard]] matrix_type transform(const data_type& X) const {
    check_columns("kmeans_model::transform", X);
    matrix_type out(X.rows(), centers.rows());
    for (Eigen::Index j = 0; j < centers.rows(); ++j)
      out.col(j) = (X.rowwise() - centers.row(j)).rowwise().norm();
    return out;
  }

  // Minus the inertia of X under this model (scikit-learn's KMeans.score).
  [[nodiscard]] double score(const data_type& X) const {
    const Eigen::VectorXi nearest = predict(X);
    const Eigen::MatrixXd c = centers.template cast<double>();
    double s = 0.0;
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      s += (X.row(i).template cast<double>() - c.row(nearest(i))).squaredNorm();
    return -s;
  }

 private:
  void check_columns(const char* function, const data_type& X) const {
    // A model built by hand or deserialised: without centres every row would be left
    // unassigned (label -1, which score indexes), and a NaN centre compares false with
    // every distance, so its rows went to an arbitrary cluster.
    detail::require_non_empty(function, "centers", static_cast<std::size_t>(centers.rows()));
    detail::require_finite(function, "centers", centers);
    detail::require_non_empty(function, "X", static_cast<std::size_t>(X.rows()));
    if (X.cols() != centers.cols())
      detail::throw_invalid_value(function, "X.cols()", X.cols(),
                                  "must equal the number of centre columns (" +
                                      std::to_string(centers.cols()) + ")");
    // The rows against the centres: their squared distances must not overflow.
    detail::require_distances_in_range<Scalar>(function, "X", X,
                                               detail::require_finite_ranges(function, "X", X),
                                               "centers", centers, static_cast<double>(X.rows()));
  }
};

}  // namespace patron

// The implementation needs the complete option and model types above.
#include "patron/kmeans/fit.hpp"

namespace patron {

// Fits k-means to the rows of X (n x d, float or double), unweighted.
template <class Derived>
[[nodiscard]] kmeans_model<typename Derived::Scalar> kmeans_fit(const Eigen::MatrixBase<Derived>& X,
                                                                const kmeans_options& options) {
  using T = typename Derived::Scalar;
  return detail::kmeans_fit_impl<T>(X.template cast<T>(), nullptr, 0, options);
}

// Weighted fit: sample_weight (length n, finite, >= 0, positive sum) multiplies each
// row's contribution to the centres, the inertia and the k-means++ draw.
template <class Derived>
[[nodiscard]] kmeans_model<typename Derived::Scalar> kmeans_fit(
    const Eigen::MatrixBase<Derived>& X, const Eigen::Ref<const Eigen::VectorXd>& sample_weight,
    const kmeans_options& options) {
  using T = typename Derived::Scalar;
  return detail::kmeans_fit_impl<T>(X.template cast<T>(), sample_weight.data(),
                                    sample_weight.size(), options);
}

// Greedy k-means++ centres alone (k x d), as scikit-learn's kmeans_plusplus: useful to
// start several algorithms from the same centres.
template <class Derived>
[[nodiscard]] Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic>
kmeans_plus_plus(const Eigen::MatrixBase<Derived>& X, int k, std::uint64_t seed = 0,
                 unsigned threads = 1) {
  using T = typename Derived::Scalar;
  return detail::kmeans_plus_plus_public<T>(X.template cast<T>(), k, seed, threads);
}

// What a minibatch_kmeans has learnt, besides its options: persisted between batches or
// shipped to the process holding the next batch, it resumes the run exactly.
template <class Scalar = double>
struct minibatch_kmeans_state {
  typename kmeans_model<Scalar>::matrix_type centers;  // k x d; empty before the first batch
  Eigen::VectorXd counts;     // total weight each centre has absorbed (k)
  std::int64_t batches = 0;   // batches seen
  double last_inertia = 0.0;  // inertia of the last batch
};

// Mini-batch k-means (Sculley 2010) for data that arrives in batches or does not fit in
// memory: each batch is assigned to the current centres, and every centre moves to the
// weighted mean of all rows it has ever been given:
//   c_j <- (W_j c_j + sum_{batch, label j} w_i x_i) / (W_j + sum_{batch, label j} w_i).
// The first batch (at least k rows) seeds the centres with options.init. Unlike
// scikit-learn, no random reassignment of small clusters is made.
template <class Scalar = double>
class minibatch_kmeans {
 public:
  using matrix_type = typename kmeans_model<Scalar>::matrix_type;

  explicit minibatch_kmeans(kmeans_options options) : options_(std::move(options)) {
    detail::validate_kmeans_options("minibatch_kmeans", options_, std::numeric_limits<Eigen::Index>::max());
  }

  void partial_fit(const Eigen::Ref<const matrix_type>& batch) { update(batch, nullptr, 0); }
  void partial_fit(const Eigen::Ref<const matrix_type>& batch,
                   const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
    update(batch, sample_weight.data(), sample_weight.size());
  }

  [[nodiscard]] std::int64_t batches() const { return batches_; }
  [[nodiscard]] const kmeans_options& options() const { return options_; }
  [[nodiscard]] minibatch_kmeans_state<Scalar> state() const {
    return {centres_, counts_, batches_, last_inertia_};
  }

  // Continues a run from options() and state() of an earlier one; partial_fit on the
  // same batches then gives the same centres bit for bit.
  [[nodiscard]] static minibatch_kmeans resume(kmeans_options options, const minibatch_kmeans_state<Scalar>& state) {
    constexpr const char* f = "minibatch_kmeans::resume";
    minibatch_kmeans out(std::move(options));
    detail::require(state.batches >= 0, f, "state.batches", state.batches, "must be non-negative");
    const Eigen::Index k = state.batches == 0 ? 0 : out.options_.k;
    detail::require(state.centers.rows() == k, f, "state.centers.rows()", state.centers.rows(),
                    state.batches == 0 ? "must be 0 before the first batch" : "must equal options.k");
    detail::require_same_length(f, "state.centers.rows()", static_cast<std::size_t>(k), "state.counts",
                                static_cast<std::size_t>(state.counts.size()));
    detail::require_finite(f, "state.centers", state.centers);
    detail::require_non_negative(f, "state.counts", state.counts);
    detail::require(std::isfinite(state.last_inertia) && state.last_inertia >= 0.0, f, "state.last_inertia",
                    state.last_inertia, "must be finite and non-negative");
    out.centres_ = state.centers;
    out.counts_ = state.counts;
    out.batches_ = state.batches;
    out.last_inertia_ = state.last_inertia;
    return out;
  }
  // Centres so far (no training labels: predict them). inertia is that of the last batch
  // under the centres it was assigned with.
  [[nodiscard]] kmeans_model<Scalar> model() const {
    kmeans_model<Scalar> m;
    m.centers = centres_;
    m.inertia = last_inertia_;
    m.iterations = static_cast<int>(batches_);
    m.distinct_clusters = static_cast<int>((counts_.array() > 0).count());
    return m;
  }

 private:
  void update(const Eigen::Ref<const matrix_type>& batch, const double* w, Eigen::Index w_size) {
    detail::minibatch_step<Scalar>(batch, w, w_size, options_, centres_, counts_, batches_,
                                   last_inertia_);
  }

  kmeans_options options_;
  matrix_type centres_;
  Eigen::VectorXd counts_;  // W_j: total weight each centre has absorbed
  std::int64_t batches_ = 0;
  double last_inertia_ = 0.0;
};

}  // namespace patron

#include "patron/kmeans/quality.hpp"

namespace patron {

// --- preprocessing: features on comparable scales before clustering ----------------

// A fitted per-column affine scaling x -> (x - center) / scale, kept to apply the same
// scaling to new customers.
struct feature_scaling {
  Eigen::VectorXd center;  // per column
  Eigen::VectorXd scale;   // per column, > 0

  template <class Derived>
  [[nodiscard]] Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic> transform(
      const Eigen::MatrixBase<Derived>& X) const {
    check("feature_scaling::transform", X);
    using T = typename Derived::Scalar;
    return ((X.template cast<double>().rowwise() - center.transpose()).array().rowwise() /
            scale.transpose().array())
        .matrix()
        .template cast<T>();
  }

  template <class Derived>
  [[nodiscard]] Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic>
  inverse_transform(const Eigen::MatrixBase<Derived>& Z) const {
    check("feature_scaling::inverse_transform", Z);
    using T = typename Derived::Scalar;
    return ((Z.template cast<double>().array().rowwise() * scale.transpose().array())
                .matrix()
                .rowwise() +
            center.transpose())
        .template cast<T>();
  }

 private:
  template <class Derived>
  void check(const char* fn, const Eigen::MatrixBase<Derived>& X) const {
    // A scaling assembled by hand (or deserialised) is checked as well as the data: a
    // size mismatch would read out of bounds, a zero scale divide by zero.
    detail::require_same_length(fn, "center", static_cast<std::size_t>(center.size()), "scale",
                                static_cast<std::size_t>(scale.size()));
    detail::require_finite(fn, "center", center);
    detail::require_positive(fn, "scale", scale);
    detail::require_non_empty(fn, "X", static_cast<std::size_t>(X.rows()));
    detail::require(X.cols() == center.size(), fn, "X.cols()", X.cols(),
                    "must equal the number of fitted columns");
    detail::require_finite(fn, "X", X);
  }
};

// z-scores (scikit-learn's StandardScaler): center = column mean, scale = population
// standard deviation (divisor n). A constant column is an error, not a silent NaN.
template <class Derived>
[[nodiscard]] feature_scaling fit_standard_scaler(const Eigen::MatrixBase<Derived>& X) {
  detail::check_scaler_input("fit_standard_scaler", X);
  feature_scaling s{Eigen::VectorXd(X.cols()), Eigen::VectorXd(X.cols())};
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    const double variance = detail::column_variance(X, f, s.center(f));
    if (!(variance > 0.0))
      detail::throw_invalid_element("fit_standard_scaler", "column variance",
                                    static_cast<std::size_t>(f), variance,
                                    "must be positive (constant column)");
    if (!std::isfinite(variance))
      detail::throw_invalid_element("fit_standard_scaler", "column variance",
                                    static_cast<std::size_t>(f), variance,
                                    "must be finite (values too large for double)");
    s.scale(f) = std::sqrt(variance);
  }
  return s;
}

// Robust scaling (scikit-learn's RobustScaler): center = median, scale = interquartile
// range q75 - q25 (numpy's linear percentiles). Outlying big spenders do not set the
// scale. A column with zero IQR is an error.
template <class Derived>
[[nodiscard]] feature_scaling fit_robust_scaler(const Eigen::MatrixBase<Derived>& X) {
  detail::check_scaler_input("fit_robust_scaler", X);
  feature_scaling s{Eigen::VectorXd(X.cols()), Eigen::VectorXd(X.cols())};
  std::vector<double> column(static_cast<std::size_t>(X.rows()));
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    for (Eigen::Index i = 0; i < X.rows(); ++i) column[static_cast<std::size_t>(i)] = static_cast<double>(X(i, f));
    s.center(f) = detail::percentile_linear(column, 0.5);
    const double iqr = detail::percentile_linear(column, 0.75) - detail::percentile_linear(column, 0.25);
    if (!(iqr > 0.0))
      detail::throw_invalid_element("fit_robust_scaler", "column interquartile range",
                                    static_cast<std::size_t>(f), iqr, "must be positive");
    if (!std::isfinite(iqr))
      detail::throw_invalid_element("fit_robust_scaler", "column interquartile range",
                                    static_cast<std::size_t>(f), iqr,
                                    "must be finite (values too large for double)");
    s.scale(f) = iqr;
  }
  return s;
}

// log(1 + x) elementwise, for skewed counts and monetary values (parameter-free, so new
// data is transformed the same way). Every value must be > -1.
template <class Derived>
[[nodiscard]] Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic> log1p_features(
    const Eigen::MatrixBase<Derived>& X) {
  using T = typename Derived::Scalar;
  detail::require_each("log1p_features", "X", X,
                       [](T v) { return std::isfinite(static_cast<double>(v)) && v > T(-1); },
                       "must be finite and greater than -1");
  return X.unaryExpr([](T v) { return static_cast<T>(std::log1p(v)); });
}

// --- cluster quality (labels: any integers, one per row; 2 <= clusters <= n - 1) ----

// Mean silhouette over all rows (Rousseeuw 1987), exact: O(n^2 d) time, O(n k) memory.
template <class Derived>
[[nodiscard]] double silhouette_score(const Eigen::MatrixBase<Derived>& X,
                                      const Eigen::Ref<const Eigen::VectorXi>& labels) {
  const auto e = detail::encode_labels("silhouette_score", X, labels);
  return detail::silhouette_of(detail::rows_as_columns(X), e).mean();
}

// Silhouette of each row.
template <class Derived>
[[nodiscard]] Eigen::VectorXd silhouette_samples(const Eigen::MatrixBase<Derived>& X,
                                                 const Eigen::Ref<const Eigen::VectorXi>& labels) {
  const auto e = detail::encode_labels("silhouette_samples", X, labels);
  return detail::silhouette_of(detail::rows_as_columns(X), e);
}

// Mean silhouette of a seeded uniform sample of sample_size distinct rows (computed
// within the sample, as scikit-learn's silhouette_score(sample_size=...)): for large n.
// sample_size >= n uses every row.
template <class Derived>
[[nodiscard]] double silhouette_score_sampled(const Eigen::MatrixBase<Derived>& X,
                                              const Eigen::Ref<const Eigen::VectorXi>& labels,
                                              Eigen::Index sample_size, std::uint64_t seed) {
  const char* fn = "silhouette_score_sampled";
  detail::require(sample_size >= 2, fn, "sample_size", sample_size, "must be at least 2");
  detail::encode_labels(fn, X, labels);
  const auto rows = detail::sample_rows(X.rows(), std::min(sample_size, X.rows()), seed);
  Eigen::MatrixXd sample(X.cols(), static_cast<Eigen::Index>(rows.size()));
  Eigen::VectorXi sample_labels(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    sample.col(static_cast<Eigen::Index>(r)) = X.row(rows[r]).template cast<double>().transpose();
    sample_labels(static_cast<Eigen::Index>(r)) = labels(rows[r]);
  }
  const auto e = detail::encode_labels(fn, sample.transpose(), sample_labels);
  return detail::silhouette_of(sample, e).mean();
}

// Calinski & Harabasz (1974): [sum_l n_l ||m_l - m||^2 / (L - 1)] /
// [sum_i ||x_i - m_{l_i}||^2 / (n - L)]; higher is better; 1 when every row sits on its
// cluster mean (scikit-learn's convention).
template <class Derived>
[[nodiscard]] double calinski_harabasz_score(const Eigen::MatrixBase<Derived>& X,
                                             const Eigen::Ref<const Eigen::VectorXi>& labels) {
  return detail::calinski_harabasz(X, detail::encode_labels("calinski_harabasz_score", X, labels));
}

// Davies & Bouldin (1979): mean over clusters a of max_{b != a} (S_a + S_b) / ||m_a - m_b||,
// S = mean distance of a cluster's rows to its mean; lower is better.
template <class Derived>
[[nodiscard]] double davies_bouldin_score(const Eigen::MatrixBase<Derived>& X,
                                          const Eigen::Ref<const Eigen::VectorXi>& labels) {
  return detail::davies_bouldin(X, detail::encode_labels("davies_bouldin_score", X, labels));
}

// --- choosing k ------------------------------------------------------------------

struct kmeans_sweep_options {
  int k_min = 2;   // >= 2
  int k_max = 10;  // >= k_min, <= rows - 1
  // Rows in the silhouette sample; 0 computes it exactly (O(n^2)). Seeded by options.seed.
  Eigen::Index silhouette_sample_size = 0;
};

struct kmeans_sweep_row {
  int k = 0;
  double inertia = 0.0;
  double silhouette = 0.0;         // higher is better
  double calinski_harabasz = 0.0;  // higher is better
  double davies_bouldin = 0.0;     // lower is better
  int iterations = 0;
  bool converged = false;
  int distinct_clusters = 0;
};

struct kmeans_sweep_result {
  std::vector<kmeans_sweep_row> rows;  // one per k, ascending
  int best_silhouette_k = 0;           // highest silhouette (the smallest k on ties)
  // Elbow of the inertia curve: the k farthest below the chord from the first to the
  // last point, both axes scaled to [0, 1] (Satopaa et al. 2011, "Kneedle"); k_min when
  // fewer than three k are swept.
  int elbow_k = 0;
};

// Fits k-means for every k in [k_min, k_max] with `options` (its k ignored) and scores
// each clustering.
template <class Derived>
[[nodiscard]] kmeans_sweep_result kmeans_sweep(const Eigen::MatrixBase<Derived>& X,
                                               const kmeans_options& options,
                                               const kmeans_sweep_options& sweep = {}) {
  const char* fn = "kmeans_sweep";
  detail::require(sweep.k_min >= 2, fn, "sweep.k_min", sweep.k_min, "must be at least 2");
  detail::require(sweep.k_max >= sweep.k_min, fn, "sweep.k_max", sweep.k_max,
                  "must be at least sweep.k_min");
  detail::require(static_cast<Eigen::Index>(sweep.k_max) <= X.rows() - 1, fn, "sweep.k_max",
                  sweep.k_max, "must be less than the number of rows");
  detail::require(sweep.silhouette_sample_size == 0 || sweep.silhouette_sample_size >= 2, fn,
                  "sweep.silhouette_sample_size", sweep.silhouette_sample_size,
                  "must be 0 (exact) or at least 2");
  kmeans_sweep_result result;
  for (int k = sweep.k_min; k <= sweep.k_max; ++k) {
    kmeans_options o = options;
    o.k = k;
    const auto m = kmeans_fit(X, o);
    kmeans_sweep_row row;
    row.k = k;
    row.inertia = m.inertia;
    row.silhouette = sweep.silhouette_sample_size == 0
                         ? silhouette_score(X, m.labels)
                         : silhouette_score_sampled(X, m.labels, sweep.silhouette_sample_size,
                                                    options.seed);
    row.calinski_harabasz = calinski_harabasz_score(X, m.labels);
    row.davies_bouldin = davies_bouldin_score(X, m.labels);
    row.iterations = m.iterations;
    row.converged = m.converged;
    row.distinct_clusters = m.distinct_clusters;
    result.rows.push_back(row);
  }
  const auto& rows = result.rows;
  result.best_silhouette_k = rows.front().k;
  double best = rows.front().silhouette;
  for (const auto& r : rows)
    if (r.silhouette > best) {
      best = r.silhouette;
      result.best_silhouette_k = r.k;
    }
  result.elbow_k = rows.front().k;
  const double first = rows.front().inertia, last = rows.back().inertia;
  if (rows.size() >= 3 && first > last) {
    double deepest = 0.0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const double x = static_cast<double>(i) / static_cast<double>(rows.size() - 1);
      const double y = (rows[i].inertia - last) / (first - last);
      const double below = (1.0 - x) - y;  // chord from (0, 1) to (1, 0)
      if (below > deepest) {
        deepest = below;
        result.elbow_k = rows[i].k;
      }
    }
  }
  return result;
}

}  // namespace patron
