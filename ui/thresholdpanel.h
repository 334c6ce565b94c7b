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

// One slider and spin box per early exit of the selected candidate. A move re-evaluates the policy from the cached
// per-sample confidences (ExitPolicy::evaluate, ~45 us for 10,000 samples) right on the GUI thread: exit rates,
// per-exit and overall accuracy and average cost (and MACs) update within the frame.
class ThresholdPanel : public QWidget {
    Q_OBJECT
public:
    explicit ThresholdPanel(QWidget* parent = nullptr);

    void clear();
    // The candidate's exit costs are its own (CandidateRecord::exitCosts, in the session's cost model); `target` is
    // in the same unit.
    void setCandidate(const CandidateRecord& candidate, const OutcomesPointer& outcomes, const CostAxis& cost,
        double target, CostConvention convention);
    std::vector<double> thresholds() const;
    // The candidate on the sliders; -1 when none is.
    int candidateId() const { return m_outcomes ? m_candidate.id : -1; }
    void setThresholds(const std::vector<double>& thresholds);
    // The figures on display (for tests and exports).
    const PolicyResult& result() const { return m_result; }
    bool showsTest() const;

Q_SIGNALS:
    // The current policy on validation (the Pareto chart's axis), whatever split is on display.
    void policyChanged(double validationCost, double validationAccuracy);
    // The candidate's validation trade-off curve: (average cost, accuracy) points.
    void curveChanged(const QVector<QPointF>& curve);
    void thresholdsEdited(int candidateId, const std::vector<double>& thresholds);

private:
    void rebuildRows();
    void recompute();
    void onSlider(int exit, int value);
    void onSpin(int exit, double value);

    CandidateRecord m_candidate;
    OutcomesPointer m_outcomes;
    std::unique_ptr<ExitPolicy> m_validation;
    std::unique_ptr<ExitPolicy> m_test;
    CostAxis m_cost;
    double m_target = 0;
    PolicyResult m_result;

    QLabel* m_title;
    QComboBox* m_split;
    QGridLayout* m_rows;
    QWidget* m_rowsHolder;
    QVector<QSlider*> m_sliders;
    QVector<QDoubleSpinBox*> m_spins;
    QVector<QLabel*> m_exitLabels;
    // The thresholds in force, exact: tuned ones are confidence values that a spin box's decimals would round away.
    std::vector<double> m_values;
    QLabel* m_summary;
    QPushButton* m_tune;
    QPushButton* m_reset;
    QChart* m_chart;
    QBarSet* m_rates;
    bool m_updating = false;
};

} // namespace earlybird::ui
