#pragma once

#include "architecture.h"
#include "networkcost.h"

#include <QGraphicsView>

#include <vector>

namespace earlybird::ui {

// The selected candidate as a diagram: backbone blocks left to right with output shape and MACs, each exit branch
// hanging below its block with its layers, the share of samples leaving there (edge width and label) and the
// cumulative MACs of a sample that leaves there. Ctrl + wheel zooms; export to PNG or SVG.
class NetworkGraphView : public QGraphicsView {
    Q_OBJECT
public:
    explicit NetworkGraphView(QWidget* parent = nullptr);

    void clear();
    void setArchitecture(const Architecture& architecture, const std::vector<double>& exitRates);
    void setExitRates(const std::vector<double>& exitRates);
    void fit();
    // Writes the diagram; the format follows the file name (.png or .svg). Returns false and sets `error` on failure.
    bool exportTo(const QString& path, QString* error) const;
    bool isEmpty() const;

protected:
    void wheelEvent(QWheelEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild();

    Architecture m_architecture;
    std::vector<double> m_exitRates;
    bool m_hasArchitecture = false;
};

} // namespace earlybird::ui
