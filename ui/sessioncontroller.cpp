#include "sessioncontroller.h"

#include "sessionmodel.h"

#include "search/sessionfile.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>

namespace earlybird::ui {

namespace {

constexpr int kRecentSessions = 8;
// At most this often the model (and the table, chart and hypervolume plot on it) takes a new front during a search.
constexpr int kFrontIntervalMs = 250;
const char* const kRecentKey = "session/recent";
const char* const kReopenKey = "session/reopenLast";

} // namespace

template <typename... Args, typename Slot>
void SessionController::connectCurrent(void (SearchWorker::*signal)(RunId, Args...), Slot slot)
{
    connect(m_worker, signal, this, [this, slot](RunId run, Args... args) {
        if (run == m_run)
            slot(args...);
    });
}

SessionController::SessionController(SessionModel* model, QObject* parent)
    : QObject(parent)
    , m_model(model)
    , m_worker(new SearchWorker)
{
    qRegisterMetaType<earlybird::ui::SessionLifecycle>();
    m_frontTimer.setSingleShot(true);
    m_frontTimer.setInterval(kFrontIntervalMs);
    connect(&m_frontTimer, &QTimer::timeout, this, &SessionController::flushFront);

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();

    // A family search shows one member at a time: the model is emptied for it, as for another session, but the run
    // (its lifecycle, pause and stop) goes on.
    connectCurrent(&SearchWorker::memberShown, [this](const QString& folder, const QString& label) {
        resetSession(folder);
        Q_EMIT logMessage(tr("Showing the family's backbone %1 (%2)").arg(label, folder));
    });
    connectCurrent(&SearchWorker::sessionOpened, [this](const SessionInfo& info) {
        m_session = info;
        if (info.fromStore)
            Q_EMIT logMessage(tr("Opened from the per-sample outputs in its store: no data or backbone loaded."));
        if (!info.writer.isEmpty())
            Q_EMIT logMessage(
                tr("%1 is writing this session: it is read-only here, and what it saves appears as it is saved.")
                    .arg(info.writer));
        Q_EMIT sessionChanged(m_session);
    });
    connectCurrent(&SearchWorker::candidateEvaluated,
        [this](const CandidateRecord& candidate) { m_model->addCandidate(candidate); });
    connectCurrent(&SearchWorker::frontChanged,
        [this](const QVector<FrontPoint>& front, double hypervolume) { onFront(front, hypervolume); });
    connectCurrent(&SearchWorker::progress, [this](const SearchProgress& p) { Q_EMIT progress(p); });
    connectCurrent(&SearchWorker::generationDone,
        [this](int generation, double hypervolume) { Q_EMIT generationDone(generation, hypervolume); });
    connectCurrent(&SearchWorker::logMessage, [this](const QString& message) { Q_EMIT logMessage(message); });
    connectCurrent(&SearchWorker::outcomesReady,
        [this](int id, const OutcomesPointer& outcomes) { Q_EMIT outcomesReady(id, outcomes); });
    connectCurrent(&SearchWorker::failed, [this](const QString& message) {
        m_openClock.invalidate(); // an open that failed did not open anything
        Q_EMIT failed(message);
    });
    connectCurrent(&SearchWorker::finished, [this](bool completed) { onFinished(completed); });
    connectCurrent(&SearchWorker::followEnded, [this](bool completed) {
        Q_EMIT logMessage(completed
                ? tr("%1 has finished this session.").arg(m_session.writer)
                : tr("%1 has stopped writing this session: Search ▸ Resume continues it.").arg(m_session.writer));
        m_session.writer.clear();
        m_session.finished = completed;
        setLifecycle(completed ? SessionLifecycle::Finished : SessionLifecycle::Stopped);
        Q_EMIT sessionChanged(m_session);
        Q_EMIT followEnded(completed);
    });
}

SessionController::~SessionController()
{
    m_worker->requestStop();
    m_thread.quit();
    m_thread.wait();
}

bool SessionController::isBusy() const
{
    return m_lifecycle == SessionLifecycle::Opening || m_lifecycle == SessionLifecycle::Running;
}

bool SessionController::isPaused() const
{
    return m_worker->isPaused();
}

bool SessionController::canResume() const
{
    return m_lifecycle == SessionLifecycle::Stopped && !m_folder.isEmpty() && !isReadOnlySession(m_folder);
}

void SessionController::setLifecycle(SessionLifecycle lifecycle)
{
    if (lifecycle == m_lifecycle)
        return;
    m_lifecycle = lifecycle;
    Q_EMIT lifecycleChanged(lifecycle);
}

void SessionController::beginRun(SessionLifecycle lifecycle, const QString& folder)
{
    ++m_run; // from here on, the worker's signals of the run before are dropped
    resetSession(folder);
    setLifecycle(lifecycle);
}

void SessionController::resetSession(const QString& folder)
{
    m_frontTimer.stop();
    m_pendingFront.reset();
    Q_EMIT aboutToReset();
    m_session = SessionInfo();
    m_model->clear();
    m_folder = folder;
}

bool SessionController::start(const SearchRequest& request)
{
    if (isBusy())
        return false;
    beginRun(SessionLifecycle::Running, request.sessionFolder);
    rememberSession(request.sessionFolder);
    m_openClock.invalidate();
    Q_EMIT logMessage(tr("Starting a search in %1").arg(request.sessionFolder));
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, run = m_run, request] { worker->start(run, request); }, Qt::QueuedConnection);
    return true;
}

