#include "errorcapture.h"
#include "fixtures.h"
#include "model/networkcost.h"
#include "nn/latencytable.h"
#include "search/baselines.h"
#include "search/search.h"
#include "search/sessionfile.h"
#include "search/sessionjson.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

// Every candidate with an early exit that no validation sample takes has its twin without such exits in the archive.
// Returns how many twins were evaluated right after their candidate (those the search added for that reason).
int checkIdleExitTwins(const SearchSpace& space, const std::vector<CandidateRecord>& archive)
{
    std::map<std::string, int> ids;
    for (const CandidateRecord& r : archive)
        ids[space.structureKey(r.genome)] = r.id;
    int twins = 0;
    for (const CandidateRecord& r : archive) {
        Architecture pruned = r.architecture;
        pruned.exits.clear();
        for (std::size_t e = 0; e < r.architecture.exits.size(); ++e) {
            if (r.validation.exitCounts[e] > 0)
                pruned.exits.push_back(r.architecture.exits[e]);
        }
        if (pruned.exits.size() == r.architecture.exits.size())
            continue;
        const auto twin = ids.find(space.structureKey(space.encode(pruned)));
        if (twin == ids.end()) {
            QTest::qFail("a candidate with an idle exit has no twin without it", __FILE__, __LINE__);
            return -1;
        }
        twins += twin->second == r.id + 1;
    }
    return twins;
}

std::vector<Genome> genomes(const Search& search)
{
    std::vector<Genome> result;
    for (const CandidateRecord& r : search.archive())
        result.push_back(r.genome);
    return result;
}

} // namespace

class TestSearch : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_cache; // shared: branches memoised once serve every test

