#pragma once

// Training and evaluation loops (LibTorch). Includes torch: see nn/modules.h.

#include "data/batchbuilder.h"
#include "nn/earlyexitnetwork.h"
#include "nn/trainingoptions.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace earlybird::nn {

// Backbone training's state between epochs, so that a stopped training resumes where it stopped and ends as an
// uninterrupted one would (same weights, optimiser state, shuffle order and augmentation draws).
struct TrainingCheckpoint {
    // Called after every epoch but the last with the state's bytes; the caller keeps them (an atomic write).
    std::function<void(int epoch, const std::vector<std::uint8_t>& bytes)> save;
    // Bytes a save() of the same training gave; training continues after their epoch. Bytes that do not fit this
    // network and these options are ignored (training starts over), never half-loaded.
    std::optional<std::vector<std::uint8_t>> resumeFrom;
    int resumedEpoch = 0; // set by training: the epoch it resumed after, 0 when it started over
    double resumedSeconds = 0; // set by training: the seconds the stopped runs had trained, 0 when it started over
};

// A checkpoint kept in the cache file `path` of `kind` (base/cachefile.h): resumes from what the file holds, and saves
// there after every epoch (its folder created); the caller removes the file once the training ends. An empty `path`:
// no checkpoint is read or kept.
TrainingCheckpoint checkpointInCacheFile(const std::string& path, const std::string& kind);

// Trains `network` on the images `indices` of the builder's data set through its final exit: SGD with Nesterov
// momentum, weight decay, a linear warm-up then a cosine learning-rate schedule over all steps, optional label
// smoothing and augmentation, in the options' precision and memory format. Reports progress about four times a
// second; throws CancelledError between batches when `cancel` is set. With a `checkpoint`, keeps its state after
// every epoch and resumes from the one it is given.
void trainBackbone(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, std::uint64_t seed,
    const ProgressCallback& progress, CancelFlag cancel, TrainingCheckpoint* checkpoint = nullptr);

// Trains every parameter of `network` on the weighted sum of its exits' cross-entropies (early exits, then the
// final one), otherwise as trainBackbone. Used to refine a chosen candidate.
void trainJointly(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, const std::vector<double>& exitWeights,
    std::uint64_t seed, const ProgressCallback& progress, CancelFlag cancel);

// Every exit's logits [N, K] of the images `indices`, in eval mode without gradients.
std::vector<torch::Tensor> allLogits(EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, CancelFlag cancel);

// Final-exit logits [N, K] of the images `indices`, in eval mode without gradients.
torch::Tensor finalLogits(EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, CancelFlag cancel);

// Backbone feature maps after blocks `positions` for the images `indices`, one [N, C, H, W] tensor of `dtype` per
// position, computed in one pass (eval mode, no gradients).
std::vector<torch::Tensor> extractFeatures(EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, const std::vector<int>& positions, torch::ScalarType dtype,
    const ProgressCallback& progress, CancelFlag cancel);

// Trains an exit head on cached features ([N, C, H, W], any float type) with Adam and a cosine schedule.
void trainExitHead(ExitHeadImpl& head, const torch::Tensor& features, const torch::Tensor& labels,
    const BranchTrainingOptions& options, std::uint64_t seed, const ProgressCallback& progress, CancelFlag cancel);

// An exit head's logits [N, K] on cached features, in eval mode without gradients.
torch::Tensor headLogits(ExitHeadImpl& head, const torch::Tensor& features);

// A LibTorch archive as bytes (for cache files), and back; false when LibTorch cannot read the bytes.
std::vector<std::uint8_t> archiveBytes(torch::serialize::OutputArchive& archive);
bool loadArchive(const std::vector<std::uint8_t>& bytes, torch::serialize::InputArchive& archive);

// Throws CancelledError if `cancel` is set.
void checkCancel(CancelFlag cancel);

} // namespace earlybird::nn
