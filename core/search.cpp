#include "search.h"

#include "backbonepresets.h"
#include "cachefile.h"
#include "error.h"
#include "fileio.h"
#include "rng.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace earlybird {

namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr const char* kSessionFormat = "earlybird-session";
constexpr int kSessionVersion = 1;
constexpr const char* kSessionFile = "session.json";
// Offspring the variation operators may propose before a generation is declared exhausted (a small space is).
constexpr int kOffspringAttemptsPerSlot = 60;
// How often a paused run looks at its flags again.
constexpr int kPausePollMilliseconds = 100;
// Stage-end positions the published AEBNAS space uses at most.
constexpr std::size_t kAebnasPaperPositions = 4;

Json policyJson(const PolicyResult& r)
{
    Json rates = Json::array(), accuracies = Json::array();
    for (std::size_t e = 0; e < r.exitCounts.size(); ++e) {
        rates.push_back(r.exitRate(int(e)));
        accuracies.push_back(r.exitAccuracy(int(e)));
    }
    return Json { { "accuracy", r.accuracy }, { "average_cost", r.averageCost }, { "average_macs", r.averageMacs },
        { "exit_rates", rates }, { "exit_accuracies", accuracies }, { "exit_counts", r.exitCounts },
        { "correct_at_exit", r.correctAtExit }, { "samples", r.samples }, { "thresholds", r.thresholds } };
}

PolicyResult policyFromJson(const Json& j)
{
    PolicyResult r;
    r.accuracy = j.at("accuracy").get<double>();
    r.averageMacs = j.at("average_macs").get<double>();
    r.averageCost = j.value("average_cost", r.averageMacs); // sessions before cost models counted MACs
    r.exitCounts = j.at("exit_counts").get<std::vector<std::int64_t>>();
    r.correctAtExit = j.at("correct_at_exit").get<std::vector<std::int64_t>>();
    r.samples = j.at("samples").get<std::int64_t>();
    r.thresholds = j.at("thresholds").get<std::vector<double>>();
    return r;
}

Json spaceJson(const SearchSpaceOptions& o)
{
    std::vector<std::string> types, measures;
    for (const BranchLayerType t : o.layerTypes)
        types.push_back(branchLayerTypeName(t));
    for (const ConfidenceMeasure m : o.measures)
        measures.push_back(confidenceMeasureName(m));
    return Json { { "allowed_positions", o.allowedPositions }, { "min_depth", o.minDepth }, { "max_depth", o.maxDepth },
        { "layer_types", types }, { "widths", o.widths }, { "strides", o.strides },
        { "threshold_levels", o.thresholdLevels }, { "measures", measures },
        { "exit_probability", o.exitProbability } };
}

SearchSpaceOptions spaceFromJson(const Json& j, const std::string& source)
{
    SearchSpaceOptions o;
    o.allowedPositions = j.at("allowed_positions").get<std::vector<int>>();
    o.minDepth = j.at("min_depth").get<int>();
    o.maxDepth = j.at("max_depth").get<int>();
    o.layerTypes.clear();
    for (const std::string& name : j.at("layer_types").get<std::vector<std::string>>())
        o.layerTypes.push_back(branchLayerTypeFromName(name, source));
    o.widths = j.at("widths").get<std::vector<double>>();
    o.strides = j.at("strides").get<std::vector<int>>();
    o.thresholdLevels = j.at("threshold_levels").get<int>();
    o.measures.clear();
    for (const std::string& name : j.at("measures").get<std::vector<std::string>>())
        o.measures.push_back(confidenceMeasureFromName(name, source));
    o.exitProbability = j.at("exit_probability").get<double>();
    return o;
}

