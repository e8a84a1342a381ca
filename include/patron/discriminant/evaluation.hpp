// Model evaluation: the confusion matrix. Included by patron/discriminant.hpp.
#pragma once

#include <algorithm>
#include <vector>

#include "patron/discriminant/common.hpp"

namespace patron::detail {

inline confusion confusion_matrix(const Eigen::Ref<const Eigen::VectorXi>& y_true,
                                  const Eigen::Ref<const Eigen::VectorXi>& y_pred) {
  constexpr const char* function = "confusion_matrix";
  require_non_empty(function, "y_true", static_cast<std::size_t>(y_true.size()));
  require_same_length(function, "y_true", static_cast<std::size_t>(y_true.size()), "y_pred",
                      static_cast<std::size_t>(y_pred.size()));
  Eigen::VectorXi both(y_true.size() + y_pred.size());
  both << y_true, y_pred;
  const class_labels labels = encode_labels(both);
  confusion out;
  out.classes = labels.classes;
  out.counts = Eigen::MatrixXi::Zero(labels.size(), labels.size());
  const auto n = static_cast<std::size_t>(y_true.size());
  for (std::size_t i = 0; i < n; ++i) ++out.counts(labels.index[i], labels.index[n + i]);
  return out;
}

}  // namespace patron::detail
