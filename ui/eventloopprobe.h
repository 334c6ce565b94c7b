#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <vector>

namespace earlybird::ui {

// Measures how late the GUI thread serves a timer that should fire every few milliseconds: the event loop's delay,
// which is what a user feels as a stalled window. Off unless EARLYBIRD_EVENT_LOOP_PROBE names a file
// (app/gui/main.cpp); the report is rewritten there (atomically) every few seconds and at exit, as JSON: ticks,
// p50/p99/p99.9/max delay in ms, the ticks later than 16 and 50 ms, and the worst delays with the time they happened.
class EventLoopProbe : public QObject {
    Q_OBJECT
public:
    explicit EventLoopProbe(const QString& reportPath, int intervalMs = 5, QObject* parent = nullptr);
    ~EventLoopProbe() override;

    struct Summary {
        long long ticks = 0;
        double p50 = 0, p99 = 0, p999 = 0, max = 0; // ms late
        long long over16 = 0, over50 = 0;
        double seconds = 0;
    };
    Summary summary() const;
    // The report as JSON text.
    QString report() const;
    bool writeReport(QString* error = nullptr) const;

private:
    void tick();

    QString m_path;
    int m_intervalMs;
    QTimer m_timer;
    QTimer m_reportTimer;
    QElapsedTimer m_clock;
    qint64 m_last = 0; // ns
    std::vector<float> m_delays; // ms late, one per tick
    std::vector<std::pair<double, float>> m_worst; // (seconds since start, ms late), the largest few
};

} // namespace earlybird::ui
