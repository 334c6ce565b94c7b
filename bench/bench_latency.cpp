// The latency cost model against the real thing. The model times each network part alone at batch size 1 and sums
// the parts along a sample's path; here each path of a few early-exit networks is run for real (EarlyExitNetwork::infer
// on one sample, thresholds forcing the exit) and its time set beside the model's figure (counter predicted_us;
// the ratio measured / predicted is the counter ratio). Also: how long timing a whole table from nothing takes.

#include "base/computethreads.h"
#include "base/rng.h"
#include "model/backbonepresets.h"
#include "model/costmodel.h"
#include "nn/earlyexitnetwork.h"
#include "nn/latencytable.h"
#include "search/searchspace.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>

using namespace earlybird;

namespace {

// Fashion-MNIST's default backbone with the exits of a seeded sample of the default search space (at least one exit).
Architecture sampled(int seed)
{
    const BackboneSpec backbone = backbonePreset("fashion-resnet");
    const SearchSpace space({ backbone });
    Rng rng(static_cast<std::uint64_t>(seed));
    Architecture architecture = space.decode(space.sample(rng));
    while (architecture.exits.empty())
        architecture = space.decode(space.sample(rng));
    return architecture;
}

LatencyTable& table()
{
    // A table of this run only (never saved): the figures are timed here, as a search would time them.
    static LatencyTable instance("/nonexistent/earlybird-bench-latency.json");
    return instance;
}

void BM_SinglePathLatency(benchmark::State& state)
{
    setComputeThreads(0);
    const Architecture architecture = sampled(int(state.range(0)));
    const int exits = int(architecture.exits.size()) + 1;
    const int exit = std::min(int(state.range(1)), exits - 1);
    // Unreachable thresholds before the exit, zero at it: every run leaves there.
    std::vector<double> thresholds(architecture.exits.size(), 2.0);
    if (exit < exits - 1)
        thresholds[std::size_t(exit)] = 0.0;
    nn::EarlyExitNetwork network(architecture, 1);
    network->eval();
    const torch::Tensor input = torch::rand({ 1, 1, 28, 28 });
    const double predicted = table().latencyOf(architecture).microsForExit(exit, CostConvention::AllEvaluatedBranches);
    for (int i = 0; i < 10; ++i)
        network->infer(input, &thresholds);
    const auto start = std::chrono::steady_clock::now();
    std::int64_t runs = 0;
    for (auto _ : state) {
        const nn::InferenceResult result = network->infer(input, &thresholds);
        benchmark::DoNotOptimize(result.exitIndex.data_ptr());
        ++runs;
    }
    const double measured
        = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / double(runs);
    char label[96];
    std::snprintf(label, sizeof label, "sample %d: exit %d of %d", int(state.range(0)), exit, exits);
    state.SetLabel(label);
    state.counters["predicted_us"] = predicted;
    state.counters["ratio"] = measured / predicted;
}
BENCHMARK(BM_SinglePathLatency)
    ->ArgsProduct({ { 1, 2, 3, 4 }, { 0, 1, 2, 9 } })
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(0.3);

// Timing every part of one new architecture with an empty table: what the first latency search on a machine pays per
// candidate before its parts are known (later candidates mostly reuse them).
void BM_TimeAllPartsFromNothing(benchmark::State& state)
{
    setComputeThreads(0);
    const Architecture architecture = sampled(int(state.range(0)));
    int parts = 0;
    for (auto _ : state) {
        LatencyTable fresh("/nonexistent/earlybird-bench-latency.json");
        benchmark::DoNotOptimize(fresh.latencyOf(architecture).backboneMicros);
        parts = fresh.size();
    }
    state.counters["parts"] = parts;
}
BENCHMARK(BM_TimeAllPartsFromNothing)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(2);

} // namespace

BENCHMARK_MAIN();
