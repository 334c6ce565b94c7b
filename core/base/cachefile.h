#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace earlybird {

// A 64-bit hash of bytes (FNV-1a over 8-byte words): fast enough for tens of megabytes, for fingerprints and file
// checksums, not for security.
std::uint64_t hashBytes(const void* data, std::size_t size, std::uint64_t seed = 0);
std::uint64_t hashString(const std::string& text, std::uint64_t seed = 0);
std::string hexKey(std::uint64_t value);

// Cache files that cannot be trusted blindly: a header with a magic number, the payload's kind, size and checksum.
// Written atomically (temporary file + rename), so a cancelled or killed run leaves the old file or none.
void writeCacheFile(const std::string& path, const std::string& kind, const std::vector<std::uint8_t>& payload);

// The payload, or nothing when the file is missing, truncated, of another kind or fails its checksum; `problem`
// (if given) then says which, so callers can log it before rebuilding the cache.
std::optional<std::vector<std::uint8_t>> readCacheFile(
    const std::string& path, const std::string& kind, std::string* problem = nullptr);

// What is wrong with a cache file of any kind: an empty string when its header, payload size and checksum hold, else
// the reason ("truncated: 10 of 4096 payload bytes"). For checking a cache folder without loading what it holds.
std::string cacheFileProblem(const std::string& path);

// A temporary file that writeFileAtomically() left behind when its writer was killed (name.tmp-PID, PID not
// running): never read as a cache file, safe to delete.
bool isLeftoverTemporary(const std::string& path);

// Creates a folder and its parents; throws Error naming the folder on failure.
void makeDirectories(const std::string& path);

// The user's cache folder for Earlybird: $XDG_CACHE_HOME/earlybird, else ~/.cache/earlybird.
std::string defaultCacheDirectory();

} // namespace earlybird
