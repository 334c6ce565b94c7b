#include "base/cachefile.h"

#include "base/error.h"
#include "base/fileio.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace earlybird {

namespace {

// "EBCACHE1" as a little-endian number: identifies our cache files.
constexpr std::uint64_t kMagic = 0x3145484341434245ULL;
constexpr std::size_t kHeaderSize = 8 + 8 + 8 + 8; // magic, kind hash, payload size, payload hash
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

void put64(std::vector<std::uint8_t>& out, std::uint64_t value)
{
    for (int i = 0; i < 8; ++i)
        out.push_back(std::uint8_t(value >> (8 * i)));
}

std::uint64_t get64(const std::uint8_t* p)
{
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i)
        value |= std::uint64_t(p[i]) << (8 * i);
    return value;
}

} // namespace

std::uint64_t hashBytes(const void* data, std::size_t size, std::uint64_t seed)
{
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    std::uint64_t h = kFnvOffset ^ seed;
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, bytes + i, 8);
        h = (h ^ word) * kFnvPrime;
        h ^= h >> 29;
    }
    for (; i < size; ++i)
        h = (h ^ bytes[i]) * kFnvPrime;
    return h ^ (h >> 32) ^ size;
}

std::uint64_t hashString(const std::string& text, std::uint64_t seed)
{
    return hashBytes(text.data(), text.size(), seed);
}

std::string hexKey(std::uint64_t value)
{
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

void writeCacheFile(const std::string& path, const std::string& kind, const std::vector<std::uint8_t>& payload)
{
    std::vector<std::uint8_t> bytes;
    bytes.reserve(kHeaderSize + payload.size());
    put64(bytes, kMagic);
    put64(bytes, hashString(kind));
    put64(bytes, payload.size());
    put64(bytes, hashBytes(payload.data(), payload.size()));
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    writeFileAtomically(path, bytes);
}

namespace {

// Why `bytes` are not a whole cache file (of `kind`, if given); empty when they are.
std::string envelopeProblem(const std::vector<std::uint8_t>& bytes, const std::string* kind)
{
    if (bytes.size() < kHeaderSize || get64(bytes.data()) != kMagic)
        return "not an Earlybird cache file";
    if (kind && get64(bytes.data() + 8) != hashString(*kind))
        return "holds something other than " + *kind;
    const std::uint64_t size = get64(bytes.data() + 16);
    if (size != bytes.size() - kHeaderSize)
        return "truncated: " + std::to_string(bytes.size() - kHeaderSize) + " of " + std::to_string(size)
            + " payload bytes";
    if (hashBytes(bytes.data() + kHeaderSize, bytes.size() - kHeaderSize) != get64(bytes.data() + 24))
        return "corrupt: checksum mismatch";
    return {};
}

} // namespace

std::optional<std::vector<std::uint8_t>> readCacheFile(
    const std::string& path, const std::string& kind, std::string* problem)
{
    const auto fail = [&](const std::string& why) -> std::optional<std::vector<std::uint8_t>> {
        if (problem)
            *problem = path + ": " + why;
        return std::nullopt;
    };
    if (!fileExists(path))
        return fail("not cached yet");
    std::vector<std::uint8_t> bytes;
    try {
        bytes = readFileBytes(path);
    } catch (const Error& error) {
        return fail(error.what());
    }
    if (const std::string why = envelopeProblem(bytes, &kind); !why.empty())
        return fail(why);
    return std::vector<std::uint8_t>(bytes.begin() + kHeaderSize, bytes.end());
}

std::string cacheFileProblem(const std::string& path)
{
    try {
        return envelopeProblem(readFileBytes(path), nullptr);
    } catch (const Error& error) {
        return error.what();
    }
}

bool isLeftoverTemporary(const std::string& path)
{
    const std::size_t at = path.rfind(".tmp-");
    if (at == std::string::npos || at + 5 == path.size())
        return false;
    const std::string digits = path.substr(at + 5);
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
        return false;
    const pid_t pid = pid_t(std::stol(digits));
    return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH; // its writer is gone
}

void makeDirectories(const std::string& path)
{
    if (path.empty() || directoryExists(path))
        return;
    const std::size_t slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0)
        makeDirectories(path.substr(0, slash));
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        throw Error(path + ": cannot create folder: " + std::strerror(errno));
}

std::string defaultCacheDirectory()
{
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return std::string(xdg) + "/earlybird";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.cache/earlybird";
    return "/tmp/earlybird-cache";
}

} // namespace earlybird
