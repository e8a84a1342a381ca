// Summarise the bundled CDNOW sample the way the BG/NBD paper does: 39-week calibration
// period ending 1997-09-30, times in weeks, same-day purchases merged.
#include <patron/core/calendar.hpp>
#include <patron/transactions.hpp>

#include <cstdio>

#include "cdnow_sample.hpp"

int main(int argc, char** argv) {
  const cdnow_log log = read_cdnow(cdnow_path(argc, argv));

  patron::summary_options options;
  options.time_unit = 7.0;
  options.calibration_end = static_cast<double>(patron::days_from_civil(1997, 9, 30));
  const auto s = patron::summarize_transactions(log.customers, log.days, log.amounts, options);

  std::printf("%zu customers; first five (x, t_x, T in weeks, holdout purchases):\n", s.size());
  for (Eigen::Index i = 0; i < 5; ++i)
    std::printf("  customer %lld: x=%g t_x=%.2f T=%.2f holdout=%lld\n", s.customer[i], s.x(i),
                s.t_x(i), s.T(i), static_cast<long long>(s.holdout_transactions(i)));
  return 0;
}
