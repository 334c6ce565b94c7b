#include "paretochart.h"

#include "imagefile.h"
#include "selection.h"
#include "sessionmodel.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPushButton>
#include <QScatterSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace earlybird::ui {

namespace {
// Points are appended in batches this often while a search runs.
constexpr int kFlushIntervalMs = 150;
const QColor kAllColour(150, 150, 150);
const QColor kFrontColour(0, 114, 178);
const QColor kTargetColour(213, 94, 0);
const QColor kSelectedColour(204, 121, 167);
const QColor kCurveColour(0, 158, 115);
// Decimation keeps one candidate marker per square cell of this many pixels: markers are 7 px wide, so a merged
// marker moves at most this far from where it would have been drawn.
constexpr double kCellPixels = 4.0;
// A tick step wider than any cost range, set before the view is refitted: Qt lays an axis out for its new range
// before rangeChanged reaches the handler that picks the step, so a fine step left from a deep zoom would be laid out
// across the whole range for a moment (tens of thousands of ticks, seconds of work).
constexpr double kCoarsestTickStep = 1e12;

// The accuracy axis's tick step for a span of `span` points: round values, four to ten ticks.
double accuracyTickStep(double span)
{
    return span > 30 ? 10 : span > 12 ? 5 : span > 5 ? 2 : span > 2 ? 1 : span > 1 ? 0.5 : span > 0.4 ? 0.2 : 0.1;
}

// The cost axis's tick step for a span of any magnitude: 1, 2 or 5 times a power of ten, four to ten ticks. Costs
// run from microseconds to hundreds of millions of MACs, so unlike accuracy there is no fixed table.
double costTickStep(double span)
{
    if (!(span > 0))
        return 1;
    const double raw = span / 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double residual = raw / magnitude;
    return (residual >= 5 ? 5 : residual >= 2 ? 2 : 1) * magnitude;
}

// A label format with the decimals a tick step needs ("%.0f" for 2, "%.2f" for 0.05), so that zoomed ticks read
// 0.95, 1.00, 1.05 rather than 0.976751.
QString tickLabelFormat(double step)
{
    const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    return QStringLiteral("%.") + QString::number(decimals) + QStringLiteral("f");
}

// Ticks at round values from 0, at the step `stepFor` gives for the range, as the range is fitted or zoomed.
void followWithRoundTicks(QValueAxis* axis, double (*stepFor)(double span))
{
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    QObject::connect(axis, &QValueAxis::rangeChanged, axis, [axis, stepFor](double low, double high) {
        const double step = stepFor(high - low);
        axis->setTickInterval(step);
        axis->setLabelFormat(tickLabelFormat(step));
    });
}
} // namespace

