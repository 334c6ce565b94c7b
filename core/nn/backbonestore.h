#pragma once

// Includes torch: see nn/modules.h.

#include "data/batchbuilder.h"
#include "nn/earlyexitnetwork.h"
#include "nn/trainingoptions.h"

#include <string>
#include <vector>

namespace earlybird::nn {

// Where an experiment's backbone weights come from, in this order: the cache folder of its key (backbone.ebc), a
// state_dict the user trained elsewhere (imported once, then kept in the cache folder), or training here (with a
// checkpoint after every epoch in the cache folder, so that a stopped training resumes after its last whole epoch).
struct BackboneSource {
    std::string folder; // the backbone key's cache folder; empty: nothing is read or written
    std::string importedWeights; // a state_dict file (torch.save) to import instead of training; empty: train
    bool trainingAllowed = true;
    // What training needs (not used when the weights come from the cache or the state_dict).
    const BatchBuilder* builder = nullptr;
    const std::vector<std::int64_t>* indices = nullptr;
    Augmentation augmentation;
    TrainingOptions options;
    std::uint64_t seed = 1;
};

struct BackboneOrigin {
    bool fromCache = false; // else imported from the state_dict, or trained here
    int resumedEpoch = 0; // the epoch a stopped training resumed after (0: none)
    double trainSeconds = 0;
};

// Fills `backbone` (built from `plain`, a backbone without exits, and `seed`) from the first source that has it.
// Throws ConfigError when training is not allowed and no cache holds the backbone, DataError for a state_dict that
// does not fit, CancelledError when cancelled.
BackboneOrigin loadOrTrainBackbone(EarlyExitNetwork& backbone, const Architecture& plain, const BackboneSource& source,
    const ProgressCallback& progress, CancelFlag cancel);

} // namespace earlybird::nn
