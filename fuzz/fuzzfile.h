#pragma once

// Helpers of the fuzz targets: the readers take paths, so each input is written to a file of this process's own
// scratch folder first. Only earlybird::Error is an expected outcome of bad input; anything else escapes the target
// and libFuzzer reports it (an uncaught exception is a crash here: the program must turn bad input into a clear error).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include <unistd.h>

namespace fuzz {

inline std::string scratchFolder()
{
    static const std::string folder = [] {
        const std::string path
            = std::filesystem::temp_directory_path().string() + "/earlybird-fuzz-" + std::to_string(::getpid());
        std::filesystem::create_directories(path);
        return path;
    }();
    return folder;
}

// Writes the input to `name` in the scratch folder and returns its path.
inline std::string writeInput(const std::string& name, const std::uint8_t* data, std::size_t size)
{
    const std::string path = scratchFolder() + "/" + name;
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file) {
        if (size)
            std::fwrite(data, 1, size, file);
        std::fclose(file);
    }
    return path;
}

// The input as JSON, or nothing when it is not JSON (the readers under test take parsed JSON).
inline std::optional<nlohmann::ordered_json> parseJson(const std::uint8_t* data, std::size_t size)
{
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(data, data + size, nullptr, false);
    if (json.is_discarded())
        return std::nullopt;
    return json;
}

} // namespace fuzz
