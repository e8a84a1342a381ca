// Customer lifetime value: who is still a customer, how much will they buy, what are
// they worth. Rows are customers. One model per sub-header (details in patron::detail):
//
//   patron/clv/bgnbd.hpp        BG/NBD, Fader, Hardie & Lee (2005), Marketing Science 24(2)
//   patron/clv/pareto_nbd.hpp   Pareto/NBD, Schmittlein, Morrison & Colombo (1987);
//                               FHL (2005) MATLAB note; DERT from FHL (2005) JMR 42(4)
//   patron/clv/gamma_gamma.hpp  Gamma-Gamma spend, FHL (2005) JMR; Fader & Hardie (2013)
//   patron/clv/bgbb.hpp         BG/BB, Fader, Hardie & Shang (2010), Marketing Science 29(6)
//   patron/clv/formulas.hpp     retention CLV m r / (1 + d - r) and finite sums (Gupta &
//                               Lehmann 2003), CLV from a survival curve, customer
//                               equity, CLV from BG/NBD or Pareto/NBD with Gamma-Gamma
//
// Usage (docs/clv.md):
//   patron::bgnbd_model m = patron::fit_bgnbd(x, t_x, T);     // optional weights, options
//   m.parameters().r; m.report().converged; m.report().standard_errors();
//   m.probability_alive(2, 30.43, 38.86);                      // 0.7266
//   m.conditional_expected_purchases(39, 2, 30.43, 38.86);     // 1.2259
//   patron::gamma_gamma_model g = patron::fit_gamma_gamma(x, zbar);
//   Eigen::VectorXd clv = patron::customer_lifetime_value(m, g, x, t_x, T, zbar);
//
// The BTYD data triple, all in one time unit (e.g. weeks):
//   x   = repeat purchases (purchase periods after the first),
//   t_x = the customer's age at the last repeat purchase ("BTYD recency"; 0 when x = 0),
//         NOT the RFM recency "time since the last purchase", which is T - t_x,
//   T   = the customer's age at the end of the calibration period.
// patron::summarize_transactions (patron/transactions.hpp) produces exactly these.
//
// Fits (fit_bgnbd, fit_pareto_nbd, fit_gamma_gamma, fit_bgbb) compress customers to
// distinct patterns with weights, minimise the per-customer negative log-likelihood
// over log parameters with analytic gradients (patron::minimize), apply the same
// optional L2 penalty (clv_fit_options::l2_penalty), and report convergence and
// standard errors in clv_fit_report. They never throw for non-convergence.
//
// Millions of customers, sharded: patron::btyd_pattern_accumulator (patron/clv/common.hpp)
// collects each shard's distinct (x, t_x, T) patterns with counts, merges shards in any
// order to the batch result, and round-trips through four plain arrays;
// fit_bgnbd(acc.patterns()) equals the fit on the customers' rows.
#pragma once

#include "patron/clv/bgbb.hpp"
#include "patron/clv/bgnbd.hpp"
#include "patron/clv/formulas.hpp"
#include "patron/clv/gamma_gamma.hpp"
#include "patron/clv/pareto_nbd.hpp"
