#pragma once

#include "base/enumnames.h"
#include "data/dataset.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace earlybird {

enum class BlockType {
    Conv, // convolution, BatchNorm, ReLU
    Residual, // ResNet basic block: two 3x3 convolutions around a shortcut
    InvertedResidual, // MobileNetV2 block: 1x1 expansion, depthwise kxk, 1x1 projection
    MaxPool, // 2x2 max pooling, stride 2
};

// How a residual block whose shape changes carries its input: "projection" (1x1 convolution + BatchNorm, ResNet's
// option B) or "pad" (strided identity with zero channels added, ResNet's option A, used by the CIFAR ResNets).
enum class ResidualShortcut { Projection, Pad };

struct BackboneBlockSpec {
    BlockType type = BlockType::Conv;
    int outChannels = 16; // ignored by MaxPool (keeps its input's channels)
    int kernel = 3; // Conv and InvertedResidual (the depthwise kernel); Residual is always 3x3
    int stride = 1;
    int expansion = 1; // InvertedResidual only
    ResidualShortcut shortcut = ResidualShortcut::Projection; // Residual only

    bool operator==(const BackboneBlockSpec& other) const;
    bool operator!=(const BackboneBlockSpec& other) const { return !(*this == other); }
};

// A backbone CNN: blocks applied in order to an input of `input` shape, then global average pooling and a linear
// classifier (the final exit). Every block boundary but the last is a candidate position for an early exit.
struct BackboneSpec {
    std::string name;
    ImageShape input { 1, 28, 28 };
    int classes = 10;
    std::vector<BackboneBlockSpec> blocks;

    // Candidate early-exit positions: 0 .. blocks.size() - 2 (position p = after block p).
    int exitPositions() const { return std::max(0, int(blocks.size()) - 1); }

    bool operator==(const BackboneSpec& other) const;
    bool operator!=(const BackboneSpec& other) const { return !(*this == other); }
};

const EnumNames<BlockType>& enumNames(BlockType); // "conv", "residual", "inverted_residual", "maxpool"

// Throws ConfigError (prefixed with `source`, e.g. the file name) for missing or impossible fields.
BackboneSpec backboneFromJson(const nlohmann::ordered_json& json, const std::string& source);
nlohmann::ordered_json backboneToJson(const BackboneSpec& backbone);
void validateBackbone(const BackboneSpec& backbone, const std::string& source);

} // namespace earlybird
