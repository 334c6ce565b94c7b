#pragma once

// Includes torch: see nn/modules.h.

#include "model/architecture.h"
#include "nn/modules.h"

#include <vector>

namespace earlybird::nn {

// What early-exit inference did with each sample.
struct InferenceResult {
    torch::Tensor predictions; // int64 [N]: predicted class
    torch::Tensor exitIndex; // int64 [N]: exit taken, 0-based over early exits then the final exit
    torch::Tensor confidence; // float [N]: the confidence at the exit taken
};

// MACs per sample measured by running the model: from each layer's real weight shape and real output size.
struct MeasuredMacs {
    std::vector<std::int64_t> blocks;
    std::vector<std::int64_t> exits; // each exit's head (branch layers + classifier), final last
};

// A backbone with early exits, built from an Architecture. Exit i (in order of position) sits after backbone block
// exits[i].position; the last exit is the backbone's own classifier.
class EarlyExitNetworkImpl : public torch::nn::Module {
public:
    // Initial weights follow from `seed`: the backbone's from the seed alone, each exit's from the seed, its position
    // and its layers, so the same branch starts from the same weights in every network that contains it.
    explicit EarlyExitNetworkImpl(const Architecture& architecture, std::uint64_t seed = 0);

    // Logits of every exit for every sample (early exits in order, then the final one): what training needs.
    std::vector<torch::Tensor> forward(const torch::Tensor& input);

    // The real early-exit path: each sample stops at the first exit whose confidence reaches that exit's threshold
    // (the final exit takes all that remain); later blocks and branches run only on the samples still going.
    // `thresholds` overrides the architecture's (one per early exit). Runs in eval mode without gradients.
    InferenceResult infer(const torch::Tensor& input, const std::vector<double>* thresholds = nullptr);

    // Backbone feature maps after blocks `positions` (ascending), e.g. to cache them for branch training.
    std::vector<torch::Tensor> featuresAt(const torch::Tensor& input, const std::vector<int>& positions);
    // Logits of early exit `exitIndex` from the feature map at its position.
    torch::Tensor exitLogits(int exitIndex, const torch::Tensor& features);

    // Parameters of the backbone (blocks and final classifier), and of one early exit's branch.
    std::vector<torch::Tensor> backboneParameters() const;
    std::vector<torch::Tensor> exitParameters(int exitIndex) const;
    void setBackboneFrozen(bool frozen);

    // Runs `input` (one or more samples) and reports the MACs per sample each part really performed.
    MeasuredMacs measureMacsByRunning(const torch::Tensor& input);

    const Architecture& architecture() const { return m_architecture; }
    int earlyExitCount() const { return int(m_exits.size()); }

private:
    Architecture m_architecture;
    std::vector<BackboneBlock> m_blocks;
    std::vector<ExitHead> m_exits; // early exits
    ExitHead m_final { nullptr };
    std::vector<int> m_exitAfterBlock; // for each block: index of the early exit after it, or -1
};
TORCH_MODULE(EarlyExitNetwork);

} // namespace earlybird::nn