Json configJson(const SearchConfig& c)
{
    const ExperimentConfig& e = c.experiment;
    const TrainingOptions& t = e.backboneTraining;
    const BranchTrainingOptions& b = e.branchTraining;
    return Json { { "name", c.name },
        { "dataset",
            { { "kind", datasetKindName(e.dataset.kind) }, { "path", e.dataset.path },
                { "cifar100_coarse", e.dataset.cifar100CoarseLabels }, { "svhn_extra", e.dataset.svhnIncludeExtra } } },
        { "backbone", backboneToJson(e.backbone) },
        { "backbone_training",
            { { "epochs", t.epochs }, { "batch_size", t.batchSize }, { "learning_rate", t.learningRate },
                { "momentum", t.momentum }, { "weight_decay", t.weightDecay }, { "label_smoothing", t.labelSmoothing },
                { "augment", t.augment } } },
        { "branch_training",
            { { "epochs", b.epochs }, { "batch_size", b.batchSize }, { "learning_rate", b.learningRate },
                { "weight_decay", b.weightDecay } } },
        { "validation_fraction", e.validationFraction }, { "seed", e.seed }, { "cache_directory", e.cacheDirectory },
        { "feature_cache_bytes", e.featureCacheBytes }, { "space", spaceJson(c.space) },
        { "cost_model", costModelName(c.costModel) }, { "target", c.target }, { "target_fraction", c.targetFraction },
        { "mode", targetModeName(c.mode) }, { "convention", costConventionName(c.convention) },
        { "population", c.population }, { "generations", c.generations },
        { "time_budget_seconds", c.timeBudgetSeconds }, { "crossover_probability", c.crossoverProbability },
        { "mutation_rate", c.mutationRate }, { "aebnas_lambda", c.aebnasLambda },
        { "aebnas_grid_step", c.aebnasGridStep }, { "aebnas_max_combinations", c.aebnasMaxCombinations },
        { "random_only", c.randomOnly }, { "max_branch_macs_fraction", c.maxBranchMacsFraction },
        { "max_parameters", c.maxParameters } };
}

SearchConfig configFromJson(const Json& j, const std::string& source)
{
    SearchConfig c;
    c.name = j.at("name").get<std::string>();
    ExperimentConfig& e = c.experiment;
    const Json& d = j.at("dataset");
    e.dataset.kind = datasetKindFromName(d.at("kind").get<std::string>());
    e.dataset.path = d.at("path").get<std::string>();
    e.dataset.cifar100CoarseLabels = d.at("cifar100_coarse").get<bool>();
    e.dataset.svhnIncludeExtra = d.at("svhn_extra").get<bool>();
    e.backbone = backboneFromJson(j.at("backbone"), source);
    const Json& t = j.at("backbone_training");
    e.backboneTraining.epochs = t.at("epochs").get<int>();
    e.backboneTraining.batchSize = t.at("batch_size").get<int>();
    e.backboneTraining.learningRate = t.at("learning_rate").get<double>();
    e.backboneTraining.momentum = t.at("momentum").get<double>();
    e.backboneTraining.weightDecay = t.at("weight_decay").get<double>();
    e.backboneTraining.labelSmoothing = t.at("label_smoothing").get<double>();
    e.backboneTraining.augment = t.at("augment").get<bool>();
    const Json& b = j.at("branch_training");
    e.branchTraining.epochs = b.at("epochs").get<int>();
    e.branchTraining.batchSize = b.at("batch_size").get<int>();
    e.branchTraining.learningRate = b.at("learning_rate").get<double>();
    e.branchTraining.weightDecay = b.at("weight_decay").get<double>();
    e.validationFraction = j.at("validation_fraction").get<double>();
    e.seed = j.at("seed").get<std::uint64_t>();
    e.cacheDirectory = j.at("cache_directory").get<std::string>();
    e.featureCacheBytes = j.at("feature_cache_bytes").get<std::int64_t>();
    c.space = spaceFromJson(j.at("space"), source);
    // Sessions before cost models had only a MAC target.
    c.costModel = costModelFromName(j.value("cost_model", std::string("macs")));
    c.target = j.contains("target") ? j.at("target").get<double>() : j.at("target_macs").get<double>();
    c.targetFraction = j.value("target_fraction", 0.0);
    c.mode = targetModeFromName(j.at("mode").get<std::string>());
    c.convention = costConventionFromName(j.at("convention").get<std::string>());
    c.population = j.at("population").get<int>();
    c.generations = j.at("generations").get<int>();
    c.timeBudgetSeconds = j.at("time_budget_seconds").get<double>();
    c.crossoverProbability = j.at("crossover_probability").get<double>();
    c.mutationRate = j.at("mutation_rate").get<double>();
    c.aebnasLambda = j.at("aebnas_lambda").get<double>();
    c.aebnasGridStep = j.at("aebnas_grid_step").get<double>();
    c.aebnasMaxCombinations = j.at("aebnas_max_combinations").get<std::int64_t>();
    c.randomOnly = j.at("random_only").get<bool>();
    c.maxBranchMacsFraction = j.value("max_branch_macs_fraction", 0.0);
    c.maxParameters = j.value("max_parameters", std::int64_t(0));
    return c;
}

