#pragma once

#include "model/architecture.h"
#include "model/networkcost.h"
#include "policy/calibration.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace earlybird {

// What every exit of a trained candidate says about every sample of one split, measured once: each exit's confidence
// under each ConfidenceMeasure and whether its prediction is right. Thresholds are then tuned and applied on this
// cache alone, with no model run: this is what makes the GUI's sliders instant and the search's tuning cheap.
// Storage is sample-major (one sample's exits side by side), the order in which a threshold policy reads them.
class ExitOutcomes {
public:
    ExitOutcomes() = default;
    ExitOutcomes(int exits, std::int64_t samples);

    int exitCount() const { return m_exits; }
    std::int64_t sampleCount() const { return m_samples; }

    float confidence(ConfidenceMeasure measure, std::int64_t sample, int exit) const
    {
        return m_confidence[std::size_t(measure)][std::size_t(sample * m_exits + exit)];
    }
    bool correct(std::int64_t sample, int exit) const { return m_correct[std::size_t(sample * m_exits + exit)] != 0; }
    std::int32_t prediction(std::int64_t sample, int exit) const
    {
        return m_prediction[std::size_t(sample * m_exits + exit)];
    }

    // Sets exit `exit`'s column from per-sample arrays (length sampleCount()).
    void setExit(int exit, const float* scoreMargin, const float* maxSoftmax, const float* entropy,
        const std::int32_t* predictions, const std::int32_t* labels);

    // Exit `exit`'s calibration on this split: its fitted temperature, its calibration errors, and whether the
    // confidences here are the calibrated ones. Unmeasured (ExitCalibration's defaults) until set.
    const ExitCalibration& calibration(int exit) const { return m_calibration[std::size_t(exit)]; }
    void setCalibration(int exit, const ExitCalibration& calibration);
    // Whether every exit's confidences are calibrated ones.
    bool calibrated() const;

    const float* confidenceData(ConfidenceMeasure measure) const { return m_confidence[std::size_t(measure)].data(); }
    const std::uint8_t* correctData() const { return m_correct.data(); }

    bool operator==(const ExitOutcomes& other) const;

private:
    int m_exits = 0;
    std::int64_t m_samples = 0;
    std::vector<float> m_confidence[3];
    std::vector<std::uint8_t> m_correct;
    std::vector<std::int32_t> m_prediction;
    std::vector<ExitCalibration> m_calibration;
};

// The figures of one threshold vector on one split.
struct PolicyResult {
    std::vector<double> thresholds; // per early exit
    std::vector<std::int64_t> exitCounts; // samples leaving at each exit (early exits, then the final one)
    std::vector<std::int64_t> correctAtExit;
    std::int64_t samples = 0;
    double accuracy = 0; // fraction in [0, 1]
    double averageCost = 0; // in the unit of the policy's exit costs (MACs, microseconds or parameters)
    double averageMacs = 0; // always MACs

    double exitRate(int exit) const { return samples ? double(exitCounts[std::size_t(exit)]) / double(samples) : 0; }
    // exitRate of every exit, the final one last.
    std::vector<double> exitRates() const
    {
        std::vector<double> rates;
        for (std::size_t e = 0; e < exitCounts.size(); ++e)
            rates.push_back(exitRate(int(e)));
        return rates;
    }
    // Accuracy among the samples that left at `exit`; 0 when none did.
    double exitAccuracy(int exit) const
    {
        const std::int64_t n = exitCounts[std::size_t(exit)];
        return n ? double(correctAtExit[std::size_t(exit)]) / double(n) : 0;
    }
};

// A threshold policy over cached outcomes. `exitCosts[e]` is what a sample leaving at exit e costs under the cost
// model the policy is tuned for (see exitCostsOf), and `exitMacs[e]` the same in MACs, reported beside it (empty: the
// costs are MACs). Budgets, targets and trade-offs are all in the cost's unit. Thresholds are compared as
// confidence >= threshold in single precision, exactly as the LibTorch inference path compares them.
class ExitPolicy {
public:
    ExitPolicy(const ExitOutcomes& outcomes, ConfidenceMeasure measure, std::vector<double> exitCosts,
        std::vector<double> exitMacs = {});

    int exitCount() const { return m_outcomes->exitCount(); }
    const std::vector<double>& exitCosts() const { return m_exitCosts; }
    const std::vector<double>& exitMacs() const { return m_exitMacs; }

    // One pass over the samples: exit rates, per-exit and overall accuracy, average cost and MACs. Throws ConfigError
    // for a wrong number of thresholds.
    PolicyResult evaluate(const std::vector<double>& thresholds) const;

    // The AEBNAS rule: every combination of thresholds on a grid (step `gridStep`, coarsened if the combinations
    // would exceed `maxCombinations`), maximising accuracy% - lambda * MAPE(average cost, target).
    PolicyResult tuneAebnasGrid(
        double targetCost, double lambda = 0.1, double gridStep = 0.1, std::int64_t maxCombinations = 200000) const;

