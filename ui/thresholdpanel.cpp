#include "thresholdpanel.h"

#include "selection.h"

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

// " · ECE 3.7 → 1.0 %" when the confidences are calibrated, " · ECE 3.7 %" (calibration off) otherwise; empty when not
// measured (sessions from before calibration).
QString calibrationText(const ExitCalibration& c)
{
    if (!c.measured())
        return {};
    if (c.applied)
        return ThresholdPanel::tr(" · ECE %1 → %2%").arg(100 * c.eceBefore, 0, 'f', 1).arg(100 * c.eceAfter, 0, 'f', 1);
    return ThresholdPanel::tr(" · ECE %1%").arg(100 * c.eceBefore, 0, 'f', 1);
}

QString calibrationTip(const ExitCalibration& c)
{
    if (!c.measured())
        return {};
    return ThresholdPanel::tr("Expected calibration error (15 bins) on this split: %1% with the raw confidences, %2% "
                              "after temperature scaling (T = %3, fitted on validation). The thresholds act on the "
                              "%4 confidences; the run panel's \"Calibrate exits\" chooses.")
        .arg(100 * c.eceBefore, 0, 'f', 2)
        .arg(100 * c.eceAfter, 0, 'f', 2)
        .arg(c.temperature, 0, 'f', 3)
        .arg(c.applied ? ThresholdPanel::tr("calibrated") : ThresholdPanel::tr("raw"));
}
} // namespace

ThresholdPanel::ThresholdPanel(Selection* selection, QWidget* parent)
    : QWidget(parent)
    , m_selection(selection)
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
    // Short categories ("@3": the block an exit follows) stay readable with five exits in a narrow dock.
    x->setTitleText(tr("exit, after block"));
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

    connect(
        m_split, &QComboBox::currentIndexChanged, this, [this](int index) { m_selection->setShowsTest(index == 1); });
    connect(m_tune, &QPushButton::clicked, m_selection, &Selection::tuneForTarget);
    connect(m_reset, &QPushButton::clicked, m_selection, &Selection::resetToSearch);
    connect(m_selection, &Selection::candidateChanged, this, &ThresholdPanel::onCandidateChanged);
    connect(m_selection, &Selection::outcomesChanged, this, &ThresholdPanel::rebuildRows);
    connect(m_selection, &Selection::thresholdsChanged, this, &ThresholdPanel::showFigures);
    rebuildRows();
}

bool ThresholdPanel::showsTest() const
{
    return m_selection->showsTest();
}

std::vector<double> ThresholdPanel::thresholds() const
{
    return m_selection->thresholds();
}

int ThresholdPanel::candidateId() const
{
    return m_selection->isReady() ? m_selection->candidateId() : -1;
}

void ThresholdPanel::setThresholds(const std::vector<double>& thresholds)
{
    m_selection->setThresholds(thresholds);
}

const PolicyResult& ThresholdPanel::result() const
{
    return m_selection->shown();
}

void ThresholdPanel::onCandidateChanged(int id)
{
    // Until the new candidate's outcomes are in, its sliders are not shown: they would move nothing.
    if (!m_selection->isReady())
        rebuildRows();
    if (id < 0)
        m_title->setText(tr("Select a candidate on the chart or in the table."));
    else if (!m_selection->isReady())
        m_title->setText(tr("<b>Candidate %1</b>: loading its outputs…").arg(id));
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
    const CandidateRecord* candidate = m_selection->isReady() ? m_selection->candidate() : nullptr;
    m_tune->setEnabled(candidate && !candidate->architecture.exits.empty());
    m_reset->setEnabled(candidate && !candidate->architecture.exits.empty());
    auto* axis = qobject_cast<QBarCategoryAxis*>(m_chart->axes(Qt::Horizontal).value(0));
    if (!candidate) {
        m_summary->clear();
        m_rates->remove(0, m_rates->count());
        if (axis)
            axis->clear();
        return;
    }
    m_title->setText(tr("<b>Candidate %1</b>: %2 early exit(s), confidence %3")
                         .arg(candidate->id)
                         .arg(candidate->architecture.exits.size())
                         .arg(QString::fromStdString(nameOf(candidate->architecture.confidence))));
    QStringList categories;
    for (const ExitSpec& exit : candidate->architecture.exits)
        categories << tr("@%1").arg(exit.position);
    categories << tr("final");
    if (axis) {
        axis->clear();
        axis->append(categories);
    }
    for (std::size_t e = 0; e < candidate->architecture.exits.size(); ++e) {
        const ExitSpec& exit = candidate->architecture.exits[e];
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
        connect(slider, &QSlider::valueChanged, this, [this, e](int value) {
            if (!m_updating)
                m_selection->setThreshold(int(e), double(value) / kSliderSteps);
        });
        connect(spin, &QDoubleSpinBox::valueChanged, this, [this, e](double value) {
            if (!m_updating)
                m_selection->setThreshold(int(e), value);
        });
    }
    m_rows->setColumnStretch(1, 1); // the figures come with thresholdsChanged, which follows outcomesChanged
}

void ThresholdPanel::showFigures()
{
    if (!m_selection->isReady())
        return;
    const std::vector<double>& t = m_selection->thresholds();
    m_updating = true;
    m_split->setCurrentIndex(m_selection->showsTest() ? 1 : 0);
    for (int e = 0; e < m_spins.size() && e < int(t.size()); ++e) {
        m_spins[e]->setValue(t[std::size_t(e)]);
        m_sliders[e]->setValue(int(std::lround(t[std::size_t(e)] * kSliderSteps)));
    }
    m_updating = false;
    const PolicyResult& result = m_selection->shown();
    const CostAxis& cost = m_selection->cost();
    const double target = m_selection->target();
    for (int e = 0; e < m_exitLabels.size(); ++e) {
        m_exitLabels[e]->setText(tr("%1% leave · %2% right%3")
                                     .arg(100 * result.exitRate(e), 0, 'f', 1)
                                     .arg(100 * result.exitAccuracy(e), 0, 'f', 1)
                                     .arg(calibrationText(m_selection->calibration(e))));
        m_exitLabels[e]->setToolTip(calibrationTip(m_selection->calibration(e)));
    }
    const int last = int(result.exitCounts.size()) - 1;
    m_summary->setText(
        tr("<b>%1: accuracy %2%</b>, average %3 %4 (%5× backbone)%6<br>final exit: %7% of samples, "
           "%8% right%9")
            .arg(showsTest() ? tr("Test") : tr("Validation"))
            .arg(100 * result.accuracy, 0, 'f', 2)
            .arg(cost.name(), cost.format(result.averageCost))
            .arg(cost.fraction(result.averageCost), 0, 'f', 3)
            .arg(
                (cost.model == CostModel::Macs ? QString() : tr(", %1 M MACs").arg(result.averageMacs / 1e6, 0, 'f', 3))
                + (target > 0 && result.averageCost > target
                        ? tr(" — <span style='color:#b00020'>over the target</span>")
                        : QString()))
            .arg(100 * result.exitRate(last), 0, 'f', 1)
            .arg(100 * result.exitAccuracy(last), 0, 'f', 1)
            .arg(calibrationText(m_selection->calibration(last))));
    QList<qreal> rates;
    for (std::size_t e = 0; e < result.exitCounts.size(); ++e)
        rates << 100 * result.exitRate(int(e));
    if (m_rates->count() == rates.size()) {
        for (int i = 0; i < rates.size(); ++i)
            m_rates->replace(i, rates[i]);
    } else {
        m_rates->remove(0, m_rates->count());
        m_rates->append(rates);
    }
}

} // namespace earlybird::ui
