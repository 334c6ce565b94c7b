#include "experiment/supernetrun.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/rng.h"
#include "data/batchbuilder.h"
#include "data/channelstats.h"
#include "data/validationsplit.h"
#include "nn/statedict.h"
#include "nn/supernet.h"
#include "nn/trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

namespace earlybird {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kSupernetKind = "supernet";
// The state of a supernet training between epochs (nn/trainer.h's TrainingCheckpoint), removed once the training ends.
constexpr const char* kCheckpointKind = "supernet-checkpoint";

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string supernetKey(const SupernetConfig& config, const std::string& dataset, const BackboneGenes& largest,
    const BackboneGenes& smallest)
{
    const TrainingOptions& t = config.experiment.backboneTraining;
    const ElasticOptions elastic;
    const nlohmann::json key { { "kind", "supernet" }, { "dataset", dataset },
        { "backbone", backboneToJson(config.experiment.backbone).dump() }, { "largest", genesLabel(largest) },
        { "smallest", genesLabel(smallest) }, { "widths", elastic.widths }, { "kernels", elastic.kernels },
        { "largest_epochs", config.largestEpochs }, { "random", config.randomSubnets },
        { "calibration", config.calibrationImages }, { "seed", config.experiment.seed }, { "epochs", t.epochs },
        { "batch", t.batchSize }, { "lr", t.learningRate }, { "momentum", t.momentum }, { "wd", t.weightDecay },
        { "smoothing", t.labelSmoothing }, { "augment", t.augment }, { "warmup", t.warmupEpochs },
        { "precision", nameOf(t.precision) }, { "validation", config.experiment.validationFraction } };
    return hexKey(hashString(key.dump()));
}

double accuracyOf(nn::EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, const Dataset& data, CancelFlag cancel)
{
    if (indices.empty())
        return 0;
    const torch::Tensor predictions
        = nn::finalLogits(network, builder, indices, cancel).argmax(1).to(torch::kLong).contiguous();
    const std::int64_t* predicted = predictions.data_ptr<std::int64_t>();
    std::int64_t right = 0;
    for (std::size_t i = 0; i < indices.size(); ++i)
        right += predicted[i] == data.label(indices[i]);
    return double(right) / double(indices.size());
}

std::string fileLabel(const std::string& label)
{
    std::string name = label;
    std::replace(name.begin(), name.end(), ' ', '_');
    return name;
}

} // namespace

void validateSupernetConfig(const SupernetConfig& config)
{
    if (config.members.empty())
        throw ConfigError("a supernet needs at least one member");
    if (config.experiment.cacheDirectory.empty())
        throw ConfigError("a supernet is kept in the cache folder: give one (--cache)");
    if (!config.experiment.backboneWeights.empty())
        throw ConfigError("a supernet trains its own weights; imported weights are for a fixed backbone");
    const int epochs = config.experiment.backboneTraining.epochs;
    if (epochs < 1)
        throw ConfigError("a supernet needs at least one epoch of training");
    if (config.largestEpochs < 0 || config.largestEpochs > epochs)
        throw ConfigError("the largest network trains alone for 0 to " + std::to_string(epochs) + " epochs (of "
            + std::to_string(epochs) + "), not " + std::to_string(config.largestEpochs));
    if (config.randomSubnets < 0 || config.randomSubnets > 8)
        throw ConfigError(
            "the sandwich rule draws 0 to 8 random members a step, not " + std::to_string(config.randomSubnets));
    if (config.calibrationImages < 2)
        throw ConfigError("BatchNorm statistics need at least 2 calibration images");
    for (const BackboneGenes& genes : config.members)
        familyMember(config.experiment.backbone, genes); // throws for genes that do not fit
    const BackboneGenes largest = spanningGenes(config.members);
    for (const BackboneGenes& genes : config.members)
        sharedBlockIndices(config.experiment.backbone, largest, genes);
}

struct SupernetRun::Impl {
    SupernetConfig config;
    Dataset train;
    Dataset test;
    ValidationSplit split;
    ChannelStats stats;
    std::unique_ptr<BatchBuilder> builder;
    std::unique_ptr<BatchBuilder> testBuilder;
    BackboneGenes largest;
    BackboneGenes smallest;
    std::string key;
    std::string folder;
};

SupernetRun::SupernetRun(const SupernetConfig& config)
    : m_impl(std::make_unique<Impl>())
{
    validateSupernetConfig(config);
    Impl& d = *m_impl;
    d.config = config;
    ExperimentConfig& e = d.config.experiment;
    resolveTrainingPrecision(e);
    d.train = loadDataset(e.dataset, Split::Train);
    d.test = loadDataset(e.dataset, Split::Test);
    if (d.train.shape() != e.backbone.input || d.train.numClasses() != e.backbone.classes)
        throw ConfigError(
            "backbone '" + e.backbone.name + "' does not take " + d.train.name() + "'s images or classes");
    d.split = validationSplitOf(d.train, e.validationFraction, e.seed);
    d.stats = computeChannelStats(d.train, &d.split.train);
    d.builder = std::make_unique<BatchBuilder>(d.train, d.stats);
    d.testBuilder = std::make_unique<BatchBuilder>(d.test, d.stats);
    d.largest = spanningGenes(config.members);
    d.smallest = narrowestGenes(config.members);
    d.key = supernetKey(d.config, datasetFingerprint(e.dataset.kind, d.train, d.test), d.largest, d.smallest);
    d.folder = e.cacheDirectory + "/" + d.key;
}

