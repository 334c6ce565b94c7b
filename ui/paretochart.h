#pragma once

#include "costaxis.h"
#include "search/search.h"

#include <QHash>
#include <QPointF>
#include <QRectF>
#include <QTimer>
#include <QWidget>

class QAbstractAxis;
class QChart;
class QChartView;
class QCheckBox;
class QLineSeries;
class QScatterSeries;

namespace earlybird::ui {

class Selection;
class SessionModel;

// Accuracy against average cost (MACs, latency or parameters used: the session's cost model) for every candidate: the
// front highlighted and joined, the target as a vertical line, the backbone and any baselines as their own series, the
// selected candidate's threshold trade-off curve with a marker for the thresholds on the sliders. Points arrive in
// batches on a timer, and the candidates are drawn decimated: one marker per small cell of the plot area (the latest
// candidate in it), recomputed on zoom and resize, so tens of thousands of candidates repaint as fast as a few
// hundred. Click a point to select its candidate (the nearest of all of them, drawn or not); drag to zoom.
class ParetoChart : public QWidget {
    Q_OBJECT
public:
    explicit ParetoChart(QWidget* parent = nullptr);

    // Maps the session's records and front (drawn as they arrive; the tooltip reads the records there) and follows
    // the selection: a clicked point selects, and the selected candidate's curve and sliders' point are drawn.
    void setModel(SessionModel* model);
    void setSelection(Selection* selection);

    void clear();
    void setSession(const CostAxis& cost, double backboneAccuracy, double target);
    void addCandidate(const CandidateRecord& candidate);
    // The session's front over threshold settings, by cost: its points, joined by a step line (the best accuracy
    // available at each cost).
    void setThresholdFront(const QVector<earlybird::FrontPoint>& front);
    int frontPointCount() const { return m_frontPoints.size(); }
    // The front as drawn (the session model owns the front).
    const QVector<FrontPoint>& frontPoints() const { return m_frontPoints; }
    void setSelected(int id);
    // The selected candidate's trade-off curve (average cost, accuracy) and the current policy's point.
    void setCurve(const QVector<QPointF>& curve);
    void setCurrent(double averageCost, double accuracy);
    // Baseline fronts as (average cost, accuracy) points.
    void addBaseline(const QString& name, const QVector<QPointF>& points);
    // Another backbone's front of the same family search (familyfronts.h), in a colour of its own, joined by a step
    // line like the session's front. Cleared with the session, like baselines.
    void addFamilyFront(const QString& name, const QVector<QPointF>& points);
    // The names of the other backbones' fronts drawn, in the order added.
    QStringList familyFronts() const;

    // Candidates added, and how many markers draw them (fewer when decimation merges those in one cell).
    int pointCount() const { return m_allIds.size() + m_pendingIds.size(); }
    int drawnPointCount() const;
    // The candidates drawn, in drawing order; and the visible axis ranges (x in axis units, y in percent).
    const QVector<int>& drawnCandidates() const { return m_shownIds; }
    QRectF viewRange() const;
    // Draws every candidate's marker (off) or one per cell of kCellPixels (on, the default). For benchmarks and tests.
    void setDecimation(bool on);
    // Draws the points still waiting for the timer now.
    void flush();
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
    // Chooses the candidates' markers to draw for the current axes and plot area.
    void decimate();
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
    QVector<int> m_pendingIds; // added, not yet drawn
    QVector<int> m_allIds; // every candidate, in the order added
    QVector<int> m_shownIds; // the candidate of each point of m_all, in order
    QTimer m_decimateTimer; // coalesces the zoom, resize and flush events of one turn of the event loop
    bool m_decimation = true;
    QVector<QPointF> m_points; // chart coordinates by candidate id
    bool hasCandidate(int id) const;
    SessionModel* m_model = nullptr;
    QVector<int> m_generations; // by candidate id: its generation, or -1 for an id not drawn
    int m_lastGeneration = 0; // of every candidate so far: the darkest colour
    QVector<FrontPoint> m_frontPoints;
    CostAxis m_cost;
    double m_target = 0;
};

} // namespace earlybird::ui
