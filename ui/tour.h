#pragma once

#include "search/thresholdfront.h"

#include <QDialog>

#include <vector>

class QLabel;
class QPushButton;

namespace earlybird::ui {

class NetworkGraphView;
class Selection;
class SessionController;
class SessionModel;

// Help > What is an early exit?: a short guided tour of the live panels, one sentence per step. Each step is a real
// action on the session on screen (the demo on first start): it selects the best network within the target, outlines
// one of its exits, moves that exit's slider down and up, and reads the exit rate, accuracy and average MACs off the
// selection, then puts the thresholds back. Non-modal: the panels stay live beside it.
class Tour : public QDialog {
    Q_OBJECT
public:
    // Works through the selection (it selects and moves thresholds there), reads the front of `model` and the
    // session of `controller`, and outlines exits on `network`.
    Tour(Selection* selection, SessionModel* model, SessionController* controller, NetworkGraphView* network,
        QWidget* parent = nullptr);

    // Selects the network the tour is about; false (with the reason as text()) when no session with an early-exit
    // network on its front is open. The first step shows once the network's outcomes are on the sliders.
    bool start();
    int step() const { return m_step; }
    int stepCount() const { return kSteps; }
    QString text() const;
    // Whether the next step can run (the network's outcomes are on the sliders).
    bool isReady() const;
    void next();
    void back();
    int exitShown() const { return m_exit; }

private:
    static constexpr int kSteps = 6;
    void showStep(int step);
    void refresh();
    int blockOf(int exit) const; // the backbone block early exit `exit` follows

    Selection* m_selection;
    SessionModel* m_model;
    SessionController* m_controller;
    NetworkGraphView* m_network;
    QLabel* m_text;
    QLabel* m_counter;
    QPushButton* m_back;
    QPushButton* m_next;
    FrontPoint m_point; // the network and thresholds the tour is about
    int m_exit = -1; // the early exit it moves
    int m_step = -1;
    QString m_message;
};

} // namespace earlybird::ui
