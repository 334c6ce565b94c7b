#pragma once

// The pieces every SGD loop of nn/ shares (trainer.cpp, supernet.cpp): the learning-rate schedules, bfloat16 autocast,
// memory formats, batches and throttled progress. Includes torch: see nn/modules.h; include it only from nn/*.cpp.

#include "base/error.h"
#include "base/progress.h"
#include "base/rng.h"
#include "data/batchbuilder.h"
#include "data/dataset.h"
#include "nn/trainer.h"
#include "nn/trainingoptions.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <vector>

namespace earlybird::nn {

// Progress reports at most this often: enough for a live display, rare enough to cost nothing.
inline constexpr double kProgressInterval = 0.25;

using Clock = std::chrono::steady_clock;

inline double cosineRate(double base, std::int64_t step, std::int64_t steps)
{
    return base * 0.5 * (1.0 + std::cos(M_PI * double(step) / double(std::max<std::int64_t>(steps, 1))));
}

// A linear rise over the first `warmup` steps, then the cosine decay over the rest.
inline double warmupCosineRate(double base, std::int64_t step, std::int64_t steps, std::int64_t warmup)
{
    if (step < warmup)
        return base * double(step + 1) / double(warmup);
    return cosineRate(base, step - warmup, steps - warmup);
}

// Runs what is computed in its lifetime under LibTorch's CPU autocast to bfloat16 when enabled (convolutions and
// matrix products in bfloat16; weights, gradients and optimiser state stay float32). Autocast is thread-local.
class AutocastScope {
public:
    explicit AutocastScope(bool enabled)
        : m_enabled(enabled)
    {
        if (!m_enabled)
            return;
        m_wasEnabled = at::autocast::is_cpu_enabled();
        m_previousType = at::autocast::get_autocast_cpu_dtype();
        at::autocast::set_cpu_enabled(true);
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::increment_nesting();
    }
    ~AutocastScope()
    {
        if (!m_enabled)
            return;
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
        at::autocast::set_cpu_enabled(m_wasEnabled);
        at::autocast::set_autocast_cpu_dtype(m_previousType);
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool m_enabled;
    bool m_wasEnabled = false;
    at::ScalarType m_previousType = at::kBFloat16;
};

// Puts every 4-D weight of `module` in `format`, in place (the optimiser's references stay valid).
inline void setWeightFormat(torch::nn::Module& module, torch::MemoryFormat format)
{
    torch::NoGradGuard noGrad;
    for (torch::Tensor& parameter : module.parameters()) {
        if (parameter.dim() == 4)
            parameter.set_data(parameter.contiguous(format));
    }
}

inline torch::Tensor inFormat(const torch::Tensor& images, bool channelsLast)
{
    return channelsLast && images.dim() == 4 ? images.contiguous(torch::MemoryFormat::ChannelsLast) : images;
}

// Cached features as float32 in the memory format training uses, in one copy.
inline torch::Tensor floatFeatures(const torch::Tensor& features, bool channelsLast)
{
    const torch::MemoryFormat format
        = channelsLast && features.dim() == 4 ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
    return features.to(torch::kFloat, false, false, format);
}

// Reports progress of a batched phase, throttled.
class ProgressReporter {
public:
    // `firstEpoch` > 1: the epochs before it were done by an earlier run (a resumed training); speed and ETA count
    // only this run's batches.
    ProgressReporter(const ProgressCallback& callback, TrainingPhase phase, int epochs, std::int64_t batches,
        std::int64_t imagesPerBatch, int firstEpoch = 1)
        : m_callback(callback)
        , m_phase(phase)
        , m_epochs(epochs)
        , m_batches(batches)
        , m_imagesPerBatch(imagesPerBatch)
        , m_doneBefore(double(std::int64_t(firstEpoch - 1) * batches))
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
        const double doneHere = done - m_doneBefore;
        progress.imagesPerSecond = elapsed > 0 ? doneHere * double(m_imagesPerBatch) / elapsed : 0;
        progress.fraction = total > 0 ? done / total : 1;
        progress.etaSeconds = doneHere > 0 ? elapsed / doneHere * (total - done) : 0;
        m_callback(progress);
    }

private:
    const ProgressCallback& m_callback;
    TrainingPhase m_phase;
    int m_epochs;
    std::int64_t m_batches;
    std::int64_t m_imagesPerBatch;
    double m_doneBefore;
    Clock::time_point m_start;
    Clock::time_point m_last;
};

inline torch::Tensor batchTensor(std::vector<float>& buffer, std::size_t count, const ImageShape& shape)
{
    return torch::from_blob(buffer.data(), { std::int64_t(count), shape.channels, shape.height, shape.width });
}

// Throws ConfigError for an SGD training that cannot run on `images` images.
inline void checkSgdTraining(const TrainingOptions& options, std::size_t images)
{
    if (images < 2)
        throw ConfigError("training needs at least two images");
    if (options.epochs < 1 || options.batchSize < 2)
        throw ConfigError("training needs at least one epoch and batches of two or more images");
    if (options.warmupEpochs < 0 || options.warmupEpochs >= options.epochs)
        throw ConfigError("the warm-up takes " + std::to_string(options.warmupEpochs) + " of "
            + std::to_string(options.epochs) + " epochs: it must leave at least one epoch for the schedule");
}

// SGD as every backbone training runs it: Nesterov momentum (when there is momentum) and weight decay.
inline torch::optim::SGDOptions sgdOptions(const TrainingOptions& options)
{
    return torch::optim::SGDOptions(options.learningRate)
        .momentum(options.momentum)
        .nesterov(options.momentum > 0)
        .weight_decay(options.weightDecay);
}

inline void setLearningRate(torch::optim::SGD& optimizer, double rate)
{
    for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(rate);
}

// The images `batch` (augmented when the options say so) into `images`, their labels into `labels`.
inline void fillBatch(const BatchBuilder& builder, const std::int64_t* batch, std::size_t count,
    const TrainingOptions& options, const Augmentation& augmentation, Rng& rng, float* images, std::int64_t* labels)
{
    if (options.augment && augmentation.any())
        builder.fillAugmented(batch, count, images, augmentation, rng);
    else
        builder.fill(batch, count, images);
    builder.fillLabels(batch, count, labels);
}

// The batches of an SGD training over `images` images: whole batches of the options' size (a last batch of one image
// would break BatchNorm's statistics: such a remainder is dropped, it is reshuffled in), the schedule's steps, and the
// buffers one batch is filled into.
struct SgdBatches {
    SgdBatches(const TrainingOptions& options, std::size_t images, const BatchBuilder& builder)
        : size(std::min<std::size_t>(std::size_t(options.batchSize), images))
        , count(std::int64_t(images / size))
        , steps(count * options.epochs)
        , warmupSteps(count * options.warmupEpochs)
        , pixels(size * std::size_t(builder.valuesPerImage()))
        , labels(size)
    {
    }
    // The batch filled last, in `channelsLast` memory or not, and its labels (views of the buffers).
    torch::Tensor input(const ImageShape& shape, bool channelsLast)
    {
        return inFormat(batchTensor(pixels, size, shape), channelsLast);
    }
    torch::Tensor target() { return torch::from_blob(labels.data(), { std::int64_t(size) }, torch::kLong); }

    std::size_t size;
    std::int64_t count;
    std::int64_t steps;
    std::int64_t warmupSteps;
    std::vector<float> pixels;
    std::vector<std::int64_t> labels;
};

// What an SGD training keeps between epochs besides the weights: the optimiser, the shuffle order and its random
// sources (the augmentation's; the supernet's member sampler too), for TrainingCheckpoint.
struct LoopState {
    torch::optim::SGD& optimizer;
    std::vector<std::int64_t>& order;
    std::vector<Rng*> rngs;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(); // of this run of the training
};

// Resumes a training from `checkpoint`'s bytes when they fit (`network` and `state` restored, resumedEpoch and
// resumedSeconds set) and returns the first epoch to train: 1 without a checkpoint or with bytes that do not fit.
int resumeTraining(torch::nn::Module& network, const LoopState& state, TrainingCheckpoint* checkpoint, int epochs);
// After `epoch` (not the last): hands the state to `checkpoint` (if any) with the seconds trained so far, the runs
// before this one (since state.start) included.
void keepCheckpoint(
    torch::nn::Module& network, const LoopState& state, TrainingCheckpoint* checkpoint, int epoch, int epochs);

} // namespace earlybird::nn
