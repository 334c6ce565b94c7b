#pragma once

#include "costaxis.h"
#include "search/search.h"

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

// Accuracy against average cost (MACs, latency or parameters used: the session's cost model) for every candidate: the
// front highlighted and joined, the target as a vertical line, the backbone and any baselines as their own series, the
// selected candidate's threshold trade-off curve with a marker for the thresholds on the sliders. Points arrive in
// batches on a timer, so thousands of them do not stall the window. Click a point to select its candidate; drag to
// zoom.
class ParetoChart : public QWidget {
    Q_OBJECT
public:
    explicit ParetoChart(QWidget* parent = nullptr);

    void clear();
    void setSession(const CostAxis& cost, double backboneAccuracy, double target);
    void addCandidate(const CandidateRecord& candidate);
    // The session's front over threshold settings, by cost: its points, joined by a step line (the best accuracy
    // available at each cost).
    void setThresholdFront(const QVector<earlybird::FrontPoint>& front);
    int frontPointCount() const { return m_frontPoints.size(); }
    const QVector<FrontPoint>& frontPoints() const { return m_frontPoints; }
    void setSelected(int id);
    // The selected candidate's trade-off curve (average cost, accuracy) and the current policy's point.
    void setCurve(const QVector<QPointF>& curve);
    void setCurrent(double averageCost, double accuracy);
    // Baseline fronts as (average cost, accuracy) points.
    void addBaseline(const QString& name, const QVector<QPointF>& points);

    int pointCount() const { return m_points.size(); }
    void setColourByGeneration(bool on);
    // The colour candidate `id`'s point is drawn in.
    QColor candidateColour(int id) const;
    // Writes the chart as it is on screen (pending points included): .svg, or else PNG. False, with `error` set, on
    // failure.
    bool exportTo(const QString& path, QString* error);

Q_SIGNALS:
    void candidateSelected(int id);
    // A front point was clicked: its architecture and thresholds.
    void frontPointSelected(int id, const std::vector<double>& thresholds);

private:
    void flush();
    // Colours the candidates by generation (early: light, late: dark), or all alike.
    void colourCandidates();
    void rebuildAxes();
    void resetZoom();
    void showTooltip(const QPointF& point, bool state);
    int nearest(const QPointF& point) const;
    int nearestFrontPoint(const QPointF& point) const;
    double distance(const QPointF& a, const QPointF& b) const;
    QPointF toChart(double cost, double accuracy) const { return { m_cost.toAxis(cost), 100.0 * accuracy }; }

    QChart* m_chart;
    QChartView* m_view;
    QCheckBox* m_showDominated;
    QCheckBox* m_logAxis;
    QCheckBox* m_byGeneration;
    QScatterSeries* m_all;
    QScatterSeries* m_front;
    QLineSeries* m_frontLine;
    QLineSeries* m_targetLine;
    QScatterSeries* m_backbone;
    QScatterSeries* m_selected;
    QLineSeries* m_curve;
    QScatterSeries* m_current;
    QList<QAbstractAxis*> m_axes;
    QTimer m_flushTimer;
    QVector<QPointF> m_pending;
    QVector<int> m_pendingIds;
    QVector<int> m_allIds; // the candidate of each point of m_all, in order
    QVector<QPointF> m_points; // chart coordinates by candidate id
    QHash<int, CandidateRecord> m_candidates;
    int m_lastGeneration = 0; // of every candidate so far: the darkest colour
    QVector<FrontPoint> m_frontPoints;
    CostAxis m_cost;
    double m_target = 0;
};

} // namespace earlybird::ui
