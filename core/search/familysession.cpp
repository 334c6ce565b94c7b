// What a family session is (FamilySession: its joint front, contributions and headroom), its configuration's checks,
// and family.json; the search that fills it is familysearch.cpp.

#include "search/familysearch.h"

#include "base/error.h"
#include "base/fileio.h"
#include "search/sessionjson.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace earlybird {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kFamilyFormatVersion = 1;
// A member's headroom assumes its exits could reach its backbone's accuracy at this fraction of its backbone's cost:
// hand-designed exits on Fashion-MNIST kept the backbone's accuracy within 0.5 points at 0.56x its MACs.
constexpr double kExitsReachBackboneAt = 0.5;

Json pointToJson(const FrontPoint& p)
{
    return Json { { "candidate", p.candidate }, { "thresholds", p.thresholds }, { "accuracy", p.accuracy },
        { "cost", p.cost }, { "macs", p.macs }, { "test_accuracy", p.testAccuracy }, { "test_cost", p.testCost } };
}

FrontPoint pointFromJson(const Json& j)
{
    FrontPoint p;
    p.candidate = j.at("candidate").get<int>();
    p.thresholds = j.at("thresholds").get<std::vector<double>>();
    p.accuracy = j.at("accuracy").get<double>();
    p.cost = j.at("cost").get<double>();
    p.macs = j.at("macs").get<double>();
    p.testAccuracy = j.at("test_accuracy").get<double>();
    p.testCost = j.at("test_cost").get<double>();
    return p;
}

std::vector<FamilyPoint> jointFront(const std::vector<FamilyMember>& members, int without)
{
    std::vector<FamilyPoint> all;
    for (int m = 0; m < int(members.size()); ++m)
        if (m != without)
            for (const FrontPoint& p : members[std::size_t(m)].front)
                all.push_back(FamilyPoint { m, p });
    // By cost, then the more accurate first; keep each point more accurate than every cheaper one.
    std::stable_sort(all.begin(), all.end(), [](const FamilyPoint& a, const FamilyPoint& b) {
        return a.point.cost != b.point.cost ? a.point.cost < b.point.cost : a.point.accuracy > b.point.accuracy;
    });
    std::vector<FamilyPoint> front;
    for (FamilyPoint& p : all)
        if (front.empty() || p.point.accuracy > front.back().point.accuracy)
            front.push_back(std::move(p));
    return front;
}

double hypervolumeOf(const std::vector<FamilyPoint>& front, double baseCost, bool onTest)
{
    std::vector<FrontPoint> points;
    for (const FamilyPoint& p : front)
        points.push_back(p.point);
    return frontHypervolume(points, baseCost, onTest);
}

} // namespace

const EnumNames<FamilyWeights>& enumNames(FamilyWeights)
{
    static const EnumNames<FamilyWeights> names { "family weights",
        { { FamilyWeights::Separate, "separate" }, { FamilyWeights::Supernet, "supernet" } } };
    return names;
}

SupernetConfig familySupernetConfig(const FamilySearchConfig& config)
{
    SupernetConfig supernet;
    supernet.experiment = config.search.experiment;
    supernet.members = config.members;
    supernet.largestEpochs = config.supernetLargestEpochs;
    supernet.randomSubnets = config.supernetRandomSubnets;
    supernet.calibrationImages = config.supernetCalibrationImages;
    return supernet;
}

void validateFamilySearchConfig(const FamilySearchConfig& config)
{
    validateSearchConfig(config.search);
    if (config.members.empty())
        throw ConfigError("a family search needs at least one backbone in its family");
    if (config.search.costModel == CostModel::Latency)
        throw ConfigError("a family search counts cost in MACs or parameters; latency is timed per backbone and is not "
                          "supported across a family yet");
    if (config.search.timeBudgetSeconds <= 0)
        throw ConfigError("a family search needs a time budget (--time-budget): it shares it between the backbones");
    if (config.search.generations > 0)
        throw ConfigError("a family search is bounded by its time budget, not by generations");
    if (!(config.exploreShare > 0 && config.exploreShare <= 1))
        throw ConfigError("the exploration share must be in (0, 1]");
    if (config.rounds < 0 || config.rounds > 100)
        throw ConfigError("the rounds after exploration must be 0 to 100");
    if (!config.search.experiment.backboneWeights.empty())
        throw ConfigError("a family search trains its backbones; imported weights are for a fixed backbone");
    for (std::size_t i = 0; i < config.members.size(); ++i) {
        familyMember(config.search.experiment.backbone, config.members[i]); // throws for genes that do not fit
        for (std::size_t j = 0; j < i; ++j)
            if (config.members[j] == config.members[i])
                throw ConfigError("the family names " + genesLabel(config.members[i]) + " twice");
    }
    if (config.weights == FamilyWeights::Supernet)
        validateSupernetConfig(familySupernetConfig(config));
}

