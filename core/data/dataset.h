#pragma once

#include "base/enumnames.h"

#include <cstdint>
#include <string>
#include <vector>

namespace earlybird {

// The published splits; validation is held out of Train (see validationsplit.h).
enum class Split { Train, Test };
const EnumNames<Split>& enumNames(Split); // "train", "test"

struct ImageShape {
    int channels = 0;
    int height = 0;
    int width = 0;

    std::int64_t pixelsPerImage() const { return std::int64_t(channels) * height * width; }
    bool operator==(const ImageShape& other) const
    {
        return channels == other.channels && height == other.height && width == other.width;
    }
    bool operator!=(const ImageShape& other) const { return !(*this == other); }
};

// One split of an image classification data set, held as the published 8-bit pixels in N x C x H x W order (C, H, W
// per image) plus a class index per image. Pixels stay 8-bit in memory (a quarter of float storage); BatchBuilder
// turns them into normalised float batches when a model needs them.
class Dataset {
public:
    Dataset() = default;
    // Throws Error if the sizes disagree or a label is not a class index.
    Dataset(std::string name, ImageShape shape, std::vector<std::string> classNames, std::vector<std::uint8_t> pixels,
        std::vector<std::int64_t> labels);

    const std::string& name() const { return m_name; }
    ImageShape shape() const { return m_shape; }
    std::int64_t size() const { return std::int64_t(m_labels.size()); }
    bool empty() const { return m_labels.empty(); }
    int numClasses() const { return int(m_classNames.size()); }
    const std::vector<std::string>& classNames() const { return m_classNames; }

    const std::uint8_t* image(std::int64_t index) const { return m_pixels.data() + index * m_shape.pixelsPerImage(); }
    std::int64_t label(std::int64_t index) const { return m_labels[std::size_t(index)]; }
    const std::vector<std::uint8_t>& pixels() const { return m_pixels; }
    const std::vector<std::int64_t>& labels() const { return m_labels; }

    // Number of images per class index 0..numClasses()-1.
    std::vector<std::int64_t> labelHistogram() const;

    // Images from this index to the end are the data set's own validation split (an image folder's val/, NumPy's
    // x_val): thresholds are tuned on them instead of on a share held out of the training images. -1: none.
    std::int64_t ownValidationFrom() const { return m_ownValidationFrom; }
    // Throws Error unless 0 <= index < size() (-1 clears it).
    void setOwnValidationFrom(std::int64_t index);

    // Appends the images of `other`, which must have the same shape and classes (e.g. several CIFAR batches).
    void append(const Dataset& other);

private:
    std::string m_name;
    ImageShape m_shape;
    std::vector<std::string> m_classNames;
    std::vector<std::uint8_t> m_pixels;
    std::vector<std::int64_t> m_labels;
    std::int64_t m_ownValidationFrom = -1;
};

} // namespace earlybird
