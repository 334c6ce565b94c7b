#include "data/batchbuilder.h"

#include "base/error.h"
#include "base/rng.h"

namespace earlybird {

Augmentation standardAugmentation(DatasetKind kind, ImageShape shape)
{
    Augmentation augmentation;
    augmentation.padding = std::max(1, std::min(shape.height, shape.width) / 8);
    augmentation.horizontalFlip
        = kind == DatasetKind::Cifar10 || kind == DatasetKind::Cifar100 || kind == DatasetKind::FashionMnist;
    return augmentation;
}

BatchBuilder::BatchBuilder(const Dataset& dataset, const ChannelStats& stats)
    : m_dataset(&dataset)
{
    const int channels = dataset.shape().channels;
    if (int(stats.mean.size()) != channels || int(stats.std.size()) != channels)
        throw ConfigError("normalisation statistics have " + std::to_string(stats.mean.size()) + " channels, the "
            + dataset.name() + " images " + std::to_string(channels));
    m_lookup.resize(std::size_t(channels));
    for (int c = 0; c < channels; ++c) {
        // A constant channel has std 0; dividing by 1 then keeps it finite (and zero after centring).
        const float std = stats.std[std::size_t(c)] > 1e-6f ? stats.std[std::size_t(c)] : 1.0f;
        for (int level = 0; level < 256; ++level)
            m_lookup[std::size_t(c)][std::size_t(level)] = (float(level) / 255.0f - stats.mean[std::size_t(c)]) / std;
    }
}

void BatchBuilder::fill(const std::int64_t* indices, std::size_t count, float* out) const
{
    const ImageShape shape = m_dataset->shape();
    const std::int64_t plane = std::int64_t(shape.height) * shape.width;
    for (std::size_t n = 0; n < count; ++n) {
        const std::uint8_t* image = m_dataset->image(indices[n]);
        for (int c = 0; c < shape.channels; ++c) {
            const float* lookup = m_lookup[std::size_t(c)].data();
            const std::uint8_t* in = image + c * plane;
            for (std::int64_t i = 0; i < plane; ++i)
                out[i] = lookup[in[i]];
            out += plane;
        }
    }
}

void BatchBuilder::fillAugmented(
    const std::int64_t* indices, std::size_t count, float* out, const Augmentation& augmentation, Rng& rng) const
{
    const ImageShape shape = m_dataset->shape();
    const int height = shape.height;
    const int width = shape.width;
    const std::int64_t plane = std::int64_t(height) * width;
    const int pad = augmentation.padding;
    for (std::size_t n = 0; n < count; ++n) {
        const std::uint8_t* image = m_dataset->image(indices[n]);
        // Output pixel (y, x) shows input pixel (y + dy, x' + dx), x' mirrored when flipped; outside is padding.
        const int dy = pad > 0 ? int(rng.between(-pad, pad)) : 0;
        const int dx = pad > 0 ? int(rng.between(-pad, pad)) : 0;
        const bool flip = augmentation.horizontalFlip && rng.coin();
        for (int c = 0; c < shape.channels; ++c) {
            const float* lookup = m_lookup[std::size_t(c)].data();
            const float blank = lookup[0];
            const std::uint8_t* in = image + c * plane;
            for (int y = 0; y < height; ++y) {
                const int sy = y + dy;
                float* row = out + std::int64_t(y) * width;
                if (sy < 0 || sy >= height) {
                    std::fill(row, row + width, blank);
                    continue;
                }
                const std::uint8_t* sourceRow = in + std::int64_t(sy) * width;
                for (int x = 0; x < width; ++x) {
                    const int sx = (flip ? width - 1 - x : x) + dx;
                    row[x] = (sx < 0 || sx >= width) ? blank : lookup[sourceRow[sx]];
                }
            }
            out += plane;
        }
    }
}

void BatchBuilder::fillLabels(const std::int64_t* indices, std::size_t count, std::int64_t* out) const
{
    for (std::size_t n = 0; n < count; ++n)
        out[n] = m_dataset->label(indices[n]);
}

} // namespace earlybird
