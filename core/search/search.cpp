#include "search/search.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/rng.h"
#include "nn/latencytable.h"
#include "search/branchfarm.h"
#include "search/branchpool.h"
#include "search/candidatetuning.h"
#include "search/nsga2.h"
#include "search/outputsledger.h"
#include "search/screener.h"
#include "search/sessionfile.h"
#include "search/sessionlock.h"
#include "search/thresholdfront.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

namespace earlybird {

namespace {

using Clock = std::chrono::steady_clock;

// Offspring the variation operators may propose before a generation is declared exhausted (a small space is).
constexpr int kOffspringAttemptsPerSlot = 60;
// Candidates' time that must pass before a rate (candidates per minute) is reported.
constexpr double kRateMinimumSeconds = 20.0;
// How often a paused run looks at its flags again.
constexpr int kPausePollMilliseconds = 100;

// "0.60x", "0.0010x": a fraction of the backbone's cost as the CLI's targets are written.
std::string formatFraction(double fraction)
{
    char text[32];
    std::snprintf(text, sizeof text, fraction >= 0.01 ? "%.2fx" : "%.2gx", fraction);
    return text;
}

} // namespace

std::string describeTimes(const SearchTimes& t)
{
    char line[400];
    std::snprintf(line, sizeof line,
        "data %.0f s, backbone %.0f s, features %.0f s, branch training %.0f s, screening %.0f s, composition and "
        "tuning %.0f s, saving %.1f s (%.0f s in all)",
        t.data, t.backbone, t.features, t.branches, t.screening, t.tuning, t.saving, t.elapsed);
    return line;
}

const EnumNames<SearchPhase>& enumNames(SearchPhase)
{
    static const EnumNames<SearchPhase> names { "search phase",
        { { SearchPhase::Preparing, "preparing" }, { SearchPhase::Searching, "searching" },
            { SearchPhase::Finished, "finished" }, { SearchPhase::Stopped, "stopped" } } };
    return names;
}

struct Search::Impl {
    std::unique_ptr<SessionLock> lock; // held while this search may write its session
    SearchConfig config;
    std::string folder;
    SearchListener listener;
    std::unique_ptr<Experiment> experiment;
    std::unique_ptr<SearchSpace> space;
    std::string fingerprint; // the experiment's backbone key, checked on resume
    double backboneMacs = 0;
    double backboneCost = 0; // in the cost model
    std::unique_ptr<LatencyTable> latency; // the latency cost model's table for this machine
    std::string machine; // where latencies were measured
    bool prepared = false;
    bool finished = false;

    std::vector<CandidateRecord> archive;
    OutputsLedger outputs; // per-sample outputs of the session's exits: in the store, and for the next save
    std::map<std::string, int> seen; // structure key -> id
    std::vector<int> population; // parents of the next generation
    std::vector<int> offspring; // evaluated members of the current generation
    std::vector<Genome> queue; // proposed members of the current generation not yet evaluated
    int generation = 0;
    Rng rng;
    double elapsedBefore = 0; // seconds spent in earlier runs of this session
    bool deadlinePassed = false; // the candidate in flight was cancelled by the time budget
    Clock::time_point runStart = Clock::now();
    bool clockHeld = false; // holdClock(): no time passes until the next run()
    std::vector<HypervolumeRecord> hypervolumeHistory;
    ThresholdFront thresholdFront; // over every candidate's threshold settings
    BranchPool pool; // every branch trained in this session: what the composer combines
    std::unique_ptr<Screener> screener; // multi-fidelity screening, and the genomes it turned down
    double tuneSeconds = 0; // this run: tuning thresholds and tracing trade-off curves
    double saveSeconds = 0; // this run: writing the session
    BranchFarm* farm = nullptr; // trains branches ahead of their candidates, elsewhere
    double farmWaitSeconds = 0; // this run: waiting for the farm, beyond training branches here

    double elapsed() const
    {
        return elapsedBefore + (clockHeld ? 0.0 : std::chrono::duration<double>(Clock::now() - runStart).count());
    }

