#pragma once

#include "costaxis.h"
#include "search/search.h"

#include <QAbstractTableModel>
#include <QSet>
#include <QSortFilterProxyModel>

#include <vector>

class QTableView;

namespace earlybird::ui {

// Every evaluated candidate of the session, one row each, in the order they were evaluated.
class CandidateTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        GenerationColumn,
        ValidationAccuracyColumn,
        TestAccuracyColumn,
        CostColumn, // validation average cost (the session's cost model), as a fraction of the backbone's
        ParametersColumn, // the whole model: backbone and every branch
        ExitsColumn,
        BranchLayersColumn, // distinct branch layer types used
        FrontColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole, // the number behind a cell
        CandidateIdRole,
        OnFrontRole,
    };

    explicit CandidateTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void clear();
    void setCostAxis(const CostAxis& cost);
    void addCandidate(const CandidateRecord& candidate);
    void setFront(const QVector<int>& front);
    const CandidateRecord* candidate(int id) const;
    int rowOf(int id) const;
    const std::vector<CandidateRecord>& candidates() const { return m_candidates; }

    // Comma-separated values of every column plus thresholds, for spreadsheets.
    QString toCsv() const;

private:
    std::vector<CandidateRecord> m_candidates;
    int m_largestId = -1; // a candidate with a larger id is new without a search through the rows
    QSet<int> m_front;
    CostAxis m_cost;
};

// "Front only" or all candidates, sorted by SortRole.
class CandidateFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit CandidateFilterModel(QObject* parent = nullptr);
    void setFrontOnly(bool frontOnly);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    bool m_frontOnly = false;
};

// Sets up a view of `filter` as the window shows the candidates: sorted by id, whole rows selected, columns sized to
// their contents (the window and bench/bench_table share it).
void setUpCandidateView(QTableView* view, CandidateFilterModel* filter);

} // namespace earlybird::ui
