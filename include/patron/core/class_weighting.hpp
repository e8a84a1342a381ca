// How classifiers (trees, the logistic lead model) weigh classes. Shared so that a
// binding maps one enum, and `balanced` means the same thing everywhere.
#pragma once

namespace patron {

enum class class_weighting {
  none,              // every class weighs 1 (times sample_weight)
  balanced,          // class k weighs n / (classes present * n_k), scikit-learn's "balanced"
  explicit_weights,  // the options' class_weight gives one weight per class
};

}  // namespace patron
