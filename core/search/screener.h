#pragma once

#include "experiment/experiment.h"
#include "model/branchid.h"
#include "model/costmodel.h"
#include "search/branchpool.h"
#include "search/searchconfig.h"
#include "search/searchspace.h"
#include "search/thresholdfront.h"

#include <atomic>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace earlybird {

// What multi-fidelity screening did in a run (SearchConfig::screenEpochs): proposed candidates with new branches
// screened, those turned down, and the new branches they held, which were never trained in full.
struct ScreeningCounts {
    int screened = 0;
    int rejected = 0;
    int branchesSkipped = 0;
};

// Multi-fidelity screening: a proposed candidate whose branches are not all trained first has its new branches
// trained briefly (SearchConfig::screenEpochs on screenSubset of the cached images); it is trained in full only if its
// trade-off curve, or that of a composition around its new branches, would reach the session's front. Keeps the
// genomes it turned down, which the search never proposes again.
class Screener {
public:
    // What screening needs from the search around it.
    struct Hooks {
        // A composition around a new branch with trained ones, as the composer would make it; none when the draw is
        // outside the space, seen or too dear.
        std::function<std::optional<Architecture>(const BranchId&)> compose;
        // The architecture's parts timed on this machine (latency cost model); empty otherwise.
        std::function<NetworkLatency(const Architecture&)> latency;
        ProgressCallback progress;
        std::atomic<bool>* stop = nullptr;
    };

    Screener(const SearchConfig& config, Experiment& experiment);

    // Whether `genome` (decoded: `architecture`; its branches not in the session yet: `fresh`, not empty) is to be
    // trained in full. `key` is its structure key. Throws CancelledError when `hooks.stop` is set mid-training.
    bool passes(const Genome& genome, const std::string& key, const Architecture& architecture,
        const std::vector<BranchId>& fresh, const ThresholdFront& front, const Hooks& hooks);

    bool isScreenedOut(const std::string& key) const { return m_screenedOutKeys.count(key) > 0; }
    // Every run's turned-down genomes, as the session keeps them; restored on resume with their keys.
    const std::vector<Genome>& screenedOut() const { return m_screenedOut; }
    void restore(std::vector<Genome> screenedOut, const SearchSpace& space);
    // This run's counts and time (short trainings included).
    const ScreeningCounts& counts() const { return m_counts; }
    double seconds() const { return m_seconds; }

private:
    const SearchConfig& m_config;
    Experiment& m_experiment;
    ScreeningCounts m_counts;
    std::vector<Genome> m_screenedOut;
    std::set<std::string> m_screenedOutKeys;
    double m_seconds = 0;
};

} // namespace earlybird
