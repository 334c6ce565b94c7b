#include "search/screener.h"

#include "policy/exitpolicy.h"

#include <chrono>

namespace earlybird {

Screener::Screener(const SearchConfig& config, Experiment& experiment)
    : m_config(config)
    , m_experiment(experiment)
{
}

void Screener::restore(std::vector<Genome> screenedOut, const SearchSpace& space)
{
    m_screenedOut = std::move(screenedOut);
    m_screenedOutKeys.clear();
    for (const Genome& genome : m_screenedOut)
        m_screenedOutKeys.insert(space.structureKey(genome));
}

bool Screener::passes(const Genome& genome, const std::string& key, const Architecture& architecture,
    const std::vector<BranchId>& fresh, const ThresholdFront& front, const Hooks& hooks)
{
    const auto start = std::chrono::steady_clock::now();
    ScreeningOptions options;
    options.training = m_config.experiment.branchTraining;
    options.training.epochs = m_config.screenEpochs;
    options.subsetFraction = m_config.screenSubset;
    for (const BranchId& branch : fresh)
        options.branches.push_back(branch.exit());
    const auto reachesFront = [&](const Architecture& candidate) {
        const NetworkLatency measured = hooks.latency ? hooks.latency(candidate) : NetworkLatency();
        const CandidateOutcomes outcomes = m_experiment.screen(candidate, options, hooks.progress, hooks.stop);
        const std::vector<double> costs
            = exitCostsOf(m_config.costModel, outcomes.cost, m_config.convention, &measured);
        const ExitPolicy validation(
            outcomes.validation, candidate.confidence, costs, exitMacsOf(outcomes.cost, m_config.convention));
        std::vector<FrontPoint> curve;
        for (const PolicyResult& point : validation.tradeOffCurve())
            curve.push_back(
                FrontPoint { -1, point.thresholds, point.accuracy, point.averageCost, point.averageMacs, 0, 0 });
        return front.wouldGain(curve, m_config.screenMargin);
    };
    // Its own curve first, then compositions around its new branches with trained ones (what the composer would make
    // of them), until one would reach the front.
    bool passed = reachesFront(architecture);
    int looks = 0;
    for (int i = 0;
         !passed && looks < m_config.screenCompose && i < BranchPool::kAttemptsPerComposition * m_config.screenCompose;
         ++i) {
        if (const std::optional<Architecture> composed = hooks.compose(fresh[std::size_t(i) % fresh.size()])) {
            ++looks;
            passed = reachesFront(*composed);
        }
    }
    ++m_counts.screened;
    if (!passed) {
        ++m_counts.rejected;
        m_counts.branchesSkipped += int(fresh.size());
        m_screenedOut.push_back(genome);
        m_screenedOutKeys.insert(key);
    }
    m_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return passed;
}

} // namespace earlybird
