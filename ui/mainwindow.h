#pragma once

#include "searchworker.h"

#include "export/exporter.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QMainWindow>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QTableView;
class QCheckBox;

namespace earlybird::ui {

class CandidateFilterModel;
class CandidateTableModel;
class DatasetView;
class HypervolumePlot;
class NetworkGraphView;
class ParetoChart;
class RunPanel;
class ThresholdPanel;
class Tour;

// What a background export brings back: the files written, or the error.
struct ExportOutcome {
    QStringList files;
    QString error;
    double seconds = 0;
};

// The exploration window: the Pareto front in the middle; docks for the run settings, the thresholds of the selected
// candidate, its network, the candidates table, the log and the data set. The search runs in a worker thread; the
// window never waits for it.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    DatasetView* datasetView() const { return m_datasetView; }
    RunPanel* runPanel() const { return m_runPanel; }
    ParetoChart* paretoChart() const { return m_chart; }
    ThresholdPanel* thresholdPanel() const { return m_thresholds; }
    CandidateTableModel* candidateModel() const { return m_model; }
    NetworkGraphView* networkView() const { return m_graph; }
    HypervolumePlot* hypervolumePlot() const { return m_hypervolume; }
    bool isSearchRunning() const { return m_running; }
    const SessionInfo& session() const { return m_session; }
    // The most accurate point of the session's front within its target (as the status bar names it), if any.
    std::optional<FrontPoint> bestWithinTarget() const;

    // Opens a saved session (finished or not); with `run`, continues it. The folder joins File > Open recent.
    void openSession(const QString& folder, bool run);
    // The bundled demo session (a finished Fashion-MNIST search, opened read-only from its stored outputs), or empty
    // when it is not installed: $EARLYBIRD_DEMO, then <prefix>/share/earlybird/demo, then the source tree's.
    static QString demoSessionFolder();
    // What the window opens when started without a session: the last one opened (Settings > Reopen the last session,
    // on by default) if it is still there, else the demo. False when there is neither.
    bool openStartupSession();
    // Sessions opened or started, newest first (at most 8), as File > Open recent lists them.
    QStringList recentSessions() const;
    // A session the window must not write: the demo, or a folder it cannot write to. Search > Resume is off for it.
    bool isReadOnlySession(const QString& folder) const;
    void startSearch(const SearchRequest& request);
    void selectCandidate(int id);
    // Selects a front point: its candidate, with the point's thresholds on the sliders.
    void selectFrontPoint(int id, const std::vector<double>& thresholds);
    // Draws another session's front (e.g. a baseline's) as its own series. False, with an error shown, on bad input.
    bool addBaselineSession(const QString& folder);
    // Exports the selected candidate with the sliders' thresholds in the background (File > Export selected): false,
    // with an error shown, when nothing is selected or an export is under way. exportFinished() tells the outcome.
    bool exportSelected(earlybird::ExportFormat format, const QString& path);
    bool isExporting() const;
    // Shows an architecture file (or an export's JSON) in the network view, with its MACs per exit.
    bool openArchitecture(const QString& path);
    // Help > What is an early exit?: the guided tour, started on the session on screen (made on first use).
    Tour* startTour();

Q_SIGNALS:
    // The worker has finished opening or running a session (tests wait for it).
    void sessionIdle();
    void outcomesShown(int candidateId);
    void errorShown(const QString& message);
    // An export ended: the files written, or an error (files empty).
    void exportFinished(const QStringList& files, const QString& error);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void resetPanels();
    void chooseThreads();
    void showError(const QString& message);
    void appendLog(const QString& message);
    void onSessionOpened(const SessionInfo& info);
    // The lines above the chart: the session's folder, backbone and target, and whom the window follows.
    void updateSessionLabel();
    void onFollowEnded(bool completed);
    // The run panel's line once a search (run here or followed) has ended.
    void showSearchEnded(bool completed);
    void onCandidate(const CandidateRecord& candidate);
    // Fronts arrive after every candidate (hundreds a minute while composing): the first is shown at once, later ones
    // at most every kFrontIntervalMs (the latest wins), so the table and chart are not redrawn for each.
    void onFront(const QVector<earlybird::FrontPoint>& front, double hypervolume);
    void showFront(const QVector<earlybird::FrontPoint>& front, double hypervolume);
    void flushFront();
    void onOutcomes(int id, const OutcomesPointer& outcomes);
    void applyPendingThresholds(int id);
    void onFinished(bool completed);
    void setRunning(bool running);
    void exportCsv();
    void exportSelectedDialog();
    void openArchitectureDialog();
    void exportGraph();
    void openSessionDialog();
    void rememberSession(const QString& folder);
    void updateResumeAction();

    QThread m_thread;
    SearchWorker* m_worker;
    RunPanel* m_runPanel;
    ParetoChart* m_chart;
    ThresholdPanel* m_thresholds;
    NetworkGraphView* m_graph;
    CandidateTableModel* m_model;
    CandidateFilterModel* m_filter;
    QTableView* m_table;
    QCheckBox* m_frontOnly;
    QPlainTextEdit* m_log;
    HypervolumePlot* m_hypervolume;
    DatasetView* m_datasetView;
    QLabel* m_threads;
    QLabel* m_convention = nullptr;
    QLabel* m_sessionLabel;
    QLabel* m_followBanner; // shown while another process writes the session on screen
    SessionInfo m_session;
    QString m_lastSessionFolder;
    QTimer m_frontTimer;
    std::optional<std::pair<QVector<earlybird::FrontPoint>, double>> m_pendingFront;
    QElapsedTimer m_openClock; // from Open to the whole session on screen (valid while opening without resuming)
    int m_selected = -1;
    // Thresholds to put on the sliders once the candidate's outcomes arrive (a clicked front point): id and values.
    std::pair<int, std::vector<double>> m_pendingThresholds { -1, {} };
    bool m_running = false;
    QAction* m_resumeAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_stopAction = nullptr;
    QFutureWatcher<ExportOutcome>* m_export;
    Tour* m_tour = nullptr;
    QString m_exportPath;
};

} // namespace earlybird::ui
