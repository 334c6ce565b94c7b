// Data-layer speed: reading the published files and assembling normalised, augmented batches.
// Real data: Fashion-MNIST from the dataset-fashion-mnist package; CIFAR-10 from EARLYBIRD_CIFAR10_DIR or the
// shared folder beside the checkout. A benchmark whose data is absent reports that and is skipped.

#include "base/fileio.h"
#include "base/rng.h"
#include "data/batchbuilder.h"
#include "data/channelstats.h"
#include "data/datasetspec.h"
#include "data/syntheticdataset.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <numeric>

using namespace earlybird;

namespace {

std::string cifar10Folder()
{
    if (const char* path = std::getenv("EARLYBIRD_CIFAR10_DIR"))
        return path;
    return std::string(EARLYBIRD_SOURCE_DIR) + "/../shared/datasets/cifar-10-batches-bin";
}

void loadOrSkip(benchmark::State& state, const DatasetSpec& spec, Split split)
{
    for (auto _ : state) {
        try {
            const Dataset dataset = loadDataset(spec, split);
            benchmark::DoNotOptimize(dataset.pixels().data());
            state.counters["images"] = double(dataset.size());
        } catch (const std::exception& error) {
            state.SkipWithError(error.what());
            return;
        }
    }
}

void BM_LoadFashionMnistTrain(benchmark::State& state)
{
    loadOrSkip(state, DatasetSpec { DatasetKind::FashionMnist, "", false, false }, Split::Train);
}
BENCHMARK(BM_LoadFashionMnistTrain)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_LoadCifar10Batch1(benchmark::State& state)
{
    loadOrSkip(state, DatasetSpec { DatasetKind::Cifar10, cifar10Folder(), false, false }, Split::Train);
}
BENCHMARK(BM_LoadCifar10Batch1)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// A batch of 128 32x32 RGB images, normalised, with and without crop+flip augmentation.
void BM_FillBatch(benchmark::State& state)
{
    SyntheticOptions options;
    options.shape = { 3, 32, 32 };
    options.trainCount = 1024;
    const Dataset dataset = makeSyntheticDataset(options, Split::Train);
    const BatchBuilder builder(dataset, computeChannelStats(dataset));
    const bool augment = state.range(0) != 0;
    const Augmentation augmentation = standardAugmentation(DatasetKind::Cifar10, dataset.shape());
    std::vector<std::int64_t> indices(128);
    std::iota(indices.begin(), indices.end(), 0);
    std::vector<float> out(std::size_t(128 * builder.valuesPerImage()));
    Rng rng(1);
    for (auto _ : state) {
        if (augment)
            builder.fillAugmented(indices.data(), indices.size(), out.data(), augmentation, rng);
        else
            builder.fill(indices.data(), indices.size(), out.data());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations() * 128);
}
BENCHMARK(BM_FillBatch)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
