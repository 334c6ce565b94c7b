#pragma once

#include "costaxis.h"
#include "search/search.h"

#include <QAbstractTableModel>
#include <QSet>
#include <QSortFilterProxyModel>

#include <vector>

class QTableView;

namespace earlybird::ui {

class SessionModel;

// Every evaluated candidate of the session, one row each, in the order they were evaluated: a table over the
// SessionModel's records (it keeps none of its own), with the front's candidates marked.
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

    explicit CandidateTableModel(SessionModel* session, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setCostAxis(const CostAxis& cost);
    const CandidateRecord* candidate(int id) const;
    int rowOf(int id) const;

    // Comma-separated values of every column plus thresholds, for spreadsheets.
    QString toCsv() const;

private:
    void onFrontChanged();

    SessionModel* m_session;
    int m_rows = 0; // the session's records the views know of: rows are announced before they are counted
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
