#pragma once

#include <cstdint>

namespace earlybird {

// How well one exit's confidence says how often it is right, and what temperature scaling does to it. The temperature
// is fitted on the validation split (the one that minimises the negative log-likelihood of the labels under
// softmax(logits / T)); the expected calibration errors are measured on the split the outcomes are of, so the test
// split's are the honest ones.
struct ExitCalibration {
    double temperature = 1.0; // fitted; the exit's logits are divided by it when calibrated
    double eceBefore = -1; // of the max softmax at temperature 1, in [0, 1]; negative: not measured
    double eceAfter = -1; // the same at `temperature`
    bool applied = false; // whether the outcomes' confidences are the calibrated ones

    bool measured() const { return eceBefore >= 0 && eceAfter >= 0; }
    // The temperature the exit's logits are divided by in the outcomes (1 when not applied).
    double appliedTemperature() const { return applied ? temperature : 1.0; }
    bool operator==(const ExitCalibration& other) const
    {
        return temperature == other.temperature && eceBefore == other.eceBefore && eceAfter == other.eceAfter
            && applied == other.applied;
    }
};

// Bins of the expected calibration error, as Guo et al. (2017) measure it.
constexpr int kCalibrationBins = 15;

// The expected calibration error of `n` predictions: samples binned by their top-1 probability `maxSoftmax` into
// `bins` equal-width bins of (0, 1], then the sample-weighted mean over bins of |accuracy - mean confidence|. In
// [0, 1]; 0 for no samples.
double expectedCalibrationError(const float* maxSoftmax, const std::int32_t* predictions, const std::int32_t* labels,
    std::int64_t n, int bins = kCalibrationBins);

} // namespace earlybird
