#include "data/channelstats.h"

#include <cmath>

namespace earlybird {

ChannelStats computeChannelStats(const Dataset& dataset, const std::vector<std::int64_t>* indices)
{
    const ImageShape shape = dataset.shape();
    const std::int64_t plane = std::int64_t(shape.height) * shape.width;
    // Integer sums are exact: 2^63 / 255^2 is far beyond any data set's pixel count.
    std::vector<std::uint64_t> sum(std::size_t(shape.channels), 0);
    std::vector<std::uint64_t> sumSquares(std::size_t(shape.channels), 0);
    const std::int64_t count = indices ? std::int64_t(indices->size()) : dataset.size();
    for (std::int64_t n = 0; n < count; ++n) {
        const std::uint8_t* image = dataset.image(indices ? (*indices)[std::size_t(n)] : n);
        for (int c = 0; c < shape.channels; ++c) {
            std::uint64_t s = 0, q = 0;
            const std::uint8_t* p = image + c * plane;
            for (std::int64_t i = 0; i < plane; ++i) {
                s += p[i];
                q += std::uint32_t(p[i]) * p[i];
            }
            sum[std::size_t(c)] += s;
            sumSquares[std::size_t(c)] += q;
        }
    }
    ChannelStats stats;
    const double values = double(count) * double(plane);
    for (int c = 0; c < shape.channels; ++c) {
        if (values == 0) {
            stats.mean.push_back(0.0f);
            stats.std.push_back(1.0f);
            continue;
        }
        const double mean = double(sum[std::size_t(c)]) / values / 255.0;
        const double meanSquare = double(sumSquares[std::size_t(c)]) / values / (255.0 * 255.0);
        stats.mean.push_back(float(mean));
        stats.std.push_back(float(std::sqrt(std::max(0.0, meanSquare - mean * mean))));
    }
    return stats;
}

} // namespace earlybird
