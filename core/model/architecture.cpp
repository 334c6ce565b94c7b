#include "model/architecture.h"

#include "base/error.h"
#include "base/fileio.h"
#include "model/backbonepresets.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace earlybird {

namespace {

// Identifies an architecture file, so that a session or data file given by mistake is named as such.
constexpr const char* kFormatName = "earlybird-architecture";
constexpr int kFormatVersion = 1;
// The widest branch layer: eight times its input's channels.
constexpr double kMaxWidth = 8.0;

} // namespace

const EnumNames<BranchLayerType>& enumNames(BranchLayerType)
{
    static const EnumNames<BranchLayerType> names { "layer type",
        { { BranchLayerType::Conv3x3, "conv3x3" }, { BranchLayerType::Conv5x5, "conv5x5" },
            { BranchLayerType::DepthwiseSeparable3x3, "dwsep3x3" },
            { BranchLayerType::DepthwiseSeparable5x5, "dwsep5x5" }, { BranchLayerType::Pointwise1x1, "pw1x1" },
            { BranchLayerType::MaxPool2x2, "maxpool2x2" }, { BranchLayerType::AvgPool2x2, "avgpool2x2" } } };
    return names;
}

const EnumNames<ConfidenceMeasure>& enumNames(ConfidenceMeasure)
{
    static const EnumNames<ConfidenceMeasure> names { "confidence measure",
        { { ConfidenceMeasure::ScoreMargin, "score_margin" }, { ConfidenceMeasure::MaxSoftmax, "max_softmax" },
            { ConfidenceMeasure::Entropy, "entropy" } } };
    return names;
}

int branchLayerChannels(const BranchLayerSpec& layer, int inputChannels)
{
    if (layer.isPooling())
        return inputChannels;
    return std::max(1, int(std::lround(layer.width * inputChannels)));
}

std::string branchLayerLabel(const BranchLayerSpec& layer)
{
    std::string label = nameOf(layer.type);
    if (!layer.isPooling()) {
        char width[32];
        std::snprintf(width, sizeof width, " x%g", layer.width);
        label += width;
        if (layer.stride == 2)
            label += " /2";
    }
    return label;
}

std::vector<double> exitThresholds(const Architecture& architecture)
{
    std::vector<double> thresholds;
    for (const ExitSpec& exit : architecture.exits)
        thresholds.push_back(exit.threshold);
    return thresholds;
}

void validateArchitecture(const Architecture& architecture, const std::string& source)
{
    validateBackbone(architecture.backbone, source);
    const int positions = architecture.backbone.exitPositions();
    int previous = -1;
    for (std::size_t e = 0; e < architecture.exits.size(); ++e) {
        const ExitSpec& exit = architecture.exits[e];
        const std::string at = source + ": exit " + std::to_string(e);
        if (exit.position < 0 || exit.position >= positions)
            throw ConfigError(at + " is at position " + std::to_string(exit.position) + ", but backbone '"
                + architecture.backbone.name + "' has early-exit positions 0 to " + std::to_string(positions - 1)
                + (exit.position == positions
                        ? " (position " + std::to_string(positions) + " is the final classifier, which always exists)"
                        : ""));
        if (exit.position == previous)
            throw ConfigError(at + ": two exits at position " + std::to_string(exit.position));
        if (exit.position < previous)
            throw ConfigError(at + ": exits must be listed in order of position");
        previous = exit.position;
        if (int(exit.layers.size()) > kMaxBranchLayers)
            throw ConfigError(at + " has " + std::to_string(exit.layers.size()) + " layers; a branch has at most "
                + std::to_string(kMaxBranchLayers));
        if (!(exit.threshold >= 0.0 && exit.threshold <= 1.0))
            throw ConfigError(at + ": threshold " + std::to_string(exit.threshold) + " is outside [0, 1]");
        if (!(exit.temperature >= kMinTemperature && exit.temperature <= kMaxTemperature))
            throw ConfigError(at + ": temperature " + std::to_string(exit.temperature)
                + " is outside [0.01, 100] (it divides the exit's logits; 1 leaves them as they are)");
        for (std::size_t l = 0; l < exit.layers.size(); ++l) {
            const BranchLayerSpec& layer = exit.layers[l];
            const std::string layerAt = at + ", layer " + std::to_string(l);
            if (layer.isPooling()) {
                if (layer.stride != 2)
                    throw ConfigError(layerAt + ": pooling layers have stride 2");
                continue;
            }
            if (!(layer.width > 0.0 && layer.width <= kMaxWidth))
                throw ConfigError(layerAt + ": width must be above 0 and at most 8");
            if (layer.stride != 1 && layer.stride != 2)
                throw ConfigError(layerAt + ": stride must be 1 or 2");
        }
    }
}