ParetoChart::ParetoChart(QWidget* parent)
    : QWidget(parent)
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart, this))
    , m_showDominated(new QCheckBox(tr("Show dominated"), this))
    , m_logAxis(new QCheckBox(tr("Log cost axis"), this))
    , m_byGeneration(new QCheckBox(tr("Colour by generation"), this))
    , m_all(new QScatterSeries)
    , m_front(new QScatterSeries)
    , m_frontLine(new QLineSeries)
    , m_targetLine(new QLineSeries)
    , m_backbone(new QScatterSeries)
    , m_selected(new QScatterSeries)
    , m_curve(new QLineSeries)
    , m_current(new QScatterSeries)
{
    m_all->setName(tr("candidates"));
    m_all->setMarkerSize(7);
    m_all->setColor(kAllColour);
    m_all->setBorderColor(kAllColour);
    // Short, so the legend is read whole at the default size; the tooltip says what a point is.
    m_front->setName(tr("front"));
    m_front->setMarkerSize(10);
    m_front->setColor(kFrontColour);
    m_frontLine->setColor(kFrontColour);
    m_frontLine->setName(tr("front line"));
    m_targetLine->setName(tr("target"));
    QPen targetPen(kTargetColour);
    targetPen.setStyle(Qt::DashLine);
    targetPen.setWidth(2);
    m_targetLine->setPen(targetPen);
    m_backbone->setName(tr("backbone"));
    m_backbone->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_backbone->setMarkerSize(12);
    m_backbone->setColor(Qt::black);
    m_selected->setName(tr("selected"));
    m_selected->setMarkerSize(18);
    m_selected->setColor(Qt::transparent);
    m_selected->setBorderColor(kSelectedColour);
    m_selected->setPen(QPen(kSelectedColour, 3));
    m_curve->setName(tr("thresholds trade-off"));
    QPen curvePen(kCurveColour);
    curvePen.setStyle(Qt::DotLine);
    curvePen.setWidth(2);
    m_curve->setPen(curvePen);
    m_current->setName(tr("sliders"));
    m_current->setMarkerShape(QScatterSeries::MarkerShapeStar);
    m_current->setMarkerSize(16);
    m_current->setColor(kCurveColour);

    for (QAbstractSeries* series : std::initializer_list<QAbstractSeries*> {
             m_all, m_frontLine, m_front, m_targetLine, m_backbone, m_curve, m_current, m_selected })
        m_chart->addSeries(series);
    // The front's line and the selection ring need no legend entry of their own.
    m_chart->legend()->markers(m_frontLine).value(0)->setVisible(false);
    m_chart->legend()->markers(m_selected).value(0)->setVisible(false);
    m_chart->setTitle(tr("Validation accuracy against average %1").arg(m_cost.name()));
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setRubberBand(QChartView::RectangleRubberBand);
    m_showDominated->setChecked(true);

    auto* reset = new QPushButton(tr("Reset zoom"), this);
    reset->setToolTip(tr("Show the whole chart again (drag a rectangle to zoom in)"));
    auto* tools = new QHBoxLayout;
    tools->addWidget(m_showDominated);
    tools->addWidget(m_logAxis);
    tools->addWidget(m_byGeneration);
    m_showDominated->setToolTip(tr("Also draw the candidates no other beats on both accuracy and average cost"));
    m_logAxis->setToolTip(tr("A logarithmic average-cost axis, to tell apart the cheap networks"));
    m_byGeneration->setToolTip(tr("Colour each candidate by the generation it was evaluated in: light early, dark "
                                  "late, to see where the search went over time."));
    tools->addStretch(1);
    tools->addWidget(reset);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(tools);
    layout->addWidget(m_view, 1);

    rebuildAxes();
    m_decimateTimer.setSingleShot(true);
    m_decimateTimer.setInterval(0);
    connect(&m_decimateTimer, &QTimer::timeout, this, &ParetoChart::decimate);
    connect(m_chart, &QChart::plotAreaChanged, &m_decimateTimer, qOverload<>(&QTimer::start));
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ParetoChart::flush);
    connect(m_showDominated, &QCheckBox::toggled, m_all, &QScatterSeries::setVisible);
    connect(m_logAxis, &QCheckBox::toggled, this, &ParetoChart::rebuildAxes);
    connect(m_byGeneration, &QCheckBox::toggled, this, &ParetoChart::colourCandidates);
    connect(reset, &QPushButton::clicked, this, &ParetoChart::resetZoom);
    connect(m_all, &QScatterSeries::clicked, this, [this](const QPointF& point) {
        const int id = nearest(point);
        if (id >= 0)
            Q_EMIT candidateSelected(id);
    });
    connect(m_all, &QScatterSeries::hovered, this, &ParetoChart::showTooltip);
    connect(m_front, &QScatterSeries::clicked, this, [this](const QPointF& point) {
        const int index = nearestFrontPoint(point);
        if (index >= 0)
            Q_EMIT frontPointSelected(m_frontPoints[index].candidate, m_frontPoints[index].thresholds);
    });
    connect(m_front, &QScatterSeries::hovered, this, [this](const QPointF& point, bool state) {
        if (!state) {
            QToolTip::hideText();
            return;
        }
        const int index = nearestFrontPoint(point);
        if (index < 0)
            return;
        const FrontPoint& p = m_frontPoints[index];
        QStringList thresholds;
        for (const double t : p.thresholds)
            thresholds << QString::number(t, 'f', 3);
        QToolTip::showText(QCursor::pos(),
            tr("<b>Front point: candidate %1</b><br>thresholds %2<br>validation accuracy %3%<br>test accuracy %4%"
               "<br>average %5 %6 (%7× backbone)<br>click: select it and set the sliders")
                .arg(p.candidate)
                .arg(thresholds.isEmpty() ? tr("none (the backbone alone)") : thresholds.join(QStringLiteral(", ")))
                .arg(100 * p.accuracy, 0, 'f', 2)
                .arg(100 * p.testAccuracy, 0, 'f', 2)
                .arg(m_cost.name(), m_cost.format(p.cost))
                .arg(m_cost.fraction(p.cost), 0, 'f', 3));
    });
}

