#include "argumentparser.h"
#include "commands.h"
#include "trainingoptions.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "experiment/experiment.h"
#include "model/architecture.h"
#include "model/backbonepresets.h"
#include "policy/exitpolicy.h"
#include "search/sessionfile.h"
#include "search/sessionjson.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace earlybird::cli {

namespace {

using Json = nlohmann::ordered_json;

Json reportJson(const ExperimentReport& r)
{
    return Json { { "backbone_key", r.backboneKey }, { "backbone_from_cache", r.backboneFromCache },
        { "backbone_imported", r.backboneImported }, { "precision", r.precision },
        { "backbone_resumed_after_epoch", r.backboneResumedEpoch }, { "data_seconds", r.dataSeconds },
        { "backbone_train_seconds", r.backboneTrainSeconds },
        { "backbone_validation_accuracy", r.backboneValidationAccuracy },
        { "backbone_test_accuracy", r.backboneTestAccuracy }, { "feature_seconds", r.featureSeconds },
        { "feature_mib", double(r.featureBytes) / double(1 << 20) }, { "branch_train_images", r.trainSubset },
        { "train_images", r.trainImages }, { "validation_images", r.validationImages }, { "test_images", r.testImages },
        { "branches_trained", r.branchesTrained }, { "branches_reused", r.branchesFromCache },
        { "branch_seconds", r.branchSeconds }, { "refine_seconds", r.refineSeconds } };
}

// A policy result as the session file writes it, plus the average MACs as a fraction of the backbone's.
Json policyJson(const PolicyResult& result, double backboneMacs)
{
    Json json = policyToJson(result);
    json["macs_vs_backbone"] = backboneMacs > 0 ? result.averageMacs / backboneMacs : 0.0;
    return json;
}

// Every exit's temperature and expected calibration error (15 bins, of the max softmax) before and after temperature
// scaling, on both splits, and whether the figures above are on calibrated confidences.
Json calibrationJson(const CandidateOutcomes& outcomes)
{
    Json exits = Json::array();
    for (int e = 0; e < outcomes.validation.exitCount(); ++e) {
        const ExitCalibration& v = outcomes.validation.calibration(e);
        const ExitCalibration& t = outcomes.test.calibration(e);
        exits.push_back(
            { { "exit", e }, { "final", e == outcomes.validation.exitCount() - 1 }, { "temperature", v.temperature },
                { "validation_ece_before", v.eceBefore }, { "validation_ece_after", v.eceAfter },
                { "test_ece_before", t.eceBefore }, { "test_ece_after", t.eceAfter } });
    }
    return Json { { "applied", outcomes.validation.calibrated() }, { "bins", kCalibrationBins }, { "exits", exits } };
}

CostConvention conventionOption(const ArgumentParser& parser)
{
    return fromName<CostConvention>(*parser.value("convention"));
}

struct Evaluated {
    Architecture architecture;
    std::unique_ptr<Experiment> experiment;
    CandidateOutcomes outcomes;
};

void addEvaluationOptions(ArgumentParser& parser)
{
    parser.addOption(
        "refine", "E", "fine-tune backbone and exits jointly for E epochs before measuring (0: off)", std::string("0"));
    parser.addOption("refine-learning-rate", "LR", "SGD learning rate of refinement", std::string("0.01"));
    parser.addOption("convention", "NAME", "MAC convention: all-evaluated-branches or taken-branch-only",
        std::string("all-evaluated-branches"));
}

Evaluated evaluateArchitecture(const ArgumentParser& parser)
{
    Evaluated run;
    run.architecture = loadArchitectureFile(parser.positionals().at(0));
    ExperimentConfig config = experimentConfig(parser);
    config.backbone = run.architecture.backbone;
    run.experiment = std::make_unique<Experiment>(config);
    const ProgressCallback progress = trainingProgressPrinter();
    run.experiment->prepare(progress);
    if (const std::string note = trainSubsetNote(run.experiment->report(), config.featureCacheBytes); !note.empty()) {
        endProgressLine();
        std::cerr << "earlybird-cli: note: " << note << "\n";
    }
    const int refineEpochs = parser.intValue("refine", 0);
    if (refineEpochs > 0) {
        RefineOptions options;
        options.epochs = refineEpochs;
        options.learningRate = parser.doubleValue("refine-learning-rate", 0.01);
        run.outcomes = run.experiment->refine(run.architecture, options, progress);
    } else {
        run.outcomes = run.experiment->evaluate(run.architecture, progress);
    }
    endProgressLine();
    return run;
}

} // namespace

