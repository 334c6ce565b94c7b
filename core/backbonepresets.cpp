#include "backbonepresets.h"

#include "error.h"

#include <nlohmann/json.hpp>

namespace earlybird {

namespace {
// Defaults: about 3.9 M MACs for 28x28 grey images, 12 M MACs for 32x32 colour images (see `earlybird-cli macs`).
constexpr const char* kDefaultSmallPreset = "fashion-mobilenet";
constexpr const char* kDefaultColourPreset = "cifar-mobilenet";
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

} // namespace earlybird
