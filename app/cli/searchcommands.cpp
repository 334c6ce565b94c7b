#include "argumentparser.h"
#include "cluster.h"
#include "commands.h"
#include "familycommands.h"
#include "trainingoptions.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/fileio.h"
#include "model/backbonepresets.h"
#include "search/baselines.h"
#include "search/search.h"
#include "search/sessionfile.h"
#include "search/sessionjson.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace earlybird::cli {

namespace {

using Json = nlohmann::ordered_json;

void addSearchOptions(ArgumentParser& parser)
{
    addTrainingOptions(parser);
    parser.addOption("backbone", "PRESET|FILE",
        "backbone preset, or a backbone JSON file of your own (default: the preset sized for the data set)");
    parser.addOption("cost", "MODEL",
        "what the search minimises: macs (analytic), latency (timed on this CPU) or parameters (weights used per "
        "sample)",
        std::string("macs"));
    parser.addOption("target", "T",
        "average cost to aim for, in the cost's unit: 0.6x of the backbone's, 2.5M (MACs, parameters), 800us or "
        "1.5ms (latency)",
        std::string("0.6x"));
    parser.addOption("target-macs", "M", "the same as --target with --cost macs: 2.5M, 800k, or 0.6x");
    parser.addOption("max-parameters", "N", "never propose a network with more parameters in all (2M, 500k; 0: any)",
        std::string("0"));
    parser.addOption("mode", "NAME",
        "budget (hard budget, constrained domination), aebnas (the AEBNAS paper's objectives) or nachos (one "
        "shared threshold lowered until within the target)",
        std::string("budget"));
    parser.addOption("population", "P", "candidates per generation", std::string("16"));
    parser.addOption("generations", "G", "generations after the first (0: until the time budget)", std::string("0"));
    parser.addOption("search-seed", "S",
        "seed of the search's own choices, apart from --seed (which sets the split, the backbone and the branches' "
        "training): several search seeds share one trained backbone (0: --seed)",
        std::string("0"));
    parser.addOption(
        "time-budget", "MIN", "minutes, backbone training included (0: until the generations)", std::string("10"));
    parser.addOption("max-branch-macs", "F", "never propose a branch dearer than F x the backbone's MACs (0: no cap)",
        std::string("0.25"));
    parser.addOption("compose", "N",
        "candidates composed from trained branches (evaluated exactly, nothing trained) per new branch (0: off)",
        std::to_string(SearchConfig {}.composedPerBranch));
    parser.addOption("screen-epochs", "E",
        "multi-fidelity screening: new branches get E epochs on part of the images first, full training only if "
        "they could reach the front (0: off)",
        std::string("0"));
    parser.addOption(
        "screen-subset", "F", "share of the cached training images screening trains on", std::string("0.5"));
    parser.addOption("screen-margin", "A",
        "accuracy (a fraction) added to a screened curve before it is compared with the front", std::string("0"));
    parser.addOption(
        "screen-compose", "N", "compositions around a screened candidate's new branches to look at", std::string("8"));
    parser.addOption("out", "DIR", "session folder: the session is saved there after every candidate");
    parser.addFlag("resume", "continue the session in --out (its settings are the session's)");
    parser.addOption("worker-timeout", "S",
        "under mpirun: seconds a worker rank holding branch jobs may be silent before they go to other ranks",
        std::string("120"));
}

FarmOptions farmOptions(const ArgumentParser& parser)
{
    FarmOptions options;
    options.silenceSeconds = parser.doubleValue("worker-timeout", 120);
    if (!(options.silenceSeconds > 0))
        throw UsageError("--worker-timeout needs a number of seconds above 0");
    return options;
}

// What --config says in a search's --help.
const char* const kConfigFileHelp
    = "read options from FILE, `name = value` lines in TOML or INI (session export --config writes one for a "
      "session); options on the command line win";

// Ranks times compositions per branch past which rank 0, composing, is what the workers wait for: a branch trains in
// about 11 s, a composed candidate costs about 20 ms (Fashion-MNIST, docs/measurements.md, sessions 7 and 9).
constexpr int kRankComposeProduct = 540;

void printLog(const std::string& message)
{
    std::fprintf(stderr, "%s%s\n", ::isatty(STDERR_FILENO) ? "\r\033[K" : "", message.c_str());
}

// The search the options describe. Its backbone is sized for the data set, which is loaded for it, unless `backbone`
// is given.
SearchConfig searchConfig(const ArgumentParser& parser, const BackboneSpec* backbone = nullptr)
{
    SearchConfig config;
    config.experiment = experimentConfig(parser);
    config.experiment.backbone = backbone
        ? *backbone
        : backboneForDataset(config.experiment.dataset, parser.value("backbone").value_or(std::string()));
    config.costModel = fromName<CostModel>(*parser.value("cost"));
    std::string targetOption = "--target";
    std::string targetText = *parser.value("target");
    if (parser.isSet("target-macs")) {
        if (config.costModel != CostModel::Macs)
            throw UsageError(
                "--target-macs sets a MAC target; with --cost " + nameOf(config.costModel) + " use --target");
        if (parser.isSet("target"))
            throw UsageError("give --target or --target-macs, not both");
        targetOption = "--target-macs";
        targetText = *parser.value("target-macs");
    }
    const CostAmount target = parseCostAmount(targetText, config.costModel, targetOption);
    (target.isFraction ? config.targetFraction : config.target) = target.value;
    const std::string maxParameters = *parser.value("max-parameters");
    if (maxParameters != "0") {
        const CostAmount limit = parseCostAmount(maxParameters, CostModel::Parameters, "--max-parameters");
        if (limit.isFraction)
            throw UsageError("--max-parameters takes a number of parameters (2M, 500k), not a fraction");
        config.maxParameters = std::int64_t(limit.value);
    }
    config.mode = fromName<TargetMode>(*parser.value("mode"));
    config.population = parser.intValue("population", 16);
    config.maxBranchMacsFraction = parser.doubleValue("max-branch-macs", 0.25);
    config.composedPerBranch = parser.intValue("compose", config.composedPerBranch);
    config.screenEpochs = parser.intValue("screen-epochs", 0);
    config.screenSubset = parser.doubleValue("screen-subset", 0.5);
    config.screenMargin = parser.doubleValue("screen-margin", 0);
    config.screenCompose = parser.intValue("screen-compose", 8);
    config.generations = parser.intValue("generations", 0);
    const int searchSeed = parser.intValue("search-seed", 0);
    if (searchSeed < 0)
        throw UsageError("--search-seed needs a seed of 0 or more");
    config.searchSeed = std::uint64_t(searchSeed);
    config.timeBudgetSeconds = parser.doubleValue("time-budget", 10) * 60.0;
    if (parser.isSet("generations") && !parser.isSet("time-budget"))
        config.timeBudgetSeconds = 0; // generations alone bound the search
    return config;
}

// One rewritten line on a terminal; a line per candidate and per phase change otherwise.
SearchListener progressPrinter(const Search& search)
{
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    auto lastPhase = std::make_shared<TrainingPhase>(TrainingPhase::None);
    auto lastPrint = std::make_shared<std::chrono::steady_clock::time_point>();
    return [terminal, lastPhase, lastPrint, &search](const SearchEvent& event) {
        if (const auto* log = std::get_if<LogEvent>(&event)) {
            printLog(log->message);
            return;
        }
        const auto* training = std::get_if<TrainingEvent>(&event);
        const auto* candidate = std::get_if<CandidateEvent>(&event);
        if (!training && !candidate)
            return;
        const SearchProgress& p = training ? training->progress : candidate->progress;
        char line[240];
        if (p.phase == SearchPhase::Preparing) {
            const TrainingProgress& t = p.training;
            // Off a terminal: a line when the phase changes and every few seconds, not every update.
            const auto now = std::chrono::steady_clock::now();
            if (!terminal && t.phase == *lastPhase && t.fraction < 1.0 && now - *lastPrint < std::chrono::seconds(5))
                return;
            *lastPhase = t.phase;
            *lastPrint = now;
            if (t.epochs > 0)
                std::snprintf(line, sizeof line, "preparing: %s, epoch %d/%d, %.0f%%, %.0f images/s, ETA %.0f s",
                    nameOf(t.phase).c_str(), t.epoch, t.epochs, 100 * t.fraction, t.imagesPerSecond, t.etaSeconds);
            else
                std::snprintf(line, sizeof line, "preparing: %s %.0f%%", nameOf(t.phase).c_str(), 100 * t.fraction);
        } else if (candidate || terminal) {
            const int width = 24;
            const int filled = int(p.fraction * width);
            const std::string bar
                = std::string(std::size_t(filled), '#') + std::string(std::size_t(width - filled), '.');
            char rate[32] = "-";
            if (p.candidatesPerMinute > 0)
                std::snprintf(rate, sizeof rate, "%.1f", p.candidatesPerMinute);
            std::snprintf(line, sizeof line,
                "[%s] %3.0f%% gen %d, %d candidates, %s/min, front %zu points, HV %.4f, ETA %.0f s", bar.c_str(),
                100 * p.fraction, p.generation, p.evaluated, rate, search.thresholdFront().size(), search.hypervolume(),
                p.etaSeconds);
        } else {
            return;
        }
        if (terminal)
            std::fprintf(stderr, "\r\033[K%s", line);
        else
            std::fprintf(stderr, "%s\n", line);
    };
}

Json summary(Search& search, const MpiBranchFarm* farm)
{
    const std::vector<CandidateRecord>& archive = search.archive();
    const ExperimentReport& report = search.experiment().report();
    const SearchConfig& config = search.config();
    const double backboneMacs = search.backboneMacs();
    const double backboneCost = search.backboneCost();
    Json front = Json::array();
    for (const int id : search.front()) {
        const CandidateRecord& r = archive[std::size_t(id)];
        front.push_back(
            { { "id", id }, { "exits", r.architecture.exits.size() }, { "validation_accuracy", r.validation.accuracy },
                { "test_accuracy", r.test.accuracy }, { "cost_vs_backbone", r.validation.averageCost / backboneCost },
                { "test_cost_vs_backbone", r.test.averageCost / backboneCost },
                { "macs_vs_backbone", r.validation.averageMacs / backboneMacs },
                { "test_macs_vs_backbone", r.test.averageMacs / backboneMacs }, { "parameters", r.parameters } });
    }
    // The session's front over threshold settings: each point an architecture with one threshold vector.
    const auto pointJson = [&](const FrontPoint& p) {
        const CandidateRecord& r = archive[std::size_t(p.candidate)];
        return Json { { "candidate", p.candidate }, { "thresholds", p.thresholds },
            { "validation_accuracy", p.accuracy }, { "test_accuracy", p.testAccuracy },
            { "cost_vs_backbone", p.cost / backboneCost }, { "test_cost_vs_backbone", p.testCost / backboneCost },
            { "macs_vs_backbone", p.macs / backboneMacs }, { "exits", r.architecture.exits.size() } };
    };
    Json thresholdFront = Json::array();
    for (const FrontPoint& p : search.thresholdFront())
        thresholdFront.push_back(pointJson(p));
    // The most accurate front point (on validation) within the session's own target (on validation too).
    Json best = nullptr;
    if (const FrontPoint* p = bestWithin(search.thresholdFront(), config.target)) {
        Architecture architecture = archive[std::size_t(p->candidate)].architecture;
        for (std::size_t e = 0; e < architecture.exits.size(); ++e)
            architecture.exits[e].threshold = p->thresholds[e];
        best = pointJson(*p);
        best["parameters"] = archive[std::size_t(p->candidate)].parameters;
        best["architecture"] = architectureToJson(architecture);
    }
    const SearchTimes times = search.times();
    const ScreeningCounts screening = search.screening();
    return Json { { "session", sessionFilePath(search.sessionFolder()) }, { "name", config.name },
        { "finished", search.isFinished() }, { "candidates", archive.size() },
        { "composed",
            std::count_if(archive.begin(), archive.end(), [](const CandidateRecord& r) { return r.composed; }) },
        { "branches_trained", report.branchesTrained }, { "branches_reused", report.branchesFromCache },
        { "backbone",
            { { "name", config.experiment.backbone.name }, { "macs", backboneMacs }, { "cost", backboneCost },
                { "test_accuracy", report.backboneTestAccuracy }, { "from_cache", report.backboneFromCache },
                { "train_seconds", report.backboneTrainSeconds } } },
        { "cost_model", nameOf(config.costModel) }, { "cost_unit", costModelUnit(config.costModel) },
        { "target", config.target },
        { "hypervolume",
            { { "validation", search.hypervolume(false) }, { "test", search.hypervolume(true) },
                { "candidates_validation", search.candidateHypervolume(false) },
                { "candidates_test", search.candidateHypervolume(true) },
                { "reference",
                    { { "accuracy", kHypervolumeReferenceAccuracy },
                        { "cost_vs_backbone", kHypervolumeReferenceCost } } } } },
        { "threshold_front", thresholdFront }, { "front", front }, { "best_within_target", best },
        { "seconds",
            { { "data", times.data }, { "backbone", times.backbone }, { "features", times.features },
                { "branch_training", times.branches }, { "screening", times.screening }, { "tuning", times.tuning },
                { "saving", times.saving } } },
        { "screening",
            { { "screened", screening.screened }, { "rejected", screening.rejected },
                { "branches_not_trained", screening.branchesSkipped } } },
        { "ranks",
            { { "count", clusterRanks() }, { "branches_by_workers", farm ? farm->workerBranches() : 0 },
                { "branches_by_rank0", farm ? farm->localBranches() : 0 },
                { "jobs_requeued", farm ? farm->requeued() : 0 } } },
        { "elapsed_seconds", times.elapsed } };
}

// A number as a config file holds it: every digit a double has, so that it reads back the same.
std::string exactNumber(double value)
{
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

std::string tomlString(const std::string& text)
{
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

// The settings of a session as a `search --config` file (TOML): every option the search was run with, resolved, so
// that the same command reruns it. Settings no option sets (a baseline's own space, say) are named in a comment, and
// on stderr, when they differ from what the options give.
std::string searchConfigFile(const SearchConfig& c, const std::string& folder)
{
    const ExperimentConfig& e = c.experiment;
    std::optional<Baseline> baseline;
    for (const Baseline b : { Baseline::Backbone, Baseline::Edanas, Baseline::Nachos, Baseline::AebnasPaper }) {
        if (c.name == "baseline-" + nameOf(b))
            baseline = b;
    }
    std::string target;
    if (c.targetFraction > 0)
        target = exactNumber(c.targetFraction) + "x";
    else
        target = exactNumber(c.target) + (c.costModel == CostModel::Latency ? "us" : "");
    const std::vector<std::pair<std::string, std::string>> options = {
        { "dataset", tomlString(nameOf(e.dataset.kind)) },
        { "path", tomlString(e.dataset.path) },
        { "backbone", tomlString(e.backbone.name) },
        { "epochs", std::to_string(e.backboneTraining.epochs) },
        { "seed", std::to_string(e.seed) },
        { "validation-fraction", exactNumber(e.validationFraction) },
        { "batch-size", std::to_string(e.backboneTraining.batchSize) },
        { "learning-rate", exactNumber(e.backboneTraining.learningRate) },
        { "label-smoothing", exactNumber(e.backboneTraining.labelSmoothing) },
        { "warmup-epochs", std::to_string(e.backboneTraining.warmupEpochs) },
        { "precision", tomlString(nameOf(e.backboneTraining.precision)) },
        { "branch-epochs", std::to_string(e.branchTraining.epochs) },
        { "feature-memory", exactNumber(double(e.featureCacheBytes) / double(1 << 20)) },
        { "cache", tomlString(e.cacheDirectory) },
        { "backbone-weights", tomlString(e.backboneWeights) },
        { "no-augment", std::string(e.backboneTraining.augment ? "false" : "true") },
        { "calibrate", std::string(e.calibrate ? "true" : "false") },
        { "cost", tomlString(nameOf(c.costModel)) },
        { "target", tomlString(target) },
        { "max-parameters", tomlString(std::to_string(c.maxParameters)) },
        { "mode", tomlString(nameOf(c.mode)) },
        { "population", std::to_string(c.population) },
        { "generations", std::to_string(c.generations) },
        { "search-seed", std::to_string(c.searchSeed) },
        { "time-budget", exactNumber(c.timeBudgetSeconds / 60.0) },
        { "max-branch-macs", exactNumber(c.maxBranchMacsFraction) },
        { "compose", std::to_string(c.composedPerBranch) },
        { "screen-epochs", std::to_string(c.screenEpochs) },
        { "screen-subset", exactNumber(c.screenSubset) },
        { "screen-margin", exactNumber(c.screenMargin) },
        { "screen-compose", std::to_string(c.screenCompose) },
    };
    std::string body;
    for (const auto& [name, value] : options)
        body += name + " = " + value + "\n";
    // What the file gives, read back as `search --config` reads it (with the session's backbone, not loading the data
    // to size one, and the target the session resolved), to find the settings no option carries.
    ArgumentParser readBack("", "");
    addSearchOptions(readBack);
    readBack.parseConfigText(body);
    SearchConfig probe = searchConfig(readBack, &e.backbone);
    if (baseline)
        probe = baselineConfig(probe, *baseline);
    if (c.targetFraction > 0)
        probe.target = c.target;
    const Json have = searchConfigToJson(c);
    const Json given = searchConfigToJson(probe);
    std::vector<std::string> lost;
    for (auto item = have.begin(); item != have.end(); ++item) {
        if (!given.contains(item.key()) || given.at(item.key()) != item.value())
            lost.push_back(item.key());
    }
    std::string text = "# The settings of the session in " + folder
        + ", resolved. Run it again with\n#   earlybird-cli "
        + (baseline ? "baseline " + nameOf(*baseline) : std::string("search"))
        + " --config THIS_FILE --out NEW_FOLDER\n" + "# (options given on the command line win over the ones here).\n";
    if (!lost.empty()) {
        std::string names;
        for (const std::string& name : lost)
            names += (names.empty() ? "" : ", ") + name;
        text += "# Not carried by any option, so not reproduced: " + names + "\n";
        std::fprintf(
            stderr, "earlybird-cli: note: no option carries these settings of the session: %s\n", names.c_str());
    }
    return text + body;
}

int runSession(std::unique_ptr<Search> search, const FarmOptions& options)
{
    search->setListener(progressPrinter(*search));
    std::optional<InterruptFlag> interrupt;
    interrupt.emplace();
    // Under mpirun: the other ranks train branches once this one has the backbone in the cache folder.
    std::unique_ptr<MpiBranchFarm> farm;
    if (clusterRanks() > 1) {
        farm = std::make_unique<MpiBranchFarm>(*search, clusterRanks(), options, printLog);
        try {
            search->prepare(interrupt->flag());
        } catch (const CancelledError&) {
            // stopped while preparing: run() below returns at once
        }
        if (search->isPrepared()) {
            farm->start();
            search->setBranchFarm(farm.get());
            printLog("branch training on " + std::to_string(clusterRanks()) + " ranks: rank 0 and "
                + std::to_string(clusterRanks() - 1) + " worker(s)");
            // Rank 0 composes around every branch (about 20 ms a candidate) while a branch takes about 11 s to train
            // (docs/cluster.md): past about 540 / compose ranks, the workers wait for it.
            const int compose = search->config().composedPerBranch;
            if (compose > 0 && clusterRanks() * compose > kRankComposeProduct)
                printLog("note: with --compose " + std::to_string(compose) + " rank 0 composes more than "
                    + std::to_string(clusterRanks()) + " ranks can train for, and they will wait for it: --compose "
                    + std::to_string(std::max(1, kRankComposeProduct / clusterRanks()))
                    + " or less keeps them busy (docs/cluster.md)");
        }
    }
    search->run(interrupt->flag());
    const bool interrupted = interrupt->raised();
    interrupt.reset(); // Ctrl-C ends the process again
    if (::isatty(STDERR_FILENO))
        std::fprintf(stderr, "\n");
    if (interrupted)
        std::fprintf(stderr, "stopped: the session is saved; continue it with --resume --out %s\n",
            search->sessionFolder().c_str());
    const Json result = summary(*search, farm.get());
    search->setBranchFarm(nullptr);
    farm.reset(); // the workers stop
    std::cout << result.dump(2) << std::endl;
    return 0;
}

} // namespace

int runSearch(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli search --dataset KIND [--path PATH] [--backbone PRESET] "
                          "[--cost macs|latency|parameters] [--target T] [--mode budget|aebnas|nachos] "
                          "[--population P --generations G | --time-budget MIN] [--seed S] --out DIR [--resume]",
        "Searches exit placement, branch layers and thresholds (NSGA-II, validation accuracy vs average cost) on one\n"
        "trained backbone. The cost is MACs, latency timed on this machine at batch size 1 (a table cached per CPU\n"
        "and thread count), or parameters used per sample. Saves the session in DIR after every step; Ctrl-C\n"
        "stops cleanly and --resume continues. Every candidate adds its whole threshold trade-off curve: the\n"
        "session's front is the non-dominated set over (architecture, thresholds) points. Prints a JSON summary:\n"
        "candidates, branches trained, the front and its hypervolume (reference: accuracy 0, 1.25x the backbone's\n"
        "cost; the candidates' tuned points alone beside it), the best front point within the target, and where\n"
        "the time went.\n\n"
        "Under mpirun (mpirun -np N earlybird-cli search ...), rank 0 runs the search and the other ranks train its\n"
        "branches; the cache folder must be on a file system every rank sees. The result is the serial search's.\n"
        "Add --enable-recovery to mpirun so that a worker that dies loses only its jobs (docs/cluster.md).\n\n"
        "With --family N the backbone is searched too: N members of --backbone's family (`arch family` lists them)\n"
        "are trained, each searched as above in DIR/memberK, and the time budget (their training included) goes to\n"
        "the members that add most to the joint front (docs/family-search.md); the summary is that front's.");
    addSearchOptions(parser);
    addFamilyOptions(parser);
    parser.allowConfigFile(kConfigFileHelp);
    if (!parser.parseCommand(arguments))
        return 0;
    const std::string out = parser.required("out");
    if (parser.isSet("resume"))
        return hasFamily(out) ? runFamilySession(FamilySearch::resume(out))
                              : runSession(Search::resume(out), farmOptions(parser));
    if (wantsFamily(parser)) {
        if (clusterRanks() > 1)
            throw UsageError("a family search runs in one process; under mpirun, search one backbone");
        return runFamilySession(std::make_unique<FamilySearch>(familyConfig(parser, searchConfig(parser)), out));
    }
    return runSession(std::make_unique<Search>(searchConfig(parser), out), farmOptions(parser));
}

int runBaseline(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli baseline backbone|edanas|nachos|aebnas-paper --dataset KIND ... --out DIR",
        "Runs a comparison baseline with the search's engine, data and settings, writing the same session format\n"
        "(docs/baselines.md says what each keeps from its paper and what differs):\n"
        "  backbone      the backbone alone\n"
        "  edanas        EDANAS's head (3x3 convs to 32, 64, 128, max-pooled until cheaper than the next exit) at\n"
        "                stage ends, each on or off, thresholds on a 0.1 grid for accuracy% - 0.1 MAPE\n"
        "  nachos        the same heads, each on or off, one threshold for all exits lowered from 0.8 to 0.1 until\n"
        "                the average MACs meet the target\n"
        "  aebnas-paper  AEBNAS as published: stage-end positions (at most 4), 1-2 conv layers, each threshold one\n"
        "                of {0.1, 0.2, 1} for accuracy% - 0.1 MAPE");
    parser.addPositional("BASELINE", "backbone, edanas, nachos or aebnas-paper");
    addSearchOptions(parser);
    parser.allowConfigFile(kConfigFileHelp);
    if (!parser.parseCommand(arguments))
        return 0;
    const std::string out = parser.required("out");
    if (parser.isSet("resume"))
        return runSession(Search::resume(out), farmOptions(parser));
    const Baseline which = fromName<Baseline>(parser.positionals().at(0), "earlybird-cli baseline");
    return runSession(std::make_unique<Search>(baselineConfig(searchConfig(parser), which), out), farmOptions(parser));
}

