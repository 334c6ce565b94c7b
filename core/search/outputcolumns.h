#pragma once

// Per-sample outputs of one exit as the session store keeps them, and their binary form there.

#include "policy/exitpolicy.h"

#include <cstdint>
#include <vector>

namespace earlybird {

// Per-sample outputs of the session's exits, kept in the store beside the candidates so that a finished session opens
// without its data or backbone: each exit (a trained branch at its position, or the backbone's final classifier) with
// its three confidences and its prediction for every validation and test sample, and the labels once. The frozen
// backbone makes them independent of the other exits, so every candidate is assembled from them exactly.
struct ExitColumns {
    std::vector<float> confidence[3]; // by ConfidenceMeasure (calibrated ones when calibration.applied)
    std::vector<std::int32_t> predictions;
    ExitCalibration calibration; // on this split
};
struct StoredExit {
    ExitColumns validation;
    ExitColumns test;
};

// Exit `exit`'s column of `outcomes`.
ExitColumns exitColumns(const ExitOutcomes& outcomes, int exit);

// The binary form: a sample count (int64), then three float confidences per sample (by measure) and an int32
// prediction per sample, then the calibration as four doubles (temperature, ECE before and after, applied as 0 or 1;
// stores written before calibration existed end before them), little-endian as this machine writes them. Labels: a
// count, then int32 labels. The decoders return false when the size does not add up, the count is beyond what a store
// holds, or the temperature is outside what an exit may have.
std::vector<std::uint8_t> encodeColumns(const ExitColumns& columns);
std::vector<std::uint8_t> encodeLabels(const std::vector<std::int32_t>& labels);
bool decodeColumns(const std::vector<std::uint8_t>& bytes, ExitColumns& columns);
bool decodeLabels(const std::vector<std::uint8_t>& bytes, std::vector<std::int32_t>& labels);

} // namespace earlybird
