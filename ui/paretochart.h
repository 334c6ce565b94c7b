#pragma once

#include "search.h"

#include <QHash>
#include <QPointF>
#include <QTimer>
#include <QWidget>

class QAbstractAxis;
class QChart;
class QChartView;
class QCheckBox;
class QLineSeries;
class QScatterSeries;

namespace earlybird::ui {

// Accuracy against average MACs for every evaluated candidate: the front highlighted and joined, the target as a
// vertical line, the backbone and any baselines as their own series, the selected candidate's threshold trade-off
// curve with a marker for the thresholds on the sliders. Points arrive in batches on a timer, so thousands of them
// do not stall the window. Click a point to select its candidate; drag to zoom.
class ParetoChart : public QWidget {
    Q_OBJECT
public:
    explicit ParetoChart(QWidget* parent = nullptr);

    void clear();
    void setSession(double backboneMacs, double backboneAccuracy, double targetMacs);
    void addCandidate(const CandidateRecord& candidate);
    void setFront(const QVector<int>& front);
    void setSelected(int id);
    // The selected candidate's trade-off curve (average MACs, accuracy) and the current policy's point.
    void setCurve(const QVector<QPointF>& curve);
    void setCurrent(double averageMacs, double accuracy);
    void addBaseline(const QString& name, const QVector<QPointF>& points);

    int pointCount() const { return m_points.size(); }

Q_SIGNALS:
    void candidateSelected(int id);

private:
    void flush();
    void rebuildAxes();
    void resetZoom();
    void showTooltip(const QPointF& point, bool state);
    int nearest(const QPointF& point) const;
    QPointF toChart(double macs, double accuracy) const { return { macs / 1e6, 100.0 * accuracy }; }

    QChart* m_chart;
    QChartView* m_view;
    QCheckBox* m_showDominated;
    QCheckBox* m_logAxis;
    QScatterSeries* m_all;
    QScatterSeries* m_front;
    QLineSeries* m_frontLine;
    QLineSeries* m_target;
    QScatterSeries* m_backbone;
    QScatterSeries* m_selected;
    QLineSeries* m_curve;
    QScatterSeries* m_current;
    QList<QAbstractAxis*> m_axes;
    QTimer m_flushTimer;
    QVector<QPointF> m_pending;
    QVector<QPointF> m_points; // chart coordinates by candidate id
    QHash<int, CandidateRecord> m_candidates;
    QVector<int> m_frontIds;
    double m_backboneMacs = 0;
    double m_targetMacs = 0;
};

} // namespace earlybird::ui
