#include "nn/trainer.h"

#include "base/error.h"
#include "base/rng.h"

#include <chrono>
#include <cmath>

namespace earlybird::nn {

namespace {

// Progress reports at most this often: enough for a live display, rare enough to cost nothing.
constexpr double kProgressInterval = 0.25;
// Images per forward pass when only inferring (no activations kept for backward).
constexpr std::int64_t kInferenceBatch = 512;

using Clock = std::chrono::steady_clock;

double cosineRate(double base, std::int64_t step, std::int64_t steps)
{
    return base * 0.5 * (1.0 + std::cos(M_PI * double(step) / double(std::max<std::int64_t>(steps, 1))));
}

// Reports progress of a batched phase, throttled.
class ProgressReporter {
public:
    ProgressReporter(const ProgressCallback& callback, TrainingPhase phase, int epochs, std::int64_t batches,
        std::int64_t imagesPerBatch)
        : m_callback(callback)
        , m_phase(phase)
        , m_epochs(epochs)
        , m_batches(batches)
        , m_imagesPerBatch(imagesPerBatch)
        , m_start(Clock::now())
        , m_last(m_start)
    {
    }

    void report(int epoch, std::int64_t batch, double loss, bool force = false)
    {
        if (!m_callback)
            return;
        const Clock::time_point now = Clock::now();
        if (!force && std::chrono::duration<double>(now - m_last).count() < kProgressInterval)
            return;
        m_last = now;
        const double elapsed = std::chrono::duration<double>(now - m_start).count();
        const double done = double(std::int64_t(epoch - 1) * m_batches + batch);
        const double total = double(std::int64_t(std::max(m_epochs, 1)) * m_batches);
        TrainingProgress progress;
        progress.phase = m_phase;
        progress.epoch = epoch;
        progress.epochs = m_epochs;
        progress.batch = batch;
        progress.batches = m_batches;
        progress.loss = loss;
        progress.imagesPerSecond = elapsed > 0 ? done * double(m_imagesPerBatch) / elapsed : 0;
        progress.fraction = total > 0 ? done / total : 1;
        progress.etaSeconds = done > 0 ? elapsed / done * (total - done) : 0;
        m_callback(progress);
    }

private:
    const ProgressCallback& m_callback;
    TrainingPhase m_phase;
    int m_epochs;
    std::int64_t m_batches;
    std::int64_t m_imagesPerBatch;
    Clock::time_point m_start;
    Clock::time_point m_last;
};

torch::Tensor batchTensor(std::vector<float>& buffer, std::size_t count, const ImageShape& shape)
{
    return torch::from_blob(buffer.data(), { std::int64_t(count), shape.channels, shape.height, shape.width });
}

} // namespace

void checkCancel(CancelFlag cancel)
{
    if (cancel && cancel->load(std::memory_order_relaxed))
        throw CancelledError();
}

namespace {

// The SGD loop of backbone training and joint refinement. `exitWeights` empty: the final exit alone.
void trainNetwork(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, const std::vector<double>& exitWeights,
    std::uint64_t seed, TrainingPhase phase, const ProgressCallback& progress, CancelFlag cancel)
{
    if (indices.size() < 2)
        throw ConfigError("training needs at least two images");
    if (options.epochs < 1 || options.batchSize < 2)
        throw ConfigError("training needs at least one epoch and batches of two or more images");
    torch::manual_seed(seed);
    network.train();
    torch::optim::SGD optimizer(network.parameters(),
        torch::optim::SGDOptions(options.learningRate)
            .momentum(options.momentum)
            .nesterov(options.momentum > 0)
            .weight_decay(options.weightDecay));
    const ImageShape shape = network.architecture().backbone.input;
    const std::size_t batchSize = std::min<std::size_t>(std::size_t(options.batchSize), indices.size());
    // A last batch of one image would break BatchNorm's statistics: such a remainder is dropped (it is reshuffled in).
    const std::int64_t batches = std::int64_t(indices.size() / batchSize);
    const std::int64_t steps = batches * options.epochs;
    std::vector<float> images(batchSize * std::size_t(builder.valuesPerImage()));
    std::vector<std::int64_t> labels(batchSize);
    std::vector<std::int64_t> order = indices;
    Rng rng(seed);
    ProgressReporter reporter(progress, phase, options.epochs, batches, std::int64_t(batchSize));
    const auto lossOptions = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(options.labelSmoothing);
    std::int64_t step = 0;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        shuffle(order, rng);
        double lossSum = 0;
        for (std::int64_t b = 0; b < batches; ++b, ++step) {
            checkCancel(cancel);
            const std::int64_t* batch = order.data() + b * std::int64_t(batchSize);
            if (options.augment && augmentation.any())
                builder.fillAugmented(batch, batchSize, images.data(), augmentation, rng);
            else
                builder.fill(batch, batchSize, images.data());
            builder.fillLabels(batch, batchSize, labels.data());
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions&>(group.options())
                    .lr(cosineRate(options.learningRate, step, steps));
            optimizer.zero_grad();
            const std::vector<torch::Tensor> logits = network.forward(batchTensor(images, batchSize, shape));
            const torch::Tensor target = torch::from_blob(labels.data(), { std::int64_t(batchSize) }, torch::kLong);
            torch::Tensor loss;
            if (exitWeights.empty()) {
                loss = torch::nn::functional::cross_entropy(logits.back(), target, lossOptions);
            } else {
                loss = torch::zeros({});
                for (std::size_t e = 0; e < logits.size(); ++e)
                    loss = loss + exitWeights[e] * torch::nn::functional::cross_entropy(logits[e], target, lossOptions);
            }
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            reporter.report(epoch, b + 1, lossSum / double(b + 1), b + 1 == batches);
        }
    }
    network.eval();
}

} // namespace

