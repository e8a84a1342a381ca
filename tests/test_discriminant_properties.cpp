// Properties that hold whatever the data, edge cases and bad input of
// patron/discriminant.hpp. Data are generated with patron::rng (fixed seeds).
#include <patron/core/rng.hpp>
#include <patron/discriminant.hpp>

#include <cmath>
#include <limits>

#include "reference/discriminant/datasets.hpp"
#include "support/close_to.hpp"

namespace {

using Eigen::Index;

struct sample {
  Eigen::MatrixXd X;
  Eigen::VectorXi y;
};

// Three Gaussian classes with different means and scales, labels 2, 5, 9 (not 0..k-1).
sample three_classes(Index rows, Index features, std::uint64_t seed) {
  patron::rng gen(seed);
  sample s{Eigen::MatrixXd(rows, features), Eigen::VectorXi(rows)};
  const int labels[] = {2, 5, 9};
  for (Index i = 0; i < rows; ++i) {
    const int c = static_cast<int>(i % 3);
    s.y(i) = labels[c];
    for (Index j = 0; j < features; ++j)
      s.X(i, j) = gen.normal(1.5 * c * (j % 2 == 0 ? 1.0 : -0.5), 1.0 + 0.5 * c);
  }
  return s;
}

void check_rows_sum_to_one(const Eigen::MatrixXd& p) {
  for (Index i = 0; i < p.rows(); ++i) CHECK_THAT(p.row(i).sum(), close_to(1.0, 1e-14));
  CHECK((p.array() >= 0.0).all());
}

}  // namespace

TEST_CASE("posterior probabilities sum to 1 and are non-negative", "[property]") {
  const sample s = three_classes(300, 4, 11);
  const sample t = three_classes(200, 4, 12);
  for (auto solver : {patron::lda_solver::svd, patron::lda_solver::eigen, patron::lda_solver::lsqr}) {
    patron::lda_options options;
    options.solver = solver;
    check_rows_sum_to_one(patron::fit_lda(s.X, s.y, options).predict_proba(t.X));
  }
  check_rows_sum_to_one(patron::fit_qda(s.X, s.y).predict_proba(t.X));
  check_rows_sum_to_one(patron::lda_leave_one_out(s.X, s.y).posterior);
  check_rows_sum_to_one(patron::qda_leave_one_out(s.X, s.y).posterior);
}

TEST_CASE("LDA predictions do not change when features are rescaled and shifted", "[property]") {
  const sample s = three_classes(240, 5, 21);
  const sample t = three_classes(100, 5, 22);
  Eigen::VectorXd shift(5);
  shift << 100.0, -3.0, 0.0, 1e3, 2.0;
  // The svd solver scales features by their within-class deviation itself, so scales
  // spanning 1e7 leave it unmoved; the eigen solver inverts the covariance, whose
  // condition number grows with the square of the scale range: milder scales for it.
  Eigen::VectorXd wide(5), mild(5);
  wide << 1e-3, 2.0, 1e4, 0.5, 7.0;
  mild << 0.1, 2.0, 10.0, 0.5, 7.0;
  for (auto solver : {patron::lda_solver::svd, patron::lda_solver::eigen}) {
    const Eigen::VectorXd& scale = solver == patron::lda_solver::svd ? wide : mild;
    const Eigen::MatrixXd Xs = (s.X * scale.asDiagonal()).rowwise() + shift.transpose();
    const Eigen::MatrixXd Ts = (t.X * scale.asDiagonal()).rowwise() + shift.transpose();
    patron::lda_options options;
    options.solver = solver;
    const auto a = patron::fit_lda(s.X, s.y, options);
    const auto b = patron::fit_lda(Xs, s.y, options);
    const Eigen::MatrixXd pa = a.predict_proba(t.X), pb = b.predict_proba(Ts);
    for (Index i = 0; i < pa.size(); ++i) CHECK_THAT(pb(i), close_to(pa(i), 1e-8, 1e-13));
    CHECK((a.predict(t.X).array() == b.predict(Ts).array()).all());
    for (Index j = 0; j < a.explained_variance_ratio.size(); ++j)
      CHECK_THAT(b.explained_variance_ratio(j), close_to(a.explained_variance_ratio(j), 1e-9));
  }
}

