// Building an early-exit network from its JSON and counting its MACs: both happen for every candidate the search
// looks at, so both must take well under a millisecond.

#include "base/rng.h"
#include "model/architecture.h"
#include "model/backbonepresets.h"
#include "model/networkcost.h"
#include "nn/earlyexitnetwork.h"
#include "search/searchspace.h"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

using namespace earlybird;

namespace {

const std::vector<std::string>& presets()
{
    static const std::vector<std::string> names = backbonePresetNames();
    return names;
}

// A preset as architecture JSON text, so each benchmark starts from what a file holds: the backbone alone, or with
// the exits of a random sample from the search space (branches can be wide: their parameters are reported).
std::string architectureText(int presetIndex, bool withExits)
{
    Architecture architecture;
    architecture.backbone = backbonePreset(presets()[std::size_t(presetIndex)]);
    if (withExits) {
        const SearchSpace space({ architecture.backbone });
        Rng rng(5);
        architecture = space.decode(space.sample(rng));
    }
    return architectureToJson(architecture).dump();
}

void describe(benchmark::State& state, const std::string& text)
{
    const NetworkCost cost = countNetworkCost(architectureFromJson(nlohmann::ordered_json::parse(text), "bench"));
    state.SetLabel(presets()[std::size_t(state.range(0))] + (state.range(1) ? " + sampled exits" : ""));
    state.counters["parameters"] = double(cost.totalParameters);
    state.counters["exits"] = double(cost.exits.size());
}

void BM_CountMacsFromJson(benchmark::State& state)
{
    const std::string text = architectureText(int(state.range(0)), state.range(1) != 0);
    describe(state, text);
    for (auto _ : state) {
        const Architecture architecture = architectureFromJson(nlohmann::ordered_json::parse(text), "bench");
        const NetworkCost cost = countNetworkCost(architecture);
        benchmark::DoNotOptimize(cost.backboneMacs);
    }
}
BENCHMARK(BM_CountMacsFromJson)->ArgsProduct({ { 0, 1, 2, 3, 4 }, { 0, 1 } })->Unit(benchmark::kMicrosecond);

void BM_BuildModelFromJson(benchmark::State& state)
{
    const std::string text = architectureText(int(state.range(0)), state.range(1) != 0);
    describe(state, text);
    for (auto _ : state) {
        const Architecture architecture = architectureFromJson(nlohmann::ordered_json::parse(text), "bench");
        nn::EarlyExitNetwork network(architecture);
        benchmark::DoNotOptimize(network.ptr().get());
    }
}
BENCHMARK(BM_BuildModelFromJson)->ArgsProduct({ { 0, 1, 2, 3, 4 }, { 0, 1 } })->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
