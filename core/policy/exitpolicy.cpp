#include "policy/exitpolicy.h"

#include "base/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace earlybird {

namespace {

// Rounds of coordinate ascent at most; in practice it settles in two or three.
constexpr int kMaxAscentRounds = 12;
// Bisection steps on the Lagrangian penalty; each halves the bracket, 12 narrow it 4096-fold.
constexpr int kLagrangianSteps = 12;
// Candidates (of all the starts) that get the costlier pair-move polish. Polishing the second best too never found a
// better policy on 600 real candidates (4 and 5 exits, two Fashion-MNIST sessions), and cost 30 - 35 % more time.
constexpr int kPolishedFinalists = 1;
// The trade-off curve's penalties span this ratio (smallest / largest), geometrically.
constexpr double kCurvePenaltyRange = 1e-4;
// Rank quantiles of one exit's confidences tried in each pair move.
constexpr int kPairQuantiles = 16;
// Grid starts of the budget tuner: up to 21 levels per exit (step 0.05), coarsened to at most 2048 combinations,
// of which the 3 most accurate within budget are polished by coordinate ascent.
constexpr int kGridStartLevels = 21;
constexpr std::int64_t kGridStartCombinations = 2048;
constexpr int kGridStarts = 3;
// Relative slack when comparing average MACs with a budget, so a policy exactly on budget counts as within it.
constexpr double kBudgetSlack = 1e-9;

// Better under a budget: within budget beats over budget; within budget, more correct then fewer MACs; over budget,
// fewer MACs then more correct.
bool better(const ExitPolicy::Score& a, const ExitPolicy::Score& b, double budgetTotal)
{
    const bool aFits = a.cost <= budgetTotal * (1 + kBudgetSlack);
    const bool bFits = b.cost <= budgetTotal * (1 + kBudgetSlack);
    if (aFits != bFits)
        return aFits;
    if (aFits) {
        if (a.correct != b.correct)
            return a.correct > b.correct;
        return a.cost < b.cost;
    }
    if (a.cost != b.cost)
        return a.cost < b.cost;
    return a.correct > b.correct;
}

// The exits a sample may leave at, as bits: bit e when its confidence `c[e]` reaches threshold `t[e]`, and bit
// `early` always (the final exit). The lowest set bit is where it leaves. Computed at every exit rather than with a
// branch per exit: which exit a sample takes is data, and mispredicted branches cost more than the comparisons.
// Single precision, as the inference path compares. For early < 32.
inline std::uint32_t exitsReached(const float* c, const float* t, int early)
{
    std::uint32_t reached = std::uint32_t(1) << early;
    for (int e = 0; e < early; ++e)
        reached |= std::uint32_t(!(c[e] < t[e])) << e;
    return reached;
}

} // namespace

ExitOutcomes::ExitOutcomes(int exits, std::int64_t samples)
    : m_exits(exits)
    , m_samples(samples)
{
    if (exits < 1 || samples < 0)
        throw ConfigError("exit outcomes need at least one exit");
    const std::size_t size = std::size_t(exits) * std::size_t(samples);
    for (std::vector<float>& confidence : m_confidence)
        confidence.assign(size, 0.0f);
    m_correct.assign(size, 0);
    m_prediction.assign(size, 0);
    m_calibration.assign(std::size_t(exits), ExitCalibration {});
}

void ExitOutcomes::setExit(int exit, const float* scoreMargin, const float* maxSoftmax, const float* entropy,
    const std::int32_t* predictions, const std::int32_t* labels)
{
    if (exit < 0 || exit >= m_exits)
        throw ConfigError("exit " + std::to_string(exit) + " does not exist");
    const float* sources[3] = { scoreMargin, maxSoftmax, entropy };
    for (std::int64_t n = 0; n < m_samples; ++n) {
        const std::size_t at = std::size_t(n * m_exits + exit);
        for (int m = 0; m < 3; ++m)
            m_confidence[m][at] = sources[m][n];
        m_prediction[at] = predictions[n];
        m_correct[at] = predictions[n] == labels[n] ? 1 : 0;
    }
}

void ExitOutcomes::setCalibration(int exit, const ExitCalibration& calibration)
{
    if (exit < 0 || exit >= m_exits)
        throw ConfigError("exit " + std::to_string(exit) + " does not exist");
    m_calibration[std::size_t(exit)] = calibration;
}

