#include "experiment/experiment.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/rng.h"
#include "data/batchbuilder.h"
#include "data/channelstats.h"
#include "data/validationsplit.h"
#include "experiment/exitcolumns.h"
#include "model/backbonepresets.h"
#include "nn/backbonestore.h"
#include "nn/earlyexitnetwork.h"
#include "nn/statedict.h"
#include "nn/trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>

namespace earlybird {

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Bytes of one float16 value: the feature cache's storage type.
constexpr std::int64_t kFeatureBytes = 2;
// Branches are trained on at least this many cached images, whatever the budget says; fewer would not learn.
constexpr std::int64_t kMinTrainSubset = 256;
constexpr const char* kBranchKind = "branch";

struct BranchRecord {
    ExitColumn validation;
    ExitColumn test;
    nn::ExitHead head { nullptr }; // the trained weights, for refinement and export
};

// Copies every parameter and buffer of `from` into the same-named one of `to` under `prefix` (e.g. "exit0.").
void copyState(const torch::nn::Module& from, torch::nn::Module& to, const std::string& prefix)
{
    torch::NoGradGuard noGrad;
    auto targetParameters = to.named_parameters();
    auto targetBuffers = to.named_buffers();
    for (const auto& item : from.named_parameters())
        targetParameters[prefix + item.key()].copy_(item.value());
    for (const auto& item : from.named_buffers())
        targetBuffers[prefix + item.key()].copy_(item.value());
}

} // namespace

std::string datasetFingerprint(DatasetKind kind, const Dataset& train, const Dataset& test)
{
    std::uint64_t h = hashString(nameOf(kind));
    for (const Dataset* d : { &train, &test }) {
        h = hashBytes(d->pixels().data(), d->pixels().size(), h);
        h = hashBytes(d->labels().data(), d->labels().size() * sizeof(std::int64_t), h);
    }
    if (train.ownValidationFrom() >= 0) // only then, so that the keys of the published data sets stay
        h = hashString("own validation from " + std::to_string(train.ownValidationFrom()), h);
    return hexKey(h);
}

struct Experiment::Impl {
    ExperimentConfig config;
    ExperimentReport report;
    bool prepared = false;
    bool trainingAllowed = true;

    Dataset train;
    Dataset test;
    ValidationSplit split;
    std::vector<std::int64_t> testIndices;
    std::vector<std::int32_t> validationLabels;
    std::vector<std::int32_t> testLabels;
    ChannelStats stats;
    std::unique_ptr<BatchBuilder> trainBuilder;
    std::unique_ptr<BatchBuilder> testBuilder;

    std::string folder; // cache folder of this backbone, empty when not caching
    nn::EarlyExitNetwork backbone { nullptr };
    ExitColumn finalValidation;
    ExitColumn finalTest;

    std::vector<std::int64_t> trainSubset;
    torch::Tensor trainSubsetLabels;
    std::map<int, torch::Tensor> trainFeatures, validationFeatures, testFeatures;
    std::map<std::string, BranchRecord> branches;
    std::set<std::string> trainedAhead; // keys of branches trained before a candidate used them (trainAhead)
    std::map<std::string, BranchRecord> screened; // trained at a screening fidelity, by key and fidelity

    std::string datasetFingerprint() const { return earlybird::datasetFingerprint(config.dataset.kind, train, test); }

    std::string backboneKey() const
    {
        if (!config.backboneWeights.empty()) {
            // Weights trained elsewhere: the key is theirs and the data's, whatever the training options say.
            const nlohmann::json key { { "dataset", datasetFingerprint() },
                { "backbone", backboneToJson(config.backbone).dump() }, { "imported", config.backboneWeightsHash } };
            return hexKey(hashString(key.dump()));
        }
        const TrainingOptions& t = config.backboneTraining;
        nlohmann::json key { { "dataset", datasetFingerprint() },
            { "backbone", backboneToJson(config.backbone).dump() }, { "seed", config.seed }, { "epochs", t.epochs },
            { "batch", t.batchSize }, { "lr", t.learningRate }, { "momentum", t.momentum }, { "wd", t.weightDecay },
            { "smoothing", t.labelSmoothing }, { "augment", t.augment }, { "validation", config.validationFraction } };
        // Fields added later enter the key only away from their old behaviour, so backbones cached before them keep
        // their keys (and the sessions that name them open).
        if (t.warmupEpochs > 0)
            key["warmup"] = t.warmupEpochs;
        if (t.precision == Precision::BFloat16)
            key["precision"] = nameOf(t.precision);
        return hexKey(hashString(key.dump()));
    }

