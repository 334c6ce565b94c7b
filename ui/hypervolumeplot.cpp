#include "hypervolumeplot.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace earlybird::ui {

HypervolumePlot::HypervolumePlot(QWidget* parent)
    : QWidget(parent)
    , m_chart(new QChart)
    , m_series(new QLineSeries)
    , m_x(new QValueAxis)
    , m_y(new QValueAxis)
{
    m_series->setName(tr("front hypervolume (validation)"));
    m_series->setPointsVisible(true);
    m_chart->addSeries(m_series);
    m_x->setTitleText(tr("candidates evaluated"));
    m_x->setLabelFormat(QStringLiteral("%d"));
    m_y->setTitleText(tr("hypervolume"));
    m_y->setLabelFormat(QStringLiteral("%.3f"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_series->attachAxis(m_x);
    m_series->attachAxis(m_y);
    m_chart->legend()->hide();
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setToolTip(tr("Reference point: accuracy 0 and 1.25 times the backbone's cost; the largest possible "
                           "value is 1.25."));
    auto* view = new QChartView(m_chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view);
    clear();
}

void HypervolumePlot::clear()
{
    m_series->clear();
    m_x->setRange(0, 1);
    m_y->setRange(0, 1.25);
}

void HypervolumePlot::addPoint(int evaluated, double hypervolume)
{
    // A later point at the same count replaces the earlier one (the front moved twice within a candidate batch).
    if (m_series->count() > 0 && m_series->at(m_series->count() - 1).x() >= evaluated)
        m_series->remove(m_series->count() - 1);
    m_series->append(evaluated, hypervolume);
    double low = hypervolume, high = hypervolume;
    for (const QPointF& p : m_series->points()) {
        low = std::min(low, p.y());
        high = std::max(high, p.y());
    }
    const double margin = std::max(0.005, 0.1 * (high - low));
    m_x->setRange(0, std::max(1, evaluated));
    m_y->setRange(std::max(0.0, low - margin), high + margin);
}

int HypervolumePlot::pointCount() const
{
    return m_series->count();
}

} // namespace earlybird::ui
