#pragma once

#include "searchworker.h"

#include "export/exporter.h"

#include <QMainWindow>
#include <QStringList>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QTableView;
class QCheckBox;
class QDockWidget;

namespace earlybird::ui {

class CandidateFilterModel;
class CandidateTableModel;
class DatasetView;
class SelectedExport;
class HypervolumePlot;
class NetworkGraphView;
class ParetoChart;
class RunPanel;
class Selection;
class SessionController;
class SessionHeader;
class SessionModel;
class ThresholdPanel;
class Tour;

// The exploration window: the Pareto front in the middle; docks for the run settings, the thresholds of the selected
// candidate, its network, the candidates table, the log and the data set; the menus. It owns no session state: the
// SessionController owns the session's lifecycle and worker, the SessionModel its records and front, the Selection
// what is selected. The panels connect to those directly; the window lays them out and routes menu actions.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    SessionController* controller() const { return m_controller; }
    SessionModel* sessionModel() const { return m_sessionModel; }
    Selection* selection() const { return m_selection; }
    DatasetView* datasetView() const { return m_datasetView; }
    RunPanel* runPanel() const { return m_runPanel; }
    ParetoChart* paretoChart() const { return m_chart; }
    ThresholdPanel* thresholdPanel() const { return m_thresholds; }
    CandidateTableModel* candidateModel() const { return m_table; }
    NetworkGraphView* networkView() const { return m_graph; }
    HypervolumePlot* hypervolumePlot() const { return m_hypervolume; }
    SessionHeader* sessionHeader() const { return m_header; }
    bool isSearchRunning() const;
    const SessionInfo& session() const;
    // The most accurate point of the session's front within its target (as the status bar names it), if any.
    std::optional<FrontPoint> bestWithinTarget() const;

    // Opens a saved session (finished or not); with `run`, continues it. The folder joins File > Open recent.
    void openSession(const QString& folder, bool run);
    static QString demoSessionFolder();
    // What the window opens when started without a session: the last one opened (Settings > Reopen the last session,
    // on by default) if it is still there, else the demo. False when there is neither.
    bool openStartupSession();
    QStringList recentSessions() const;
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
    void buildDocks();
    void buildMenus();
    void connectSession();
    void chooseThreads();
    void showError(const QString& message);
    void appendLog(const QString& message);
    void onLifecycle();
    void onIdle(bool completed);
    // The run panel's line once a search (run here or followed) has ended.
    void showSearchEnded(bool completed);
    void showFrontStatus();
    void showSelected(int id);
    void exportCsv();
    void openArchitectureDialog();
    void exportGraph();
    void openSessionDialog();

    SessionModel* m_sessionModel;
    SessionController* m_controller;
    Selection* m_selection;
    RunPanel* m_runPanel;
    ParetoChart* m_chart;
    ThresholdPanel* m_thresholds;
    NetworkGraphView* m_graph;
    CandidateTableModel* m_table;
    CandidateFilterModel* m_filter;
    QTableView* m_tableView;
    QCheckBox* m_frontOnly;
    QPlainTextEdit* m_log;
    HypervolumePlot* m_hypervolume;
    DatasetView* m_datasetView;
    SessionHeader* m_header;
    QLabel* m_threads;
    QLabel* m_convention = nullptr;
    QAction* m_resumeAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_stopAction = nullptr;
    SelectedExport* m_export;
    Tour* m_tour = nullptr;
    QList<QDockWidget*> m_viewMenuDocks; // in View's order
    QString m_familyDrawnFor; // the session whose family's other fronts are on the chart (familyfronts.h)
};

} // namespace earlybird::ui