    std::string branchKey(const ExitSpec& exit) const
    {
        nlohmann::json layers = nlohmann::json::array();
        for (const BranchLayerSpec& layer : exit.layers)
            layers.push_back({ nameOf(layer.type), layer.width, layer.stride });
        const BranchTrainingOptions& b = config.branchTraining;
        nlohmann::json key { { "position", exit.position }, { "layers", layers }, { "epochs", b.epochs },
            { "batch", b.batchSize }, { "lr", b.learningRate }, { "wd", b.weightDecay },
            { "subset", trainSubset.size() }, { "seed", config.seed } };
        if (b.precision == Precision::BFloat16)
            key["precision"] = nameOf(b.precision);
        return hexKey(hashString(key.dump()));
    }

    int featureChannels(int position) const
    {
        return countNetworkCost(Architecture { config.backbone, ConfidenceMeasure::ScoreMargin, {} })
            .blocks[std::size_t(position)]
            .output.channels;
    }

    void loadData(const ProgressCallback& progress)
    {
        const Clock::time_point start = Clock::now();
        if (progress)
            progress(TrainingProgress { TrainingPhase::LoadingData });
        train = loadDataset(config.dataset, Split::Train);
        test = loadDataset(config.dataset, Split::Test);
        if (train.shape() != config.backbone.input || train.numClasses() != config.backbone.classes)
            throw ConfigError("backbone '" + config.backbone.name + "' takes "
                + std::to_string(config.backbone.input.channels) + "x" + std::to_string(config.backbone.input.height)
                + "x" + std::to_string(config.backbone.input.width) + " images of "
                + std::to_string(config.backbone.classes) + " classes, but " + train.name() + " has "
                + std::to_string(train.shape().channels) + "x" + std::to_string(train.shape().height) + "x"
                + std::to_string(train.shape().width) + " images of " + std::to_string(train.numClasses())
                + " classes");
        split = validationSplitOf(train, config.validationFraction, config.seed);
        if (split.validation.empty())
            throw ConfigError(
                "thresholds are tuned on a validation split, but the validation fraction leaves it empty");
        testIndices.resize(std::size_t(test.size()));
        std::iota(testIndices.begin(), testIndices.end(), 0);
        for (const std::int64_t i : split.validation)
            validationLabels.push_back(std::int32_t(train.label(i)));
        for (const std::int64_t label : test.labels())
            testLabels.push_back(std::int32_t(label));
        stats = computeChannelStats(train, &split.train);
        trainBuilder = std::make_unique<BatchBuilder>(train, stats);
        testBuilder = std::make_unique<BatchBuilder>(test, stats);
        report.dataSeconds = secondsSince(start);
        report.validationImages = std::int64_t(split.validation.size());
        report.testImages = test.size();
    }

    void loadOrTrainBackbone(const ProgressCallback& progress, CancelFlag cancel)
    {
        Architecture plain;
        plain.backbone = config.backbone;
        backbone = nn::EarlyExitNetwork(plain, config.seed);
        report.backboneKey = backboneKey();
        nn::BackboneSource source;
        source.folder = folder;
        source.importedWeights = config.backboneWeights;
        source.trainingAllowed = trainingAllowed;
        source.builder = trainBuilder.get();
        source.indices = &split.train;
        source.augmentation = standardAugmentation(config.dataset.kind, train.shape());
        source.options = config.backboneTraining;
        source.seed = config.seed;
        const nn::BackboneOrigin origin = nn::loadOrTrainBackbone(backbone, plain, source, progress, cancel);
        report.backboneFromCache = origin.fromCache;
        report.backboneImported = !config.backboneWeights.empty();
        report.backboneTrainSeconds = origin.trainSeconds;
        report.backboneResumedEpoch = origin.resumedEpoch;
        backbone->eval();
        if (progress)
            progress(TrainingProgress { TrainingPhase::EvaluatingBackbone });
        ExitColumnPair final = calibratedColumns(nn::finalLogits(*backbone, *trainBuilder, split.validation, cancel),
            nn::finalLogits(*backbone, *testBuilder, testIndices, cancel), validationLabels);
        finalValidation = std::move(final.validation);
        finalTest = std::move(final.test);
        report.backboneValidationAccuracy = accuracyOf(finalValidation, validationLabels);
        report.backboneTestAccuracy = accuracyOf(finalTest, testLabels);
        if (!folder.empty()) {
            const nlohmann::json summary { { "backbone", backboneToJson(config.backbone) },
                { "dataset", nameOf(config.dataset.kind) }, { "epochs", config.backboneTraining.epochs },
                { "warmup_epochs", config.backboneTraining.warmupEpochs },
                { "learning_rate", config.backboneTraining.learningRate },
                { "label_smoothing", config.backboneTraining.labelSmoothing },
                { "precision", nameOf(config.backboneTraining.precision) },
                { "channels_last", config.backboneTraining.channelsLast },
                { "resumed_after_epoch", report.backboneResumedEpoch }, { "seed", config.seed },
                { "imported_from", config.backboneWeights },
                { "validation_accuracy", report.backboneValidationAccuracy },
                { "test_accuracy", report.backboneTestAccuracy }, { "train_seconds", report.backboneTrainSeconds } };
            if (!report.backboneFromCache)
                writeFileAtomically(folder + "/backbone.json", summary.dump(2) + "\n");
        }
    }

