#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <vector>

namespace earlybird {

// Indices into a training split: the images to train on, and the held-out images that thresholds are tuned on.
// The test split is never part of this; it is only ever reported.
struct ValidationSplit {
    std::vector<std::int64_t> train;
    std::vector<std::int64_t> validation;
};

// Holds out `fraction` of each class (rounded, at least one image of each class with two or more) as validation.
// Deterministic for a given label list, fraction and seed; both index lists are sorted. Throws ConfigError for a
// fraction outside [0, 1).
ValidationSplit makeValidationSplit(
    const std::vector<std::int64_t>& labels, int numClasses, double fraction, std::uint64_t seed);

// The split of a training set: its own validation images if it has them (Dataset::ownValidationFrom: an image
// folder's val/, NumPy's x_val), else makeValidationSplit over its labels.
ValidationSplit validationSplitOf(const Dataset& train, double fraction, std::uint64_t seed);

} // namespace earlybird
