#include "experiment/exitcolumns.h"

#include "base/error.h"
#include "nn/modules.h"

#include <torch/torch.h>

namespace earlybird {

namespace {

constexpr ConfidenceMeasure kMeasures[3]
    = { ConfidenceMeasure::ScoreMargin, ConfidenceMeasure::MaxSoftmax, ConfidenceMeasure::Entropy };

std::vector<float> valuesOf(const torch::Tensor& tensor)
{
    const torch::Tensor t = tensor.to(torch::kFloat).contiguous();
    return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
}

} // namespace

ExitColumn columnFromLogits(const at::Tensor& logits, double temperature)
{
    ExitColumn column;
    for (int m = 0; m < 3; ++m) {
        column.measure[m] = valuesOf(nn::exitConfidence(logits, kMeasures[m]));
        column.calibrated[m] = valuesOf(nn::exitConfidence(logits, kMeasures[m], temperature));
    }
    column.temperature = temperature;
    const torch::Tensor predictions = logits.argmax(1).to(torch::kInt).contiguous();
    column.predictions.assign(
        predictions.data_ptr<std::int32_t>(), predictions.data_ptr<std::int32_t>() + predictions.numel());
    return column;
}

ExitColumnPair calibratedColumns(
    const at::Tensor& validationLogits, const at::Tensor& testLogits, const std::vector<std::int32_t>& validationLabels)
{
    const torch::Tensor labels = torch::from_blob(
        const_cast<std::int32_t*>(validationLabels.data()), { std::int64_t(validationLabels.size()) }, torch::kInt)
                                     .to(torch::kLong);
    const double temperature = nn::fitTemperature(validationLogits, labels);
    return ExitColumnPair { columnFromLogits(validationLogits, temperature),
        columnFromLogits(testLogits, temperature) };
}

at::Tensor columnTensor(const ExitColumn& column)
{
    const std::int64_t n = std::int64_t(column.predictions.size());
    torch::Tensor values = torch::empty({ 4, n });
    for (int m = 0; m < 3; ++m)
        values[m].copy_(torch::from_blob(const_cast<float*>(column.measure[m].data()), { n }));
    values[3].copy_(
        torch::from_blob(const_cast<std::int32_t*>(column.predictions.data()), { n }, torch::kInt).to(torch::kFloat));
    return values;
}

ExitColumn columnFromTensor(const at::Tensor& values)
{
    ExitColumn column;
    const torch::Tensor v = values.to(torch::kFloat).contiguous();
    for (int m = 0; m < 3; ++m)
        column.measure[m] = valuesOf(v[m]);
    const torch::Tensor predictions = v[3].to(torch::kInt).contiguous();
    column.predictions.assign(
        predictions.data_ptr<std::int32_t>(), predictions.data_ptr<std::int32_t>() + predictions.numel());
    return column;
}

at::Tensor calibrationTensor(const ExitColumn& column)
{
    if (!column.hasCalibrated())
        return torch::empty({ 0 }, torch::kDouble);
    const std::int64_t n = std::int64_t(column.predictions.size());
    torch::Tensor values = torch::empty({ 1 + 3 * n }, torch::kDouble);
    values[0] = column.temperature;
    for (int m = 0; m < 3; ++m)
        values.narrow(0, 1 + m * n, n)
            .copy_(torch::from_blob(const_cast<float*>(column.calibrated[m].data()), { n }).to(torch::kDouble));
    return values;
}

bool setCalibrationFromTensor(ExitColumn& column, const at::Tensor& values)
{
    const std::int64_t n = std::int64_t(column.predictions.size());
    if (values.dim() != 1 || values.size(0) != 1 + 3 * n)
        return false;
    const torch::Tensor v = values.to(torch::kDouble).contiguous();
    const double temperature = v[0].item<double>();
    if (!(temperature >= kMinTemperature && temperature <= kMaxTemperature))
        return false;
    column.temperature = temperature;
    for (int m = 0; m < 3; ++m)
        column.calibrated[m] = valuesOf(v.narrow(0, 1 + m * n, n));
    return true;
}

void placeColumn(
    ExitOutcomes& outcomes, int exit, const ExitColumn& column, const std::vector<std::int32_t>& labels, bool calibrate)
{
    if (calibrate && !column.hasCalibrated())
        throw ConfigError("exit " + std::to_string(exit) + " has no calibrated confidences");
    const std::vector<float>* measures = calibrate ? column.calibrated : column.measure;
    outcomes.setExit(
        exit, measures[0].data(), measures[1].data(), measures[2].data(), column.predictions.data(), labels.data());
    ExitCalibration calibration;
    calibration.temperature = column.temperature;
    calibration.applied = calibrate;
    const std::int64_t n = std::int64_t(labels.size());
    const int maxSoftmax = int(ConfidenceMeasure::MaxSoftmax);
    calibration.eceBefore
        = expectedCalibrationError(column.measure[maxSoftmax].data(), column.predictions.data(), labels.data(), n);
    if (column.hasCalibrated())
        calibration.eceAfter = expectedCalibrationError(
            column.calibrated[maxSoftmax].data(), column.predictions.data(), labels.data(), n);
    outcomes.setCalibration(exit, calibration);
}

} // namespace earlybird
