#include "search/branchfarm.h"

#include <chrono>
#include <set>

namespace earlybird {

double trainAhead(BranchFarm& farm, Experiment& experiment, const std::vector<Architecture>& queued,
    const std::function<bool()>& stop)
{
    std::vector<BranchId> wanted;
    std::vector<BranchId> next;
    std::set<BranchId> seen;
    for (std::size_t i = 0; i < queued.size(); ++i) {
        for (const ExitSpec& exit : queued[i].exits) {
            const BranchId branch(exit);
            if (!seen.insert(branch).second || experiment.hasTrainedBranch(branch.exit()))
                continue;
            wanted.push_back(branch);
            if (i == 0)
                next.push_back(branch);
        }
    }
    farm.submit(wanted);
    const auto start = std::chrono::steady_clock::now();
    const double trainedHere = experiment.report().branchSeconds;
    farm.await(next, stop);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
        - (experiment.report().branchSeconds - trainedHere);
}

} // namespace earlybird
