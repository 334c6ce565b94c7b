#include "thresholdpanel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <QValueAxis>

namespace earlybird::ui {

namespace {
// Slider steps over [0, 1]: finer than the spin box's three decimals would show.
constexpr int kSliderSteps = 1000;
} // namespace

ThresholdPanel::ThresholdPanel(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(tr("Select a candidate on the chart or in the table."), this))
    , m_split(new QComboBox(this))
    , m_rows(new QGridLayout)
    , m_rowsHolder(new QWidget(this))
    , m_summary(new QLabel(this))
    , m_tune(new QPushButton(tr("Tune for the target"), this))
    , m_reset(new QPushButton(tr("Reset to search's thresholds"), this))
    , m_chart(new QChart)
    , m_rates(new QBarSet(tr("exit rate")))
{
    m_split->setToolTip(tr("The split the figures are measured on: validation (where thresholds are tuned) or test "
                           "(only ever reported)"));
    m_tune->setToolTip(tr("Set every threshold for the best validation accuracy within the session's target cost"));
    m_reset->setToolTip(tr("Put back the thresholds the search tuned for this network"));
    m_split->addItem(tr("validation"));
    m_split->addItem(tr("test"));
    m_title->setWordWrap(true);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_rowsHolder->setLayout(m_rows);

    auto* series = new QBarSeries;
    series->append(m_rates);
    m_chart->addSeries(series);
    m_chart->setTitle(tr("Share of samples leaving at each exit"));
    m_chart->legend()->hide();
    m_chart->setAnimationOptions(QChart::NoAnimation);
    auto* x = new QBarCategoryAxis;
    auto* y = new QValueAxis;
    y->setRange(0, 100);
    y->setLabelFormat(QStringLiteral("%d%%"));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    auto* chartView = new QChartView(m_chart, this);
    chartView->setRenderHint(QPainter::Antialiasing);
    chartView->setMinimumHeight(180);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Figures on:"), this));
    top->addWidget(m_split);
    top->addStretch(1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_tune);
    buttons->addWidget(m_reset);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(top);
    layout->addWidget(m_rowsHolder);
    layout->addWidget(m_summary);
    layout->addLayout(buttons);
    layout->addWidget(chartView, 1);

    connect(m_split, &QComboBox::currentIndexChanged, this, &ThresholdPanel::recompute);
    connect(m_tune, &QPushButton::clicked, this, [this] {
        if (m_validation)
            setThresholds(m_validation->tuneForBudget(m_target).thresholds);
    });
    connect(m_reset, &QPushButton::clicked, this, [this] {
        std::vector<double> original;
        for (const ExitSpec& exit : m_candidate.architecture.exits)
            original.push_back(exit.threshold);
        setThresholds(original);
    });
    clear();
}

bool ThresholdPanel::showsTest() const
{
    return m_split->currentIndex() == 1;
}

void ThresholdPanel::clear()
{
    m_outcomes.reset();
    m_validation.reset();
    m_test.reset();
    m_candidate = CandidateRecord();
    m_title->setText(tr("Select a candidate on the chart or in the table."));
    m_summary->clear();
    m_rates->remove(0, m_rates->count());
    rebuildRows();
    m_tune->setEnabled(false);
    m_reset->setEnabled(false);
}

void ThresholdPanel::setCandidate(const CandidateRecord& candidate, const OutcomesPointer& outcomes,
    const CostAxis& cost, double target, CostConvention convention)
{
    m_candidate = candidate;
    m_outcomes = outcomes;
    m_cost = cost;
    m_target = target;
    const std::vector<double> macs = exitMacsOf(outcomes->cost, convention);
    const std::vector<double> costs = candidate.exitCosts.size() == macs.size() ? candidate.exitCosts : macs;
    m_validation = std::make_unique<ExitPolicy>(outcomes->validation, candidate.architecture.confidence, costs, macs);
    m_test = std::make_unique<ExitPolicy>(outcomes->test, candidate.architecture.confidence, costs, macs);
    m_title->setText(tr("<b>Candidate %1</b>: %2 early exit(s), confidence %3")
                         .arg(candidate.id)
                         .arg(candidate.architecture.exits.size())
                         .arg(QString::fromStdString(nameOf(candidate.architecture.confidence))));
    rebuildRows();
    m_tune->setEnabled(!candidate.architecture.exits.empty());
    m_reset->setEnabled(!candidate.architecture.exits.empty());
    QStringList categories;
    for (const ExitSpec& exit : candidate.architecture.exits)
        categories << tr("exit @%1").arg(exit.position);
    categories << tr("final");
    auto* axis = qobject_cast<QBarCategoryAxis*>(m_chart->axes(Qt::Horizontal).value(0));
    if (axis) {
        axis->clear();
        axis->append(categories);
    }
    QVector<QPointF> curve;
    for (const PolicyResult& point : m_validation->tradeOffCurve())
        curve.append(QPointF(point.averageCost, point.accuracy));
    Q_EMIT curveChanged(curve);
    setThresholds(exitThresholds(candidate.architecture));
}

void ThresholdPanel::rebuildRows()
{
    while (QLayoutItem* item = m_rows->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_sliders.clear();
    m_spins.clear();
    m_exitLabels.clear();
    m_values.assign(m_candidate.architecture.exits.size(), 1.0);
    for (std::size_t e = 0; e < m_candidate.architecture.exits.size(); ++e) {
        const ExitSpec& exit = m_candidate.architecture.exits[e];
        auto* name = new QLabel(tr("Exit %1 (after block %2)").arg(e).arg(exit.position), m_rowsHolder);
        auto* slider = new QSlider(Qt::Horizontal, m_rowsHolder);
        slider->setRange(0, kSliderSteps);
        slider->setAccessibleName(tr("Threshold of exit %1").arg(e));
        const QString tip = tr("Exit %1's threshold, a confidence from 0 to 1: a sample leaves here when its "
                               "confidence is at least this (lower: more leave, cheaper, less sure)")
                                .arg(e);
        slider->setToolTip(tip);
        auto* spin = new QDoubleSpinBox(m_rowsHolder);
        spin->setRange(0, 1);
        spin->setDecimals(3);
        spin->setSingleStep(0.01);
        spin->setToolTip(tip);
        auto* figures = new QLabel(m_rowsHolder);
        figures->setMinimumWidth(150);
        m_rows->addWidget(name, int(e), 0);
        m_rows->addWidget(slider, int(e), 1);
        m_rows->addWidget(spin, int(e), 2);
        m_rows->addWidget(figures, int(e), 3);
        m_sliders.append(slider);
        m_spins.append(spin);
        m_exitLabels.append(figures);
        connect(slider, &QSlider::valueChanged, this, [this, e](int value) { onSlider(int(e), value); });
        connect(spin, &QDoubleSpinBox::valueChanged, this, [this, e](double value) { onSpin(int(e), value); });
    }
    m_rows->setColumnStretch(1, 1);
}

std::vector<double> ThresholdPanel::thresholds() const
{
    return m_values;
}

void ThresholdPanel::setThresholds(const std::vector<double>& thresholds)
{
    m_values = thresholds;
    m_values.resize(std::size_t(m_spins.size()), 1.0);
    m_updating = true;
    for (int e = 0; e < m_spins.size() && e < int(thresholds.size()); ++e) {
        m_spins[e]->setValue(thresholds[std::size_t(e)]);
        m_sliders[e]->setValue(int(std::lround(thresholds[std::size_t(e)] * kSliderSteps)));
    }
    m_updating = false;
    recompute();
}

void ThresholdPanel::onSlider(int exit, int value)
{
    if (m_updating)
        return;
    m_values[std::size_t(exit)] = double(value) / kSliderSteps;
    m_updating = true;
    m_spins[exit]->setValue(m_values[std::size_t(exit)]);
    m_updating = false;
    recompute();
}

void ThresholdPanel::onSpin(int exit, double value)
{
    if (m_updating)
        return;
    m_values[std::size_t(exit)] = value;
    m_updating = true;
    m_sliders[exit]->setValue(int(std::lround(value * kSliderSteps)));
    m_updating = false;
    recompute();
}

void ThresholdPanel::recompute()
{
    if (!m_validation)
        return;
    const std::vector<double> t = thresholds();
    const PolicyResult validation = m_validation->evaluate(t);
    m_result = showsTest() ? m_test->evaluate(t) : validation;
    for (int e = 0; e < m_exitLabels.size(); ++e)
        m_exitLabels[e]->setText(tr("%1% leave · %2% right")
                                     .arg(100 * m_result.exitRate(e), 0, 'f', 1)
                                     .arg(100 * m_result.exitAccuracy(e), 0, 'f', 1));
    const int last = int(m_result.exitCounts.size()) - 1;
    m_summary->setText(
        tr("<b>%1: accuracy %2%</b>, average %3 %4 (%5× backbone)%6<br>final exit: %7% of samples, "
           "%8% right")
            .arg(showsTest() ? tr("Test") : tr("Validation"))
            .arg(100 * m_result.accuracy, 0, 'f', 2)
            .arg(m_cost.name(), m_cost.format(m_result.averageCost))
            .arg(m_cost.fraction(m_result.averageCost), 0, 'f', 3)
            .arg((m_cost.model == CostModel::Macs ? QString()
                                                  : tr(", %1 M MACs").arg(m_result.averageMacs / 1e6, 0, 'f', 3))
                + (m_target > 0 && m_result.averageCost > m_target
                        ? tr(" — <span style='color:#b00020'>over the target</span>")
                        : QString()))
            .arg(100 * m_result.exitRate(last), 0, 'f', 1)
            .arg(100 * m_result.exitAccuracy(last), 0, 'f', 1));
    QList<qreal> rates;
    for (std::size_t e = 0; e < m_result.exitCounts.size(); ++e)
        rates << 100 * m_result.exitRate(int(e));
    if (m_rates->count() == rates.size()) {
        for (int i = 0; i < rates.size(); ++i)
            m_rates->replace(i, rates[i]);
    } else {
        m_rates->remove(0, m_rates->count());
        m_rates->append(rates);
    }
    Q_EMIT policyChanged(validation.averageCost, validation.accuracy);
    if (!m_updating)
        Q_EMIT thresholdsEdited(m_candidate.id, t);
}

} // namespace earlybird::ui
