// Architecture JSON (also the JSON export): what reads must validate, count and write back unchanged.
#include "fuzzfile.h"

#include "base/error.h"
#include "model/architecture.h"
#include "model/networkcost.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::optional<nlohmann::ordered_json> json = fuzz::parseJson(data, size);
    if (!json)
        return 0;
    try {
        const earlybird::Architecture architecture = earlybird::architectureFromJson(*json, "fuzz");
        earlybird::countNetworkCost(architecture);
        if (earlybird::architectureFromJson(earlybird::architectureToJson(architecture), "again") != architecture)
            __builtin_trap(); // written and read back, an architecture must not change
    } catch (const earlybird::Error&) {
    }
    return 0;
}
