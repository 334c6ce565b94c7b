#include "tour.h"

#include "networkgraphview.h"
#include "selection.h"
#include "sessioncontroller.h"
#include "sessionmodel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace earlybird::ui {

Tour::Tour(Selection* selection, SessionModel* model, SessionController* controller, NetworkGraphView* network,
    QWidget* parent)
    : QDialog(parent)
    , m_selection(selection)
    , m_model(model)
    , m_controller(controller)
    , m_network(network)
    , m_text(new QLabel)
    , m_counter(new QLabel)
    , m_back(new QPushButton(tr("Back")))
    , m_next(new QPushButton(tr("Next")))
{
    setWindowTitle(tr("What is an early exit?"));
    setModal(false);
    m_text->setWordWrap(true);
    m_text->setMinimumWidth(420);
    m_text->setMinimumHeight(90);
    auto* close = new QPushButton(tr("Close"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_counter);
    buttons->addStretch();
    buttons->addWidget(m_back);
    buttons->addWidget(m_next);
    buttons->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addLayout(buttons);
    connect(m_back, &QPushButton::clicked, this, &Tour::back);
    connect(m_next, &QPushButton::clicked, this, &Tour::next);
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(selection, &Selection::outcomesChanged, this, [this](int id) {
        if (id == m_point.candidate && m_step < 0)
            showStep(0);
        refresh();
    });
    connect(this, &QDialog::finished, this, [this] { m_network->highlightExit(-1); });
}

bool Tour::start()
{
    m_step = -1;
    m_exit = -1;
    // The tour needs a network with an early exit: the best within the target, or else the most accurate that has one.
    const std::optional<FrontPoint> best = m_model->bestEarlyExitPoint(m_controller->session().target);
    if (!best) {
        m_message = tr("Open a session first (File ▸ Open the demo session): the tour works on its networks.");
        refresh();
        return false;
    }
    m_point = *best;
    m_message = tr("Loading the network…");
    m_selection->selectFrontPoint(m_point.candidate, m_point.thresholds);
    if (isReady())
        showStep(0);
    refresh();
    return true;
}

bool Tour::isReady() const
{
    return m_point.candidate >= 0 && m_selection->isReady() && m_selection->candidateId() == m_point.candidate;
}

QString Tour::text() const
{
    return m_message;
}

void Tour::next()
{
    if (isReady() && m_step + 1 < kSteps)
        showStep(m_step + 1);
}

void Tour::back()
{
    if (isReady() && m_step > 0)
        showStep(m_step - 1);
}

int Tour::blockOf(int exit) const
{
    const CandidateRecord* candidate = m_model->candidate(m_point.candidate);
    return candidate && exit < int(candidate->architecture.exits.size())
        ? candidate->architecture.exits[std::size_t(exit)].position
        : -1;
}

void Tour::showStep(int step)
{
    m_step = step;
    const SessionInfo& session = m_controller->session();
    const auto macs = [](double value) { return QString::number(value / 1e6, 'f', 2) + QStringLiteral(" M"); };
    const auto percent = [](double value) { return QString::number(100 * value, 'f', 1) + QLatin1Char('%'); };
    // Every step but the ones that move the slider starts from the network's own thresholds.
    if (step != 3 && step != 4)
        m_selection->setThresholds(m_point.thresholds);
    const PolicyResult tuned = m_selection->shown();
    if (m_exit < 0) {
        // The early exit most samples take: the one whose threshold matters most here.
        m_exit = 0;
        for (int e = 1; e < int(m_point.thresholds.size()); ++e) {
            if (tuned.exitRate(e) > tuned.exitRate(m_exit))
                m_exit = e;
        }
    }
    const double threshold = m_point.thresholds[std::size_t(m_exit)];
    std::vector<double> moved = m_point.thresholds;
    switch (step) {
    case 0:
        m_network->highlightExit(-1);
        m_message = tr("Each point on the blue step line is an early-exit network with its exit thresholds: the best "
                       "validation accuracy the search found for its average MACs. Selected: the best within the "
                       "target, %1 accuracy at %2 MACs (%3× the backbone).")
                        .arg(percent(tuned.accuracy), macs(tuned.averageMacs))
                        .arg(session.backboneMacs > 0 ? tuned.averageMacs / session.backboneMacs : 0.0, 0, 'f', 2);
        break;
    case 1:
        m_network->highlightExit(-1);
        m_network->fit();
        m_message = tr("Below is its network: the backbone's blocks run left to right, and each early exit hangs "
                       "below the block it follows, a small branch ending in a classifier.");
        break;
    case 2:
        m_network->highlightExit(m_exit);
        m_message = tr("Exit %1 (outlined) follows block %2. A sample whose confidence there reaches the threshold "
                       "(%3) leaves with that exit's answer, and the rest of the network is skipped: %4 of samples "
                       "do.")
                        .arg(m_exit)
                        .arg(blockOf(m_exit))
                        .arg(threshold, 0, 'f', 3)
                        .arg(percent(tuned.exitRate(m_exit)));
        break;
    case 3: {
        m_network->highlightExit(m_exit);
        moved[std::size_t(m_exit)] = std::max(0.0, threshold * 0.4);
        m_selection->setThresholds(m_point.thresholds);
        const PolicyResult before = m_selection->shown();
        m_selection->setThresholds(moved);
        const PolicyResult after = m_selection->shown();
        m_message = tr("Lower exit %1's threshold to %2: now %3 of samples leave there, accuracy is %4 (was %5) and "
                       "average MACs %6 (was %7). Cheaper, and less sure.")
                        .arg(m_exit)
                        .arg(moved[std::size_t(m_exit)], 0, 'f', 3)
                        .arg(percent(after.exitRate(m_exit)), percent(after.accuracy), percent(before.accuracy),
                            macs(after.averageMacs), macs(before.averageMacs));
        break;
    }
    case 4: {
        m_network->highlightExit(m_exit);
        moved[std::size_t(m_exit)] = std::min(1.0, threshold + 0.9 * (1.0 - threshold));
        m_selection->setThresholds(moved);
        const PolicyResult after = m_selection->shown();
        m_message = tr("Raise it to %1: only %2 of samples leave there, accuracy is %3 and average MACs %4. Surer "
                       "exits let fewer samples out early, and cost more.")
                        .arg(moved[std::size_t(m_exit)], 0, 'f', 3)
                        .arg(percent(after.exitRate(m_exit)), percent(after.accuracy), macs(after.averageMacs));
        break;
    }
    case 5:
        m_network->highlightExit(-1);
        m_message = tr("The search tunes every exit's threshold together like this for each network it tries, and "
                       "keeps the best trade-offs: the front. The sliders are back at this network's thresholds. Your "
                       "turn: move them, click other points, or press F5 for a search of your own.");
        break;
    default:
        break;
    }
    refresh();
}

void Tour::refresh()
{
    m_text->setText(m_message);
    m_counter->setText(m_step >= 0 ? tr("%1 of %2").arg(m_step + 1).arg(kSteps) : QString());
    m_back->setEnabled(isReady() && m_step > 0);
    m_next->setEnabled(isReady() && m_step + 1 < kSteps);
}

} // namespace earlybird::ui
