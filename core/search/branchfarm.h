#pragma once

// Branch training away from the search's thread, for a search whose other processes train its branches (MPI ranks:
// app/cli/cluster.h). The search hands over the branches its queued candidates lack, then waits only for those of the
// candidate it evaluates next; the farm puts them in the experiment (Experiment::addTrainedBranch or trainAhead), so
// evaluating finds them trained. A branch's training is seeded from the branch itself, so who trains it changes
// nothing in the result.

#include "model/architecture.h"

#include <functional>
#include <vector>

namespace earlybird {

class BranchFarm {
public:
    virtual ~BranchFarm() = default;
    // Queues the branches for training, in this order; those queued or trained before are skipped. The work is handed
    // out by the next await().
    virtual void submit(const std::vector<ExitSpec>& branches) = 0;
    // Hands out queued work and returns once every one of `branches` (each submitted before; none: at once) is in the
    // experiment. Throws CancelledError as soon as `stop` returns true (it is asked several times a second).
    virtual void await(const std::vector<ExitSpec>& branches, const std::function<bool()>& stop) = 0;
};

} // namespace earlybird
