#include "search/familysearch.h"

#include "base/error.h"
#include "base/fileio.h"
#include "model/networkcost.h"
#include "search/keptmembers.h"
#include "search/search.h"
#include "search/sessionfile.h"
#include "search/sessionjson.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>

namespace earlybird {

namespace {

using Json = nlohmann::ordered_json;

using Clock = std::chrono::steady_clock;

// A member's share of a round below this fraction is not worth resuming it for (data, backbone and features are
// loaded again unless it was kept prepared): it goes to the others.
constexpr double kMinRoundShare = 0.1;

double analyticCost(CostModel model, const BackboneSpec& backbone)
{
    const NetworkCost cost = countNetworkCost(Architecture { backbone, ConfidenceMeasure::ScoreMargin, {} });
    return model == CostModel::Macs ? double(cost.backboneMacs) : double(cost.backboneParameters);
}

std::string format(const char* pattern, double a, double b = 0, double c = 0)
{
    char text[256];
    std::snprintf(text, sizeof text, pattern, a, b, c);
    return text;
}

} // namespace

struct FamilySearch::Impl {
    FamilySession s;
    std::string folder;
    std::function<void(const std::string&)> log;
    std::function<void(int, Search*)> sliceListener;
    std::function<void(int, const SearchEvent&)> eventListener;
    const std::atomic<bool>* pause = nullptr; // of the run in progress
    std::function<void()> betweenSteps;
    KeptMembers kept; // within the run in progress

    void note(const std::string& line)
    {
        s.log.push_back(line);
        if (log)
            log(line);
    }

    void save() { saveFamily(s, folder); }

    double remaining() const { return s.config.search.timeBudgetSeconds - s.elapsedSeconds; }

    SearchConfig memberConfig(const FamilyMember& m) const
    {
        SearchConfig config = s.config.search;
        config.experiment.backbone = familyMember(s.config.search.experiment.backbone, m.genes);
        config.target = s.target;
        config.targetFraction = 0;
        config.timeBudgetSeconds = 1; // set before every slice
        if (!m.weightsPath.empty()) {
            config.experiment.backboneWeights = m.weightsPath;
            resolveImportedBackbone(config.experiment);
        }
        return config;
    }

    // A member whose cheapest network is dearer than the target can only lose: left out before it is trained.
    bool reachesTarget(FamilyMember& m)
    {
        const SearchConfig config = memberConfig(m);
        const SearchSpace space({ config.experiment.backbone }, config.space);
        const std::optional<CheapestNetwork> cheapest = cheapestNetwork(space, config.costModel, config.convention);
        if (!cheapest || cheapest->cost <= s.target || config.mode != TargetMode::Budget)
            return true;
        m.excluded = true;
        note("[" + m.label + "] left out: its cheapest network costs "
            + format("%.2fx the base's, over the target (%.2fx)", cheapest->cost / s.baseCost, s.target / s.baseCost));
        return false;
    }

    // Seconds its backbone's first training took, from the cache folder's record (0 if none is there).
    double recordedTrainingSeconds(const std::string& backboneKey) const
    {
        const std::string cache = s.config.search.experiment.cacheDirectory;
        const std::string path = cache + "/" + backboneKey + "/backbone.json";
        if (cache.empty() || !fileExists(path))
            return 0;
        try {
            const std::vector<std::uint8_t> bytes = readFileBytes(path);
            return Json::parse(bytes.begin(), bytes.end()).value("train_seconds", 0.0);
        } catch (const std::exception&) {
            return 0;
        }
    }