std::vector<FamilyPoint> FamilySession::front() const
{
    return jointFront(members, -1);
}

double FamilySession::hypervolume(bool onTest) const
{
    return hypervolumeOf(front(), baseCost, onTest);
}

std::vector<double> FamilySession::contributions() const
{
    const double all = hypervolume(false);
    std::vector<double> result;
    for (int m = 0; m < int(members.size()); ++m)
        result.push_back(all - hypervolumeOf(jointFront(members, m), baseCost, false));
    return result;
}

std::vector<double> FamilySession::headroom() const
{
    const std::vector<FamilyPoint> joint = front();
    std::vector<FrontPoint> points;
    for (const FamilyPoint& p : joint)
        points.push_back(p.point);
    const double now = frontHypervolume(points, baseCost, false);
    std::vector<double> result;
    for (const FamilyMember& m : members) {
        if (!m.started || m.excluded || m.backboneValidationAccuracy <= 0) {
            result.push_back(0);
            continue;
        }
        FrontPoint hoped;
        hoped.accuracy = m.backboneValidationAccuracy;
        hoped.cost = kExitsReachBackboneAt * m.backboneCost;
        std::vector<FrontPoint> with = points;
        with.push_back(hoped);
        result.push_back(std::max(0.0, frontHypervolume(with, baseCost, false) - now));
    }
    return result;
}

std::string familyFilePath(const std::string& folder)
{
    return folder + "/family.json";
}

bool hasFamily(const std::string& folder)
{
    return fileExists(familyFilePath(folder));
}

