#pragma once

// Branch training away from the search's thread, for a search whose other processes train its branches (MPI ranks:
// app/cli/cluster.h). The search hands over the branches its queued candidates lack, then waits only for those of the
// candidate it evaluates next; the farm puts them in the experiment (Experiment::addTrainedBranch or trainAhead), so
// evaluating finds them trained. A branch's training is seeded from the branch itself, so who trains it changes
// nothing in the result.

#include "base/progress.h"
#include "experiment/experiment.h"
#include "model/branchid.h"

#include <functional>
#include <vector>

namespace earlybird {

class BranchFarm {
public:
    virtual ~BranchFarm() = default;
    // Queues the branches for training, in this order; those queued or trained before are skipped. The work is handed
    // out by the next await().
    virtual void submit(const std::vector<BranchId>& branches) = 0;
    // Hands out queued work and returns once every one of `branches` (each submitted before; none: at once) is in the
    // experiment. Throws CancelledError as soon as `stop` returns true (it is asked several times a second).
    virtual void await(const std::vector<BranchId>& branches, const std::function<bool()>& stop) = 0;
};

// Schedules `farm` ahead of a search: hands it the branches the queued candidates (`queued`, in order) lack that
// `experiment` has not trained, the next candidate's first, then waits for the next candidate's (which also lets the
// farm hand out work and read results when nothing is new). Returns the seconds waited beyond training branches here.
// Throws CancelledError as soon as `stop` returns true.
double trainAhead(BranchFarm& farm, Experiment& experiment, const std::vector<Architecture>& queued,
    const std::function<bool()>& stop);

} // namespace earlybird
