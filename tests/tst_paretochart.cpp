// The Pareto chart at the sizes the composer reaches: decimation keeps one marker per small cell (the latest
// candidate in it) and never hides a region that has candidates; the fitted view shows the whole front.

#include "paretochart.h"

#include <QChart>
#include <QChartView>
#include <QPushButton>
#include <QSet>
#include <QValueAxis>
#include <QtTest>

#include <cmath>
#include <random>

using namespace earlybird;
using namespace earlybird::ui;

namespace {

constexpr double kBackboneMacs = 3.1e6;

CandidateRecord candidate(int id, double macsFraction, double accuracy, int generation = 0)
{
    CandidateRecord c;
    c.id = id;
    c.generation = generation;
    c.validation.averageCost = c.validation.averageMacs = macsFraction * kBackboneMacs;
    c.validation.accuracy = accuracy;
    c.test = c.validation;
    return c;
}

CostAxis macsAxis()
{
    return CostAxis::forSession(CostModel::Macs, kBackboneMacs);
}

} // namespace

class TestParetoChart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void decimatesACrowdButKeepsEveryRegion()
    {
        ParetoChart chart;
        chart.resize(900, 600);
        chart.show();
        chart.setSession(macsAxis(), 0.92, 0.6 * kBackboneMacs);
        // 20,000 candidates crowded along a trade-off curve, and 40 spread far apart in a band of their own.
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(0.0, 0.01);
        std::uniform_real_distribution<double> cost(0.05, 1.0);
        int id = 0;
        for (; id < 20000; ++id) {
            const double u = cost(rng);
            chart.addCandidate(candidate(id, u, std::clamp(0.9 - 0.3 * std::exp(-u / 0.1) + noise(rng), 0.0, 1.0)));
        }
        QVector<int> isolated;
        for (int k = 0; k < 40; ++k, ++id) {
            chart.addCandidate(candidate(id, 0.05 + 0.024 * k, 0.30 + 0.005 * (k % 2)));
            isolated.append(id);
        }
        chart.flush();
        QCOMPARE(chart.pointCount(), 20040);
        const int drawn = chart.drawnPointCount();
        QVERIFY2(drawn < 20040 / 4, qPrintable(QStringLiteral("%1 markers drawn").arg(drawn)));
        // No isolated candidate is merged away: each is the only one in its cell.
        const QVector<int>& shown = chart.drawnCandidates();
        const QSet<int> shownSet(shown.begin(), shown.end());
        for (const int i : isolated)
            QVERIFY2(shownSet.contains(i), qPrintable(QStringLiteral("isolated candidate %1 not drawn").arg(i)));
        // Drawn in the order they were added, so later candidates lie on top.
        QVERIFY(std::is_sorted(shown.begin(), shown.end()));

        chart.setDecimation(false);
        QCOMPARE(chart.drawnPointCount(), 20040);
        chart.setDecimation(true);
        QCOMPARE(chart.drawnPointCount(), drawn);
    }

    void theLatestCandidateInACellIsTheOneDrawn()
    {
        ParetoChart chart;
        chart.resize(900, 600);
        chart.show();
        chart.setSession(macsAxis(), 0.92, 0.6 * kBackboneMacs);
        chart.setColourByGeneration(true);
        chart.addCandidate(candidate(0, 0.5, 0.90, 0));
        chart.addCandidate(candidate(1, 0.5, 0.90, 3));
        chart.addCandidate(candidate(2, 0.1, 0.70, 1));
        chart.flush();
        QCOMPARE(chart.drawnCandidates(), QVector<int>({ 1, 2 }));
        // The drawn marker wears its own generation's colour: the darkest, as it is the latest generation.
        QVERIFY(chart.candidateColour(1).valueF() < chart.candidateColour(2).valueF());
    }

    void theFittedViewShowsTheWholeFront()
    {
        ParetoChart chart;
        chart.resize(900, 600);
        chart.show();
        chart.setSession(macsAxis(), 0.92, 0.6 * kBackboneMacs);
        for (int id = 0; id < 50; ++id)
            chart.addCandidate(candidate(id, 0.3 + 0.01 * id, 0.88 + 0.0008 * id));
        chart.flush();
        // The front's cheapest point: every sample out at the first exit, far below every candidate.
        QVector<FrontPoint> front;
        front.push_back({ 3, { 0.0 }, 0.52, 0.025 * kBackboneMacs, 0.025 * kBackboneMacs, 0.52, 0 });
        front.push_back({ 7, { 0.9 }, 0.90, 0.35 * kBackboneMacs, 0.35 * kBackboneMacs, 0.90, 0 });
        chart.setThresholdFront(front);
        const QRectF view = chart.viewRange();
        QVERIFY2(view.top() <= 52.0, qPrintable(QStringLiteral("the view starts at %1 %").arg(view.top())));
        QVERIFY(view.left() <= 0.025 * kBackboneMacs / 1e6);
        QVERIFY(view.bottom() >= 92.0); // the backbone

        // Ticks at round accuracies: every 10 points fitted, finer once the crowded top is zoomed into.
        auto* y = qobject_cast<QValueAxis*>(chart.findChild<QChartView*>()->chart()->axes(Qt::Vertical).value(0));
        QVERIFY(y);
        QCOMPARE(y->tickType(), QValueAxis::TicksDynamic);
        QCOMPARE(y->tickInterval(), 10.0);
        QCOMPARE(y->labelFormat(), QStringLiteral("%.0f"));
        y->setRange(89.2, 90.0);
        QCOMPARE(y->tickInterval(), 0.2);
        QCOMPARE(y->labelFormat(), QStringLiteral("%.1f"));

        // The cost axis too: round ticks fitted, and round ticks with the decimals they need after a zoom (it showed
        // raw values such as 0.976751 and 1.59648).
        auto* x = qobject_cast<QValueAxis*>(chart.findChild<QChartView*>()->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(x);
        QCOMPARE(x->tickType(), QValueAxis::TicksDynamic);
        QCOMPARE(x->tickAnchor(), 0.0);
        const double fittedTicks = (x->max() - x->min()) / x->tickInterval();
        QVERIFY2(fittedTicks >= 4 && fittedTicks <= 10,
            qPrintable(QStringLiteral("%1 ticks over %2 - %3").arg(fittedTicks).arg(x->min()).arg(x->max())));
        // Deeper and deeper, as a user zooms (an axis is laid out at its old step before the new one is set).
        x->setRange(1.2, 4.8);
        QCOMPARE(x->tickInterval(), 0.5);
        QCOMPARE(x->labelFormat(), QStringLiteral("%.1f"));
        x->setRange(0.976751, 1.59648);
        QCOMPARE(x->tickInterval(), 0.1);
        QCOMPARE(x->labelFormat(), QStringLiteral("%.1f"));
        x->setRange(0.0412, 0.0733);
        QCOMPARE(x->tickInterval(), 0.005);
        QCOMPARE(x->labelFormat(), QStringLiteral("%.3f"));
        // Refitting from deep in the zoom (the Reset zoom button) is back at the fitted step at once.
        QPushButton* reset = nullptr;
        for (QPushButton* button : chart.findChildren<QPushButton*>())
            reset = button->text() == QStringLiteral("Reset zoom") ? button : reset;
        QVERIFY(reset);
        reset->click();
        QCOMPARE((x->max() - x->min()) / x->tickInterval(), fittedTicks);
        // Again, where no range changes: both axes keep their ticks (the accuracy axis once lost all of them).
        const double accuracyStep = y->tickInterval();
        QVERIFY(accuracyStep > 0 && accuracyStep <= 10);
        reset->click();
        QCOMPARE((x->max() - x->min()) / x->tickInterval(), fittedTicks);
        QCOMPARE(y->tickInterval(), accuracyStep);
    }
};

QTEST_MAIN(TestParetoChart)
#include "tst_paretochart.moc"