bool ExitOutcomes::calibrated() const
{
    return std::all_of(
        m_calibration.begin(), m_calibration.end(), [](const ExitCalibration& c) { return c.applied; });
}

bool ExitOutcomes::operator==(const ExitOutcomes& other) const
{
    return m_exits == other.m_exits && m_samples == other.m_samples && m_confidence[0] == other.m_confidence[0]
        && m_confidence[1] == other.m_confidence[1] && m_confidence[2] == other.m_confidence[2]
        && m_correct == other.m_correct && m_prediction == other.m_prediction
        && m_calibration == other.m_calibration;
}

std::vector<double> exitMacsOf(const NetworkCost& cost, CostConvention convention)
{
    std::vector<double> macs;
    for (std::size_t e = 0; e < cost.exits.size(); ++e)
        macs.push_back(double(cost.macsForExit(int(e), convention)));
    return macs;
}

double macsPercentError(double averageMacs, double targetMacs)
{
    return targetMacs > 0 ? std::abs(averageMacs - targetMacs) / targetMacs * 100.0 : 0.0;
}

bool ExitPolicy::Objective::improves(const Score& a, const Score& b) const
{
    if (penalty < 0)
        return better(a, b, budgetTotal);
    return double(a.correct) - penalty * a.cost > double(b.correct) - penalty * b.cost + 1e-9;
}

ExitPolicy::ExitPolicy(const ExitOutcomes& outcomes, ConfidenceMeasure measure, std::vector<double> exitCosts,
    std::vector<double> exitMacs)
    : m_outcomes(&outcomes)
    , m_measure(measure)
    , m_exitCosts(std::move(exitCosts))
    , m_exitMacs(exitMacs.empty() ? m_exitCosts : std::move(exitMacs))
{
    if (int(m_exitCosts.size()) != outcomes.exitCount() || int(m_exitMacs.size()) != outcomes.exitCount())
        throw ConfigError("the exit policy has " + std::to_string(outcomes.exitCount()) + " exits but "
            + std::to_string(m_exitCosts.size()) + " exit costs and " + std::to_string(m_exitMacs.size())
            + " exit MAC counts");
}

PolicyResult ExitPolicy::evaluate(const std::vector<double>& thresholds) const
{
    const int exits = exitCount();
    if (int(thresholds.size()) != exits - 1)
        throw ConfigError("the policy needs " + std::to_string(exits - 1) + " thresholds (one per early exit), got "
            + std::to_string(thresholds.size()));
    PolicyResult result;
    result.thresholds = thresholds;
    result.exitCounts.assign(std::size_t(exits), 0);
    result.correctAtExit.assign(std::size_t(exits), 0);
    result.samples = m_outcomes->sampleCount();
    // Single precision, as the inference path compares; on the stack, as the loop reads them for every sample.
    float limits[64];
    std::vector<float> heapLimits;
    float* t = limits;
    if (exits - 1 > 64) {
        heapLimits.resize(std::size_t(exits - 1));
        t = heapLimits.data();
    }
    for (int e = 0; e + 1 < exits; ++e)
        t[e] = float(thresholds[std::size_t(e)]);
    const float* confidence = m_outcomes->confidenceData(m_measure);
    const std::uint8_t* correct = m_outcomes->correctData();
    std::int64_t* counts = result.exitCounts.data();
    std::int64_t* right = result.correctAtExit.data();
    const std::int64_t samples = result.samples;
    const int last = exits - 1;
    if (last < 32) {
        for (std::int64_t n = 0; n < samples; ++n) {
            const int e = __builtin_ctz(exitsReached(confidence + n * exits, t, last));
            ++counts[e];
            right[e] += correct[n * exits + e];
        }
    } else {
        for (std::int64_t n = 0; n < samples; ++n) {
            const float* c = confidence + n * exits;
            int e = 0;
            while (e < last && c[e] < t[e])
                ++e;
            ++counts[e];
            right[e] += correct[n * exits + e];
        }
    }
    summarise(result);
    return result;
}

