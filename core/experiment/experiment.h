#pragma once

#include "data/channelstats.h"
#include "data/datasetspec.h"
#include "model/architecture.h"
#include "model/networkcost.h"
#include "nn/trainingoptions.h"
#include "policy/exitpolicy.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace earlybird {

struct ExperimentConfig {
    DatasetSpec dataset;
    BackboneSpec backbone; // its input shape and classes must match the data set's (see adaptBackbone)
    TrainingOptions backboneTraining;
    BranchTrainingOptions branchTraining;
    double validationFraction = 0.1;
    std::uint64_t seed = 1;
    // Where trained backbones and branches are kept between runs; empty: nothing is written to disk.
    std::string cacheDirectory;
    // Memory for cached backbone features (validation, test and a training subset), stored as float16.
    std::int64_t featureCacheBytes = std::int64_t(2) << 30;
    // A backbone trained elsewhere: a state_dict saved by torch.save with Earlybird's parameter names (those of the
    // module `earlybird-cli export --format pytorch` writes). Imported instead of training (backboneTraining is then
    // not used) and kept in the cache folder under a key of its content's hash (backboneWeightsHash, set by
    // resolveImportedBackbone), so a session resumes from the cache even if the file has gone. Empty: train here.
    std::string backboneWeights;
    std::string backboneWeightsHash;
    // Calibrated exits: each exit's confidences measured on softmax(logits / T), its temperature T fitted on the
    // validation split (temperature scaling), so that thresholds are tuned, compared and exported on calibrated
    // confidences. Every exit's temperature and calibration errors are measured either way (ExitOutcomes::calibration).
    bool calibrate = false;
};

// Sets backboneWeightsHash from the file's content if backboneWeights names one and the hash is not set yet. Throws
// DataError naming the file if it cannot be read.
void resolveImportedBackbone(ExperimentConfig& config);

// Decides `Precision::Auto` of the backbone's and the branches' training for this CPU (resolvePrecision), so that cache
// keys, reports and saved sessions say what training computes in.
void resolveTrainingPrecision(ExperimentConfig& config);

// The key of a data set's content (its kind, every image and label of both splits): part of every cache key, so that
// nothing trained on other data is ever reused.
std::string datasetFingerprint(DatasetKind kind, const Dataset& train, const Dataset& test);

// The memory the system says is available now (MemAvailable in /proc/meminfo), in bytes; 0 when it cannot tell.
std::int64_t availableMemoryBytes();

// The feature cache budget a new search gets unless told otherwise: 60 % of the memory available now (2 GiB when that
// cannot be read). Only what the features need is taken: CIFAR-10's 36,000 training images with validation and test
// features take 4.9 GB on cifar-resnet, so a 24 GiB machine trains branches on all of them, and a smaller one on as
// many as fit (trainSubsetNote says what was cut) instead of running out of memory. The budget a session was started
// with is kept in it, so resuming elsewhere gives the same results.
std::int64_t defaultFeatureCacheBytes();

// Per-sample outcomes of one candidate on the validation split (thresholds are tuned here) and on the test split
// (only ever reported), with its exact cost.
struct CandidateOutcomes {
    ExitOutcomes validation;
    ExitOutcomes test;
    NetworkCost cost;
};

// A cheap first look at a candidate's new branches: each is trained for fewer epochs on a share of the cached training
// images. A search screens with it and trains in full only the branches that look able to reach its front.
struct ScreeningOptions {
    BranchTrainingOptions training; // its epochs are the screening's
    double subsetFraction = 0.5; // of the cached training images, in (0, 1]
    // The branches to screen (thresholds ignored). A candidate's other branches are used as trained in full.
    std::vector<ExitSpec> branches;
};

// Joint fine-tuning of a chosen candidate: backbone and every exit trained together from the trained backbone and
// branches, on the sum of the exits' cross-entropies (each weighted; AEBNAS uses weight 1 for every exit).
struct RefineOptions {
    int epochs = 2;
    double learningRate = 0.01; // SGD, cosine schedule: small, as the network is already trained
    std::vector<double> exitWeights; // one per exit (early exits, then the final one); empty: all 1
};

// What an experiment did and measured, for logs and notes.
struct ExperimentReport {
    std::string backboneKey; // the cache folder's name
    bool backboneFromCache = false;
    bool backboneImported = false; // the weights are a state_dict's (ExperimentConfig::backboneWeights)
    int backboneResumedEpoch = 0; // the epoch a stopped backbone training resumed after (0: none)
    std::string precision; // what training computes in, as resolved for this CPU: "fp32" or "bf16"
    double dataSeconds = 0;
    double backboneTrainSeconds = 0;
    double backboneValidationAccuracy = 0;
    double backboneTestAccuracy = 0;
    double featureSeconds = 0;
    std::int64_t featureBytes = 0;
    std::int64_t trainSubset = 0; // training images whose features are cached for branch training
    std::int64_t trainImages = 0; // of the training split's images (the rest is for validation)
    std::int64_t validationImages = 0;
    std::int64_t testImages = 0;
    int branchesTrained = 0;
    int branchesFromCache = 0; // in memory or on disk
    int branchesScreened = 0; // trained at a screening fidelity (screen())
    double screenSeconds = 0;
    double branchSeconds = 0; // training and evaluating branches
    double refineSeconds = 0;
};

