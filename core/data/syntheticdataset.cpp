#include "data/syntheticdataset.h"

#include "base/error.h"
#include "base/rng.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace earlybird {

namespace {

std::int64_t parseInteger(const std::string& key, const std::string& value)
{
    try {
        std::size_t used = 0;
        const long long parsed = std::stoll(value, &used);
        if (used == value.size())
            return parsed;
    } catch (const std::exception&) {
    }
    throw ConfigError("synthetic data set: '" + key + "' needs a whole number, not '" + value + "'");
}

// Blobs per class prototype: enough that classes overlap in places, so the task is not solved by one pixel.
constexpr int kBlobsPerClass = 3;
// The largest shift of a sample against its prototype, in pixels.
constexpr int kMaxShift = 2;
// Standard deviation of the pixel noise, in 8-bit levels.
constexpr double kNoiseSigma = 24.0;
// Background level of every prototype.
constexpr double kBackground = 30.0;
// Limits that keep a mistyped setting from allocating gigabytes.
constexpr int kMaxSide = 256;
constexpr int kMaxChannels = 4;
constexpr std::int64_t kMaxCount = 1'000'000;

struct Blob {
    double centreY, centreX, sigma;
    std::vector<double> amplitude; // per channel
};

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream)
{
    // SplitMix64 finaliser: neighbouring seeds give unrelated streams.
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::vector<double> makePrototype(const ImageShape& shape, Rng& rng)
{
    std::vector<Blob> blobs(kBlobsPerClass);
    const double side = std::min(shape.height, shape.width);
    for (Blob& blob : blobs) {
        blob.centreY = (0.2 + 0.6 * rng.uniform()) * shape.height;
        blob.centreX = (0.2 + 0.6 * rng.uniform()) * shape.width;
        blob.sigma = (0.08 + 0.12 * rng.uniform()) * side;
        for (int c = 0; c < shape.channels; ++c)
            blob.amplitude.push_back(60.0 + 160.0 * rng.uniform());
    }
    std::vector<double> prototype(std::size_t(shape.pixelsPerImage()), kBackground);
    for (int c = 0; c < shape.channels; ++c) {
        for (int y = 0; y < shape.height; ++y) {
            for (int x = 0; x < shape.width; ++x) {
                double value = kBackground;
                for (const Blob& blob : blobs) {
                    const double dy = y - blob.centreY;
                    const double dx = x - blob.centreX;
                    value += blob.amplitude[std::size_t(c)]
                        * std::exp(-(dy * dy + dx * dx) / (2 * blob.sigma * blob.sigma));
                }
                prototype[(std::size_t(c) * shape.height + y) * shape.width + x] = value;
            }
        }
    }
    return prototype;
}

} // namespace

void validateSyntheticOptions(const SyntheticOptions& options)
{
    if (options.classes < 2 || options.classes > 1000)
        throw ConfigError("synthetic data set: classes must be 2 to 1000, not " + std::to_string(options.classes));
    const ImageShape& s = options.shape;
    if (s.channels < 1 || s.channels > kMaxChannels || s.height < 4 || s.height > kMaxSide || s.width < 4
        || s.width > kMaxSide)
        throw ConfigError("synthetic data set: shape must have 1-4 channels and sides of 4-256 pixels");
    if (options.trainCount < 1 || options.trainCount > kMaxCount || options.testCount < 1
        || options.testCount > kMaxCount)
        throw ConfigError("synthetic data set: train and test counts must be 1 to 1000000");
}

Dataset makeSyntheticDataset(const SyntheticOptions& options, Split split)
{
    validateSyntheticOptions(options);
    const ImageShape shape = options.shape;
    Rng prototypeRng(mixSeed(options.seed, 0));
    std::vector<std::vector<double>> prototypes;
    for (int k = 0; k < options.classes; ++k)
        prototypes.push_back(makePrototype(shape, prototypeRng));

    const std::int64_t count = split == Split::Train ? options.trainCount : options.testCount;
    Rng rng(mixSeed(options.seed, split == Split::Train ? 1 : 2));
    std::vector<std::int64_t> labels(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i)
        labels[std::size_t(i)] = i % options.classes;
    shuffle(labels, rng);

    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count * shape.pixelsPerImage()));
    for (std::int64_t i = 0; i < count; ++i) {
        const std::vector<double>& prototype = prototypes[std::size_t(labels[std::size_t(i)])];
        const int shiftY = int(rng.between(-kMaxShift, kMaxShift));
        const int shiftX = int(rng.between(-kMaxShift, kMaxShift));
        const double gain = 0.8 + 0.4 * rng.uniform();
        std::uint8_t* out = pixels.data() + i * shape.pixelsPerImage();
        for (int c = 0; c < shape.channels; ++c) {
            for (int y = 0; y < shape.height; ++y) {
                const int sy = std::clamp(y - shiftY, 0, shape.height - 1);
                for (int x = 0; x < shape.width; ++x) {
                    const int sx = std::clamp(x - shiftX, 0, shape.width - 1);
                    const double value = gain * prototype[(std::size_t(c) * shape.height + sy) * shape.width + sx]
                        + kNoiseSigma * rng.normal();
                    *out++ = std::uint8_t(std::lround(std::clamp(value, 0.0, 255.0)));
                }
            }
        }
    }
    std::vector<std::string> classNames;
    for (int k = 0; k < options.classes; ++k)
        classNames.push_back("class " + std::to_string(k));
    return Dataset("Synthetic " + nameOf(split), shape, std::move(classNames), std::move(pixels), std::move(labels));
}

SyntheticOptions parseSyntheticOptions(const std::string& spec)
{
    SyntheticOptions options;
    std::size_t start = 0;
    while (start < spec.size()) {
        std::size_t end = spec.find(',', start);
        if (end == std::string::npos)
            end = spec.size();
        const std::string item = spec.substr(start, end - start);
        start = end + 1;
        if (item.empty())
            continue;
        const std::size_t equals = item.find('=');
        if (equals == std::string::npos)
            throw ConfigError("synthetic data set: '" + item + "' is not key=value");
        const std::string key = item.substr(0, equals);
        const std::string value = item.substr(equals + 1);
        if (key == "classes") {
            options.classes = int(parseInteger(key, value));
        } else if (key == "train") {
            options.trainCount = parseInteger(key, value);
        } else if (key == "test") {
            options.testCount = parseInteger(key, value);
        } else if (key == "seed") {
            options.seed = std::uint64_t(parseInteger(key, value));
        } else if (key == "shape") {
            int c = 0, h = 0, w = 0;
            char tail = 0;
            if (std::sscanf(value.c_str(), "%dx%dx%d%c", &c, &h, &w, &tail) != 3)
                throw ConfigError("synthetic data set: shape must be CxHxW, e.g. 3x32x32, not '" + value + "'");
            options.shape = { c, h, w };
        } else {
            throw ConfigError(
                "synthetic data set: unknown setting '" + key + "' (known: classes, train, test, shape, seed)");
        }
    }
    validateSyntheticOptions(options);
    return options;
}

} // namespace earlybird
