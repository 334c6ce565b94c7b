#include "nn/latencymeter.h"

#include "nn/modules.h"

#include "base/rng.h"
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace earlybird::nn {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWarmupRuns = 3;
constexpr int kRounds = 7;
// Each round repeats the part until it has run this long, so that a 20 us part is not timed at the clock's grain.
constexpr double kRoundMicros = 2000;
constexpr int kMaxRunsPerRound = 1000;

template <typename Run>
double medianMicros(Run run)
{
    torch::NoGradGuard noGrad;
    for (int i = 0; i < kWarmupRuns; ++i)
        run();
    // The warm-up's last run sizes the rounds.
    const Clock::time_point probeStart = Clock::now();
    run();
    const double probe = std::max(1e-3, std::chrono::duration<double, std::micro>(Clock::now() - probeStart).count());
    const int runs = std::clamp(int(kRoundMicros / probe), 1, kMaxRunsPerRound);
    std::vector<double> rounds;
    for (int r = 0; r < kRounds; ++r) {
        const Clock::time_point start = Clock::now();
        for (int i = 0; i < runs; ++i)
            run();
        rounds.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count() / runs);
    }
    std::nth_element(rounds.begin(), rounds.begin() + kRounds / 2, rounds.end());
    return rounds[kRounds / 2];
}

torch::Tensor sampleInput(const ImageShape& shape)
{
    return torch::rand({ 1, shape.channels, shape.height, shape.width });
}

// One module in eval mode on a random sample of `input` shape.
template <typename Module>
double timeModule(Module module, const ImageShape& input)
{
    module->eval();
    const torch::Tensor x = sampleInput(input);
    return medianMicros([&] { return module->forward(x); });
}

} // namespace

double timeBlockMicros(const BackboneBlockSpec& spec, const ImageShape& input)
{
    Rng rng(1);
    return timeModule(BackboneBlock(spec, input.channels, rng), input);
}

double timeBranchLayerMicros(const BranchLayerSpec& spec, const ImageShape& input)
{
    Rng rng(1);
    return timeModule(BranchLayer(spec, input.channels, rng), input);
}

double timeClassifierMicros(const ImageShape& input, int classes)
{
    Rng rng(1);
    ExitHead head(std::vector<BranchLayerSpec> {}, input.channels, classes, rng);
    head->eval();
    const torch::Tensor x = sampleInput(input);
    return medianMicros([&] { return exitConfidence(head->forward(x), ConfidenceMeasure::ScoreMargin); });
}

std::string torchVersion()
{
    return "LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "."
        + std::to_string(TORCH_VERSION_PATCH);
}

} // namespace earlybird::nn