nlohmann::ordered_json architectureToJson(const Architecture& architecture)
{
    nlohmann::ordered_json exits = nlohmann::ordered_json::array();
    for (const ExitSpec& exit : architecture.exits) {
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (const BranchLayerSpec& layer : exit.layers) {
            nlohmann::ordered_json item { { "type", nameOf(layer.type) } };
            if (!layer.isPooling()) {
                item["width"] = layer.width;
                item["stride"] = layer.stride;
            }
            layers.push_back(item);
        }
        nlohmann::ordered_json item { { "position", exit.position }, { "layers", layers },
            { "threshold", exit.threshold } };
        if (exit.temperature != 1.0) // only then, so that files of uncalibrated networks read as they always did
            item["temperature"] = exit.temperature;
        exits.push_back(item);
    }
    return nlohmann::ordered_json { { "format", kFormatName }, { "version", kFormatVersion },
        { "backbone", backboneToJson(architecture.backbone) }, { "confidence", nameOf(architecture.confidence) },
        { "exits", exits } };
}

Architecture architectureFromJson(const nlohmann::ordered_json& json, const std::string& source)
{
    if (!json.is_object())
        throw ConfigError(source + ": an architecture is a JSON object");
    if (json.contains("format") && json["format"] != kFormatName)
        throw ConfigError(source + ": this is a '" + json["format"].dump() + "' file, not an Earlybird architecture");
    if (json.contains("version")
        && (!json["version"].is_number_integer() || json["version"].get<int>() > kFormatVersion))
        throw ConfigError(source + ": architecture format version " + json["version"].dump()
            + " is newer than this Earlybird reads (" + std::to_string(kFormatVersion) + ")");
    Architecture architecture;
    const auto backbone = json.find("backbone");
    if (backbone == json.end())
        throw ConfigError(source + ": no 'backbone'");
    if (backbone->is_string())
        architecture.backbone = backbonePreset(backbone->get<std::string>());
    else
        architecture.backbone = backboneFromJson(*backbone, source);
    if (json.contains("confidence")) {
        if (!json["confidence"].is_string())
            throw ConfigError(source + ": 'confidence' must be a name");
        architecture.confidence = fromName<ConfidenceMeasure>(json["confidence"].get<std::string>(), source);
    }
    const auto exits = json.find("exits");
    if (exits != json.end()) {
        if (!exits->is_array())
            throw ConfigError(source + ": 'exits' must be a list");
        for (std::size_t e = 0; e < exits->size(); ++e) {
            const nlohmann::ordered_json& item = (*exits)[e];
            const std::string at = source + ": exit " + std::to_string(e);
            if (!item.is_object() || !item.contains("position") || !item["position"].is_number_integer())
                throw ConfigError(at + ": needs an integer 'position'");
            ExitSpec exit;
            exit.position = item["position"].get<int>();
            if (item.contains("threshold")) {
                if (!item["threshold"].is_number())
                    throw ConfigError(at + ": 'threshold' must be a number");
                exit.threshold = item["threshold"].get<double>();
            }
            if (item.contains("temperature")) {
                if (!item["temperature"].is_number())
                    throw ConfigError(at + ": 'temperature' must be a number");
                exit.temperature = item["temperature"].get<double>();
            }
            const nlohmann::ordered_json layers = item.value("layers", nlohmann::ordered_json::array());
            if (!layers.is_array())
                throw ConfigError(at + ": 'layers' must be a list");
            for (std::size_t l = 0; l < layers.size(); ++l) {
                const nlohmann::ordered_json& layerJson = layers[l];
                const std::string layerAt = at + ", layer " + std::to_string(l);
                if (!layerJson.is_object() || !layerJson.contains("type") || !layerJson["type"].is_string())
                    throw ConfigError(layerAt + ": each layer is an object with a 'type'");
                BranchLayerSpec layer;
                layer.type = fromName<BranchLayerType>(layerJson["type"].get<std::string>(), layerAt);
                if (layer.isPooling()) {
                    layer.width = 1.0;
                    layer.stride = 2;
                } else {
                    if (layerJson.contains("width") && !layerJson["width"].is_number())
                        throw ConfigError(layerAt + ": 'width' must be a number");
                    if (layerJson.contains("stride") && !layerJson["stride"].is_number_integer())
                        throw ConfigError(layerAt + ": 'stride' must be 1 or 2");
                    layer.width = layerJson.value("width", 1.0);
                    layer.stride = layerJson.value("stride", 1);
                }
                exit.layers.push_back(layer);
            }
            architecture.exits.push_back(exit);
        }
    }
    validateArchitecture(architecture, source);
    return architecture;
}

Architecture loadArchitectureFile(const std::string& path)
{
    const std::vector<std::uint8_t> bytes = readFileBytes(path);
    nlohmann::ordered_json json;
    try {
        json = nlohmann::ordered_json::parse(bytes.begin(), bytes.end());
    } catch (const nlohmann::json::parse_error& error) {
        throw DataError(path, std::string("malformed JSON: ") + error.what());
    }
    return architectureFromJson(json, path);
}

void saveArchitectureFile(const Architecture& architecture, const std::string& path)
{
    writeFileAtomically(path, architectureToJson(architecture).dump(2) + "\n");
}

} // namespace earlybird
