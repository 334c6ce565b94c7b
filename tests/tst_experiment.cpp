#include "base/fileio.h"
#include "errorcapture.h"
#include "experiment/experiment.h"
#include "experiment/supernetrun.h"
#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cmath>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

// A tiny learnable task and a three-block backbone, so the whole pipeline runs in seconds.
ExperimentConfig tinyConfig(const std::string& cacheDirectory)
{
    ExperimentConfig config = tinyExperiment(cacheDirectory);
    config.dataset.path = "classes=4,train=480,test=160,shape=1x12x12,seed=3";
    config.backboneTraining.epochs = 6;
    config.branchTraining.epochs = 3;
    return config;
}

Architecture twoExits(const BackboneSpec& backbone)
{
    Architecture architecture;
    architecture.backbone = backbone;
    architecture.exits = { { 0, { { BranchLayerType::Conv3x3, 1.0, 2 } }, 0.5 }, { 1, {}, 0.5 } };
    return architecture;
}

} // namespace

class TestExperiment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void featureBudgetFollowsAvailableMemory()
    {
        const std::int64_t available = availableMemoryBytes();
        QVERIFY2(available > 0, "MemAvailable not read from /proc/meminfo");
        const std::int64_t budget = defaultFeatureCacheBytes();
        // Within what a second reading of MemAvailable can move: the budget is 60 % of what is available.
        QVERIFY(std::abs(double(budget) - 0.6 * double(available)) < 0.05 * double(available));
    }

    void trainsEvaluatesAndMemoises()
    {
        QTemporaryDir dir;
        const ExperimentConfig config = tinyConfig(dir.path().toStdString());
        Experiment experiment(config);
        int progressReports = 0;
        experiment.prepare([&](const TrainingProgress&) { ++progressReports; });
        QVERIFY(progressReports > 0);
        const ExperimentReport& report = experiment.report();
        QVERIFY(!report.backboneFromCache);
        QVERIFY2(report.backboneTestAccuracy > 0.6, qPrintable(QString::number(report.backboneTestAccuracy)));
        QCOMPARE(report.validationImages, 120);
        QCOMPARE(report.testImages, 160);
        QCOMPARE(report.trainSubset, 360); // the budget affords every training image

        const Architecture architecture = twoExits(config.backbone);
        const CandidateOutcomes first = experiment.evaluate(architecture);
        QCOMPARE(first.validation.exitCount(), 3);
        QCOMPARE(first.validation.sampleCount(), 120);
        QCOMPARE(first.test.sampleCount(), 160);
        QCOMPARE(experiment.report().branchesTrained, 2);
        // The final exit is the backbone: its accuracy is the backbone's.
        const ExitPolicy finalOnly(
            first.test, ConfidenceMeasure::ScoreMargin, exitMacsOf(first.cost, CostConvention::AllEvaluatedBranches));
        QCOMPARE(finalOnly.evaluate({ 2.0, 2.0 }).accuracy, report.backboneTestAccuracy);
        // Branches learn something: better than chance at the first exit.
        QVERIFY(finalOnly.evaluate({ 0.0, 0.0 }).accuracy > 0.4);

        // The same branches again: reused, not retrained.
        const CandidateOutcomes again = experiment.evaluate(architecture);
        QCOMPARE(experiment.report().branchesTrained, 2);
        QCOMPARE(experiment.report().branchesFromCache, 2);
        QVERIFY(again.validation == first.validation);

        // A second experiment on the same cache folder loads the backbone and the branches from disk.
        Experiment reloaded(config);
        reloaded.prepare();
        QVERIFY(reloaded.report().backboneFromCache);
        QCOMPARE(reloaded.report().backboneTestAccuracy, report.backboneTestAccuracy);
        const CandidateOutcomes fromDisk = reloaded.evaluate(architecture);
        QCOMPARE(reloaded.report().branchesTrained, 0);
        QCOMPARE(reloaded.report().branchesFromCache, 2);
        QVERIFY(fromDisk.test == first.test);

        // Calibration measured either way; applied, the same branches (nothing trained) give the confidences of the
        // fitted temperature, the same predictions, and calibration errors that only the confidences changed.
        for (int e = 0; e < 3; ++e) {
            const ExitCalibration& c = first.validation.calibration(e);
            QVERIFY(c.measured() && !c.applied && c.temperature >= kMinTemperature && c.temperature <= kMaxTemperature);
            QCOMPARE(first.test.calibration(e).temperature, c.temperature); // fitted on validation only
        }
        ExperimentConfig calibrating = config;
        calibrating.calibrate = true;
        Experiment calibrated(calibrating);
        calibrated.prepare();
        const CandidateOutcomes scaled = calibrated.evaluate(architecture);
        QCOMPARE(calibrated.report().branchesTrained, 0);
        QVERIFY(scaled.validation.calibrated() && scaled.test.calibrated() && !first.validation.calibrated());
        bool changed = false;
        for (int e = 0; e < 3; ++e) {
            const ExitCalibration& before = first.test.calibration(e);
            const ExitCalibration& after = scaled.test.calibration(e);
            QCOMPARE(after.temperature, before.temperature);
            QCOMPARE(after.eceBefore, before.eceBefore);
            QCOMPARE(after.eceAfter, before.eceAfter);
            for (std::int64_t n = 0; n < scaled.test.sampleCount(); ++n) {
                QCOMPARE(scaled.test.prediction(n, e), first.test.prediction(n, e));
                changed |= scaled.test.confidence(ConfidenceMeasure::MaxSoftmax, n, e)
                    != first.test.confidence(ConfidenceMeasure::MaxSoftmax, n, e);
            }
        }
        QVERIFY(changed);
    }

    void branchesTrainedElsewhereAreTheSame()
    {
        // A worker trains a branch and sends its bytes; the search's experiment takes them. Same seed, same branch: the
        // candidate's outcomes are those of training it here, and it counts as trained when first used.
        QTemporaryDir dir;
        const ExperimentConfig config = tinyConfig(dir.path().toStdString());
        Experiment here(config);
        here.prepare();
        const Architecture architecture = twoExits(config.backbone);
        const CandidateOutcomes reference = here.evaluate(architecture);

        QTemporaryDir otherDir;
        ExperimentConfig searchConfig = config;
        searchConfig.cacheDirectory = otherDir.path().toStdString();
        Experiment worker(config); // the backbone from the shared cache; its branch is trained again, kept nowhere
        worker.prepare();
        Experiment search(searchConfig);
        search.prepare();
        const std::vector<std::uint8_t> bytes = worker.trainBranchBytes(architecture.exits[0]);
        QVERIFY(!search.hasTrainedBranch(architecture.exits[0]));
        search.addTrainedBranch(architecture.exits[0], bytes, "rank 1");
        QVERIFY(search.hasTrainedBranch(architecture.exits[0]));
        search.trainAhead(architecture.exits[1]); // rank 0 trains one itself
        QCOMPARE(search.report().branchesTrained, 0);
        const CandidateOutcomes composed = search.evaluate(architecture);
        QCOMPARE(search.report().branchesTrained, 2); // counted when the candidate used them
        QVERIFY(composed.validation == reference.validation);
        QVERIFY(composed.test == reference.test);
        search.evaluate(architecture);
        QCOMPARE(search.report().branchesTrained, 2);

        // Bytes that are not that branch are an error naming where they came from.
        std::vector<std::uint8_t> torn(bytes.begin(), bytes.begin() + std::ptrdiff_t(bytes.size() / 2));
        const ExitSpec other { 1, { { BranchLayerType::Conv3x3, 1.0, 1 } }, 0 };
        const std::string error = errorMessage([&] { search.addTrainedBranch(other, torn, "rank 2"); });
        QVERIFY2(contains(error, "rank 2") && contains(error, "not a trained branch"), error.c_str());
        QVERIFY(!search.hasTrainedBranch(other));
    }

    void refinementTrainsEverythingJointly()
    {
        Experiment experiment(tinyConfig(""));
        experiment.prepare();
        const Architecture architecture = twoExits(experiment.config().backbone);
        const CandidateOutcomes frozen = experiment.evaluate(architecture);
        RefineOptions options;
        options.epochs = 2;
        const CandidateOutcomes refined = experiment.refine(architecture, options);
        QCOMPARE(refined.validation.exitCount(), 3);
        QVERIFY(!(refined.validation == frozen.validation)); // the weights moved
        const ExitPolicy policy(refined.test, ConfidenceMeasure::ScoreMargin,
            exitMacsOf(refined.cost, CostConvention::AllEvaluatedBranches));
        QVERIFY(policy.evaluate({ 2.0, 2.0 }).accuracy > 0.5);
        QVERIFY(experiment.report().refineSeconds > 0);
        options.exitWeights = { 1.0 };
        QVERIFY(
            contains(errorMessage([&] { experiment.refine(architecture, options); }), "one loss weight per exit (3)"));
    }

    void corruptCacheIsRebuilt()
    {
        QTemporaryDir dir;
        const ExperimentConfig config = tinyConfig(dir.path().toStdString());
        std::string key;
        {
            Experiment experiment(config);
            experiment.prepare();
            key = experiment.report().backboneKey;
        }
        const QString path = dir.filePath(QString::fromStdString(key + "/backbone.ebc"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.seek(file.size() / 2);
        file.write("garbage garbage garbage");
        file.close();
        Experiment rebuilt(config);
        rebuilt.prepare();
        QVERIFY(!rebuilt.report().backboneFromCache);
        Experiment trusted(config);
        trusted.prepare();
        QVERIFY(trusted.report().backboneFromCache);
    }

    // A stopped backbone training leaves no backbone file, only the checkpoint of its last whole epoch; the next
    // prepare() resumes from it and ends with the backbone an uninterrupted training gives.
    void cancelledTrainingResumes()
    {
        QTemporaryDir dir;
        Experiment experiment(tinyConfig(dir.path().toStdString()));
        std::atomic<bool> cancel { false };
        bool thrown = false;
        try {
            experiment.prepare(
                [&](const TrainingProgress& p) {
                    if (p.phase == TrainingPhase::TrainingBackbone && p.batch > 2)
                        cancel = true;
                },
                &cancel);
        } catch (const CancelledError&) {
            thrown = true;
        }
        QVERIFY(thrown);
        const QStringList written = QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
        QCOMPARE(written.size(), 1);
        QCOMPARE(QDir(dir.filePath(written[0])).entryList(QDir::Files),
            QStringList { QStringLiteral("backbone-checkpoint.ebc") });
        Experiment resumed(tinyConfig(dir.path().toStdString()));
        resumed.prepare();
        QVERIFY(resumed.report().backboneResumedEpoch >= 1);
        QVERIFY(!QFile::exists(dir.filePath(written[0] + QStringLiteral("/backbone-checkpoint.ebc"))));
        QTemporaryDir other;
        Experiment uninterrupted(tinyConfig(other.path().toStdString()));
        uninterrupted.prepare();
        QCOMPARE(uninterrupted.report().backboneResumedEpoch, 0);
        QCOMPARE(resumed.report().backboneTestAccuracy, uninterrupted.report().backboneTestAccuracy);
        QCOMPARE(resumed.report().backboneValidationAccuracy, uninterrupted.report().backboneValidationAccuracy);
    }

    // A backbone's state_dict (what torch.save writes; here the exporter's weights file of the backbone alone) is
    // imported instead of training: the same accuracy as where it was trained, kept in the cache under a key of its
    // content, and found there when the file has gone. A state_dict of another network is refused, listing why.
    void importedBackboneReplacesTraining()
    {
        QTemporaryDir dir;
        const ExperimentConfig trained = tinyConfig(dir.path().toStdString());
        Experiment source(trained);
        source.prepare();
        const std::string weights = dir.filePath(QStringLiteral("backbone.pt")).toStdString();
        source.saveTrainedWeights(Architecture { trained.backbone, ConfidenceMeasure::ScoreMargin, {} }, weights);

        QTemporaryDir cache;
        ExperimentConfig imported = tinyConfig(cache.path().toStdString());
        imported.backboneTraining.epochs = 1; // not used: nothing is trained
        imported.backboneWeights = weights;
        {
            Experiment experiment(imported);
            experiment.prepare([](const TrainingProgress& p) {
                if (p.phase == TrainingPhase::TrainingBackbone)
                    QFAIL("an imported backbone was trained");
            });
            QVERIFY(experiment.report().backboneImported);
            QVERIFY(!experiment.report().backboneFromCache);
            QCOMPARE(experiment.report().backboneTestAccuracy, source.report().backboneTestAccuracy);
            QCOMPARE(experiment.report().backboneValidationAccuracy, source.report().backboneValidationAccuracy);
            QVERIFY(experiment.report().backboneKey != source.report().backboneKey);
            QVERIFY(!experiment.config().backboneWeightsHash.empty());
            imported.backboneWeightsHash = experiment.config().backboneWeightsHash;
        }
        QVERIFY(QFile::remove(QString::fromStdString(weights)));
        Experiment again(imported);
        again.prepare();
        QVERIFY(again.report().backboneFromCache);
        QCOMPARE(again.report().backboneTestAccuracy, source.report().backboneTestAccuracy);

        // Another backbone's weights: every missing, extra and mis-shaped name is listed.
        ExperimentConfig wider = tinyConfig(dir.path().toStdString());
        wider.backbone.blocks.front().outChannels *= 2;
        Experiment other(wider);
        other.prepare();
        const std::string otherWeights = dir.filePath(QStringLiteral("other.pt")).toStdString();
        other.saveTrainedWeights(Architecture { wider.backbone, ConfidenceMeasure::ScoreMargin, {} }, otherWeights);
        QTemporaryDir fresh;
        ExperimentConfig mismatched = tinyConfig(fresh.path().toStdString());
        mismatched.backboneWeights = otherWeights;
        Experiment refused(mismatched);
        const std::string message = errorMessage([&] { refused.prepare(); });
        QVERIFY2(contains(message, otherWeights) && contains(message, "does not fit the backbone")
                && contains(message, "of another shape") && contains(message, "file "),
            message.c_str());
        mismatched.backboneWeights = dir.filePath(QStringLiteral("nothing.pt")).toStdString();
        QVERIFY(contains(errorMessage([&] { Experiment missing(mismatched); }), "nothing.pt"));
    }

    void mismatchedBackboneIsNamed()
    {
        ExperimentConfig config = tinyConfig("");
        config.backbone.input = { 3, 32, 32 };
        Experiment experiment(config);
        const std::string message = errorMessage([&] { experiment.prepare(); });
        QVERIFY2(contains(message, "3x32x32") && contains(message, "1x12x12"), message.c_str());

        Experiment fine(tinyConfig(""));
        fine.prepare();
        Architecture other = twoExits(fine.config().backbone);
        other.backbone.name = "another";
        QVERIFY(contains(errorMessage([&] { fine.evaluate(other); }), "is not the one this experiment trained"));
    }

    // A supernet trained on a data set and its members taken out (experiment/supernetrun.h).

    // Trained on a small task (stopped in its third epoch and resumed), every member taken out learns it; the second
    // call reuses the cached supernet and the members' files, and the files load into the members' networks.
    void aTrainedSupernetTeachesEveryMember()
    {
        QTemporaryDir cache;
        SupernetConfig config;
        config.experiment = tinyExperiment(cache.path().toStdString());
        config.experiment.backboneTraining.epochs = 6;
        config.experiment.backboneTraining.precision = Precision::Float32;
        config.members = { kTinySmall, kTinyMiddle, kTinyLarge };
        config.largestEpochs = 1;
        config.randomSubnets = 1;
        config.calibrationImages = 200;
        std::atomic<bool> cancel { false };
        bool thrown = false;
        try {
            prepareSupernet(
                config, [&](const TrainingProgress& p) { cancel = cancel || p.epoch >= 3; }, &cancel);
        } catch (const CancelledError&) {
            thrown = true;
        }
        QVERIFY(thrown);
        const std::string folder = SupernetRun(config).folder();
        QVERIFY(fileExists(folder + "/supernet-checkpoint.ebc"));
        QVERIFY(!fileExists(folder + "/supernet.ebc"));
        const SupernetReport first = prepareSupernet(config);
        QVERIFY(!first.fromCache);
        QVERIFY(first.resumedEpoch >= 2);
        QVERIFY(!fileExists(folder + "/supernet-checkpoint.ebc"));
        QVERIFY(first.trainSeconds > 0);
        QCOMPARE(first.largest, kTinyLarge);
        QCOMPARE(int(first.members.size()), 3);
        for (const SupernetMemberWeights& m : first.members) {
            QVERIFY2(m.testAccuracy > 0.5, m.label.c_str()); // 4 classes: chance is 0.25
            QVERIFY(fileExists(m.weightsPath));
        }
        QVERIFY(fileExists(first.folder + "/supernet.ebc"));
        const SupernetReport second = prepareSupernet(config);
        QVERIFY(second.fromCache);
        QCOMPARE(second.key, first.key);
        QCOMPARE(second.trainSeconds, first.trainSeconds); // as recorded when it was trained
        for (std::size_t m = 0; m < 3; ++m)
            QCOMPARE(second.members[m].testAccuracy, first.members[m].testAccuracy);
        // Other training options are another supernet.
        config.randomSubnets = 2;
        config.experiment.backboneTraining.epochs = 2;
        QVERIFY(prepareSupernet(config).key != first.key);
    }

    void impossibleConfigurationsAreRefused()
    {
        SupernetConfig config;
        config.experiment = tinyExperiment("/tmp/unused");
        config.members = { kTinySmall, kTinyLarge };
        QVERIFY(errorMessage([&] { validateSupernetConfig(config); }).empty());
        SupernetConfig c = config;
        c.experiment.cacheDirectory.clear();
        QVERIFY(contains(errorMessage([&] { validateSupernetConfig(c); }), "kept in the cache folder"));
        c = config;
        c.members.clear();
        QVERIFY(contains(errorMessage([&] { validateSupernetConfig(c); }), "at least one member"));
        c = config;
        c.largestEpochs = 5; // of 4
        QVERIFY(contains(errorMessage([&] { validateSupernetConfig(c); }), "trains alone for 0 to 4 epochs"));
        c = config;
        c.members = { tinyGenes(1.0, { 1 }, { 3 }) };
        QVERIFY(contains(errorMessage([&] { validateSupernetConfig(c); }), "stages after its stem"));
        c = config;
        c.calibrationImages = 1;
        QVERIFY(contains(errorMessage([&] { validateSupernetConfig(c); }), "calibration images"));
    }
};

QTEST_GUILESS_MAIN(TestExperiment)
#include "tst_experiment.moc"
