// Logistic conversion model by Newton's method (IRLS) with Eigen, scorecard scaling,
// expected value and priority ranking.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "patron/core/parallel.hpp"
#include "patron/core/math_policy.hpp"
#include "patron/core/special.hpp"
#include "patron/core/validate.hpp"

namespace patron {
namespace detail {

inline void require_binary_labels(const char* fn, const char* argument,
                                  const Eigen::Ref<const Eigen::VectorXd>& y) {
  require_each(fn, argument, y, [](double v) { return v == 0.0 || v == 1.0; }, "must be 0 or 1");
}

inline void require_sample_weight(const char* fn, const Eigen::Ref<const Eigen::VectorXd>& w,
                                  Eigen::Index n) {
  if (w.size() == 0) return;
  require_same_length(fn, "sample_weight", static_cast<std::size_t>(w.size()), "y",
                      static_cast<std::size_t>(n));
  require_non_negative(fn, "sample_weight", w);
  const double total = w.sum();
  require(std::isfinite(total), fn, "sum(sample_weight)", total,
          "must be finite (the log-likelihood would overflow)");
  if (!(total > 0)) throw_invalid(fn, "sample_weight must not all be zero");
}

// Rows whose eta is beyond this are fitted as exactly 0 or 1 in double precision
// (e^-37 < 2^-53): a finite maximum likelihood estimate never needs them, so reaching it
// means the coefficients are running off to infinity along a separating direction.
inline constexpr double separation_log_odds = 37.0;

// Rows per block: the block of X and its weighted copy (2 x 20 KB with 10 columns) stay
// in L1/L2 (measured: 256 rows 4% faster than 512, 2048 20% slower).
inline constexpr Eigen::Index logistic_block_rows = 256;
static_assert(logistic_block_rows <= 1000, "a block's product of factors in (1, 2] must not overflow");
// Rows per chunk, the unit of work of a thread; fixed, so sums do not depend on threads.
inline constexpr Eigen::Index logistic_chunk_rows = 32768;
// Rows from which a fit starts from a fit on every 16th block (32 blocks or more).
inline constexpr Eigen::Index logistic_warm_start_rows = 131072;
// The warm start stops at a (fresh) Newton step below 1e-2 (relative): taking it leaves
// beta ~1e-4 from the subsample's optimum, well inside the subsample's sampling error
// (~1e-2), so iterating further would not bring the full fit's start any closer.
inline constexpr double logistic_warm_start_tolerance = 1e-2;

// X'WX by register tiles. The Hessian's entries are dot products of two columns of a
// block; computed one by one (lazyProduct), each multiply-add loads two packets, and the
// loads bound it. A tile of I x J entries keeps I x J packet accumulators in registers
// and loads I + J packets per I x J multiply-adds; then the multiply-adds bound it (Zen 4:
// one of 8 doubles a cycle), so a diagonal tile computes only its lower triangle. The
// accumulators are kept between the blocks of a chunk (stored, not summed, at the end of a
// block: a horizontal sum per entry and block cost as much again) and summed into H once
// per chunk. Eigen's packet functions (its own kernels' building blocks) pick SSE2, AVX or
// AVX-512 as compiled; gcc does not vectorise the sums of a plain loop without -ffast-math.
inline constexpr int xwx_tile_size = 4;

// One block's operands: xw and x column-major with `len` rows and the given column
// strides; `sums` holds a packet of partial sums for entry (i, j) at (j q + i) packets;
// H (column-major, stride h_stride) gets the rows that do not fill a packet.
struct xwx_block {
  const double* xw;
  Eigen::Index xw_stride;
  const double* x;
  Eigen::Index x_stride;
  Eigen::Index len, q;
  double* sums;
  double* H;
  Eigen::Index h_stride;
};

// A packet type is a vector type with attributes that gcc warns are dropped when it is
// a template argument (harmless: Eigen's own headers silence the same warning).
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif
using xwx_packet = Eigen::internal::packet_traits<double>::type;
inline constexpr Eigen::Index xwx_width = Eigen::internal::packet_traits<double>::size;

// Entries (i0 + i, j0 + j) of the block into their packet sums; a diagonal tile (i0 == j0)
// takes only i >= j. The summation order depends on len only.
template <int I, int J, bool diagonal>
void xwx_tile(const xwx_block& blk, Eigen::Index i0, Eigen::Index j0) {
  constexpr auto needed = [](int i, int j) { return !diagonal || i >= j; };
  const auto slot = [&](int i, int j) { return blk.sums + ((j0 + j) * blk.q + i0 + i) * xwx_width; };
  xwx_packet sum[I][J];
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < J; ++j)
      if (needed(i, j)) sum[i][j] = Eigen::internal::ploadu<xwx_packet>(slot(i, j));
  const double* a = blk.xw + i0 * blk.xw_stride;
  const double* b = blk.x + j0 * blk.x_stride;
  Eigen::Index k = 0;
  for (; k + xwx_width <= blk.len; k += xwx_width) {
    xwx_packet bk[J];
    for (int j = 0; j < J; ++j) bk[j] = Eigen::internal::ploadu<xwx_packet>(b + j * blk.x_stride + k);
    for (int i = 0; i < I; ++i) {
      const xwx_packet ak = Eigen::internal::ploadu<xwx_packet>(a + i * blk.xw_stride + k);
      for (int j = 0; j < J; ++j)
        if (needed(i, j)) sum[i][j] = Eigen::internal::pmadd(ak, bk[j], sum[i][j]);
    }
  }
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < J; ++j) {
      if (!needed(i, j)) continue;
      Eigen::internal::pstoreu(slot(i, j), sum[i][j]);
      for (Eigen::Index r = k; r < blk.len; ++r)
        blk.H[(j0 + j) * blk.h_stride + i0 + i] += a[i * blk.xw_stride + r] * b[j * blk.x_stride + r];
    }
}