    // What selection compares: validation accuracy, cost and budget violation in budget mode; the paper's two
    // objectives (as a point to maximise and one to minimise) in AEBNAS mode.
    ObjectivePoint objective(const CandidateRecord& r) const
    {
        const double cost = r.validation.averageCost / backboneCost;
        if (config.mode == TargetMode::Aebnas) {
            const double mape = macsPercentError(r.validation.averageCost, config.target);
            return ObjectivePoint { -((1.0 - r.validation.accuracy) * 100.0 + config.aebnasLambda * mape), mape, 0.0 };
        }
        const double over = std::max(0.0, r.validation.averageCost - config.target) / config.target;
        return ObjectivePoint { r.validation.accuracy, cost, over };
    }

    std::vector<ObjectivePoint> objectives(const std::vector<int>& ids) const
    {
        std::vector<ObjectivePoint> points;
        for (const int id : ids)
            points.push_back(objective(archive[std::size_t(id)]));
        return points;
    }

    std::vector<int> frontIds() const { return tradeOffFront(archive, backboneCost); }
    double hypervolumeOf(bool onTest) const { return thresholdFront.hypervolume(backboneCost, onTest); }
    double candidateHypervolumeOf(bool onTest) const { return tradeOffHypervolume(archive, backboneCost, onTest); }

    void emit(const SearchEvent& event)
    {
        if (listener)
            listener(event);
    }

    SearchProgress currentProgress() const
    {
        return progress(finished ? SearchPhase::Finished : SearchPhase::Searching);
    }

    void emitFinished()
    {
        FinishedEvent finished;
        finished.progress = currentProgress();
        emit(finished);
    }

    void log(const std::string& message)
    {
        LogEvent event;
        event.message = message;
        emit(event);
    }

    SearchProgress progress(SearchPhase phase) const
    {
        SearchProgress p;
        p.phase = phase;
        p.evaluated = int(archive.size());
        p.generation = generation;
        p.elapsedSeconds = elapsed();
        double searchSeconds = 0;
        for (const CandidateRecord& r : archive)
            searchSeconds += r.seconds;
        // The first candidate, the backbone alone, takes milliseconds: a rate over it alone would read 100,000/min.
        p.candidatesPerMinute
            = searchSeconds >= kRateMinimumSeconds ? 60.0 * double(archive.size()) / searchSeconds : 0;
        double fraction = 0;
        if (config.timeBudgetSeconds > 0)
            fraction = std::min(1.0, p.elapsedSeconds / config.timeBudgetSeconds);
        if (config.generations > 0) {
            const double total = double(config.population) * double(config.generations + 1);
            fraction = std::max(fraction, std::min(1.0, double(archive.size()) / total));
        }
        p.fraction = finished ? 1.0 : fraction;
        p.etaSeconds = fraction > 0 && fraction < 1 ? p.elapsedSeconds / fraction * (1 - fraction) : 0;
        return p;
    }

    bool budgetSpent() const { return config.timeBudgetSeconds > 0 && elapsed() >= config.timeBudgetSeconds; }

    // Within the search space's limits beyond the genome's domains: no branch dearer than the cap, no model larger
    // than the parameter limit.
    bool affordable(const Genome& genome) const
    {
        if (config.maxBranchMacsFraction <= 0 && config.maxParameters <= 0)
            return true;
        const NetworkCost cost = countNetworkCost(space->decode(genome));
        if (config.maxParameters > 0 && cost.totalParameters > config.maxParameters)
            return false;
        if (config.maxBranchMacsFraction <= 0)
            return true;
        for (std::size_t e = 0; e + 1 < cost.exits.size(); ++e) {
            if (double(cost.exits[e].branchMacs) > config.maxBranchMacsFraction * backboneMacs)
                return false;
        }
        return true;
    }

    // The backbone with no early exit.
    Architecture backboneAlone() const
    {
        return Architecture { config.experiment.backbone, ConfidenceMeasure::ScoreMargin, {} };
    }

    // A network's cost in the analytic cost models: MACs, or parameters.
    double analyticCost(const NetworkCost& cost) const
    {
        return config.costModel == CostModel::Macs ? double(cost.backboneMacs) : double(cost.backboneParameters);
    }