void validateConfig(const SearchConfig& c)
{
    if (!(c.target > 0) && !(c.targetFraction > 0))
        throw ConfigError("the search needs a positive target of average " + costModelUnit(c.costModel)
            + " (or a positive fraction of the backbone's)");
    if (c.maxParameters < 0)
        throw ConfigError("the parameter limit cannot be negative");
    if (c.population < 2 || c.population > 10000)
        throw ConfigError("the population must be 2 to 10000 candidates");
    if (c.generations < 0 || c.timeBudgetSeconds < 0)
        throw ConfigError("generations and time budget cannot be negative");
    if (c.generations == 0 && c.timeBudgetSeconds == 0)
        throw ConfigError("the search needs a number of generations, a time budget, or both");
    if (c.maxBranchMacsFraction < 0)
        throw ConfigError("the branch MAC cap cannot be negative");
    if (!(c.crossoverProbability >= 0 && c.crossoverProbability <= 1) || c.mutationRate < 0 || c.mutationRate > 1)
        throw ConfigError("crossover probability and mutation rate must lie in [0, 1]");
}

} // namespace

std::string targetModeName(TargetMode mode)
{
    return mode == TargetMode::Budget ? "budget" : "aebnas";
}

TargetMode targetModeFromName(const std::string& name)
{
    if (name == "budget")
        return TargetMode::Budget;
    if (name == "aebnas")
        return TargetMode::Aebnas;
    throw ConfigError("unknown target mode '" + name + "' (budget or aebnas)");
}

std::vector<int> stageEndPositions(const BackboneSpec& backbone)
{
    std::vector<int> positions;
    const int last = backbone.exitPositions() - 1;
    for (int p = 0; p <= last; ++p) {
        if (backbone.blocks[std::size_t(p + 1)].stride == 2 || p == last)
            positions.push_back(p);
    }
    return positions;
}

SearchConfig baselineConfig(const SearchConfig& base, const std::string& baseline)
{
    SearchConfig c = base;
    c.name = "baseline-" + baseline;
    c.maxBranchMacsFraction = 0; // the published spaces have no such cap
    std::vector<int> ends = stageEndPositions(base.experiment.backbone);
    if (baseline == "backbone") {
        // Random samples with no exits are all the backbone alone: evaluated once, then nothing is new (evolving
        // would add exits by mutation).
        c.space.exitProbability = 0;
        c.randomOnly = true;
    } else if (baseline == "edanas") {
        c.space.allowedPositions = ends;
        c.space.minDepth = c.space.maxDepth = 1;
        c.space.layerTypes = { BranchLayerType::Conv3x3 };
        c.space.widths = { 1.0 };
        c.space.strides = { 1 };
        c.mode = TargetMode::Aebnas;
        c.aebnasGridStep = 0.1;
    } else if (baseline == "aebnas-paper") {
        if (ends.size() > kAebnasPaperPositions)
            ends.erase(ends.begin(), ends.end() - std::ptrdiff_t(kAebnasPaperPositions));
        c.space.allowedPositions = ends;
        c.space.minDepth = 1;
        c.space.maxDepth = 2;
        c.space.layerTypes = { BranchLayerType::Conv3x3 };
        c.space.widths = { 0.5, 1.0, 2.0 };
        c.space.strides = { 1, 2 };
        c.mode = TargetMode::Aebnas;
        c.aebnasGridStep = 0.1;
    } else {
        throw ConfigError("unknown baseline '" + baseline + "' (backbone, edanas or aebnas-paper)");
    }
    return c;
}