namespace {

Json familyToJson(const FamilySession& s)
{
    Json members = Json::array();
    for (const FamilyMember& m : s.members) {
        Json front = Json::array();
        for (const FrontPoint& p : m.front)
            front.push_back(pointToJson(p));
        members.push_back(
            Json { { "genes", m.label }, { "folder", m.folder }, { "started", m.started }, { "excluded", m.excluded },
                { "backbone_seconds", m.backboneSeconds }, { "search_seconds", m.searchSeconds },
                { "slices", m.slices }, { "prepare_seconds", m.prepareSeconds }, { "backbone_macs", m.backboneMacs },
                { "backbone_cost", m.backboneCost }, { "backbone_validation_accuracy", m.backboneValidationAccuracy },
                { "backbone_test_accuracy", m.backboneTestAccuracy }, { "weights_path", m.weightsPath },
                { "candidates", m.candidates }, { "front", std::move(front) } });
    }
    Json front = Json::array();
    for (const FamilyPoint& p : s.front()) {
        Json point = pointToJson(p.point);
        point["member"] = p.member;
        front.push_back(std::move(point));
    }
    return Json { { "format", "earlybird-family" }, { "version", kFamilyFormatVersion },
        { "search", searchConfigToJson(s.config.search) }, { "explore_share", s.config.exploreShare },
        { "rounds", s.config.rounds }, { "charge_cached_backbones", s.config.chargeCachedBackbones },
        { "weights", nameOf(s.config.weights) },
        { "supernet",
            { { "largest_epochs", s.config.supernetLargestEpochs },
                { "random_subnets", s.config.supernetRandomSubnets },
                { "calibration_images", s.config.supernetCalibrationImages }, { "ready", s.supernetReady },
                { "train_seconds", s.supernetSeconds }, { "charged", s.supernetCharged } } },
        { "base_cost", s.baseCost }, { "target", s.target }, { "elapsed_seconds", s.elapsedSeconds },
        { "round", s.round }, { "finished", s.finished }, { "members", std::move(members) },
        { "front", std::move(front) },
        { "hypervolume", { { "validation", s.hypervolume(false) }, { "test", s.hypervolume(true) } } },
        { "log", s.log } };
}

FamilySession familyFromJson(const Json& j, const std::string& source)
{
    if (!j.is_object() || j.value("format", std::string()) != "earlybird-family")
        throw DataError(source, "not an Earlybird family session (no \"format\": \"earlybird-family\")");
    if (j.value("version", 0) > kFamilyFormatVersion)
        throw DataError(source,
            "written by a newer Earlybird (format version " + std::to_string(j.value("version", 0))
                + "); update Earlybird to read it");
    FamilySession s;
    s.config.search = searchConfigFromJson(j.at("search"), source);
    s.config.exploreShare = j.at("explore_share").get<double>();
    s.config.rounds = j.at("rounds").get<int>();
    s.config.chargeCachedBackbones = j.at("charge_cached_backbones").get<bool>();
    s.config.weights = fromName<FamilyWeights>(j.value("weights", std::string("separate")), source + ": weights");
    if (j.contains("supernet")) {
        const Json& supernet = j.at("supernet");
        s.config.supernetLargestEpochs = supernet.at("largest_epochs").get<int>();
        s.config.supernetRandomSubnets = supernet.at("random_subnets").get<int>();
        s.config.supernetCalibrationImages = supernet.at("calibration_images").get<int>();
        s.supernetReady = supernet.at("ready").get<bool>();
        s.supernetSeconds = supernet.at("train_seconds").get<double>();
        s.supernetCharged = supernet.at("charged").get<double>();
    }
    s.baseCost = j.at("base_cost").get<double>();
    s.target = j.at("target").get<double>();
    s.elapsedSeconds = j.at("elapsed_seconds").get<double>();
    s.round = j.at("round").get<int>();
    s.finished = j.at("finished").get<bool>();
    s.log = j.at("log").get<std::vector<std::string>>();
    for (const Json& item : j.at("members")) {
        FamilyMember m;
        m.label = item.at("genes").get<std::string>();
        m.genes = genesFromLabel(s.config.search.experiment.backbone, m.label, source);
        m.folder = item.at("folder").get<std::string>();
        if (m.folder.empty() || m.folder.find('/') != std::string::npos || m.folder.find("..") != std::string::npos)
            throw DataError(source, "a member's folder must be a plain name inside the family's folder");
        m.started = item.at("started").get<bool>();
        m.excluded = item.at("excluded").get<bool>();
        m.backboneSeconds = item.at("backbone_seconds").get<double>();
        m.backboneCharged = item.value("backbone_charged", m.backboneSeconds);
        m.searchSeconds = item.at("search_seconds").get<double>();
        m.slices = item.at("slices").get<int>();
        m.prepareSeconds = item.value("prepare_seconds", 0.0);
        m.backboneMacs = item.at("backbone_macs").get<double>();
        m.backboneCost = item.at("backbone_cost").get<double>();
        m.backboneValidationAccuracy = item.value("backbone_validation_accuracy", 0.0);
        m.backboneTestAccuracy = item.at("backbone_test_accuracy").get<double>();
        m.weightsPath = item.value("weights_path", std::string());
        m.candidates = item.at("candidates").get<int>();
        for (const Json& p : item.at("front"))
            m.front.push_back(pointFromJson(p));
        s.config.members.push_back(m.genes);
        s.members.push_back(std::move(m));
    }
    validateFamilySearchConfig(s.config);
    return s;
}

} // namespace

void saveFamily(const FamilySession& session, const std::string& folder)
{
    writeFileAtomically(familyFilePath(folder), familyToJson(session).dump(1) + "\n");
}

FamilySession loadFamily(const std::string& folder)
{
    const std::string path = familyFilePath(folder);
    if (!fileExists(path))
        throw DataError(path, "no family session here (family.json is missing)");
    try {
        const std::vector<std::uint8_t> bytes = readFileBytes(path);
        return familyFromJson(Json::parse(bytes.begin(), bytes.end()), path);
    } catch (const Json::exception& e) {
        throw DataError(path, std::string("unreadable: ") + e.what());
    } catch (const ConfigError& e) {
        throw DataError(path, e.what());
    }
}

} // namespace earlybird