    // The target in the cost model's unit for a backbone of cost `backbone`: the fraction of it, if one was given.
    double targetFor(double backbone) const
    {
        return config.targetFraction > 0 ? config.targetFraction * backbone : config.target;
    }

    // Before anything is trained: a target below the cheapest network the space holds cannot be met, and a budget
    // search would run to its end for nothing.
    void checkTargetReachable()
    {
        if (config.costModel == CostModel::Latency)
            return; // timed later, on this machine
        const double backboneCostNow = analyticCost(countNetworkCost(backboneAlone()));
        const double target = targetFor(backboneCostNow);
        const std::optional<CheapestNetwork> found = cheapestNetwork(*space, config.costModel, config.convention);
        if (!found || target >= found->cost)
            return;
        const double cheapest = found->cost;
        const int position = found->position;
        const std::string message = "the target, " + formatCost(config.costModel, target) + " ("
            + formatFraction(target / backboneCostNow) + " of the backbone's "
            + formatCost(config.costModel, backboneCostNow) + "), is below the cheapest network this search can make: "
            + formatCost(config.costModel, cheapest) + " (" + formatFraction(cheapest / backboneCostNow)
            + "), every sample leaving at an exit after block " + std::to_string(position)
            + ". No network can reach it; aim at " + formatCost(config.costModel, cheapest) + " or more";
        if (config.mode == TargetMode::Budget)
            throw ConfigError(message);
        log("note: " + message); // the published rules only score the distance to the target, or come near it
    }

    // New: neither evaluated nor proposed for this generation (in the queue or in `proposed`).
    bool isNew(const Genome& genome, const std::vector<Genome>& proposed = {}) const
    {
        const std::string key = space->structureKey(genome);
        if (seen.count(key) || screener->isScreenedOut(key))
            return false;
        for (const std::vector<Genome>* list : { &queue, &proposed }) {
            for (const Genome& other : *list) {
                if (space->structureKey(other) == key)
                    return false;
            }
        }
        return true;
    }

    // An early exit that no validation sample takes (a threshold no confidence reaches) still costs every sample that
    // passes it. The same network without such exits decides every validation sample alike for less, and its branches
    // are trained already: the genome to evaluate next, unless it is known.
    std::optional<Genome> withoutIdleExits(const CandidateRecord& record) const
    {
        Architecture architecture = record.architecture;
        std::vector<ExitSpec> kept;
        for (std::size_t e = 0; e < architecture.exits.size(); ++e) {
            if (record.validation.exitCounts[e] > 0)
                kept.push_back(architecture.exits[e]);
        }
        if (kept.size() == architecture.exits.size())
            return std::nullopt;
        architecture.exits = std::move(kept);
        Genome genome = space->encode(architecture);
        if (!isNew(genome) || !affordable(genome))
            return std::nullopt;
        return genome;
    }

    // A new, affordable genome composed around `anchor` from the pool (BranchPool::composeAround); nothing when the
    // draw is outside the space, seen or too dear.
    std::optional<Genome> composeAround(const BranchId& anchor)
    {
        const Architecture architecture
            = pool.composeAround(anchor, config.experiment.backbone, space->options().measures, rng);
        Genome genome;
        try {
            genome = space->encode(architecture);
        } catch (const ConfigError&) {
            return std::nullopt; // outside this search's space (a measure or position it does not offer)
        }
        if (!isNew(genome) || !affordable(genome))
            return std::nullopt;
        return genome;
    }

    // Composes up to composedPerBranch candidates around each fresh branch: the branch, plus branches from the pool
    // at other positions. Their branches are all trained, so each is evaluated exactly from cached per-sample outputs
    // and tuned, with nothing trained. Records them like any candidate (in the current generation's offspring, so
    // that selection sees them). Stops early when the time budget is spent; throws CancelledError when `cancel` is set
    // (nothing of the step is saved then, so a resumed search composes the same again). True if the front moved.
    bool compose(const std::vector<BranchId>& fresh, CancelFlag cancel)
    {
        bool frontMoved = false;
        const int wanted = config.composedPerBranch * int(fresh.size());
        const int attempts = BranchPool::kAttemptsPerComposition * wanted;
        std::vector<FrontPoint> curve;
        int made = 0;
        for (int i = 0; i < attempts && made < wanted && !budgetSpent(); ++i) {
            if (cancel && cancel->load())
                throw CancelledError();
            const std::optional<Genome> genome = composeAround(fresh[std::size_t(i) % fresh.size()]);
            if (!genome)
                continue;
            CandidateRecord record = evaluate(*genome, cancel, curve);
            record.composed = true;
            frontMoved = admit(std::move(record), curve) || frontMoved;
            ++made;
        }
        return frontMoved;
    }

