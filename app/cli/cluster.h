#pragma once

// Branch training over MPI: `mpirun -np N earlybird-cli search ...`. Rank 0 runs the search and writes the session
// and the cache; every other rank is a worker that builds the backbone's features once (from the data and the trained
// backbone in the shared cache folder) and then trains the branches rank 0 sends it, sending back their weights and
// per-sample outputs. Rank 0 trains the branches its next candidate lacks itself (it would only wait otherwise).
// A worker that dies (mpirun --enable-recovery keeps the others running) or goes silent loses only its jobs: rank 0
// gives them to another rank and logs it. Without mpirun nothing of this runs. See docs/cluster.md.

#include "search/branchfarm.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace earlybird {
class Search;
}

namespace earlybird::cli {

// This process's place among the ranks of an mpirun; MPI is initialised only when mpirun (or srun) started us.
class Cluster {
public:
    // Initialises MPI when the environment says an MPI launcher started this process; a single rank otherwise.
    // Throws UsageError under mpirun when this earlybird-cli was built without MPI.
    Cluster(int& argc, char**& argv);
    ~Cluster(); // finalises MPI
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    int rank() const { return m_rank; }
    int size() const { return m_size; }

private:
    int m_rank = 0;
    int m_size = 1;
    bool m_initialised = false;
};

// The ranks of the mpirun this process belongs to: 1 without one.
int clusterRanks();

// A worker rank's life: waits for rank 0's search settings, prepares its experiment and trains the branches it is
// sent until rank 0 says the search is over. Returns the process's exit code.
int runWorker(int rank);

// How rank 0 hands out branch training. A worker silent for `silenceSeconds` while it holds jobs is given up.
struct FarmOptions {
    double silenceSeconds = 120;
};

// Rank 0's farm: hands out the branches the search submits to the workers. Tells the workers to stop when destroyed,
// started or not, so that an error on rank 0 before start() ends every rank.
class MpiBranchFarm : public BranchFarm {
public:
    MpiBranchFarm(Search& search, int ranks, FarmOptions options, std::function<void(const std::string&)> log);
    ~MpiBranchFarm() override;

    // Sends the search's settings to every worker, which then prepares: call it once the search is prepared (its
    // backbone trained and in the cache folder, its target set).
    void start();

    void submit(const std::vector<BranchId>& branches) override;
    void await(const std::vector<BranchId>& branches, const std::function<bool()>& stop) override;

    // Branches trained by workers and by rank 0 for the farm, and jobs given to another rank after a worker was lost.
    int workerBranches() const;
    int localBranches() const;
    int requeued() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace earlybird::cli
