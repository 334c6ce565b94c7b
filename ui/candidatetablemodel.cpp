#include "candidatetablemodel.h"

#include "export/sessiontables.h"

#include <QHeaderView>
#include <QTableView>

#include <algorithm>
#include <set>

namespace earlybird::ui {

namespace {

// Rows beyond those on screen that the columns are sized to (setUpCandidateView).
constexpr int kRowsMeasuredForWidth = 100;

} // namespace

CandidateTableModel::CandidateTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

int CandidateTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_candidates.size());
}

int CandidateTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CandidateTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const CandidateRecord& c = m_candidates[std::size_t(index.row())];
    const bool onFront = m_front.contains(c.id);
    if (role == CandidateIdRole)
        return c.id;
    if (role == OnFrontRole)
        return onFront;
    if (role == Qt::TextAlignmentRole)
        return index.column() == FrontColumn ? int(Qt::AlignCenter) : int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return tr("Candidate %1: %2 early exit(s), thresholds tuned on validation")
            .arg(c.id)
            .arg(c.architecture.exits.size());
    const double cost = m_cost.fraction(c.validation.averageCost);
    if (role == SortRole) {
        switch (index.column()) {
        case IdColumn:
            return c.id;
        case GenerationColumn:
            return c.generation;
        case ValidationAccuracyColumn:
            return c.validation.accuracy;
        case TestAccuracyColumn:
            return c.test.accuracy;
        case CostColumn:
            return cost;
        case ParametersColumn:
            return qint64(c.parameters);
        case ExitsColumn:
            return int(c.architecture.exits.size());
        case BranchLayersColumn:
            return distinctLayerTypes(c.architecture);
        case FrontColumn:
            return onFront ? 1 : 0;
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case IdColumn:
        return c.id;
    case GenerationColumn:
        return c.generation;
    case ValidationAccuracyColumn:
        return QStringLiteral("%1 %").arg(100 * c.validation.accuracy, 0, 'f', 2);
    case TestAccuracyColumn:
        return QStringLiteral("%1 %").arg(100 * c.test.accuracy, 0, 'f', 2);
    case CostColumn:
        return QStringLiteral("%1 (%2×)").arg(m_cost.format(c.validation.averageCost)).arg(cost, 0, 'f', 3);
    case ParametersColumn:
        return c.parameters >= 1000000 ? QStringLiteral("%1 M").arg(double(c.parameters) / 1e6, 0, 'f', 2)
                                       : QStringLiteral("%1 k").arg(double(c.parameters) / 1e3, 0, 'f', 1);
    case ExitsColumn:
        return int(c.architecture.exits.size());
    case BranchLayersColumn:
        return distinctLayerTypes(c.architecture);
    case FrontColumn:
        return onFront ? QStringLiteral("●") : QString();
    default:
        return {};
    }
}

QVariant CandidateTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn:
        return tr("Id");
    case GenerationColumn:
        return tr("Gen.");
    case ValidationAccuracyColumn:
        return tr("Val. accuracy");
    case TestAccuracyColumn:
        return tr("Test accuracy");
    case CostColumn:
        return m_cost.model == CostModel::Macs   ? tr("Avg. MACs")
            : m_cost.model == CostModel::Latency ? tr("Avg. latency")
                                                 : tr("Avg. params used");
    case ParametersColumn:
        return tr("Parameters");
    case ExitsColumn:
        return tr("Exits");
    case BranchLayersColumn:
        return tr("Layer types");
    case FrontColumn:
        return tr("Front");
    default:
        return {};
    }
}

void CandidateTableModel::clear()
{
    beginResetModel();
    m_candidates.clear();
    m_largestId = -1;
    m_front.clear();
    endResetModel();
}

void CandidateTableModel::setCostAxis(const CostAxis& cost)
{
    m_cost = cost;
    Q_EMIT headerDataChanged(Qt::Horizontal, CostColumn, CostColumn);
    if (!m_candidates.empty())
        Q_EMIT dataChanged(index(0, CostColumn), index(rowCount() - 1, CostColumn));
}

void CandidateTableModel::addCandidate(const CandidateRecord& candidate)
{
    // A reopened session replays what the table may already hold. Ids normally arrive in order: searching the rows
    // for every new one made filling the table quadratic (12 million comparisons at 5,000 candidates).
    if (candidate.id <= m_largestId && rowOf(candidate.id) >= 0)
        return;
    beginInsertRows(QModelIndex(), rowCount(), rowCount());
    m_candidates.push_back(candidate);
    m_largestId = std::max(m_largestId, candidate.id);
    endInsertRows();
}

void CandidateTableModel::setFront(const QVector<int>& front)
{
    QSet<int> next(front.begin(), front.end());
    // Only the rows that joined or left the front change: a whole-table dataChanged made the sorting proxy re-sort
    // every row at each front update, tens of milliseconds at thousands of candidates.
    QSet<int> changed = next;
    changed.unite(m_front);
    changed.subtract(QSet<int>(next).intersect(m_front));
    m_front = std::move(next);
    for (const int id : std::as_const(changed)) {
        const int row = rowOf(id);
        if (row >= 0)
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

const CandidateRecord* CandidateTableModel::candidate(int id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &m_candidates[std::size_t(row)];
}

int CandidateTableModel::rowOf(int id) const
{
    // Ids are evaluation order, so normally the row itself.
    if (id >= 0 && id < rowCount() && m_candidates[std::size_t(id)].id == id)
        return id;
    for (std::size_t row = 0; row < m_candidates.size(); ++row) {
        if (m_candidates[row].id == id)
            return int(row);
    }
    return -1;
}

QString CandidateTableModel::toCsv() const
{
    const std::set<int> onFront(m_front.begin(), m_front.end());
    return QString::fromStdString(candidatesCsv(m_candidates, onFront, m_cost.model, m_cost.backboneCost));
}

CandidateFilterModel::CandidateFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(CandidateTableModel::SortRole);
}

void CandidateFilterModel::setFrontOnly(bool frontOnly)
{
    m_frontOnly = frontOnly;
    invalidateFilter();
}

bool CandidateFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!m_frontOnly)
        return true;
    return sourceModel()->index(sourceRow, 0, sourceParent).data(CandidateTableModel::OnFrontRole).toBool();
}

void setUpCandidateView(QTableView* view, CandidateFilterModel* filter)
{
    view->setModel(filter);
    view->setSortingEnabled(true);
    view->sortByColumn(CandidateTableModel::IdColumn, Qt::AscendingOrder);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Columns fit the rows on screen and this many more (Qt's default, 1,000, laid out a thousand rows' text at every
    // resize: 70 ms of opening a 5,000-candidate session). A column's values all have the width of a few digits.
    view->horizontalHeader()->setResizeContentsPrecision(kRowsMeasuredForWidth);
}

} // namespace earlybird::ui