    // Records an evaluated candidate: in the archive and the current generation's offspring, its curve on the front,
    // and an event for the listener. True if the threshold front moved.
    bool admit(CandidateRecord record, const std::vector<FrontPoint>& curve)
    {
        seen[space->structureKey(record.genome)] = record.id;
        offspring.push_back(record.id);
        archive.push_back(record);
        const bool frontMoved = thresholdFront.add(curve);
        CandidateEvent evaluated;
        evaluated.candidate = std::move(record);
        evaluated.progress = currentProgress();
        emit(evaluated);
        return frontMoved;
    }

    // Proposes the next generation's offspring. False when the space offers nothing new.
    bool proposeGeneration()
    {
        queue.clear();
        const ProposalFilter accept = [this](const Genome& genome, const std::vector<Genome>& proposed) {
            return isNew(genome, proposed) && affordable(genome);
        };
        VariationOptions options;
        options.attempts = kOffspringAttemptsPerSlot * config.population;
        options.crossoverProbability = config.crossoverProbability;
        options.mutationRate = config.mutationRate > 0 ? config.mutationRate : 2.0 / space->genomeLength();
        std::vector<Genome> proposed;
        if (generation == 0 || config.randomOnly) {
            if (generation == 0 && archive.empty()) {
                // The backbone alone anchors the accurate end of the front.
                queue.push_back(space->canonical(Genome(std::size_t(space->genomeLength()), 0)));
            }
            options.offspring = config.population - int(queue.size());
            proposed = proposeRandom(*space, options, accept, rng);
        } else {
            std::vector<Parent> parents;
            for (const int id : population)
                parents.push_back({ id, archive[std::size_t(id)].genome, objective(archive[std::size_t(id)]) });
            options.offspring = config.population;
            proposed = proposeOffspring(parents, *space, options, accept, rng);
        }
        queue.insert(queue.end(), proposed.begin(), proposed.end());
        return !queue.empty();
    }

    void endGeneration()
    {
        // Parents and offspring, each once: at the end of the first generation the population is its offspring.
        std::vector<int> pool = population;
        for (const int id : offspring) {
            if (std::find(pool.begin(), pool.end(), id) == pool.end())
                pool.push_back(id);
        }
        population = config.randomOnly ? pool : selectSurvivors(pool, objectives(pool), config.population);
        offspring.clear();
        const double hv = hypervolumeOf(false);
        hypervolumeHistory.push_back({ generation, int(archive.size()), elapsed(), hv, hypervolumeOf(true),
            candidateHypervolumeOf(false), candidateHypervolumeOf(true) });
        GenerationEvent done;
        done.generation = generation;
        done.hypervolume = hv;
        done.progress = currentProgress();
        emit(done);
        ++generation;
        if (config.generations > 0 && generation > config.generations)
            finished = true;
    }

    // Progress reports for a candidate's training. They set `stopCandidate` when the caller stops or the time budget
    // runs out mid-candidate (a slow branch must not stretch the budget); reports come several times a second, so both
    // take effect promptly.
    ProgressCallback candidateProgress(CancelFlag cancel, std::atomic<bool>& stopCandidate)
    {
        return [this, cancel, &stopCandidate](const TrainingProgress& t) {
            if (budgetSpent())
                deadlinePassed = true;
            if (deadlinePassed || (cancel && cancel->load()))
                stopCandidate = true;
            if (!listener)
                return;
            TrainingEvent event;
            event.progress = progress(SearchPhase::Searching);
            event.progress.training = t;
            listener(event);
        };
    }

