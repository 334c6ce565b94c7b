#include "base/rng.h"
#include "fixtures.h"
#include "selection.h"
#include "thresholdpanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>

using namespace earlybird;
using namespace earlybird::ui;
using namespace earlybird::fixtures;

namespace {
std::shared_ptr<const CandidateOutcomes> randomOutcomes(const Architecture& architecture)
{
    auto outcomes = std::make_shared<CandidateOutcomes>();
    outcomes->cost = countNetworkCost(architecture);
    Rng rng(3);
    const int exits = architecture.exitCount();
    for (ExitOutcomes* split : { &outcomes->validation, &outcomes->test }) {
        const int samples = split == &outcomes->validation ? 600 : 900;
        *split = ExitOutcomes(exits, samples);
        std::vector<std::int32_t> labels(static_cast<std::size_t>(samples), 0);
        for (int e = 0; e < exits; ++e) {
            const auto count = static_cast<std::size_t>(samples);
            std::vector<float> c(count);
            std::vector<std::int32_t> p(count);
            for (std::size_t n = 0; n < count; ++n) {
                const bool right = rng.uniform() < 0.6 + 0.15 * e;
                p[n] = right ? 0 : 1;
                c[n] = float(std::min(1.0, (right ? 0.3 : 0.0) + 0.7 * rng.uniform()));
            }
            split->setExit(e, c.data(), c.data(), c.data(), p.data(), labels.data());
        }
    }
    return outcomes;
}
} // namespace

class TestThresholdPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The panel tunes and reports in the session's cost model (here parameters used), with MACs beside it.
    void figuresMatchTheEngine()
    {
        CandidateRecord candidate;
        candidate.id = 7;
        candidate.architecture.backbone = tinyBackbone(2);
        candidate.architecture.exits = { { 0, {}, 0.4 }, { 1, { { BranchLayerType::Pointwise1x1, 1.0, 1 } }, 0.6 } };
        const auto outcomes = randomOutcomes(candidate.architecture);
        const std::vector<double> macs = exitMacsOf(outcomes->cost, CostConvention::AllEvaluatedBranches);
        candidate.exitCosts = exitCostsOf(CostModel::Parameters, outcomes->cost, CostConvention::AllEvaluatedBranches);
        QVERIFY(candidate.exitCosts != macs);
        const ExitPolicy validation(outcomes->validation, ConfidenceMeasure::ScoreMargin, candidate.exitCosts, macs);
        const ExitPolicy test(outcomes->test, ConfidenceMeasure::ScoreMargin, candidate.exitCosts, macs);

        Selection selection;
        ThresholdPanel panel(&selection);
        QSignalSpy policy(&selection, &Selection::thresholdsChanged);
        QSignalSpy ready(&selection, &Selection::outcomesChanged);
        const double backbone = double(outcomes->cost.backboneParameters);
        selection.setCandidate(candidate, outcomes, CostAxis::forSession(CostModel::Parameters, backbone),
            0.6 * backbone, CostConvention::AllEvaluatedBranches);
        QCOMPARE(ready.count(), 1);
        QCOMPARE(policy.count(), 1);
        QCOMPARE(panel.candidateId(), 7);
        QVERIFY(!selection.curve().isEmpty());
        QCOMPARE(selection.curve().size(), qsizetype(validation.tradeOffCurve().size()));
        QCOMPARE(panel.thresholds(), (std::vector<double> { 0.4, 0.6 }));
        QCOMPARE(panel.result().accuracy, validation.evaluate({ 0.4, 0.6 }).accuracy);

        // Moving a slider recomputes from the cache.
        QList<QSlider*> sliders = panel.findChildren<QSlider*>();
        QCOMPARE(sliders.size(), 2);
        sliders[0]->setValue(250);
        // One evaluation per move, and no echo back into the panel: the selection changed once.
        QCOMPARE(policy.count(), 2);
        QCOMPARE(panel.thresholds()[0], 0.25);
        QCOMPARE(panel.findChildren<QDoubleSpinBox*>().value(0)->value(), 0.25);
        const PolicyResult expected = validation.evaluate({ 0.25, 0.6 });
        QCOMPARE(panel.result().accuracy, expected.accuracy);
        QCOMPARE(panel.result().averageCost, expected.averageCost);
        QCOMPARE(panel.result().averageMacs, expected.averageMacs);
        QVERIFY(expected.averageCost != expected.averageMacs);
        QCOMPARE(selection.validation().averageCost, expected.averageCost);

        // The test split on display; the chart still gets the validation policy.
        panel.findChild<QComboBox*>()->setCurrentIndex(1);
        QVERIFY(panel.showsTest());
        QCOMPARE(panel.result().accuracy, test.evaluate({ 0.25, 0.6 }).accuracy);
        QCOMPARE(selection.validation().accuracy, expected.accuracy);
        QVERIFY(selection.showsTest());

        // Tune for the target: the engine's budget tuner, within the target.
        panel.findChild<QComboBox*>()->setCurrentIndex(0);
        const QList<QPushButton*> buttons = panel.findChildren<QPushButton*>();
        buttons[0]->click();
        QVERIFY(panel.result().averageCost <= 0.6 * backbone * (1 + 1e-9));
        QCOMPARE(panel.result().accuracy, validation.tuneForBudget(0.6 * backbone).accuracy);
        buttons[1]->click();
        QCOMPARE(panel.thresholds(), (std::vector<double> { 0.4, 0.6 }));

        // Each exit's calibration error, before and after temperature scaling, on the split shown.
        auto calibrated = std::make_shared<CandidateOutcomes>(*outcomes);
        for (int e = 0; e < 3; ++e) {
            calibrated->validation.setCalibration(e, ExitCalibration { 1.5, 0.0512, 0.0123, true });
            calibrated->test.setCalibration(e, ExitCalibration { 1.5, 0.0634, 0.0211, true });
        }
        selection.setCandidate(candidate, calibrated, CostAxis::forSession(CostModel::Parameters, backbone),
            0.6 * backbone, CostConvention::AllEvaluatedBranches);
        const auto shownText = [&] {
            QString all;
            for (const QLabel* label : panel.findChildren<QLabel*>())
                all += label->text() + QLatin1Char('\n');
            return all;
        };
        QVERIFY2(shownText().count(QStringLiteral("ECE 5.1 → 1.2%")) == 3, qPrintable(shownText()));
        panel.findChild<QComboBox*>()->setCurrentIndex(1);
        QVERIFY2(shownText().count(QStringLiteral("ECE 6.3 → 2.1%")) == 3, qPrintable(shownText()));
        panel.findChild<QComboBox*>()->setCurrentIndex(0);

        // Cleared: no sliders, and moving nothing changes nothing.
        selection.clear();
        QCOMPARE(panel.candidateId(), -1);
        QVERIFY(panel.findChildren<QSlider*>().isEmpty());
    }
};

QTEST_MAIN(TestThresholdPanel)
#include "tst_thresholdpanel.moc"
