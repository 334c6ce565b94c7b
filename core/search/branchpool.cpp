#include "search/branchpool.h"

namespace earlybird {

std::vector<BranchId> BranchPool::add(const Architecture& architecture)
{
    std::vector<BranchId> fresh;
    for (const ExitSpec& exit : architecture.exits) {
        BranchId branch(exit);
        if (m_known.insert(branch).second) {
            m_byPosition[branch.position()].push_back(branch);
            fresh.push_back(std::move(branch));
        }
    }
    return fresh;
}

std::vector<BranchId> BranchPool::missing(const Architecture& architecture) const
{
    std::vector<BranchId> absent;
    for (const ExitSpec& exit : architecture.exits) {
        BranchId branch(exit);
        if (!contains(branch))
            absent.push_back(std::move(branch));
    }
    return absent;
}

Architecture BranchPool::composeAround(const BranchId& anchor, const BackboneSpec& backbone,
    const std::vector<ConfidenceMeasure>& measures, Rng& rng) const
{
    Architecture architecture;
    architecture.backbone = backbone;
    architecture.confidence = measures[std::size_t(rng.below(measures.size()))];
    const double inclusion = kMinInclusion + (kMaxInclusion - kMinInclusion) * rng.uniform();
    bool anchored = false;
    for (const auto& [position, branches] : m_byPosition) {
        if (position == anchor.position()) {
            architecture.exits.push_back(anchor.exit());
            anchored = true;
        } else if (rng.uniform() < inclusion) {
            if (!anchored && position > anchor.position()) {
                architecture.exits.push_back(anchor.exit());
                anchored = true;
            }
            architecture.exits.push_back(branches[std::size_t(rng.below(branches.size()))].exit());
        }
    }
    if (!anchored)
        architecture.exits.push_back(anchor.exit());
    return architecture;
}

} // namespace earlybird