SupernetRun::~SupernetRun() = default;

const std::string& SupernetRun::folder() const
{
    return m_impl->folder;
}

SupernetReport prepareSupernet(const SupernetConfig& config, const ProgressCallback& progress, CancelFlag cancel)
{
    return SupernetRun(config).prepare(progress, cancel);
}

SupernetReport SupernetRun::prepare(const ProgressCallback& progress, CancelFlag cancel)
{
    Impl& d = *m_impl;
    const SupernetConfig& config = d.config;
    const ExperimentConfig& e = config.experiment;
    const BatchBuilder& builder = *d.builder;
    const BatchBuilder& testBuilder = *d.testBuilder;
    const ValidationSplit& split = d.split;
    const Dataset& train = d.train;
    const Dataset& test = d.test;
    std::vector<std::int64_t> testIndices(std::size_t(test.size()));
    std::iota(testIndices.begin(), testIndices.end(), 0);

    SupernetReport report;
    report.largest = d.largest;
    report.smallest = d.smallest;
    report.key = d.key;
    report.folder = d.folder;
    const std::string weightsPath = report.folder + "/supernet.ebc";
    const std::string summaryPath = report.folder + "/supernet.json";

    nn::Supernet supernet(e.backbone, config.members, e.seed);
    bool loaded = false;
    if (const auto bytes = readCacheFile(weightsPath, kSupernetKind)) {
        torch::serialize::InputArchive archive;
        if (nn::loadArchive(*bytes, archive)) {
            try {
                supernet.network()->load(archive);
                loaded = true;
            } catch (const std::exception&) {
                supernet = nn::Supernet(e.backbone, config.members, e.seed); // a partial load is not trusted
            }
        }
    }
    if (loaded) {
        report.fromCache = true;
        try {
            const std::vector<std::uint8_t> text = readFileBytes(summaryPath);
            report.trainSeconds = nlohmann::json::parse(text.begin(), text.end()).value("train_seconds", 0.0);
        } catch (const std::exception&) {
            report.trainSeconds = 0; // the record is gone: its time is not known
        }
    } else {
        const Clock::time_point start = Clock::now();
        nn::SupernetTraining training;
        training.options = e.backboneTraining;
        training.largestEpochs = config.largestEpochs;
        training.randomSubnets = config.randomSubnets;
        // The state after each epoch, so that a stopped training resumes there (the folder's key is the training's).
        const std::string checkpointPath = report.folder + "/supernet-checkpoint.ebc";
        nn::TrainingCheckpoint checkpoint = nn::checkpointInCacheFile(checkpointPath, kCheckpointKind);
        nn::trainSupernet(supernet, builder, split.train, standardAugmentation(e.dataset.kind, train.shape()), training,
            e.seed, progress, cancel, &checkpoint);
        report.resumedEpoch = checkpoint.resumedEpoch;
        report.trainSeconds = checkpoint.resumedSeconds + secondsSince(start);
        torch::serialize::OutputArchive archive;
        supernet.network()->save(archive);
        makeDirectories(report.folder);
        writeCacheFile(weightsPath, kSupernetKind, nn::archiveBytes(archive));
        const nlohmann::json summary { { "backbone", e.backbone.name }, { "dataset", nameOf(e.dataset.kind) },
            { "largest", genesLabel(report.largest) }, { "smallest", genesLabel(report.smallest) },
            { "epochs", e.backboneTraining.epochs }, { "largest_epochs", config.largestEpochs },
            { "random_subnets", config.randomSubnets }, { "seed", e.seed }, { "train_seconds", report.trainSeconds },
            { "resumed_after_epoch", report.resumedEpoch } };
        writeFileAtomically(summaryPath, summary.dump(2) + "\n");
        std::remove(checkpointPath.c_str());
    }

    // The calibration images: a seeded draw from the training split (never validation or test images).
    std::vector<std::int64_t> calibration = split.train;
    Rng rng(e.seed ^ 0xba7c4ULL);
    shuffle(calibration, rng);
    calibration.resize(std::min<std::size_t>(calibration.size(), std::size_t(config.calibrationImages)));
    const Clock::time_point start = Clock::now();
    for (const BackboneGenes& genes : config.members) {
        SupernetMemberWeights member { genes, genesLabel(genes),
            report.folder + "/" + fileLabel(genesLabel(genes)) + ".pt" };
        nn::EarlyExitNetwork network = supernet.extractMember(genes);
        if (fileExists(member.weightsPath)) {
            nn::loadStateDict(*network, member.weightsPath);
        } else {
            nn::recalibrateBatchNorm(*network, builder, calibration, cancel);
            nn::saveStateDict(*network, member.weightsPath);
        }
        member.validationAccuracy = accuracyOf(*network, builder, split.validation, train, cancel);
        member.testAccuracy = accuracyOf(*network, testBuilder, testIndices, test, cancel);
        report.members.push_back(std::move(member));
    }
    report.extractSeconds = secondsSince(start);
    return report;
}

} // namespace earlybird
