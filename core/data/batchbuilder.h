#pragma once

#include "data/channelstats.h"
#include "data/dataset.h"
#include "data/datasetspec.h"

#include <array>
#include <cstdint>
#include <vector>

namespace earlybird {

class Rng;

// Training-time augmentation: a random crop of the image padded by `padding` pixels on each side (the padding is
// black, as in the usual CIFAR recipe) and, where mirror images are the same class, a random horizontal flip.
struct Augmentation {
    int padding = 0;
    bool horizontalFlip = false;

    bool any() const { return padding > 0 || horizontalFlip; }
};

// The usual augmentation for a data set: pad by an eighth of the side (4 px at 32x32, 3 px at 28x28); flip natural
// images and clothes, never digits (a mirrored 2 is not a 2).
Augmentation standardAugmentation(DatasetKind kind, ImageShape shape);

// Turns 8-bit images into normalised float batches, (v / 255 - mean[c]) / std[c], in N x C x H x W order: the layout
// a LibTorch tensor wraps without a copy. A lookup table per channel makes this one load and one store per value.
class BatchBuilder {
public:
    BatchBuilder(const Dataset& dataset, const ChannelStats& stats);

    std::int64_t valuesPerImage() const { return m_dataset->shape().pixelsPerImage(); }

    // Writes images dataset[indices[0 .. count)] to `out`, which holds count * valuesPerImage() floats.
    void fill(const std::int64_t* indices, std::size_t count, float* out) const;
    // The same, each image shifted and flipped independently with draws from `rng`.
    void fillAugmented(
        const std::int64_t* indices, std::size_t count, float* out, const Augmentation& augmentation, Rng& rng) const;
    // Writes the labels of images indices[0 .. count) to `out`.
    void fillLabels(const std::int64_t* indices, std::size_t count, std::int64_t* out) const;

private:
    const Dataset* m_dataset;
    std::vector<std::array<float, 256>> m_lookup; // per channel: normalised value of each 8-bit level
};

} // namespace earlybird
