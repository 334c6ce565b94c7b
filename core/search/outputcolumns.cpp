#include "search/outputcolumns.h"

#include <cstring>

namespace earlybird {

namespace {
// More samples than any store holds: a count beyond it is a corrupt column, not an allocation to attempt.
constexpr std::int64_t kMaxStoredSamples = std::int64_t(1) << 28;
constexpr std::size_t kCalibrationBytes = 4 * sizeof(double);

template <typename T>
void append(std::vector<std::uint8_t>& bytes, const T* values, std::size_t count)
{
    // resize and memcpy, not insert: GCC 12 at -O3 warns (falsely) of an overflow in insert's copy here.
    const std::size_t at = bytes.size();
    bytes.resize(at + count * sizeof(T));
    if (count)
        std::memcpy(bytes.data() + at, values, count * sizeof(T));
}

// The sample count at the head of `bytes`, or -1 when there is none or it is beyond a store.
std::int64_t storedCount(const std::vector<std::uint8_t>& bytes)
{
    std::int64_t n = -1;
    if (bytes.size() >= 8)
        std::memcpy(&n, bytes.data(), 8);
    return n >= 0 && n <= kMaxStoredSamples ? n : -1;
}

} // namespace

std::vector<std::uint8_t> encodeColumns(const ExitColumns& columns)
{
    const std::int64_t n = std::int64_t(columns.predictions.size());
    std::vector<std::uint8_t> bytes;
    bytes.reserve(8 + std::size_t(n) * 16);
    append(bytes, &n, 1);
    for (const std::vector<float>& measure : columns.confidence)
        append(bytes, measure.data(), measure.size());
    append(bytes, columns.predictions.data(), columns.predictions.size());
    const ExitCalibration& c = columns.calibration;
    const double calibration[4] = { c.temperature, c.eceBefore, c.eceAfter, c.applied ? 1.0 : 0.0 };
    append(bytes, calibration, 4);
    return bytes;
}

std::vector<std::uint8_t> encodeLabels(const std::vector<std::int32_t>& labels)
{
    const std::int64_t n = std::int64_t(labels.size());
    std::vector<std::uint8_t> bytes;
    bytes.reserve(8 + labels.size() * 4);
    append(bytes, &n, 1);
    append(bytes, labels.data(), labels.size());
    return bytes;
}

bool decodeColumns(const std::vector<std::uint8_t>& bytes, ExitColumns& columns)
{
    const std::int64_t n = storedCount(bytes);
    const std::size_t plain = 8 + std::size_t(n) * 16; // before calibration existed
    if (n < 0 || (bytes.size() != plain && bytes.size() != plain + kCalibrationBytes))
        return false;
    columns.calibration = ExitCalibration {};
    if (bytes.size() == plain + kCalibrationBytes) {
        double calibration[4];
        std::memcpy(calibration, bytes.data() + plain, kCalibrationBytes);
        if (!(calibration[0] >= kMinTemperature && calibration[0] <= kMaxTemperature)
            || (calibration[3] != 0 && calibration[3] != 1))
            return false;
        columns.calibration = ExitCalibration { calibration[0], calibration[1], calibration[2], calibration[3] == 1 };
    }
    const std::uint8_t* at = bytes.data() + 8;
    for (std::vector<float>& measure : columns.confidence) {
        measure.resize(std::size_t(n));
        std::memcpy(measure.data(), at, std::size_t(n) * 4);
        at += n * 4;
    }
    columns.predictions.resize(std::size_t(n));
    std::memcpy(columns.predictions.data(), at, std::size_t(n) * 4);
    return true;
}

bool decodeLabels(const std::vector<std::uint8_t>& bytes, std::vector<std::int32_t>& labels)
{
    const std::int64_t n = storedCount(bytes);
    if (n < 0 || bytes.size() != 8 + std::size_t(n) * 4)
        return false;
    labels.resize(std::size_t(n));
    std::memcpy(labels.data(), bytes.data() + 8, std::size_t(n) * 4);
    return true;
}

ExitColumns exitColumns(const ExitOutcomes& outcomes, int exit)
{
    ExitColumns columns;
    const std::int64_t n = outcomes.sampleCount();
    for (int m = 0; m < 3; ++m) {
        columns.confidence[m].resize(std::size_t(n));
        for (std::int64_t i = 0; i < n; ++i)
            columns.confidence[m][std::size_t(i)] = outcomes.confidence(ConfidenceMeasure(m), i, exit);
    }
    columns.predictions.resize(std::size_t(n));
    for (std::int64_t i = 0; i < n; ++i)
        columns.predictions[std::size_t(i)] = outcomes.prediction(i, exit);
    columns.calibration = outcomes.calibration(exit);
    return columns;
}

} // namespace earlybird
