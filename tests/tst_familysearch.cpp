#include "base/fileio.h"
#include "errorcapture.h"
#include "fixtures.h"
#include "model/networkcost.h"
#include "search/familysearch.h"
#include "search/sessionfile.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
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
        config.search.timeBudgetSeconds = 20;
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