struct Search::Impl {
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
    std::map<std::string, int> seen; // structure key -> id
    std::vector<int> population; // parents of the next generation
    std::vector<int> offspring; // evaluated members of the current generation
    std::vector<Genome> queue; // proposed members of the current generation not yet evaluated
    int generation = 0;
    Rng rng;
    double elapsedBefore = 0; // seconds spent in earlier runs of this session
    bool deadlinePassed = false; // the candidate in flight was cancelled by the time budget
    Clock::time_point runStart = Clock::now();
    std::vector<Json> hypervolumeHistory;

    double elapsed() const { return elapsedBefore + std::chrono::duration<double>(Clock::now() - runStart).count(); }

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

    // The display front: validation accuracy against average cost over every candidate, whatever the mode.
    std::vector<ObjectivePoint> tradeOffPoints(bool onTest) const
    {
        std::vector<ObjectivePoint> points;
        for (const CandidateRecord& r : archive) {
            const PolicyResult& p = onTest ? r.test : r.validation;
            points.push_back({ p.accuracy, p.averageCost / backboneCost, 0.0 });
        }
        return points;
    }

    std::vector<int> frontIds() const
    {
        std::vector<int> ids;
        for (const int index : paretoFront(tradeOffPoints(false)))
            ids.push_back(archive[std::size_t(index)].id);
        return ids;
    }

    double hypervolumeOf(bool onTest) const
    {
        return earlybird::hypervolume(tradeOffPoints(onTest), kHypervolumeReferenceAccuracy, kHypervolumeReferenceCost);
    }

    void emit(SearchEvent event)
    {
        if (!listener)
            return;
        event.progress
            = progress(event.progress.phase.empty() ? (finished ? "finished" : "searching") : event.progress.phase);
        listener(event);
    }

    void log(const std::string& message)
    {
        SearchEvent event;
        event.type = SearchEvent::Type::Log;
        event.message = message;
        emit(event);
    }

