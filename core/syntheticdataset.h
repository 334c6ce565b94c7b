#pragma once

#include "dataset.h"
#include "datasetspec.h"

namespace earlybird {

// Throws ConfigError for impossible settings (no classes, empty or huge images, negative counts).
void validateSyntheticOptions(const SyntheticOptions& options);

// A seeded, learnable data set: the same options give the same images on every machine. Both splits share the
// class prototypes (drawn from the seed) and differ in the images drawn from them. Classes are balanced.
Dataset makeSyntheticDataset(const SyntheticOptions& options, Split split);

} // namespace earlybird