void ParetoChart::clear()
{
    for (QXYSeries* series : std::initializer_list<QXYSeries*> {
             m_all, m_front, m_frontLine, m_targetLine, m_backbone, m_selected, m_curve, m_current })
        series->clear();
    m_pendingIds.clear();
    m_allIds.clear();
    m_shownIds.clear();
    m_points.clear();
    m_generations.clear();
    m_lastGeneration = 0;
    m_frontPoints.clear();
    const QList<QAbstractSeries*> series = m_chart->series();
    for (QAbstractSeries* s : series) {
        if (s->property("baseline").toBool()) {
            m_chart->removeSeries(s);
            delete s;
        }
    }
    m_chart->legend()->setAlignment(Qt::AlignBottom);
}

void ParetoChart::setSession(const CostAxis& cost, double backboneAccuracy, double target)
{
    const bool rescaled = cost.model != m_cost.model || cost.scale != m_cost.scale;
    m_cost = cost;
    m_target = target;
    m_chart->setTitle(tr("Validation accuracy against average %1").arg(m_cost.name()));
    m_backbone->clear();
    m_backbone->append(toChart(cost.backboneCost, backboneAccuracy));
    if (rescaled)
        rebuildAxes(); // new axis title and unit
    else
        resetZoom();
}

void ParetoChart::addCandidate(const CandidateRecord& candidate)
{
    if (candidate.id < 0 || (candidate.id < m_generations.size() && m_generations[candidate.id] >= 0))
        return;
    if (m_generations.size() <= candidate.id)
        m_generations.resize(candidate.id + 1, -1);
    m_generations[candidate.id] = candidate.generation;
    m_lastGeneration = std::max(m_lastGeneration, candidate.generation);
    const QPointF point = toChart(candidate.validation.averageCost, candidate.validation.accuracy);
    if (m_points.size() <= candidate.id)
        m_points.resize(candidate.id + 1);
    m_points[candidate.id] = point;
    m_pendingIds.append(candidate.id);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ParetoChart::flush()
{
    if (m_pendingIds.isEmpty()) {
        m_flushTimer.stop();
        return;
    }
    m_allIds += m_pendingIds;
    m_pendingIds.clear();
    resetZoom();
    decimate(); // one replace per batch: the series repaints once, not once per point
}

int ParetoChart::drawnPointCount() const
{
    return int(m_all->count());
}

QRectF ParetoChart::viewRange() const
{
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    if (auto* a = qobject_cast<QValueAxis*>(m_axes[0])) {
        x0 = a->min();
        x1 = a->max();
    } else if (auto* l = qobject_cast<QLogValueAxis*>(m_axes[0])) {
        x0 = l->min();
        x1 = l->max();
    }
    if (auto* a = qobject_cast<QValueAxis*>(m_axes[1])) {
        y0 = a->min();
        y1 = a->max();
    }
    return QRectF(QPointF(x0, y0), QPointF(x1, y1));
}

void ParetoChart::setDecimation(bool on)
{
    m_decimation = on;
    decimate();
}

void ParetoChart::decimate()
{
    m_decimateTimer.stop();
    QVector<int> shown;
    if (!m_decimation || m_allIds.isEmpty()) {
        shown = m_allIds;
    } else {
        // The plot area before the first layout is empty: decimate as if at the size of an exported chart.
        QSizeF area = m_chart->plotArea().size();
        if (area.width() < 50 || area.height() < 50)
            area = QSizeF(800, 500);
        const bool log = m_logAxis->isChecked();
        const auto axisX = [&](double x) { return log ? std::log10(std::max(x, 1e-12)) : x; };
        const QRectF range = viewRange();
        const double x0 = axisX(range.left()), x1 = axisX(range.right()), y0 = range.top(), y1 = range.bottom();
        const double sx = area.width() / kCellPixels / std::max(1e-12, x1 - x0);
        const double sy = area.height() / kCellPixels / std::max(1e-12, y1 - y0);
        // A marker centred just outside the plot area still shows its edge: keep a cell or two of margin.
        const double maxCellX = area.width() / kCellPixels + 3, maxCellY = area.height() / kCellPixels + 3;
        QHash<qint64, int> latest; // cell -> the latest candidate in it, which is drawn on top
        latest.reserve(m_allIds.size());
        for (const int id : std::as_const(m_allIds)) {
            const QPointF& p = m_points[id];
            const double cx = std::floor((axisX(p.x()) - x0) * sx), cy = std::floor((p.y() - y0) * sy);
            if (cx < -3 || cy < -3 || cx > maxCellX || cy > maxCellY)
                continue; // not on screen at this zoom
            latest.insert((qint64(cx) << 32) + qint64(cy), id);
        }
        shown.reserve(latest.size());
        for (auto it = latest.cbegin(); it != latest.cend(); ++it)
            shown.append(it.value());
        std::sort(shown.begin(), shown.end()); // earlier candidates under later ones, as they were added
    }
    if (shown == m_shownIds && m_all->count() == shown.size())
        return;
    QList<QPointF> points;
    points.reserve(shown.size());
    for (const int id : std::as_const(shown))
        points.append(m_points[id]);
    m_shownIds = shown;
    // replace(), never append(): QScatterSeries::append of a batch to thousands of points takes seconds
    // (bench_chart: BM_SeriesAppend).
    m_all->replace(points);
    if (m_byGeneration->isChecked())
        colourCandidates();
}

void ParetoChart::setThresholdFront(const QVector<FrontPoint>& front)
{
    m_frontPoints = front;
    QList<QPointF> points, steps;
    for (const FrontPoint& p : front) {
        const QPointF point = toChart(p.cost, p.accuracy);
        // Between two front points the best accuracy on offer is the cheaper one's: a step, not a slope.
        if (!steps.isEmpty())
            steps.append(QPointF(point.x(), steps.last().y()));
        steps.append(point);
        points.append(point);
    }
    m_front->replace(points);
    m_frontLine->replace(steps);
    resetZoom();
}

void ParetoChart::setColourByGeneration(bool on)
{
    m_byGeneration->setChecked(on);
}

QColor ParetoChart::candidateColour(int id) const
{
    if (!m_byGeneration->isChecked() || !hasCandidate(id))
        return kAllColour;
    // From light to dark blue-green as generations pass; the first generation is the lightest.
    const double t = m_lastGeneration > 0 ? double(m_generations[id]) / double(m_lastGeneration) : 0.0;
    return QColor::fromHsvF(0.5 - 0.15 * t, 0.25 + 0.75 * t, 0.95 - 0.55 * t);
}

void ParetoChart::colourCandidates()
{
    if (!m_byGeneration->isChecked()) {
        m_all->clearPointsConfiguration(QXYSeries::PointConfiguration::Color);
        return;
    }
    // One call for every point: the series repaints once.
    QHash<int, QHash<QXYSeries::PointConfiguration, QVariant>> colours;
    colours.reserve(m_shownIds.size());
    for (int i = 0; i < m_shownIds.size(); ++i)
        colours[i][QXYSeries::PointConfiguration::Color] = candidateColour(m_shownIds[i]);
    m_all->setPointsConfiguration(colours);
}

void ParetoChart::setModel(SessionModel* model)
{
    m_model = model;
    connect(model, &SessionModel::cleared, this, &ParetoChart::clear);
    connect(model, &SessionModel::candidateAdded, this, &ParetoChart::addCandidate);
    connect(model, &SessionModel::frontChanged, this, &ParetoChart::setThresholdFront);
}

void ParetoChart::setSelection(Selection* selection)
{
    connect(this, &ParetoChart::candidateSelected, selection, &Selection::select);
    connect(this, &ParetoChart::frontPointSelected, selection, &Selection::selectFrontPoint);
    connect(selection, &Selection::candidateChanged, this, [this](int id) {
        setSelected(id);
        setCurve({});
        m_current->clear();
    });
    connect(selection, &Selection::outcomesChanged, this, [this, selection] { setCurve(selection->curve()); });
    connect(selection, &Selection::thresholdsChanged, this, [this, selection] {
        // The chart's axis is validation, whatever split the panel shows.
        setCurrent(selection->validation().averageCost, selection->validation().accuracy);
    });
}

bool ParetoChart::hasCandidate(int id) const
{
    return id >= 0 && id < m_generations.size() && m_generations[id] >= 0;
}

void ParetoChart::setSelected(int id)
{
    m_selected->clear();
    if (id >= 0 && id < m_points.size())
        m_selected->append(m_points[id]);
}

void ParetoChart::setCurve(const QVector<QPointF>& curve)
{
    QList<QPointF> points;
    for (const QPointF& p : curve)
        points.append(toChart(p.x(), p.y()));
    m_curve->replace(points);
}

void ParetoChart::setCurrent(double averageCost, double accuracy)
{
    m_current->clear();
    m_current->append(toChart(averageCost, accuracy));
}

void ParetoChart::addBaseline(const QString& name, const QVector<QPointF>& points)
{
    auto* series = new QScatterSeries;
    series->setName(name);
    series->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    series->setMarkerSize(10);
    series->setProperty("baseline", true);
    for (const QPointF& p : points)
        series->append(toChart(p.x(), p.y()));
    m_chart->addSeries(series);
    for (QAbstractAxis* axis : m_axes)
        series->attachAxis(axis);
    resetZoom();
}

void ParetoChart::addFamilyFront(const QString& name, const QVector<QPointF>& points)
{
    auto* markers = new QScatterSeries;
    markers->setName(name);
    markers->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    markers->setMarkerSize(7);
    markers->setProperty("baseline", true);
    markers->setProperty("family", true);
    auto* line = new QLineSeries;
    line->setProperty("baseline", true);
    QVector<QPointF> sorted = points;
    std::sort(sorted.begin(), sorted.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    for (int i = 0; i < sorted.size(); ++i) {
        const QPointF at = toChart(sorted[i].x(), sorted[i].y());
        markers->append(at);
        if (i > 0) // a step: the best accuracy available at each cost
            line->append(QPointF(at.x(), line->points().back().y()));
        line->append(at);
    }
    m_chart->addSeries(line);
    m_chart->addSeries(markers);
    QPen pen(markers->color());
    pen.setWidthF(1.2);
    line->setPen(pen);
    for (QLegendMarker* marker : m_chart->legend()->markers(line))
        marker->setVisible(false);
    // A legend beside the plot: below it, the backbones' names were cut to "w1 d1...." for want of width.
    m_chart->legend()->setAlignment(Qt::AlignRight);
    for (QAbstractAxis* axis : m_axes) {
        line->attachAxis(axis);
        markers->attachAxis(axis);
    }
    resetZoom();
}

QStringList ParetoChart::familyFronts() const
{
    QStringList names;
    for (const QAbstractSeries* series : m_chart->series())
        if (series->property("family").toBool())
            names.append(series->name());
    return names;
}

void ParetoChart::rebuildAxes()
{
    for (QAbstractAxis* axis : m_axes) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    m_axes.clear();
    QAbstractAxis* x = nullptr;
    if (m_logAxis->isChecked()) {
        auto* log = new QLogValueAxis;
        log->setBase(10);
        log->setLabelFormat(QStringLiteral("%.2g"));
        x = log;
    } else {
        auto* linear = new QValueAxis;
        // Ticks at round costs at a step that follows the range, as on the accuracy axis: a zoom into 0.98 - 1.6 M
        // shows 1.0, 1.1, 1.2, not the fitted view's five ticks at raw values.
        followWithRoundTicks(linear, costTickStep);
        x = linear;
    }
    x->setTitleText(m_cost.axisTitle());
    auto* y = new QValueAxis;
    y->setTitleText(tr("validation accuracy (%)"));
    // Ticks at round accuracies (50, 60, 70 %, not 49.6, 61.0), at a step that follows the range as it is fitted or
    // zoomed.
    followWithRoundTicks(y, accuracyTickStep);
    // Zooming (a dragged rectangle) changes the ranges: the decimation follows.
    if (auto* linear = qobject_cast<QValueAxis*>(x))
        connect(linear, &QValueAxis::rangeChanged, &m_decimateTimer, qOverload<>(&QTimer::start));
    else if (auto* logAxis = qobject_cast<QLogValueAxis*>(x))
        connect(logAxis, &QLogValueAxis::rangeChanged, &m_decimateTimer, qOverload<>(&QTimer::start));
    connect(y, &QValueAxis::rangeChanged, &m_decimateTimer, qOverload<>(&QTimer::start));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    m_axes = { x, y };
    for (QAbstractSeries* series : m_chart->series()) {
        series->attachAxis(x);
        series->attachAxis(y);
    }
    resetZoom();
}

void ParetoChart::resetZoom()
{
    // The cost axis only: its range can shrink by orders of magnitude in a zoom; the accuracy axis has at most 1,000
    // ticks of 0.1 over 0 - 100 %.
    auto* linearCost = qobject_cast<QValueAxis*>(m_axes[0]);
    if (linearCost)
        linearCost->setTickInterval(kCoarsestTickStep);
    m_chart->zoomReset();
    double minX = 1e300, maxX = 0, minY = 100, maxY = 0;
    const auto include = [&](const QPointF& p) {
        minX = std::min(minX, p.x());
        maxX = std::max(maxX, p.x());
        minY = std::min(minY, p.y());
        maxY = std::max(maxY, p.y());
    };
    for (const int id : std::as_const(m_allIds))
        include(m_points[id]);
    for (const QPointF& p : m_backbone->points())
        include(p);
    // The whole front, down to its cheapest point (every sample out at the first exit, often far below the
    // candidates): the trade-off it offers is what the chart is for. Zooming shows the crowded top in detail.
    for (const QPointF& p : m_front->points())
        include(p);
    for (QAbstractSeries* s : m_chart->series()) {
        if (s->property("baseline").toBool())
            for (const QPointF& p : static_cast<QXYSeries*>(s)->points())
                include(p);
    }
    if (maxX <= 0) {
        minX = 0.1;
        maxX = 1;
        minY = 0;
        maxY = 100;
    }
    const double target = m_cost.toAxis(m_target);
    maxX = std::max(maxX, target);
    const double spanY = std::max(1.0, maxY - minY);
    const double low = m_logAxis->isChecked() ? std::max(1e-3, minX * 0.8) : 0.0;
    m_axes[0]->setRange(low, maxX * 1.08);
    if (auto* linear = qobject_cast<QValueAxis*>(m_axes[0]))
        linear->applyNiceNumbers(); // a range that ends at a round value (0 - 5 M, not 0 - 4.86 M)
    auto* y = static_cast<QValueAxis*>(m_axes[1]);
    // A range rounded to half a tick step, so the view stays tight.
    const double half = accuracyTickStep(spanY) / 2;
    y->setRange(std::max(0.0, std::floor((minY - 0.04 * spanY) / half) * half),
        std::min(100.0, std::ceil((maxY + 0.04 * spanY) / half) * half));
    m_targetLine->clear();
    if (target > 0) {
        m_targetLine->append(target, y->min());
        m_targetLine->append(target, y->max());
    }
    // A cost range that did not change leaves the coarse step set above: its ticks follow its range again.
    if (linearCost && linearCost->tickInterval() == kCoarsestTickStep)
        Q_EMIT linearCost->rangeChanged(linearCost->min(), linearCost->max());
}

double ParetoChart::distance(const QPointF& a, const QPointF& b) const
{
    // In units of the backbone's cost and of 100 accuracy points, so both axes weigh alike.
    const double dx = (a.x() - b.x()) / std::max(1e-9, m_cost.toAxis(m_cost.backboneCost));
    const double dy = (a.y() - b.y()) / 100.0;
    return dx * dx + dy * dy;
}

int ParetoChart::nearestFrontPoint(const QPointF& point) const
{
    int best = -1;
    double bestDistance = 0;
    for (int i = 0; i < m_frontPoints.size(); ++i) {
        const double d = distance(toChart(m_frontPoints[i].cost, m_frontPoints[i].accuracy), point);
        if (best < 0 || d < bestDistance) {
            best = i;
            bestDistance = d;
        }
    }
    return best;
}

int ParetoChart::nearest(const QPointF& point) const
{
    int best = -1;
    double bestDistance = 0;
    for (int id = 0; id < m_points.size(); ++id) {
        if (!hasCandidate(id))
            continue;
        const double d = distance(m_points[id], point);
        if (best < 0 || d < bestDistance) {
            best = id;
            bestDistance = d;
        }
    }
    return best;
}

void ParetoChart::showTooltip(const QPointF& point, bool state)
{
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const int id = nearest(point);
    const CandidateRecord* record = m_model ? m_model->candidate(id) : nullptr;
    if (!record)
        return;
    const CandidateRecord& c = *record;
    QStringList rates;
    for (std::size_t e = 0; e < c.validation.exitCounts.size(); ++e)
        rates << QStringLiteral("%1%").arg(100 * c.validation.exitRate(int(e)), 0, 'f', 1);
    QToolTip::showText(QCursor::pos(),
        tr("<b>Candidate %1</b><br>validation accuracy %2%<br>test accuracy %3%<br>average %4 %5 (%6× backbone)"
           "%7<br>%8 early exit(s) at %9<br>exit rates %10")
            .arg(c.id)
            .arg(100 * c.validation.accuracy, 0, 'f', 2)
            .arg(100 * c.test.accuracy, 0, 'f', 2)
            .arg(m_cost.name(), m_cost.format(c.validation.averageCost))
            .arg(m_cost.fraction(c.validation.averageCost), 0, 'f', 3)
            .arg(m_cost.model == CostModel::Macs
                    ? QString()
                    : tr("<br>average MACs %1 M").arg(c.validation.averageMacs / 1e6, 0, 'f', 3))
            .arg(c.architecture.exits.size())
            .arg([&] {
                QStringList positions;
                for (const ExitSpec& exit : c.architecture.exits)
                    positions << QString::number(exit.position);
                return positions.isEmpty() ? tr("–") : positions.join(QStringLiteral(", "));
            }())
            .arg(rates.join(QStringLiteral(" / "))),
        m_view);
}

bool ParetoChart::exportTo(const QString& path, QString* error)
{
    flush();
    const QSize size = m_view->size().width() >= 200 ? m_view->size() : QSize(900, 600);
    if (m_view->size() != size)
        m_view->resize(size);
    return writeImageFile(
        path, QSizeF(size), tr("Earlybird Pareto chart"),
        [&](QPainter& painter, const QRectF& target) { m_view->render(&painter, target, QRect(QPoint(), size)); },
        error);
}

} // namespace earlybird::ui
