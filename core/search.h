#pragma once

#include "costmodel.h"
#include "experiment.h"
#include "paretofront.h"
#include "searchspace.h"

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace earlybird {

// How the target cost (average MACs by default; see CostModel) enters the search.
// Budget: thresholds are tuned for the best validation accuracy within the target, and candidates over it lose to
// every candidate within it (constrained domination); objectives are validation accuracy and average cost.
// Aebnas: the AEBNAS paper's formulation, for comparison: thresholds tuned on a grid for accuracy% - 0.1 * MAPE, and
// objectives f1 = error% + 0.1 * MAPE and f2 = MAPE, MAPE = |average cost - target| / target * 100.
enum class TargetMode { Budget, Aebnas };
std::string targetModeName(TargetMode mode);
TargetMode targetModeFromName(const std::string& name);

// The reference point of every hypervolume Earlybird reports: accuracy 0 and 1.25 times the backbone's cost (cost is
// normalised by the backbone's, in the search's cost model), so the backbone alone scores a quarter of its accuracy and
// every cheaper candidate adds to a front's score.
constexpr double kHypervolumeReferenceAccuracy = 0.0;
constexpr double kHypervolumeReferenceCost = 1.25;

struct SearchConfig {
    std::string name = "search"; // "search", or the baseline's name
    ExperimentConfig experiment;
    SearchSpaceOptions space;
    CostModel costModel = CostModel::Macs;
    double target = 0; // average cost to aim for, in the cost model's unit (MACs, microseconds or parameters)
    // If positive, the target is this fraction of the backbone's cost, set when the search is prepared (a latency is
    // only known once measured on this machine).
    double targetFraction = 0;
    TargetMode mode = TargetMode::Budget;
    CostConvention convention = CostConvention::AllEvaluatedBranches;
    int population = 16;
    int generations = 0; // 0: no limit (stop at the time budget)
    double timeBudgetSeconds = 600; // 0: no limit (stop after the generations); includes backbone training
    double crossoverProbability = 0.9;
    double mutationRate = 0; // per gene; 0: two genes of the genome on average
    double aebnasLambda = 0.1;
    double aebnasGridStep = 0.1;
    std::int64_t aebnasMaxCombinations = 20000;
    bool randomOnly = false; // evaluate random samples instead of evolving (a baseline)
    // Candidates with an exit branch dearer than this fraction of the backbone's MACs are never proposed: such a branch
    // cannot pay for itself under any useful target, and training it costs the most (a width-2 5x5 convolution on the
    // first feature map costs twice the whole Fashion-MNIST backbone). 0: no limit (the baselines, as published).
    double maxBranchMacsFraction = 0.25;
    // Candidates with more parameters in all (backbone and every branch: the model's size) are never proposed.
    // 0: no limit.
    std::int64_t maxParameters = 0;
};

// One evaluated candidate with its tuned thresholds and its figures on both splits.
struct CandidateRecord {
    int id = 0;
    int generation = 0;
    Genome genome;
    Architecture architecture; // thresholds as tuned on validation
    std::vector<double> exitCosts; // what a sample leaving at each exit costs, in the search's cost model
    std::int64_t parameters = 0; // backbone and every branch
    PolicyResult validation;
    PolicyResult test;
    double seconds = 0; // to train its new branches, evaluate and tune
    int branchesTrained = 0;
};

struct SearchProgress {
    std::string phase; // "preparing", "searching", "finished"
    TrainingProgress training; // while preparing or training a branch
    int evaluated = 0;
    int generation = 0;
    double elapsedSeconds = 0;
    double etaSeconds = 0; // 0 if unknown
    double candidatesPerMinute = 0;
    double fraction = 0; // of the whole search, when a budget or generation count bounds it
};

struct SearchEvent {
    enum class Type { Progress, CandidateEvaluated, FrontChanged, GenerationDone, Log, Finished };
    Type type = Type::Progress;
    SearchProgress progress;
    CandidateRecord candidate; // CandidateEvaluated
    std::vector<int> front; // FrontChanged: ids, by cost
    double hypervolume = 0; // FrontChanged, GenerationDone: on validation
    std::string message; // Log
};
using SearchListener = std::function<void(const SearchEvent&)>;

// NSGA-II over early-exit architectures, on one Experiment. Each candidate's branches are trained once (memoised),
// its thresholds tuned on validation, and its test figures recorded. The state is saved to `sessionFolder/session.json`
// atomically after every candidate, so a search killed at any moment resumes losing at most the candidate in flight.
// Seeded: the same seed, thread count and data give the same search.
class Search {
public:
    // A new search; `sessionFolder` is created. Throws ConfigError for an impossible configuration or a folder that
    // already holds a session.
    Search(SearchConfig config, std::string sessionFolder);
    // Resumes the session in `sessionFolder`. Throws DataError for a missing or corrupt session file.
    static std::unique_ptr<Search> resume(const std::string& sessionFolder);
    ~Search();
    Search(const Search&) = delete;
    Search& operator=(const Search&) = delete;

    void setListener(SearchListener listener);

    // Loads data, trains (or loads) the backbone and caches features. Throws ConfigError if a resumed session's data
    // set or backbone is not what the session was run on.
    void prepare(CancelFlag cancel = nullptr);
    // Evaluates the next candidate (ending a generation first, if one is complete). False when the search is done.
    bool step(CancelFlag cancel = nullptr);
    // Steps until done or stopped; waits while `pause` is set. Cancelling mid-candidate loses only that candidate.
    void run(CancelFlag stop = nullptr, const std::atomic<bool>* pause = nullptr);

    bool isPrepared() const;
    bool isFinished() const;
    const SearchConfig& config() const;
    const std::string& sessionFolder() const;
    const std::vector<CandidateRecord>& archive() const;
    std::vector<int> front() const; // ids on the validation front, by cost
    double hypervolume(bool onTest = false) const;
    double backboneMacs() const;
    // The backbone alone in the search's cost model (MACs, microseconds or parameters per sample).
    double backboneCost() const;
    Experiment& experiment();
    // The whole session as saved.
    nlohmann::ordered_json sessionJson() const;

private:
    struct Impl;
    explicit Search(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The search space and settings of the comparison baselines, run by the same engine on the same data:
// "backbone": the backbone alone, evaluated once;
// "edanas": a fixed branch (one 3x3 convolution, width x1) at stage ends, thresholds on a 0.1 grid (the AEBNAS rule);
// "aebnas-paper": the stage-end positions (at most four), 1-2 3x3 convolutions per branch, grid-tuned thresholds.
// Stage ends are the block boundaries before each downsampling block, plus the one before the last block.
SearchConfig baselineConfig(const SearchConfig& base, const std::string& baseline);
std::vector<int> stageEndPositions(const BackboneSpec& backbone);

} // namespace earlybird
