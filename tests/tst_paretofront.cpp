#include "search/paretofront.h"
#include "search/thresholdfront.h"

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

    // The threshold front keeps only non-dominated (architecture, thresholds) points, by cost; the first of equals.
    void thresholdFrontKeepsTheBest()
    {
        const auto point = [](int candidate, double accuracy, double cost) {
            return FrontPoint { candidate, { 0.5 }, accuracy, cost, cost, accuracy - 0.01, cost };
        };
        ThresholdFront front;
        QVERIFY(front.empty());
        QCOMPARE(front.hypervolume(100.0, false), 0.0);
        QVERIFY(front.add({ point(0, 0.90, 100), point(0, 0.80, 50), point(0, 0.70, 60) })); // the last is dominated
        QCOMPARE(front.points().size(), std::size_t(2));
        QVERIFY(!front.add({ point(1, 0.80, 50), point(1, 0.60, 70) })); // equal to a kept point, or dominated
        QCOMPARE(front.points()[0].candidate, 0);
        QVERIFY(front.add({ point(2, 0.85, 40) })); // dominates (0.80, 50)
        QCOMPARE(front.points().size(), std::size_t(2));
        QCOMPARE(front.points()[0].cost, 40.0);
        QCOMPARE(front.points()[1].cost, 100.0);
        // Hypervolume against 1.25 x the backbone's cost 100: 0.85 * (1.25 - 0.4) + 0.05 * (1.25 - 1.0).
        QVERIFY(std::abs(front.hypervolume(100.0, false) - (0.85 * 0.85 + 0.05 * 0.25)) < 1e-12);
        QVERIFY(std::abs(front.hypervolume(100.0, true) - (0.84 * 0.85 + 0.05 * 0.25)) < 1e-12);
        QCOMPARE(front.bestWithin(60.0)->accuracy, 0.85);
        QCOMPARE(front.bestWithin(100.0)->accuracy, 0.90);
        QVERIFY(front.bestWithin(30.0) == nullptr);

        // What screening asks: would a point, raised by a margin, join the front? Nothing is added.
        QVERIFY(!front.wouldGain({ point(3, 0.84, 40), point(3, 0.89, 100) }, 0.0)); // dominated
        QVERIFY(!front.wouldGain({ point(3, 0.85, 40) }, 0.0)); // equal to a kept point
        QVERIFY(front.wouldGain({ point(3, 0.84, 40), point(3, 0.89, 100) }, 0.015)); // raised past (0.85, 40)
        QVERIFY(front.wouldGain({ point(3, 0.10, 30) }, 0.0)); // cheaper than every kept point
        QVERIFY(!front.wouldGain({}, 1.0));
        QCOMPARE(front.points().size(), std::size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestParetoFront)
#include "tst_paretofront.moc"
