#include "search/paretofront.h"

#include <QTest>

#include <cmath>
#include <set>

using namespace earlybird;

class TestParetoFront : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dominance()
    {
        QVERIFY(dominates({ 0.9, 0.5, 0 }, { 0.8, 0.6, 0 }));
        QVERIFY(dominates({ 0.9, 0.5, 0 }, { 0.9, 0.6, 0 }));
        QVERIFY(!dominates({ 0.9, 0.5, 0 }, { 0.9, 0.5, 0 }));
        QVERIFY(!dominates({ 0.9, 0.6, 0 }, { 0.8, 0.5, 0 }));
        // Feasible beats infeasible whatever the objectives; among infeasible, smaller violation wins.
        QVERIFY(dominates({ 0.1, 0.9, 0 }, { 0.99, 0.1, 0.2 }));
        QVERIFY(dominates({ 0.5, 0.9, 0.1 }, { 0.99, 0.1, 0.2 }));
    }

    void frontsAndCrowding()
    {
        const std::vector<ObjectivePoint> points { { 0.9, 1.0, 0 }, { 0.8, 0.5, 0 }, { 0.7, 0.2, 0 }, { 0.75, 0.6, 0 },
            { 0.6, 0.3, 0 }, { 0.5, 0.1, 0.5 } };
        const std::vector<std::vector<int>> fronts = nonDominatedFronts(points);
        QCOMPARE(fronts.size(), std::size_t(3));
        QCOMPARE(std::set<int>(fronts[0].begin(), fronts[0].end()), (std::set<int> { 0, 1, 2 }));
        QCOMPARE(std::set<int>(fronts[1].begin(), fronts[1].end()), (std::set<int> { 3, 4 }));
        QCOMPARE(fronts[2], std::vector<int> { 5 });
        const std::vector<double> crowding = crowdingDistances(points, fronts[0]);
        int infinite = 0;
        for (const double d : crowding)
            infinite += std::isinf(d);
        QCOMPARE(infinite, 2); // the two ends
        QCOMPARE(paretoFront(points), (std::vector<int> { 2, 1, 0 }));
    }

    void hypervolumeByHand()
    {
        // Reference (0, 1.25). Points (0.7, 0.2), (0.8, 0.5), (0.9, 1.0):
        // 0.7 * 1.05 + 0.1 * 0.75 + 0.1 * 0.25 = 0.735 + 0.075 + 0.025 = 0.835.
        const std::vector<ObjectivePoint> points { { 0.9, 1.0, 0 }, { 0.8, 0.5, 0 }, { 0.7, 0.2, 0 }, { 0.6, 0.3, 0 },
            { 0.95, 1.4, 0 }, { 0.99, 0.1, 1.0 } };
        QVERIFY(std::abs(hypervolume(points, 0.0, 1.25) - 0.835) < 1e-12);
        QCOMPARE(hypervolume({}, 0.0, 1.25), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestParetoFront)
#include "tst_paretofront.moc"
