#include "familycommands.h"

#include "commands.h"
#include "trainingoptions.h"

#include "base/error.h"
#include "experiment/supernetrun.h"
#include "model/architecture.h"
#include "model/backbonepresets.h"
#include "model/networkcost.h"
#include "search/familysearch.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace earlybird::cli {

namespace {

using Json = nlohmann::ordered_json;

std::vector<BackboneGenes> membersFromList(const BackboneSpec& base, const std::string& list, const std::string& option)
{
    std::vector<BackboneGenes> members;
    std::istringstream items(list);
    std::string item;
    while (std::getline(items, item, ','))
        members.push_back(genesFromLabel(base, item, option));
    if (members.empty())
        throw UsageError(option + " needs members such as 'w0.5 d1.1.1,w1 d2.2.1'");
    return members;
}

Json familySummary(const FamilySession& s, const std::string& folder)
{
    Json members = Json::array();
    const std::vector<double> contributions = s.contributions();
    const std::vector<double> headroom = s.headroom();
    for (std::size_t m = 0; m < s.members.size(); ++m) {
        const FamilyMember& member = s.members[m];
        members.push_back(Json { { "genes", member.label }, { "session", folder + "/" + member.folder },
            { "excluded", member.excluded }, { "backbone_cost_vs_base", member.backboneCost / s.baseCost },
            { "backbone_test_accuracy", member.backboneTestAccuracy }, { "backbone_seconds", member.backboneSeconds },
            { "search_seconds", member.searchSeconds }, { "slices", member.slices },
            { "candidates", member.candidates }, { "hypervolume_contribution", contributions[m] },
            { "headroom", headroom[m] }, { "weights", member.weightsPath.empty() ? "trained" : member.weightsPath } });
    }
    Json front = Json::array();
    std::optional<FamilyPoint> best;
    for (const FamilyPoint& p : s.front()) {
        front.push_back(Json { { "member", s.members[std::size_t(p.member)].label }, { "candidate", p.point.candidate },
            { "thresholds", p.point.thresholds }, { "validation_accuracy", p.point.accuracy },
            { "test_accuracy", p.point.testAccuracy }, { "cost_vs_base", p.point.cost / s.baseCost },
            { "test_cost_vs_base", p.point.testCost / s.baseCost } });
        if (p.point.cost <= s.target)
            best = p;
    }
    Json bestJson = nullptr;
    if (best)
        bestJson = Json { { "member", s.members[std::size_t(best->member)].label },
            { "session", folder + "/" + s.members[std::size_t(best->member)].folder },
            { "candidate", best->point.candidate }, { "validation_accuracy", best->point.accuracy },
            { "test_accuracy", best->point.testAccuracy }, { "cost_vs_base", best->point.cost / s.baseCost } };
    return Json { { "family", familyFilePath(folder) }, { "base", s.config.search.experiment.backbone.name },
        { "finished", s.finished }, { "elapsed_seconds", s.elapsedSeconds },
        { "budget_seconds", s.config.search.timeBudgetSeconds }, { "target_vs_base", s.target / s.baseCost },
        { "weights", nameOf(s.config.weights) }, { "supernet_seconds", s.supernetSeconds },
        { "supernet_charged", s.supernetCharged },
        { "hypervolume", { { "validation", s.hypervolume(false) }, { "test", s.hypervolume(true) } } },
        { "best_within_target", bestJson }, { "members", members }, { "front", front }, { "log", s.log } };
}

// How a supernet is trained: train-supernet's options, and search --family-weights supernet's.
void addSupernetOptions(ArgumentParser& parser)
{
    parser.addOption(
        "largest-epochs", "E", "supernet: epochs its largest network trains alone first", std::string("2"));
    parser.addOption("random-subnets", "K", "supernet: random members per step of the sandwich rule", std::string("2"));
    parser.addOption("calibration-images", "N",
        "supernet: training images each member's BatchNorm statistics are measured on", std::string("2000"));
}

} // namespace

void addFamilyOptions(ArgumentParser& parser)
{
    parser.addOption("family", "N",
        "search the backbone too: N backbones of --backbone's family (width, depth per stage, kernels), from about "
        "0.35x to 2x its MACs, each trained once; the time budget covers them all (0: the one backbone)",
        std::string("0"));
    parser.addOption("family-members", "LIST",
        "the family's members instead of --family's: genes as `arch family` prints them, comma-separated "
        "('w0.5 d1.1.1,w1 d2.2.1')");
    parser.addOption("explore-share", "F",
        "family search: share of the time after the backbones split evenly between them", std::string("0.4"));
    parser.addFlag("free-cached-backbones",
        "family search: a backbone already in the cache costs the budget nothing (default: the seconds its training "
        "took, as if trained now)");
    parser.addOption("family-rounds", "R",
        "family search: rounds the rest of the time is given in, each by the members' share of the joint front",
        std::string("3"));
    parser.addOption("family-weights", "separate|supernet",
        "family search: train each backbone on its own, or train one weight-shared supernet over the family (see "
        "train-supernet) and take every member out of it",
        std::string("separate"));
    addSupernetOptions(parser);
}