void ExitPolicy::summarise(PolicyResult& result) const
{
    double cost = 0, macs = 0;
    std::int64_t correctTotal = 0;
    for (std::size_t e = 0; e < result.exitCounts.size(); ++e) {
        cost += double(result.exitCounts[e]) * m_exitCosts[e];
        macs += double(result.exitCounts[e]) * m_exitMacs[e];
        correctTotal += result.correctAtExit[e];
    }
    const std::int64_t samples = result.samples;
    result.accuracy = samples ? double(correctTotal) / double(samples) : 0;
    result.averageCost = samples ? cost / double(samples) : 0;
    result.averageMacs = samples ? macs / double(samples) : 0;
}

PolicyResult ExitPolicy::tuneAebnasGrid(
    double targetCost, double lambda, double gridStep, std::int64_t maxCombinations) const
{
    const int early = exitCount() - 1;
    if (!(gridStep > 0 && gridStep <= 1))
        throw ConfigError("the threshold grid step must be above 0 and at most 1");
    int levels = int(std::floor(1.0 / gridStep + 1e-9)) + 1;
    // Coarsen the grid until every combination can be tried.
    while (levels > 2 && std::pow(double(levels), early) > double(maxCombinations))
        --levels;
    std::vector<double> values(static_cast<std::size_t>(levels));
    for (int j = 0; j < levels; ++j)
        values[std::size_t(j)] = double(j) / double(levels - 1);
    return tuneAebnasValues(targetCost, lambda, values);
}

