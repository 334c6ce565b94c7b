// Training throughput of each backbone preset on this machine: one SGD step (forward, backward, update) on a batch
// of 128 images, with LibTorch using every core. Images per second decide how long a backbone takes to train.

#include "base/computethreads.h"
#include "model/backbonepresets.h"
#include "nn/earlyexitnetwork.h"

#include <benchmark/benchmark.h>

using namespace earlybird;

namespace {

constexpr int kBatch = 128;

void BM_TrainStep(benchmark::State& state)
{
    const std::vector<std::string> names = backbonePresetNames();
    Architecture architecture;
    architecture.backbone = backbonePreset(names[std::size_t(state.range(0))]);
    state.SetLabel(architecture.backbone.name);
    setComputeThreads(0);
    nn::EarlyExitNetwork network(architecture, 1);
    network->train();
    torch::optim::SGD optimizer(network->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    const ImageShape in = architecture.backbone.input;
    const torch::Tensor images = torch::randn({ kBatch, in.channels, in.height, in.width });
    const torch::Tensor labels = torch::randint(0, architecture.backbone.classes, { kBatch }, torch::kLong);
    for (auto _ : state) {
        optimizer.zero_grad();
        const torch::Tensor loss = torch::cross_entropy_loss(network->forward(images).back(), labels);
        loss.backward();
        optimizer.step();
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_TrainStep)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->MinTime(3.0);

} // namespace

BENCHMARK_MAIN();
