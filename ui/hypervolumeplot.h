#pragma once

#include <QWidget>

class QChart;
class QLineSeries;
class QValueAxis;

namespace earlybird::ui {

// The front's hypervolume (validation) against the candidates evaluated so far: how fast the search still improves.
// Filled from a session's per-generation history when it opens, then a point each time the front changes.
class HypervolumePlot : public QWidget {
    Q_OBJECT
public:
    explicit HypervolumePlot(QWidget* parent = nullptr);

    void clear();
    void addPoint(int evaluated, double hypervolume);
    int pointCount() const;

private:
    QChart* m_chart;
    QLineSeries* m_series;
    QValueAxis* m_x;
    QValueAxis* m_y;
};

} // namespace earlybird::ui
