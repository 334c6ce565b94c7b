#include "candidatetablemodel.h"

#include "sessionmodel.h"

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

CandidateTableModel::CandidateTableModel(SessionModel* session, QObject* parent)
    : QAbstractTableModel(parent)
    , m_session(session)
{
    connect(session, &SessionModel::cleared, this, [this] {
        beginResetModel();
        m_rows = 0;
        m_front.clear();
        endResetModel();
    });
    connect(session, &SessionModel::candidateAdded, this, [this] {
        beginInsertRows(QModelIndex(), m_rows, m_rows);
        ++m_rows;
        endInsertRows();
    });
    connect(session, &SessionModel::frontChanged, this, &CandidateTableModel::onFrontChanged);
}

int CandidateTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int CandidateTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CandidateTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const CandidateRecord& c = m_session->at(index.row());
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

void CandidateTableModel::setCostAxis(const CostAxis& cost)
{
    m_cost = cost;
    Q_EMIT headerDataChanged(Qt::Horizontal, CostColumn, CostColumn);
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, CostColumn), index(rowCount() - 1, CostColumn));
}

void CandidateTableModel::onFrontChanged()
{
    const QVector<int>& front = m_session->frontCandidates();
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
    return m_session->candidate(id);
}

int CandidateTableModel::rowOf(int id) const
{
    const int row = m_session->rowOf(id);
    return row < m_rows ? row : -1;
}

QString CandidateTableModel::toCsv() const
{
    const std::set<int> onFront(m_front.begin(), m_front.end());
    return QString::fromStdString(candidatesCsv(m_session->candidates(), onFront, m_cost.model, m_cost.backboneCost));
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