// H's lower triangle += the packet sums, which are then cleared.
inline void add_xwx_sums(double* sums, Eigen::Index q, double* H, Eigen::Index h_stride) {
  for (Eigen::Index j = 0; j < q; ++j)
    for (Eigen::Index i = j; i < q; ++i) {
      double* slot = sums + (j * q + i) * xwx_width;
      H[j * h_stride + i] += Eigen::internal::predux(Eigen::internal::ploadu<xwx_packet>(slot));
      Eigen::internal::pstoreu(slot, Eigen::internal::pset1<xwx_packet>(0.0));
    }
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

// One tile of `rows` x `columns` (each 1 to xwx_tile_size) at (i0, j0), its sizes made
// template arguments so that the accumulators are registers.
template <int I = xwx_tile_size>
void xwx_tile_of(int rows, int columns, const xwx_block& blk, Eigen::Index i0, Eigen::Index j0) {
  if constexpr (I > 1) {
    if (rows < I) return xwx_tile_of<I - 1>(rows, columns, blk, i0, j0);
  }
  static_assert(xwx_tile_size == 4, "one case per tile width");
  const bool diagonal = i0 == j0;  // then rows == columns
  switch (columns) {
    case 1: return diagonal ? xwx_tile<I, 1, true>(blk, i0, j0) : xwx_tile<I, 1, false>(blk, i0, j0);
    case 2: return diagonal ? xwx_tile<I, 2, true>(blk, i0, j0) : xwx_tile<I, 2, false>(blk, i0, j0);
    case 3: return diagonal ? xwx_tile<I, 3, true>(blk, i0, j0) : xwx_tile<I, 3, false>(blk, i0, j0);
    default: return diagonal ? xwx_tile<I, 4, true>(blk, i0, j0) : xwx_tile<I, 4, false>(blk, i0, j0);
  }
}

// The lower triangle of Xw' X (Xw: X's block scaled by the weights) into the packet sums.
inline void add_xwx(const xwx_block& blk) {
  for (Eigen::Index i0 = 0; i0 < blk.q; i0 += xwx_tile_size)
    for (Eigen::Index j0 = 0; j0 <= i0; j0 += xwx_tile_size)
      xwx_tile_of(static_cast<int>(std::min<Eigen::Index>(xwx_tile_size, blk.q - i0)),
                  static_cast<int>(std::min<Eigen::Index>(xwx_tile_size, blk.q - j0)), blk, i0, j0);
}

// Sums over a set of rows: the negative log-likelihood, its gradient and (when asked for)
// the lower triangle of its Hessian, the largest |eta|, and the sum of eta (finite exactly when
// every row of X read was finite, for the validation fused into the passes).
struct logistic_partial {
  double f = 0, max_abs_eta = 0, eta_sum = 0;
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
};

// A thread's buffers for one block of rows, allocated once per fit.
struct logistic_workspace {
  Eigen::MatrixXd Xw;  // the block of X scaled by the Hessian weights
  Eigen::ArrayXd eta, w, e, one_plus_e, inverse, r, v;
  Eigen::VectorXd xwx_sums;  // X'WX's packet sums over the blocks of a chunk (add_xwx)
  void reserve(Eigen::Index rows, Eigen::Index cols) {
    Xw.resize(rows, cols);
    xwx_sums.setZero(cols * cols * xwx_width);
    for (auto* a : {&eta, &w, &e, &one_plus_e, &inverse, &r, &v}) a->resize(rows);
  }
};

// The rows' weights: sample weight (none: 1) times the class weight c0 or c1.
struct logistic_weights {
  const Eigen::Ref<const Eigen::VectorXd>& sample_weight;
  double c0, c1;
};

// Blocks of rows in [begin, end) (begin a multiple of the block size) whose index is a
// multiple of block_stride: every block, or an evenly spread subsample of them.
inline void logistic_rows(const Eigen::Ref<const Eigen::MatrixXd>& X,
                          const Eigen::Ref<const Eigen::VectorXd>& y, const logistic_weights& weights,
                          const Eigen::VectorXd& beta, bool with_intercept, Eigen::Index begin,
                          Eigen::Index end, Eigen::Index block_stride, bool with_hessian,
                          logistic_workspace& ws, logistic_partial& out) {
  const Eigen::Index p = beta.size(), q = X.cols();
  const double b0 = with_intercept ? beta(0) : 0.0;
  out.f = 0;
  out.max_abs_eta = 0;
  out.eta_sum = 0;
  out.gradient.setZero(p);
  out.hessian.setZero(p, p);
  for (Eigen::Index start = begin; start < end; start += logistic_block_rows) {
    if ((start / logistic_block_rows) % block_stride != 0) continue;
    const Eigen::Index len = std::min(logistic_block_rows, end - start);
    // X is used in place (a block of rows of a column-major X is q contiguous runs), not
    // copied into a design matrix with a column of ones: the intercept's sums are taken apart.
    const auto Xb = X.middleRows(start, len);
    auto eta = ws.eta.head(len);
    auto w = ws.w.head(len);
    auto e = ws.e.head(len);
    auto one_plus_e = ws.one_plus_e.head(len);
    auto inverse = ws.inverse.head(len);
    auto r = ws.r.head(len);
    auto v = ws.v.head(len);
    const auto yb = y.segment(start, len).array();
    eta.matrix().noalias() = Xb * beta.tail(q);
    eta += b0;
    w = weights.c0 + (weights.c1 - weights.c0) * yb;
    if (weights.sample_weight.size() != 0) w *= weights.sample_weight.segment(start, len).array();
    // e = exp(-|eta|) in (0, 1] never overflows: log(1 + e^eta) = max(eta, 0) + log(1 + e),
    // mu = 1/(1 + e) or e/(1 + e), and mu (1 - mu) = e / (1 + e)^2 without cancellation;
    // one division per row.
    e = (-eta.abs()).exp();
    one_plus_e = 1.0 + e;
    inverse = one_plus_e.inverse();
    out.f += (w * (eta.max(0.0) - yb * eta)).sum();
    if (weights.sample_weight.size() == 0) {
      // Without sample weights w is c0 or c1 by class, and a sum of logs is the log of a
      // product (each factor in (1, 2], so at most 2^256 per block): two logs per block
      // instead of one per row (Eigen 3.4 has no vectorised log of doubles), no less
      // accurate than the sum. (1 + y e) is 1 + e on the converted rows, else 1.
      out.f += weights.c0 * std::log(one_plus_e.prod());
      if (weights.c1 != weights.c0)
        out.f += (weights.c1 - weights.c0) * std::log((1.0 + yb * e).prod());
    } else {
      out.f += (w * one_plus_e.log()).sum();
    }
    out.max_abs_eta = std::max(out.max_abs_eta, eta.abs().maxCoeff());
    out.eta_sum += eta.sum();
    r = w * ((eta >= 0).select(inverse, e * inverse) - yb);
    out.gradient.tail(q).noalias() += Xb.transpose() * r.matrix();
    if (with_intercept) out.gradient(0) += r.sum();
    if (!with_hessian) continue;
    v = w * e * inverse.square();
    // X'WX, lower triangle: with a dozen columns, register tiles (add_xwx) beat a blocked
    // matrix product, whose packing costs more than the arithmetic.
    auto Xw = ws.Xw.topRows(len);
    Xw = Xb.array().colwise() * v;
    add_xwx({Xw.data(), Xw.outerStride(), Xb.data(), Xb.outerStride(), len, q, ws.xwx_sums.data(),
             out.hessian.data() + (p - q) * (p + 1), p});
    if (with_intercept) {
      out.hessian(0, 0) += v.sum();
      out.hessian.col(0).tail(q) += Xw.colwise().sum().transpose();
    }
  }
  if (with_hessian) add_xwx_sums(ws.xwx_sums.data(), q, out.hessian.data() + (p - q) * (p + 1), p);
}

// X'WX and the gradient at an accepted beta are sums over the rows of w x_ij x_ik and
// r x_ij with 0 <= w, |r| <= the (finite) row weights: from finite X they overflow only
// when X's entries are too large for double, whatever beta. That is bad input, reported
// as such (as an overflowing sum(sample_weight) is), not as a singular X'WX (which is
// what its LDLT would say). Named: the largest entry of the first column whose X'WX
// diagonal or gradient entry overflowed (or of all X, when only an off-diagonal did).
[[noreturn]] inline void throw_logistic_overflow(const char* fn, const Eigen::Ref<const Eigen::MatrixXd>& X,
                                                 const logistic_partial& at, Eigen::Index offset) {
  Eigen::Index row = 0, column = -1;
  for (Eigen::Index j = 0; j < X.cols() && column < 0; ++j)
    if (!std::isfinite(at.hessian(j + offset, j + offset)) || !std::isfinite(at.gradient(j + offset)))
      column = j;
  if (column < 0)
    X.cwiseAbs().maxCoeff(&row, &column);
  else
    X.col(column).cwiseAbs().maxCoeff(&row);
  throw_invalid(fn, "X(" + std::to_string(row) + ", " + std::to_string(column) + ") (" +
                        format_value(X(row, column)) +
                        ") is too large: X'WX and the gradient overflow double; rescale the "
                        "columns of X");
}

}  // namespace detail

