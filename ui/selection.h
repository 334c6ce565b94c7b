#pragma once

#include "costaxis.h"
#include "searchworker.h"

#include <QObject>
#include <QPointF>
#include <QVector>

#include <memory>
#include <vector>

namespace earlybird::ui {

class SessionController;
class SessionModel;

// What is selected in the window: one candidate, the thresholds in force on its exits, and what they give on both
// splits (exit rates, accuracy, average cost) from the candidate's cached per-sample outcomes. The one owner of it:
// the threshold panel, the chart, the network view, the table, the tour and exports connect to its signals and call
// its slots; none keeps a selection of its own. A threshold change is evaluated once here, on the GUI thread
// (ExitPolicy::evaluate, ~45 us for 10,000 samples), and every view takes the result.
class Selection : public QObject {
    Q_OBJECT
public:
    // `model` and `controller` may be null (a panel shown on its own): then only setCandidate() selects.
    explicit Selection(
        SessionModel* model = nullptr, SessionController* controller = nullptr, QObject* parent = nullptr);
    ~Selection() override;

    // The selected candidate (-1: none), and its record (null: none).
    int candidateId() const { return m_id; }
    const CandidateRecord* candidate() const;
    // The candidate's outcomes are in: thresholds can move and results are exact.
    bool isReady() const { return bool(m_validationPolicy); }
    const std::vector<double>& thresholds() const { return m_thresholds; }
    const PolicyResult& validation() const { return m_validation; }
    const PolicyResult& test() const { return m_test; }
    // The split the views show (validation unless the user picks test), and its result.
    bool showsTest() const { return m_showsTest; }
    const PolicyResult& shown() const { return m_showsTest ? m_test : m_validation; }
    const CostAxis& cost() const { return m_cost; }
    // Exit `exit`'s calibration on the split shown (unmeasured defaults when no outcomes are in).
    ExitCalibration calibration(int exit) const;
    // The cost axis of the session on screen, known before the candidate's outcomes are.
    CostAxis sessionCost() const;
    double target() const { return m_target; }
    // The selected candidate's validation trade-off curve: (average cost, accuracy) points.
    const QVector<QPointF>& curve() const { return m_curve; }

public Q_SLOTS:
    // Selects a candidate of the model and asks for its outcomes; the sliders get its tuned thresholds.
    void select(int id);
    // Selects a front point: its candidate, with the point's thresholds.
    void selectFrontPoint(int id, const std::vector<double>& thresholds);
    // The candidate's outcomes arrived: a direct way in for a panel shown without a session.
    void setCandidate(const earlybird::CandidateRecord& candidate, const earlybird::ui::OutcomesPointer& outcomes,
        const earlybird::ui::CostAxis& cost, double target, earlybird::CostConvention convention);
    void setThresholds(const std::vector<double>& thresholds);
    void setThreshold(int exit, double value);
    void setShowsTest(bool test);
    // Every threshold set for the best validation accuracy within the session's target.
    void tuneForTarget();
    // The thresholds the search tuned for this network.
    void resetToSearch();
    void clear();

Q_SIGNALS:
    // Another candidate is selected (-1: none); its outcomes follow with outcomesChanged.
    void candidateChanged(int id);
    // The selected candidate's outcomes are in: its exits, curve and thresholds are known.
    void outcomesChanged(int id);
    // The thresholds, or the split shown, changed: thresholds(), validation(), test() and shown() are new.
    void thresholdsChanged();

private:
    void onOutcomes(int id, const OutcomesPointer& outcomes);
    void evaluate();

    SessionModel* m_model;
    SessionController* m_controller;
    int m_id = -1;
    CandidateRecord m_record; // the selected candidate's record once its outcomes are in (for a panel alone)
    OutcomesPointer m_outcomes;
    std::unique_ptr<ExitPolicy> m_validationPolicy;
    std::unique_ptr<ExitPolicy> m_testPolicy;
    CostAxis m_cost;
    double m_target = 0;
    // Thresholds to put in force once the candidate's outcomes arrive (a clicked front point): id and values.
    std::pair<int, std::vector<double>> m_pendingThresholds { -1, {} };
    // In force, exact: tuned ones are confidence values that a spin box's decimals would round away.
    std::vector<double> m_thresholds;
    PolicyResult m_validation;
    PolicyResult m_test;
    bool m_showsTest = false;
    QVector<QPointF> m_curve;
};

} // namespace earlybird::ui
