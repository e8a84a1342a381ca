// Umbrella header: every capability of patron. Include a single capability header
// (patron/rfm.hpp, patron/clv.hpp, ...) instead to keep compile times down.
#pragma once

#include "patron/version.hpp"
#include "patron/core/calendar.hpp"
#include "patron/core/class_weighting.hpp"
#include "patron/core/error.hpp"
#include "patron/core/hypergeometric.hpp"
#include "patron/core/math_policy.hpp"
#include "patron/core/rng.hpp"
#include "patron/core/special.hpp"
#include "patron/core/validate.hpp"
#include "patron/core/optimize.hpp"
#include "patron/transactions.hpp"
#include "patron/rfm.hpp"
#include "patron/kmeans.hpp"
#include "patron/tree.hpp"
#include "patron/discriminant.hpp"
#include "patron/churn.hpp"
#include "patron/clv.hpp"
#include "patron/leads.hpp"
#include "patron/abtest.hpp"
