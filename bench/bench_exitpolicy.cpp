// The exit policy engine on cached outcomes: evaluating one threshold vector runs on every slider move (goal: a
// median well under 100 us for 10,000 samples and 5 exits; the floor is reading 50,000 floats), and the tuners run
// once per candidate in the search.

#include "base/rng.h"
#include "policy/exitpolicy.h"

#include <benchmark/benchmark.h>

using namespace earlybird;

namespace {

// Realistic outcomes: later exits right more often, confidence higher when right.
ExitOutcomes outcomes(int exits, int samples)
{
    Rng rng(1);
    ExitOutcomes result(exits, samples);
    std::vector<std::int32_t> labels(static_cast<std::size_t>(samples), 0);
    for (int e = 0; e < exits; ++e) {
        const auto count = static_cast<std::size_t>(samples);
        std::vector<float> margin(count), top(count), entropy(count);
        std::vector<std::int32_t> predictions(count);
        for (std::size_t n = 0; n < count; ++n) {
            const bool right = rng.uniform() < 0.6 + 0.3 * e / double(exits - 1);
            predictions[n] = right ? 0 : 1;
            margin[n] = top[n] = entropy[n] = float(std::min(1.0, (right ? 0.35 : 0.0) + 0.65 * rng.uniform()));
        }
        result.setExit(e, margin.data(), top.data(), entropy.data(), predictions.data(), labels.data());
    }
    return result;
}

const std::vector<double> kExitMacs { 0.8e6, 1.6e6, 2.5e6, 3.3e6, 4.5e6 };

void BM_EvaluateThresholds(benchmark::State& state)
{
    const ExitOutcomes cache = outcomes(5, int(state.range(0)));
    const ExitPolicy policy(cache, ConfidenceMeasure::ScoreMargin, kExitMacs);
    Rng rng(2);
    std::vector<double> thresholds(4);
    for (auto _ : state) {
        // A slider move: one threshold changes.
        thresholds[rng.below(4)] = rng.uniform();
        benchmark::DoNotOptimize(policy.evaluate(thresholds).averageMacs);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EvaluateThresholds)->Arg(10000)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_TuneForBudget(benchmark::State& state)
{
    const ExitOutcomes cache = outcomes(int(state.range(1)), int(state.range(0)));
    const std::vector<double> macs(kExitMacs.end() - state.range(1), kExitMacs.end());
    const ExitPolicy policy(cache, ConfidenceMeasure::ScoreMargin, macs);
    for (auto _ : state)
        benchmark::DoNotOptimize(policy.tuneForBudget(3.0e6).accuracy);
}
BENCHMARK(BM_TuneForBudget)->Args({ 6000, 3 })->Args({ 6000, 5 })->Unit(benchmark::kMillisecond);

void BM_TuneAebnasGrid(benchmark::State& state)
{
    const ExitOutcomes cache = outcomes(5, int(state.range(0)));
    const ExitPolicy policy(cache, ConfidenceMeasure::ScoreMargin, kExitMacs);
    for (auto _ : state)
        benchmark::DoNotOptimize(policy.tuneAebnasGrid(3.0e6).accuracy);
}
BENCHMARK(BM_TuneAebnasGrid)->Arg(6000)->Unit(benchmark::kMillisecond);

void BM_TradeOffCurve(benchmark::State& state)
{
    const ExitOutcomes cache = outcomes(5, int(state.range(0)));
    const ExitPolicy policy(cache, ConfidenceMeasure::ScoreMargin, kExitMacs);
    for (auto _ : state)
        benchmark::DoNotOptimize(policy.tradeOffCurve(32).size());
}
BENCHMARK(BM_TradeOffCurve)->Arg(6000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
