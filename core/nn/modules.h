#pragma once

// LibTorch building blocks of early-exit networks. This header includes torch: include it only from .cpp files that
// build, train or run models (each such file costs ~25 s to compile), never from public core headers or ui/.

#include "model/architecture.h"

#include <torch/torch.h>

#include <vector>

namespace earlybird {
class Rng;
}

namespace earlybird::nn {

// Fills `tensor` (fresh, contiguous, float) uniformly in [-bound, bound], seeded from `rng`. LibTorch's initialisers
// draw every value from its global mt19937, which made building a ResNet-20 cost 1.5 ms (0.5 ms now); this is
// a vectorised xorshift, and it makes a model's initial weights a function of Earlybird's seed alone.
void fillUniform(torch::Tensor& tensor, double bound, Rng& rng);

struct ConvBnOptions {
    ConvBnOptions(int in, int out, int kernel)
        : in_channels_(in)
        , out_channels_(out)
        , kernel_size_(kernel)
    {
    }
    TORCH_ARG(int, in_channels);
    TORCH_ARG(int, out_channels);
    TORCH_ARG(int, kernel_size);
    TORCH_ARG(int, stride) = 1;
    TORCH_ARG(int, groups) = 1;
    TORCH_ARG(bool, relu) = true;
};

// Convolution (padding k / 2, no bias: BatchNorm's shift replaces it), BatchNorm, optional ReLU. The convolution
// weight is He-uniform initialised from `rng`. Remembers its last output's spatial size so that a model's MACs can be
// measured by running it (see measureMacsByRunning).
class ConvBnImpl : public torch::nn::Module {
public:
    ConvBnImpl(const ConvBnOptions& options, Rng& rng);
    torch::Tensor forward(const torch::Tensor& input);

    // MACs of the last forward pass for one sample, from the weight's real shape and the output's real size.
    std::int64_t lastMacsPerSample() const;

    ConvBnOptions options;
    torch::Tensor weight; // C_out x C_in / groups x K x K
    torch::nn::BatchNorm2d bn { nullptr };

private:
    std::int64_t m_lastOutputPositions = 0;
};
TORCH_MODULE(ConvBn);

// One backbone block of any BlockType.
class BackboneBlockImpl : public torch::nn::Module {
public:
    BackboneBlockImpl(const BackboneBlockSpec& spec, int inChannels, Rng& rng);
    torch::Tensor forward(const torch::Tensor& input);
    std::int64_t lastMacsPerSample() const;

    BackboneBlockSpec spec;
    int inChannels;

private:
    std::vector<ConvBn> m_convs; // in order of application
    ConvBn m_projection { nullptr }; // Residual with a projection shortcut that reshapes
    bool m_residualAdd = false;
};
TORCH_MODULE(BackboneBlock);

// One layer of an exit branch.
class BranchLayerImpl : public torch::nn::Module {
public:
    BranchLayerImpl(const BranchLayerSpec& spec, int inChannels, Rng& rng);
    torch::Tensor forward(const torch::Tensor& input);
    std::int64_t lastMacsPerSample() const;

    BranchLayerSpec spec;
    int outChannels;

private:
    std::vector<ConvBn> m_convs;
};
TORCH_MODULE(BranchLayer);

// An exit's classifier head: its branch layers, global average pooling and a linear layer. The final exit is a head
// without layers.
class ExitHeadImpl : public torch::nn::Module {
public:
    ExitHeadImpl(const std::vector<BranchLayerSpec>& layers, int inChannels, int classes, Rng& rng);
    torch::Tensor forward(const torch::Tensor& features);
    std::int64_t lastMacsPerSample() const;

    std::vector<BranchLayer> layers;
    torch::Tensor classifierWeight; // classes x C
    torch::Tensor classifierBias;
};
TORCH_MODULE(ExitHead);

// The seed of an exit branch's initial weights: a hash of the network seed, the exit's position and its layers, so the
// same branch starts from the same weights in every network that contains it.
std::uint64_t exitInitSeed(std::uint64_t seed, const ExitSpec& exit);

// Confidence of each row of `logits` (N x K) under `measure`, in [0, 1], with the logits divided by `temperature`
// first (in single precision, as the exported PyTorch module divides them) unless it is 1.
torch::Tensor exitConfidence(const torch::Tensor& logits, ConfidenceMeasure measure, double temperature = 1.0);

// The temperature T in [kMinTemperature, kMaxTemperature] that minimises the mean negative log-likelihood of `labels`
// (N, integer) under softmax(logits / T) (logits N x K): the convex problem in 1/T solved by bisection on its
// derivative, in double precision.
double fitTemperature(const torch::Tensor& logits, const torch::Tensor& labels);

} // namespace earlybird::nn
