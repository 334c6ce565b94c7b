#pragma once

#include "argumentparser.h"

#include "base/progress.h"
#include "experiment/experiment.h"

#include <string>

namespace earlybird::cli {

// The options that say how a user's own data set is read (--image-size, --skip-bad-images: image folders), and the
// DatasetSpec fields they set. Throws UsageError for impossible values.
void addDatasetReadingOptions(ArgumentParser& parser);
void applyDatasetReadingOptions(const ArgumentParser& parser, DatasetSpec& spec);

// The options of every command that trains (train-backbone, evaluate, tune, search, baseline): the data set, how the
// backbone and the branches are trained, the seed, feature memory and the cache folder.
void addTrainingOptions(ArgumentParser& parser);

// The experiment those options describe; its backbone is left to the command (a preset sized for the data set, or an
// architecture's own). Throws UsageError or ConfigError for impossible values.
ExperimentConfig experimentConfig(const ArgumentParser& parser);

// Training progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise (logs, pipes).
// `backboneName` names the backbone-training phase ("training supernet" for train-supernet); empty: its own name.
ProgressCallback trainingProgressPrinter(const std::string& backboneName = {});
// Ends the rewritten line, on a terminal.
void endProgressLine();

// While it lives, SIGINT and SIGTERM (Ctrl-C, kill) set its flag instead of ending the process, so that long work
// stops between batches and keeps what it finished (a backbone training's last whole epoch, a session's candidates).
// One at a time; the default handlers come back when it ends.
class InterruptFlag {
public:
    InterruptFlag();
    ~InterruptFlag();
    InterruptFlag(const InterruptFlag&) = delete;
    InterruptFlag& operator=(const InterruptFlag&) = delete;
    CancelFlag flag() const;
    bool raised() const;
};

// "0.5,0.75" as numbers; throws UsageError naming --thresholds for anything else.
std::vector<double> parseThresholds(const std::string& text);

} // namespace earlybird::cli