int runSessionExport(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli session export DIR [--format json|config] [--config] [--out FILE [--force]]",
        "Writes a search session (the store in DIR, or a session.json from before it) as one readable JSON\n"
        "document: settings, every candidate with its figures on both splits, the front over threshold settings and\n"
        "its hypervolume. With --config (or --format config), writes instead the session's settings as a file for\n"
        "`search --config FILE` (TOML): every option resolved, so that the search can be run again. To stdout, or\n"
        "to FILE (written atomically).");
    parser.addPositional("DIR", "session folder");
    parser.addOption(
        "format", "FORMAT", "json (the whole session) or config (its settings as options)", std::string("json"));
    parser.addFlag("config", "the same as --format config");
    parser.addOption("out", "FILE", "write the document here instead of stdout");
    parser.addFlag("force", "replace FILE if it exists");
    if (!parser.parseCommand(arguments))
        return 0;
    const std::string format = parser.isSet("config") ? std::string("config") : *parser.value("format");
    if (format != "json" && format != "config")
        throw UsageError("--format must be json or config, not '" + format + "'");
    const std::string folder = parser.positionals().at(0);
    const Session session = loadSession(folder);
    const std::string text
        = format == "config" ? searchConfigFile(session.config, folder) : sessionToJson(session).dump(1) + "\n";
    if (!parser.value("out")) {
        std::cout << text;
        return 0;
    }
    const std::string out = *parser.value("out");
    if (fileExists(out) && !parser.isSet("force"))
        throw UsageError(out + " exists: add --force to replace it");
    writeFileAtomically(out, text);
    return 0;
}

} // namespace earlybird::cli