inline logistic_model fit_logistic(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                   const Eigen::Ref<const Eigen::VectorXd>& y,
                                   const logistic_options& options,
                                   const Eigen::Ref<const Eigen::VectorXd>& sample_weight) {
  constexpr const char* fn = "fit_logistic";
  detail::require(std::isfinite(options.l2) && options.l2 >= 0, fn, "options.l2", options.l2,
                  "must be finite and non-negative");
  detail::require(options.max_iterations >= 1, fn, "options.max_iterations", options.max_iterations,
                  "must be at least 1");
  detail::require(std::isfinite(options.tolerance) && options.tolerance > 0, fn, "options.tolerance",
                  options.tolerance, "must be finite and positive");
  if (options.class_weights == class_weighting::explicit_weights) {
    detail::require_positive_scalar(fn, "options.weight_0", options.weight_0);
    detail::require_positive_scalar(fn, "options.weight_1", options.weight_1);
  }
  detail::require_non_empty(fn, "X rows", static_cast<std::size_t>(X.rows()));
  detail::require_same_length(fn, "y", static_cast<std::size_t>(y.size()), "X rows",
                              static_cast<std::size_t>(X.rows()));
  // One vectorised sum instead of a scan per element (y (1 - y) is 0 exactly for 0 and 1);
  // X is checked inside the passes (see below).
  if (!((y.array() * (1.0 - y.array())).abs().sum() == 0.0)) detail::require_binary_labels(fn, "y", y);
  detail::require_sample_weight(fn, sample_weight, y.size());

  const Eigen::Index n = X.rows();
  const bool with_intercept = options.intercept == intercept_term::fit;
  const Eigen::Index offset = with_intercept ? 1 : 0;
  const Eigen::Index p = X.cols() + offset;
  double c0 = 1.0, c1 = 1.0;
  if (options.class_weights == class_weighting::balanced) {
    // scikit-learn's "balanced": n / (2 * count), counts unweighted.
    const double ones = y.sum(), total = static_cast<double>(n);
    c1 = ones > 0 ? total / (2.0 * ones) : 1.0;
    c0 = ones < total ? total / (2.0 * (total - ones)) : 1.0;
  } else if (options.class_weights == class_weighting::explicit_weights) {
    c0 = options.weight_0;
    c1 = options.weight_1;
  }
  const detail::logistic_weights weights{sample_weight, c0, c1};
  // Weighted sums of the labels and of all rows.
  const double sw = sample_weight.size() != 0 ? sample_weight.sum() : static_cast<double>(n);
  const double swy = sample_weight.size() != 0 ? sample_weight.dot(y) : y.sum();
  const double wy = c1 * swy, wsum = wy + c0 * (sw - swy);

  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(p, options.l2);
  if (with_intercept) penalty(0) = 0.0;

  // One pass over the rows gives the penalised negative log-likelihood, its gradient and
  // Hessian at beta, so X is read from memory once per Newton iteration. The rows are cut
  // into fixed chunks whose partial sums are added in chunk order, whatever thread
  // computed them: the result is the same for any options.threads.
  const Eigen::Index chunks = (n + detail::logistic_chunk_rows - 1) / detail::logistic_chunk_rows;
  const std::size_t threads = detail::thread_count(options.threads, static_cast<std::size_t>(chunks));
  std::vector<detail::logistic_partial> partials(static_cast<std::size_t>(chunks));
  std::vector<detail::logistic_workspace> workspaces(static_cast<std::size_t>(threads));
  for (auto& ws : workspaces) ws.reserve(std::min(detail::logistic_block_rows, n), X.cols());
  const auto evaluate = [&](const Eigen::VectorXd& beta, detail::logistic_partial& out,
                            Eigen::Index block_stride, double penalty_scale, bool with_hessian) {
    // Each chunk's partial sums in a workspace of the worker that takes it.
    detail::parallel_for(static_cast<std::size_t>(chunks), threads, [&](std::size_t c, std::size_t worker) {
      const Eigen::Index begin = static_cast<Eigen::Index>(c) * detail::logistic_chunk_rows;
      const Eigen::Index end = std::min(n, begin + detail::logistic_chunk_rows);
      detail::logistic_rows(X, y, weights, beta, with_intercept, begin, end, block_stride,
                            with_hessian, workspaces[worker], partials[c]);
    });
    out = partials[0];
    for (std::size_t c = 1; c < partials.size(); ++c) {
      out.f += partials[c].f;
      out.max_abs_eta = std::max(out.max_abs_eta, partials[c].max_abs_eta);
      out.eta_sum += partials[c].eta_sum;
      out.gradient += partials[c].gradient;
      if (with_hessian) out.hessian.triangularView<Eigen::Lower>() += partials[c].hessian;
    }
    // X is validated here rather than by a read of its own: a non-finite entry makes its
    // row's eta, and so their sum, non-finite (0 * inf is nan). A non-finite sum from
    // finite X (overflow) passes the scan and the fit goes on as before.
    if (!std::isfinite(out.eta_sum)) detail::require_finite(fn, "X", X);
    out.f += 0.5 * penalty_scale * (penalty.array() * beta.array().square()).sum();
    out.gradient.array() += penalty_scale * penalty.array() * beta.array();
    if (with_hessian) {
      out.hessian.triangularView<Eigen::StrictlyUpper>() = out.hessian.transpose();
      out.hessian.diagonal() += penalty_scale * penalty;
    }
  };
  using evaluation = detail::logistic_partial;

  // Newton's method from beta on the blocks selected by block_stride (the penalty scaled
  // to their share of the rows); `current` ends as the evaluation at evaluated_beta.
  // X'WX is a third of a pass, so two kinds of iteration reuse the last factorisation (a
  // chord step, no X'WX in the pass that evaluates its result):
  // - the one after a step below tolerance^(1/3) (relative): beta is then ~|step|^2 from
  //   the optimum and the chord step's error is that times ~|step|, ~tolerance;
  // - with reuse_factorisation, the first: the warm start's factorisation, scaled to all
  //   rows, is within sampling error (~1e-2) of X'WX, as good as a fresh one this far out.
  // Convergence is only declared on a fresh factorisation, so the covariance is X'WX at
  // the estimate; a misjudged chord step costs an iteration, not accuracy.
  evaluation current, trial;
  Eigen::LDLT<Eigen::MatrixXd> ldlt;
  Eigen::Index factorised_stride = 1;  // the block_stride of the rows ldlt factorises
  Eigen::VectorXd evaluated_beta;
  const auto newton = [&](Eigen::VectorXd& beta, Eigen::Index block_stride,
                          bool reuse_factorisation, double tolerance, int& iterations) {
    const double penalty_scale = 1.0 / static_cast<double>(block_stride);
    bool fresh = !reuse_factorisation;
    evaluate(beta, current, block_stride, penalty_scale, fresh);
    evaluated_beta = beta;
    for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
      iterations = iteration;
      if (fresh) {
        if (!current.hessian.allFinite() || !current.gradient.allFinite())
          detail::throw_logistic_overflow(fn, X, current, offset);
        ldlt.compute(current.hessian);
        factorised_stride = block_stride;
        const Eigen::VectorXd d = ldlt.vectorD();
        if (ldlt.info() != Eigen::Success || !(d.minCoeff() > 1e-13 * d.cwiseAbs().maxCoeff()))
          return fit_status::singular;
      }
      if (current.max_abs_eta > detail::separation_log_odds) return fit_status::separation;
      const Eigen::VectorXd step =
          ldlt.solve(current.gradient) *
          (static_cast<double>(block_stride) / static_cast<double>(factorised_stride));
      const double size = step.cwiseAbs().maxCoeff() / (1.0 + beta.cwiseAbs().maxCoeff());
      if (fresh && size <= tolerance) {
        // Newton converges quadratically: this last step is below the tolerance, so taking
        // it without another pass leaves the likelihood and covariance (evaluated one tiny
        // step back) unchanged to working precision.
        beta -= step;
        return fit_status::converged;
      }
      const bool next_fresh = !fresh || !(size * size * size <= tolerance);
      // Step halving keeps every iteration a descent step of the (convex) objective.
      double t = 1.0;
      for (int halving = 0; halving < 40; ++halving, t *= 0.5) {
        evaluate(beta - t * step, trial, block_stride, penalty_scale, next_fresh);
        if (trial.f <= current.f + 1e-12 * std::abs(current.f)) break;
      }
      beta -= t * step;
      std::swap(current, trial);
      evaluated_beta = beta;
      fresh = next_fresh;
    }
    return fit_status::max_iterations;
  };

  logistic_model m;
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  // Starting at the intercept-only fit saves an iteration or two.
  if (with_intercept && wy > 0 && wy < wsum) beta(0) = std::log(wy / (wsum - wy));
  // On many rows, Newton first runs on every 16th block (a sixteenth of the data, spread
  // evenly): its estimate is within sampling error (~1e-2) of the full one, from where
  // the full data need 4 passes instead of 6. Any start gives the same optimum; a failed
  // subsample fit is discarded.
  bool warm = false;
  if (n >= detail::logistic_warm_start_rows) {
    Eigen::VectorXd start = beta;
    int subsample_iterations = 0;
    warm = newton(start, 16, false, detail::logistic_warm_start_tolerance, subsample_iterations) ==
           fit_status::converged;
    if (warm) beta = start;
  }
  m.status = newton(beta, 1, warm, options.tolerance, m.iterations);
  if (m.status == fit_status::max_iterations && current.max_abs_eta > 20.0)
    m.status = fit_status::separation;
  m.gradient_norm = current.gradient.cwiseAbs().maxCoeff();
  m.intercept = with_intercept ? beta(0) : 0.0;
  m.coefficients = beta.tail(X.cols());
  m.log_likelihood =
      -(current.f - 0.5 * (penalty.array() * evaluated_beta.array().square()).sum());
  m.converged = m.status == fit_status::converged;
  if (with_intercept && wy > 0 && wy < wsum) {
    const double rate = wy / wsum;
    m.null_log_likelihood = wy * std::log(rate) + (wsum - wy) * std::log1p(-rate);
  } else if (!with_intercept) {
    m.null_log_likelihood = -wsum * std::log(2.0);
  }
  switch (m.status) {
    case fit_status::converged:
      m.message = "converged";
      break;
    case fit_status::max_iterations:
      m.message = "reached options.max_iterations (" + std::to_string(options.max_iterations) +
                  ") before the Newton step fell below options.tolerance";
      break;
    case fit_status::separation:
      m.message =
          "the classes are (quasi-)completely separated: the maximum likelihood estimate does "
          "not exist (coefficients diverge); set options.l2 > 0 (e.g. 1) or remove the "
          "separating feature";
      break;
    case fit_status::singular:
      m.message =
          "X'WX is singular: the columns of X (with the intercept) are linearly dependent or "
          "constant; drop a column or set options.l2 > 0";
      break;
  }
  const bool inference = m.converged && options.l2 == 0.0 &&
                         options.class_weights == class_weighting::none;
  if (inference) {
    m.covariance = ldlt.solve(Eigen::MatrixXd::Identity(p, p));
    m.standard_error = m.covariance.diagonal().cwiseSqrt();
    m.z = beta.cwiseQuotient(m.standard_error);
    const boost::math::normal_distribution<double, detail::math_policy> standard_normal;
    m.p_value.resize(p);
    for (Eigen::Index j = 0; j < p; ++j)
      m.p_value(j) = 2.0 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(m.z(j))));
  }
  return m;
}