PolicyResult ExitPolicy::tuneAebnasValues(double targetCost, double lambda, std::vector<double> values) const
{
    if (values.empty())
        throw ConfigError("the AEBNAS rule needs at least one threshold value");
    for (const double value : values) {
        if (!(value >= 0 && value <= 1))
            throw ConfigError("AEBNAS threshold values lie in [0, 1], not " + std::to_string(value));
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    std::vector<double> bestThresholds(std::size_t(exitCount() - 1), values.front());
    double bestScore = -1e300;
    visitGrid(values, [&](const PolicyResult& result) {
        const double score = result.accuracy * 100.0 - lambda * macsPercentError(result.averageCost, targetCost);
        if (score > bestScore) {
            bestScore = score;
            bestThresholds = result.thresholds;
        }
    });
    return evaluate(bestThresholds);
}

PolicyResult ExitPolicy::tuneSharedThreshold(double targetCost, double highest, double lowest, double step) const
{
    if (!(step > 0) || !(lowest >= 0) || !(highest <= 1) || lowest > highest)
        throw ConfigError("a shared-threshold grid needs 0 <= lowest <= highest <= 1 and a positive step");
    const int early = exitCount() - 1;
    const int levels = int(std::floor((highest - lowest) / step + 1e-9)) + 1;
    PolicyResult result;
    for (int j = 0; j < levels; ++j) {
        // Rounded to the grid's decimals, so that 0.8 - 0.1 * 7 is 0.1 and not 0.09999999999999987.
        const double threshold = std::round((highest - step * j) * 1e9) / 1e9;
        result = evaluate(std::vector<double>(std::size_t(early), threshold));
        if (result.averageCost <= targetCost)
            break;
    }
    return result;
}

void ExitPolicy::visitGrid(int levels, const std::function<void(const PolicyResult&)>& visit) const
{
    std::vector<double> values(static_cast<std::size_t>(levels));
    for (int j = 0; j < levels; ++j)
        values[std::size_t(j)] = double(j) / double(levels - 1);
    visitGrid(values, visit);
}

void ExitPolicy::visitGrid(
    const std::vector<double>& values, const std::function<void(const PolicyResult&)>& visit) const
{
    const int exits = exitCount();
    const int early = exits - 1;
    const int levels = int(values.size());
    const std::int64_t samples = m_outcomes->sampleCount();
    const float* confidence = m_outcomes->confidenceData(m_measure);
    const std::uint8_t* correct = m_outcomes->correctData();
    // The grid's thresholds in single precision, as evaluate() compares them.
    std::vector<float> limits(static_cast<std::size_t>(levels));
    for (int j = 0; j < levels; ++j)
        limits[std::size_t(j)] = float(values[std::size_t(j)]);
    // A sample's bin at exit e is the number of grid thresholds its confidence reaches: at level j it leaves there
    // (if it got there) exactly when j < bin. Bins run 0 .. levels; tables over exits 0..k have bins^(k+1) cells,
    // exit 0's bin the fastest-varying index.
    const std::size_t bins = std::size_t(levels) + 1;
    std::vector<std::size_t> stride(std::size_t(exits) + 1, 1);
    for (int d = 1; d <= exits; ++d)
        stride[std::size_t(d)] = stride[std::size_t(d - 1)] * bins;
    // tables[e]: samples (and correct ones) by their bins at exits 0..e, with their outcome at exit e; the final exit's
    // table (e == early) is by the bins at every early exit.
    std::vector<std::vector<std::int64_t>> count(static_cast<std::size_t>(exits));
    std::vector<std::vector<std::int64_t>> right(static_cast<std::size_t>(exits));
    for (int e = 0; e < exits; ++e) {
        const std::size_t dims = std::size_t(std::min(e + 1, early));
        count[std::size_t(e)].assign(stride[dims], 0);
        right[std::size_t(e)].assign(stride[dims], 0);
    }
    std::vector<std::size_t> cell(static_cast<std::size_t>(exits), 0);
    for (std::int64_t n = 0; n < samples; ++n) {
        const float* c = confidence + n * exits;
        std::size_t at = 0;
        for (int e = 0; e < early; ++e) {
            const float value = c[e];
            const std::size_t bin = std::size_t(
                std::upper_bound(limits.begin(), limits.end(), value, [](float v, float t) { return v < t; })
                - limits.begin());
            at += bin * stride[std::size_t(e)];
            cell[std::size_t(e)] = at;
        }
        for (int e = 0; e < early; ++e) {
            ++count[std::size_t(e)][cell[std::size_t(e)]];
            right[std::size_t(e)][cell[std::size_t(e)]] += correct[n * exits + e];
        }
        if (early > 0) {
            ++count[std::size_t(early)][at];
            right[std::size_t(early)][at] += correct[n * exits + early];
        } else {
            ++count[0][0];
            right[0][0] += correct[n * exits];
        }
    }
    // Cumulative sums: over the earlier exits' bins up to their level (the sample did not leave there: bin <= j), and
    // for an early exit e, over its own bins from its level up (it leaves: bin > j), read at j + 1.
    const auto accumulate = [&](std::vector<std::int64_t>& table, int dims, int suffixDim) {
        for (int d = 0; d < dims; ++d) {
            const std::size_t step = stride[std::size_t(d)];
            if (d == suffixDim) {
                for (std::size_t i = table.size(); i-- > 0;) {
                    if ((i / step) % bins + 1 < bins)
                        table[i] += table[i + step];
                }
            } else {
                for (std::size_t i = 0; i < table.size(); ++i) {
                    if ((i / step) % bins > 0)
                        table[i] += table[i - step];
                }
            }
        }
    };
    for (int e = 0; e < early; ++e) {
        accumulate(count[std::size_t(e)], e + 1, e);
        accumulate(right[std::size_t(e)], e + 1, e);
    }
    accumulate(count[std::size_t(early)], early, -1);
    accumulate(right[std::size_t(early)], early, -1);

    PolicyResult result;
    result.thresholds.assign(std::size_t(early), 0.0);
    result.exitCounts.assign(std::size_t(exits), 0);
    result.correctAtExit.assign(std::size_t(exits), 0);
    result.samples = samples;
    std::vector<int> index(std::size_t(early), 0);
    for (;;) {
        std::size_t prefix = 0;
        for (int e = 0; e < early; ++e) {
            const std::size_t at = prefix + std::size_t(index[std::size_t(e)] + 1) * stride[std::size_t(e)];
            result.exitCounts[std::size_t(e)] = count[std::size_t(e)][at];
            result.correctAtExit[std::size_t(e)] = right[std::size_t(e)][at];
            prefix += std::size_t(index[std::size_t(e)]) * stride[std::size_t(e)];
            result.thresholds[std::size_t(e)] = values[std::size_t(index[std::size_t(e)])];
        }
        result.exitCounts[std::size_t(early)] = count[std::size_t(early)][prefix];
        result.correctAtExit[std::size_t(early)] = right[std::size_t(early)][prefix];
        summarise(result); // as evaluate() does, so that they agree to the last bit
        visit(result);
        int e = 0;
        while (e < early && ++index[std::size_t(e)] == levels)
            index[std::size_t(e++)] = 0;
        if (e == early)
            break;
    }
}

const ExitPolicy::SortedExit& ExitPolicy::sortedAt(int exit) const
{
    if (m_sorted.empty()) {
        const int exits = exitCount();
        const std::size_t samples = std::size_t(m_outcomes->sampleCount());
        const float* confidence = m_outcomes->confidenceData(m_measure);
        const std::uint8_t* correct = m_outcomes->correctData();
        m_sorted.resize(std::size_t(exits));
        std::vector<std::int32_t> order(samples);
        for (int e = 0; e + 1 < exits; ++e) {
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
                return confidence[std::int64_t(a) * exits + e] > confidence[std::int64_t(b) * exits + e];
            });
            SortedExit& sorted = m_sorted[std::size_t(e)];
            sorted.confidence.resize(std::size_t(exits - 1) * samples);
            sorted.correct.resize(std::size_t(exits) * samples);
            for (std::size_t i = 0; i < samples; ++i) {
                const std::int64_t row = std::int64_t(order[i]) * exits;
                for (int k = 0; k < exits; ++k) {
                    if (k + 1 < exits)
                        sorted.confidence[std::size_t(k) * samples + i] = confidence[row + k];
                    sorted.correct[std::size_t(k) * samples + i] = correct[row + k];
                }
            }
            const float* here = sorted.confidence.data() + std::size_t(e) * samples;
            for (std::size_t i = 1; i <= samples; ++i) {
                if (i == samples || here[i] != here[i - 1])
                    sorted.runEnd.push_back(std::int32_t(i));
            }
        }
    }
    return m_sorted[std::size_t(exit)];
}

