#include "nn/trainer.h"

#include "nn/trainingloop.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/rng.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace earlybird::nn {

namespace {

// Images per forward pass when only inferring (no activations kept for backward).
constexpr std::int64_t kInferenceBatch = 512;

} // namespace

void checkCancel(CancelFlag cancel)
{
    if (cancel && cancel->load(std::memory_order_relaxed))
        throw CancelledError();
}

std::vector<std::uint8_t> archiveBytes(torch::serialize::OutputArchive& archive)
{
    std::ostringstream stream;
    archive.save_to(stream);
    const std::string text = stream.str();
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

bool loadArchive(const std::vector<std::uint8_t>& bytes, torch::serialize::InputArchive& archive)
{
    try {
        std::istringstream stream(std::string(bytes.begin(), bytes.end()));
        archive.load_from(stream);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

namespace {

std::vector<std::int64_t> rngText(Rng& rng)
{
    std::ostringstream stream;
    stream << rng.engine();
    const std::string text = stream.str();
    return std::vector<std::int64_t>(text.begin(), text.end());
}

void setRng(Rng& rng, const torch::Tensor& values)
{
    const torch::Tensor text = values.to(torch::kLong).contiguous();
    std::string chars;
    for (std::int64_t i = 0; i < text.numel(); ++i)
        chars.push_back(char(text.data_ptr<std::int64_t>()[i]));
    std::istringstream stream(chars);
    stream >> rng.engine();
}

// The random sources' names in a checkpoint: "rng" (the augmentation's, as backbone checkpoints always had), "rng1"...
std::string rngName(std::size_t i)
{
    return i == 0 ? std::string("rng") : "rng" + std::to_string(i);
}

std::vector<std::uint8_t> checkpointBytes(torch::nn::Module& network, const LoopState& state, int epoch, double seconds)
{
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive weights;
    torch::serialize::OutputArchive optimizer;
    network.save(weights);
    state.optimizer.save(optimizer);
    archive.write("network", weights);
    archive.write("optimizer", optimizer);
    archive.write("epoch", torch::tensor(std::int64_t(epoch)));
    archive.write("seconds", torch::tensor(seconds, torch::kDouble));
    archive.write("order", torch::tensor(state.order, torch::kLong));
    for (std::size_t i = 0; i < state.rngs.size(); ++i)
        archive.write(rngName(i), torch::tensor(rngText(*state.rngs[i]), torch::kLong));
    return archiveBytes(archive);
}

// Restores a checkpoint; the epoch it was saved after, or 0 (nothing changed) when the bytes do not fit.
int restoreCheckpoint(torch::nn::Module& network, const LoopState& state, const std::vector<std::uint8_t>& bytes,
    int epochs, double& seconds)
{
    torch::serialize::InputArchive archive;
    torch::serialize::InputArchive weights;
    torch::serialize::InputArchive optimizer;
    torch::Tensor epoch, order, elapsed;
    std::vector<torch::Tensor> rngs(state.rngs.size());
    if (!loadArchive(bytes, archive) || !archive.try_read("epoch", epoch) || !archive.try_read("order", order)
        || !archive.try_read("network", weights) || !archive.try_read("optimizer", optimizer) || epoch.numel() != 1
        || epoch.item<std::int64_t>() < 1 || epoch.item<std::int64_t>() >= epochs
        || order.numel() != std::int64_t(state.order.size()))
        return 0;
    for (std::size_t i = 0; i < rngs.size(); ++i)
        if (!archive.try_read(rngName(i), rngs[i]))
            return 0;
    // The same images in another order, or another training's order, is not this training.
    const torch::Tensor sorted = std::get<0>(order.to(torch::kLong).sort());
    const torch::Tensor expected = std::get<0>(torch::tensor(state.order, torch::kLong).sort());
    if (!torch::equal(sorted, expected))
        return 0;
    torch::serialize::OutputArchive before;
    network.save(before);
    try {
        network.load(weights);
        state.optimizer.load(optimizer);
    } catch (const std::exception&) {
        torch::serialize::InputArchive restore;
        loadArchive(archiveBytes(before), restore);
        network.load(restore);
        return 0;
    }
    const torch::Tensor orderValues = order.to(torch::kLong).contiguous();
    std::copy(orderValues.data_ptr<std::int64_t>(), orderValues.data_ptr<std::int64_t>() + orderValues.numel(),
        state.order.begin());
    for (std::size_t i = 0; i < rngs.size(); ++i)
        setRng(*state.rngs[i], rngs[i]);
    // A checkpoint from before its seconds were kept: its time is not known.
    seconds = archive.try_read("seconds", elapsed) && elapsed.numel() == 1 ? elapsed.item<double>() : 0;
    return int(epoch.item<std::int64_t>());
}

} // namespace

int resumeTraining(torch::nn::Module& network, const LoopState& state, TrainingCheckpoint* checkpoint, int epochs)
{
    if (!checkpoint || !checkpoint->resumeFrom)
        return 1;
    double seconds = 0;
    checkpoint->resumedEpoch = restoreCheckpoint(network, state, *checkpoint->resumeFrom, epochs, seconds);
    checkpoint->resumedSeconds = checkpoint->resumedEpoch > 0 ? seconds : 0;
    return checkpoint->resumedEpoch + 1;
}

void keepCheckpoint(
    torch::nn::Module& network, const LoopState& state, TrainingCheckpoint* checkpoint, int epoch, int epochs)
{
    if (!checkpoint || !checkpoint->save || epoch >= epochs)
        return;
    const double here = std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count();
    checkpoint->save(epoch, checkpointBytes(network, state, epoch, checkpoint->resumedSeconds + here));
}

TrainingCheckpoint checkpointInCacheFile(const std::string& path, const std::string& kind)
{
    TrainingCheckpoint checkpoint;
    if (path.empty())
        return checkpoint;
    checkpoint.resumeFrom = readCacheFile(path, kind);
    checkpoint.save = [path, kind](int, const std::vector<std::uint8_t>& bytes) {
        makeDirectories(std::filesystem::path(path).parent_path().string());
        writeCacheFile(path, kind, bytes);
    };
    return checkpoint;
}

namespace {

// The SGD loop of backbone training and joint refinement. `exitWeights` empty: the final exit alone.
void trainNetwork(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, const std::vector<double>& exitWeights,
    std::uint64_t seed, TrainingPhase phase, const ProgressCallback& progress, CancelFlag cancel,
    TrainingCheckpoint* checkpoint)
{
    checkSgdTraining(options, indices.size());
    const bool bf16 = resolvePrecision(options.precision) == Precision::BFloat16;
    const bool channelsLast = resolveChannelsLast(options.channelsLast);
    torch::manual_seed(seed);
    network.train();
    if (channelsLast)
        setWeightFormat(network, torch::MemoryFormat::ChannelsLast);
    torch::optim::SGD optimizer(network.parameters(), sgdOptions(options));
    const ImageShape shape = network.architecture().backbone.input;
    SgdBatches batches(options, indices.size(), builder);
    std::vector<std::int64_t> order = indices;
    Rng rng(seed);
    const LoopState state { optimizer, order, { &rng } };
    const int firstEpoch = resumeTraining(network, state, checkpoint, options.epochs);
    ProgressReporter reporter(progress, phase, options.epochs, batches.count, std::int64_t(batches.size), firstEpoch);
    const auto lossOptions = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(options.labelSmoothing);
    std::int64_t step = std::int64_t(firstEpoch - 1) * batches.count;
    for (int epoch = firstEpoch; epoch <= options.epochs; ++epoch) {
        shuffle(order, rng);
        double lossSum = 0;
        for (std::int64_t b = 0; b < batches.count; ++b, ++step) {
            checkCancel(cancel);
            const std::int64_t* batch = order.data() + b * std::int64_t(batches.size);
            fillBatch(
                builder, batch, batches.size, options, augmentation, rng, batches.pixels.data(), batches.labels.data());
            setLearningRate(
                optimizer, warmupCosineRate(options.learningRate, step, batches.steps, batches.warmupSteps));
            optimizer.zero_grad();
            std::vector<torch::Tensor> logits;
            {
                const AutocastScope autocast(bf16);
                logits = network.forward(batches.input(shape, channelsLast));
            }
            const torch::Tensor target = batches.target();
            torch::Tensor loss;
            if (exitWeights.empty()) {
                loss = torch::nn::functional::cross_entropy(logits.back().to(torch::kFloat), target, lossOptions);
            } else {
                loss = torch::zeros({});
                for (std::size_t e = 0; e < logits.size(); ++e)
                    loss = loss
                        + exitWeights[e]
                            * torch::nn::functional::cross_entropy(logits[e].to(torch::kFloat), target, lossOptions);
            }
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            reporter.report(epoch, b + 1, lossSum / double(b + 1), b + 1 == batches.count);
        }
        keepCheckpoint(network, state, checkpoint, epoch, options.epochs);
    }
    if (channelsLast)
        setWeightFormat(network, torch::MemoryFormat::Contiguous);
    network.eval();
}

} // namespace

void trainBackbone(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, std::uint64_t seed,
    const ProgressCallback& progress, CancelFlag cancel, TrainingCheckpoint* checkpoint)
{
    trainNetwork(network, builder, indices, augmentation, options, {}, seed, TrainingPhase::TrainingBackbone, progress,
        cancel, checkpoint);
}

void trainJointly(EarlyExitNetworkImpl& network, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const TrainingOptions& options, const std::vector<double>& exitWeights,
    std::uint64_t seed, const ProgressCallback& progress, CancelFlag cancel)
{
    if (int(exitWeights.size()) != network.earlyExitCount() + 1)
        throw ConfigError("joint training needs one weight per exit");
    network.setBackboneFrozen(false);
    trainNetwork(network, builder, indices, augmentation, options, exitWeights, seed, TrainingPhase::Refining, progress,
        cancel, nullptr);
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
    const bool bf16 = resolvePrecision(options.precision) == Precision::BFloat16;
    const bool channelsLast = resolveChannelsLast(options.channelsLast);
    torch::manual_seed(seed);
    head.train();
    if (channelsLast)
        setWeightFormat(head, torch::MemoryFormat::ChannelsLast);
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
            const torch::Tensor x = floatFeatures(features.index_select(0, pick), channelsLast);
            const torch::Tensor y = labels.index_select(0, pick);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamOptions&>(group.options())
                    .lr(cosineRate(options.learningRate, step, steps));
            optimizer.zero_grad();
            torch::Tensor logits;
            {
                const AutocastScope autocast(bf16);
                logits = head.forward(x);
            }
            const torch::Tensor loss = torch::cross_entropy_loss(logits.to(torch::kFloat), y);
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            reporter.report(epoch, b + 1, lossSum / double(b + 1), b + 1 == batches);
        }
    }
    if (channelsLast)
        setWeightFormat(head, torch::MemoryFormat::Contiguous);
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
