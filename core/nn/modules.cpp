#include "nn/modules.h"

#include "base/rng.h"
#include "model/networkcost.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace earlybird::nn {

void fillUniform(torch::Tensor& tensor, double bound, Rng& rng)
{
    // Four xorshift32 lanes, seeded from `rng`, stepped together in a GCC/Clang vector: shifts and xors only, so
    // this compiles to SSE2 without any -march flag. Initial weights need no better statistics than this; LibTorch's
    // mt19937 (and ours) made filling weights the whole cost of building a model.
    using Lanes = std::uint32_t __attribute__((vector_size(16)));
    using SignedLanes = std::int32_t __attribute__((vector_size(16)));
    using FloatLanes = float __attribute__((vector_size(16)));
    constexpr int kLanes = 4;
    Lanes state;
    for (int k = 0; k < kLanes; ++k)
        state[k] = std::uint32_t(rng.next() >> 32) | 1u; // xorshift's state must not be zero
    float* data = tensor.data_ptr<float>();
    const std::int64_t count = tensor.numel();
    const float scale = float(2.0 * bound) * 0x1.0p-24f;
    const float offset = float(bound);
    const auto step = [&state] {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        // 24 random bits as a non-negative int: the signed conversion to float is one SSE2 instruction.
        return __builtin_convertvector(SignedLanes(state >> 8), FloatLanes);
    };
    std::int64_t i = 0;
    for (; i + kLanes <= count; i += kLanes) {
        const FloatLanes values = step() * scale - offset;
        std::memcpy(data + i, &values, sizeof values);
    }
    if (i < count) {
        const FloatLanes values = step() * scale - offset;
        std::memcpy(data + i, &values, std::size_t(count - i) * sizeof(float));
    }
}

ConvBnImpl::ConvBnImpl(const ConvBnOptions& options_, Rng& rng)
    : options(options_)
{
    const int k = options.kernel_size();
    const int perGroup = options.in_channels() / options.groups();
    torch::Tensor initial = torch::empty({ options.out_channels(), perGroup, k, k });
    // He (Kaiming) uniform for ReLU networks: variance 2 / fan_in.
    fillUniform(initial, std::sqrt(6.0 / double(perGroup * k * k)), rng);
    weight = register_parameter("weight", initial);
    bn = register_module("bn", torch::nn::BatchNorm2d(options.out_channels()));
}

torch::Tensor ConvBnImpl::forward(const torch::Tensor& input)
{
    const int pad = options.kernel_size() / 2;
    torch::Tensor out = bn(torch::conv2d(
        input, weight, {}, { options.stride(), options.stride() }, { pad, pad }, { 1, 1 }, options.groups()));
    m_lastOutputPositions = out.size(2) * out.size(3);
    return options.relu() ? torch::relu(out) : out;
}

std::int64_t ConvBnImpl::lastMacsPerSample() const
{
    // weight: C_out x (C_in / groups) x K_h x K_w, so its element count is the MACs of one output position.
    return m_lastOutputPositions * weight.numel();
}

BackboneBlockImpl::BackboneBlockImpl(const BackboneBlockSpec& spec_, int inChannels_, Rng& rng)
    : spec(spec_)
    , inChannels(inChannels_)
{
    const auto add = [this, &rng](const ConvBnOptions& options) {
        m_convs.push_back(register_module("conv" + std::to_string(m_convs.size()), ConvBn(options, rng)));
    };
    switch (spec.type) {
    case BlockType::Conv:
        add(ConvBnOptions(inChannels, spec.outChannels, spec.kernel).stride(spec.stride));
        break;
    case BlockType::Residual: {
        add(ConvBnOptions(inChannels, spec.outChannels, 3).stride(spec.stride));
        add(ConvBnOptions(spec.outChannels, spec.outChannels, 3).relu(false));
        const bool reshapes = spec.stride != 1 || inChannels != spec.outChannels;
        if (reshapes && spec.shortcut == ResidualShortcut::Projection)
            m_projection = register_module("projection",
                ConvBn(ConvBnOptions(inChannels, spec.outChannels, 1).stride(spec.stride).relu(false), rng));
        m_residualAdd = true;
        break;
    }
    case BlockType::InvertedResidual: {
        const int hidden = inChannels * spec.expansion;
        if (spec.expansion != 1)
            add(ConvBnOptions(inChannels, hidden, 1));
        add(ConvBnOptions(hidden, hidden, spec.kernel).stride(spec.stride).groups(hidden));
        add(ConvBnOptions(hidden, spec.outChannels, 1).relu(false));
        m_residualAdd = spec.stride == 1 && inChannels == spec.outChannels;
        break;
    }
    case BlockType::MaxPool:
        break;
    }
}

