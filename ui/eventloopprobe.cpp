#include "eventloopprobe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace earlybird::ui {

namespace {
constexpr int kReportIntervalMs = 5000;
constexpr std::size_t kWorstKept = 20;
} // namespace

EventLoopProbe::EventLoopProbe(const QString& reportPath, int intervalMs, QObject* parent)
    : QObject(parent)
    , m_path(reportPath)
    , m_intervalMs(intervalMs)
{
    m_delays.reserve(1 << 20);
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopProbe::tick);
    m_reportTimer.setInterval(kReportIntervalMs);
    connect(&m_reportTimer, &QTimer::timeout, this, [this] { writeReport(); });
    m_clock.start();
    m_last = m_clock.nsecsElapsed();
    m_timer.start();
    m_reportTimer.start();
}

EventLoopProbe::~EventLoopProbe()
{
    writeReport();
}

void EventLoopProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const float late = float(std::max(0.0, double(now - m_last) / 1e6 - m_intervalMs));
    m_last = now;
    m_delays.push_back(late);
    // Keep the worst few, with when they happened, to find what caused them.
    if (m_worst.size() < kWorstKept || late > m_worst.back().second) {
        m_worst.emplace_back(double(now) / 1e9, late);
        std::sort(m_worst.begin(), m_worst.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        if (m_worst.size() > kWorstKept)
            m_worst.pop_back();
    }
}

EventLoopProbe::Summary EventLoopProbe::summary() const
{
    Summary s;
    s.ticks = static_cast<long long>(m_delays.size());
    s.seconds = double(m_clock.nsecsElapsed()) / 1e9;
    if (m_delays.empty())
        return s;
    std::vector<float> sorted = m_delays;
    const auto at = [&](double q) {
        const std::size_t k = std::min(sorted.size() - 1, std::size_t(q * double(sorted.size() - 1) + 0.5));
        std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(k), sorted.end());
        return double(sorted[k]);
    };
    s.p50 = at(0.5);
    s.p99 = at(0.99);
    s.p999 = at(0.999);
    s.max = double(*std::max_element(m_delays.begin(), m_delays.end()));
    for (const float d : m_delays) {
        s.over16 += d > 16.0f;
        s.over50 += d > 50.0f;
    }
    return s;
}

QString EventLoopProbe::report() const
{
    const Summary s = summary();
    QJsonObject o;
    o[QStringLiteral("interval_ms")] = m_intervalMs;
    o[QStringLiteral("seconds")] = s.seconds;
    o[QStringLiteral("ticks")] = double(s.ticks);
    o[QStringLiteral("p50_ms")] = s.p50;
    o[QStringLiteral("p99_ms")] = s.p99;
    o[QStringLiteral("p999_ms")] = s.p999;
    o[QStringLiteral("max_ms")] = s.max;
    o[QStringLiteral("over_16_ms")] = double(s.over16);
    o[QStringLiteral("over_50_ms")] = double(s.over50);
    QJsonArray worst;
    for (const auto& [at, late] : m_worst)
        worst.append(QJsonObject { { QStringLiteral("at_s"), at }, { QStringLiteral("late_ms"), double(late) } });
    o[QStringLiteral("worst")] = worst;
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

bool EventLoopProbe::writeReport(QString* error) const
{
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly) || file.write(report().toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(m_path, file.errorString());
        return false;
    }
    return true;
}

} // namespace earlybird::ui