ExitPolicy::Sweep ExitPolicy::sweepExit(
    const std::vector<double>& thresholds, int e, const Objective& objective, std::vector<float>* candidates) const
{
    const int exits = exitCount();
    const int early = exits - 1;
    const SortedExit& sorted = sortedAt(e);
    const std::size_t count = std::size_t(m_outcomes->sampleCount());
    const float* here = sorted.confidence.data() + std::size_t(e) * count;

    // The exits each sample may leave at, as bits (bit k when it reaches threshold k, and bit `early` always): a
    // column at a time over samples in order, which the compiler vectorises. With 32 exits or more the lambdas below
    // compare confidences instead, and no bits are made.
    const bool asBits = early < 32;
    m_leaves.assign(asBits ? count : 0, asBits ? std::uint32_t(1) << early : 0);
    std::uint32_t* leaves = m_leaves.data();
    for (int k = 0; asBits && k < early; ++k) {
        const float* column = sorted.confidence.data() + std::size_t(k) * count;
        const float t = float(thresholds[std::size_t(k)]);
        for (std::size_t i = 0; i < count; ++i)
            leaves[i] |= std::uint32_t(!(column[i] < t)) << k;
    }
    // Where each sample goes: it leaves before e (fixed whatever e's threshold), or it reaches e, and then what changes
    // if it leaves at e instead of at the later exit it reaches now (the later thresholds stay as they are).
    const auto leftAt = [&](std::size_t i) {
        if (asBits) {
            const std::uint32_t before = leaves[i] & ((std::uint32_t(1) << e) - 1);
            return before ? __builtin_ctz(before) : -1;
        }
        int k = 0; // 32 exits or more: not as bits
        while (k < e && sorted.confidence[std::size_t(k) * count + i] < float(thresholds[std::size_t(k)]))
            ++k;
        return k < e ? k : -1;
    };
    const auto reachedAfter = [&](std::size_t i) {
        if (asBits)
            return __builtin_ctz(leaves[i] & ~((std::uint32_t(2) << e) - 1));
        int k = e + 1;
        while (k < early && sorted.confidence[std::size_t(k) * count + i] < float(thresholds[std::size_t(k)]))
            ++k;
        return k;
    };
    Score fixed;
    Score later;
    m_changes.resize(count);
    Change* changes = m_changes.data();
    const double* exitCost = m_exitCosts.data();
    const std::uint8_t* correct = sorted.correct.data();
    const std::uint8_t* correctHere = correct + std::size_t(e) * count;
    for (std::size_t i = 0; i < count; ++i) {
        const int left = leftAt(i);
        if (left >= 0) {
            fixed.correct += correct[std::size_t(left) * count + i];
            fixed.cost += exitCost[left];
            changes[i] = { 0.0, 0, 0 };
            continue;
        }
        const int reached = reachedAfter(i);
        const std::int32_t correctLater = correct[std::size_t(reached) * count + i];
        later.correct += correctLater;
        later.cost += exitCost[reached];
        changes[i] = { exitCost[e] - exitCost[reached], std::int32_t(correctHere[i]) - correctLater, 1 };
    }
    const Score laterAll { fixed.correct + later.correct, fixed.cost + later.cost };

    // Sweep e's threshold down through the runs of equal confidence: at threshold v, every reaching sample with
    // confidence >= v leaves at e. Threshold 1 lets only samples with confidence exactly 1 leave (none, if none is).
    Sweep sweep { 1.0, laterAll, laterAll };
    Score running = laterAll;
    const float now = float(thresholds[std::size_t(e)]);
    if (candidates)
        candidates->clear();
    std::size_t i = 0;
    for (const std::int32_t end : sorted.runEnd) {
        const float value = here[i];
        std::int32_t reaching = 0;
        for (; i < std::size_t(end); ++i) {
            const Change& change = changes[i];
            running.correct += change.correct;
            running.cost += change.cost;
            reaching += change.reaches;
        }
        if (reaching == 0)
            continue; // every sample of the run left at an earlier exit
        if (candidates)
            candidates->push_back(value);
        if (value >= now)
            sweep.current = running; // the policy as it stands lets exactly these leave
        if (value >= 1.0f) {
            sweep.best = running; // the threshold-1 policy lets these leave too
            continue;
        }
        if (objective.improves(running, sweep.best)) {
            sweep.best = running;
            sweep.threshold = double(value);
        }
    }
    return sweep;
}

