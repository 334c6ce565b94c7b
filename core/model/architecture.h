#pragma once

#include "model/backbonespec.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace earlybird {

// Layer types an exit branch may stack (the AEBNAS search space, widened). Every convolution is followed by
// BatchNorm and ReLU; pooling layers are 2x2 and always halve the feature map.
enum class BranchLayerType {
    Conv3x3,
    Conv5x5,
    DepthwiseSeparable3x3, // depthwise kxk + BN + ReLU, then pointwise 1x1 + BN + ReLU
    DepthwiseSeparable5x5,
    Pointwise1x1,
    MaxPool2x2,
    AvgPool2x2,
};
constexpr int kBranchLayerTypeCount = 7;

// How sure an exit is of its prediction, always in [0, 1] so one threshold scale fits all:
// ScoreMargin = top-1 minus top-2 softmax probability (the AEBNAS/EDANAS measure); MaxSoftmax = top-1 probability;
// Entropy = 1 - H(p) / ln(K), one minus the prediction's entropy normalised by its largest value.
enum class ConfidenceMeasure { ScoreMargin, MaxSoftmax, Entropy };

struct BranchLayerSpec {
    BranchLayerType type = BranchLayerType::Conv3x3;
    double width = 1.0; // output channels = max(1, round(width * input channels)); 1 for pooling
    int stride = 1; // 1 or 2 for convolutions; 2 for pooling

    bool isPooling() const { return type == BranchLayerType::MaxPool2x2 || type == BranchLayerType::AvgPool2x2; }
    bool operator==(const BranchLayerSpec& other) const
    {
        return type == other.type && width == other.width && stride == other.stride;
    }
};

// An early exit after backbone block `position`: 0-3 layers, then global average pooling and a linear classifier.
struct ExitSpec {
    int position = 0;
    std::vector<BranchLayerSpec> layers;
    double threshold = 1.0; // leave here when confidence >= threshold; 1 admits only certain predictions
    // The exit's logits are divided by this before the confidence is measured (temperature scaling, fitted on the
    // validation split when a search calibrates its exits); 1 leaves them as they are. The prediction never changes.
    double temperature = 1.0;

    bool operator==(const ExitSpec& other) const
    {
        return position == other.position && layers == other.layers && threshold == other.threshold
            && temperature == other.temperature;
    }
};

// One early-exit network: a backbone, its early exits in order of position, and the confidence measure. The final
// exit (the backbone's own classifier) always exists and takes every sample that reaches it.
struct Architecture {
    BackboneSpec backbone;
    ConfidenceMeasure confidence = ConfidenceMeasure::ScoreMargin;
    std::vector<ExitSpec> exits;

    int exitCount() const { return int(exits.size()) + 1; } // early exits plus the final one
    bool operator==(const Architecture& other) const
    {
        return backbone == other.backbone && confidence == other.confidence && exits == other.exits;
    }
    bool operator!=(const Architecture& other) const { return !(*this == other); }
};

// The temperatures an exit may have (ExitSpec::temperature); fitting keeps within them.
constexpr double kMinTemperature = 0.01;
constexpr double kMaxTemperature = 100.0;

// The most layers a searched exit branch may have (the search space's genes).
constexpr int kMaxBranchDepth = 3;
// The most layers any exit branch may have: fixed heads such as EDANAS's (two max-pools and three convolutions) are
// deeper than the searched ones.
constexpr int kMaxBranchLayers = 6;

const EnumNames<BranchLayerType>& enumNames(BranchLayerType); // "conv3x3", "dwsep5x5", "pw1x1", "maxpool2x2", ...
const EnumNames<ConfidenceMeasure>& enumNames(ConfidenceMeasure); // "score_margin", "max_softmax", "entropy"

// Output channels of a branch layer on `inputChannels` channels.
int branchLayerChannels(const BranchLayerSpec& layer, int inputChannels);
// A branch layer as people read it: "dwsep5x5 x0.5 /2", "maxpool2x2".
std::string branchLayerLabel(const BranchLayerSpec& layer);
// The early exits' thresholds, in order.
std::vector<double> exitThresholds(const Architecture& architecture);

// Throws ConfigError (prefixed with `source`) for: an exit at a position the backbone does not have (including the
// final classifier's), two exits at one position, exits out of order, more than kMaxBranchDepth layers, a width
// outside (0, 8], a stride other than 1 or 2, a pooling stride other than 2, a threshold outside [0, 1], a temperature
// outside [0.01, 100].
void validateArchitecture(const Architecture& architecture, const std::string& source);

// Readable JSON that round-trips exactly. On input the backbone may also be a preset's name.
nlohmann::ordered_json architectureToJson(const Architecture& architecture);
Architecture architectureFromJson(const nlohmann::ordered_json& json, const std::string& source);
// Reads and validates an architecture file; errors name the file.
Architecture loadArchitectureFile(const std::string& path);
void saveArchitectureFile(const Architecture& architecture, const std::string& path);

} // namespace earlybird
