// Backbone JSON.
#include "fuzzfile.h"

#include "base/error.h"
#include "model/architecture.h"
#include "model/backbonespec.h"
#include "model/networkcost.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::optional<nlohmann::ordered_json> json = fuzz::parseJson(data, size);
    if (!json)
        return 0;
    try {
        const earlybird::BackboneSpec backbone = earlybird::backboneFromJson(*json, "fuzz");
        earlybird::Architecture architecture;
        architecture.backbone = backbone;
        earlybird::countNetworkCost(architecture);
        if (earlybird::backboneFromJson(earlybird::backboneToJson(backbone), "again") != backbone)
            __builtin_trap();
    } catch (const earlybird::Error&) {
    }
    return 0;
}