    // Runs member `index` for `searchSeconds()` of search, reckoned after preparing it (which trains its backbone the
    // first time).
    void slice(int index, const std::function<double()>& searchSeconds, CancelFlag stop)
    {
        if (stop && stop->load())
            throw CancelledError(); // as preparing would: a stopped family starts no slice
        FamilyMember& m = s.members[std::size_t(index)];
        const std::string path = folder + "/" + m.folder;
        const auto start = Clock::now();
        std::unique_ptr<Search> search = kept.take(index);
        const bool wasKept = search != nullptr;
        if (!search) {
            kept.makeRoomFor(index, s.config.search.experiment.featureCacheBytes);
            search = m.started ? Search::resume(path) : std::make_unique<Search>(memberConfig(m), path);
        }
        const std::string prefix = "[" + m.label + "] ";
        search->setListener([this, prefix, index](const SearchEvent& event) {
            if (const auto* line = std::get_if<LogEvent>(&event); line && log)
                log(prefix + line->message);
            if (eventListener)
                eventListener(index, event);
        });
        double charged = 0;
        double trainedHere = 0;
        try {
            if (!wasKept)
                search->prepare(stop);
        } catch (const CancelledError&) {
            s.elapsedSeconds += std::chrono::duration<double>(Clock::now() - start).count();
            save();
            throw;
        }
        const ExperimentReport& report = search->experiment().report();
        const double prepared = std::chrono::duration<double>(Clock::now() - start).count()
            - (report.backboneFromCache || wasKept ? 0.0 : report.backboneTrainSeconds);
        const int candidatesBefore = int(search->archive().size());
        if (!m.started) {
            trainedHere = report.backboneFromCache ? 0.0 : report.backboneTrainSeconds;
            m.backboneSeconds = report.backboneFromCache ? recordedTrainingSeconds(report.backboneKey) : trainedHere;
            if (report.backboneFromCache && s.config.chargeCachedBackbones)
                charged += m.backboneSeconds;
            m.backboneCharged = report.backboneFromCache ? charged : trainedHere;
            m.started = true;
            m.backboneMacs = search->backboneMacs();
            m.backboneCost = search->backboneCost();
            m.backboneValidationAccuracy = report.backboneValidationAccuracy;
            m.backboneTestAccuracy = report.backboneTestAccuracy;
            note(prefix
                + format("backbone: %.2f%% test accuracy, %.2fx the base's cost, %.0f s of training",
                    100 * m.backboneTestAccuracy, m.backboneCost / s.baseCost, m.backboneSeconds)
                + (report.backboneFromCache ? std::string(" (from the cache)") : std::string()));
        }
        // The time so far (and a cached backbone's charge) counts before the slice is reckoned.
        const double preparedWall = std::chrono::duration<double>(Clock::now() - start).count();
        s.elapsedSeconds += charged + preparedWall;
        const double seconds = searchSeconds();
        if (seconds > 0) {
            search->setTimeBudget(search->elapsedSeconds() + seconds);
            // The listener lets go of the search however the slice ends.
            struct SliceShown {
                const std::function<void(int, Search*)>& listener;
                int index;
                ~SliceShown()
                {
                    if (listener)
                        listener(index, nullptr);
                }
            } shown { sliceListener, index };
            if (sliceListener)
                sliceListener(index, search.get());
            search->run(stop, pause, betweenSteps);
            m.slices += 1;
        }
        const double wall = std::chrono::duration<double>(Clock::now() - start).count();
        m.searchSeconds += wall - trainedHere;
        m.prepareSeconds += prepared;
        m.front = search->thresholdFront();
        m.candidates = int(search->archive().size());
        if (seconds > 0)
            note(prefix + "slice " + std::to_string(m.slices)
                + (wasKept ? format(": kept prepared, searched %.0f s", wall - trainedHere - prepared)
                           : format(": prepared in %.0f s, searched %.0f s", prepared, wall - trainedHere - prepared))
                + ", " + std::to_string(m.candidates - candidatesBefore) + " candidates, its front "
                + std::to_string(m.front.size()) + " points");
        s.elapsedSeconds += wall - preparedWall;
        save();
        if (!(stop && stop->load()))
            kept.keep(index, std::move(search));
    }

    // With FamilyWeights::Supernet, before any member is prepared: the supernet trained (or found in the cache), its
    // training charged once, and every member's weights taken out of it.
    void prepareSupernetOnce(CancelFlag stop)
    {
        if (s.config.weights != FamilyWeights::Supernet || s.supernetReady)
            return;
        const auto start = Clock::now();
        SupernetReport report;
        try {
            ProgressCallback progress;
            if (eventListener)
                progress = [this](const TrainingProgress& training) {
                    SearchProgress p;
                    p.phase = SearchPhase::Preparing;
                    p.training = training;
                    p.elapsedSeconds = s.elapsedSeconds;
                    eventListener(-1, TrainingEvent { p });
                };
            report = prepareSupernet(familySupernetConfig(s.config), progress, stop);
        } catch (const CancelledError&) {
            // The time it took is spent: charged now. Resumed, its training goes on after its last whole epoch, and
            // only the time from there is charged again.
            s.elapsedSeconds += std::chrono::duration<double>(Clock::now() - start).count();
            save();
            throw;
        }
        const double wall = std::chrono::duration<double>(Clock::now() - start).count();
        s.supernetSeconds = report.trainSeconds;
        // Here: its training (unless cached) and taking the members out; a cached one charged as it trained, if so set.
        s.supernetCharged = wall + (report.fromCache && s.config.chargeCachedBackbones ? report.trainSeconds : 0.0);
        s.elapsedSeconds += s.supernetCharged;
        for (FamilyMember& m : s.members)
            for (const SupernetMemberWeights& w : report.members)
                if (w.genes == m.genes)
                    m.weightsPath = w.weightsPath;
        s.supernetReady = true;
        std::string accuracies;
        for (const SupernetMemberWeights& w : report.members)
            accuracies += (accuracies.empty() ? "" : ", ") + w.label + format(" %.2f%%", 100 * w.testAccuracy);
        note("supernet " + genesLabel(report.largest) + format(": %.0f s of training", report.trainSeconds)
            + (report.fromCache ? std::string(" (from the cache)") : std::string())
            + format(", %.0f s charged; its members' test accuracy: ", s.supernetCharged) + accuracies);
        save();
    }

