#include "fixtures.h"
#include "search/nsga2.h"

#include <QTest>

#include <set>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

// Two fronts: A, B, D and E are non-dominated; C is dominated by A; F is the most accurate and cheapest of all but
// breaks the budget, so every feasible point beats it. Ids are 10 + index.
const std::vector<int> kIds { 10, 11, 12, 13, 14, 15 };
const std::vector<ObjectivePoint> kPoints {
    { 0.90, 0.4, 0.0 }, // A
    { 0.80, 0.3, 0.0 }, // B
    { 0.70, 0.6, 0.0 }, // C
    { 0.95, 0.9, 0.0 }, // D
    { 0.60, 0.2, 0.0 }, // E
    { 0.99, 0.1, 0.5 }, // F: over budget
};

bool hasExitAt(const SearchSpace& space, const Genome& genome, int position)
{
    for (const ExitSpec& exit : space.decode(genome).exits) {
        if (exit.position == position)
            return true;
    }
    return false;
}

} // namespace

class TestNsga2 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void selectionKeepsFrontsInOrder()
    {
        Ranking ranks;
        const std::vector<int> all = selectSurvivors(kIds, kPoints, 6, &ranks);
        QCOMPARE(all.size(), std::size_t(6));
        for (const int id : { 10, 11, 13, 14 })
            QCOMPARE(ranks.at(id).front, 0);
        QCOMPARE(ranks.at(12).front, 1); // dominated by A
        QCOMPARE(ranks.at(15).front, 2); // infeasible: behind every feasible point
        QCOMPARE(all.back(), 15);
        // The two ends of the front are infinitely crowded and come first (equal distances: smaller id first).
        QVERIFY(std::isinf(ranks.at(13).crowding) && std::isinf(ranks.at(14).crowding));
        QCOMPARE(all[0], 13);
        QCOMPARE(all[1], 14);
    }

    void selectionCutsTheLastFrontByCrowding()
    {
        // Of A and B, A has more room around it: accuracy (0.95 - 0.80) / 0.35 + cost (0.9 - 0.3) / 0.7 = 1.29
        // against B's (0.90 - 0.60) / 0.35 + (0.4 - 0.2) / 0.7 = 1.14.
        Ranking ranks;
        const std::vector<int> three = selectSurvivors(kIds, kPoints, 3, &ranks);
        QCOMPARE(three, (std::vector<int> { 13, 14, 10 }));
        QCOMPARE(ranks.size(), std::size_t(3));
        QVERIFY(ranks.at(10).crowding > 1.28 && ranks.at(10).crowding < 1.29);
        QVERIFY(selectSurvivors(kIds, kPoints, 0).empty());
        QVERIFY(selectSurvivors({}, {}, 4).empty());
    }

    void tournamentPrefersTheBetterFront()
    {
        // Parent 1 on the first front, parent 2 on the second: 2 wins only when drawn twice (a quarter of the time).
        const Ranking ranks { { 1, { 0, 0.5 } }, { 2, { 1, 9.0 } } };
        Rng rng(7);
        int firstWins = 0;
        const int rounds = 4000;
        for (int i = 0; i < rounds; ++i)
            firstWins += binaryTournament({ 1, 2 }, ranks, rng) == 1;
        QVERIFY2(firstWins > 0.72 * rounds && firstWins < 0.78 * rounds, qPrintable(QString::number(firstWins)));
        // On one front the more crowded parent wins.
        const Ranking sameFront { { 1, { 0, 0.5 } }, { 2, { 0, 2.0 } } };
        int secondWins = 0;
        for (int i = 0; i < rounds; ++i)
            secondWins += binaryTournament({ 1, 2 }, sameFront, rng) == 2;
        QVERIFY2(secondWins > 0.72 * rounds && secondWins < 0.78 * rounds, qPrintable(QString::number(secondWins)));
    }

    void offspringAreNewCanonicalAndFiltered()
    {
        const SearchSpace space({ tinyBackbone() });
        Rng sampler(3);
        std::vector<Parent> parents;
        for (int i = 0; i < 6; ++i)
            parents.push_back({ 10 + i, space.sample(sampler), kPoints[std::size_t(i)] });
        // The filter refuses duplicates and any network with an exit after the first block.
        int calls = 0;
        const ProposalFilter accept = [&](const Genome& genome, const std::vector<Genome>& proposed) {
            ++calls;
            for (const Genome& other : proposed) {
                if (space.structureKey(other) == space.structureKey(genome))
                    return false;
            }
            return !hasExitAt(space, genome, 0);
        };
        VariationOptions options;
        options.offspring = 8;
        options.attempts = 500;
        options.mutationRate = 0.1;
        Rng rng(11);
        const std::vector<Genome> children = proposeOffspring(parents, space, options, accept, rng);
        QCOMPARE(children.size(), std::size_t(8));
        std::set<std::string> keys;
        for (const Genome& child : children) {
            QVERIFY(space.isCanonical(child));
            QVERIFY(!hasExitAt(space, child, 0));
            keys.insert(space.structureKey(child));
        }
        QCOMPARE(keys.size(), children.size());
        // Seeded: the same generator state proposes the same children.
        Rng again(11);
        QCOMPARE(proposeOffspring(parents, space, options, accept, again), children);
        // A filter that refuses everything is asked exactly `attempts` times, and nothing is proposed.
        calls = 0;
        const ProposalFilter none = [&](const Genome&, const std::vector<Genome>&) {
            ++calls;
            return false;
        };
        QVERIFY(proposeOffspring(parents, space, options, none, rng).empty());
        QCOMPARE(calls, options.attempts);
        QVERIFY(proposeOffspring({}, space, options, accept, rng).empty());
    }

    void randomProposalsFollowTheFilter()
    {
        const SearchSpace space({ tinyBackbone() });
        VariationOptions options;
        options.offspring = 5;
        options.attempts = 300;
        const ProposalFilter accept = [&](const Genome& genome, const std::vector<Genome>& proposed) {
            for (const Genome& other : proposed) {
                if (space.structureKey(other) == space.structureKey(genome))
                    return false;
            }
            return !space.decode(genome).exits.empty();
        };
        Rng rng(5);
        const std::vector<Genome> samples = proposeRandom(space, options, accept, rng);
        QCOMPARE(samples.size(), std::size_t(5));
        for (const Genome& genome : samples) {
            QVERIFY(space.isCanonical(genome));
            QVERIFY(!space.decode(genome).exits.empty());
        }
    }
};

QTEST_APPLESS_MAIN(TestNsga2)
#include "tst_nsga2.moc"
