#pragma once

#include <string>
#include <vector>

namespace earlybird::cli {

// One CLI command: the words that name it ("data inspect"), a line for the command list, and the function that runs
// it on the remaining arguments and returns the exit code.
struct Command {
    std::vector<std::string> words;
    std::string summary;
    int (*run)(const std::vector<std::string>& arguments);
};

// Every command, in the order --help lists them.
const std::vector<Command>& allCommands();

int runDataInspect(const std::vector<std::string>& arguments);
int runMacs(const std::vector<std::string>& arguments);
int runArchSample(const std::vector<std::string>& arguments);
int runArchFamily(const std::vector<std::string>& arguments);
int runTrainSupernet(const std::vector<std::string>& arguments);
int runTrainBackbone(const std::vector<std::string>& arguments);
int runImportBackbone(const std::vector<std::string>& arguments);
int runEvaluate(const std::vector<std::string>& arguments);
int runTune(const std::vector<std::string>& arguments);
int runSearch(const std::vector<std::string>& arguments);
int runBaseline(const std::vector<std::string>& arguments);
int runSessionExport(const std::vector<std::string>& arguments);
int runSessionCalibration(const std::vector<std::string>& arguments);
int runSessionFamily(const std::vector<std::string>& arguments);
int runExport(const std::vector<std::string>& arguments);
int runCacheCheck(const std::vector<std::string>& arguments);

} // namespace earlybird::cli
