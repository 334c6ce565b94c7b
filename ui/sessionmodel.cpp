#include "sessionmodel.h"

#include <algorithm>

namespace earlybird::ui {

SessionModel::SessionModel(QObject* parent)
    : QObject(parent)
{
}

void SessionModel::clear()
{
    m_candidates.clear();
    m_largestId = -1;
    m_front.clear();
    m_frontCandidates.clear();
    m_hypervolume = 0;
    Q_EMIT cleared();
}

bool SessionModel::addCandidate(const CandidateRecord& candidate)
{
    // Ids normally arrive in order: searching the rows for every new one made filling the table quadratic (12 million
    // comparisons at 5,000 candidates).
    if (candidate.id <= m_largestId && rowOf(candidate.id) >= 0)
        return false;
    m_candidates.push_back(candidate);
    m_largestId = std::max(m_largestId, candidate.id);
    Q_EMIT candidateAdded(m_candidates.back());
    return true;
}

void SessionModel::setFront(const QVector<FrontPoint>& front, double hypervolume)
{
    m_front = front;
    m_hypervolume = hypervolume;
    m_frontCandidates.clear();
    for (const FrontPoint& p : front) {
        if (!m_frontCandidates.contains(p.candidate))
            m_frontCandidates.append(p.candidate);
    }
    Q_EMIT frontChanged(m_front, m_hypervolume);
}

const CandidateRecord* SessionModel::candidate(int id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &m_candidates[std::size_t(row)];
}

int SessionModel::rowOf(int id) const
{
    // Ids are evaluation order, so normally the row itself.
    if (id >= 0 && id < count() && m_candidates[std::size_t(id)].id == id)
        return id;
    for (std::size_t row = 0; row < m_candidates.size(); ++row) {
        if (m_candidates[row].id == id)
            return int(row);
    }
    return -1;
}

std::optional<FrontPoint> SessionModel::bestWithin(double target) const
{
    const std::vector<FrontPoint> points(m_front.begin(), m_front.end());
    if (const FrontPoint* best = earlybird::bestWithin(points, target))
        return *best;
    return std::nullopt;
}

std::optional<FrontPoint> SessionModel::bestEarlyExitPoint(double target) const
{
    std::optional<FrontPoint> best = bestWithin(target);
    if (best && !best->thresholds.empty())
        return best;
    best.reset();
    for (const FrontPoint& point : m_front) {
        if (!point.thresholds.empty() && (!best || point.accuracy > best->accuracy))
            best = point;
    }
    return best;
}

} // namespace earlybird::ui
