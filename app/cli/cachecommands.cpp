// earlybird-cli cache check: is every file in a cache folder whole?

#include "argumentparser.h"
#include "commands.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/fileio.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace earlybird::cli {

int runCacheCheck(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli cache check [--cache DIR] [--clean]",
        "Checks every file in the cache folder: trained backbones and branches (.ebc: header, size and checksum)\n"
        "and the JSON beside them (backbone summaries, latency tables: they must parse). A search never loads a\n"
        "file that fails (it trains again); this says whether any does. Temporary files left by a killed run\n"
        "(name.tmp-PID) are listed, and removed with --clean. Exit code 1 when a file fails its check.");
    parser.addOption("cache", "DIR", "the cache folder", defaultCacheDirectory());
    parser.addFlag("clean", "remove the temporary files of runs that are no longer running");
    if (!parser.parseCommand(arguments))
        return 0;
    const std::string folder = *parser.value("cache");
    const bool clean = parser.isSet("clean");
    namespace fs = std::filesystem;
    std::error_code error;
    if (!fs::is_directory(folder, error))
        throw Error(folder + ": not a folder");
    nlohmann::json bad = nlohmann::json::array(), leftovers = nlohmann::json::array();
    std::int64_t files = 0, bytes = 0;
    for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::recursive_directory_iterator();
         it.increment(error)) {
        if (!it->is_regular_file())
            continue;
        const std::string path = it->path().string();
        if (path.find(".tmp-") != std::string::npos) {
            const bool leftover = isLeftoverTemporary(path);
            const bool remove = leftover && clean;
            if (remove)
                std::remove(path.c_str());
            leftovers.push_back({ { "path", path }, { "writer_running", !leftover }, { "removed", remove } });
            continue;
        }
        ++files;
        bytes += std::int64_t(it->file_size());
        std::string problem;
        if (it->path().extension() == ".ebc") {
            problem = cacheFileProblem(path); // trained weights: the envelope's header, size and checksum
        } else if (it->path().extension() == ".json") {
            // A backbone's summary or a latency table: it must at least parse.
            try {
                if (!nlohmann::json::accept(readFileBytes(path)))
                    problem = "not valid JSON (cut short or overwritten)";
            } catch (const Error& error) {
                problem = error.what();
            }
        }
        if (!problem.empty())
            bad.push_back({ { "path", path }, { "problem", problem } });
    }
    if (error)
        throw Error(folder + ": cannot list: " + error.message());
    nlohmann::json out { { "cache", folder }, { "files", files }, { "bytes", bytes }, { "bad", bad },
        { "temporary", leftovers } };
    std::cout << out.dump(1) << "\n";
    for (const auto& b : bad)
        std::cerr << b["path"].get<std::string>() << ": " << b["problem"].get<std::string>() << "\n";
    return bad.empty() ? 0 : 1;
}

} // namespace earlybird::cli
