// Branch and backbone cache files: the checked envelope that guards the LibTorch archives inside.
#include "fuzzfile.h"

#include "base/cachefile.h"
#include "base/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = fuzz::writeInput("branch.ebc", data, size);
    try {
        std::string problem;
        earlybird::readCacheFile(path, "branch", &problem);
        earlybird::readCacheFile(path, "backbone", &problem);
        earlybird::cacheFileProblem(path); // what `earlybird-cli cache check` reads, whatever the kind
    } catch (const earlybird::Error&) {
    }
    return 0;
}
