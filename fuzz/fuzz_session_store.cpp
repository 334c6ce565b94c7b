// The session store (session.db, SQLite): the session and its stored per-sample outputs.
#include "fuzzfile.h"

#include "base/error.h"
#include "search/sessionfile.h"

#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string folder = fuzz::scratchFolder() + "/session";
    std::filesystem::create_directories(folder);
    std::filesystem::remove(folder + "/session.db-wal");
    std::filesystem::remove(folder + "/session.db-shm");
    fuzz::writeInput("session/session.db", data, size);
    try {
        earlybird::loadSession(folder);
    } catch (const earlybird::Error&) {
    }
    try {
        const earlybird::SessionOutputs outputs = earlybird::SessionOutputs::load(folder);
        (void)outputs;
    } catch (const earlybird::Error&) {
    }
    return 0;
}
