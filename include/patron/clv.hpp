// Customer lifetime value: closed-form retention CLV, and the buy-till-you-die models
// that say who is still a customer, how much they will buy and what they are worth.
//
//   auto m  = patron::fit_bgnbd(x, t_x, T);                 // BG/NBD (FHL 2005)
//   m.probability_alive(x_i, t_x_i, T_i);                   // P(alive)
//   m.conditional_expected_purchases(39, x_i, t_x_i, T_i);  // E[Y(39) | x, t_x, T]
//   auto gg = patron::fit_gamma_gamma(x, zbar);             // spend per transaction
//
// Conventions (docs/clv.md): rows are customers; x = repeat purchases, t_x = the
// customer's age at the last repeat purchase ("BTYD recency", not the RFM time since
// it), T = age at the end of the calibration period, all in one time unit.
#pragma once

#include "patron/clv/bgnbd.hpp"
#include "patron/clv/gamma_gamma.hpp"
#include "patron/clv/pareto_nbd.hpp"
#include "patron/clv/bgbb.hpp"