    static double accuracyOf(const ExitColumn& column, const std::vector<std::int32_t>& labels)
    {
        std::int64_t right = 0;
        for (std::size_t i = 0; i < labels.size(); ++i)
            right += column.predictions[i] == labels[i];
        return labels.empty() ? 0 : double(right) / double(labels.size());
    }

    // The training subset for branch training: as many training images as the feature budget allows after the
    // validation and test features, chosen by a seeded shuffle. It depends on the budget and every exit position,
    // never on which positions are cached first, so a branch trains the same whatever order candidates come in.
    void chooseTrainSubset()
    {
        const NetworkCost cost = countNetworkCost(Architecture { config.backbone, ConfidenceMeasure::ScoreMargin, {} });
        std::int64_t perImage = 0;
        for (int p = 0; p < config.backbone.exitPositions(); ++p)
            perImage += cost.blocks[std::size_t(p)].output.pixelsPerImage() * kFeatureBytes;
        const std::int64_t fixed = perImage * std::int64_t(split.validation.size() + testIndices.size());
        const std::int64_t affordable = perImage > 0 ? (config.featureCacheBytes - fixed) / perImage : 0;
        if (affordable < kMinTrainSubset && perImage > 0) {
            const std::int64_t available = availableMemoryBytes();
            throw ConfigError("the feature cache budget of " + std::to_string(config.featureCacheBytes >> 20)
                + " MiB cannot hold the validation and test features plus " + std::to_string(kMinTrainSubset)
                + " training images (" + std::to_string((fixed + kMinTrainSubset * perImage) >> 20) + " MiB needed"
                + (available > 0 ? "; " + std::to_string(available >> 20) + " MiB of memory is available now" : "")
                + "): close other programs, or give more with --feature-memory");
        }
        std::vector<std::int64_t> order = split.train;
        Rng rng(config.seed ^ 0x5ca1ab1eULL);
        shuffle(order, rng);
        order.resize(std::size_t(std::min<std::int64_t>(affordable, std::int64_t(order.size()))));
        std::sort(order.begin(), order.end());
        trainSubset = std::move(order);
        std::vector<std::int64_t> labels;
        for (const std::int64_t i : trainSubset)
            labels.push_back(train.label(i));
        trainSubsetLabels = torch::tensor(labels, torch::kLong);
        report.trainSubset = std::int64_t(trainSubset.size());
        report.trainImages = std::int64_t(split.train.size());
    }

    static std::string branchName(const ExitSpec& exit)
    {
        std::string name;
        for (const BranchLayerSpec& layer : exit.layers)
            name += (name.empty() ? "" : ", ") + branchLayerLabel(layer);
        return name.empty() ? "a linear classifier" : name;
    }

    // The candidate's network with the trained backbone and its trained branches (training missing ones if allowed).
    nn::EarlyExitNetwork trainedNetwork(
        const Architecture& architecture, const ProgressCallback& progress, CancelFlag cancel)
    {
        nn::EarlyExitNetwork network(architecture, config.seed);
        copyState(*backbone, *network, "");
        for (std::size_t e = 0; e < architecture.exits.size(); ++e)
            copyState(
                *branch(architecture.exits[e], progress, cancel).head, *network, "exit" + std::to_string(e) + ".");
        network->eval();
        return network;
    }

    std::string branchPath(const std::string& key) const
    {
        return folder.empty() ? std::string() : folder + "/branches/" + key + ".ebc";
    }

    // The branch's weights and per-sample outputs as the cache folder holds them.
    static std::vector<std::uint8_t> branchBytes(const BranchRecord& record)
    {
        torch::serialize::OutputArchive archive;
        torch::serialize::OutputArchive weights;
        record.head->save(weights);
        archive.write("head", weights);
        archive.write("validation", columnTensor(record.validation));
        archive.write("test", columnTensor(record.test));
        archive.write("validation_calibrated", calibrationTensor(record.validation));
        archive.write("test_calibrated", calibrationTensor(record.test));
        return nn::archiveBytes(archive);
    }

