#pragma once

#include "costaxis.h"
#include "model/architecture.h"
#include "model/networkcost.h"

#include <QGraphicsView>

#include <vector>

namespace earlybird::ui {

class Selection;

// The selected candidate as a diagram: backbone blocks left to right with output shape and MACs, each exit branch
// hanging below its block with its layers, the share of samples leaving there (edge width and label) and the
// cumulative MACs of a sample that leaves there (and its cost, in a session whose cost model is not MACs). Ctrl + wheel
// zooms; export to PNG or SVG.
class NetworkGraphView : public QGraphicsView {
    Q_OBJECT
public:
    explicit NetworkGraphView(QWidget* parent = nullptr);

    void clear();
    // Shows the selection's candidate, and its exit rates as the thresholds move (on the split the selection shows).
    void setSelection(Selection* selection);
    // `exitCosts` (one per exit, in `cost`'s model) are shown beside the MACs when that model is not MACs.
    void setArchitecture(const Architecture& architecture, const std::vector<double>& exitRates,
        const std::vector<double>& exitCosts = {}, const CostAxis& cost = {});
    void setExitRates(const std::vector<double>& exitRates);
    // Fits the network in the view, but never so small that its labels read under kReadablePointSize: a network too
    // wide for that fills the height and scrolls sideways.
    void fit();
    // The smallest label's size on screen, in points, at the current zoom.
    qreal smallestLabelPointSize() const;
    static constexpr qreal kReadablePointSize = 9.0;
    static constexpr qreal kSmallestLabelPointSize = 8.5;
    // Writes the diagram; the format follows the file name (.png or .svg). Returns false and sets `error` on failure.
    bool exportTo(const QString& path, QString* error) const;
    bool isEmpty() const;
    // Outlines early exit `exit` (its branch and classifier) and scrolls to it; -1 removes the outline.
    void highlightExit(int exit);
    int highlightedExit() const { return m_highlighted; }

protected:
    void wheelEvent(QWheelEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild();

    Architecture m_architecture;
    std::vector<double> m_exitRates;
    std::vector<double> m_exitCosts;
    CostAxis m_cost;
    bool m_hasArchitecture = false;
    std::vector<QRectF> m_exitAreas; // each early exit's branch and classifier, in scene coordinates
    int m_highlighted = -1;
};

} // namespace earlybird::ui