    // Seconds member `m`'s backbone takes to train, estimated from those trained so far per MAC (0 before the first).
    double trainingEstimate(const FamilyMember& m) const
    {
        double seconds = 0, macs = 0;
        for (const FamilyMember& other : s.members)
            if (other.started && other.backboneSeconds > 0) {
                seconds += other.backboneSeconds;
                macs += other.backboneMacs;
            }
        return macs > 0 ? seconds / macs * m.backboneMacs : 0;
    }

    // What member `m`'s backbone costs the budget: what it was charged, or for one not prepared yet, its estimated
    // training when cached backbones are charged (when they are not, the cache is expected to hold it: nothing).
    double backboneCharge(const FamilyMember& m) const
    {
        if (m.excluded)
            return 0;
        if (m.started)
            return m.backboneCharged;
        return s.config.chargeCachedBackbones ? trainingEstimate(m) : 0;
    }

    void explore(CancelFlag stop)
    {
        const double budget = s.config.search.timeBudgetSeconds;
        // Members that cannot reach the target are known from their shapes alone: left out before any share is
        // reckoned, so that no time is kept for training them.
        for (FamilyMember& m : s.members)
            if (!m.started && !m.excluded && !reachesTarget(m))
                save();
        for (int i = 0; i < int(s.members.size()); ++i) {
            FamilyMember& m = s.members[std::size_t(i)];
            if (m.excluded || m.slices > 0)
                continue;
            const int members = int(std::count_if(
                s.members.begin(), s.members.end(), [](const FamilyMember& other) { return !other.excluded; }));
            // A member whose training would leave it less than its share of the search is left out untrained.
            if (!m.started && s.config.chargeCachedBackbones) {
                double backbones = s.supernetCharged;
                for (const FamilyMember& other : s.members)
                    backbones += backboneCharge(other);
                const double estimate = trainingEstimate(m);
                const double searchShare = s.config.exploreShare * (budget - backbones) / std::max(1, members);
                if (estimate > 0 && s.elapsedSeconds + estimate + searchShare > budget) {
                    m.excluded = true;
                    note("[" + m.label + "] left out: its training (about " + format("%.0f s", estimate)
                        + ") would not leave the budget time to search it");
                    save();
                    continue;
                }
            }
            // Its share, reckoned once its backbone is there (its own charge is known then).
            slice(
                i,
                [this, i, budget, members] {
                    double backbones = s.supernetCharged, reserved = 0;
                    for (int o = 0; o < int(s.members.size()); ++o) {
                        const FamilyMember& other = s.members[std::size_t(o)];
                        backbones += backboneCharge(other);
                        if (o != i && !other.started)
                            reserved += backboneCharge(other);
                    }
                    const double share = s.config.exploreShare * (budget - backbones) / std::max(1, members);
                    return std::max(0.0, std::min(share, remaining() - reserved));
                },
                stop);
            if (stop && stop->load())
                return;
        }
    }