    // The branch read back from branchBytes(); nothing if the bytes are not this exit's branch on these splits.
    std::optional<BranchRecord> branchFromBytes(const ExitSpec& exit, const std::vector<std::uint8_t>& bytes) const
    {
        torch::serialize::InputArchive archive;
        torch::serialize::InputArchive weights;
        torch::Tensor validation, testValues;
        if (!nn::loadArchive(bytes, archive) || !archive.try_read("validation", validation)
            || !archive.try_read("test", testValues) || !archive.try_read("head", weights) || validation.dim() != 2
            || validation.size(0) != 4 || validation.size(1) != std::int64_t(validationLabels.size())
            || testValues.dim() != 2 || testValues.size(0) != 4
            || testValues.size(1) != std::int64_t(testLabels.size()))
            return std::nullopt;
        Rng rng(0);
        nn::ExitHead head(exit.layers, featureChannels(exit.position), config.backbone.classes, rng);
        try {
            head->load(weights);
        } catch (const std::exception&) {
            return std::nullopt; // weights that do not fit
        }
        head->eval();
        BranchRecord record { columnFromTensor(validation), columnFromTensor(testValues), head };
        // Calibrated confidences: in files written since calibration exists (else computed when first used).
        torch::Tensor validationCalibrated, testCalibrated;
        if (archive.try_read("validation_calibrated", validationCalibrated)
            && archive.try_read("test_calibrated", testCalibrated)
            && !(setCalibrationFromTensor(record.validation, validationCalibrated)
                && setCalibrationFromTensor(record.test, testCalibrated))) {
            record.validation = columnFromTensor(validation); // a half-written pair: neither
            record.test = columnFromTensor(testValues);
        }
        return record;
    }

    // The branch as trained in full, from memory or the cache folder (then kept in memory); null if neither has it.
    // Counts nothing.
    BranchRecord* knownBranch(const ExitSpec& exit)
    {
        const std::string key = branchKey(exit);
        if (const auto found = branches.find(key); found != branches.end())
            return &found->second;
        const std::string path = branchPath(key);
        if (path.empty())
            return nullptr;
        const auto bytes = readCacheFile(path, kBranchKind);
        if (!bytes)
            return nullptr;
        std::optional<BranchRecord> record = branchFromBytes(exit, *bytes);
        return record ? &(branches[key] = std::move(*record)) : nullptr; // else trained again
    }

    // knownBranch(), counted: as trained the first time a branch trained ahead of its candidate is used (so that a
    // candidate's count does not depend on when its branches were trained), as reused otherwise.
    BranchRecord* trainedBranch(const ExitSpec& exit)
    {
        BranchRecord* record = knownBranch(exit);
        if (record && trainedAhead.erase(branchKey(exit)))
            ++report.branchesTrained;
        else if (record)
            ++report.branchesFromCache;
        return record;
    }

    // Keeps a branch trained in full: in memory and in the cache folder.
    BranchRecord& keepBranch(const ExitSpec& exit, BranchRecord record)
    {
        const std::string key = branchKey(exit);
        if (const std::string path = branchPath(key); !path.empty()) {
            makeDirectories(folder + "/branches");
            writeCacheFile(path, kBranchKind, branchBytes(record));
        }
        return branches[key] = std::move(record);
    }

    // Trains the branch on the first `images` cached training images and runs it on validation and test.
    BranchRecord trainBranch(const ExitSpec& exit, const BranchTrainingOptions& options, std::int64_t images,
        const ProgressCallback& progress, CancelFlag cancel)
    {
        const std::uint64_t seed = nn::exitInitSeed(config.seed, exit);
        Rng rng(seed);
        nn::ExitHead head(exit.layers, featureChannels(exit.position), config.backbone.classes, rng);
        nn::trainExitHead(*head, trainFeatures.at(exit.position).narrow(0, 0, images),
            trainSubsetLabels.narrow(0, 0, images), options, seed, progress, cancel);
        ExitColumnPair columns = calibratedColumns(nn::headLogits(*head, validationFeatures.at(exit.position)),
            nn::headLogits(*head, testFeatures.at(exit.position)), validationLabels);
        return BranchRecord { std::move(columns.validation), std::move(columns.test), head };
    }