bool SessionController::open(const QString& folder, bool resume)
{
    if (isBusy())
        return false;
    if (resume && isReadOnlySession(folder)) {
        Q_EMIT failed(
            tr("%1 is read-only (the demo, or a folder you cannot write to): start a new search instead.").arg(folder));
        return false;
    }
    beginRun(resume ? SessionLifecycle::Running : SessionLifecycle::Opening, folder);
    if (folder != demoSessionFolder())
        rememberSession(folder);
    Q_EMIT logMessage(resume ? tr("Resuming %1").arg(folder) : tr("Opening %1").arg(folder));
    if (resume)
        m_openClock.invalidate();
    else
        m_openClock.start();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, run = m_run, folder, resume] { worker->openSession(run, folder, resume); },
        Qt::QueuedConnection);
    return true;
}

void SessionController::setPaused(bool paused)
{
    m_worker->requestPause(paused);
}

void SessionController::stop()
{
    m_worker->requestStop();
    m_worker->requestPause(false);
}

void SessionController::requestOutcomes(int candidateId)
{
    // With its architecture, so that a running search's store can answer while the search trains.
    const CandidateRecord* record = m_model->candidate(candidateId);
    m_worker->requestOutcomes(candidateId, record ? &record->architecture : nullptr);
}

void SessionController::onFront(const QVector<FrontPoint>& front, double hypervolume)
{
    if (m_frontTimer.isActive()) {
        m_pendingFront = std::make_pair(front, hypervolume);
        return;
    }
    m_model->setFront(front, hypervolume);
    m_frontTimer.start();
}

void SessionController::flushFront()
{
    m_frontTimer.stop();
    if (m_pendingFront) {
        const auto [front, hypervolume] = *std::exchange(m_pendingFront, std::nullopt);
        m_model->setFront(front, hypervolume);
        m_frontTimer.start(); // a cooldown after this one too, or two fronts could be drawn back to back
    }
}

void SessionController::onFinished(bool completed)
{
    flushFront(); // the last front, before anyone reads the model
    m_session.finished = completed;
    if (!m_session.writer.isEmpty()) {
        setLifecycle(SessionLifecycle::Following);
    } else {
        setLifecycle(completed ? SessionLifecycle::Finished : SessionLifecycle::Stopped);
        Q_EMIT logMessage(completed ? tr("Search complete.") : tr("Search stopped; the session is saved."));
    }
    if (m_openClock.isValid()) {
        Q_EMIT logMessage(tr("Opened %1 candidates in %2 s.")
                              .arg(m_model->count())
                              .arg(double(m_openClock.elapsed()) / 1000.0, 0, 'f', 2));
        m_openClock.invalidate();
    }
    Q_EMIT idle(completed);
}

QString SessionController::demoSessionFolder()
{
    QStringList candidates;
    const QString fromEnvironment = qEnvironmentVariable("EARLYBIRD_DEMO");
    if (!fromEnvironment.isEmpty())
        candidates << fromEnvironment;
    candidates << QCoreApplication::applicationDirPath() + QStringLiteral("/../share/earlybird/demo")
               << QStringLiteral(EARLYBIRD_SOURCE_DIR "/resources/demo");
    for (const QString& folder : candidates) {
        if (hasSession(folder.toStdString()))
            return QFileInfo(folder).canonicalFilePath();
    }
    return {};
}

QStringList SessionController::recentSessions()
{
    return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void SessionController::rememberSession(const QString& folder)
{
    const QString path = QFileInfo(folder).absoluteFilePath();
    QStringList recent = recentSessions();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kRecentSessions)
        recent.removeLast();
    QSettings().setValue(QLatin1String(kRecentKey), recent);
}

bool SessionController::isReadOnlySession(const QString& folder)
{
    const QString demo = demoSessionFolder();
    if (!demo.isEmpty() && QFileInfo(folder).canonicalFilePath() == demo)
        return true;
    const QFileInfo info(folder);
    return info.exists() && !info.isWritable();
}

bool SessionController::reopensLastSession()
{
    return QSettings().value(QLatin1String(kReopenKey), true).toBool();
}

void SessionController::setReopensLastSession(bool on)
{
    QSettings().setValue(QLatin1String(kReopenKey), on);
}

} // namespace earlybird::ui
