#pragma once

#include "searchworker.h"

#include <QPointF>
#include <QVector>
#include <QWidget>

#include <memory>

class QBarSet;
class QChart;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSlider;

namespace earlybird::ui {

class Selection;

// One slider and spin box per early exit of the selected candidate, the figures its thresholds give and the share of
// samples leaving at each exit. A view of the Selection: a move sets the selection's threshold, which evaluates the
// policy once (on the GUI thread, within the frame), and the panel redraws from the selection's result.
class ThresholdPanel : public QWidget {
    Q_OBJECT
public:
    explicit ThresholdPanel(Selection* selection, QWidget* parent = nullptr);

    Selection* selection() const { return m_selection; }
    // The thresholds in force, the candidate on the sliders (-1: none) and the figures on display, from the selection.
    std::vector<double> thresholds() const;
    int candidateId() const;
    void setThresholds(const std::vector<double>& thresholds);
    const PolicyResult& result() const;
    bool showsTest() const;

private:
    void onCandidateChanged(int id);
    void rebuildRows();
    void showFigures();

    Selection* m_selection;
    QLabel* m_title;
    QComboBox* m_split;
    QGridLayout* m_rows;
    QWidget* m_rowsHolder;
    QVector<QSlider*> m_sliders;
    QVector<QDoubleSpinBox*> m_spins;
    QVector<QLabel*> m_exitLabels;
    QLabel* m_summary;
    QPushButton* m_tune;
    QPushButton* m_reset;
    QChart* m_chart;
    QBarSet* m_rates;
    bool m_updating = false; // the widgets are being set from the selection: their signals are not edits
};

} // namespace earlybird::ui