bool wantsFamily(const ArgumentParser& parser)
{
    return parser.intValue("family", 0) > 0 || parser.isSet("family-members");
}

FamilySearchConfig familyConfig(const ArgumentParser& parser, SearchConfig search)
{
    FamilySearchConfig config;
    const BackboneSpec& base = search.experiment.backbone;
    if (parser.isSet("family-members")) {
        if (parser.intValue("family", 0) > 0)
            throw UsageError("give --family or --family-members, not both");
        config.members = membersFromList(base, *parser.value("family-members"), "--family-members");
    } else {
        config.members = defaultFamily(base, parser.intValue("family", 0));
    }
    config.exploreShare = parser.doubleValue("explore-share", 0.4);
    config.rounds = parser.intValue("family-rounds", 3);
    config.chargeCachedBackbones = !parser.isSet("free-cached-backbones");
    config.weights = fromName<FamilyWeights>(parser.value("family-weights").value_or("separate"), "--family-weights");
    config.supernetLargestEpochs = parser.intValue("largest-epochs", 2);
    config.supernetRandomSubnets = parser.intValue("random-subnets", 2);
    config.supernetCalibrationImages = parser.intValue("calibration-images", 2000);
    config.search = std::move(search);
    validateFamilySearchConfig(config);
    return config;
}