TEST_CASE("labels come back as given, in ascending class order", "[property]") {
  const sample s = three_classes(90, 3, 3);
  const auto m = patron::fit_lda(s.X, s.y);
  CHECK(m.classes == (Eigen::VectorXi(3) << 2, 5, 9).finished());
  const Eigen::VectorXi predicted = m.predict(s.X);
  CHECK((predicted.array() == 2 || predicted.array() == 5 || predicted.array() == 9).all());
}

TEST_CASE("leave-one-out equals refitting without each row", "[property]") {
  const sample s = three_classes(45, 3, 5);
  const auto lda_cv = patron::lda_leave_one_out(s.X, s.y);
  const auto qda_cv = patron::qda_leave_one_out(s.X, s.y);
  // Priors stay at the full-data class frequencies, as in MASS.
  patron::lda_options lda_options;
  lda_options.priors = {1.0 / 3, 1.0 / 3, 1.0 / 3};
  patron::qda_options qda_options;
  qda_options.priors = lda_options.priors;
  for (Index i = 0; i < s.X.rows(); i += 4) {
    Eigen::MatrixXd X(s.X.rows() - 1, s.X.cols());
    Eigen::VectorXi y(s.X.rows() - 1);
    X << s.X.topRows(i), s.X.bottomRows(s.X.rows() - i - 1);
    y << s.y.head(i), s.y.tail(s.X.rows() - i - 1);
    const Eigen::MatrixXd row = s.X.row(i);
    const Eigen::RowVectorXd lda_p = patron::fit_lda(X, y, lda_options).predict_proba(row);
    const Eigen::RowVectorXd qda_p = patron::fit_qda(X, y, qda_options).predict_proba(row);
    for (Index c = 0; c < 3; ++c) {
      CHECK_THAT(lda_cv.posterior(i, c), close_to(lda_p(c), 1e-10, 1e-15));
      CHECK_THAT(qda_cv.posterior(i, c), close_to(qda_p(c), 1e-10, 1e-15));
    }
  }
}

TEST_CASE("Fisher's rule and the Mahalanobis classifier agree with two-class LDA", "[property]") {
  sample s = three_classes(150, 4, 8);
  for (Index i = 0; i < s.y.size(); ++i) s.y(i) = s.y(i) == 2 ? 0 : 1;
  const auto lda = patron::fit_lda(s.X, s.y);
  const auto fisher = patron::fit_fisher(s.X, s.y);
  CHECK((fisher.predict(s.X).array() == lda.predict(s.X).array()).all());
  // Equal priors: the nearest mean in the Mahalanobis metric is LDA's choice.
  patron::lda_options equal;
  equal.priors = {0.5, 0.5};
  CHECK((patron::fit_mahalanobis(s.X, s.y).predict(s.X).array() ==
         patron::fit_lda(s.X, s.y, equal).predict(s.X).array())
            .all());
}

TEST_CASE("far-away points get finite log posteriors, no overflow", "[edge]") {
  const sample s = three_classes(150, 3, 9);
  const Eigen::MatrixXd far = Eigen::MatrixXd::Constant(2, 3, 1e6);
  const auto lda = patron::fit_lda(s.X, s.y);
  const auto qda = patron::fit_qda(s.X, s.y);
  for (const Eigen::MatrixXd& logp : {lda.predict_log_proba(far), qda.predict_log_proba(far)}) {
    CHECK(logp.allFinite());
    CHECK((logp.array() <= 0.0).all());
    CHECK_THAT(logp.row(0).maxCoeff(), close_to(0.0, 0.0, 1e-12));  // one class wins outright
  }
  check_rows_sum_to_one(qda.predict_proba(far));
}