void trainBackbone(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, std::uint64_t seed,
    const ProgressCallback& progress, CancelFlag cancel)
{
    trainNetwork(
        network, builder, indices, augmentation, options, {}, seed, TrainingPhase::TrainingBackbone, progress, cancel);
}

void trainJointly(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, const std::vector<double>& exitWeights,
    std::uint64_t seed, const ProgressCallback& progress, CancelFlag cancel)
{
    if (int(exitWeights.size()) != network.earlyExitCount() + 1)
        throw ConfigError("joint training needs one weight per exit");
    network.setBackboneFrozen(false);
    trainNetwork(
        network, builder, indices, augmentation, options, exitWeights, seed, TrainingPhase::Refining, progress, cancel);
}

std::vector<torch::Tensor> allLogits(EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, CancelFlag cancel)
{
    network.eval();
    torch::NoGradGuard noGrad;
    const ImageShape shape = network.architecture().backbone.input;
    std::vector<std::vector<torch::Tensor>> parts(std::size_t(network.earlyExitCount() + 1));
    std::vector<float> images(std::size_t(kInferenceBatch * builder.valuesPerImage()));
    for (std::size_t start = 0; start < indices.size(); start += std::size_t(kInferenceBatch)) {
        checkCancel(cancel);
        const std::size_t count = std::min<std::size_t>(std::size_t(kInferenceBatch), indices.size() - start);
        builder.fill(indices.data() + start, count, images.data());
        const std::vector<torch::Tensor> logits = network.forward(batchTensor(images, count, shape));
        for (std::size_t e = 0; e < logits.size(); ++e)
            parts[e].push_back(logits[e].clone());
    }
    std::vector<torch::Tensor> result;
    for (std::vector<torch::Tensor>& exitParts : parts)
        result.push_back(
            exitParts.empty() ? torch::empty({ 0, network.architecture().backbone.classes }) : torch::cat(exitParts));
    return result;
}

torch::Tensor finalLogits(EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, CancelFlag cancel)
{
    return allLogits(network, builder, indices, cancel).back();
}

