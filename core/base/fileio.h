#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace earlybird {

// Reads a whole file. A gzip file (recognised by its magic bytes, whatever its name) is decompressed. Throws DataError
// naming the file when it cannot be opened, or when a gzip stream is corrupt or ends early.
std::vector<std::uint8_t> readFileBytes(const std::string& path);

// Writes `bytes` to `path` so that readers see either the old file or the whole new one, never a part: the bytes go
// to a temporary file beside it, are flushed to disk, and the temporary file is renamed over `path`. Throws Error.
void writeFileAtomically(const std::string& path, const std::vector<std::uint8_t>& bytes);
void writeFileAtomically(const std::string& path, const std::string& text);

bool fileExists(const std::string& path);
bool directoryExists(const std::string& path);

} // namespace earlybird
