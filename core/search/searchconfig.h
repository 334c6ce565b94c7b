#pragma once

// What a search is asked to do: its data and backbone, space, cost model, target and budget.

#include "base/enumnames.h"
#include "experiment/experiment.h"
#include "model/costmodel.h"
#include "search/searchspace.h"

#include <cstdint>
#include <string>

namespace earlybird {

// How the target cost (average MACs by default; see CostModel) enters the search.
// Budget: thresholds are tuned for the best validation accuracy within the target, and candidates over it lose to
// every candidate within it (constrained domination); objectives are validation accuracy and average cost.
// Aebnas: the AEBNAS paper's formulation, for comparison: thresholds tuned on a grid for accuracy% - 0.1 * MAPE, and
// objectives f1 = error% + 0.1 * MAPE and f2 = MAPE, MAPE = |average cost - target| / target * 100.
// Nachos: the NACHOS paper's threshold rule, for comparison: one threshold shared by every exit, lowered on a grid from
// 0.8 to 0.1 until the average cost meets the target; objectives and domination as in Budget.
enum class TargetMode { Budget, Aebnas, Nachos };
const EnumNames<TargetMode>& enumNames(TargetMode); // "budget", "aebnas", "nachos"

// The reference point of every hypervolume Earlybird reports: accuracy 0 and 1.25 times the backbone's cost (cost is
// normalised by the backbone's, in the search's cost model), so the backbone alone scores a quarter of its accuracy and
// every cheaper candidate adds to a front's score.
constexpr double kHypervolumeReferenceAccuracy = 0.0;
constexpr double kHypervolumeReferenceCost = 1.25;

struct SearchConfig {
    std::string name = "search"; // "search", or the baseline's name
    ExperimentConfig experiment;
    SearchSpaceOptions space;
    CostModel costModel = CostModel::Macs;
    double target = 0; // average cost to aim for, in the cost model's unit (MACs, microseconds or parameters)
    // If positive, the target is this fraction of the backbone's cost, set when the search is prepared (a latency is
    // only known once measured on this machine).
    double targetFraction = 0;
    TargetMode mode = TargetMode::Budget;
    CostConvention convention = CostConvention::AllEvaluatedBranches;
    int population = 16;
    int generations = 0; // 0: no limit (stop at the time budget)
    // Seeds the search's own choices (first population, selection, variation) apart from the experiment's seed, which
    // sets the validation split, the backbone and every branch's training. 0: the experiment's seed. Several search
    // seeds on one trained backbone measure the search's spread without training a backbone per seed.
    std::uint64_t searchSeed = 0;
    double timeBudgetSeconds = 600; // 0: no limit (stop after the generations); includes backbone training
    double crossoverProbability = 0.9;
    double mutationRate = 0; // per gene; 0: two genes of the genome on average
    double aebnasLambda = 0.1;
    double aebnasGridStep = 0.1;
    // If not empty, the AEBNAS rule picks each exit's threshold from these values instead of the grid (the published
    // code's {0.1, 0.2, 1}).
    std::vector<double> aebnasThresholds;
    std::int64_t aebnasMaxCombinations = 20000;
    bool randomOnly = false; // evaluate random samples instead of evolving (a baseline)
    // Candidates with an exit branch dearer than this fraction of the backbone's MACs are never proposed: such a branch
    // cannot pay for itself under any useful target, and training it costs the most (a width-2 5x5 convolution on the
    // first feature map costs twice the whole Fashion-MNIST backbone). 0: no limit (the baselines, as published).
    double maxBranchMacsFraction = 0.25;
    // Candidates with more parameters in all (backbone and every branch: the model's size) are never proposed.
    // 0: no limit.
    std::int64_t maxParameters = 0;
    // After each candidate that brings branches new to the session, this many candidates per new branch are composed
    // from the branches trained so far: each holds a new branch and others from the pool at other positions, and is
    // evaluated exactly from their cached per-sample outputs, with nothing to train. 0: off (the baselines, as
    // published). A composed candidate costs about 20 ms (Fashion-MNIST), a branch 7 - 15 s to train: 256 per branch
    // take about a third of the search's time and evaluate 3.4x the architectures of 64, with fronts as good
    // (docs/measurements.md, session 9).
    int composedPerBranch = 256;
    // Multi-fidelity screening; 0: off. A proposed candidate with branches not trained yet first has them trained for
    // this many epochs on screenSubset of the cached training images. It is evaluated with them, and so are up to
    // screenCompose compositions around them; only if one of their trade-off curves, raised by screenMargin (validation
    // accuracy, as a fraction), would reach the session's front are its branches trained in full and the candidate
    // evaluated. Otherwise it is dropped unrecorded.
    int screenEpochs = 0;
    double screenSubset = 0.5;
    double screenMargin = 0;
    int screenCompose = 8;
};

// The seed of the search's own choices: searchSeed, or the experiment's seed if it is 0.
inline std::uint64_t effectiveSearchSeed(const SearchConfig& config)
{
    return config.searchSeed != 0 ? config.searchSeed : config.experiment.seed;
}

// Throws ConfigError naming the first impossible setting.
void validateSearchConfig(const SearchConfig& config);

} // namespace earlybird