    // The architecture's parts timed on this machine, with the latency cost model; nothing otherwise.
    NetworkLatency latencyOf(const Architecture& architecture, std::atomic<bool>& stop)
    {
        if (!latency)
            return {};
        NetworkLatency measured = latency->latencyOf(architecture, &stop);
        latency->save();
        return measured;
    }

    // Multi-fidelity screening of a proposed genome whose branches are not all trained (screener.h): true if it is to
    // be trained in full and evaluated. Throws CancelledError like evaluate().
    bool passesScreening(const Genome& genome, CancelFlag cancel)
    {
        // New to the session, not to the cache folder: what is screened must not depend on what other sessions left
        // there, or the same seed would not give the same search.
        const Architecture architecture = space->decode(genome);
        const std::vector<BranchId> fresh = pool.missing(architecture);
        if (fresh.empty())
            return true;
        deadlinePassed = false;
        std::atomic<bool> stopCandidate { false };
        Screener::Hooks hooks;
        hooks.progress = candidateProgress(cancel, stopCandidate);
        hooks.stop = &stopCandidate;
        hooks.latency = [&](const Architecture& candidate) { return latencyOf(candidate, stopCandidate); };
        hooks.compose = [&](const BranchId& anchor) -> std::optional<Architecture> {
            if (const std::optional<Genome> composed = composeAround(anchor))
                return space->decode(*composed);
            return std::nullopt;
        };
        return screener->passes(genome, space->structureKey(genome), architecture, fresh, thresholdFront, hooks);
    }

    // With a farm: has it train the queued candidates' branches ahead (branchfarm.h). Throws CancelledError like
    // evaluate().
    void trainFarmAhead(CancelFlag cancel)
    {
        std::vector<Architecture> queued;
        for (const Genome& genome : queue)
            queued.push_back(space->decode(genome));
        deadlinePassed = false;
        farmWaitSeconds += trainAhead(*farm, *experiment, queued, [&] {
            if (budgetSpent())
                deadlinePassed = true;
            return deadlinePassed || (cancel && cancel->load());
        });
    }

    // Evaluates a genome: trains its branches not trained yet, tunes its thresholds, and puts its validation
    // trade-off curve (with the tuned point) in `curve`, each point measured on test too.
    CandidateRecord evaluate(const Genome& genome, CancelFlag cancel, std::vector<FrontPoint>& curve)
    {
        const Clock::time_point start = Clock::now();
        const int trainedBefore = experiment->report().branchesTrained;
        const Architecture architecture = space->decode(genome);
        // One flag for the experiment: the caller's stop, or the time budget running out mid-candidate (a slow branch
        // must not stretch the budget). Progress reports come several times a second, so both take effect promptly.
        deadlinePassed = false;
        std::atomic<bool> stopCandidate { false };
        const ProgressCallback branchProgress = candidateProgress(cancel, stopCandidate);
        const NetworkLatency measured = latencyOf(architecture, stopCandidate);
        const CandidateOutcomes outcomes = experiment->evaluate(architecture, branchProgress, &stopCandidate);
        outputs.note(architecture, outcomes);
        const Clock::time_point tuneStart = Clock::now();
        TunedCandidate tuned = tuneCandidate(config, architecture, outcomes, measured, int(archive.size()));
        tuneSeconds += std::chrono::duration<double>(Clock::now() - tuneStart).count();
        curve = std::move(tuned.curve);
        CandidateRecord& record = tuned.record;
        record.generation = generation;
        record.genome = genome;
        record.branchesTrained = experiment->report().branchesTrained - trainedBefore;
        record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        return std::move(record);
    }

    // A session from before outputs were stored gets those of every archived candidate (assembled from the branch
    // cache, nothing trained when it is whole), so that it opens without data or backbone from then on.
    void backfillOutputs(CancelFlag cancel)
    {
        for (const CandidateRecord& record : archive) {
            if (outputs.lacksAny(record.architecture))
                outputs.note(record.architecture, experiment->evaluate(record.architecture, {}, cancel));
        }
    }