int runFamilySession(std::unique_ptr<FamilySearch> family)
{
    family->setLog([](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
    bool interrupted = false;
    {
        InterruptFlag interrupt;
        family->run(interrupt.flag());
        interrupted = interrupt.raised();
    }
    if (interrupted)
        std::fprintf(
            stderr, "stopped: the family is saved; continue it with --resume --out %s\n", family->folder().c_str());
    std::cout << familySummary(family->session(), family->folder()).dump(2) << std::endl;
    return 0;
}

int runArchFamily(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli arch family PRESET|FILE [--size N] [--members LIST]",
        "Prints a backbone's family as `search --family N` would search it: each member's genes (w: width\n"
        "multiplier; d: blocks per stage after the stem; k: the kernel of each stage's convolutions, '-' where\n"
        "its blocks are residual), its MACs and parameters against the backbone's, and its blocks. Stages start at\n"
        "every block that halves the map.");
    parser.addPositional("BACKBONE", "backbone preset name, or a backbone JSON file");
    parser.addOption("size", "N", "members of the default family", std::string("4"));
    parser.addOption("members", "LIST", "these members instead (comma-separated genes, as printed)");
    if (!parser.parseCommand(arguments))
        return 0;
    const BackboneSpec base = backboneFromPresetOrFile(parser.positionals().at(0));
    const std::vector<BackboneGenes> members = parser.isSet("members")
        ? membersFromList(base, *parser.value("members"), "--members")
        : defaultFamily(base, parser.intValue("size", 4));
    const NetworkCost baseCost = countNetworkCost(Architecture { base, ConfidenceMeasure::ScoreMargin, {} });
    Json list = Json::array();
    for (const BackboneGenes& genes : members) {
        const BackboneSpec member = familyMember(base, genes);
        const NetworkCost cost = countNetworkCost(Architecture { member, ConfidenceMeasure::ScoreMargin, {} });
        list.push_back(Json { { "genes", genesLabel(genes) }, { "name", member.name }, { "macs", cost.backboneMacs },
            { "macs_vs_base", double(cost.backboneMacs) / double(baseCost.backboneMacs) },
            { "parameters", cost.backboneParameters },
            { "parameters_vs_base", double(cost.backboneParameters) / double(baseCost.backboneParameters) },
            { "backbone", backboneToJson(member) } });
    }
    Json stages = Json::array();
    for (const BackboneStage& stage : backboneStages(base))
        stages.push_back(
            Json { { "first_block", stage.first }, { "blocks", stage.count }, { "kernel_elastic", stage.hasKernel } });
    std::cout << Json {
        { "base", base.name }, { "base_genes", genesLabel(baseGenes(base)) }, { "stages", stages }, { "members", list }
    }.dump(2) << std::endl;
    return 0;
}

int runTrainSupernet(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli train-supernet --dataset KIND [--backbone PRESET|FILE] [--size N | --members "
                          "LIST] [--epochs E]",
        "Trains a weight-shared supernet over a backbone's family (the once-for-all recipe): the family's largest\n"
        "network alone for --largest-epochs, then every step the sandwich rule (the largest on the labels, the\n"
        "smallest and --random-subnets random members distilled in place from the largest's outputs). Each member is\n"
        "then taken out (the first channels, the centre of each kernel, the first blocks of each stage), its\n"
        "BatchNorm statistics measured on --calibration-images training images, and written as a state_dict in the\n"
        "cache folder, which import-backbone and search --backbone-weights read. The supernet is kept in the cache:\n"
        "the same command again only takes the members out; a training stopped (Ctrl-C) keeps its last whole epoch\n"
        "there (supernet-checkpoint.ebc) and the same command resumes from it. Prints JSON: the training time (every\n"
        "run of a resumed training) and each member's\n"
        "validation and test accuracy (compare them with train-backbone --backbone on the member's JSON, which\n"
        "`arch family` prints).");
    addTrainingOptions(parser);
    parser.addOption("backbone", "PRESET|FILE",
        "the family's base: a preset or a backbone JSON file (default: the preset sized for the data set)");
    parser.addOption("size", "N", "members of the default family (as `arch family --size N`)", std::string("4"));
    parser.addOption("members", "LIST", "these members instead (comma-separated genes, as `arch family` prints)");
    addSupernetOptions(parser);
    if (!parser.parseCommand(arguments))
        return 0;
    SupernetConfig config;
    config.experiment = experimentConfig(parser);
    config.experiment.backbone
        = backboneForDataset(config.experiment.dataset, parser.value("backbone").value_or(std::string()));
    const BackboneSpec& base = config.experiment.backbone;
    config.members = parser.isSet("members") ? membersFromList(base, *parser.value("members"), "--members")
                                             : defaultFamily(base, parser.intValue("size", 4));
    config.largestEpochs = parser.intValue("largest-epochs", 2);
    config.randomSubnets = parser.intValue("random-subnets", 2);
    config.calibrationImages = parser.intValue("calibration-images", 2000);
    validateSupernetConfig(config);
    SupernetRun run(config);
    std::fprintf(stderr, "supernet %s over %zu members, kept in %s\n",
        genesLabel(spanningGenes(config.members)).c_str(), config.members.size(), run.folder().c_str());
    const InterruptFlag interrupt;
    SupernetReport report;
    try {
        report = run.prepare(trainingProgressPrinter("training supernet"), interrupt.flag());
    } catch (const CancelledError&) {
        endProgressLine();
        std::fprintf(stderr,
            "stopped: the supernet's training resumes after its last whole epoch when the same command runs again\n");
        return 130;
    }
    endProgressLine();
    const double baseMacs
        = double(countNetworkCost(Architecture { base, ConfidenceMeasure::ScoreMargin, {} }).backboneMacs);
    Json members = Json::array();
    for (const SupernetMemberWeights& m : report.members) {
        const BackboneSpec member = familyMember(base, m.genes);
        const double macs
            = double(countNetworkCost(Architecture { member, ConfidenceMeasure::ScoreMargin, {} }).backboneMacs);
        members.push_back(Json { { "genes", m.label }, { "name", member.name }, { "macs_vs_base", macs / baseMacs },
            { "weights", m.weightsPath }, { "validation_accuracy", m.validationAccuracy },
            { "test_accuracy", m.testAccuracy }, { "backbone", backboneToJson(member) } });
    }
    std::cout << Json {
        { "base", base.name }, { "dataset", nameOf(config.experiment.dataset.kind) },
        { "supernet", genesLabel(report.largest) }, { "smallest", genesLabel(report.smallest) },
        { "cache_folder", report.folder }, { "from_cache", report.fromCache },
        { "epochs", config.experiment.backboneTraining.epochs }, { "largest_epochs", config.largestEpochs },
        { "random_subnets", config.randomSubnets }, { "train_seconds", report.trainSeconds },
        { "resumed_after_epoch", report.resumedEpoch }, { "extract_seconds", report.extractSeconds },
        { "members", members }
    }.dump(2) << std::endl;
    return 0;
}

int runSessionFamily(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli session family DIR",
        "Prints a family search's summary (search --family): each backbone's training, time and share of the\n"
        "joint front, the joint front over (backbone, exits, thresholds) with costs against the base backbone's,\n"
        "its hypervolume, and what the search decided. Each member's own session is DIR/memberN (open it in the\n"
        "window, or export from it).");
    parser.addPositional("DIR", "family session folder");
    if (!parser.parseCommand(arguments))
        return 0;
    const std::string folder = parser.positionals().at(0);
    std::cout << familySummary(loadFamily(folder), folder).dump(2) << std::endl;
    return 0;
}

} // namespace earlybird::cli