std::vector<torch::Tensor> extractFeatures(EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, const std::vector<int>& positions, torch::ScalarType dtype,
    const ProgressCallback& progress, CancelFlag cancel)
{
    network.eval();
    torch::NoGradGuard noGrad;
    const ImageShape shape = network.architecture().backbone.input;
    std::vector<torch::Tensor> features(positions.size());
    std::vector<float> images(std::size_t(kInferenceBatch * builder.valuesPerImage()));
    const std::int64_t count = std::int64_t(indices.size());
    const std::int64_t batches = (count + kInferenceBatch - 1) / kInferenceBatch;
    ProgressReporter reporter(progress, TrainingPhase::CachingFeatures, 1, batches, kInferenceBatch);
    for (std::int64_t b = 0; b < batches; ++b) {
        checkCancel(cancel);
        const std::int64_t start = b * kInferenceBatch;
        const std::int64_t n = std::min(kInferenceBatch, count - start);
        builder.fill(indices.data() + start, std::size_t(n), images.data());
        const std::vector<torch::Tensor> maps
            = network.featuresAt(batchTensor(images, std::size_t(n), shape), positions);
        for (std::size_t p = 0; p < positions.size(); ++p) {
            if (!features[p].defined()) {
                std::vector<std::int64_t> size = maps[p].sizes().vec();
                size[0] = count;
                features[p] = torch::empty(size, torch::TensorOptions().dtype(dtype));
            }
            features[p].narrow(0, start, n).copy_(maps[p]);
        }
        reporter.report(1, b + 1, 0, b + 1 == batches);
    }
    return features;
}

void trainExitHead(ExitHeadImpl& head, const torch::Tensor& features, const torch::Tensor& labels,
    const BranchTrainingOptions& options, std::uint64_t seed, const ProgressCallback& progress, CancelFlag cancel)
{
    const std::int64_t count = features.size(0);
    if (count < 2)
        throw ConfigError("branch training needs at least two cached images");
    torch::manual_seed(seed);
    head.train();
    torch::optim::Adam optimizer(
        head.parameters(), torch::optim::AdamOptions(options.learningRate).weight_decay(options.weightDecay));
    const std::int64_t batchSize = std::min<std::int64_t>(options.batchSize, count);
    const std::int64_t batches = count / batchSize;
    const std::int64_t steps = batches * options.epochs;
    std::vector<std::int64_t> order(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i)
        order[std::size_t(i)] = i;
    Rng rng(seed);
    ProgressReporter reporter(progress, TrainingPhase::TrainingBranch, options.epochs, batches, batchSize);
    std::int64_t step = 0;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        shuffle(order, rng);
        const torch::Tensor shuffled = torch::from_blob(order.data(), { count }, torch::kLong);
        double lossSum = 0;
        for (std::int64_t b = 0; b < batches; ++b, ++step) {
            checkCancel(cancel);
            const torch::Tensor pick = shuffled.narrow(0, b * batchSize, batchSize);
            const torch::Tensor x = features.index_select(0, pick).to(torch::kFloat);
            const torch::Tensor y = labels.index_select(0, pick);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamOptions&>(group.options())
                    .lr(cosineRate(options.learningRate, step, steps));
            optimizer.zero_grad();
            const torch::Tensor loss = torch::cross_entropy_loss(head.forward(x), y);
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            reporter.report(epoch, b + 1, lossSum / double(b + 1), b + 1 == batches);
        }
    }
    head.eval();
}

torch::Tensor headLogits(ExitHeadImpl& head, const torch::Tensor& features)
{
    head.eval();
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    const std::int64_t count = features.size(0);
    for (std::int64_t start = 0; start < count; start += kInferenceBatch) {
        const std::int64_t n = std::min(kInferenceBatch, count - start);
        parts.push_back(head.forward(features.narrow(0, start, n).to(torch::kFloat)));
    }
    return parts.empty() ? torch::empty({ 0, 0 }) : torch::cat(parts);
}

} // namespace earlybird::nn
