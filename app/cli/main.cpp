// earlybird-cli: the headless entry point. Every command prints machine-readable JSON on stdout; errors go to stderr
// with a non-zero exit code (1 for bad input such as a corrupt file, 2 for a wrongly called command).

#include "argumentparser.h"
#include "cluster.h"
#include "commands.h"

#include "base/computethreads.h"
#include "base/error.h"

#include <iostream>

namespace earlybird::cli {

const std::vector<Command>& allCommands()
{
    static const std::vector<Command> commands = {
        { { "data", "inspect" }, "read a data set split and print its size, classes, histogram and statistics",
            runDataInspect },
        { { "macs" }, "count an architecture's MACs and parameters per block and per exit", runMacs },
        { { "arch", "sample" }, "print a valid random early-exit architecture for a backbone preset", runArchSample },
        { { "arch", "family" }, "print a backbone's family (width, depth, kernels) as search --family sees it",
            runArchFamily },
        { { "train-backbone" }, "train a backbone preset on a data set and cache it", runTrainBackbone },
        { { "train-supernet" }, "train a weight-shared supernet over a backbone's family and take its members out",
            runTrainSupernet },
        { { "import-backbone" }, "bring a backbone trained in PyTorch (a state_dict) and cache it", runImportBackbone },
        { { "evaluate" }, "train an architecture's branches and report exit rates, accuracy, average MACs",
            runEvaluate },
        { { "tune" }, "tune exit thresholds on validation for a MAC target and report test figures", runTune },
        { { "search" }, "search exits, branches and thresholds (NSGA-II), autosaved and resumable", runSearch },
        { { "baseline" }, "run a comparison baseline (backbone, edanas, nachos, aebnas-paper) in the same format",
            runBaseline },
        { { "session", "export" }, "write a session as one readable JSON document", runSessionExport },
        { { "session", "calibration" }, "compare a session's front on raw and on calibrated exit confidences",
            runSessionCalibration },
        { { "session", "family" }, "summarise a family search: each backbone's share and the joint front",
            runSessionFamily },
        { { "export" }, "export a chosen network: JSON, weights, PyTorch code, reference samples, ONNX", runExport },
        { { "cache", "check" }, "check that every file in the cache folder is whole (header, size, checksum)",
            runCacheCheck },
    };
    return commands;
}

namespace {

constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;

void printOverview(std::ostream& out)
{
    out << "usage: earlybird-cli [--threads N] COMMAND [OPTIONS]\n\n"
           "Earlybird designs early-exit neural networks with hardware-aware architecture search.\n\n"
           "commands:\n";
    for (const Command& command : allCommands()) {
        std::string name;
        for (const std::string& word : command.words)
            name += (name.empty() ? "" : " ") + word;
        out << "  " << name << std::string(name.size() < 20 ? 20 - name.size() : 1, ' ') << command.summary << "\n";
    }
    out << "\nglobal options:\n"
           "  --threads N         CPU threads for LibTorch (default: every core, here "
        << machineCores()
        << ")\n"
           "  --version           print the version\n"
           "  --help              this overview; COMMAND --help for a command's options\n";
}

} // namespace

int main(int argc, char** argv)
{
    std::unique_ptr<Cluster> cluster;
    try {
        cluster = std::make_unique<Cluster>(argc, argv);
    } catch (const UsageError& error) {
        std::cerr << "earlybird-cli: " << error.what() << "\n";
        return kExitUsage;
    }
    std::vector<std::string> tokens(argv + 1, argv + argc);
    int threads = 0;
    try {
        // --threads is global: take it out wherever it stands.
        for (std::size_t i = 0; i < tokens.size();) {
            std::string value;
            if (tokens[i] == "--threads") {
                if (i + 1 >= tokens.size())
                    throw UsageError("--threads needs a value (N)");
                value = tokens[i + 1];
                tokens.erase(tokens.begin() + std::ptrdiff_t(i), tokens.begin() + std::ptrdiff_t(i) + 2);
            } else if (tokens[i].rfind("--threads=", 0) == 0) {
                value = tokens[i].substr(10);
                tokens.erase(tokens.begin() + std::ptrdiff_t(i));
            } else {
                ++i;
                continue;
            }
            std::size_t used = 0;
            try {
                threads = std::stoi(value, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != value.size() || value.empty())
                throw UsageError("--threads needs a whole number, not '" + value + "'");
        }
        if (tokens.empty() || tokens[0] == "--help" || tokens[0] == "-h" || tokens[0] == "help") {
            printOverview(std::cout);
            return tokens.empty() ? kExitUsage : 0;
        }
        if (tokens[0] == "--version") {
            std::cout << "earlybird-cli " << EARLYBIRD_VERSION << "\n";
            return 0;
        }
        setComputeThreads(threads);
        // Under mpirun, the ranks after the first train branches for a search on rank 0 and do nothing else.
        if (cluster->rank() > 0)
            return tokens[0] == "search" || tokens[0] == "baseline" ? runWorker(cluster->rank()) : 0;
        for (const Command& command : allCommands()) {
            if (tokens.size() < command.words.size()
                || !std::equal(command.words.begin(), command.words.end(), tokens.begin()))
                continue;
            const std::vector<std::string> rest(tokens.begin() + std::ptrdiff_t(command.words.size()), tokens.end());
            return command.run(rest);
        }
        throw UsageError("unknown command '" + tokens[0] + "' (earlybird-cli --help lists the commands)");
    } catch (const UsageError& error) {
        std::cerr << "earlybird-cli: " << error.what() << "\n";
        return kExitUsage;
    } catch (const ConfigError& error) {
        std::cerr << "earlybird-cli: " << error.what() << "\n";
        return kExitUsage;
    } catch (const CancelledError&) {
        std::cerr << "earlybird-cli: cancelled\n";
        return kExitBadInput;
    } catch (const Error& error) {
        std::cerr << "earlybird-cli: " << error.what() << "\n";
        return kExitBadInput;
    } catch (const std::exception& error) {
        std::cerr << "earlybird-cli: internal error: " << error.what() << "\n";
        return kExitBadInput;
    }
}

} // namespace earlybird::cli

int main(int argc, char** argv)
{
    return earlybird::cli::main(argc, argv);
}
