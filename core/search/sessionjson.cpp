#include "search/sessionjson.h"

#include "base/error.h"
#include "base/parallel.h"
#include "search/paretofront.h"
#include "search/searchspace.h"

#include <algorithm>

namespace earlybird {

namespace {

using Json = nlohmann::ordered_json;

// Identifies a session file, so that another JSON file given by mistake is named as such.
constexpr const char* kSessionFormat = "earlybird-session";
constexpr int kSessionVersion = 1;
// Stored candidates parsed on one thread below this many; above it, on every core.
constexpr std::size_t kParallelRecords = 512;

// An integer field: a JSON integer, never a float, whose conversion to an integer type is undefined behaviour when it
// is out of range (fuzz_session_json found 1.06667e+90 in "exit_counts"). Throws ConfigError, which the readers report
// as a corrupt session naming the file.
template <typename T>
T integerOf(const Json& j)
{
    if (!j.is_number_integer())
        throw ConfigError("'" + j.dump().substr(0, 40) + "' where an integer belongs");
    return j.get<T>();
}

template <typename T>
std::vector<T> integersOf(const Json& j)
{
    if (!j.is_array())
        throw ConfigError("'" + j.dump().substr(0, 40) + "' where a list of integers belongs");
    std::vector<T> values;
    values.reserve(j.size());
    for (const Json& item : j)
        values.push_back(integerOf<T>(item));
    return values;
}

// An integer field that older sessions lack.
template <typename T>
T optionalIntegerOf(const Json& j, const char* key, T fallback)
{
    return j.contains(key) ? integerOf<T>(j.at(key)) : fallback;
}

Json fixedBranchesJson(const std::vector<ExitSpec>& branches)
{
    Json list = Json::array();
    for (const ExitSpec& exit : branches) {
        Json layers = Json::array();
        for (const BranchLayerSpec& layer : exit.layers)
            layers.push_back({ nameOf(layer.type), layer.width, layer.stride });
        list.push_back({ { "position", exit.position }, { "layers", layers } });
    }
    return list;
}

std::vector<ExitSpec> fixedBranchesFromJson(const Json& list, const std::string& source)
{
    std::vector<ExitSpec> branches;
    for (const Json& item : list) {
        ExitSpec exit;
        exit.position = integerOf<int>(item.at("position"));
        for (const Json& layer : item.at("layers"))
            exit.layers.push_back({ fromName<BranchLayerType>(layer.at(0).get<std::string>(), source),
                layer.at(1).get<double>(), integerOf<int>(layer.at(2)) });
        branches.push_back(exit);
    }
    return branches;
}

Json spaceJson(const SearchSpaceOptions& o)
{
    std::vector<std::string> types, measures;
    for (const BranchLayerType t : o.layerTypes)
        types.push_back(nameOf(t));
    for (const ConfidenceMeasure m : o.measures)
        measures.push_back(nameOf(m));
    return Json { { "allowed_positions", o.allowedPositions }, { "min_depth", o.minDepth }, { "max_depth", o.maxDepth },
        { "layer_types", types }, { "widths", o.widths }, { "strides", o.strides },
        { "threshold_levels", o.thresholdLevels }, { "measures", measures }, { "exit_probability", o.exitProbability },
        { "fixed_branches", fixedBranchesJson(o.fixedBranches) } };
}

SearchSpaceOptions spaceFromJson(const Json& j, const std::string& source)
{
    SearchSpaceOptions o;
    o.allowedPositions = integersOf<int>(j.at("allowed_positions"));
    o.minDepth = integerOf<int>(j.at("min_depth"));
    o.maxDepth = integerOf<int>(j.at("max_depth"));
    o.layerTypes.clear();
    for (const std::string& name : j.at("layer_types").get<std::vector<std::string>>())
        o.layerTypes.push_back(fromName<BranchLayerType>(name, source));
    o.widths = j.at("widths").get<std::vector<double>>();
    o.strides = integersOf<int>(j.at("strides"));
    o.thresholdLevels = integerOf<int>(j.at("threshold_levels"));
    o.measures.clear();
    for (const std::string& name : j.at("measures").get<std::vector<std::string>>())
        o.measures.push_back(fromName<ConfidenceMeasure>(name, source));
    o.exitProbability = j.at("exit_probability").get<double>();
    if (j.contains("fixed_branches")) // sessions before the faithful EDANAS and NACHOS heads have none
        o.fixedBranches = fixedBranchesFromJson(j.at("fixed_branches"), source);
    return o;
}

Json configJson(const SearchConfig& c)
{
    const ExperimentConfig& e = c.experiment;
    const TrainingOptions& t = e.backboneTraining;
    const BranchTrainingOptions& b = e.branchTraining;
    return Json { { "name", c.name },
        { "dataset",
            { { "kind", nameOf(e.dataset.kind) }, { "path", e.dataset.path },
                { "cifar100_coarse", e.dataset.cifar100CoarseLabels }, { "svhn_extra", e.dataset.svhnIncludeExtra },
                { "image_height", e.dataset.imageHeight }, { "image_width", e.dataset.imageWidth },
                { "skip_bad_images", e.dataset.skipBadImages } } },
        { "backbone", backboneToJson(e.backbone) },
        { "backbone_training",
            { { "epochs", t.epochs }, { "batch_size", t.batchSize }, { "learning_rate", t.learningRate },
                { "momentum", t.momentum }, { "weight_decay", t.weightDecay }, { "label_smoothing", t.labelSmoothing },
                { "augment", t.augment }, { "warmup_epochs", t.warmupEpochs }, { "precision", nameOf(t.precision) },
                { "channels_last", t.channelsLast } } },
        { "branch_training",
            { { "epochs", b.epochs }, { "batch_size", b.batchSize }, { "learning_rate", b.learningRate },
                { "weight_decay", b.weightDecay }, { "precision", nameOf(b.precision) },
                { "channels_last", b.channelsLast } } },
        { "validation_fraction", e.validationFraction }, { "seed", e.seed }, { "cache_directory", e.cacheDirectory },
        { "feature_cache_bytes", e.featureCacheBytes }, { "backbone_weights", e.backboneWeights },
        { "backbone_weights_hash", e.backboneWeightsHash }, { "calibrate", e.calibrate },
        { "space", spaceJson(c.space) },
        { "cost_model", nameOf(c.costModel) }, { "target", c.target }, { "target_fraction", c.targetFraction },
        { "mode", nameOf(c.mode) }, { "convention", nameOf(c.convention) }, { "population", c.population },
        { "generations", c.generations }, { "search_seed", c.searchSeed },
        { "time_budget_seconds", c.timeBudgetSeconds }, { "crossover_probability", c.crossoverProbability },
        { "mutation_rate", c.mutationRate }, { "aebnas_lambda", c.aebnasLambda },
        { "aebnas_grid_step", c.aebnasGridStep }, { "aebnas_thresholds", c.aebnasThresholds },
        { "aebnas_max_combinations", c.aebnasMaxCombinations }, { "random_only", c.randomOnly },
        { "max_branch_macs_fraction", c.maxBranchMacsFraction }, { "max_parameters", c.maxParameters },
        { "composed_per_branch", c.composedPerBranch }, { "screen_epochs", c.screenEpochs },
        { "screen_subset", c.screenSubset }, { "screen_margin", c.screenMargin },
        { "screen_compose", c.screenCompose } };
}

SearchConfig configFromJson(const Json& j, const std::string& source)
{
    SearchConfig c;
    c.name = j.at("name").get<std::string>();
    ExperimentConfig& e = c.experiment;
    const Json& d = j.at("dataset");
    e.dataset.kind = fromName<DatasetKind>(d.at("kind").get<std::string>());
    e.dataset.path = d.at("path").get<std::string>();
    e.dataset.cifar100CoarseLabels = d.at("cifar100_coarse").get<bool>();
    e.dataset.svhnIncludeExtra = d.at("svhn_extra").get<bool>();
    // Sessions before image folders have none of these.
    e.dataset.imageHeight = optionalIntegerOf(d, "image_height", 0);
    e.dataset.imageWidth = optionalIntegerOf(d, "image_width", 0);
    e.dataset.skipBadImages = d.value("skip_bad_images", false);
    e.backbone = backboneFromJson(j.at("backbone"), source);
    const Json& t = j.at("backbone_training");
    e.backboneTraining.epochs = integerOf<int>(t.at("epochs"));
    e.backboneTraining.batchSize = integerOf<int>(t.at("batch_size"));
    e.backboneTraining.learningRate = t.at("learning_rate").get<double>();
    e.backboneTraining.momentum = t.at("momentum").get<double>();
    e.backboneTraining.weightDecay = t.at("weight_decay").get<double>();
    e.backboneTraining.labelSmoothing = t.at("label_smoothing").get<double>();
    e.backboneTraining.augment = t.at("augment").get<bool>();
    // Sessions before precision settings trained in float32, without warm-up.
    e.backboneTraining.warmupEpochs = optionalIntegerOf<int>(t, "warmup_epochs", 0);
    e.backboneTraining.precision = fromName<Precision>(t.value("precision", std::string("fp32")), source);
    e.backboneTraining.channelsLast = t.value("channels_last", false);
    const Json& b = j.at("branch_training");
    e.branchTraining.epochs = integerOf<int>(b.at("epochs"));
    e.branchTraining.batchSize = integerOf<int>(b.at("batch_size"));
    e.branchTraining.learningRate = b.at("learning_rate").get<double>();
    e.branchTraining.weightDecay = b.at("weight_decay").get<double>();
    e.branchTraining.precision = fromName<Precision>(b.value("precision", std::string("fp32")), source);
    e.branchTraining.channelsLast = b.value("channels_last", false);
    e.validationFraction = j.at("validation_fraction").get<double>();
    e.seed = integerOf<std::uint64_t>(j.at("seed"));
    e.cacheDirectory = j.at("cache_directory").get<std::string>();
    e.featureCacheBytes = integerOf<std::int64_t>(j.at("feature_cache_bytes"));
    // Sessions before imported backbones trained theirs.
    e.backboneWeights = j.value("backbone_weights", std::string());
    e.backboneWeightsHash = j.value("backbone_weights_hash", std::string());
    e.calibrate = j.value("calibrate", false); // sessions before calibration did not calibrate
    c.space = spaceFromJson(j.at("space"), source);
    // Sessions before cost models had only a MAC target.
    c.costModel = fromName<CostModel>(j.value("cost_model", std::string("macs")));
    c.target = j.contains("target") ? j.at("target").get<double>() : j.at("target_macs").get<double>();
    c.targetFraction = j.value("target_fraction", 0.0);
    c.mode = fromName<TargetMode>(j.at("mode").get<std::string>());
    c.convention = fromName<CostConvention>(j.at("convention").get<std::string>());
    c.population = integerOf<int>(j.at("population"));
    c.generations = integerOf<int>(j.at("generations"));
    c.searchSeed = optionalIntegerOf(j, "search_seed", std::uint64_t(0)); // sessions before it used the experiment's
    c.timeBudgetSeconds = j.at("time_budget_seconds").get<double>();
    c.crossoverProbability = j.at("crossover_probability").get<double>();
    c.mutationRate = j.at("mutation_rate").get<double>();
    c.aebnasLambda = j.at("aebnas_lambda").get<double>();
    c.aebnasGridStep = j.at("aebnas_grid_step").get<double>();
    c.aebnasThresholds = j.value("aebnas_thresholds", std::vector<double>());
    c.aebnasMaxCombinations = integerOf<std::int64_t>(j.at("aebnas_max_combinations"));
    c.randomOnly = j.at("random_only").get<bool>();
    c.maxBranchMacsFraction = j.value("max_branch_macs_fraction", 0.0);
    c.maxParameters = optionalIntegerOf(j, "max_parameters", std::int64_t(0));
    c.composedPerBranch
        = optionalIntegerOf(j, "composed_per_branch", 0); // sessions before the composer resume without it
    c.screenEpochs = optionalIntegerOf(j, "screen_epochs", 0); // nor screening
    c.screenSubset = j.value("screen_subset", c.screenSubset);
    c.screenMargin = j.value("screen_margin", c.screenMargin);
    c.screenCompose = j.value("screen_compose", c.screenCompose);
    return c;
}

Json recordToJson(const CandidateRecord& r)
{
    return Json { { "id", r.id }, { "generation", r.generation }, { "genome", r.genome },
        { "architecture", architectureToJson(r.architecture) }, { "exit_costs", r.exitCosts },
        { "parameters", r.parameters }, { "validation", policyToJson(r.validation) }, { "test", policyToJson(r.test) },
        { "seconds", r.seconds }, { "branches_trained", r.branchesTrained }, { "composed", r.composed } };
}

CandidateRecord recordFromJson(
    const Json& item, const SearchSpace& space, CostConvention convention, const std::string& source)
{
    CandidateRecord r;
    r.id = integerOf<int>(item.at("id"));
    r.generation = integerOf<int>(item.at("generation"));
    r.genome = space.canonical(integersOf<int>(item.at("genome")));
    r.architecture = architectureFromJson(item.at("architecture"), source);
    r.parameters = optionalIntegerOf(item, "parameters", std::int64_t(0));
    if (item.contains("exit_costs")) {
        r.exitCosts = item.at("exit_costs").get<std::vector<double>>();
    } else { // sessions before cost models counted MACs
        const NetworkCost cost = countNetworkCost(r.architecture);
        r.exitCosts = exitMacsOf(cost, convention);
        r.parameters = cost.totalParameters;
    }
    if (r.exitCosts.size() != r.architecture.exits.size() + 1)
        throw DataError(source, "candidate " + std::to_string(r.id) + " has a cost for the wrong number of exits");
    r.validation = policyFromJson(item.at("validation"));
    r.test = policyFromJson(item.at("test"));
    r.seconds = item.at("seconds").get<double>();
    r.branchesTrained = integerOf<int>(item.at("branches_trained"));
    r.composed = item.value("composed", false);
    return r;
}

void checkIds(const std::vector<int>& ids, std::size_t archiveSize, const char* what, const std::string& source)
{
    for (const int id : ids) {
        if (id < 0 || std::size_t(id) >= archiveSize)
            throw DataError(source, std::string("the ") + what + " names a candidate that is not in the archive");
    }
}

} // namespace

Json policyToJson(const PolicyResult& r)
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
    r.exitCounts = integersOf<std::int64_t>(j.at("exit_counts"));
    r.correctAtExit = integersOf<std::int64_t>(j.at("correct_at_exit"));
    r.samples = integerOf<std::int64_t>(j.at("samples"));
    r.thresholds = j.at("thresholds").get<std::vector<double>>();
    return r;
}

