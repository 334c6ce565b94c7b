// Architecture JSON (also the JSON export): what reads must validate, count and write back unchanged.
#include "base/error.h"
#include "model/architecture.h"
#include "model/networkcost.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const nlohmann::ordered_json json = nlohmann::ordered_json::parse(data, data + size, nullptr, false);
    if (json.is_discarded())
        return 0;
    try {
        const earlybird::Architecture architecture = earlybird::architectureFromJson(json, "fuzz");
        earlybird::countNetworkCost(architecture);
        if (earlybird::architectureFromJson(earlybird::architectureToJson(architecture), "again") != architecture)
            __builtin_trap(); // written and read back, an architecture must not change
    } catch (const earlybird::Error&) {
    }
    return 0;
}
