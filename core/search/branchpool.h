#pragma once

#include "base/rng.h"
#include "model/architecture.h"
#include "model/branchid.h"

#include <map>
#include <set>
#include <vector>

namespace earlybird {

// Every branch trained in a session, by position, in the order they came, and the composer that combines them. The
// frozen backbone makes a trained branch's per-sample outputs independent of the other exits, so a composition of
// pooled branches is evaluated exactly with nothing trained.
class BranchPool {
public:
    // Adds the architecture's branches; returns those that were not in the pool yet, in exit order.
    std::vector<BranchId> add(const Architecture& architecture);
    bool contains(const BranchId& branch) const { return m_known.count(branch) > 0; }
    // The architecture's branches the pool does not hold.
    std::vector<BranchId> missing(const Architecture& architecture) const;
    std::size_t size() const { return m_known.size(); }

    // A network on `backbone` holding `anchor` and, at each other position of the pool, one of its branches or none:
    // each included with a probability drawn once per composition between `minInclusion` and `maxInclusion` (so
    // sparse and dense exit placements both come up), with a confidence measure drawn from `measures`. Thresholds are
    // left at 0, to be tuned.
    Architecture composeAround(const BranchId& anchor, const BackboneSpec& backbone,
        const std::vector<ConfidenceMeasure>& measures, Rng& rng) const;

    // Compositions to draw per composition wanted, at most: a draw may be outside the space, seen or too dear.
    static constexpr int kAttemptsPerComposition = 20;
    // Probabilities of including a pooled position in a composition.
    static constexpr double kMinInclusion = 0.1;
    static constexpr double kMaxInclusion = 0.7;

private:
    std::map<int, std::vector<BranchId>> m_byPosition;
    std::set<BranchId> m_known;
};

} // namespace earlybird
