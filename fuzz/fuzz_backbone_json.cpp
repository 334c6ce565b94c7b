// Backbone JSON.
#include "base/error.h"
#include "model/architecture.h"
#include "model/backbonespec.h"
#include "model/networkcost.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const nlohmann::ordered_json json = nlohmann::ordered_json::parse(data, data + size, nullptr, false);
    if (json.is_discarded())
        return 0;
    try {
        const earlybird::BackboneSpec backbone = earlybird::backboneFromJson(json, "fuzz");
        earlybird::Architecture architecture;
        architecture.backbone = backbone;
        earlybird::countNetworkCost(architecture);
        if (earlybird::backboneFromJson(earlybird::backboneToJson(backbone), "again") != backbone)
            __builtin_trap();
    } catch (const earlybird::Error&) {
    }
    return 0;
}
