// Session JSON: session.json from before the store, and `earlybird-cli session export` documents.
#include "base/error.h"
#include "search/sessionfile.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const nlohmann::ordered_json json = nlohmann::ordered_json::parse(data, data + size, nullptr, false);
    if (json.is_discarded())
        return 0;
    try {
        earlybird::sessionFromJson(json, "fuzz");
    } catch (const earlybird::Error&) {
    }
    return 0;
}