torch::Tensor BackboneBlockImpl::forward(const torch::Tensor& input)
{
    if (spec.type == BlockType::MaxPool)
        return torch::max_pool2d(input, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, /*ceil_mode=*/true);
    torch::Tensor x = input;
    for (ConvBn& conv : m_convs)
        x = conv(x);
    if (!m_residualAdd)
        return x;
    torch::Tensor shortcut = input;
    if (spec.type == BlockType::Residual && (spec.stride != 1 || inChannels != spec.outChannels)) {
        if (m_projection) {
            shortcut = m_projection(input);
        } else {
            // ResNet option A: subsample, then add zero channels evenly on both sides.
            if (spec.stride != 1)
                shortcut = input.slice(2, 0, c10::nullopt, spec.stride).slice(3, 0, c10::nullopt, spec.stride);
            const int extra = spec.outChannels - inChannels;
            shortcut = torch::constant_pad_nd(shortcut, { 0, 0, 0, 0, extra / 2, extra - extra / 2 });
        }
    }
    x = x + shortcut;
    return spec.type == BlockType::Residual ? torch::relu(x) : x;
}

std::int64_t BackboneBlockImpl::lastMacsPerSample() const
{
    std::int64_t macs = m_projection ? m_projection->lastMacsPerSample() : 0;
    for (const ConvBn& conv : m_convs)
        macs += conv->lastMacsPerSample();
    return macs;
}

BranchLayerImpl::BranchLayerImpl(const BranchLayerSpec& spec_, int inChannels, Rng& rng)
    : spec(spec_)
    , outChannels(branchLayerChannels(spec_, inChannels))
{
    const auto add = [this, &rng](const ConvBnOptions& options) {
        m_convs.push_back(register_module("conv" + std::to_string(m_convs.size()), ConvBn(options, rng)));
    };
    switch (spec.type) {
    case BranchLayerType::Conv3x3:
        add(ConvBnOptions(inChannels, outChannels, 3).stride(spec.stride));
        break;
    case BranchLayerType::Conv5x5:
        add(ConvBnOptions(inChannels, outChannels, 5).stride(spec.stride));
        break;
    case BranchLayerType::DepthwiseSeparable3x3:
    case BranchLayerType::DepthwiseSeparable5x5: {
        const int kernel = spec.type == BranchLayerType::DepthwiseSeparable3x3 ? 3 : 5;
        add(ConvBnOptions(inChannels, inChannels, kernel).stride(spec.stride).groups(inChannels));
        add(ConvBnOptions(inChannels, outChannels, 1));
        break;
    }
    case BranchLayerType::Pointwise1x1:
        add(ConvBnOptions(inChannels, outChannels, 1).stride(spec.stride));
        break;
    case BranchLayerType::MaxPool2x2:
    case BranchLayerType::AvgPool2x2:
        break;
    }
}

torch::Tensor BranchLayerImpl::forward(const torch::Tensor& input)
{
    // Ceil mode keeps a 1x1 map at 1x1, matching poolingOutputSize() in the MAC counter.
    if (spec.type == BranchLayerType::MaxPool2x2)
        return torch::max_pool2d(input, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, true);
    if (spec.type == BranchLayerType::AvgPool2x2)
        return torch::avg_pool2d(input, { 2, 2 }, { 2, 2 }, { 0, 0 }, true, /*count_include_pad=*/false);
    torch::Tensor x = input;
    for (ConvBn& conv : m_convs)
        x = conv(x);
    return x;
}

std::int64_t BranchLayerImpl::lastMacsPerSample() const
{
    std::int64_t macs = 0;
    for (const ConvBn& conv : m_convs)
        macs += conv->lastMacsPerSample();
    return macs;
}

