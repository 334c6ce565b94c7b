#pragma once

// One exit's per-sample results on a split as the experiment keeps them: computed once from the exit's logits, with
// the calibrated confidences beside the raw ones, so that turning calibration on or off never runs a model.
// Torch-free: the logits come in by forward declaration.

#include "policy/exitpolicy.h"

#include <cstdint>
#include <vector>

namespace at {
class Tensor;
}

namespace earlybird {

struct ExitColumn {
    std::vector<float> measure[3]; // by ConfidenceMeasure, at temperature 1
    std::vector<std::int32_t> predictions;
    // The same confidences at `temperature` (fitted on the validation split); empty when not computed (a branch from
    // a cache file written before calibration existed).
    std::vector<float> calibrated[3];
    double temperature = 1.0;

    bool hasCalibrated() const { return !calibrated[0].empty(); }
};

// The column of `logits` (N x K), with calibrated confidences at `temperature`.
ExitColumn columnFromLogits(const at::Tensor& logits, double temperature);

// One exit's columns on the validation and test splits, its temperature fitted on the validation logits and labels.
struct ExitColumnPair {
    ExitColumn validation;
    ExitColumn test;
};
ExitColumnPair calibratedColumns(const at::Tensor& validationLogits, const at::Tensor& testLogits,
    const std::vector<std::int32_t>& validationLabels);

// The column's raw measures and predictions as one 4 x N tensor (a branch cache file's form), and back.
at::Tensor columnTensor(const ExitColumn& column);
ExitColumn columnFromTensor(const at::Tensor& values);
// The calibrated part as a tensor of 1 + 3 N values (the temperature first), and back onto a column read by
// columnFromTensor; false (the column unchanged) when the tensor does not fit it.
at::Tensor calibrationTensor(const ExitColumn& column);
bool setCalibrationFromTensor(ExitColumn& column, const at::Tensor& values);

// Puts the column into exit `exit` of `outcomes` (labels in the outcomes' order): the calibrated confidences when
// `calibrate` (the column must have them), else the raw ones, with the exit's calibration measured on these labels.
void placeColumn(ExitOutcomes& outcomes, int exit, const ExitColumn& column, const std::vector<std::int32_t>& labels,
    bool calibrate);

} // namespace earlybird