    // The branch trained at the screening fidelity (kept in memory only).
    BranchRecord& screenedBranch(
        const ExitSpec& exit, const ScreeningOptions& options, const ProgressCallback& progress, CancelFlag cancel)
    {
        const std::string key = branchKey(exit) + " " + std::to_string(options.training.epochs) + " "
            + std::to_string(options.subsetFraction);
        if (const auto found = screened.find(key); found != screened.end())
            return found->second;
        if (!trainingAllowed)
            throw ConfigError("screening trains branches, which this experiment may not");
        const std::int64_t images
            = std::max<std::int64_t>(2, std::int64_t(options.subsetFraction * double(trainSubset.size())));
        const Clock::time_point start = Clock::now();
        BranchRecord record = trainBranch(
            exit, options.training, std::min<std::int64_t>(images, std::int64_t(trainSubset.size())), progress, cancel);
        report.screenSeconds += secondsSince(start);
        ++report.branchesScreened;
        return screened[key] = std::move(record);
    }

    // Caches backbone features at `requested` positions (every exit position when empty) not cached yet.
    void cacheFeatures(const std::vector<int>& requested, const ProgressCallback& progress, CancelFlag cancel)
    {
        std::vector<int> positions;
        if (requested.empty()) {
            for (int p = 0; p < config.backbone.exitPositions(); ++p)
                positions.push_back(p);
        } else {
            positions = requested;
            std::sort(positions.begin(), positions.end());
            positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
        }
        positions.erase(
            std::remove_if(positions.begin(), positions.end(), [&](int p) { return trainFeatures.count(p) != 0; }),
            positions.end());
        if (positions.empty())
            return;
        const Clock::time_point start = Clock::now();
        const auto store = [&](std::map<int, torch::Tensor>& into, const BatchBuilder& builder,
                               const std::vector<std::int64_t>& indices) {
            std::vector<torch::Tensor> maps
                = nn::extractFeatures(*backbone, builder, indices, positions, torch::kHalf, progress, cancel);
            for (std::size_t i = 0; i < positions.size(); ++i) {
                report.featureBytes += maps[i].numel() * kFeatureBytes;
                into[positions[i]] = std::move(maps[i]);
            }
        };
        store(trainFeatures, *trainBuilder, trainSubset);
        store(validationFeatures, *trainBuilder, split.validation);
        store(testFeatures, *testBuilder, testIndices);
        report.featureSeconds += secondsSince(start);
    }

    // A branch from a cache file written before calibration existed: its calibrated columns computed from its head on
    // the cached features (kept in memory; the cache file is rewritten with them).
    void calibrateCached(const ExitSpec& exit, BranchRecord& record)
    {
        cacheFeatures({ exit.position }, {}, nullptr);
        ExitColumnPair columns = calibratedColumns(nn::headLogits(*record.head, validationFeatures.at(exit.position)),
            nn::headLogits(*record.head, testFeatures.at(exit.position)), validationLabels);
        record.validation = std::move(columns.validation);
        record.test = std::move(columns.test);
        if (const std::string path = branchPath(branchKey(exit)); !path.empty())
            writeCacheFile(path, kBranchKind, branchBytes(record));
    }

    // The candidate's per-sample outcomes, each early exit's from `branchOf`.
    CandidateOutcomes outcomes(
        const Architecture& architecture, const std::function<BranchRecord&(const ExitSpec&)>& branchOf)
    {
        const int exits = architecture.exitCount();
        CandidateOutcomes result { ExitOutcomes(exits, std::int64_t(validationLabels.size())),
            ExitOutcomes(exits, std::int64_t(testLabels.size())), countNetworkCost(architecture) };
        const auto place = [&](int e, const ExitColumn& validation, const ExitColumn& test) {
            placeColumn(result.validation, e, validation, validationLabels, config.calibrate);
            placeColumn(result.test, e, test, testLabels, config.calibrate);
        };
        for (std::size_t e = 0; e < architecture.exits.size(); ++e) {
            BranchRecord& record = branchOf(architecture.exits[e]);
            if (!record.validation.hasCalibrated())
                calibrateCached(architecture.exits[e], record);
            place(int(e), record.validation, record.test);
        }
        place(exits - 1, finalValidation, finalTest);
        return result;
    }

    // Trains the branch in full (the experiment's options, every cached training image), timed as branch training.
    // Throws ConfigError naming the branch where training is not allowed.
    BranchRecord trainInFull(const ExitSpec& exit, const ProgressCallback& progress, CancelFlag cancel)
    {
        if (!trainingAllowed) {
            const std::string path = branchPath(branchKey(exit));
            throw ConfigError("the branch after block " + std::to_string(exit.position) + " (" + branchName(exit)
                + ") is not in the cache" + (path.empty() ? std::string() : " (" + path + " is missing or unreadable)")
                + ": its trained weights are gone; evaluate the candidate again to retrain it");
        }
        const Clock::time_point start = Clock::now();
        BranchRecord record
            = trainBranch(exit, config.branchTraining, std::int64_t(trainSubset.size()), progress, cancel);
        report.branchSeconds += secondsSince(start);
        return record;
    }