Json searchConfigToJson(const SearchConfig& config)
{
    return configJson(config);
}

SearchConfig searchConfigFromJson(const Json& json, const std::string& source)
{
    try {
        return configFromJson(json, source);
    } catch (const nlohmann::json::exception& error) {
        throw DataError(source, std::string("unreadable search settings: ") + error.what());
    } catch (const ConfigError& error) {
        throw DataError(source, std::string("unreadable search settings: ") + error.what());
    }
}

Json sessionjson::header(const Session& s)
{
    Json history = Json::array();
    for (const HypervolumeRecord& h : s.hypervolumeHistory)
        history.push_back(Json { { "generation", h.generation }, { "evaluated", h.evaluated },
            { "elapsed_seconds", h.elapsedSeconds }, { "hypervolume_validation", h.validation },
            { "hypervolume_test", h.test }, { "candidate_hypervolume_validation", h.candidateValidation },
            { "candidate_hypervolume_test", h.candidateTest } });
    Json front = Json::array();
    for (const FrontPoint& p : s.thresholdFront)
        front.push_back(Json { { "candidate", p.candidate }, { "thresholds", p.thresholds }, { "accuracy", p.accuracy },
            { "cost", p.cost }, { "macs", p.macs }, { "test_accuracy", p.testAccuracy }, { "test_cost", p.testCost } });
    const SearchState& state = s.state;
    return Json { { "format", kSessionFormat }, { "version", kSessionVersion }, { "config", configJson(s.config) },
        { "fingerprint", s.fingerprint },
        { "backbone",
            { { "macs", s.backbone.macs }, { "cost", s.backbone.cost },
                { "validation_accuracy", s.backbone.validationAccuracy },
                { "test_accuracy", s.backbone.testAccuracy } } },
        { "machine", s.machine },
        { "hypervolume_reference",
            { { "accuracy", kHypervolumeReferenceAccuracy }, { "cost_vs_backbone", kHypervolumeReferenceCost } } },
        { "state",
            { { "generation", state.generation }, { "population", state.population }, { "offspring", state.offspring },
                { "queue", state.queue }, { "screened_out", state.screenedOut }, { "rng", state.rng },
                { "elapsed_seconds", state.elapsedSeconds }, { "finished", state.finished } } },
        { "threshold_front", front }, { "hypervolume_history", history } };
}

