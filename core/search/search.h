#pragma once

// The search loop: NSGA-II over early-exit architectures on one Experiment. Its settings are in searchconfig.h, what
// it records in candidaterecord.h, selection and variation in nsga2.h, what it saves in sessionfile.h, what it
// tells its listener in searchevents.h; the branches it composes are pooled in branchpool.h, and screening is in
// screener.h.

#include "experiment/experiment.h"
#include "search/candidaterecord.h"
#include "search/screener.h"
#include "search/searchconfig.h"
#include "search/searchevents.h"
#include "search/sessionfile.h"
#include "search/thresholdfront.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace earlybird {

class BranchFarm;

// Where a run's time went, in seconds. Backbone, features and branches as the experiment reports them (a cached
// backbone costs nothing), branches including the wait for a farm's (setBranchFarm); tuning covers thresholds and
// trade-off curves; saving, the session file.
struct SearchTimes {
    double data = 0;
    double backbone = 0;
    double features = 0;
    double branches = 0;
    double screening = 0; // multi-fidelity screening, its short trainings included
    double tuning = 0;
    double saving = 0;
    double elapsed = 0; // the session's, every run included
};

// "backbone 170 s, features 12 s, branch training 332 s, ...": where a run's time went, for logs and the window.
std::string describeTimes(const SearchTimes& times);

// NSGA-II over early-exit architectures, on one Experiment. Each candidate's branches are trained once (memoised),
// its thresholds tuned on validation, and its test figures recorded. The session is saved in `sessionFolder`
// (sessionfile.h) atomically after every candidate, so a search killed at any moment resumes losing at most the
// candidate in flight. Seeded: the same seed, thread count and data give the same search.
class Search {
public:
    // A new search; `sessionFolder` is created. Throws ConfigError for an impossible configuration or a folder that
    // already holds a session, or another process's search that is preparing one there. The search holds the
    // session's lock (sessionlock.h) for as long as it lives.
    Search(SearchConfig config, std::string sessionFolder);
    // Resumes the session in `sessionFolder`. Throws DataError for a missing or corrupt session file, ConfigError
    // naming the writer when another process is writing the session.
    static std::unique_ptr<Search> resume(const std::string& sessionFolder);
    ~Search();
    Search(const Search&) = delete;
    Search& operator=(const Search&) = delete;

    void setListener(SearchListener listener);
    // Has the farm train branches ahead of the candidates that use them (search/branchfarm.h): before each candidate,
    // the branches the queued candidates lack go to the farm, and the search waits only for the next one's. The
    // search's result is the same as without a farm. Null (the default): branches are trained as candidates need them.
    void setBranchFarm(BranchFarm* farm);

    // Loads data, trains (or loads) the backbone and caches features. Throws ConfigError if a resumed session's data
    // set or backbone is not what the session was run on.
    void prepare(CancelFlag cancel = nullptr);
    // Evaluates the next candidate (ending a generation first, if one is complete). False when the search is done.
    bool step(CancelFlag cancel = nullptr);
    // Steps until done or stopped; waits while `pause` is set. `betweenSteps`, if given, is called on this thread
    // before every step and every few milliseconds while paused (a GUI worker serves its requests there).
    // Cancelling mid-candidate loses only that candidate.
    void run(CancelFlag stop = nullptr, const std::atomic<bool>* pause = nullptr,
        const std::function<void()>& betweenSteps = {});

    // Sets the time budget (seconds of the session, every run included). A session that ended because its budget was
    // spent goes on when given more; one whose space is exhausted stays finished.
    void setTimeBudget(double seconds);

    // Stops this session's clock until the next run(): the time a prepared search is kept idle (a family running its
    // other members) is not its own.
    void holdClock();

    bool isPrepared() const;
    bool isFinished() const;
    const SearchConfig& config() const;
    const std::string& sessionFolder() const;
    const std::vector<CandidateRecord>& archive() const;
    // The ids of the candidates whose tuned points are on the validation front, by cost.
    std::vector<int> front() const;
    // The session's front: the non-dominated points over every candidate's threshold settings (thresholdfront.h).
    const std::vector<FrontPoint>& thresholdFront() const;
    // The hypervolume of the threshold front, with the reference of searchconfig.h.
    double hypervolume(bool onTest = false) const;
    // The hypervolume of the candidates' tuned points alone (the figure before threshold fronts).
    double candidateHypervolume(bool onTest = false) const;
    // The hypervolumes at the end of each generation so far.
    const std::vector<HypervolumeRecord>& hypervolumeHistory() const;
    // Where this run's time went.
    SearchTimes times() const;
    ScreeningCounts screening() const;
    double backboneMacs() const;
    // The backbone alone in the search's cost model (MACs, microseconds or parameters per sample).
    double backboneCost() const;
    // Seconds spent in every run of this session, this one included.
    double elapsedSeconds() const;
    Experiment& experiment();

private:
    struct Impl;
    explicit Search(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace earlybird