    BranchRecord& branch(const ExitSpec& exit, const ProgressCallback& progress, CancelFlag cancel)
    {
        if (BranchRecord* trained = trainedBranch(exit))
            return *trained;
        BranchRecord record = trainInFull(exit, progress, cancel);
        ++report.branchesTrained;
        return keepBranch(exit, std::move(record));
    }
};

Experiment::Experiment(ExperimentConfig config)
    : m_impl(std::make_unique<Impl>())
{
    validateBackbone(config.backbone, "experiment");
    m_impl->config = std::move(config);
    resolveTrainingPrecision(m_impl->config);
    resolveImportedBackbone(m_impl->config);
    m_impl->report.precision = nameOf(m_impl->config.backboneTraining.precision);
}

Experiment::~Experiment() = default;

void Experiment::setTrainingAllowed(bool allowed)
{
    m_impl->trainingAllowed = allowed;
}

const std::vector<std::int32_t>& Experiment::validationLabels() const
{
    return m_impl->validationLabels;
}

const std::vector<std::int32_t>& Experiment::testLabels() const
{
    return m_impl->testLabels;
}

const ChannelStats& Experiment::normalisation() const
{
    return m_impl->stats;
}

namespace {

void saveTensorDict(const c10::Dict<std::string, at::Tensor>& dict, const std::string& path)
{
    const std::vector<char> bytes = torch::pickle_save(dict);
    writeFileAtomically(path, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

} // namespace

void Experiment::saveTrainedWeights(const Architecture& architecture, const std::string& path)
{
    Impl& d = *m_impl;
    if (!d.prepared)
        throw ConfigError("the experiment must be prepared before weights are saved");
    if (architecture.backbone != d.config.backbone)
        throw ConfigError("the candidate's backbone is not the one this experiment trained");
    nn::EarlyExitNetwork network = d.trainedNetwork(architecture, {}, nullptr);
    nn::saveStateDict(*network, path);
}

void Experiment::saveReferenceSamples(const Architecture& architecture, int count, const std::string& path)
{
    Impl& d = *m_impl;
    if (!d.prepared)
        throw ConfigError("the experiment must be prepared before samples are saved");
    if (count < 1)
        throw ConfigError("reference samples: the count must be at least 1");
    if (architecture.backbone != d.config.backbone)
        throw ConfigError("the candidate's backbone is not the one this experiment trained");
    nn::EarlyExitNetwork network = d.trainedNetwork(architecture, {}, nullptr);
    const std::int64_t n = std::min<std::int64_t>(count, d.test.size());
    const ImageShape shape = d.config.backbone.input;
    const std::vector<std::int64_t> indices(d.testIndices.begin(), d.testIndices.begin() + n);
    torch::Tensor inputs = torch::empty({ n, shape.channels, shape.height, shape.width });
    d.testBuilder->fill(indices.data(), indices.size(), inputs.data_ptr<float>());
    torch::Tensor labels = torch::empty({ n }, torch::kLong);
    d.testBuilder->fillLabels(indices.data(), indices.size(), labels.data_ptr<std::int64_t>());
    torch::Tensor images = torch::from_blob(const_cast<std::uint8_t*>(d.test.pixels().data()),
        { n, shape.channels, shape.height, shape.width }, torch::kUInt8)
                               .clone();

    c10::Dict<std::string, at::Tensor> dict;
    dict.insert("images", images);
    dict.insert("inputs", inputs);
    dict.insert("labels", labels);
    {
        torch::NoGradGuard noGrad;
        const std::vector<torch::Tensor> logits = network->forward(inputs);
        for (std::size_t e = 0; e < logits.size(); ++e)
            dict.insert("logits" + std::to_string(e), logits[e].contiguous());
    }
    // The one-by-one path, as a device runs the network.
    torch::Tensor exits = torch::empty({ n }, torch::kLong);
    torch::Tensor predictions = torch::empty({ n }, torch::kLong);
    for (std::int64_t i = 0; i < n; ++i) {
        const nn::InferenceResult one = network->infer(inputs.slice(0, i, i + 1));
        exits[i] = one.exitIndex[0].item<std::int64_t>();
        predictions[i] = one.predictions[0].item<std::int64_t>();
    }
    dict.insert("exit", exits);
    dict.insert("prediction", predictions);
    dict.insert("thresholds", torch::tensor(exitThresholds(architecture), torch::kDouble));
    saveTensorDict(dict, path);
}

const ExperimentConfig& Experiment::config() const
{
    return m_impl->config;
}
const ExperimentReport& Experiment::report() const
{
    return m_impl->report;
}
int Experiment::classes() const
{
    return m_impl->config.backbone.classes;
}
ImageShape Experiment::imageShape() const
{
    return m_impl->config.backbone.input;
}
std::vector<std::string> Experiment::classNames() const
{
    return m_impl->train.classNames();
}

void Experiment::prepare(const ProgressCallback& progress, CancelFlag cancel)
{
    Impl& d = *m_impl;
    d.loadData(progress);
    d.folder = d.config.cacheDirectory.empty() ? std::string() : d.config.cacheDirectory + "/" + d.backboneKey();
    d.loadOrTrainBackbone(progress, cancel);
    d.chooseTrainSubset();
    d.prepared = true;
}

void Experiment::cacheFeatures(const std::vector<int>& requested, const ProgressCallback& progress, CancelFlag cancel)
{
    if (!m_impl->prepared)
        throw ConfigError("the experiment must be prepared before features are cached");
    m_impl->cacheFeatures(requested, progress, cancel);
}

CandidateOutcomes Experiment::evaluate(
    const Architecture& architecture, const ProgressCallback& progress, CancelFlag cancel)
{
    checkCandidate(architecture, progress, cancel);
    return m_impl->outcomes(
        architecture, [&](const ExitSpec& exit) -> BranchRecord& { return m_impl->branch(exit, progress, cancel); });
}

void Experiment::checkCandidate(const Architecture& architecture, const ProgressCallback& progress, CancelFlag cancel)
{
    Impl& d = *m_impl;
    if (!d.prepared)
        throw ConfigError("the experiment must be prepared before candidates are evaluated");
    if (architecture.backbone != d.config.backbone)
        throw ConfigError("the candidate's backbone '" + architecture.backbone.name
            + "' is not the one this experiment trained ('" + d.config.backbone.name + "')");
    validateArchitecture(architecture, "candidate");
    std::vector<int> positions;
    for (const ExitSpec& exit : architecture.exits)
        positions.push_back(exit.position);
    if (d.trainingAllowed) // features are for training branches; cached branches carry their outputs
        cacheFeatures(positions, progress, cancel);
}

bool Experiment::hasTrainedBranch(const ExitSpec& exit)
{
    return m_impl->knownBranch(exit) != nullptr;
}

void Experiment::trainAhead(const ExitSpec& exit, const ProgressCallback& progress, CancelFlag cancel)
{
    Impl& d = *m_impl;
    checkCandidate(Architecture { d.config.backbone, ConfidenceMeasure::ScoreMargin, { exit } }, progress, cancel);
    if (d.knownBranch(exit))
        return;
    d.keepBranch(exit, d.trainInFull(exit, progress, cancel));
    d.trainedAhead.insert(d.branchKey(exit)); // counted when a candidate uses it
}

std::vector<std::uint8_t> Experiment::trainBranchBytes(
    const ExitSpec& exit, const ProgressCallback& progress, CancelFlag cancel)
{
    Impl& d = *m_impl;
    checkCandidate(Architecture { d.config.backbone, ConfidenceMeasure::ScoreMargin, { exit } }, progress, cancel);
    const std::vector<std::uint8_t> bytes = Impl::branchBytes(d.trainInFull(exit, progress, cancel));
    ++d.report.branchesTrained;
    return bytes;
}

void Experiment::addTrainedBranch(
    const ExitSpec& exit, const std::vector<std::uint8_t>& bytes, const std::string& source)
{
    Impl& d = *m_impl;
    if (!d.prepared)
        throw ConfigError("the experiment must be prepared before branches are added");
    validateArchitecture(Architecture { d.config.backbone, ConfidenceMeasure::ScoreMargin, { exit } }, source);
    std::optional<BranchRecord> record = d.branchFromBytes(exit, bytes);
    if (!record)
        throw DataError(source,
            "not a trained branch for the exit after block " + std::to_string(exit.position)
                + " on this experiment's validation and test images");
    if (d.knownBranch(exit))
        return;
    d.keepBranch(exit, std::move(*record));
    d.trainedAhead.insert(d.branchKey(exit));
}

CandidateOutcomes Experiment::screen(const Architecture& architecture, const ScreeningOptions& options,
    const ProgressCallback& progress, CancelFlag cancel)
{
    if (options.training.epochs < 1 || !(options.subsetFraction > 0 && options.subsetFraction <= 1))
        throw ConfigError("screening needs at least one epoch and a share of the training images in (0, 1]");
    checkCandidate(architecture, progress, cancel);
    std::set<std::string> screened;
    for (const ExitSpec& exit : options.branches)
        screened.insert(m_impl->branchKey(exit));
    return m_impl->outcomes(architecture, [&](const ExitSpec& exit) -> BranchRecord& {
        return screened.count(m_impl->branchKey(exit)) ? m_impl->screenedBranch(exit, options, progress, cancel)
                                                       : m_impl->branch(exit, progress, cancel);
    });
}

CandidateOutcomes Experiment::refine(
    const Architecture& architecture, const RefineOptions& options, const ProgressCallback& progress, CancelFlag cancel)
{
    Impl& d = *m_impl;
    const CandidateOutcomes frozen = evaluate(architecture, progress, cancel); // trains missing branches
    const int exits = architecture.exitCount();
    std::vector<double> weights
        = options.exitWeights.empty() ? std::vector<double>(std::size_t(exits), 1.0) : options.exitWeights;
    if (int(weights.size()) != exits)
        throw ConfigError("refinement needs one loss weight per exit (" + std::to_string(exits) + "), got "
            + std::to_string(weights.size()));
    if (options.epochs < 1)
        throw ConfigError("refinement needs at least one epoch");
    const Clock::time_point start = Clock::now();

    // The candidate's network, starting from the trained backbone and branches.
    nn::EarlyExitNetwork network = d.trainedNetwork(architecture, progress, cancel);
    network->train();

    TrainingOptions training = d.config.backboneTraining;
    training.epochs = options.epochs;
    training.learningRate = options.learningRate;
    nn::trainJointly(*network, *d.trainBuilder, d.split.train,
        standardAugmentation(d.config.dataset.kind, d.train.shape()), training, weights, d.config.seed + 1, progress,
        cancel);

    CandidateOutcomes outcomes { ExitOutcomes(exits, std::int64_t(d.validationLabels.size())),
        ExitOutcomes(exits, std::int64_t(d.testLabels.size())), frozen.cost };
    const std::vector<torch::Tensor> validationLogits
        = nn::allLogits(*network, *d.trainBuilder, d.split.validation, cancel);
    const std::vector<torch::Tensor> testLogits = nn::allLogits(*network, *d.testBuilder, d.testIndices, cancel);
    for (int e = 0; e < exits; ++e) { // the refined exits' temperatures fitted anew
        const ExitColumnPair columns
            = calibratedColumns(validationLogits[std::size_t(e)], testLogits[std::size_t(e)], d.validationLabels);
        placeColumn(outcomes.validation, e, columns.validation, d.validationLabels, d.config.calibrate);
        placeColumn(outcomes.test, e, columns.test, d.testLabels, d.config.calibrate);
    }
    d.report.refineSeconds += secondsSince(start);
    return outcomes;
}

std::int64_t availableMemoryBytes()
{
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::int64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit) {
        if (key == "MemAvailable:")
            return kib * 1024;
    }
    return 0;
}

void resolveTrainingPrecision(ExperimentConfig& config)
{
    config.backboneTraining.precision = resolvePrecision(config.backboneTraining.precision);
    config.branchTraining.precision = resolvePrecision(config.branchTraining.precision);
}

void resolveImportedBackbone(ExperimentConfig& config)
{
    if (config.backboneWeights.empty() || !config.backboneWeightsHash.empty())
        return;
    const std::vector<std::uint8_t> bytes = readFileBytes(config.backboneWeights);
    config.backboneWeightsHash = hexKey(hashBytes(bytes.data(), bytes.size()));
}

std::string trainSubsetNote(const ExperimentReport& report, std::int64_t featureCacheBytes)
{
    if (report.trainSubset >= report.trainImages)
        return {};
    return "branches learn from " + std::to_string(report.trainSubset) + " of the " + std::to_string(report.trainImages)
        + " training images: the feature memory (" + std::to_string(featureCacheBytes >> 20)
        + " MiB) holds no more; --feature-memory (or the run panel's setting) gives more";
}

std::int64_t defaultFeatureCacheBytes()
{
    const std::int64_t standard = ExperimentConfig {}.featureCacheBytes;
    const std::int64_t available = availableMemoryBytes();
    return available > 0 ? available / 10 * 6 : standard;
}

} // namespace earlybird
