// `session calibration`: what calibrated exits do to a finished session's front, measured on its own candidates.

#include "argumentparser.h"
#include "commands.h"
#include "trainingoptions.h"

#include "base/error.h"
#include "experiment/experiment.h"
#include "search/candidatetuning.h"
#include "search/sessionfile.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

namespace earlybird::cli {

namespace {

using Json = nlohmann::ordered_json;

// The session's candidates re-tuned on raw or calibrated confidences: their threshold front and every early exit's
// calibration (each branch once).
struct Retuned {
    ThresholdFront front;
    std::map<std::string, ExitCalibration> branches; // test split, by BranchId key
    ExitCalibration final; // the backbone's own classifier, test split
};

Retuned retune(const Session& session, bool calibrate, const ProgressCallback& progress)
{
    SearchConfig config = session.config;
    config.experiment.calibrate = calibrate;
    Experiment experiment(config.experiment);
    experiment.setTrainingAllowed(false); // the session's backbone and branches, as the cache holds them
    experiment.prepare(progress);
    Retuned result;
    for (const CandidateRecord& record : session.archive) {
        const CandidateOutcomes outcomes = experiment.evaluate(record.architecture);
        result.front.add(tuneCandidate(config, record.architecture, outcomes, NetworkLatency {}, record.id).curve);
        for (std::size_t e = 0; e < record.architecture.exits.size(); ++e)
            result.branches[BranchId(record.architecture.exits[e]).key()] = outcomes.test.calibration(int(e));
        result.final = outcomes.test.calibration(outcomes.test.exitCount() - 1);
    }
    return result;
}

Json frontJson(const Retuned& retuned, const Session& session)
{
    const double backboneCost = session.backbone.cost;
    Json best = Json::object();
    for (const double fraction : { 0.4, 0.5, 0.6, 0.8 }) {
        const FrontPoint* p = retuned.front.bestWithin(fraction * backboneCost);
        best[std::to_string(fraction).substr(0, 3) + "x"] = p ? Json(p->testAccuracy) : Json(nullptr);
    }
    return Json { { "hypervolume_validation", retuned.front.hypervolume(backboneCost, false) },
        { "hypervolume_test", retuned.front.hypervolume(backboneCost, true) },
        { "front_points", retuned.front.points().size() }, { "best_test_accuracy_within", best } };
}

// The exits' calibration errors on the test split (the same whichever confidences the front used).
Json eceJson(const Retuned& retuned)
{
    double before = 0, after = 0, temperature = 0;
    for (const auto& [key, c] : retuned.branches) {
        before += c.eceBefore;
        after += c.eceAfter;
        temperature += c.temperature;
    }
    const double branches = double(std::max<std::size_t>(1, retuned.branches.size()));
    return Json { { "branches", retuned.branches.size() }, { "mean_branch_temperature", temperature / branches },
        { "mean_branch_test_ece_before", before / branches }, { "mean_branch_test_ece_after", after / branches },
        { "final_exit_temperature", retuned.final.temperature },
        { "final_exit_test_ece_before", retuned.final.eceBefore },
        { "final_exit_test_ece_after", retuned.final.eceAfter } };
}

} // namespace

int runSessionCalibration(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli session calibration DIR",
        "Measures what calibrated exits do to a session's front: every candidate of the session is tuned again from\n"
        "its branches' outputs, once on the raw confidences and once on temperature-scaled ones (each exit's\n"
        "temperature fitted on the validation split), and the two threshold fronts are compared: hypervolume on\n"
        "validation and test, the best test accuracy within 0.4, 0.5, 0.6 and 0.8 of the backbone's cost, and the\n"
        "exits' mean expected calibration error (15 bins, test split) before and after. Trains nothing: the backbone\n"
        "and branches come from the session's cache folder (an error names what is missing). The same candidates on\n"
        "both sides, so the difference is calibration's alone.");
    parser.addPositional("DIR", "session folder");
    if (!parser.parseCommand(arguments))
        return 0;
    const std::string folder = parser.positionals().at(0);
    const Session session = loadSession(folder);
    if (session.config.costModel == CostModel::Latency)
        throw ConfigError(folder
            + ": a latency session's costs need its latency measurements; session calibration "
              "compares MAC and parameter sessions");
    const auto start = std::chrono::steady_clock::now();
    const Retuned raw = retune(session, false, trainingProgressPrinter());
    const Retuned calibrated = retune(session, true, trainingProgressPrinter());
    const Json out { { "session", folder }, { "candidates", session.archive.size() },
        { "calibrated_session", session.config.experiment.calibrate },
        { "session_hypervolume_validation", frontHypervolume(session.thresholdFront, session.backbone.cost, false) },
        { "raw", frontJson(raw, session) }, { "calibrated", frontJson(calibrated, session) },
        { "calibration", eceJson(calibrated) },
        { "seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() } };
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace earlybird::cli
