#pragma once

#include "search/candidaterecord.h"
#include "search/thresholdfront.h"

#include <QObject>
#include <QVector>

#include <optional>
#include <vector>

namespace earlybird::ui {

// The session on screen, GUI side: every evaluated candidate (in the order they arrived) and the session's front over
// threshold settings with its hypervolume. The one owner of both: the table, the chart, the hypervolume plot, the
// selection and the tour read them here and listen for changes; none keeps a copy of a record.
class SessionModel : public QObject {
    Q_OBJECT
public:
    explicit SessionModel(QObject* parent = nullptr);

    void clear();
    // Adds a candidate; false (and nothing emitted) for an id already held: a reopened session replays its records.
    bool addCandidate(const CandidateRecord& candidate);
    // The session's front, by cost, and its hypervolume on validation.
    void setFront(const QVector<earlybird::FrontPoint>& front, double hypervolume);

    int count() const { return int(m_candidates.size()); }
    // The record at `row` (arrival order); ids are normally their own rows.
    const CandidateRecord& at(int row) const { return m_candidates[std::size_t(row)]; }
    const CandidateRecord* candidate(int id) const;
    int rowOf(int id) const;
    const std::vector<CandidateRecord>& candidates() const { return m_candidates; }
    const QVector<FrontPoint>& front() const { return m_front; }
    double hypervolume() const { return m_hypervolume; }
    // The ids of the architectures with at least one threshold setting on the front.
    const QVector<int>& frontCandidates() const { return m_frontCandidates; }
    // The most accurate front point within `target` (the session's unit), if any.
    std::optional<FrontPoint> bestWithin(double target) const;
    // The tour's network: the best point within `target` that has an early exit, else the most accurate that has one.
    std::optional<FrontPoint> bestEarlyExitPoint(double target) const;

Q_SIGNALS:
    void cleared();
    // A new record, now at row count() - 1.
    void candidateAdded(const earlybird::CandidateRecord& candidate);
    void frontChanged(const QVector<earlybird::FrontPoint>& front, double hypervolume);

private:
    std::vector<CandidateRecord> m_candidates;
    int m_largestId = -1; // a candidate with a larger id is new without a search through the rows
    QVector<FrontPoint> m_front;
    QVector<int> m_frontCandidates;
    double m_hypervolume = 0;
};

} // namespace earlybird::ui