ExitHeadImpl::ExitHeadImpl(const std::vector<BranchLayerSpec>& specs, int inChannels, int classes, Rng& rng)
{
    int channels = inChannels;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        layers.push_back(register_module("layer" + std::to_string(i), BranchLayer(specs[i], channels, rng)));
        channels = layers.back()->outChannels;
    }
    // LibTorch's Linear default: weights and bias uniform in +-1/sqrt(fan_in).
    const double bound = 1.0 / std::sqrt(double(channels));
    torch::Tensor weight = torch::empty({ classes, channels });
    torch::Tensor bias = torch::empty({ classes });
    fillUniform(weight, bound, rng);
    fillUniform(bias, bound, rng);
    classifierWeight = register_parameter("classifier_weight", weight);
    classifierBias = register_parameter("classifier_bias", bias);
}

torch::Tensor ExitHeadImpl::forward(const torch::Tensor& features)
{
    torch::Tensor x = features;
    for (BranchLayer& layer : layers)
        x = layer(x);
    return torch::linear(x.mean({ 2, 3 }), classifierWeight, classifierBias);
}

std::int64_t ExitHeadImpl::lastMacsPerSample() const
{
    std::int64_t macs = classifierWeight.numel();
    for (const BranchLayer& layer : layers)
        macs += layer->lastMacsPerSample();
    return macs;
}

std::uint64_t exitInitSeed(std::uint64_t seed, const ExitSpec& exit)
{
    std::uint64_t h = seed * 0x9e3779b97f4a7c15ULL + std::uint64_t(exit.position + 1);
    for (const BranchLayerSpec& layer : exit.layers) {
        h = (h ^ std::uint64_t(layer.type)) * 0x100000001b3ULL;
        h = (h ^ std::uint64_t(std::llround(layer.width * 1000))) * 0x100000001b3ULL;
        h = (h ^ std::uint64_t(layer.stride)) * 0x100000001b3ULL;
    }
    return h ^ (h >> 31);
}

torch::Tensor exitConfidence(const torch::Tensor& logits, ConfidenceMeasure measure, double temperature)
{
    torch::Tensor scaled = logits.to(torch::kFloat);
    if (temperature != 1.0)
        scaled = scaled / temperature;
    const torch::Tensor probabilities = torch::softmax(scaled, 1);
    switch (measure) {
    case ConfidenceMeasure::ScoreMargin: {
        const torch::Tensor top = std::get<0>(probabilities.topk(2, 1));
        return top.select(1, 0) - top.select(1, 1);
    }
    case ConfidenceMeasure::MaxSoftmax:
        return std::get<0>(probabilities.max(1));
    case ConfidenceMeasure::Entropy: {
        const torch::Tensor entropy = -(probabilities * torch::log(probabilities.clamp_min(1e-12))).sum(1);
        return (1.0 - entropy / std::log(double(logits.size(1)))).clamp(0.0, 1.0);
    }
    }
    return probabilities.select(1, 0);
}

double fitTemperature(const torch::Tensor& logits, const torch::Tensor& labels)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor z = logits.to(torch::kDouble);
    const torch::Tensor target = z.gather(1, labels.to(torch::kLong).view({ -1, 1 })).squeeze(1);
    // d/dbeta of mean(logsumexp(beta z) - beta z_y) = mean(E_softmax(beta z)[z] - z_y): increasing in beta.
    const auto slope = [&](double beta) {
        const torch::Tensor p = torch::softmax(z * beta, 1);
        return ((p * z).sum(1) - target).mean().item<double>();
    };
    double low = std::log(1.0 / kMaxTemperature), high = std::log(1.0 / kMinTemperature); // of beta = 1 / T
    if (z.size(0) == 0 || slope(std::exp(high)) <= 0)
        return kMinTemperature; // sharper is always better: separable (or no) samples
    if (slope(std::exp(low)) >= 0)
        return kMaxTemperature;
    for (int step = 0; step < 60; ++step) {
        const double middle = 0.5 * (low + high);
        (slope(std::exp(middle)) < 0 ? low : high) = middle;
    }
    return std::clamp(std::exp(-0.5 * (low + high)), kMinTemperature, kMaxTemperature);
}

} // namespace earlybird::nn
