#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <vector>

namespace earlybird {

// Per-channel mean and standard deviation of pixel values scaled to [0, 1].
struct ChannelStats {
    std::vector<float> mean;
    std::vector<float> std;
};

// Statistics over the images `indices` of `dataset` (all images when `indices` is null). Normalisation uses the
// statistics of the training images only, so nothing about validation or test leaks into the model.
ChannelStats computeChannelStats(const Dataset& dataset, const std::vector<std::int64_t>* indices = nullptr);

} // namespace earlybird
