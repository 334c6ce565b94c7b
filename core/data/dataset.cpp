#include "data/dataset.h"

#include "base/error.h"

namespace earlybird {

Dataset::Dataset(std::string name, ImageShape shape, std::vector<std::string> classNames,
    std::vector<std::uint8_t> pixels, std::vector<std::int64_t> labels)
    : m_name(std::move(name))
    , m_shape(shape)
    , m_classNames(std::move(classNames))
    , m_pixels(std::move(pixels))
    , m_labels(std::move(labels))
{
    if (m_shape.channels <= 0 || m_shape.height <= 0 || m_shape.width <= 0)
        throw Error(m_name + ": image shape must be positive in every dimension");
    if (m_classNames.empty())
        throw Error(m_name + ": a data set needs at least one class");
    if (std::int64_t(m_pixels.size()) != size() * m_shape.pixelsPerImage())
        throw Error(m_name + ": " + std::to_string(m_pixels.size()) + " pixel values do not make "
            + std::to_string(size()) + " images of " + std::to_string(m_shape.pixelsPerImage()) + " values");
    for (std::size_t i = 0; i < m_labels.size(); ++i) {
        if (m_labels[i] < 0 || m_labels[i] >= numClasses())
            throw Error(m_name + ": image " + std::to_string(i) + " has label " + std::to_string(m_labels[i])
                + ", outside the " + std::to_string(numClasses()) + " classes");
    }
}

std::vector<std::int64_t> Dataset::labelHistogram() const
{
    std::vector<std::int64_t> histogram(m_classNames.size(), 0);
    for (const std::int64_t label : m_labels)
        ++histogram[std::size_t(label)];
    return histogram;
}

void Dataset::setOwnValidationFrom(std::int64_t index)
{
    if (index != -1 && (index < 0 || index >= size()))
        throw Error(m_name + ": its validation split cannot start at image " + std::to_string(index) + " of "
            + std::to_string(size()));
    m_ownValidationFrom = index;
}

void Dataset::append(const Dataset& other)
{
    if (other.m_shape != m_shape || other.m_classNames != m_classNames)
        throw Error(other.m_name + ": cannot be joined with " + m_name + " (different image shape or classes)");
    m_pixels.insert(m_pixels.end(), other.m_pixels.begin(), other.m_pixels.end());
    m_labels.insert(m_labels.end(), other.m_labels.begin(), other.m_labels.end());
}

const EnumNames<Split>& enumNames(Split)
{
    static const EnumNames<Split> names { "split", { { Split::Train, "train" }, { Split::Test, "test" } } };
    return names;
}

} // namespace earlybird
