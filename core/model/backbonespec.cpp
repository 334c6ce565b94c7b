#include "model/backbonespec.h"

#include "base/error.h"

#include <nlohmann/json.hpp>

namespace earlybird {

namespace {

// Limits that catch typing mistakes long before they allocate gigabytes.
constexpr int kMaxChannels = 4096;
constexpr int kMaxKernel = 11;
constexpr int kMaxExpansion = 16;
constexpr int kMaxBlocks = 256;
constexpr int kMaxClasses = 100000;

int intField(const nlohmann::ordered_json& object, const char* key, int fallback, const std::string& where)
{
    const auto found = object.find(key);
    if (found == object.end())
        return fallback;
    if (!found->is_number_integer())
        throw ConfigError(where + ": '" + key + "' must be a whole number");
    return found->get<int>();
}

} // namespace

bool BackboneBlockSpec::operator==(const BackboneBlockSpec& other) const
{
    return type == other.type && outChannels == other.outChannels && kernel == other.kernel && stride == other.stride
        && expansion == other.expansion && shortcut == other.shortcut;
}

bool BackboneSpec::operator==(const BackboneSpec& other) const
{
    return name == other.name && input == other.input && classes == other.classes && blocks == other.blocks;
}

const EnumNames<BlockType>& enumNames(BlockType)
{
    static const EnumNames<BlockType> names { "block type",
        { { BlockType::Conv, "conv" }, { BlockType::Residual, "residual" },
            { BlockType::InvertedResidual, "inverted_residual" }, { BlockType::MaxPool, "maxpool" } } };
    return names;
}

void validateBackbone(const BackboneSpec& backbone, const std::string& source)
{
    const std::string where = source + ": backbone '" + backbone.name + "'";
    const ImageShape& in = backbone.input;
    if (in.channels < 1 || in.channels > 16 || in.height < 1 || in.width < 1 || in.height > 4096 || in.width > 4096)
        throw ConfigError(where + ": input shape must be [C, H, W] with 1-16 channels and positive sides");
    if (backbone.classes < 2 || backbone.classes > kMaxClasses)
        throw ConfigError(where + ": needs 2 or more classes");
    if (backbone.blocks.empty() || int(backbone.blocks.size()) > kMaxBlocks)
        throw ConfigError(where + ": needs 1 to " + std::to_string(kMaxBlocks) + " blocks");
    for (std::size_t i = 0; i < backbone.blocks.size(); ++i) {
        const BackboneBlockSpec& block = backbone.blocks[i];
        const std::string at = where + ", block " + std::to_string(i) + " (" + nameOf(block.type) + ")";
        if (block.type != BlockType::MaxPool && (block.outChannels < 1 || block.outChannels > kMaxChannels))
            throw ConfigError(at + ": 'out' must be 1 to " + std::to_string(kMaxChannels) + " channels");
        if (block.stride != 1 && block.stride != 2)
            throw ConfigError(at + ": 'stride' must be 1 or 2");
        if ((block.type == BlockType::Conv || block.type == BlockType::InvertedResidual)
            && (block.kernel < 1 || block.kernel > kMaxKernel || block.kernel % 2 == 0))
            throw ConfigError(at + ": 'kernel' must be odd, 1 to " + std::to_string(kMaxKernel));
        if (block.type == BlockType::InvertedResidual && (block.expansion < 1 || block.expansion > kMaxExpansion))
            throw ConfigError(at + ": 'expansion' must be 1 to " + std::to_string(kMaxExpansion));
    }
}

BackboneSpec backboneFromJson(const nlohmann::ordered_json& json, const std::string& source)
{
    if (!json.is_object())
        throw ConfigError(source + ": a backbone is a JSON object with name, input, classes and blocks");
    BackboneSpec backbone;
    if (json.contains("name") && !json["name"].is_string())
        throw ConfigError(source + ": a backbone's 'name' must be text");
    backbone.name = json.value("name", std::string("unnamed"));
    const std::string where = source + ": backbone '" + backbone.name + "'";
    const auto input = json.find("input");
    if (input == json.end() || !input->is_array() || input->size() != 3 || !(*input)[0].is_number_integer()
        || !(*input)[1].is_number_integer() || !(*input)[2].is_number_integer())
        throw ConfigError(where + ": 'input' must be [C, H, W]");
    backbone.input = { (*input)[0].get<int>(), (*input)[1].get<int>(), (*input)[2].get<int>() };
    backbone.classes = intField(json, "classes", 0, where);
    const auto blocks = json.find("blocks");
    if (blocks == json.end() || !blocks->is_array())
        throw ConfigError(where + ": 'blocks' must be a list");
    for (std::size_t i = 0; i < blocks->size(); ++i) {
        const nlohmann::ordered_json& item = (*blocks)[i];
        const std::string at = where + ", block " + std::to_string(i);
        if (!item.is_object() || !item.contains("type") || !item["type"].is_string())
            throw ConfigError(at + ": each block is an object with a 'type'");
        BackboneBlockSpec block;
        block.type = fromName<BlockType>(item["type"].get<std::string>(), at);
        block.outChannels = intField(item, "out", block.type == BlockType::MaxPool ? 0 : -1, at);
        block.kernel = intField(item, "kernel", 3, at);
        block.stride = intField(item, "stride", block.type == BlockType::MaxPool ? 2 : 1, at);
        block.expansion = intField(item, "expansion", 1, at);
        if (item.contains("shortcut")) {
            const std::string shortcut = item["shortcut"].is_string() ? item["shortcut"].get<std::string>() : "";
            if (shortcut == "projection")
                block.shortcut = ResidualShortcut::Projection;
            else if (shortcut == "pad")
                block.shortcut = ResidualShortcut::Pad;
            else
                throw ConfigError(at + ": 'shortcut' must be \"projection\" or \"pad\"");
        }
        // Fields a block type does not use take fixed values, so equal networks compare (and print) equal.
        if (block.type == BlockType::MaxPool) {
            block.outChannels = 0;
            block.kernel = 2;
            block.stride = 2;
        }
        if (block.type == BlockType::Residual)
            block.kernel = 3;
        if (block.type != BlockType::InvertedResidual)
            block.expansion = 1;
        if (block.type != BlockType::Residual)
            block.shortcut = ResidualShortcut::Projection;
        backbone.blocks.push_back(block);
    }
    validateBackbone(backbone, source);
    return backbone;
}

nlohmann::ordered_json backboneToJson(const BackboneSpec& backbone)
{
    nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
    for (const BackboneBlockSpec& block : backbone.blocks) {
        nlohmann::ordered_json item;
        item["type"] = nameOf(block.type);
        switch (block.type) {
        case BlockType::Conv:
            item["out"] = block.outChannels;
            item["kernel"] = block.kernel;
            item["stride"] = block.stride;
            break;
        case BlockType::Residual:
            item["out"] = block.outChannels;
            item["stride"] = block.stride;
            item["shortcut"] = block.shortcut == ResidualShortcut::Pad ? "pad" : "projection";
            break;
        case BlockType::InvertedResidual:
            item["out"] = block.outChannels;
            item["kernel"] = block.kernel;
            item["stride"] = block.stride;
            item["expansion"] = block.expansion;
            break;
        case BlockType::MaxPool:
            break;
        }
        blocks.push_back(item);
    }
    return nlohmann::ordered_json { { "name", backbone.name },
        { "input", { backbone.input.channels, backbone.input.height, backbone.input.width } },
        { "classes", backbone.classes }, { "blocks", blocks } };
}

} // namespace earlybird