TEST_CASE("the svd solver handles collinear features; eigen refuses them", "[edge]") {
  sample s = three_classes(120, 3, 10);
  Eigen::MatrixXd X(120, 4);
  X << s.X, s.X.col(0) * 2.0 - s.X.col(1);  // exactly collinear fourth feature
  const auto m = patron::fit_lda(X, s.y);
  CHECK(m.rank == 3);
  const auto reduced = patron::fit_lda(s.X, s.y);
  const Eigen::MatrixXd p = m.predict_proba(X), q = reduced.predict_proba(s.X);
  for (Index i = 0; i < p.size(); ++i) CHECK_THAT(p(i), close_to(q(i), 1e-8, 1e-13));
  patron::lda_options eigen;
  eigen.solver = patron::lda_solver::eigen;
  CHECK_THROWS_AS(patron::fit_lda(X, s.y, eigen), patron::invalid_input);
  eigen.shrinkage = patron::lda_shrinkage::ledoit_wolf;  // shrinkage makes it regular
  CHECK(patron::fit_lda(X, s.y, eigen).predict_proba(X).allFinite());
}

TEST_CASE("float features give a float model close to the double one", "[edge]") {
  const auto d = discriminant_test::load_dataset("iris.csv");
  const Eigen::MatrixXf Xf = d.X.cast<float>();
  const patron::lda_model<float> lf = patron::fit_lda(Xf, d.y);
  const patron::qda_model<float> qf = patron::fit_qda(Xf, d.y);
  const auto ld = patron::fit_lda(d.X, d.y);
  const auto qd = patron::fit_qda(d.X, d.y);
  const Eigen::MatrixXf pl = lf.predict_proba(Xf), pq = qf.predict_proba(Xf);
  const Eigen::MatrixXd dl = ld.predict_proba(d.X), dq = qd.predict_proba(d.X);
  CHECK((pl.cast<double>() - dl).cwiseAbs().maxCoeff() < 1e-4);
  CHECK((pq.cast<double>() - dq).cwiseAbs().maxCoeff() < 1e-4);
  CHECK_THAT(lf.explained_variance_ratio(0), close_to(0.9912, 0.0, 0.00005));
  CHECK(patron::lda_leave_one_out(Xf, d.y).error_rate == 3.0 / 150.0);
}

TEST_CASE("confusion matrix and accuracy", "[edge]") {
  const Eigen::VectorXi truth = (Eigen::VectorXi(6) << 1, 1, 2, 2, 3, 3).finished();
  const Eigen::VectorXi guess = (Eigen::VectorXi(6) << 1, 2, 2, 2, 3, 4).finished();
  const patron::confusion c = patron::confusion_matrix(truth, guess);
  CHECK(c.classes == (Eigen::VectorXi(4) << 1, 2, 3, 4).finished());
  // sklearn.metrics.confusion_matrix([1,1,2,2,3,3], [1,2,2,2,3,4])
  const Eigen::MatrixXi expected =
      (Eigen::MatrixXi(4, 4) << 1, 1, 0, 0, 0, 2, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0).finished();
  CHECK(c.counts == expected);
  CHECK_THAT(patron::accuracy(truth, guess), close_to(4.0 / 6.0, 1e-15));
  CHECK(c.accuracy() == 4.0 / 6.0);
}

TEST_CASE("accuracy rejects a hand-built confusion matrix it cannot divide", "[invalid]") {
  patron::confusion c;
  c.counts = Eigen::MatrixXi::Zero(2, 2);
  CHECK_THROWS_WITH(c.accuracy(), "patron::confusion::accuracy: counts.sum() (0) must be positive");
  c.counts = Eigen::MatrixXi::Ones(2, 3);
  CHECK_THROWS_WITH(c.accuracy(), "patron::confusion::accuracy: counts (2 x 3) must be square");
  c.counts = (Eigen::MatrixXi(2, 2) << 3, 0, -1, 2).finished();
  CHECK_THROWS_WITH(c.accuracy(), "patron::confusion::accuracy: counts(1, 0) (-1) must be non-negative");
}