private Q_SLOTS:
    void runsGenerationsAndSavesEverything()
    {
        QTemporaryDir dir;
        Search search(tinySearch(m_cache.path().toStdString(), 0.6), dir.path().toStdString());
        int evaluated = 0, generations = 0, frontChanges = 0, finished = 0;
        search.setListener([&](const SearchEvent& event) {
            evaluated += std::holds_alternative<CandidateEvent>(event);
            generations += std::holds_alternative<GenerationEvent>(event);
            frontChanges += std::holds_alternative<FrontEvent>(event);
            finished += std::holds_alternative<FinishedEvent>(event);
        });
        search.run();
        QVERIFY(search.isFinished());
        // 3 generations of 4, plus the twin without idle exits of each candidate that has some (evaluated next).
        const SearchSpace space({ search.config().experiment.backbone }, search.config().space);
        const std::vector<CandidateRecord>& archive = search.archive();
        std::set<std::string> keys;
        for (const CandidateRecord& r : archive)
            keys.insert(space.structureKey(r.genome));
        const int twins = checkIdleExitTwins(space, archive);
        QCOMPARE(int(archive.size()), 12 + twins);
        QCOMPARE(evaluated, int(archive.size()));
        QCOMPARE(generations, 3);
        QVERIFY(frontChanges >= 1);
        QCOMPARE(finished, 1);
        QVERIFY(search.hypervolume() > 0);
        // The session's front is over threshold settings: strictly better with each step in cost, each point an
        // archived architecture with one threshold per early exit, reaching beyond the target (where the budget tuner
        // puts no candidate), and at least the candidates' tuned points in hypervolume.
        const std::vector<FrontPoint>& front = search.thresholdFront();
        QVERIFY(front.size() >= 3);
        for (std::size_t i = 0; i < front.size(); ++i) {
            QVERIFY(front[i].candidate >= 0 && front[i].candidate < int(search.archive().size()));
            QCOMPARE(front[i].thresholds.size(),
                search.archive()[std::size_t(front[i].candidate)].architecture.exits.size());
            if (i > 0)
                QVERIFY(front[i].cost > front[i - 1].cost && front[i].accuracy > front[i - 1].accuracy);
        }
        QVERIFY(front.back().cost > search.config().target);
        QVERIFY(search.hypervolume() >= search.candidateHypervolume() - 1e-12);
        // The first candidate is the backbone alone.
        QVERIFY(search.archive().front().architecture.exits.empty());
        // Budget mode: every candidate's thresholds keep it within the target on validation, unless even sending
        // every sample out at its first exit costs more than the target.
        int withinTarget = 0;
        for (const CandidateRecord& r : search.archive()) {
            const double cheapest = double(countNetworkCost(r.architecture).exits.front().cumulativeMacs);
            const bool possible = cheapest <= search.config().target;
            if (possible)
                QVERIFY(r.validation.averageCost <= search.config().target * (1 + 1e-9));
            else
                QCOMPARE(r.validation.averageMacs, cheapest);
            withinTarget += possible;
            QCOMPARE(r.validation.samples, 100);
            QCOMPARE(r.test.samples, 120);
        }
        QVERIFY(withinTarget >= 6);
        // No branch dearer than the cap was proposed.
        for (const CandidateRecord& r : search.archive()) {
            const NetworkCost cost = countNetworkCost(r.architecture);
            for (std::size_t e = 0; e + 1 < cost.exits.size(); ++e)
                QVERIFY(double(cost.exits[e].branchMacs) <= 0.25 * search.backboneMacs());
        }
        // No network is evaluated twice.
        QCOMPARE(keys.size(), archive.size());
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("session.db"))));
        const nlohmann::ordered_json json = sessionToJson(loadSession(dir.path().toStdString()));
        QCOMPARE(json["archive"].size(), archive.size());
        QCOMPARE(json["hypervolume_history"].size(), std::size_t(3));
        QVERIFY(!json["front"].empty());
        QVERIFY(contains(errorMessage([&] { Search(tinySearch("", 0.6), dir.path().toStdString()); }),
            "already holds a search session"));
    }

    // A search stopped anywhere (between candidates, or in the middle of one) resumes to exactly the search that was
    // never stopped.
    void resumeGivesTheUninterruptedSearch_data()
    {
        QTest::addColumn<int>("composed");
        QTest::addColumn<int>("screenEpochs");
        QTest::newRow("trained candidates only") << 0 << 0;
        QTest::newRow("with the composer") << 4 << 0;
        QTest::newRow("with the composer and screening") << 4 << 1;
    }

    void resumeGivesTheUninterruptedSearch()
    {
        QFETCH(int, composed);
        QFETCH(int, screenEpochs);
        SearchConfig config = tinySearch(m_cache.path().toStdString(), 0.5);
        config.composedPerBranch = composed;
        config.screenEpochs = screenEpochs;
        config.screenMargin = 0;
        QTemporaryDir straight, stopped;
        Search reference(config, straight.path().toStdString());
        reference.run();

        // The stopped search trains in a cache of its own, so that its branches are trained, not loaded, and the
        // interruption below lands while one trains.
        QTemporaryDir ownCache;
        SearchConfig own = config;
        own.experiment.cacheDirectory = ownCache.path().toStdString();
        {
            Search first(own, stopped.path().toStdString());
            for (int i = 0; i < 5; ++i)
                QVERIFY(first.step());
        }
        {
            // Cancel in the middle of the next candidate (while its branches train or its features are cached), or,
            // with the composer, in the middle of a composition batch.
            std::unique_ptr<Search> second = Search::resume(stopped.path().toStdString());
            std::atomic<bool> stop { false };
            second->setListener([&](const SearchEvent& event) {
                const auto* training = std::get_if<TrainingEvent>(&event);
                const bool midCandidate = training && training->progress.phase == SearchPhase::Searching
                    && training->progress.training.phase != TrainingPhase::None;
                const auto* candidate = std::get_if<CandidateEvent>(&event);
                const bool midComposition = candidate && candidate->candidate.composed;
                if (composed > 0 ? midComposition : midCandidate)
                    stop = true;
            });
            second->run(&stop);
            QVERIFY(stop.load());
            QVERIFY(second->archive().size() >= 5);
        }
        std::unique_ptr<Search> third = Search::resume(stopped.path().toStdString());
        third->run();
        QVERIFY(third->isFinished());
        QCOMPARE(genomes(*third), genomes(reference));
        for (std::size_t i = 0; i < reference.archive().size(); ++i)
            QCOMPARE(third->archive()[i].validation.accuracy, reference.archive()[i].validation.accuracy);
        QCOMPARE(third->hypervolume(), reference.hypervolume());
    }

    // Candidates composed from trained branches need no training, and their figures are exact: the same as evaluating
    // the architecture afresh.
    void composerEvaluatesTrainedBranchesExactly()
    {
        SearchConfig config = tinySearch(m_cache.path().toStdString(), 0.6);
        config.composedPerBranch = 6;
        QTemporaryDir dir;
        Search search(config, dir.path().toStdString());
        search.run();
        QVERIFY(search.isFinished());
        std::set<std::string> trained;
        const auto key = [](const ExitSpec& exit) {
            std::string text = std::to_string(exit.position);
            for (const BranchLayerSpec& layer : exit.layers)
                text += "," + nameOf(layer.type) + std::to_string(layer.width) + std::to_string(layer.stride);
            return text;
        };
        int bred = 0, composed = 0;
        for (const CandidateRecord& r : search.archive()) {
            if (r.composed)
                continue;
            ++bred;
            for (const ExitSpec& exit : r.architecture.exits)
                trained.insert(key(exit));
        }
        for (const CandidateRecord& r : search.archive()) {
            if (!r.composed)
                continue;
            ++composed;
            QCOMPARE(r.branchesTrained, 0);
            for (const ExitSpec& exit : r.architecture.exits)
                QVERIFY2(trained.count(key(exit)), key(exit).c_str());
        }
        QVERIFY2(composed > bred, qPrintable(QStringLiteral("%1 composed, %2 bred").arg(composed).arg(bred)));
        const int trainedBefore = search.experiment().report().branchesTrained;
        for (const CandidateRecord& r : search.archive()) {
            if (!r.composed || r.architecture.exits.size() < 2)
                continue;
            const CandidateOutcomes outcomes = search.experiment().evaluate(r.architecture);
            const ExitPolicy policy(outcomes.validation, r.architecture.confidence, r.exitCosts,
                exitMacsOf(outcomes.cost, CostConvention::AllEvaluatedBranches));
            const PolicyResult again = policy.evaluate(r.validation.thresholds);
            QCOMPARE(again.accuracy, r.validation.accuracy);
            QCOMPARE(again.averageCost, r.validation.averageCost);
            QCOMPARE(again.exitCounts, r.validation.exitCounts);
        }
        QCOMPARE(search.experiment().report().branchesTrained, trainedBefore);
        // The session records which candidates were composed.
        const Session session = loadSession(dir.path().toStdString());
        int saved = 0;
        for (const CandidateRecord& r : session.archive)
            saved += r.composed;
        QCOMPARE(saved, composed);
        QCOMPARE(session.config.composedPerBranch, 6);
    }

    // Multi-fidelity screening trains a proposed candidate's new branches briefly first, and in full only when the
    // candidate (or a composition around them) could reach the front. What it turns down is never recorded, written to
    // the branch cache or proposed again.
    void screeningTrainsOnlyPromisingBranchesInFull()
    {
        QTemporaryDir cache, dir;
        SearchConfig config = tinySearch(cache.path().toStdString(), 0.6);
        config.composedPerBranch = 4;
        config.screenEpochs = 1;
        config.screenSubset = 0.5;
        config.screenMargin = 0;
        config.screenCompose = 2;
        Search search(config, dir.path().toStdString());
        search.run();
        QVERIFY(search.isFinished());
        const ScreeningCounts counts = search.screening();
        const ExperimentReport& report = search.experiment().report();
        QVERIFY2(counts.rejected > 0 && counts.rejected < counts.screened,
            qPrintable(QStringLiteral("%1 of %2 turned down").arg(counts.rejected).arg(counts.screened)));
        // Every proposed candidate that trained branches in full was screened and passed.
        int passed = 0;
        for (const CandidateRecord& r : search.archive())
            passed += !r.composed && r.branchesTrained > 0;
        QCOMPARE(counts.screened, passed + counts.rejected);
        QVERIFY(report.branchesScreened >= counts.branchesSkipped);
        // Only full trainings reach the cache folder.
        const QDir backbones(cache.path());
        int files = 0;
        for (const QString& backbone : backbones.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            files += int(QDir(backbones.filePath(backbone) + QStringLiteral("/branches"))
                             .entryList({ QStringLiteral("*.ebc") }, QDir::Files)
                             .size());
        QCOMPARE(files, report.branchesTrained);
        // The turned-down genomes are kept in the session, and none of them is in the archive.
        const Session session = loadSession(dir.path().toStdString());
        QCOMPARE(int(session.state.screenedOut.size()), counts.rejected);
        std::set<Genome> archived;
        for (const CandidateRecord& r : session.archive)
            archived.insert(r.genome);
        for (const Genome& genome : session.state.screenedOut)
            QVERIFY(!archived.count(genome));
        QCOMPARE(session.config.screenEpochs, 1);
        QCOMPARE(session.config.screenCompose, 2);

        SearchConfig bad = config;
        bad.screenSubset = 0;
        QVERIFY(contains(errorMessage([&] { validateSearchConfig(bad); }), "share of the training images"));
    }

    void badSessionsAreNamed()
    {
        QTemporaryDir dir;
        std::string message = errorMessage([&] { Search::resume(dir.path().toStdString()); });
        QVERIFY2(contains(message, "session.db") && contains(message, "cannot open"), message.c_str());

        QFile file(dir.filePath(QStringLiteral("session.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"format\": \"earlybird-session\", \"version\": 1, \"config\": {");
        file.close();
        message = errorMessage([&] { Search::resume(dir.path().toStdString()); });
        QVERIFY2(contains(message, "session.json") && contains(message, "corrupt session"), message.c_str());

        // A session of other data: the fingerprint does not match.
        QTemporaryDir other;
        {
            Search search(tinySearch(m_cache.path().toStdString(), 0.6), other.path().toStdString());
            search.step();
        }
        Session session = loadSession(other.path().toStdString());
        std::string& path = session.config.experiment.dataset.path;
        const std::string from = "seed=5";
        path.replace(path.find(from), from.size(), "seed=6");
        saveSession(other.path().toStdString(), session);
        std::unique_ptr<Search> resumed = Search::resume(other.path().toStdString());
        message = errorMessage([&] { resumed->prepare(); });
        QVERIFY2(contains(message, "other data"), message.c_str());
    }

    // One writer per session: while a search holds its session, another search in that folder, resumed or new, is
    // refused with a message naming the holder before it reads or trains anything; once the first is gone, it resumes.
    void oneSearchWritesASession()
    {
        QTemporaryDir dir;
        const SearchConfig config = tinySearch(m_cache.path().toStdString(), 0.6);
        {
            Search first(config, dir.path().toStdString());
            QVERIFY(first.step());
            std::string message = errorMessage([&] { Search::resume(dir.path().toStdString()); });
            QVERIFY2(
                contains(message, "being written by tst_search (pid ") && contains(message, dir.path().toStdString()),
                message.c_str());
            message = errorMessage([&] { Search(config, dir.path().toStdString()); });
            QVERIFY2(contains(message, "already holds a search session"), message.c_str());
            // A new search in a folder whose search is still preparing (nothing saved yet) is refused too.
            QTemporaryDir preparing;
            Search starting(config, preparing.path().toStdString());
            message = errorMessage([&] { Search(config, preparing.path().toStdString()); });
            QVERIFY2(contains(message, "being written by tst_search"), message.c_str());
        }
        const std::unique_ptr<Search> resumed = Search::resume(dir.path().toStdString());
        QCOMPARE(resumed->archive().size(), std::size_t(1));
    }

    // The search seed steers the search's own choices only: 0 means the experiment's seed, another seed proposes other
    // networks on the same backbone and branches, and a resumed session keeps it.
    void searchSeedSteersOnlyTheSearch()
    {
        SearchConfig config = tinySearch(m_cache.path().toStdString(), 0.6);
        config.generations = 1;
        config.population = 3;
        const auto firstGeneration = [&](std::uint64_t searchSeed, std::vector<Genome>* out = nullptr) {
            QTemporaryDir dir;
            SearchConfig c = config;
            c.searchSeed = searchSeed;
            {
                Search search(c, dir.path().toStdString());
                search.run();
                if (out)
                    *out = genomes(search);
            }
            const std::unique_ptr<Search> resumed = Search::resume(dir.path().toStdString());
            if (resumed->config().searchSeed != searchSeed)
                QTest::qFail("the resumed session lost its search seed", __FILE__, __LINE__);
            return resumed->backboneMacs();
        };
        std::vector<Genome> own, same, other;
        const double macs = firstGeneration(0, &own);
        firstGeneration(config.experiment.seed, &same);
        QCOMPARE(firstGeneration(config.experiment.seed + 1, &other), macs);
        QVERIFY(own == same);
        QVERIFY(own != other);
        QVERIFY(own.front() == other.front()); // the backbone alone comes first whatever the seed
    }

    // A calibrating search tunes on calibrated confidences: every candidate's exits carry the temperatures their
    // thresholds are on, the session remembers the choice, and the outputs it stores open with their calibration.
    void calibratedSearchCarriesTemperatures()
    {
        QTemporaryDir dir;
        SearchConfig config = tinySearch(m_cache.path().toStdString(), 0.6);
        config.generations = 1;
        config.population = 3;
        config.experiment.calibrate = true;
        {
            Search search(config, dir.path().toStdString());
            search.run();
            int scaled = 0;
            for (const CandidateRecord& r : search.archive()) {
                for (const ExitSpec& exit : r.architecture.exits) {
                    QVERIFY(exit.temperature >= kMinTemperature && exit.temperature <= kMaxTemperature);
                    scaled += exit.temperature != 1.0;
                }
            }
            QVERIFY(scaled > 0);
        }
        const std::unique_ptr<Search> resumed = Search::resume(dir.path().toStdString());
        QVERIFY(resumed->config().experiment.calibrate);
        const SessionOutputs outputs = SessionOutputs::load(dir.path().toStdString());
        const auto withExits = std::find_if(resumed->archive().rbegin(), resumed->archive().rend(),
            [](const CandidateRecord& r) { return !r.architecture.exits.empty(); });
        QVERIFY(withExits != resumed->archive().rend());
        const CandidateRecord& last = *withExits;
        const CandidateOutcomes outcomes = outputs.outcomes(last.architecture);
        QVERIFY(outcomes.validation.calibrated() && outcomes.test.calibrated());
        for (std::size_t e = 0; e < last.architecture.exits.size(); ++e)
            QCOMPARE(outcomes.validation.calibration(int(e)).temperature, last.architecture.exits[e].temperature);
    }

    void baselinesRestrictTheSpace()
    {
        const SearchConfig base = tinySearch(m_cache.path().toStdString(), 0.6);
        const std::vector<int> ends = stageEndPositions(base.experiment.backbone);
        QCOMPARE(ends, (std::vector<int> { 1, 3 })); // before each downsampling block; the last boundary is 3
        // EDANAS's head: three 3x3 convolutions to 32, 64 and 128 channels, max-pooled in front while the exit would
        // cost at least as much as the next one.
        const std::vector<ExitSpec> heads = edanasHeads(base.experiment.backbone, ends);
        QCOMPARE(heads.size(), std::size_t(2));
        std::int64_t nextMacs = countNetworkCost(
            Architecture { base.experiment.backbone, ConfidenceMeasure::ScoreMargin,
                {} }).backboneMacs;
        for (std::size_t i = heads.size(); i-- > 0;) {
            const Architecture alone { base.experiment.backbone, ConfidenceMeasure::ScoreMargin, { heads[i] } };
            const NetworkCost cost = countNetworkCost(alone);
            std::vector<int> channels;
            int pools = 0;
            for (const LayerCost& layer : cost.exits[0].layers) {
                if (layer.label.find("conv") != std::string::npos)
                    channels.push_back(layer.output.channels);
            }
            for (const BranchLayerSpec& layer : heads[i].layers)
                pools += layer.type == BranchLayerType::MaxPool2x2;
            QCOMPARE(channels, (std::vector<int> { 32, 64, 128 }));
            const std::int64_t macs = cost.exits[0].backbonePrefixMacs + cost.exits[0].branchMacs;
            // Cheaper than the next exit, or pooled as far as the rule goes.
            QVERIFY2(macs < nextMacs || pools == 2,
                qPrintable(QStringLiteral("exit %1: %2 >= %3").arg(i).arg(macs).arg(nextMacs)));
            nextMacs = macs;
        }
        for (const Baseline kind : { Baseline::Edanas, Baseline::Nachos }) {
            QTemporaryDir dir;
            auto owned = std::make_unique<Search>(baselineConfig(base, kind), dir.path().toStdString());
            Search& baseline = *owned;
            baseline.run();
            // 2 positions, one fixed head each: 4 networks (none, either exit, both), and the search finds them all.
            QCOMPARE(baseline.archive().size(), std::size_t(4));
            QVERIFY(baseline.isFinished());
            for (const CandidateRecord& r : baseline.archive()) {
                double shared = -1;
                for (const ExitSpec& exit : r.architecture.exits) {
                    QVERIFY(exit.position == 1 || exit.position == 3);
                    QVERIFY(exit.layers == heads[exit.position == 1 ? 0 : 1].layers);
                    // Thresholds on the 0.1 grid; NACHOS's are one shared value from 0.8 down to 0.1.
                    QVERIFY(std::abs(exit.threshold * 10 - std::round(exit.threshold * 10)) < 1e-9);
                    if (kind == Baseline::Nachos) {
                        QVERIFY(exit.threshold >= 0.1 - 1e-9 && exit.threshold <= 0.8 + 1e-9);
                        QVERIFY(shared < 0 || std::abs(shared - exit.threshold) < 1e-12);
                        shared = exit.threshold;
                    }
                }
            }
            // The fixed heads survive a resume: the session's space carries them.
            owned.reset(); // lets go of the session's lock
            const std::unique_ptr<Search> resumed = Search::resume(dir.path().toStdString());
            QCOMPARE(resumed->config().space.fixedBranches.size(), std::size_t(2));
        }
        // aebnas-paper picks each threshold from the published {0.1, 0.2, 1}.
        QCOMPARE(baselineConfig(base, Baseline::AebnasPaper).aebnasThresholds, (std::vector<double> { 0.1, 0.2, 1.0 }));
        QTemporaryDir alone;
        Search backbone(baselineConfig(base, Baseline::Backbone), alone.path().toStdString());
        backbone.run();
        QVERIFY(backbone.isFinished());
        QCOMPARE(backbone.archive().size(), std::size_t(1));
        QVERIFY(backbone.archive().front().architecture.exits.empty());
        QVERIFY(contains(errorMessage([&] { fromName<Baseline>("nacho"); }), "unknown baseline 'nacho'"));
    }

    // With a loose target the tuner leaves weak exits unused: each such candidate is followed by its twin without
    // them (its thresholds retuned), which is at least as accurate on validation.
    void idleExitsArePrunedInATwin()
    {
        SearchConfig config = tinySearch(m_cache.path().toStdString(), 3.0);
        QTemporaryDir dir;
        Search search(config, dir.path().toStdString());
        search.run();
        const SearchSpace space({ config.experiment.backbone }, config.space);
        const std::vector<CandidateRecord>& archive = search.archive();
        const int twins = checkIdleExitTwins(space, archive);
        QVERIFY(twins >= 1);
        for (std::size_t i = 0; i + 1 < archive.size(); ++i) {
            const CandidateRecord& parent = archive[i];
            const CandidateRecord& next = archive[i + 1];
            if (next.architecture.exits.size() >= parent.architecture.exits.size()
                || std::count(parent.validation.exitCounts.begin(), parent.validation.exitCounts.end() - 1, 0) == 0)
                continue;
            // Retuned on the cheaper network: never less accurate by more than the tuner's one-sample tolerance.
            QVERIFY(next.validation.accuracy >= parent.validation.accuracy - 1.0 / double(parent.validation.samples));
        }
    }

    // Parameters used per sample as the cost, with the model's size capped: the tuner keeps every candidate within
    // the target in parameters, the archive records each candidate's exit costs and size, and nothing over the cap
    // is proposed.
    void parametersCostAndSizeLimit()
    {
        SearchConfig config = tinySearch(m_cache.path().toStdString());
        config.costModel = CostModel::Parameters;
        config.targetFraction = 0.7;
        const NetworkCost backbone
            = countNetworkCost(Architecture { config.experiment.backbone, ConfidenceMeasure::ScoreMargin, {} });
        config.maxParameters = backbone.backboneParameters + 2500;
        QTemporaryDir dir;
        auto owned = std::make_unique<Search>(config, dir.path().toStdString());
        Search& search = *owned;
        search.run();
        QCOMPARE(search.backboneCost(), double(backbone.backboneParameters));
        QCOMPARE(search.config().target, 0.7 * double(backbone.backboneParameters));
        QVERIFY(search.archive().size() >= 4);
        for (const CandidateRecord& r : search.archive()) {
            const NetworkCost cost = countNetworkCost(r.architecture);
            QCOMPARE(r.parameters, cost.totalParameters);
            QVERIFY(r.parameters <= config.maxParameters);
            QCOMPARE(r.exitCosts, exitCostsOf(CostModel::Parameters, cost, CostConvention::AllEvaluatedBranches));
            if (r.exitCosts.front() <= search.config().target)
                QVERIFY(r.validation.averageCost <= search.config().target * (1 + 1e-9));
            // MACs are reported beside the cost, from the same exit counts.
            double macs = 0;
            for (std::size_t e = 0; e < cost.exits.size(); ++e)
                macs += double(r.validation.exitCounts[e])
                    * double(cost.macsForExit(int(e), CostConvention::AllEvaluatedBranches));
            QVERIFY(std::abs(r.validation.averageMacs - macs / double(r.validation.samples)) < 1e-6 * macs);
        }
        // The session says what the cost was, and resumes with it (once the search has let go of it: one writer).
        const CandidateRecord last = search.archive().back();
        owned.reset();
        const std::unique_ptr<Search> resumed = Search::resume(dir.path().toStdString());
        QVERIFY(resumed->config().costModel == CostModel::Parameters);
        QCOMPARE(resumed->config().maxParameters, config.maxParameters);
        QCOMPARE(resumed->archive().back().exitCosts, last.exitCosts);
        QCOMPARE(resumed->archive().back().validation.averageCost, last.validation.averageCost);
    }

    // Latency as the cost: the backbone is timed when the search is prepared, the target follows from it, and every
    // candidate's exit costs are its timed parts summed along each path.
    void latencyCost()
    {
        SearchConfig config = tinySearch(m_cache.path().toStdString());
        config.costModel = CostModel::Latency;
        config.targetFraction = 0.8;
        config.generations = 1;
        QTemporaryDir dir, cache;
        config.experiment.cacheDirectory = cache.path().toStdString();
        Search search(config, dir.path().toStdString());
        search.run();
        QVERIFY(search.backboneCost() > 0);
        QCOMPARE(search.config().target, 0.8 * search.backboneCost());
        LatencyTable table(LatencyTable::fileFor(cache.path().toStdString()));
        QVERIFY(table.problem().empty());
        QVERIFY(table.size() >= int(config.experiment.backbone.blocks.size()) + 1);
        for (const CandidateRecord& r : search.archive()) {
            const NetworkLatency latency = table.latencyOf(r.architecture);
            QCOMPARE(r.exitCosts,
                exitCostsOf(CostModel::Latency, countNetworkCost(r.architecture), CostConvention::AllEvaluatedBranches,
                    &latency));
        }
        QCOMPARE(table.measuredSinceLoad(), 0); // every part was timed by the search and saved
        QCOMPARE(search.archive().front().exitCosts, (std::vector<double> { search.backboneCost() }));
        const Session session = loadSession(dir.path().toStdString());
        QVERIFY(session.config.costModel == CostModel::Latency);
        QCOMPARE(session.machine, LatencyTable::machineDescription());
    }

    void impossibleConfigurations()
    {
        SearchConfig config = tinySearch("");
        QTemporaryDir dir;
        QVERIFY(contains(errorMessage([&] { Search(config, dir.path().toStdString()); }), "positive target"));
        config = tinySearch("", 0.5);
        config.population = 1;
        QVERIFY(contains(errorMessage([&] { Search(config, dir.path().toStdString()); }), "population"));
        config.population = 4;
        config.generations = 0;
        QVERIFY(contains(errorMessage([&] { Search(config, dir.path().toStdString()); }), "time budget"));
        config.generations = 2;
        config.maxParameters = -1;
        QVERIFY(contains(errorMessage([&] { Search(config, dir.path().toStdString()); }), "parameter limit"));
        config.maxParameters = 0;

        // A target below the cheapest network the space holds is refused before anything is trained, naming what the
        // cheapest costs; a reachable one is not.
        for (const double fraction : { 0.001, 0.6 }) {
            QTemporaryDir folder;
            config.targetFraction = fraction;
            config.experiment.cacheDirectory = folder.filePath(QStringLiteral("cache")).toStdString();
            Search search(config, folder.filePath(QStringLiteral("s")).toStdString());
            int trainingEvents = 0;
            search.setListener(
                [&](const SearchEvent& event) { trainingEvents += std::holds_alternative<TrainingEvent>(event); });
            const std::string message = errorMessage([&] { search.prepare(); });
            if (fraction < 0.01) {
                QVERIFY2(contains(message, "below the cheapest network this search can make"), message.c_str());
                QVERIFY2(contains(message, "after block 0"), message.c_str());
                QCOMPARE(trainingEvents, 0);
                QVERIFY(!search.isPrepared());
            } else {
                QVERIFY2(message.empty(), message.c_str());
                QVERIFY(search.isPrepared());
            }
        }
    }

    // The store keeps every exit's per-sample outputs, so each archived candidate's outcomes come back exactly without
    // the experiment; a session from before they were stored gets them when it is next prepared.
    void storesEveryExitsOutputs()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString() + "/session";
        SearchConfig config = tinySearch(m_cache.path().toStdString(), 0.6);
        config.generations = 1;
        Search search(config, folder);
        search.run();
        const SessionOutputs outputs = SessionOutputs::load(folder);
        QVERIFY(!outputs.empty());
        for (const CandidateRecord& record : search.archive()) {
            QVERIFY(outputs.covers(record.architecture));
            const CandidateOutcomes stored = outputs.outcomes(record.architecture);
            const CandidateOutcomes live = search.experiment().evaluate(record.architecture);
            QVERIFY(stored.validation == live.validation);
            QVERIFY(stored.test == live.test);
        }
        // The same session saved without outputs, as before they were kept: preparing it stores them.
        const std::string old = dir.path().toStdString() + "/old";
        QVERIFY(QDir().mkpath(QString::fromStdString(old)));
        saveSession(old, loadSession(folder));
        QVERIFY(SessionOutputs::load(old).empty());
        std::unique_ptr<Search> resumed = Search::resume(old);
        resumed->prepare();
        const SessionOutputs backfilled = SessionOutputs::load(old);
        QCOMPARE(backfilled.exitCount(), outputs.exitCount());
        for (const CandidateRecord& record : search.archive())
            QVERIFY(backfilled.outcomes(record.architecture).validation
                == outputs.outcomes(record.architecture).validation);
    }
};

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