    Session snapshot() const
    {
        Session s;
        s.config = config;
        s.fingerprint = fingerprint;
        const ExperimentReport& report = experiment ? experiment->report() : ExperimentReport();
        s.backbone = { backboneMacs, backboneCost, report.backboneValidationAccuracy, report.backboneTestAccuracy };
        s.machine = machine;
        std::ostringstream engine;
        engine << const_cast<Rng&>(rng).engine();
        s.state
            = { generation, population, offspring, queue, screener->screenedOut(), engine.str(), elapsed(), finished };
        s.hypervolumeHistory = hypervolumeHistory;
        s.thresholdFront = thresholdFront.points();
        return s;
    }

    void save()
    {
        const Clock::time_point start = Clock::now();
        saveSession(folder, snapshot(), archive, outputs.pending(experiment.get()));
        outputs.saved();
        saveSeconds += std::chrono::duration<double>(Clock::now() - start).count();
    }
};

Search::Search(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}

Search::Search(SearchConfig config, std::string sessionFolder)
    : m_impl(std::make_unique<Impl>())
{
    validateSearchConfig(config);
    Impl& d = *m_impl;
    d.config = std::move(config);
    // A new session keeps the precision this CPU resolves to: resumed elsewhere, it trains (and finds its cache) the
    // same.
    resolveTrainingPrecision(d.config.experiment);
    resolveImportedBackbone(d.config.experiment);
    d.folder = std::move(sessionFolder);
    if (hasSession(d.folder))
        throw ConfigError(d.folder + " already holds a search session (resume it, or choose another folder)");
    makeDirectories(d.folder);
    d.lock = std::make_unique<SessionLock>(d.folder);
    d.rng = Rng(effectiveSearchSeed(d.config) * 0x2545f4914f6cdd1dULL + 17);
    d.space = std::make_unique<SearchSpace>(std::vector<BackboneSpec> { d.config.experiment.backbone }, d.config.space);
    d.experiment = std::make_unique<Experiment>(d.config.experiment);
    d.screener = std::make_unique<Screener>(d.config, *d.experiment);
}

std::unique_ptr<Search> Search::resume(const std::string& sessionFolder)
{
    // Locked before it is read: the state read must be the last one written. (A folder without a session gets no
    // lock file: reading says what is missing.)
    auto lock = hasSession(sessionFolder) ? std::make_unique<SessionLock>(sessionFolder) : nullptr;
    Session session = loadSession(sessionFolder);
    auto impl = std::make_unique<Impl>();
    Impl& d = *impl;
    d.lock = std::move(lock);
    d.config = std::move(session.config);
    d.folder = sessionFolder;
    d.fingerprint = std::move(session.fingerprint);
    d.space = std::make_unique<SearchSpace>(std::vector<BackboneSpec> { d.config.experiment.backbone }, d.config.space);
    d.archive = std::move(session.archive);
    for (const CandidateRecord& r : d.archive) {
        d.seen[d.space->structureKey(r.genome)] = r.id;
        d.pool.add(r.architecture);
    }
    SearchState& state = session.state;
    d.generation = state.generation;
    d.population = std::move(state.population);
    d.offspring = std::move(state.offspring);
    d.queue = std::move(state.queue);
    std::istringstream engine(state.rng);
    engine >> d.rng.engine();
    if (engine.fail())
        throw DataError(sessionFilePath(sessionFolder), "the random generator's state is unreadable");
    d.elapsedBefore = state.elapsedSeconds;
    d.finished = state.finished;
    d.hypervolumeHistory = std::move(session.hypervolumeHistory);
    d.thresholdFront.add(session.thresholdFront);
    d.backboneMacs = session.backbone.macs;
    d.backboneCost = session.backbone.cost;
    d.machine = std::move(session.machine);
    d.experiment = std::make_unique<Experiment>(d.config.experiment);
    d.screener = std::make_unique<Screener>(d.config, *d.experiment);
    d.screener->restore(std::move(state.screenedOut), *d.space);
    d.outputs = OutputsLedger(storedOutputKeys(sessionFolder));
    d.runStart = Clock::now();
    return std::unique_ptr<Search>(new Search(std::move(impl)));
}

Search::~Search() = default;

void Search::setListener(SearchListener listener)
{
    m_impl->listener = std::move(listener);
}

void Search::setBranchFarm(BranchFarm* farm)
{
    m_impl->farm = farm;
}

void Search::prepare(CancelFlag cancel)
{
    Impl& d = *m_impl;
    const ProgressCallback progress = [&d](const TrainingProgress& t) {
        if (!d.listener)
            return;
        TrainingEvent event;
        event.progress = d.progress(SearchPhase::Preparing);
        event.progress.training = t;
        d.listener(event);
    };
    if (d.archive.empty())
        d.checkTargetReachable();
    d.experiment->prepare(progress, cancel);
    const std::string key = d.experiment->report().backboneKey;
    if (!d.fingerprint.empty() && d.fingerprint != key)
        throw ConfigError(d.folder + ": this session was run on other data or another backbone (fingerprint "
            + d.fingerprint + ", now " + key + "); point it at the same data set files");
    d.fingerprint = key;
    if (const std::string note = trainSubsetNote(d.experiment->report(), d.config.experiment.featureCacheBytes);
        !note.empty())
        d.log("note: " + note);
    const Architecture backboneAlone = d.backboneAlone();
    const NetworkCost backboneCost = countNetworkCost(backboneAlone);
    d.backboneMacs = double(backboneCost.backboneMacs);
    const bool resumed = !d.archive.empty();
    if (d.config.costModel == CostModel::Latency) {
        d.latency = std::make_unique<LatencyTable>(LatencyTable::fileFor(d.config.experiment.cacheDirectory));
        if (!d.latency->problem().empty())
            d.log(d.latency->problem());
        const std::string& machine = d.latency->machine();
        if (resumed && !d.machine.empty() && d.machine != machine)
            d.log(
                "this session's latencies were measured on " + d.machine + "; new candidates are timed on " + machine);
        if (!resumed || d.machine.empty())
            d.machine = machine;
        const double micros = d.latency->latencyOf(backboneAlone, cancel).backboneMicros;
        d.latency->save();
        d.log("latency table " + d.latency->file() + ": " + std::to_string(d.latency->size()) + " parts timed on "
            + machine);
        if (!resumed)
            d.backboneCost = micros;
    } else {
        d.backboneCost = d.analyticCost(backboneCost);
    }
    if (!resumed)
        d.config.target = d.targetFor(d.backboneCost);
    d.experiment->cacheFeatures({}, progress, cancel);
    d.backfillOutputs(cancel);
    d.prepared = true;
    const ExperimentReport& r = d.experiment->report();
    char line[320];
    std::snprintf(line, sizeof line, "backbone %s: %.2f%% test accuracy, %.2f M MACs, %s (%s); target %s",
        d.config.experiment.backbone.name.c_str(), 100 * r.backboneTestAccuracy, d.backboneMacs / 1e6,
        formatCost(d.config.costModel, d.backboneCost).c_str(), r.backboneFromCache ? "from cache" : "trained",
        formatCost(d.config.costModel, d.config.target).c_str());
    d.log(line);
    d.save();
}

bool Search::step(CancelFlag cancel)
{
    Impl& d = *m_impl;
    if (!d.prepared)
        prepare(cancel);
    if (d.finished)
        return false;
    if (d.budgetSpent()) {
        d.finished = true;
        d.save();
        d.emitFinished();
        return false;
    }
    if (d.queue.empty()) {
        if (!d.offspring.empty() || d.generation > 0)
            d.endGeneration();
        if (!d.finished && !d.proposeGeneration()) {
            d.log("the search space has no unseen candidates left");
            d.finished = true;
        }
        d.save();
        if (d.finished) {
            d.emitFinished();
            return false;
        }
    }
    const Genome genome = d.queue.front();
    const std::vector<int> frontBefore = d.frontIds();
    CandidateRecord record;
    std::vector<FrontPoint> curve;
    try {
        if (d.config.screenEpochs > 0 && !d.passesScreening(genome, cancel)) {
            d.queue.erase(d.queue.begin());
            d.save();
            return true;
        }
        if (d.farm)
            d.trainFarmAhead(cancel);
        record = d.evaluate(genome, cancel, curve);
    } catch (const CancelledError&) {
        if (!d.deadlinePassed)
            throw; // the caller's stop: resumable, the candidate is proposed again
        d.log("time budget reached during a candidate: it is dropped and the search ends");
        d.finished = true;
        d.save();
        d.emitFinished();
        return false;
    }
    d.queue.erase(d.queue.begin());
    bool thresholdFrontMoved = d.admit(record, curve);
    if (std::optional<Genome> pruned = d.withoutIdleExits(record))
        d.queue.insert(d.queue.begin(), std::move(*pruned));
    const std::vector<BranchId> fresh = d.pool.add(record.architecture);
    if (!fresh.empty() && d.config.composedPerBranch > 0)
        thresholdFrontMoved = d.compose(fresh, cancel) || thresholdFrontMoved;
    if (d.generation == 0 && d.queue.empty())
        d.population = d.offspring; // the initial population has no parents to compete with
    d.save();
    const std::vector<int> frontAfter = d.frontIds();
    if (frontAfter != frontBefore || thresholdFrontMoved) {
        FrontEvent changed;
        changed.front = d.thresholdFront.points();
        changed.hypervolume = d.hypervolumeOf(false);
        d.emit(changed);
    }
    return true;
}

void Search::run(CancelFlag stop, const std::atomic<bool>* pause, const std::function<void()>& betweenSteps)
{
    Impl& d = *m_impl;
    if (d.clockHeld) {
        d.runStart = Clock::now();
        d.clockHeld = false;
    }
    while (!(stop && stop->load())) {
        if (betweenSteps)
            betweenSteps();
        if (pause && pause->load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(kPausePollMilliseconds));
            continue;
        }
        try {
            if (!step(stop))
                return;
        } catch (const CancelledError&) {
            return; // the candidate in flight is dropped; everything before it is saved
        }
    }
}