TEST_CASE("bad training data is rejected with the offending argument", "[invalid]") {
  sample s = three_classes(30, 2, 1);
  const Eigen::VectorXi one_class = Eigen::VectorXi::Constant(30, 4);
  CHECK_THROWS_WITH(patron::fit_lda(s.X, one_class),
                    "patron::fit_lda: y (4) is the only class; discriminant analysis needs at "
                    "least 2 classes");
  CHECK_THROWS_WITH(patron::fit_qda(s.X, one_class), Catch::Contains("at least 2 classes"));
  CHECK_THROWS_WITH(patron::fit_lda(s.X, Eigen::VectorXi(s.y.head(29))),
                    "patron::fit_lda: X rows has 30 elements but y has 29");
  Eigen::MatrixXd bad = s.X;
  bad(7, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(patron::fit_lda(bad, s.y), "patron::fit_lda: X(7, 1) (nan) must be finite");
  bad(7, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(patron::fit_qda(bad, s.y), "patron::fit_qda: X(7, 1) (inf) must be finite");
  CHECK_THROWS_WITH(patron::fit_lda(Eigen::MatrixXd(0, 2), Eigen::VectorXi(0)),
                    "patron::fit_lda: X must not be empty");
  // A class with one row: QDA cannot estimate its covariance.
  Eigen::VectorXi lonely = s.y;
  lonely(0) = 7;
  CHECK_THROWS_WITH(patron::fit_qda(s.X, lonely),
                    "patron::fit_qda: class (7) has 1 row(s); QDA needs at least 2 rows per "
                    "class to estimate its covariance");
  CHECK_THROWS_WITH(patron::qda_leave_one_out(s.X, lonely), Catch::Contains("class (7) has 1 row"));
  CHECK_THROWS_WITH(patron::lda_leave_one_out(s.X, lonely),
                    Catch::Contains("y (7) has a single row"));
}

TEST_CASE("bad options are rejected", "[invalid]") {
  const sample s = three_classes(60, 2, 2);
  patron::lda_options options;
  options.priors = {0.5, -0.2, 0.7};
  CHECK_THROWS_WITH(patron::fit_lda(s.X, s.y, options),
                    "patron::fit_lda: options.priors[1] (-0.20000000000000001) must be finite "
                    "and positive");
  options.priors = {0.5, 0.2, 0.2};
  CHECK_THROWS_WITH(patron::fit_lda(s.X, s.y, options),
                    "patron::fit_lda: options.priors sum to 0.9, not 1");
  options.priors = {0.5, 0.5};
  CHECK_THROWS_WITH(patron::fit_lda(s.X, s.y, options),
                    "patron::fit_lda: options.priors has 2 elements but the classes in y has 3");
  options.priors.clear();
  options.solver = patron::lda_solver::eigen;
  options.shrinkage = patron::lda_shrinkage::fixed;
  options.shrinkage_value = 1.5;
  CHECK_THROWS_WITH(patron::fit_lda(s.X, s.y, options),
                    "patron::fit_lda: options.shrinkage_value (1.5) must be in [0, 1]");
  options.shrinkage_value = -0.1;
  CHECK_THROWS_AS(patron::fit_lda(s.X, s.y, options), patron::invalid_input);
  options.shrinkage_value = 0.5;
  options.solver = patron::lda_solver::svd;
  CHECK_THROWS_WITH(patron::fit_lda(s.X, s.y, options),
                    Catch::Contains("options.shrinkage needs solver eigen or lsqr"));
  CHECK_THROWS_WITH(patron::lda_leave_one_out(s.X, s.y, options),
                    Catch::StartsWith("patron::lda_leave_one_out: options.shrinkage"));
  options = {};
  options.tol = -1;
  CHECK_THROWS_WITH(patron::fit_lda(s.X, s.y, options),
                    "patron::fit_lda: options.tol (-1) must be finite and non-negative");
  patron::qda_options q;
  q.reg_param = 2;
  CHECK_THROWS_WITH(patron::fit_qda(s.X, s.y, q),
                    "patron::fit_qda: options.reg_param (2) must be in [0, 1]");
  q.reg_param = 0;
  q.priors = {0.2, 0.2, 0.2};
  CHECK_THROWS_WITH(patron::fit_qda(s.X, s.y, q), Catch::Contains("options.priors sum to"));
}

TEST_CASE("a rank-deficient class is an error naming the class unless regularised", "[invalid]") {
  sample s = three_classes(60, 3, 4);
  for (Index i = 0; i < s.X.rows(); ++i)
    if (s.y(i) == 5) s.X(i, 2) = s.X(i, 0) + s.X(i, 1);  // class 5 lives on a plane
  CHECK_THROWS_WITH(patron::fit_qda(s.X, s.y),
                    "patron::fit_qda: class (5) covariance has rank 2 < 3 features; set "
                    "options.reg_param > 0 or drop collinear features");
  patron::qda_options q;
  q.reg_param = 0.05;
  const auto m = patron::fit_qda(s.X, s.y, q);
  check_rows_sum_to_one(m.predict_proba(s.X));
  CHECK(m.predict_log_proba(s.X).allFinite());
  // Fewer rows than features in a class is rank deficient too.
  const sample wide = three_classes(9, 4, 4);
  CHECK_THROWS_WITH(patron::fit_qda(wide.X, wide.y), Catch::Contains("class (2) covariance has rank"));
}

TEST_CASE("prediction input is checked against the fitted model", "[invalid]") {
  const sample s = three_classes(60, 3, 6);
  const auto lda = patron::fit_lda(s.X, s.y);
  const auto qda = patron::fit_qda(s.X, s.y);
  const Eigen::MatrixXd narrow = Eigen::MatrixXd::Zero(2, 2);
  CHECK_THROWS_WITH(lda.predict_proba(narrow),
                    "patron::lda_model::predict_proba: X has 2 columns but the model was "
                    "fitted on 3 features");
  CHECK_THROWS_WITH(qda.predict(narrow), Catch::StartsWith("patron::qda_model::predict: X has 2"));
  Eigen::MatrixXd nan = Eigen::MatrixXd::Zero(2, 3);
  nan(1, 2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(lda.transform(nan), "patron::lda_model::transform: X(1, 2) (nan) must be finite");
  CHECK_THROWS_WITH(qda.predict_log_proba(nan), Catch::Contains("X(1, 2) (nan) must be finite"));
  patron::lda_options lsqr;
  lsqr.solver = patron::lda_solver::lsqr;
  CHECK_THROWS_WITH(patron::fit_lda(s.X, s.y, lsqr).transform(s.X),
                    Catch::Contains("solver lsqr computes no discriminant directions"));
  CHECK_THROWS_WITH(patron::fit_fisher(s.X, s.y),
                    "patron::fit_fisher: y (3) distinct labels found; Fisher's discriminant "
                    "needs exactly 2");
  CHECK_THROWS_WITH(patron::confusion_matrix(s.y, Eigen::VectorXi(s.y.head(3))),
                    "patron::confusion_matrix: y_true has 60 elements but y_pred has 3");
  Eigen::MatrixXd lw = Eigen::MatrixXd::Ones(3, 2);
  lw(2, 0) = -std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(patron::ledoit_wolf(lw), "patron::ledoit_wolf: X(2, 0) (-inf) must be finite");
}
