#include "selection.h"

#include "sessioncontroller.h"
#include "sessionmodel.h"

namespace earlybird::ui {

Selection::Selection(SessionModel* model, SessionController* controller, QObject* parent)
    : QObject(parent)
    , m_model(model)
    , m_controller(controller)
{
    if (m_model)
        connect(m_model, &SessionModel::cleared, this, &Selection::clear);
    if (m_controller)
        connect(m_controller, &SessionController::outcomesReady, this, &Selection::onOutcomes);
}

Selection::~Selection() = default;

const CandidateRecord* Selection::candidate() const
{
    if (m_id < 0)
        return nullptr;
    if (m_model)
        return m_model->candidate(m_id);
    return m_record.id == m_id ? &m_record : nullptr;
}

CostAxis Selection::sessionCost() const
{
    return m_controller ? m_controller->session().cost : m_cost;
}

void Selection::clear()
{
    const bool changed = m_id >= 0;
    m_id = -1;
    m_record = CandidateRecord();
    m_outcomes.reset();
    m_validationPolicy.reset();
    m_testPolicy.reset();
    m_pendingThresholds = { -1, {} };
    m_thresholds.clear();
    m_validation = PolicyResult();
    m_test = PolicyResult();
    m_curve.clear();
    if (changed)
        Q_EMIT candidateChanged(-1);
}

void Selection::select(int id)
{
    if (!m_model || id == m_id || !m_model->candidate(id))
        return;
    m_id = id;
    m_outcomes.reset();
    m_validationPolicy.reset();
    m_testPolicy.reset();
    m_curve.clear();
    Q_EMIT candidateChanged(id);
    if (m_controller)
        m_controller->requestOutcomes(id);
}

void Selection::selectFrontPoint(int id, const std::vector<double>& thresholds)
{
    m_pendingThresholds = { id, thresholds };
    if (id == m_id && isReady()) {
        m_pendingThresholds = { -1, {} };
        setThresholds(thresholds);
        return;
    }
    select(id);
}

void Selection::onOutcomes(int id, const OutcomesPointer& outcomes)
{
    if (id != m_id || !m_model || !m_controller)
        return; // a newer selection is on its way
    if (isReady())
        return; // a second answer to one request (the store's and the search's): the sliders may have moved since
    const CandidateRecord* record = m_model->candidate(id);
    if (!record)
        return;
    const SessionInfo& session = m_controller->session();
    setCandidate(*record, outcomes, session.cost, session.target, session.convention);
}

void Selection::setCandidate(const CandidateRecord& candidate, const OutcomesPointer& outcomes, const CostAxis& cost,
    double target, CostConvention convention)
{
    m_id = candidate.id;
    m_record = candidate;
    m_outcomes = outcomes;
    m_cost = cost;
    m_target = target;
    const std::vector<double> macs = exitMacsOf(outcomes->cost, convention);
    const std::vector<double> costs = candidate.exitCosts.size() == macs.size() ? candidate.exitCosts : macs;
    m_validationPolicy
        = std::make_unique<ExitPolicy>(outcomes->validation, candidate.architecture.confidence, costs, macs);
    m_testPolicy = std::make_unique<ExitPolicy>(outcomes->test, candidate.architecture.confidence, costs, macs);
    m_curve.clear();
    for (const PolicyResult& point : m_validationPolicy->tradeOffCurve())
        m_curve.append(QPointF(point.averageCost, point.accuracy));
    // A front point was clicked: its thresholds, not the tuned ones.
    std::vector<double> thresholds = exitThresholds(candidate.architecture);
    if (m_pendingThresholds.first == candidate.id)
        thresholds = std::exchange(m_pendingThresholds, { -1, {} }).second;
    m_thresholds = thresholds;
    m_thresholds.resize(candidate.architecture.exits.size(), 1.0);
    evaluate();
    Q_EMIT outcomesChanged(candidate.id);
    Q_EMIT thresholdsChanged();
}

void Selection::setThresholds(const std::vector<double>& thresholds)
{
    if (!isReady())
        return;
    m_thresholds = thresholds;
    m_thresholds.resize(m_record.architecture.exits.size(), 1.0);
    evaluate();
    Q_EMIT thresholdsChanged();
}

void Selection::setThreshold(int exit, double value)
{
    if (!isReady() || exit < 0 || exit >= int(m_thresholds.size()) || m_thresholds[std::size_t(exit)] == value)
        return;
    m_thresholds[std::size_t(exit)] = value;
    evaluate();
    Q_EMIT thresholdsChanged();
}

void Selection::setShowsTest(bool test)
{
    if (test == m_showsTest)
        return;
    m_showsTest = test;
    Q_EMIT thresholdsChanged();
}

void Selection::tuneForTarget()
{
    if (isReady())
        setThresholds(m_validationPolicy->tuneForBudget(m_target).thresholds);
}

void Selection::resetToSearch()
{
    if (const CandidateRecord* record = candidate(); record && isReady())
        setThresholds(exitThresholds(record->architecture));
}

void Selection::evaluate()
{
    m_validation = m_validationPolicy->evaluate(m_thresholds);
    m_test = m_testPolicy->evaluate(m_thresholds);
}

ExitCalibration Selection::calibration(int exit) const
{
    if (!m_outcomes)
        return {};
    const ExitOutcomes& outcomes = m_showsTest ? m_outcomes->test : m_outcomes->validation;
    return exit >= 0 && exit < outcomes.exitCount() ? outcomes.calibration(exit) : ExitCalibration {};
}

} // namespace earlybird::ui