    void exploit(CancelFlag stop)
    {
        while (s.round < s.config.rounds && remaining() > 0) {
            const double roundSeconds = remaining() / (s.config.rounds - s.round);
            // What each adds to the joint front, and what it could still add: a member whose exits are not searched
            // enough to show what its backbone can do keeps a share (by contribution alone, the first round's leader
            // took every later round, and the most accurate backbone was never searched).
            std::vector<double> weights = s.contributions();
            const std::vector<double> headroom = s.headroom();
            for (std::size_t m = 0; m < weights.size(); ++m)
                weights[m] += headroom[m];
            for (std::size_t m = 0; m < weights.size(); ++m)
                if (s.members[m].excluded || !s.members[m].started)
                    weights[m] = 0;
            double total = std::accumulate(weights.begin(), weights.end(), 0.0);
            if (total <= 0) { // nothing on the front yet: an even split
                for (std::size_t m = 0; m < weights.size(); ++m)
                    weights[m] = s.members[m].started && !s.members[m].excluded ? 1 : 0;
                total = std::accumulate(weights.begin(), weights.end(), 0.0);
            }
            if (total <= 0)
                break;
            for (double& w : weights)
                w = w / total >= kMinRoundShare ? w : 0;
            total = std::accumulate(weights.begin(), weights.end(), 0.0);
            std::string plan = "round " + std::to_string(s.round + 1) + format(" (%.0f s):", roundSeconds);
            for (std::size_t m = 0; m < weights.size(); ++m)
                if (weights[m] > 0)
                    plan += " " + s.members[m].label + format(" %.0f%%", 100 * weights[m] / total);
            note(plan + " (shares by hypervolume contribution and headroom)");
            // Members kept prepared go first: the ones prepared again then stay for the next round.
            std::vector<std::size_t> order(weights.size());
            std::iota(order.begin(), order.end(), std::size_t(0));
            std::stable_partition(order.begin(), order.end(), [this](std::size_t m) { return kept.holds(int(m)); });
            for (const std::size_t m : order) {
                if (weights[m] <= 0)
                    continue;
                const double seconds = roundSeconds * weights[m] / total;
                slice(
                    int(m), [this, seconds] { return std::max(0.0, std::min(seconds, remaining())); }, stop);
                if (stop && stop->load())
                    return;
            }
            s.round += 1;
            save();
        }
    }
};

FamilySearch::FamilySearch(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}

FamilySearch::FamilySearch(FamilySearchConfig config, std::string folder)
    : m_impl(std::make_unique<Impl>())
{
    validateFamilySearchConfig(config);
    Impl& d = *m_impl;
    if (hasFamily(folder) || hasSession(folder))
        throw ConfigError(folder + " holds a session already: continue it with --resume, or choose another folder");
    std::filesystem::create_directories(folder);
    d.folder = std::move(folder);
    const BackboneSpec& base = config.search.experiment.backbone;
    d.s.baseCost = analyticCost(config.search.costModel, base);
    d.s.target = config.search.targetFraction > 0 ? config.search.targetFraction * d.s.baseCost : config.search.target;
    for (std::size_t i = 0; i < config.members.size(); ++i) {
        FamilyMember m;
        m.genes = config.members[i];
        m.label = genesLabel(m.genes);
        m.folder = "member" + std::to_string(i);
        m.backboneMacs = analyticCost(CostModel::Macs, familyMember(base, m.genes));
        m.backboneCost = analyticCost(config.search.costModel, familyMember(base, m.genes));
        d.s.members.push_back(std::move(m));
    }
    // Cheapest first: their training times estimate the dearer ones'.
    std::stable_sort(d.s.members.begin(), d.s.members.end(),
        [](const FamilyMember& a, const FamilyMember& b) { return a.backboneMacs < b.backboneMacs; });
    config.members.clear();
    for (std::size_t i = 0; i < d.s.members.size(); ++i) {
        d.s.members[i].folder = "member" + std::to_string(i);
        config.members.push_back(d.s.members[i].genes);
    }
    d.s.config = std::move(config);
    d.save();
}

std::unique_ptr<FamilySearch> FamilySearch::resume(const std::string& folder)
{
    auto impl = std::make_unique<Impl>();
    impl->s = loadFamily(folder);
    impl->folder = folder;
    return std::unique_ptr<FamilySearch>(new FamilySearch(std::move(impl)));
}

FamilySearch::~FamilySearch() = default;

void FamilySearch::setLog(std::function<void(const std::string&)> log)
{
    m_impl->log = std::move(log);
}

void FamilySearch::setMemberListener(std::function<void(int member, Search* search)> slice,
    std::function<void(int member, const SearchEvent& event)> events)
{
    m_impl->sliceListener = std::move(slice);
    m_impl->eventListener = std::move(events);
}

void FamilySearch::run(CancelFlag stop, const std::atomic<bool>* pause, const std::function<void()>& betweenSteps)
{
    Impl& d = *m_impl;
    if (d.s.finished)
        return;
    d.pause = pause;
    d.betweenSteps = betweenSteps;
    // Members stay prepared within this run only: their sessions are let go (and their memory) however it ends.
    struct LetGo {
        KeptMembers& kept;
        ~LetGo() { kept.clear(); }
    } letGo { d.kept };
    const auto stopped = [&] { return stop && stop->load(); };
    try {
        d.prepareSupernetOnce(stop);
        d.explore(stop);
        if (!stopped())
            d.exploit(stop);
    } catch (const CancelledError&) {
        if (!stopped())
            throw;
    }
    if (stopped())
        return; // everything done so far is saved: the member sessions after every candidate, the family after each
                // slice
    d.s.finished = true;
    d.note(format("done: %.0f s charged of %.0f s; ", d.s.elapsedSeconds, d.s.config.search.timeBudgetSeconds)
        + format(
            "joint front hypervolume %.4f (validation), %.4f (test)", d.s.hypervolume(false), d.s.hypervolume(true)));
    d.save();
}

const FamilySession& FamilySearch::session() const
{
    return m_impl->s;
}

const std::string& FamilySearch::folder() const
{
    return m_impl->folder;
}

} // namespace earlybird