// What the feature budget cut, for logs: empty when branches learn from every training image, else e.g. "branches
// learn from 7,845 of the 36,000 training images: the feature memory (2,048 MiB) holds no more; --feature-memory
// sets it".
std::string trainSubsetNote(const ExperimentReport& report, std::int64_t featureCacheBytes);

// One data set and one trained backbone, from which early-exit candidates are evaluated cheaply: the backbone is
// trained once (or loaded from the cache folder), its features at the exit positions are cached once, and every
// branch is trained once on those features with the backbone frozen. A branch's behaviour does not depend on the
// other exits then, so it is memoised (in memory and on disk) and reused by every candidate that contains it.
// Not thread-safe: drive it from one thread.
class Experiment {
public:
    explicit Experiment(ExperimentConfig config);
    ~Experiment();
    Experiment(const Experiment&) = delete;
    Experiment& operator=(const Experiment&) = delete;

    // Loads the data, then trains the backbone or loads it from the cache (a corrupt cache file is rebuilt).
    // Throws DataError / ConfigError for bad input and CancelledError if cancelled.
    void prepare(const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);

    // Caches backbone features at `positions` (or every exit position, when empty) if not cached yet.
    void cacheFeatures(
        const std::vector<int>& positions = {}, const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);

    // Trains the candidate's branches not trained yet and returns its outcomes. The candidate's backbone must be
    // this experiment's. Throws ConfigError or CancelledError.
    CandidateOutcomes evaluate(
        const Architecture& architecture, const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);

    // The candidate's outcomes with the branches `options` names trained at the screening fidelity (even when the
    // cache folder holds them trained in full, so that what a search screens does not depend on the cache), and its
    // other branches as evaluate() has them. Screened branches are kept in memory, never written to the cache folder
    // nor counted as trained. Throws like evaluate().
    CandidateOutcomes screen(const Architecture& architecture, const ScreeningOptions& options,
        const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);

    // Fine-tunes the candidate jointly (see RefineOptions) and returns the refined network's outcomes, measured by
    // running it on the validation and test images. Trains the candidate's branches first if needed.
    CandidateOutcomes refine(const Architecture& architecture, const RefineOptions& options,
        const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);

    // Branches trained ahead of the candidates that use them, as a search does when other processes train its branches
    // (search/branchfarm.h). A branch trained ahead counts as trained when a candidate first uses it, as it would
    // have been trained then.
    // Whether the branch is trained, in memory or in the cache folder (loaded then); trains nothing.
    bool hasTrainedBranch(const ExitSpec& exit);
    // Trains the branch here and keeps it, like evaluate() but for one branch. Throws ConfigError or CancelledError.
    void trainAhead(const ExitSpec& exit, const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);
    // Trains the branch and returns its weights and per-sample outputs as the cache folder holds them, keeping
    // nothing: a worker's job for a search on another process. Throws ConfigError or CancelledError.
    std::vector<std::uint8_t> trainBranchBytes(
        const ExitSpec& exit, const ProgressCallback& progress = {}, CancelFlag cancel = nullptr);
    // Keeps a branch from trainBranchBytes() of an experiment with this one's settings (in memory and in the cache
    // folder). Throws DataError naming `source` if the bytes are not that branch on these splits.
    void addTrainedBranch(const ExitSpec& exit, const std::vector<std::uint8_t>& bytes, const std::string& source);

    // Whether prepare() and evaluate() may train what the cache folder lacks (default: yes). An export turns this off:
    // it must use the session's trained weights, never new ones, so a backbone or branch missing from the cache is then
    // a ConfigError naming it, and evaluate() caches no features.
    void setTrainingAllowed(bool allowed);

    // The candidate's trained network (backbone and branches as this experiment trained them, the architecture's
    // thresholds) written as a dict of named tensors with torch::pickle_save, which Python's torch.load reads. The
    // names are the LibTorch network's parameters and buffers ("block0.conv0.weight", "exit1.classifier_bias", ...),
    // which the exported PyTorch module mirrors. Atomic. Trains missing branches unless training is not allowed.
    void saveTrainedWeights(const Architecture& architecture, const std::string& path);
    // Reference samples to check an exported network against, written like saveTrainedWeights: the first `count` test
    // images ("images": uint8 as published; "inputs": normalised as the network takes them), "labels", every exit's
    // logits from the LibTorch network ("logits0" ... early exits then the final one), and under the architecture's
    // thresholds the "exit" taken and the "prediction" of its one-by-one inference path, with the "thresholds".
    void saveReferenceSamples(const Architecture& architecture, int count, const std::string& path);

    // The labels of the validation and test images, in the order of every ExitOutcomes (once prepared).
    const std::vector<std::int32_t>& validationLabels() const;
    const std::vector<std::int32_t>& testLabels() const;

    // How images are normalised for the network: (v / 255 - mean[c]) / std[c], from the training images.
    const ChannelStats& normalisation() const;

    const ExperimentConfig& config() const;
    const ExperimentReport& report() const;
    int classes() const;
    ImageShape imageShape() const;
    std::vector<std::string> classNames() const;

private:
    // Throws unless the candidate fits this prepared experiment; caches the features its branches train on.
    void checkCandidate(const Architecture& architecture, const ProgressCallback& progress, CancelFlag cancel);

    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace earlybird