    // The AEBNAS rule over given threshold values, each exit taking one of them: the published code offers
    // {0.1, 0.2, 1} (a threshold of 1 turns an exit off under the score margin). Throws ConfigError for no value or
    // one outside [0, 1].
    PolicyResult tuneAebnasValues(double targetCost, double lambda, std::vector<double> values) const;

    // The NACHOS rule: one threshold shared by every exit, lowered from `highest` by `step` to `lowest` until the
    // average cost meets `targetCost` (the first that does; the lowest if none does).
    PolicyResult tuneSharedThreshold(
        double targetCost, double highest = 0.8, double lowest = 0.1, double step = 0.1) const;

    // The thresholds that maximise accuracy subject to average cost <= targetCost, searched over the distinct
    // confidence values (not a grid): coordinate ascent where each step sweeps one exit's threshold exactly over every
    // value that changes which samples leave there, restarted from the optima of a Lagrangian relaxation and from the
    // best points of a coarse grid (so it is never worse than that grid). A heuristic:
    // on 800 small cases checked exhaustively (tests/tst_exitpolicy) it found the optimum in 98% and was otherwise one
    // sample short. If no thresholds meet the budget, the cheapest found is returned.
    PolicyResult tuneForBudget(double targetCost) const;

    // The accuracy / average-cost trade-off of this architecture as thresholds vary: the optima of accuracy minus a
    // cost penalty at `points` penalties (the curve's upper hull) and the two extreme policies, non-dominated, in order
    // of cost.
    std::vector<PolicyResult> tradeOffCurve(int points = 32) const;

    // A policy's outcome in integer terms, compared without rounding trouble.
    struct Score {
        std::int64_t correct = 0;
        double cost = 0; // total over samples
    };

private:
    // What the local search maximises: accuracy within a budget of `budgetTotal` cost (summed over samples) when
    // `penalty` < 0, else correct samples - penalty * cost with no budget (a Lagrangian relaxation).
    struct Objective {
        double budgetTotal;
        double penalty;
        bool improves(const Score& a, const Score& b) const;
    };
    // One exit's threshold swept over every distinct confidence of the samples that reach it, the others fixed.
    struct Sweep {
        double threshold; // the best
        Score best;
        Score current; // the outcome of the threshold as it stands
    };
    Sweep sweepExit(const std::vector<double>& thresholds, int exit, const Objective& objective,
        std::vector<float>* candidates) const;
    // Local search from `thresholds`: exact single-exit sweeps until none improves, then (with `pairMoves`) pair moves.
    PolicyResult ascend(std::vector<double> thresholds, const Objective& objective, bool pairMoves) const;
    // Every combination of thresholds on a grid of `levels` levels per early exit (threshold j / (levels - 1)), in the
    // order of an odometer whose first exit turns fastest, with `visit(thresholds, result)` called for each. The
    // results carry thresholds, counts, accuracy and average cost and MACs exactly as evaluate() gives them, but come
    // from prefix sums over a histogram of the samples' grid levels: O(samples) once, then O(exits) a combination.
    void visitGrid(int levels, const std::function<void(const PolicyResult&)>& visit) const;
    // The same over the given ascending threshold values.
    void visitGrid(const std::vector<double>& values, const std::function<void(const PolicyResult&)>& visit) const;
    // Accuracy, average cost and average MACs from the result's counts, summed in one fixed order.
    void summarise(PolicyResult& result) const;
    // The samples in descending order of their confidence at one early exit, sorted on first use, with copies of their
    // columns in that order, so that a sweep of the exit reads every sample's data in order (and the compiler can
    // vectorise the comparisons): the confidences at each early exit and whether each exit is right.
    struct SortedExit {
        std::vector<float> confidence; // early exit k's column at [k * samples, (k + 1) * samples)
        std::vector<std::uint8_t> correct; // exit k's column at [k * samples, (k + 1) * samples)
        std::vector<std::int32_t> runEnd; // one past the last position of each run of equal confidence at this exit
    };
    const SortedExit& sortedAt(int exit) const;

    // What letting one sample leave at the swept exit changes, by its position in that exit's order: nothing for a
    // sample that left earlier, else the difference in correctness and cost against the later exit it would reach.
    struct Change {
        double cost;
        std::int32_t correct;
        std::int32_t reaches; // 1 or 0
    };
    mutable std::vector<Change> m_changes; // reused by every sweep: tuning is single-threaded per policy
    mutable std::vector<std::uint32_t> m_leaves; // the same: the exits each sample may leave at, as bits

    const ExitOutcomes* m_outcomes;
    ConfidenceMeasure m_measure;
    std::vector<double> m_exitCosts;
    std::vector<double> m_exitMacs;
    mutable std::vector<SortedExit> m_sorted;
};

// Per-exit costs of an architecture under a convention, in the form ExitPolicy takes.
std::vector<double> exitMacsOf(const NetworkCost& cost, CostConvention convention);

// MAPE of an average cost (AEBNAS: MACs) against a target, in percent, as AEBNAS defines it.
double macsPercentError(double averageMacs, double targetMacs);

} // namespace earlybird