PolicyResult ExitPolicy::ascend(std::vector<double> thresholds, const Objective& objective, bool pairMoves) const
{
    const int early = exitCount() - 1;
    std::vector<float> candidates;
    for (int round = 0; round < kMaxAscentRounds; ++round) {
        bool changed = false;
        // Single moves: each exit's threshold swept exactly with the others fixed.
        for (int e = 0; e < early; ++e) {
            const Sweep sweep = sweepExit(thresholds, e, objective, nullptr);
            if (objective.improves(sweep.best, sweep.current)) {
                thresholds[std::size_t(e)] = std::clamp(sweep.threshold, 0.0, 1.0);
                changed = true;
            }
        }
        if (changed)
            continue;
        if (!pairMoves)
            break;
        // Pair moves, once single moves have settled: exit a's threshold set to each of a few rank quantiles of its
        // distinct confidences, exit b's swept exactly for each. They escape the stalls where gaining at one exit needs
        // a change at another.
        Score base = sweepExit(thresholds, 0, objective, nullptr).current;
        std::vector<double> bestThresholds = thresholds;
        for (int a = 0; a < early; ++a) {
            sweepExit(thresholds, a, objective, &candidates);
            const std::size_t count = candidates.size();
            for (int q = 0; q < kPairQuantiles && count > 0; ++q) {
                std::vector<double> trial = thresholds;
                trial[std::size_t(a)]
                    = double(candidates[std::min(count - 1, count * std::size_t(q) / kPairQuantiles)]);
                for (int b = 0; b < early; ++b) {
                    if (b == a)
                        continue;
                    const Sweep sweep = sweepExit(trial, b, objective, nullptr);
                    if (objective.improves(sweep.best, base)) {
                        base = sweep.best;
                        bestThresholds = trial;
                        bestThresholds[std::size_t(b)] = std::clamp(sweep.threshold, 0.0, 1.0);
                        changed = true;
                    }
                }
            }
        }
        if (!changed)
            break;
        thresholds = bestThresholds;
    }
    return evaluate(thresholds);
}