int runTrainBackbone(const std::vector<std::string>& arguments)
{
    ArgumentParser parser(
        "earlybird-cli train-backbone --dataset KIND [--path PATH] [--backbone PRESET|FILE] [--epochs E] "
        "[--out DIR]",
        "Trains a backbone preset on a data set (SGD, Nesterov momentum, cosine schedule, crop/flip augmentation) and\n"
        "keeps it in the cache folder, keyed by data set, backbone, seed and training options: later commands on the\n"
        "same data reuse it. Prints JSON with the training time and validation/test accuracy.");
    addTrainingOptions(parser);
    parser.addOption("backbone", "PRESET|FILE",
        "backbone preset, or a backbone JSON file of your own (default: the preset sized for the data set)");
    parser.addOption("out", "DIR", "cache folder (same as --cache)");
    if (!parser.parseCommand(arguments))
        return 0;
    ExperimentConfig config = experimentConfig(parser);
    config.backbone = backboneForDataset(config.dataset, parser.value("backbone").value_or(std::string()));
    if (parser.value("out"))
        config.cacheDirectory = *parser.value("out");
    Experiment experiment(config);
    const InterruptFlag interrupt;
    try {
        experiment.prepare(trainingProgressPrinter(), interrupt.flag());
    } catch (const CancelledError&) {
        endProgressLine();
        std::fprintf(stderr, "stopped: the last whole epoch is kept in %s/%s; the same command resumes from it\n",
            config.cacheDirectory.c_str(), experiment.report().backboneKey.c_str());
        return 130;
    }
    endProgressLine();
    const NetworkCost cost = countNetworkCost(Architecture { config.backbone, ConfidenceMeasure::ScoreMargin, {} });
    Json out { { "backbone", config.backbone.name }, { "dataset", nameOf(config.dataset.kind) },
        { "backbone_macs", cost.backboneMacs }, { "epochs", config.backboneTraining.epochs },
        { "cache_folder", config.cacheDirectory + "/" + experiment.report().backboneKey } };
    out["report"] = reportJson(experiment.report());
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int runImportBackbone(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli import-backbone --weights STATE_DICT.pt --dataset KIND [--path PATH] "
                          "[--backbone PRESET|FILE]",
        "Brings a backbone trained elsewhere (PyTorch, a GPU): reads a state_dict saved by torch.save with "
        "Earlybird's\n"
        "parameter names (those of the module `earlybird-cli export PRESET --format pytorch` writes), checks every\n"
        "name and shape against the backbone (listing what is missing, extra or of another shape), measures its\n"
        "validation and test accuracy here and keeps it in the cache folder. `search --backbone-weights FILE` (same\n"
        "data set, backbone and cache) then searches exits for it without training one. Prints JSON. The images are\n"
        "normalised as Earlybird does (per-channel mean and std of the training split, the generated module's\n"
        "preprocess()), so train the backbone on inputs normalised the same way.");
    addTrainingOptions(parser);
    parser.addOption("weights", "FILE", "the state_dict file (torch.save(model.state_dict(), FILE))");
    parser.addOption("backbone", "PRESET|FILE",
        "backbone preset or backbone JSON file the weights are for (default: the preset sized for the data set)");
    if (!parser.parseCommand(arguments))
        return 0;
    ExperimentConfig config = experimentConfig(parser);
    config.backboneWeights = parser.required("weights");
    config.backbone = backboneForDataset(config.dataset, parser.value("backbone").value_or(std::string()));
    Experiment experiment(config);
    const InterruptFlag interrupt;
    experiment.prepare(trainingProgressPrinter(), interrupt.flag());
    endProgressLine();
    const ExperimentReport& report = experiment.report();
    Json out { { "backbone", config.backbone.name }, { "dataset", nameOf(config.dataset.kind) },
        { "weights", config.backboneWeights }, { "validation_accuracy", report.backboneValidationAccuracy },
        { "test_accuracy", report.backboneTestAccuracy },
        { "cache_folder", config.cacheDirectory + "/" + report.backboneKey } };
    out["report"] = reportJson(report);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int runEvaluate(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli evaluate ARCH.json --dataset KIND [--path PATH] [--thresholds t1,t2,...]",
        "Evaluates an early-exit architecture: trains its backbone (or reuses the cached one) and its branches on "
        "cached\n"
        "features, then prints JSON with exit rates, per-exit and overall accuracy and average MACs on the validation\n"
        "and test splits, for the architecture's thresholds or --thresholds, and every exit's calibration: its fitted\n"
        "temperature and expected calibration error (15 bins) before and after temperature scaling.");
    parser.addPositional("ARCH.json", "architecture file (see `earlybird-cli arch sample`)");
    addTrainingOptions(parser);
    parser.addOption("thresholds", "T1,T2,...", "one threshold per early exit (default: the architecture's)");
    addEvaluationOptions(parser);
    parser.addFlag("curve", "add the accuracy / average-MACs trade-off curve over all thresholds (validation-tuned)");
    if (!parser.parseCommand(arguments))
        return 0;
    const CostConvention convention = conventionOption(parser);
    Evaluated run = evaluateArchitecture(parser);
    std::vector<double> thresholds = exitThresholds(run.architecture);
    if (parser.value("thresholds")) {
        thresholds = parseThresholds(*parser.value("thresholds"));
        if (thresholds.size() != run.architecture.exits.size())
            throw UsageError(
                "--thresholds needs " + std::to_string(run.architecture.exits.size()) + " values, one per early exit");
    }
    const std::vector<double> macs = exitMacsOf(run.outcomes.cost, convention);
    const ExitPolicy validation(run.outcomes.validation, run.architecture.confidence, macs);
    const ExitPolicy test(run.outcomes.test, run.architecture.confidence, macs);
    const double backboneMacs = double(run.outcomes.cost.backboneMacs);
    Json out { { "thresholds", thresholds }, { "convention", nameOf(convention) },
        { "backbone_macs", run.outcomes.cost.backboneMacs },
        { "validation", policyJson(validation.evaluate(thresholds), backboneMacs) },
        { "test", policyJson(test.evaluate(thresholds), backboneMacs) },
        { "calibration", calibrationJson(run.outcomes) } };
    if (parser.isSet("curve")) {
        Json curve = Json::array();
        for (const PolicyResult& point : validation.tradeOffCurve()) {
            const PolicyResult onTest = test.evaluate(point.thresholds);
            curve.push_back({ { "thresholds", point.thresholds }, { "validation_accuracy", point.accuracy },
                { "validation_average_macs", point.averageMacs }, { "test_accuracy", onTest.accuracy },
                { "test_average_macs", onTest.averageMacs } });
        }
        out["trade_off_curve"] = curve;
    }
    out["report"] = reportJson(run.experiment->report());
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int runTune(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli tune ARCH.json --dataset KIND [--path PATH] --target-macs M "
                          "[--method aebnas-grid|budget] [--out TUNED.json]",
        "Tunes the exit thresholds on the validation split (never on test) and reports validation and test figures.\n"
        "  budget       the thresholds that maximise validation accuracy with average MACs <= target, searched over\n"
        "               every distinct confidence value (default)\n"
        "  aebnas-grid  the AEBNAS rule: a threshold grid maximising accuracy% - lambda * MAPE(average MACs, target)\n"
        "--target-macs takes MACs (2500000, 2.5M, 800k) or a fraction of the backbone's (0.6x).");
    parser.addPositional("ARCH.json", "architecture file");
    addTrainingOptions(parser);
    parser.addOption("target-macs", "M", "average MACs to aim for");
    parser.addOption("method", "NAME", "budget or aebnas-grid", std::string("budget"));
    parser.addOption("lambda", "L", "aebnas-grid: weight of the MAPE term", std::string("0.1"));
    parser.addOption("grid-step", "S", "aebnas-grid: threshold grid step", std::string("0.1"));
    addEvaluationOptions(parser);
    parser.addOption("out", "FILE", "write the architecture with the tuned thresholds here");
    if (!parser.parseCommand(arguments))
        return 0;
    const std::string method = *parser.value("method");
    if (method != "budget" && method != "aebnas-grid")
        throw UsageError("--method must be budget or aebnas-grid");
    const CostConvention convention = conventionOption(parser);
    // The target is checked before any training: a typo should not cost minutes.
    const Architecture requested = loadArchitectureFile(parser.positionals().at(0));
    const double target = parseMacsAmount(
        parser.required("target-macs"), double(countNetworkCost(requested).backboneMacs), "--target-macs");
    Evaluated run = evaluateArchitecture(parser);
    const double backboneMacs = double(run.outcomes.cost.backboneMacs);
    const std::vector<double> macs = exitMacsOf(run.outcomes.cost, convention);
    const ExitPolicy validation(run.outcomes.validation, run.architecture.confidence, macs);
    const ExitPolicy test(run.outcomes.test, run.architecture.confidence, macs);
    const auto start = std::chrono::steady_clock::now();
    const PolicyResult tuned = method == "budget"
        ? validation.tuneForBudget(target)
        : validation.tuneAebnasGrid(target, parser.doubleValue("lambda", 0.1), parser.doubleValue("grid-step", 0.1));
    const double tuneSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Architecture result = run.architecture;
    for (std::size_t e = 0; e < result.exits.size(); ++e) {
        result.exits[e].threshold = tuned.thresholds[e];
        result.exits[e].temperature = run.outcomes.validation.calibration(int(e)).appliedTemperature();
    }
    if (parser.value("out"))
        saveArchitectureFile(result, *parser.value("out"));
    Json out { { "method", method }, { "target_macs", target }, { "convention", nameOf(convention) },
        { "thresholds", tuned.thresholds }, { "tune_seconds", tuneSeconds },
        { "backbone_macs", run.outcomes.cost.backboneMacs },
        { "within_budget", tuned.averageMacs <= target * (1 + 1e-9) },
        { "validation", policyJson(tuned, backboneMacs) },
        { "test", policyJson(test.evaluate(tuned.thresholds), backboneMacs) },
        { "backbone_alone",
            { { "validation_accuracy", run.experiment->report().backboneValidationAccuracy },
                { "test_accuracy", run.experiment->report().backboneTestAccuracy } } } };
    out["report"] = reportJson(run.experiment->report());
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace earlybird::cli
