#pragma once

// A weight-shared supernet over a backbone family, trained once on a data set and kept in the cache folder, and each
// member taken out of it as a backbone of its own (a state_dict that an experiment imports as it imports weights
// trained elsewhere, ExperimentConfig::backboneWeights). See nn/supernet.h for the training recipe.

#include "base/progress.h"
#include "experiment/experiment.h"
#include "model/backbonefamily.h"

#include <memory>
#include <string>
#include <vector>

namespace earlybird {

struct SupernetConfig {
    // The data set, the base backbone, the supernet's training (backboneTraining: epochs, learning rate ...), the
    // validation fraction (the split is an experiment's: members are calibrated on training images only), the seed
    // and the cache folder (required).
    ExperimentConfig experiment;
    std::vector<BackboneGenes> members; // the supernet spans them; each is taken out
    int largestEpochs = 2; // of backboneTraining.epochs, the first train the largest network alone
    int randomSubnets = 2; // members drawn at random per step of the sandwich rule, besides the largest and smallest
    int calibrationImages = 2000; // training images each member's BatchNorm statistics are measured on
};

// Throws ConfigError for an impossible configuration (no members, no cache folder, epochs out of range ...).
void validateSupernetConfig(const SupernetConfig& config);

struct SupernetMemberWeights {
    BackboneGenes genes;
    std::string label;
    std::string weightsPath; // its state_dict, in the supernet's cache folder
    double validationAccuracy = 0; // its final exit's, as taken out (measured at every call)
    double testAccuracy = 0;
};

struct SupernetReport {
    std::string key; // the supernet's cache folder's name
    std::string folder;
    bool fromCache = false;
    double trainSeconds = 0; // its training, when it was trained (here or in the run that cached it; every run of a
                             // training stopped and resumed)
    int resumedEpoch = 0; // trained here: the epoch a stopped training resumed after (0: none)
    double extractSeconds = 0; // taking the members out and measuring their BatchNorm statistics, here
    BackboneGenes largest;
    BackboneGenes smallest;
    std::vector<SupernetMemberWeights> members; // in the order of the config's
};

// A supernet's preparation: the data set loaded and its cache folder known, then trained (or found in the cache) and
// its members taken out.
class SupernetRun {
public:
    // Loads the data set. Throws ConfigError for an impossible configuration, DataError for the data set.
    explicit SupernetRun(const SupernetConfig& config);
    ~SupernetRun();

    // <cache>/<key>: the key is the data set's, the base backbone's, the spanned genes' and the training's.
    const std::string& folder() const;

    // Trains the supernet or finds it in the cache (supernet.ebc, with supernet.json saying how long its training
    // took), and writes every member's weights, its BatchNorm statistics measured on `calibrationImages` training
    // images, as <label>.pt beside it (kept: a second call writes nothing), and measures each member's validation and
    // test accuracy. Throws CancelledError when cancelled: a training stopped resumes after its last whole epoch
    // (supernet-checkpoint.ebc in the folder).
    SupernetReport prepare(const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// SupernetRun(config).prepare(progress, cancel).
SupernetReport prepareSupernet(
    const SupernetConfig& config, const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);

} // namespace earlybird