PolicyResult ExitPolicy::tuneForBudget(double targetCost) const
{
    const int early = exitCount() - 1;
    if (early == 0)
        return evaluate({});
    const double budgetTotal = targetCost * double(m_outcomes->sampleCount());
    const Objective budget { budgetTotal, -1.0 };
    const auto score = [&](const PolicyResult& r) {
        std::int64_t correct = 0;
        for (const std::int64_t c : r.correctAtExit)
            correct += c;
        return Score { correct, r.averageCost * double(m_outcomes->sampleCount()) };
    };
    // Local search stalls where gaining accuracy at one exit needs MACs saved at another. So it starts from many
    // points, each polished by single-exit sweeps: the dearest and cheapest policies; the optima of the Lagrangian
    // (correct - penalty * MACs, no budget, where such trades are free) with the penalty bisected until they meet the
    // budget; and the best points of a coarse grid (so the result is never worse than that grid). The best is then
    // polished with pair moves.
    std::vector<PolicyResult> finalists;
    std::set<std::vector<double>> started; // an ascent is deterministic: from a start seen before it ends as it did
    const auto consider = [&](const std::vector<double>& start) {
        if (!started.insert(start).second)
            return;
        PolicyResult candidate = ascend(start, budget, false);
        finalists.push_back(std::move(candidate));
        std::sort(finalists.begin(), finalists.end(),
            [&](const PolicyResult& a, const PolicyResult& b) { return better(score(a), score(b), budgetTotal); });
        if (int(finalists.size()) > kPolishedFinalists)
            finalists.pop_back();
    };
    consider(std::vector<double>(std::size_t(early), 1.0));
    consider(std::vector<double>(std::size_t(early), 0.0));

    const double spread = *std::max_element(m_exitCosts.begin(), m_exitCosts.end())
        - *std::min_element(m_exitCosts.begin(), m_exitCosts.end());
    if (spread > 0) {
        // At penalty 0 accuracy is all that counts; at 1 / spread no MAC is worth one more correct sample.
        double low = 0.0, high = 1.0 / spread;
        std::vector<double> start(std::size_t(early), 1.0);
        for (int step = 0; step < kLagrangianSteps; ++step) {
            const double penalty = 0.5 * (low + high);
            const PolicyResult relaxed = ascend(start, Objective { budgetTotal, penalty }, false);
            if (relaxed.averageCost > targetCost)
                low = penalty;
            else
                high = penalty;
            start = relaxed.thresholds;
            consider(relaxed.thresholds);
        }
    }

    int levels = kGridStartLevels;
    while (levels > 2 && std::pow(double(levels), early) > double(kGridStartCombinations))
        --levels;
    std::vector<PolicyResult> gridBest;
    visitGrid(levels, [&](const PolicyResult& point) {
        if (point.averageCost <= targetCost * (1 + kBudgetSlack)) {
            gridBest.push_back(point);
            std::sort(gridBest.begin(), gridBest.end(),
                [](const PolicyResult& a, const PolicyResult& b) { return a.accuracy > b.accuracy; });
            if (int(gridBest.size()) > kGridStarts)
                gridBest.pop_back();
        }
    });
    for (const PolicyResult& start : gridBest)
        consider(start.thresholds);

    PolicyResult best = finalists.front();
    for (const PolicyResult& finalist : finalists) {
        PolicyResult polished = ascend(finalist.thresholds, budget, true);
        if (better(score(polished), score(best), budgetTotal))
            best = std::move(polished);
    }
    return best;
}

std::vector<PolicyResult> ExitPolicy::tradeOffCurve(int points) const
{
    const int early = exitCount() - 1;
    std::vector<PolicyResult> all;
    all.push_back(evaluate(std::vector<double>(std::size_t(early), 0.0)));
    all.push_back(evaluate(std::vector<double>(std::size_t(early), 1.0)));
    const double spread = *std::max_element(m_exitCosts.begin(), m_exitCosts.end())
        - *std::min_element(m_exitCosts.begin(), m_exitCosts.end());
    if (early > 0 && spread > 0 && points > 2) {
        // The optima of correct - penalty * MACs, from "MACs are free" to "no MAC is worth a correct sample", trace
        // the curve's upper hull; each warm-starts from the previous one, so the whole path costs a few tunes.
        std::vector<double> start(std::size_t(early), 1.0);
        const double highest = 1.0 / spread;
        const double lowest = highest * kCurvePenaltyRange;
        for (int i = 0; i < points; ++i) {
            const double penalty = lowest * std::pow(highest / lowest, double(i) / double(points - 1));
            PolicyResult point = ascend(start, Objective { 0.0, penalty }, false);
            start = point.thresholds;
            all.push_back(std::move(point));
        }
    }
    std::sort(all.begin(), all.end(), [](const PolicyResult& a, const PolicyResult& b) {
        return a.averageCost != b.averageCost ? a.averageCost < b.averageCost : a.accuracy > b.accuracy;
    });
    // Keep the points no cheaper point matches in accuracy.
    std::vector<PolicyResult> front;
    for (PolicyResult& result : all) {
        if (front.empty() || result.accuracy > front.back().accuracy)
            front.push_back(std::move(result));
    }
    return front;
}

} // namespace earlybird
