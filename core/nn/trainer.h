#pragma once

// Training and evaluation loops (LibTorch). Includes torch: see nn/modules.h.

#include "data/batchbuilder.h"
#include "nn/earlyexitnetwork.h"
#include "nn/trainingoptions.h"

#include <cstdint>
#include <vector>

namespace earlybird::nn {

// Trains `network` on the images `indices` of the builder's data set through its final exit: SGD with Nesterov
// momentum, weight decay, a cosine learning-rate schedule over all steps, optional label smoothing and augmentation.
// Reports progress about four times a second; throws CancelledError between batches when `cancel` is set.
void trainBackbone(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, std::uint64_t seed,
    const ProgressCallback& progress, CancelFlag cancel);

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

// Throws CancelledError if `cancel` is set.
void checkCancel(CancelFlag cancel);

} // namespace earlybird::nn
