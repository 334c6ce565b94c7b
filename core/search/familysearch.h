#pragma once

// The joint search over backbone and exits: a family of backbones (model/backbonefamily.h), each trained once like
// any backbone, and the exits searched on each by an ordinary Search whose session is a folder of its own. Within one
// backbone the composer stays exact; this level decides which backbones deserve the search's time. Every member first
// gets its backbone and an even share of the exploration time; the rest goes, in rounds, to the members in proportion
// to what each adds to the joint front (its hypervolume contribution) and what it could still add (its headroom). The
// front is over (backbone, exits, thresholds), its costs and hypervolume measured against the base backbone's.

#include "base/progress.h"
#include "experiment/supernetrun.h"
#include "model/backbonefamily.h"
#include "search/searchconfig.h"
#include "search/searchevents.h"
#include "search/thresholdfront.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace earlybird {

// Where a family's backbones get their weights: each trained on its own, or all taken out of one weight-shared
// supernet trained once (experiment/supernetrun.h), whose training the budget is charged once.
enum class FamilyWeights { Separate, Supernet };
const EnumNames<FamilyWeights>& enumNames(FamilyWeights); // "separate", "supernet"

struct FamilySearchConfig {
    // Data, the base backbone (experiment.backbone), space, cost model, target (a fraction is of the base's cost) and
    // time budget (timeBudgetSeconds: the whole family's, every backbone's training included).
    SearchConfig search;
    std::vector<BackboneGenes> members; // the base's own genes among them, usually
    double exploreShare = 0.4; // of the time after the backbones, split evenly between the members
    int rounds = 3; // the rest, in this many rounds, each split by hypervolume contribution and headroom
    // A backbone found in the cache is charged the seconds its training took when it was trained, so that a family
    // run on cached backbones is compared as if it had trained them (fair against a search that trains one).
    bool chargeCachedBackbones = true;
    FamilyWeights weights = FamilyWeights::Separate;
    // With FamilyWeights::Supernet: how the supernet is trained (its experiment and members are the family's).
    int supernetLargestEpochs = 2;
    int supernetRandomSubnets = 2;
    int supernetCalibrationImages = 2000;
};

// Throws ConfigError for an impossible configuration (no members, a latency cost model, no time budget, ...).
void validateFamilySearchConfig(const FamilySearchConfig& config);

struct FamilyMember {
    BackboneGenes genes;
    std::string label; // genesLabel(genes)
    std::string folder; // its session folder, relative to the family's
    bool started = false; // its backbone is trained and its session exists
    bool excluded = false; // it cannot reach the target (the reason is in the family's log)
    double backboneSeconds = 0; // its backbone's training (here, or when the cache's copy was trained)
    double backboneCharged = 0; // what its backbone cost the budget (0 for a cached one not charged)
    double searchSeconds = 0; // its slices of search (preparing again included)
    // Of searchSeconds, loading its data, backbone and features at each slice it was not kept prepared for
    // (search/keptmembers.h: within a run, members stay prepared while their features fit in memory).
    double prepareSeconds = 0;
    int slices = 0;
    double backboneMacs = 0;
    double backboneCost = 0; // in the cost model
    double backboneValidationAccuracy = 0;
    double backboneTestAccuracy = 0;
    std::string weightsPath; // taken out of the supernet (FamilyWeights::Supernet), once it is trained; else empty
    int candidates = 0;
    std::vector<FrontPoint> front; // its session's threshold front
};

// A point of the joint front: a member's front point.
struct FamilyPoint {
    int member = 0;
    FrontPoint point;
};

// What a family session folder holds (family.json), read without running anything.
struct FamilySession {
    FamilySearchConfig config;
    std::vector<FamilyMember> members;
    double baseCost = 0; // the base backbone's, in the cost model: the reference of costs and hypervolumes
    double target = 0; // absolute, in the cost model
    double elapsedSeconds = 0; // charged so far
    // FamilyWeights::Supernet: its training, when it was trained, and what it cost the budget (0 until it is there).
    bool supernetReady = false;
    double supernetSeconds = 0;
    double supernetCharged = 0;
    int round = 0; // exploitation rounds done
    bool finished = false;
    std::vector<std::string> log; // what was decided, and why

    // The non-dominated points over every member's front (validation), by cost.
    std::vector<FamilyPoint> front() const;
    // Of front(), with every Earlybird figure's reference (accuracy 0, 1.25 x the base's cost).
    double hypervolume(bool onTest) const;
    // What each member adds: the joint hypervolume less the hypervolume without it (validation).
    std::vector<double> contributions() const;
    // What each started member could still add: the joint hypervolume gained if its exits reached its backbone's
    // validation accuracy at half its backbone's cost (early exits reach about that; 0 for members not started).
    std::vector<double> headroom() const;
};

std::string familyFilePath(const std::string& folder);
bool hasFamily(const std::string& folder);
// Throws DataError naming the file for a missing, corrupt or foreign file.
FamilySession loadFamily(const std::string& folder);
// Writes family.json atomically.
void saveFamily(const FamilySession& session, const std::string& folder);

// The supernet a family with FamilyWeights::Supernet takes its members from: its data, base and training, its members.
SupernetConfig familySupernetConfig(const FamilySearchConfig& config);

class Search;

class FamilySearch {
public:
    // A new family search in `folder` (created). Throws ConfigError for an impossible configuration or a folder that
    // holds a session already.
    FamilySearch(FamilySearchConfig config, std::string folder);
    // Continues the family in `folder`.
    static std::unique_ptr<FamilySearch> resume(const std::string& folder);
    ~FamilySearch();

    // Lines for a log ("[w0.5 d1.1.1] candidate 12 ..."), from this level and from the members' searches.
    void setLog(std::function<void(const std::string&)> log);
    // For a window that follows the member being searched: `slice` is called with a member's index (in
    // session().members) and its Search once the search is prepared for a slice, before it runs, and with nullptr once
    // the slice has ended (the Search is gone then); `events` gets that member's search events as they come, from its
    // preparing (its backbone's training) on, log lines included (they reach setLog's function too, labelled), and
    // with member -1 the supernet's training (TrainingEvent, phase Preparing). Both are called on run()'s thread.
    void setMemberListener(std::function<void(int member, Search* search)> slice,
        std::function<void(int member, const SearchEvent& event)> events);
    // Runs until the budget is spent or `stop` is set; resumable after either. `pause` and `betweenSteps` go to every
    // member's Search::run (a paused family spends its budget as a paused search does). Throws like Search.
    void run(CancelFlag stop = nullptr, const std::atomic<bool>* pause = nullptr,
        const std::function<void()>& betweenSteps = {});

    const FamilySession& session() const;
    const std::string& folder() const;

private:
    struct Impl;
    explicit FamilySearch(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace earlybird
