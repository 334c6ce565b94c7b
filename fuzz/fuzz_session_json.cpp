// Session JSON: session.json from before the store, and `earlybird-cli session export` documents.
#include "fuzzfile.h"

#include "base/error.h"
#include "search/sessionfile.h"
#include "search/sessionjson.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::optional<nlohmann::ordered_json> json = fuzz::parseJson(data, size);
    if (!json)
        return 0;
    try {
        earlybird::sessionFromJson(*json, "fuzz");
    } catch (const earlybird::Error&) {
    }
    return 0;
}
