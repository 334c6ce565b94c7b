#include "nn/earlyexitnetwork.h"

#include "base/error.h"
#include "base/rng.h"
#include "model/networkcost.h"

namespace earlybird::nn {

EarlyExitNetworkImpl::EarlyExitNetworkImpl(const Architecture& architecture, std::uint64_t seed)
    : m_architecture(architecture)
{
    Rng backboneRng(seed);
    validateArchitecture(architecture, "network");
    const NetworkCost cost = countNetworkCost(architecture);
    int channels = architecture.backbone.input.channels;
    for (std::size_t i = 0; i < architecture.backbone.blocks.size(); ++i) {
        m_blocks.push_back(register_module(
            "block" + std::to_string(i), BackboneBlock(architecture.backbone.blocks[i], channels, backboneRng)));
        channels = cost.blocks[i].output.channels;
    }
    m_exitAfterBlock.assign(m_blocks.size(), -1);
    for (std::size_t e = 0; e < architecture.exits.size(); ++e) {
        const ExitSpec& exit = architecture.exits[e];
        const int featureChannels = cost.blocks[std::size_t(exit.position)].output.channels;
        Rng exitRng(exitInitSeed(seed, exit));
        m_exits.push_back(register_module("exit" + std::to_string(e),
            ExitHead(exit.layers, featureChannels, architecture.backbone.classes, exitRng)));
        m_exitAfterBlock[std::size_t(exit.position)] = int(e);
    }
    m_final = register_module(
        "final", ExitHead(std::vector<BranchLayerSpec>(), channels, architecture.backbone.classes, backboneRng));
}

std::vector<torch::Tensor> EarlyExitNetworkImpl::forward(const torch::Tensor& input)
{
    std::vector<torch::Tensor> logits;
    torch::Tensor x = input;
    for (std::size_t i = 0; i < m_blocks.size(); ++i) {
        x = m_blocks[i](x);
        if (m_exitAfterBlock[i] >= 0)
            logits.push_back(m_exits[std::size_t(m_exitAfterBlock[i])](x));
    }
    logits.push_back(m_final(x));
    return logits;
}

InferenceResult EarlyExitNetworkImpl::infer(const torch::Tensor& input, const std::vector<double>* thresholds)
{
    if (thresholds && thresholds->size() != m_exits.size())
        throw ConfigError("inference needs " + std::to_string(m_exits.size()) + " thresholds, got "
            + std::to_string(thresholds->size()));
    const bool wasTraining = is_training();
    eval();
    torch::NoGradGuard noGrad;
    const std::int64_t count = input.size(0);
    InferenceResult result;
    result.predictions = torch::full({ count }, -1, torch::kLong);
    result.exitIndex = torch::full({ count }, -1, torch::kLong);
    result.confidence = torch::zeros({ count }, torch::kFloat);
    torch::Tensor remaining = torch::arange(count, torch::kLong); // original indices of the samples still going
    torch::Tensor x = input;

    const auto thresholdAt = [&](int exitIndex) {
        return thresholds ? (*thresholds)[std::size_t(exitIndex)]
                          : m_architecture.exits[std::size_t(exitIndex)].threshold;
    };
    // The confidence at exit `exitIndex` (the final one's at temperature 1).
    const auto confidenceAt = [&](const torch::Tensor& logits, int exitIndex) {
        const double temperature
            = exitIndex < int(m_exits.size()) ? m_architecture.exits[std::size_t(exitIndex)].temperature : 1.0;
        return exitConfidence(logits, m_architecture.confidence, temperature);
    };
    const auto settle = [&](const torch::Tensor& logits, const torch::Tensor& leaving, int exitIndex) {
        const torch::Tensor confidence = confidenceAt(logits, exitIndex);
        const torch::Tensor who = remaining.index({ leaving });
        result.predictions.index_put_({ who }, logits.argmax(1).index({ leaving }));
        result.exitIndex.index_put_({ who }, exitIndex);
        result.confidence.index_put_({ who }, confidence.index({ leaving }));
    };

    if (count == 1) {
        // One sample, as on a device: a scalar decision at each exit and no indexing, so the path costs what its
        // parts cost (the latency cost model sums exactly these parts).
        const auto leave = [&](const torch::Tensor& logits, const torch::Tensor& confidence, int exitIndex) {
            result.predictions.fill_(logits.argmax(1).item<std::int64_t>());
            result.exitIndex.fill_(exitIndex);
            result.confidence.fill_(confidence.item<float>());
            train(wasTraining);
            return result;
        };
        for (std::size_t i = 0; i < m_blocks.size(); ++i) {
            x = m_blocks[i](x);
            const int exitIndex = m_exitAfterBlock[i];
            if (exitIndex < 0)
                continue;
            const torch::Tensor logits = m_exits[std::size_t(exitIndex)](x);
            const torch::Tensor confidence = confidenceAt(logits, exitIndex);
            if (confidence.item<float>() >= float(thresholdAt(exitIndex)))
                return leave(logits, confidence, exitIndex);
        }
        const torch::Tensor logits = m_final(x);
        return leave(logits, confidenceAt(logits, int(m_exits.size())), int(m_exits.size()));
    }
    for (std::size_t i = 0; i < m_blocks.size() && remaining.size(0) > 0; ++i) {
        x = m_blocks[i](x);
        const int exitIndex = m_exitAfterBlock[i];
        if (exitIndex < 0)
            continue;
        const torch::Tensor logits = m_exits[std::size_t(exitIndex)](x);
        const torch::Tensor leaving = confidenceAt(logits, exitIndex) >= thresholdAt(exitIndex);
        settle(logits, leaving, exitIndex);
        const torch::Tensor staying = leaving.logical_not();
        remaining = remaining.index({ staying });
        x = x.index({ staying });
    }
    if (remaining.size(0) > 0) {
        const torch::Tensor logits = m_final(x);
        settle(logits, torch::ones({ remaining.size(0) }, torch::kBool), int(m_exits.size()));
    }
    train(wasTraining);
    return result;
}

std::vector<torch::Tensor> EarlyExitNetworkImpl::featuresAt(
    const torch::Tensor& input, const std::vector<int>& positions)
{
    std::vector<torch::Tensor> features;
    torch::Tensor x = input;
    std::size_t next = 0;
    for (std::size_t i = 0; i < m_blocks.size() && next < positions.size(); ++i) {
        x = m_blocks[i](x);
        if (positions[next] == int(i)) {
            features.push_back(x);
            ++next;
        }
    }
    if (next != positions.size())
        throw ConfigError("feature positions must be ascending block indices of the backbone");
    return features;
}

torch::Tensor EarlyExitNetworkImpl::exitLogits(int exitIndex, const torch::Tensor& features)
{
    return m_exits.at(std::size_t(exitIndex))(features);
}

std::vector<torch::Tensor> EarlyExitNetworkImpl::backboneParameters() const
{
    std::vector<torch::Tensor> parameters;
    for (const BackboneBlock& block : m_blocks) {
        for (const torch::Tensor& p : block->parameters())
            parameters.push_back(p);
    }
    for (const torch::Tensor& p : m_final->parameters())
        parameters.push_back(p);
    return parameters;
}

std::vector<torch::Tensor> EarlyExitNetworkImpl::exitParameters(int exitIndex) const
{
    return m_exits.at(std::size_t(exitIndex))->parameters();
}

void EarlyExitNetworkImpl::setBackboneFrozen(bool frozen)
{
    for (torch::Tensor& p : backboneParameters())
        p.set_requires_grad(!frozen);
}

MeasuredMacs EarlyExitNetworkImpl::measureMacsByRunning(const torch::Tensor& input)
{
    const bool wasTraining = is_training();
    eval();
    {
        torch::NoGradGuard noGrad;
        forward(input);
    }
    train(wasTraining);
    MeasuredMacs measured;
    for (const BackboneBlock& block : m_blocks)
        measured.blocks.push_back(block->lastMacsPerSample());
    for (const ExitHead& exit : m_exits)
        measured.exits.push_back(exit->lastMacsPerSample());
    measured.exits.push_back(m_final->lastMacsPerSample());
    return measured;
}

} // namespace earlybird::nn
