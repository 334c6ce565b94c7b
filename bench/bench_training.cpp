// Training throughput on this machine, through the trainer the search uses (nn/trainer.h), in each precision and
// memory format side by side, so that their ratio is read off one run:
//   BM_TrainBackbone/P/M   one epoch of a backbone preset P on 2,048 seeded synthetic images of its input shape
//                          (batches of 128 with crop/flip augmentation), M = 0 fp32, 1 fp32 channels-last,
//                          2 bf16 autocast, 3 bf16 autocast channels-last;
//   BM_TrainBranch/M       one epoch of a convolutional exit head (conv 3x3 to 64 stride 2, conv 3x3, linear) on 8,192
//   cached
//                          float16 feature maps of 32x16x16 (cifar-resnet's block-1 output), batches of 256.
// items_per_second is images per second. The label says whether this CPU has bfloat16 instructions: where it has
// none, oneDNN emulates bf16 and it is expected to be slower (that is why `--precision auto` picks fp32 there).

#include "base/computethreads.h"
#include "base/precision.h"
#include "base/rng.h"
#include "data/batchbuilder.h"
#include "data/channelstats.h"
#include "data/syntheticdataset.h"
#include "model/backbonepresets.h"
#include "nn/trainer.h"

#include <benchmark/benchmark.h>

#include <numeric>

using namespace earlybird;

namespace {

constexpr std::int64_t kImages = 2048;
constexpr std::int64_t kFeatures = 8192;

Precision precisionOf(std::int64_t mode)
{
    return mode >= 2 ? Precision::BFloat16 : Precision::Float32;
}

bool channelsLastOf(std::int64_t mode)
{
    return mode % 2 == 1;
}

std::string modeLabel(std::int64_t mode)
{
    // Channels-last is asked for, but the trainer keeps NCHW on CPUs without AVX-512 (base/precision.h).
    const char* format = !channelsLastOf(mode) ? " NCHW"
        : resolveChannelsLast(true)            ? " channels-last"
                                               : " NCHW (channels-last asked; this CPU has no AVX-512)";
    return nameOf(precisionOf(mode)) + format + (cpuHasBf16() ? "" : " (no bf16 instructions on this CPU)");
}

void BM_TrainBackbone(benchmark::State& state)
{
    const std::vector<std::string> names = backbonePresetNames();
    Architecture architecture;
    architecture.backbone = backbonePreset(names[std::size_t(state.range(0))]);
    state.SetLabel(architecture.backbone.name + " " + modeLabel(state.range(1)));
    setComputeThreads(0);
    SyntheticOptions data;
    data.classes = architecture.backbone.classes;
    data.shape = architecture.backbone.input;
    data.trainCount = kImages;
    data.testCount = 1;
    const Dataset dataset = makeSyntheticDataset(data, Split::Train);
    const BatchBuilder builder(dataset, computeChannelStats(dataset));
    std::vector<std::int64_t> indices(static_cast<std::size_t>(kImages));
    std::iota(indices.begin(), indices.end(), 0);
    TrainingOptions options;
    options.epochs = 1;
    options.precision = precisionOf(state.range(1));
    options.channelsLast = channelsLastOf(state.range(1));
    Augmentation augmentation;
    augmentation.padding = 4;
    augmentation.horizontalFlip = true;
    for (auto _ : state) {
        nn::EarlyExitNetwork network(architecture, 1);
        nn::trainBackbone(*network, builder, indices, augmentation, options, 1, {}, nullptr);
    }
    state.SetItemsProcessed(state.iterations() * kImages);
}
BENCHMARK(BM_TrainBackbone)
    ->ArgsProduct({ { 0, 1, 2, 3, 4 }, { 0, 1, 2, 3 } })
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->Repetitions(2)
    ->ReportAggregatesOnly(false);

void BM_TrainBranch(benchmark::State& state)
{
    state.SetLabel(modeLabel(state.range(0)));
    setComputeThreads(0);
    const torch::Tensor features = torch::relu(torch::randn({ kFeatures, 32, 16, 16 })).to(torch::kHalf);
    const torch::Tensor labels = torch::randint(0, 10, { kFeatures }, torch::kLong);
    const std::vector<BranchLayerSpec> layers { { BranchLayerType::Conv3x3, 2.0, 2 },
        { BranchLayerType::Conv3x3, 1.0, 1 } };
    BranchTrainingOptions options;
    options.epochs = 1;
    options.precision = precisionOf(state.range(0));
    options.channelsLast = channelsLastOf(state.range(0));
    for (auto _ : state) {
        Rng rng(1);
        nn::ExitHead head(layers, 32, 10, rng);
        nn::trainExitHead(*head, features, labels, options, 1, {}, nullptr);
    }
    state.SetItemsProcessed(state.iterations() * kFeatures);
}
BENCHMARK(BM_TrainBranch)->DenseRange(0, 3)->Unit(benchmark::kSecond)->Iterations(1)->Repetitions(2);

} // namespace

BENCHMARK_MAIN();
