#include "nn/backbonestore.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/fileio.h"
#include "nn/statedict.h"
#include "nn/trainer.h"

#include <chrono>
#include <cstdio>

namespace earlybird::nn {

namespace {

constexpr const char* kBackboneKind = "backbone";
// The state of a backbone training between epochs (trainer.h's TrainingCheckpoint), removed once the training ends.
constexpr const char* kCheckpointKind = "backbone-checkpoint";

void keep(EarlyExitNetwork& backbone, const std::string& folder)
{
    if (folder.empty())
        return;
    torch::serialize::OutputArchive archive;
    backbone->save(archive);
    makeDirectories(folder);
    writeCacheFile(folder + "/backbone.ebc", kBackboneKind, archiveBytes(archive));
}

} // namespace

BackboneOrigin loadOrTrainBackbone(EarlyExitNetwork& backbone, const Architecture& plain, const BackboneSource& source,
    const ProgressCallback& progress, CancelFlag cancel)
{
    BackboneOrigin origin;
    const std::string path = source.folder.empty() ? std::string() : source.folder + "/backbone.ebc";
    if (!path.empty()) {
        if (const auto bytes = readCacheFile(path, kBackboneKind)) {
            torch::serialize::InputArchive archive;
            if (loadArchive(*bytes, archive)) {
                try {
                    backbone->load(archive);
                    origin.fromCache = true;
                    return origin;
                } catch (const std::exception&) {
                    backbone = EarlyExitNetwork(plain, source.seed); // a partial load is not trusted
                }
            }
        }
    }
    if (!source.importedWeights.empty()) {
        if (!fileExists(source.importedWeights))
            throw DataError(source.importedWeights,
                "the backbone's weights are gone (no such file), and no cache folder holds them");
        loadStateDict(*backbone, source.importedWeights);
        keep(backbone, source.folder);
        return origin;
    }
    if (!source.trainingAllowed)
        throw ConfigError(path.empty() ? std::string("no cache folder holds the trained backbone")
                                       : "the trained backbone is not in the cache (" + path
                    + " is missing or unreadable): the weights of this session are gone; run the search again");
    if (!source.builder || !source.indices)
        throw ConfigError("the backbone must be trained, but no training images were given");
    const auto start = std::chrono::steady_clock::now();
    // The state after each epoch, so that a stopped training resumes there (the folder's key is the training's: the
    // same data, backbone, seed and options).
    const std::string checkpointPath
        = source.folder.empty() ? std::string() : source.folder + "/backbone-checkpoint.ebc";
    TrainingCheckpoint checkpoint = checkpointInCacheFile(checkpointPath, kCheckpointKind);
    trainBackbone(*backbone, *source.builder, *source.indices, source.augmentation, source.options, source.seed,
        progress, cancel, &checkpoint);
    origin.trainSeconds
        = checkpoint.resumedSeconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    origin.resumedEpoch = checkpoint.resumedEpoch;
    if (!checkpointPath.empty())
        std::remove(checkpointPath.c_str());
    keep(backbone, source.folder);
    return origin;
}

} // namespace earlybird::nn
