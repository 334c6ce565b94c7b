#include "model/backbonepresets.h"

#include "base/error.h"
#include "base/fileio.h"

#include <nlohmann/json.hpp>

namespace earlybird {

namespace {
// Defaults: 4.5 M MACs for 28x28 grey images, 22 M MACs for 32x32 colour images (see `earlybird-cli macs`). Dense
// ResNet blocks, not MobileNet ones: LibTorch's CPU depthwise convolutions train 4x slower per MAC here
// (bench/bench_training: fashion-resnet 3,570 images/s, fashion-mobilenet 890).
constexpr const char* kDefaultSmallPreset = "fashion-resnet";
constexpr const char* kDefaultColourPreset = "cifar-resnet";
} // namespace

std::vector<std::string> backbonePresetNames()
{
    std::vector<std::string> names;
    for (const auto& preset : embeddedBackbonePresets())
        names.push_back(preset.first);
    return names;
}

BackboneSpec backbonePreset(const std::string& name)
{
    std::string known;
    for (const auto& preset : embeddedBackbonePresets()) {
        if (preset.first == name)
            return backboneFromJson(nlohmann::ordered_json::parse(preset.second), "preset " + name);
        known += (known.empty() ? "" : ", ") + preset.first;
    }
    throw ConfigError("unknown backbone preset '" + name + "' (known: " + known + ")");
}

BackboneSpec adaptBackbone(BackboneSpec backbone, const ImageShape& input, int classes)
{
    backbone.input = input;
    backbone.classes = classes;
    validateBackbone(backbone, "backbone for the data set");
    return backbone;
}

BackboneSpec defaultBackboneFor(const ImageShape& input, int classes)
{
    const bool small = input.channels == 1 && input.height <= 28 && input.width <= 28;
    return adaptBackbone(backbonePreset(small ? kDefaultSmallPreset : kDefaultColourPreset), input, classes);
}

BackboneSpec backboneForDataset(const DatasetSpec& dataset, const std::string& preset)
{
    const Dataset probe = loadDataset(dataset, Split::Test);
    return preset.empty() ? defaultBackboneFor(probe.shape(), probe.numClasses())
                          : adaptBackbone(backboneFromPresetOrFile(preset), probe.shape(), probe.numClasses());
}

namespace {

// The JSON of a file named on a command line where a preset's name was possible. Throws naming the file.
nlohmann::ordered_json jsonFileForPreset(const std::string& path)
{
    if (!fileExists(path)) {
        std::string known;
        for (const std::string& name : backbonePresetNames())
            known += (known.empty() ? "" : ", ") + name;
        throw ConfigError("no backbone preset '" + path + "' and no such file (presets: " + known
            + "; or a backbone or architecture JSON file)");
    }
    const std::vector<std::uint8_t> bytes = readFileBytes(path);
    try {
        return nlohmann::ordered_json::parse(bytes.begin(), bytes.end());
    } catch (const nlohmann::json::parse_error& error) {
        throw DataError(path, std::string("malformed JSON: ") + error.what());
    }
}

// A backbone file holds blocks; an architecture file holds a backbone.
bool isBackboneJson(const nlohmann::ordered_json& json)
{
    return json.is_object() && json.contains("blocks") && !json.contains("backbone");
}

} // namespace

Architecture architectureFromPresetOrFile(const std::string& nameOrPath)
{
    for (const std::string& name : backbonePresetNames()) {
        if (nameOrPath == name)
            return Architecture { backbonePreset(name), ConfidenceMeasure::ScoreMargin, {} };
    }
    const nlohmann::ordered_json json = jsonFileForPreset(nameOrPath);
    if (isBackboneJson(json))
        return Architecture { backboneFromJson(json, nameOrPath), ConfidenceMeasure::ScoreMargin, {} };
    return architectureFromJson(json, nameOrPath);
}

BackboneSpec backboneFromPresetOrFile(const std::string& nameOrPath)
{
    return architectureFromPresetOrFile(nameOrPath).backbone;
}

} // namespace earlybird
