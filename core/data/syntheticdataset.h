#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <string>

namespace earlybird {

// Settings of the seeded synthetic data set: each class is a few coloured blobs at class-specific places, and each
// image one of them shifted by a few pixels, rescaled in brightness and noised, so it is learnable but not trivial.
struct SyntheticOptions {
    int classes = 10;
    ImageShape shape { 1, 28, 28 };
    std::int64_t trainCount = 2000;
    std::int64_t testCount = 500;
    std::uint64_t seed = 1;
};

// Settings from text such as "classes=4,train=600,test=200,shape=3x32x32,seed=7" (the --path of the synthetic kind).
// Throws ConfigError for a malformed spec.
SyntheticOptions parseSyntheticOptions(const std::string& spec);

// Throws ConfigError for impossible settings (no classes, empty or huge images, negative counts).
void validateSyntheticOptions(const SyntheticOptions& options);

// A seeded, learnable data set: the same options give the same images on every machine. Both splits share the
// class prototypes (drawn from the seed) and differ in the images drawn from them. Classes are balanced.
Dataset makeSyntheticDataset(const SyntheticOptions& options, Split split);

} // namespace earlybird