Json sessionToJson(const Session& s)
{
    Json json = sessionjson::header(s);
    Json archive = Json::array();
    for (const CandidateRecord& r : s.archive)
        archive.push_back(recordToJson(r));
    // Derived, for readers of the exported file.
    json["archive"] = std::move(archive);
    json["front"] = tradeOffFront(s.archive, s.backbone.cost);
    json["hypervolume"] = { { "validation", frontHypervolume(s.thresholdFront, s.backbone.cost, false) },
        { "test", frontHypervolume(s.thresholdFront, s.backbone.cost, true) },
        { "candidates_validation", tradeOffHypervolume(s.archive, s.backbone.cost, false) },
        { "candidates_test", tradeOffHypervolume(s.archive, s.backbone.cost, true) } };
    return json;
}

namespace {

// What a session is: its format, settings and fingerprint. Throws DataError for another file or a newer format.
void readSessionIdentity(const Json& j, const std::string& source, Session& s)
{
    if (!j.is_object() || j.value("format", std::string()) != kSessionFormat)
        throw DataError(source, "not an Earlybird search session");
    if (integerOf<int>(j.at("version")) > kSessionVersion)
        throw DataError(source, "written by a newer Earlybird");
    s.config = configFromJson(j.at("config"), source);
    validateSearchConfig(s.config);
    s.fingerprint = j.at("fingerprint").get<std::string>();
}

// Appends `count` candidate records to `s.archive`, which their ids must continue; `parse(i, space)` reads record i. At
// thousands of candidates parsing their JSON is most of opening a session, so from kParallelRecords on they are parsed
// on every core (up to 8), in contiguous shares, so that a corrupt record is reported as it would be in order: the
// first.
template <typename Parse>
void appendRecords(std::size_t count, const std::string& source, Session& s, const Parse& parse)
{
    if (count == 0)
        return;
    const SearchSpace space(std::vector<BackboneSpec> { s.config.experiment.backbone }, s.config.space);
    std::vector<CandidateRecord> records(count);
    forEachInShares(
        count, [&](std::size_t i) { records[i] = parse(i, space); }, kParallelRecords);
    for (CandidateRecord& r : records) {
        if (r.id != int(s.archive.size()))
            throw DataError(source, "candidate ids are out of order");
        s.archive.push_back(std::move(r));
    }
}

// A session.json's candidate records (a JSON array).
void readSessionRecords(const Json& records, const std::string& source, Session& s)
{
    appendRecords(records.size(), source, s, [&](std::size_t i, const SearchSpace& space) {
        return recordFromJson(records.at(i), space, s.config.convention, source);
    });
}

// A store's candidate rows, as text.
void readStoredRecords(const std::vector<std::string>& texts, const std::string& source, Session& s)
{
    appendRecords(texts.size(), source, s, [&](std::size_t i, const SearchSpace& space) {
        return recordFromJson(Json::parse(texts[i]), space, s.config.convention, source);
    });
}

// Where the session stands: its state, hypervolume history, front and backbone, checked against `s.archive`.
void readSessionProgress(const Json& j, const std::string& source, Session& s)
{
    const SearchSpace space(std::vector<BackboneSpec> { s.config.experiment.backbone }, s.config.space);
    const Json& state = j.at("state");
    s.state = SearchState();
    s.state.generation = integerOf<int>(state.at("generation"));
    s.state.population = integersOf<int>(state.at("population"));
    s.state.offspring = integersOf<int>(state.at("offspring"));
    for (const Json& genome : state.at("queue"))
        s.state.queue.push_back(space.canonical(integersOf<int>(genome)));
    if (state.contains("screened_out")) // sessions before screening have none
        for (const Json& genome : state.at("screened_out"))
            s.state.screenedOut.push_back(space.canonical(integersOf<int>(genome)));
    s.state.rng = state.at("rng").get<std::string>();
    s.state.elapsedSeconds = state.at("elapsed_seconds").get<double>();
    s.state.finished = state.at("finished").get<bool>();
    checkIds(s.state.population, s.archive.size(), "population", source);
    checkIds(s.state.offspring, s.archive.size(), "offspring", source);
    s.hypervolumeHistory.clear();
    for (const Json& h : j.at("hypervolume_history")) {
        HypervolumeRecord record { integerOf<int>(h.at("generation")), integerOf<int>(h.at("evaluated")),
            h.at("elapsed_seconds").get<double>(), h.at("hypervolume_validation").get<double>(),
            h.at("hypervolume_test").get<double>(), 0, 0 };
        // Before threshold fronts the only hypervolume was the candidates'.
        record.candidateValidation = h.value("candidate_hypervolume_validation", record.validation);
        record.candidateTest = h.value("candidate_hypervolume_test", record.test);
        s.hypervolumeHistory.push_back(record);
    }
    s.thresholdFront.clear();
    if (j.contains("threshold_front")) {
        for (const Json& p : j.at("threshold_front")) {
            FrontPoint point { integerOf<int>(p.at("candidate")), p.at("thresholds").get<std::vector<double>>(),
                p.at("accuracy").get<double>(), p.at("cost").get<double>(), p.at("macs").get<double>(),
                p.at("test_accuracy").get<double>(), p.at("test_cost").get<double>() };
            if (point.candidate < 0 || std::size_t(point.candidate) >= s.archive.size()
                || point.thresholds.size() != s.archive[std::size_t(point.candidate)].architecture.exits.size())
                throw DataError(source, "the threshold front names a candidate that is not in the archive");
            s.thresholdFront.push_back(std::move(point));
        }
    } else {
        ThresholdFront front;
        for (const CandidateRecord& r : s.archive)
            front.add({ { r.id, r.validation.thresholds, r.validation.accuracy, r.validation.averageCost,
                r.validation.averageMacs, r.test.accuracy, r.test.averageCost } });
        s.thresholdFront = front.points();
    }
    const Json& backbone = j.at("backbone");
    s.backbone.macs = backbone.at("macs").get<double>();
    s.backbone.cost = backbone.value("cost", s.backbone.macs);
    s.backbone.validationAccuracy = backbone.value("validation_accuracy", 0.0);
    s.backbone.testAccuracy = backbone.value("test_accuracy", 0.0);
    s.machine = j.value("machine", std::string());
}

// Runs one of the readers above with the JSON and settings errors of a corrupt file turned into a DataError.
template <typename Read>
void readCorruptible(const std::string& source, Read read)
{
    try {
        read();
    } catch (const nlohmann::json::exception& error) {
        throw DataError(source, std::string("corrupt session: ") + error.what());
    } catch (const ConfigError& error) {
        throw DataError(source, std::string("corrupt session: ") + error.what());
    }
}

} // namespace

Session sessionFromJson(const Json& j, const std::string& source)
{
    Session s;
    readCorruptible(source, [&] {
        readSessionIdentity(j, source, s);
        readSessionRecords(j.at("archive"), source, s);
        readSessionProgress(j, source, s);
    });
    return s;
}

const std::vector<const char*> sessionjson::kMetaKeys = { "format", "version", "config", "fingerprint", "backbone",
    "machine", "state", "threshold_front", "hypervolume_history" };

Json sessionjson::record(const CandidateRecord& r)
{
    return recordToJson(r);
}

void sessionjson::read(
    const Json& header, const std::vector<std::string>& records, const std::string& source, Session& session)
{
    readCorruptible(source, [&] {
        readSessionIdentity(header, source, session);
        readStoredRecords(records, source, session);
        readSessionProgress(header, source, session);
    });
}

} // namespace earlybird