void Search::setTimeBudget(double seconds)
{
    Impl& d = *m_impl;
    const bool endedByBudget = d.finished && d.budgetSpent();
    d.config.timeBudgetSeconds = seconds;
    if (endedByBudget && !d.budgetSpent())
        d.finished = false;
}

void Search::holdClock()
{
    Impl& d = *m_impl;
    d.elapsedBefore = d.elapsed();
    d.clockHeld = true;
}

bool Search::isPrepared() const
{
    return m_impl->prepared;
}
bool Search::isFinished() const
{
    return m_impl->finished;
}
const SearchConfig& Search::config() const
{
    return m_impl->config;
}
const std::string& Search::sessionFolder() const
{
    return m_impl->folder;
}
const std::vector<CandidateRecord>& Search::archive() const
{
    return m_impl->archive;
}
std::vector<int> Search::front() const
{
    return m_impl->frontIds();
}
double Search::hypervolume(bool onTest) const
{
    return m_impl->hypervolumeOf(onTest);
}
double Search::candidateHypervolume(bool onTest) const
{
    return m_impl->candidateHypervolumeOf(onTest);
}
const std::vector<FrontPoint>& Search::thresholdFront() const
{
    return m_impl->thresholdFront.points();
}
const std::vector<HypervolumeRecord>& Search::hypervolumeHistory() const
{
    return m_impl->hypervolumeHistory;
}
SearchTimes Search::times() const
{
    const Impl& d = *m_impl;
    const ExperimentReport& r = d.experiment->report();
    return SearchTimes { r.dataSeconds, r.backboneTrainSeconds, r.featureSeconds, r.branchSeconds + d.farmWaitSeconds,
        d.screener->seconds(), d.tuneSeconds, d.saveSeconds, d.elapsed() };
}
ScreeningCounts Search::screening() const
{
    return m_impl->screener->counts();
}
double Search::backboneMacs() const
{
    return m_impl->backboneMacs;
}
double Search::backboneCost() const
{
    return m_impl->backboneCost;
}
double Search::elapsedSeconds() const
{
    return m_impl->elapsed();
}
Experiment& Search::experiment()
{
    return *m_impl->experiment;
}

} // namespace earlybird
