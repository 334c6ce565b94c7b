#pragma once

#include "searchworker.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include <optional>
#include <utility>

namespace earlybird::ui {

class SessionModel;

// Where the session on screen is in its life. One state at a time: the window's actions, run panel and banner follow
// from it.
enum class SessionLifecycle {
    Empty, // no session yet
    Opening, // the worker is loading a session to browse it
    Running, // a search runs here (preparing, searching, or paused), started or resumed
    Following, // opened read-only while another process writes it
    Stopped, // on screen, not finished: it can be resumed
    Finished, // on screen, complete
};

// The session on screen, without widgets: owns the search worker and its thread, the session's lifecycle, its
// settings (SessionInfo), the folder last opened or started and the recent sessions; fills the SessionModel. Every
// start or open gets a new run id; the worker's signals of an earlier run are dropped here, so nothing of a session
// left behind reaches the new one's panels.
class SessionController : public QObject {
    Q_OBJECT
public:
    explicit SessionController(SessionModel* model, QObject* parent = nullptr);
    ~SessionController() override;

    SessionLifecycle lifecycle() const { return m_lifecycle; }
    // The worker is busy with the session (opening or running it): no other can be started or opened.
    bool isBusy() const;
    bool isPaused() const;
    const SessionInfo& session() const { return m_session; }
    // The folder last started, opened or resumed (empty before the first).
    const QString& folder() const { return m_folder; }
    RunId runId() const { return m_run; }
    // Search > Resume: a session on screen, not finished, nobody else writing it, and writable.
    bool canResume() const;

    // Starts a new search; false when the worker is busy.
    bool start(const SearchRequest& request);
    // Opens a saved session; with `resume`, continues it. False when busy, or (with an error emitted) when `resume`
    // asks to write a read-only session.
    bool open(const QString& folder, bool resume);
    void setPaused(bool paused);
    void stop();
    // Asks the worker for a candidate's outcomes (outcomesReady answers; the latest request wins).
    void requestOutcomes(int candidateId);
    // The worker, for tests that play its part.
    SearchWorker* worker() const { return m_worker; }

    // The bundled demo session, or empty when it is not installed: $EARLYBIRD_DEMO, then <prefix>/share/earlybird/demo,
    // then the source tree's.
    static QString demoSessionFolder();
    // Sessions opened or started, newest first (at most 8), as File > Open recent lists them.
    static QStringList recentSessions();
    // A session the window must not write: the demo, or a folder it cannot write to.
    static bool isReadOnlySession(const QString& folder);
    // Settings > Reopen the last session on start.
    static bool reopensLastSession();
    static void setReopensLastSession(bool on);

Q_SIGNALS:
    void lifecycleChanged(earlybird::ui::SessionLifecycle lifecycle);
    // The model is about to be emptied for another session.
    void aboutToReset();
    // The session's settings arrived, or changed (its writer ended).
    void sessionChanged(const earlybird::ui::SessionInfo& info);
    void progress(const earlybird::SearchProgress& progress);
    void generationDone(int generation, double hypervolume);
    void logMessage(const QString& message);
    void failed(const QString& message);
    void outcomesReady(int candidateId, const earlybird::ui::OutcomesPointer& outcomes);
    // The worker has finished opening or running a session (its last front is in the model).
    void idle(bool completed);
    // A session another process wrote has been left by its writer.
    void followEnded(bool completed);

private:
    void beginRun(SessionLifecycle lifecycle, const QString& folder);
    // Empties the model and the session's settings for the session in `folder` (a new run's, or a family member's
    // within the run).
    void resetSession(const QString& folder);
    void setLifecycle(SessionLifecycle lifecycle);
    void rememberSession(const QString& folder);
    // Fronts arrive after every candidate (hundreds a minute while composing): the first goes to the model at once,
    // later ones at most every kFrontIntervalMs (the latest wins), so the table and chart are not redrawn for each.
    void onFront(const QVector<earlybird::FrontPoint>& front, double hypervolume);
    void flushFront();
    void onFinished(bool completed);
    // Connects a worker signal to `slot`, dropping the emissions of runs other than the current one.
    template <typename... Args, typename Slot>
    void connectCurrent(void (SearchWorker::*signal)(RunId, Args...), Slot slot);

    SessionModel* m_model;
    QThread m_thread;
    SearchWorker* m_worker;
    SessionLifecycle m_lifecycle = SessionLifecycle::Empty;
    SessionInfo m_session;
    QString m_folder;
    RunId m_run = 0;
    QTimer m_frontTimer;
    std::optional<std::pair<QVector<earlybird::FrontPoint>, double>> m_pendingFront;
    QElapsedTimer m_openClock; // from open to the whole session in the model (valid while opening without resuming)
};

} // namespace earlybird::ui

Q_DECLARE_METATYPE(earlybird::ui::SessionLifecycle)