    SearchProgress progress(const std::string& phase) const
    {
        SearchProgress p;
        p.phase = phase;
        p.evaluated = int(archive.size());
        p.generation = generation;
        p.elapsedSeconds = elapsed();
        double searchSeconds = 0;
        for (const CandidateRecord& r : archive)
            searchSeconds += r.seconds;
        p.candidatesPerMinute = searchSeconds > 0 ? 60.0 * double(archive.size()) / searchSeconds : 0;
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

    // NSGA-II environmental selection: fronts in order, the last one cut by crowding distance.
    std::vector<int> select(const std::vector<int>& pool, int size, std::map<int, std::pair<int, double>>* ranks) const
    {
        std::vector<ObjectivePoint> points;
        for (const int id : pool)
            points.push_back(objective(archive[std::size_t(id)]));
        std::vector<int> chosen;
        int rank = 0;
        for (const std::vector<int>& front : nonDominatedFronts(points)) {
            const std::vector<double> crowding = crowdingDistances(points, front);
            std::vector<std::size_t> order(front.size());
            for (std::size_t k = 0; k < order.size(); ++k)
                order[k] = k;
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return crowding[a] != crowding[b] ? crowding[a] > crowding[b]
                                                  : pool[std::size_t(front[a])] < pool[std::size_t(front[b])];
            });
            for (const std::size_t k : order) {
                if (int(chosen.size()) >= size)
                    break;
                const int id = pool[std::size_t(front[k])];
                chosen.push_back(id);
                if (ranks)
                    (*ranks)[id] = { rank, crowding[k] };
            }
            ++rank;
            if (int(chosen.size()) >= size)
                break;
        }
        return chosen;
    }

    int tournament(const std::vector<int>& parents, const std::map<int, std::pair<int, double>>& ranks)
    {
        const int a = parents[std::size_t(rng.below(parents.size()))];
        const int b = parents[std::size_t(rng.below(parents.size()))];
        const auto& ra = ranks.at(a);
        const auto& rb = ranks.at(b);
        if (ra.first != rb.first)
            return ra.first < rb.first ? a : b;
        return ra.second >= rb.second ? a : b;
    }

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

    bool isNew(const Genome& genome) const
    {
        const std::string key = space->structureKey(genome);
        if (seen.count(key))
            return false;
        for (const Genome& queued : queue) {
            if (space->structureKey(queued) == key)
                return false;
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

    // Proposes the next generation's offspring. False when the space offers nothing new.
    bool proposeGeneration()
    {
        queue.clear();
        const int attempts = kOffspringAttemptsPerSlot * config.population;
        if (generation == 0 || config.randomOnly) {
            if (generation == 0 && archive.empty()) {
                // The backbone alone anchors the accurate end of the front.
                queue.push_back(space->canonical(Genome(std::size_t(space->genomeLength()), 0)));
            }
            for (int i = 0; i < attempts && int(queue.size()) < config.population; ++i) {
                Genome genome = space->sample(rng);
                if (isNew(genome) && affordable(genome))
                    queue.push_back(std::move(genome));
            }
            return !queue.empty();
        }
        std::map<int, std::pair<int, double>> ranks;
        select(population, int(population.size()), &ranks);
        const double rate = config.mutationRate > 0 ? config.mutationRate : 2.0 / space->genomeLength();
        for (int i = 0; i < attempts && int(queue.size()) < config.population; ++i) {
            Genome child = archive[std::size_t(tournament(population, ranks))].genome;
            if (rng.uniform() < config.crossoverProbability) {
                const Genome other = archive[std::size_t(tournament(population, ranks))].genome;
                child = space->crossover(child, other, rng).first;
            }
            child = space->mutate(child, rng, rate);
            if (isNew(child) && affordable(child))
                queue.push_back(std::move(child));
        }
        return !queue.empty();
    }

    void endGeneration()
    {
        std::vector<int> pool = population;
        pool.insert(pool.end(), offspring.begin(), offspring.end());
        population = config.randomOnly ? pool : select(pool, config.population, nullptr);
        offspring.clear();
        const double hv = hypervolumeOf(false);
        hypervolumeHistory.push_back(
            Json { { "generation", generation }, { "evaluated", archive.size() }, { "elapsed_seconds", elapsed() },
                { "hypervolume_validation", hv }, { "hypervolume_test", hypervolumeOf(true) } });
        SearchEvent event;
        event.type = SearchEvent::Type::GenerationDone;
        event.hypervolume = hv;
        emit(event);
        ++generation;
        if (config.generations > 0 && generation > config.generations)
            finished = true;
    }

    CandidateRecord evaluate(const Genome& genome, CancelFlag cancel)
    {
        const Clock::time_point start = Clock::now();
        const int trainedBefore = experiment->report().branchesTrained;
        Architecture architecture = space->decode(genome);
        // One flag for the experiment: the caller's stop, or the time budget running out mid-candidate (a slow branch
        // must not stretch the budget). Progress reports come several times a second, so both take effect promptly.
        deadlinePassed = false;
        std::atomic<bool> stopCandidate { false };
        const ProgressCallback branchProgress = [this, cancel, &stopCandidate](const TrainingProgress& t) {
            if (budgetSpent())
                deadlinePassed = true;
            if (deadlinePassed || (cancel && cancel->load()))
                stopCandidate = true;
            if (!listener)
                return;
            SearchEvent event;
            event.progress = progress("searching");
            event.progress.training = t;
            listener(event);
        };
        NetworkLatency measured;
        if (latency) {
            measured = latency->latencyOf(architecture, &stopCandidate);
            latency->save();
        }
        const CandidateOutcomes outcomes = experiment->evaluate(architecture, branchProgress, &stopCandidate);
        const std::vector<double> costs = exitCostsOf(config.costModel, outcomes.cost, config.convention, &measured);
        const std::vector<double> macs = exitMacsOf(outcomes.cost, config.convention);
        const ExitPolicy validation(outcomes.validation, architecture.confidence, costs, macs);
        const ExitPolicy test(outcomes.test, architecture.confidence, costs, macs);
        CandidateRecord record;
        record.exitCosts = costs;
        record.parameters = outcomes.cost.totalParameters;
        record.validation = config.mode == TargetMode::Budget
            ? validation.tuneForBudget(config.target)
            : validation.tuneAebnasGrid(
                config.target, config.aebnasLambda, config.aebnasGridStep, config.aebnasMaxCombinations);
        record.test = test.evaluate(record.validation.thresholds);
        for (std::size_t e = 0; e < architecture.exits.size(); ++e)
            architecture.exits[e].threshold = record.validation.thresholds[e];
        record.id = int(archive.size());
        record.generation = generation;
        record.genome = genome;
        record.architecture = architecture;
        record.branchesTrained = experiment->report().branchesTrained - trainedBefore;
        record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        return record;
    }

    Json recordJson(const CandidateRecord& r) const
    {
        return Json { { "id", r.id }, { "generation", r.generation }, { "genome", r.genome },
            { "architecture", architectureToJson(r.architecture) }, { "exit_costs", r.exitCosts },
            { "parameters", r.parameters }, { "validation", policyJson(r.validation) }, { "test", policyJson(r.test) },
            { "seconds", r.seconds }, { "branches_trained", r.branchesTrained } };
    }

    Json sessionJson() const
    {
        Json archiveJson = Json::array();
        for (const CandidateRecord& r : archive)
            archiveJson.push_back(recordJson(r));
        std::ostringstream engine;
        engine << const_cast<Rng&>(rng).engine();
        const ExperimentReport& report = experiment ? experiment->report() : ExperimentReport();
        return Json { { "format", kSessionFormat }, { "version", kSessionVersion }, { "config", configJson(config) },
            { "fingerprint", fingerprint },
            { "backbone",
                { { "macs", backboneMacs }, { "cost", backboneCost },
                    { "validation_accuracy", report.backboneValidationAccuracy },
                    { "test_accuracy", report.backboneTestAccuracy } } },
            { "machine", machine },
            { "hypervolume_reference",
                { { "accuracy", kHypervolumeReferenceAccuracy }, { "cost_vs_backbone", kHypervolumeReferenceCost } } },
            { "state",
                { { "generation", generation }, { "population", population }, { "offspring", offspring },
                    { "queue", queue }, { "rng", engine.str() }, { "elapsed_seconds", elapsed() },
                    { "finished", finished } } },
            { "archive", archiveJson }, { "front", frontIds() },
            { "hypervolume",
                { { "validation", archive.empty() ? 0.0 : hypervolumeOf(false) },
                    { "test", archive.empty() ? 0.0 : hypervolumeOf(true) } } },
            { "hypervolume_history", hypervolumeHistory } };
    }

    void save() const { writeFileAtomically(folder + "/" + kSessionFile, sessionJson().dump(1) + "\n"); }
};

Search::Search(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}

Search::Search(SearchConfig config, std::string sessionFolder)
    : m_impl(std::make_unique<Impl>())
{
    validateConfig(config);
    Impl& d = *m_impl;
    d.config = std::move(config);
    d.folder = std::move(sessionFolder);
    if (fileExists(d.folder + "/" + kSessionFile))
        throw ConfigError(d.folder + " already holds a search session (resume it, or choose another folder)");
    makeDirectories(d.folder);
    d.rng = Rng(d.config.experiment.seed * 0x2545f4914f6cdd1dULL + 17);
    d.space = std::make_unique<SearchSpace>(std::vector<BackboneSpec> { d.config.experiment.backbone }, d.config.space);
    d.experiment = std::make_unique<Experiment>(d.config.experiment);
}

std::unique_ptr<Search> Search::resume(const std::string& sessionFolder)
{
    const std::string path = sessionFolder + "/" + kSessionFile;
    const std::vector<std::uint8_t> bytes = readFileBytes(path);
    auto impl = std::make_unique<Impl>();
    Impl& d = *impl;
    try {
        const Json j = Json::parse(bytes.begin(), bytes.end());
        if (j.value("format", std::string()) != kSessionFormat)
            throw DataError(path, "not an Earlybird search session");
        if (j.at("version").get<int>() > kSessionVersion)
            throw DataError(path, "written by a newer Earlybird");
        d.config = configFromJson(j.at("config"), path);
        validateConfig(d.config);
        d.folder = sessionFolder;
        d.fingerprint = j.at("fingerprint").get<std::string>();
        d.space
            = std::make_unique<SearchSpace>(std::vector<BackboneSpec> { d.config.experiment.backbone }, d.config.space);
        for (const Json& item : j.at("archive")) {
            CandidateRecord r;
            r.id = item.at("id").get<int>();
            r.generation = item.at("generation").get<int>();
            r.genome = d.space->canonical(item.at("genome").get<Genome>());
            r.architecture = architectureFromJson(item.at("architecture"), path);
            r.parameters = item.value("parameters", std::int64_t(0));
            if (item.contains("exit_costs")) {
                r.exitCosts = item.at("exit_costs").get<std::vector<double>>();
            } else { // sessions before cost models counted MACs
                const NetworkCost cost = countNetworkCost(r.architecture);
                r.exitCosts = exitMacsOf(cost, d.config.convention);
                r.parameters = cost.totalParameters;
            }
            if (r.exitCosts.size() != r.architecture.exits.size() + 1)
                throw DataError(
                    path, "candidate " + std::to_string(r.id) + " has a cost for the wrong number of exits");
            r.validation = policyFromJson(item.at("validation"));
            r.test = policyFromJson(item.at("test"));
            r.seconds = item.at("seconds").get<double>();
            r.branchesTrained = item.at("branches_trained").get<int>();
            if (r.id != int(d.archive.size()))
                throw DataError(path, "candidate ids are out of order");
            d.seen[d.space->structureKey(r.genome)] = r.id;
            d.archive.push_back(std::move(r));
        }
        const Json& state = j.at("state");
        d.generation = state.at("generation").get<int>();
        d.population = state.at("population").get<std::vector<int>>();
        d.offspring = state.at("offspring").get<std::vector<int>>();
        for (const Json& genome : state.at("queue"))
            d.queue.push_back(d.space->canonical(genome.get<Genome>()));
        std::istringstream engine(state.at("rng").get<std::string>());
        engine >> d.rng.engine();
        if (engine.fail())
            throw DataError(path, "the random generator's state is unreadable");
        d.elapsedBefore = state.at("elapsed_seconds").get<double>();
        d.finished = state.at("finished").get<bool>();
        for (const int id : d.population)
            if (id < 0 || id >= int(d.archive.size()))
                throw DataError(path, "the population names a candidate that is not in the archive");
        for (const int id : d.offspring)
            if (id < 0 || id >= int(d.archive.size()))
                throw DataError(path, "the offspring names a candidate that is not in the archive");
        d.hypervolumeHistory = j.at("hypervolume_history").get<std::vector<Json>>();
        d.backboneMacs = j.at("backbone").at("macs").get<double>();
        d.backboneCost = j.at("backbone").value("cost", d.backboneMacs);
        d.machine = j.value("machine", std::string());
    } catch (const nlohmann::json::exception& error) {
        throw DataError(path, std::string("corrupt session: ") + error.what());
    } catch (const ConfigError& error) {
        throw DataError(path, std::string("corrupt session: ") + error.what());
    }
    d.experiment = std::make_unique<Experiment>(d.config.experiment);
    d.runStart = Clock::now();
    return std::unique_ptr<Search>(new Search(std::move(impl)));
}

Search::~Search() = default;

void Search::setListener(SearchListener listener)
{
    m_impl->listener = std::move(listener);
}

void Search::prepare(CancelFlag cancel)
{
    Impl& d = *m_impl;
    const ProgressCallback progress = [&d](const TrainingProgress& t) {
        if (!d.listener)
            return;
        SearchEvent event;
        event.progress = d.progress("preparing");
        event.progress.training = t;
        d.listener(event);
    };
    d.experiment->prepare(progress, cancel);
    const std::string key = d.experiment->report().backboneKey;
    if (!d.fingerprint.empty() && d.fingerprint != key)
        throw ConfigError(d.folder + ": this session was run on other data or another backbone (fingerprint "
            + d.fingerprint + ", now " + key + "); point it at the same data set files");
    d.fingerprint = key;
    const Architecture backboneAlone { d.config.experiment.backbone, ConfidenceMeasure::ScoreMargin, {} };
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
        d.backboneCost
            = d.config.costModel == CostModel::Macs ? d.backboneMacs : double(backboneCost.backboneParameters);
    }
    if (d.config.targetFraction > 0 && !resumed)
        d.config.target = d.config.targetFraction * d.backboneCost;
    d.experiment->cacheFeatures({}, progress, cancel);
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
        d.emit(SearchEvent { SearchEvent::Type::Finished, {}, {}, {}, 0, {} });
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
            d.emit(SearchEvent { SearchEvent::Type::Finished, {}, {}, {}, 0, {} });
            return false;
        }
    }
    const Genome genome = d.queue.front();
    const std::vector<int> frontBefore = d.frontIds();
    CandidateRecord record;
    try {
        record = d.evaluate(genome, cancel);
    } catch (const CancelledError&) {
        if (!d.deadlinePassed)
            throw; // the caller's stop: resumable, the candidate is proposed again
        d.log("time budget reached during a candidate: it is dropped and the search ends");
        d.finished = true;
        d.save();
        d.emit(SearchEvent { SearchEvent::Type::Finished, {}, {}, {}, 0, {} });
        return false;
    }
    d.queue.erase(d.queue.begin());
    d.seen[d.space->structureKey(genome)] = record.id;
    d.offspring.push_back(record.id);
    d.archive.push_back(record);
    if (std::optional<Genome> pruned = d.withoutIdleExits(record))
        d.queue.insert(d.queue.begin(), std::move(*pruned));
    if (d.generation == 0 && d.queue.empty())
        d.population = d.offspring; // the initial population has no parents to compete with
    d.save();
    SearchEvent evaluated;
    evaluated.type = SearchEvent::Type::CandidateEvaluated;
    evaluated.candidate = record;
    d.emit(evaluated);
    const std::vector<int> frontAfter = d.frontIds();
    if (frontAfter != frontBefore) {
        SearchEvent changed;
        changed.type = SearchEvent::Type::FrontChanged;
        changed.front = frontAfter;
        changed.hypervolume = d.hypervolumeOf(false);
        d.emit(changed);
    }
    return true;
}

void Search::run(CancelFlag stop, const std::atomic<bool>* pause)
{
    while (!(stop && stop->load())) {
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
    return m_impl->archive.empty() ? 0.0 : m_impl->hypervolumeOf(onTest);
}
double Search::backboneMacs() const
{
    return m_impl->backboneMacs;
}
double Search::backboneCost() const
{
    return m_impl->backboneCost;
}
Experiment& Search::experiment()
{
    return *m_impl->experiment;
}
nlohmann::ordered_json Search::sessionJson() const
{
    return m_impl->sessionJson();
}

} // namespace earlybird
