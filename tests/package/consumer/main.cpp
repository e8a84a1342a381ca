// Uses patron the way a host program would; exits 0 when the results are right.
#include <patron/patron.hpp>

#include <iostream>
#include <vector>

int main() {
  const std::vector<long long> customers{7, 7, 9};
  const std::vector<double> days{0, 14, 3};
  const std::vector<double> amounts{10, 20, 5};
  patron::summary_options options;
  options.observation_end = 28;
  const auto summary = patron::summarize_transactions(customers, days, amounts, options);
  const bool ok = summary.size() == 2 && summary.x(0) == 1 && summary.T(0) == 28 &&
                  summary.total_spend(0) == 30;
  bool threw = false;
  try {
    (void)patron::summarize_transactions(std::vector<long long>{}, std::vector<double>{},
                                         std::vector<double>{}, options);
  } catch (const patron::invalid_input& e) {
    threw = true;
  }
  std::cout << "patron " << patron::version_string << (ok && threw ? " ok" : " FAILED") << "\n";
  return ok && threw ? 0 : 1;
}
