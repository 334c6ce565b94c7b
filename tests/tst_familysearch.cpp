#include "base/fileio.h"
#include "errorcapture.h"
#include "fixtures.h"
#include "model/networkcost.h"
#include "search/familysearch.h"
#include "search/keptmembers.h"
#include "search/sessionfile.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

double cheapestOf(const SearchConfig& config, const BackboneSpec& backbone)
{
    const SearchSpace space({ backbone }, config.space);
    return cheapestNetwork(space, config.costModel, config.convention)->cost;
}

} // namespace

class TestFamilySearch : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_cache;

private Q_SLOTS:
    // Three members: a small one, the base, and a wide one whose cheapest network is over the target (left out
    // untrained). The run is stopped once its exploration is done, resumed, and runs to its budget.
    void sharesItsBudgetBetweenBackbonesAndResumes()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString() + "/family";
        FamilySearchConfig config;
        config.search = tinySearch(m_cache.path().toStdString());
        const BackboneSpec& base = config.search.experiment.backbone;
        config.search.generations = 0;
        config.search.timeBudgetSeconds = 15;
        config.search.composedPerBranch = 4;
        BackboneGenes small = baseGenes(base), wide = baseGenes(base);
        small.width = 0.5;
        small.depths.front() = 1;
        wide.width = 4;
        const double baseCost
            = double(countNetworkCost(Architecture { base, ConfidenceMeasure::ScoreMargin, {} }).backboneMacs);
        const double cheapestBase = cheapestOf(config.search, base);
        const double cheapestWide = cheapestOf(config.search, familyMember(base, wide));
        QVERIFY(cheapestWide > 1.2 * cheapestBase);
        config.search.target = 0.5 * (cheapestBase + cheapestWide);
        config.members = { wide, baseGenes(base), small };

        std::atomic<bool> stop { false };
        std::vector<std::string> lines;
        {
            FamilySearch family(config, folder);
            family.setLog([&](const std::string& line) {
                lines.push_back(line);
                if (line.rfind("round 1", 0) == 0)
                    stop = true; // stopped as the first round starts: its slices are not run
            });
            family.run(&stop);
            QVERIFY(!family.session().finished);
        }
        const FamilySession stopped = loadFamily(folder);
        // Sorted by MACs: the small member first, the wide one last and never trained.
        QCOMPARE(stopped.members.front().label, genesLabel(small));
        QVERIFY(stopped.members.back().excluded);
        QVERIFY(!stopped.members.back().started);
        QVERIFY(!hasSession(folder + "/" + stopped.members.back().folder));
        for (int m = 0; m < 2; ++m) {
            QVERIFY(stopped.members[std::size_t(m)].started);
            QCOMPARE(stopped.members[std::size_t(m)].slices, 1);
        }
        QCOMPARE(stopped.round, 0);

        stop = false;
        auto resumed = FamilySearch::resume(folder);
        resumed->run(&stop);
        const FamilySession& s = resumed->session();
        QVERIFY(s.finished);
        QCOMPARE(s.round, config.rounds);
        QCOMPARE(s.baseCost, baseCost);
        // The budget holds, give or take the candidate in flight when a slice ends and a member's preparing.
        QVERIFY2(s.elapsedSeconds < config.search.timeBudgetSeconds + 10, std::to_string(s.elapsedSeconds).c_str());
        QVERIFY(s.elapsedSeconds > 0.8 * config.search.timeBudgetSeconds);

        // Each member's front is its session's; the joint front is theirs merged, non-dominated and by cost.
        double bestMemberHypervolume = 0;
        for (const FamilyMember& m : s.members) {
            if (!m.started)
                continue;
            const Session session = loadSession(folder + "/" + m.folder);
            QVERIFY(session.thresholdFront == m.front);
            QCOMPARE(session.config.experiment.backbone, familyMember(base, m.genes));
            QCOMPARE(session.config.target, s.target);
            bestMemberHypervolume = std::max(bestMemberHypervolume, frontHypervolume(m.front, s.baseCost, false));
        }
        const std::vector<FamilyPoint> front = s.front();
        QVERIFY(!front.empty());
        for (std::size_t i = 0; i < front.size(); ++i) {
            const std::vector<FrontPoint>& memberFront = s.members[std::size_t(front[i].member)].front;
            QVERIFY(std::find(memberFront.begin(), memberFront.end(), front[i].point) != memberFront.end());
            if (i > 0) {
                QVERIFY(front[i].point.cost >= front[i - 1].point.cost);
                QVERIFY(front[i].point.accuracy > front[i - 1].point.accuracy);
            }
        }
        QVERIFY(s.hypervolume(false) >= bestMemberHypervolume);
        const std::vector<double> contributions = s.contributions();
        QCOMPARE(contributions.back(), 0.0);
        for (const double c : contributions)
            QVERIFY(c >= 0);
        // What was decided is said.
        const FamilySession saved = loadFamily(folder);
        QVERIFY(std::any_of(saved.log.begin(), saved.log.end(),
            [](const std::string& line) { return line.find("left out") != std::string::npos; }));
        QVERIFY(std::any_of(
            saved.log.begin(), saved.log.end(), [](const std::string& line) { return line.rfind("done:", 0) == 0; }));
        QCOMPARE(saved.elapsedSeconds, s.elapsedSeconds);
        // Within a run, a member searched again is not prepared again (its features fit the budget here), and the time
        // it waits for the others is not its session's.
        QVERIFY(std::any_of(saved.log.begin(), saved.log.end(),
            [](const std::string& line) { return line.find("kept prepared") != std::string::npos; }));
        for (const FamilyMember& m : s.members) {
            if (!m.started)
                continue;
            const double own = loadSession(folder + "/" + m.folder).state.elapsedSeconds;
            QVERIFY2(own <= m.searchSeconds + m.backboneSeconds + 0.5,
                (m.label + ": " + std::to_string(own) + " s in its session, " + std::to_string(m.searchSeconds)
                    + " s of slices")
                    .c_str());
        }
    }

    // Which prepared members make room for another: the least recently searched first, until the newcomer fits the
    // feature budget and the free memory (0: not known), and none when it fits already.
    void keptMembersLetTheLeastRecentGoFirst()
    {
        const std::vector<KeptMember> kept { { 0, 300, 5 }, { 1, 200, 2 }, { 2, 100, 9 } };
        using Members = std::vector<int>;
        QCOMPARE(membersToLetGo(kept, 400, 1000, 0, 0), Members {});
        QCOMPARE(membersToLetGo(kept, 500, 1000, 0, 0), Members { 1 });
        QCOMPARE(membersToLetGo(kept, 800, 1000, 0, 0), (Members { 1, 0 }));
        QCOMPARE(membersToLetGo(kept, 2000, 1000, 0, 0), (Members { 1, 0, 2 }));
        QCOMPARE(membersToLetGo(kept, 100, 10000, 250, 50), Members {});
        QCOMPARE(membersToLetGo(kept, 100, 10000, 120, 50), Members { 1 });
        QCOMPARE(membersToLetGo(kept, 400, 10000, 10, 50), (Members { 1, 0 }));
        QCOMPARE(membersToLetGo({}, 5000, 1000, 10, 50), Members {});
    }

    // Backbones in the cache whose training took long: charged, the family leaves out what would not leave it time to
    // search; with --free-cached-backbones, nothing is charged and every member is searched within the budget (the
    // first measurement left every member but one out here: their recorded training was counted all the same).
    void chargesCachedBackbonesOnlyWhenAsked()
    {
        // The backbones of the test above are in the cache; say each took 1,000 s to train.
        int records = 0;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(m_cache.path().toStdString())) {
            if (entry.path().filename() != "backbone.json")
                continue;
            nlohmann::json record = nlohmann::json::parse(std::ifstream(entry.path()));
            record["train_seconds"] = 1000.0;
            writeFileAtomically(entry.path().string(), record.dump());
            ++records;
        }
        QVERIFY(records >= 2);
        FamilySearchConfig config;
        config.search = tinySearch(m_cache.path().toStdString(), 0.6);
        config.search.generations = 0;
        config.search.timeBudgetSeconds = 8;
        BackboneGenes small = baseGenes(config.search.experiment.backbone);
        small.width = 0.5;
        small.depths.front() = 1;
        config.members = { small, baseGenes(config.search.experiment.backbone) };
        config.rounds = 1;
        QTemporaryDir dir;
        config.chargeCachedBackbones = false;
        FamilySearch free(config, dir.path().toStdString() + "/free");
        free.run();
        for (const FamilyMember& m : free.session().members) {
            QVERIFY2(!m.excluded && m.slices >= 1, m.label.c_str());
            QCOMPARE(m.backboneSeconds, 1000.0);
            QCOMPARE(m.backboneCharged, 0.0);
        }
        QVERIFY(free.session().elapsedSeconds < config.search.timeBudgetSeconds + 10);

        config.chargeCachedBackbones = true;
        FamilySearch charged(config, dir.path().toStdString() + "/charged");
        charged.run();
        const FamilySession& s = charged.session();
        QCOMPARE(s.members[0].backboneCharged, 1000.0);
        QVERIFY(s.members[1].excluded); // 1,000 s more would leave no time at all
        QVERIFY(s.elapsedSeconds >= 1000);
        QVERIFY(s.finished);
    }

    // Weights from one supernet: trained once before any member, charged once, and each member's session imports its
    // share (no member trains); the family resumes with them.
    void takesEveryMemberOutOfOneSupernet()
    {
        QTemporaryDir dir, cache;
        const std::string folder = dir.path().toStdString() + "/family";
        FamilySearchConfig config;
        config.search = tinySearch(cache.path().toStdString(), 0.6);
        config.search.generations = 0;
        config.search.timeBudgetSeconds = 6;
        const BackboneSpec& base = config.search.experiment.backbone;
        BackboneGenes small = baseGenes(base);
        small.width = 0.5;
        small.depths.front() = 1;
        config.members = { small, baseGenes(base) };
        config.rounds = 1;
        config.weights = FamilyWeights::Supernet;
        config.supernetLargestEpochs = 1;
        config.supernetRandomSubnets = 1;
        config.supernetCalibrationImages = 100;
        std::vector<std::string> lines;
        FamilySearch family(config, folder);
        family.setLog([&](const std::string& line) { lines.push_back(line); });
        family.run();
        const FamilySession& s = family.session();
        QVERIFY(s.finished);
        QVERIFY(s.supernetReady);
        QVERIFY(s.supernetSeconds > 0);
        QVERIFY(s.supernetCharged >= s.supernetSeconds);
        QVERIFY(lines.front().rfind("supernet w1 d2.1 k3.3", 0) == 0);
        for (const FamilyMember& m : s.members) {
            QVERIFY2(m.started && m.slices >= 1, m.label.c_str());
            QVERIFY(fileExists(m.weightsPath));
            QCOMPARE(m.backboneSeconds, 0.0); // imported, not trained
            const Session session = loadSession(folder + "/" + m.folder);
            QCOMPARE(session.config.experiment.backboneWeights, m.weightsPath);
            QCOMPARE(session.config.experiment.backbone, familyMember(base, m.genes));
        }
        QVERIFY(s.elapsedSeconds < config.search.timeBudgetSeconds + s.supernetCharged + 10);
        const FamilySession saved = loadFamily(folder);
        QVERIFY(saved.config.weights == FamilyWeights::Supernet);
        QCOMPARE(saved.config.supernetCalibrationImages, 100);
        QCOMPARE(saved.supernetCharged, s.supernetCharged);
        QCOMPARE(saved.members[0].weightsPath, s.members[0].weightsPath);

        FamilySearchConfig uncached = config;
        uncached.search.experiment.cacheDirectory.clear();
        QVERIFY(contains(errorMessage([&] { validateFamilySearchConfig(uncached); }), "cache folder"));
    }

    // Headroom: what a member could still add if its exits reached its backbone's accuracy at half its cost.
    void headroomIsWhatABackboneCouldStillAdd()
    {
        FamilySession s;
        s.baseCost = 100;
        FamilyMember searched, wide, weak, waiting;
        FrontPoint p;
        p.accuracy = 0.8;
        p.cost = 20; // 0.2x the base's
        searched.front = { p };
        searched.started = true;
        searched.backboneCost = 40;
        searched.backboneValidationAccuracy = 0.85;
        wide = searched;
        wide.front.clear();
        wide.backboneCost = 200; // 2x: it could reach 0.9 at 1x
        wide.backboneValidationAccuracy = 0.9;
        weak = wide;
        weak.backboneCost = 60;
        weak.backboneValidationAccuracy = 0.7; // below the front everywhere it could reach
        waiting = wide;
        waiting.started = false;
        s.members = { searched, wide, weak, waiting };
        const std::vector<double> headroom = s.headroom();
        // The front is 0.8 from 0.2x to the reference 1.25x; the searched member could reach 0.85 from 0.2x on, the
        // wide one 0.9 from 1x on.
        QVERIFY(std::abs(headroom[0] - 0.05 * (1.25 - 0.2)) < 1e-9);
        QVERIFY(std::abs(headroom[1] - 0.1 * (1.25 - 1.0)) < 1e-9);
        QCOMPARE(headroom[2], 0.0);
        QCOMPARE(headroom[3], 0.0); // not started: its backbone's accuracy is not known
    }

    void refusesWhatItCannotDo()
    {
        QTemporaryDir dir;
        FamilySearchConfig config;
        config.search = tinySearch(m_cache.path().toStdString(), 0.6);
        config.search.generations = 0;
        config.search.timeBudgetSeconds = 10;
        config.members = { baseGenes(config.search.experiment.backbone) };
        validateFamilySearchConfig(config);
        FamilySearchConfig twice = config;
        twice.members.push_back(twice.members.front());
        QVERIFY(contains(errorMessage([&] { validateFamilySearchConfig(twice); }), "twice"));
        FamilySearchConfig latency = config;
        latency.search.costModel = CostModel::Latency;
        QVERIFY(contains(errorMessage([&] { validateFamilySearchConfig(latency); }), "latency"));
        FamilySearchConfig unbounded = config;
        unbounded.search.timeBudgetSeconds = 0;
        QVERIFY(contains(errorMessage([&] { validateFamilySearchConfig(unbounded); }), "time budget"));
        FamilySearchConfig none = config;
        none.members.clear();
        QVERIFY(contains(errorMessage([&] { validateFamilySearchConfig(none); }), "at least one"));

        const std::string folder = dir.path().toStdString() + "/f";
        {
            FamilySearch family(config, folder);
        }
        QVERIFY(contains(errorMessage([&] { FamilySearch again(config, folder); }), "holds a session already"));
        writeFileAtomically(folder + "/family.json", std::string("{\"format\": \"earlybird-family\", \"version\": 1}"));
        const std::string corrupt = errorMessage([&] { loadFamily(folder); });
        QVERIFY2(contains(corrupt, folder + "/family.json"), corrupt.c_str());
        writeFileAtomically(folder + "/family.json", std::string("{\"format\": \"something else\"}"));
        QVERIFY(contains(errorMessage([&] { loadFamily(folder); }), "not an Earlybird family session"));
        QVERIFY(contains(errorMessage([&] { loadFamily(dir.path().toStdString()); }), "family.json is missing"));
    }
};

QTEST_GUILESS_MAIN(TestFamilySearch)
#include "tst_familysearch.moc"