inline Eigen::VectorXd logistic_model::predict_log_odds(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  constexpr const char* fn = "logistic_model::predict_log_odds";
  // A model built by hand or deserialised: a NaN or infinite parameter would make every
  // log-odds NaN or infinite, silently.
  detail::require_finite_scalar(fn, "intercept", intercept);
  detail::require_finite(fn, "coefficients", coefficients);
  if (X.cols() != coefficients.size())
    detail::throw_invalid(fn, "X has " + std::to_string(X.cols()) + " columns but the model has " +
                                  std::to_string(coefficients.size()) + " coefficients");
  detail::require_finite(fn, "X", X);
  return ((X * coefficients).array() + intercept).matrix();
}

inline Eigen::VectorXd logistic_model::predict_probability(
    const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  return (1.0 + (-predict_log_odds(X)).array().exp()).inverse().matrix();
}

inline Eigen::VectorXd scorecard_points(const Eigen::Ref<const Eigen::VectorXd>& log_odds,
                                        const scorecard_scaling& scaling) {
  constexpr const char* fn = "scorecard_points";
  detail::require_finite_scalar(fn, "scaling.base_points", scaling.base_points);
  detail::require_positive_scalar(fn, "scaling.base_odds", scaling.base_odds);
  detail::require_positive_scalar(fn, "scaling.pdo", scaling.pdo);
  detail::require_finite(fn, "log_odds", log_odds);
  const double factor = scaling.pdo / std::log(2.0);
  const double offset = scaling.base_points - factor * std::log(scaling.base_odds);
  return (offset + factor * log_odds.array()).matrix();
}

inline Eigen::VectorXd expected_value(const Eigen::Ref<const Eigen::VectorXd>& probability,
                                      const Eigen::Ref<const Eigen::VectorXd>& deal_value) {
  constexpr const char* fn = "expected_value";
  detail::require_same_length(fn, "probability", static_cast<std::size_t>(probability.size()),
                              "deal_value", static_cast<std::size_t>(deal_value.size()));
  detail::require_each(fn, "probability", probability,
                       [](double v) { return v >= 0.0 && v <= 1.0; }, "must be in [0, 1]");
  detail::require_non_negative(fn, "deal_value", deal_value);
  return probability.cwiseProduct(deal_value);
}

inline std::vector<Eigen::Index> priority_order(const Eigen::Ref<const Eigen::VectorXd>& value) {
  detail::require_finite("priority_order", "value", value);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(value.size()));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return value(a) > value(b); });
  return order;
}

}  // namespace patron
