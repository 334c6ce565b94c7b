#include "mainwindow.h"

#include "base/computethreads.h"
#include "base/error.h"
#include "base/fileio.h"
#include "candidatetablemodel.h"
#include "datasetview.h"
#include "familyfronts.h"
#include "model/backbonepresets.h"
#include "model/networkcost.h"
#include "search/sessionfile.h"
#include "selectedexport.h"

#include "hypervolumeplot.h"
#include "networkgraphview.h"
#include "paretochart.h"
#include "runpanel.h"
#include "selection.h"
#include "sessioncontroller.h"
#include "sessionheader.h"
#include "sessionmodel.h"
#include "thresholdpanel.h"
#include "tour.h"

#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

namespace earlybird::ui {

namespace {
QDockWidget* dock(QMainWindow* window, const QString& title, const QString& name, QWidget* content)
{
    auto* d = new QDockWidget(title, window);
    d->setObjectName(name); // saveState() needs names
    d->setWidget(content);
    return d;
}
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_sessionModel(new SessionModel(this))
    , m_controller(new SessionController(m_sessionModel, this))
    , m_selection(new Selection(m_sessionModel, m_controller, this))
    , m_runPanel(new RunPanel)
    , m_chart(new ParetoChart)
    , m_thresholds(new ThresholdPanel(m_selection))
    , m_graph(new NetworkGraphView)
    , m_table(new CandidateTableModel(m_sessionModel, this))
    , m_filter(new CandidateFilterModel(this))
    , m_tableView(new QTableView)
    , m_frontOnly(new QCheckBox(tr("Front only")))
    , m_log(new QPlainTextEdit)
    , m_hypervolume(new HypervolumePlot)
    , m_datasetView(new DatasetView)
    , m_header(new SessionHeader(m_controller))
    , m_threads(new QLabel(this))
    , m_export(new SelectedExport(m_selection, m_controller, this))
{
    setWindowTitle(tr("Earlybird"));
    m_chart->setModel(m_sessionModel);
    m_chart->setSelection(m_selection);
    m_graph->setSelection(m_selection);
    buildDocks();
    buildMenus();
    connectSession();
    connect(m_export, &SelectedExport::started, this, [this](const QString& message) {
        appendLog(message);
        statusBar()->showMessage(message);
    });
    connect(m_export, &SelectedExport::failed, this, &MainWindow::showError);
    connect(m_export, &SelectedExport::finished, this, [this](const ExportOutcome& outcome, const QString& path) {
        if (!outcome.error.isEmpty()) {
            showError(tr("Export failed: %1").arg(outcome.error));
        } else {
            appendLog(tr("Exported %n file(s) to %1 in %2 s", nullptr, int(outcome.files.size()))
                          .arg(path)
                          .arg(outcome.seconds, 0, 'f', 1));
            statusBar()->showMessage(tr("Exported %n file(s)", nullptr, int(outcome.files.size())), 8000);
        }
        Q_EMIT exportFinished(outcome.files, outcome.error);
    });

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1500, 950);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildDocks()
{
    // Above the chart: what the session is, and, while another process writes it, that the window follows it.
    auto* centre = new QWidget;
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(4, 4, 4, 0);
    centreLayout->setSpacing(4);
    centreLayout->addWidget(m_header);
    centreLayout->addWidget(m_chart, 1);
    setCentralWidget(centre);
    setDockNestingEnabled(true);

    m_filter->setSourceModel(m_table);
    setUpCandidateView(m_tableView, m_filter);
    auto* csv = new QPushButton(tr("Export CSV…"));
    csv->setToolTip(tr("Write every candidate with its figures on both splits as CSV"));
    m_frontOnly->setToolTip(tr("Only the candidates with a point on the front (accuracy against average cost)"));
    auto* tableHolder = new QWidget;
    auto* tableTools = new QHBoxLayout;
    tableTools->addWidget(m_frontOnly);
    tableTools->addStretch(1);
    tableTools->addWidget(csv);
    auto* tableLayout = new QVBoxLayout(tableHolder);
    tableLayout->setContentsMargins(2, 2, 2, 2);
    tableLayout->addLayout(tableTools);
    tableLayout->addWidget(m_tableView, 1);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);

    auto* graphHolder = new QWidget;
    auto* graphTools = new QHBoxLayout;
    auto* fit = new QPushButton(tr("Fit"));
    auto* exportGraph = new QPushButton(tr("Export PNG/SVG…"));
    exportGraph->setToolTip(tr("Write the network diagram as an image (.png) or a drawing (.svg)"));
    graphTools->addWidget(new QLabel(tr("Ctrl + wheel zooms, drag pans")));
    graphTools->addStretch(1);
    graphTools->addWidget(fit);
    graphTools->addWidget(exportGraph);
    auto* graphLayout = new QVBoxLayout(graphHolder);
    graphLayout->setContentsMargins(2, 2, 2, 2);
    graphLayout->addLayout(graphTools);
    graphLayout->addWidget(m_graph, 1);

    QDockWidget* runDock = dock(this, tr("Run"), QStringLiteral("run"), m_runPanel);
    QDockWidget* thresholdDock = dock(this, tr("Thresholds"), QStringLiteral("thresholds"), m_thresholds);
    QDockWidget* graphDock = dock(this, tr("Network"), QStringLiteral("network"), graphHolder);
    QDockWidget* tableDock = dock(this, tr("Candidates"), QStringLiteral("candidates"), tableHolder);
    QDockWidget* logDock = dock(this, tr("Log"), QStringLiteral("log"), m_log);
    QDockWidget* hypervolumeDock = dock(this, tr("Hypervolume"), QStringLiteral("hypervolume"), m_hypervolume);
    QDockWidget* dataDock = dock(this, tr("Data set"), QStringLiteral("data"), m_datasetView);
    addDockWidget(Qt::LeftDockWidgetArea, runDock);
    addDockWidget(Qt::RightDockWidgetArea, thresholdDock);
    addDockWidget(Qt::BottomDockWidgetArea, graphDock);
    addDockWidget(Qt::BottomDockWidgetArea, tableDock);
    splitDockWidget(graphDock, tableDock, Qt::Horizontal);
    tabifyDockWidget(tableDock, logDock);
    tabifyDockWidget(logDock, hypervolumeDock);
    tabifyDockWidget(graphDock, dataDock);
    graphDock->raise();
    tableDock->raise();
    m_viewMenuDocks = { runDock, thresholdDock, graphDock, tableDock, logDock, hypervolumeDock, dataDock };

    m_convention = new QLabel(this);
    m_convention->setToolTip(tr("How average MACs are counted: every branch a sample evaluated (AEBNAS), or only the "
                                "branch of the exit it took (EDANAS/NACHOS)"));
    statusBar()->addPermanentWidget(m_convention);
    statusBar()->addPermanentWidget(m_threads);
    m_threads->setText(tr("%n compute thread(s)", nullptr, computeThreads()));

    connect(m_frontOnly, &QCheckBox::toggled, m_filter, &CandidateFilterModel::setFrontOnly);
    connect(csv, &QPushButton::clicked, this, &MainWindow::exportCsv);
    connect(fit, &QPushButton::clicked, m_graph, &NetworkGraphView::fit);
    fit->setShortcut(QKeySequence(tr("Ctrl+0")));
    fit->setToolTip(tr("Fit the network into the view (Ctrl+0); Ctrl + wheel zooms"));
    connect(exportGraph, &QPushButton::clicked, this, &MainWindow::exportGraph);
    connect(m_datasetView, &DatasetView::failed, this, &MainWindow::showError);
}

void MainWindow::connectSession()
{
    connect(m_runPanel, &RunPanel::startRequested, this, &MainWindow::startSearch);
    connect(m_runPanel, &RunPanel::pauseRequested, this, [this](bool paused) {
        m_controller->setPaused(paused);
        m_runPanel->setPaused(paused);
        appendLog(paused ? tr("Paused (after the candidate in flight).") : tr("Resumed."));
    });
    connect(m_runPanel, &RunPanel::stopRequested, this, [this] {
        m_controller->stop();
        appendLog(tr("Stopping: the session is saved after every candidate."));
    });
    connect(m_controller, &SessionController::lifecycleChanged, this, &MainWindow::onLifecycle);
    connect(m_controller, &SessionController::aboutToReset, this, [this] {
        m_graph->clear();
        m_hypervolume->clear();
        m_familyDrawnFor.clear();
    });
    connect(m_controller, &SessionController::sessionChanged, this, [this](const SessionInfo& info) {
        m_convention->setText(info.convention == CostConvention::AllEvaluatedBranches
                ? tr("MACs: every branch evaluated")
                : tr("MACs: taken branch only"));
        m_table->setCostAxis(info.cost);
        m_chart->setSession(info.cost, info.backboneValidationAccuracy, info.target);
        if (m_familyDrawnFor != m_controller->folder()) {
            m_familyDrawnFor = m_controller->folder();
            if (const int drawn = drawFamilyFronts(m_chart, m_familyDrawnFor))
                appendLog(tr("Drew the fronts of this family search's %1 other backbone(s)").arg(drawn));
        }
        // The history arrives with the session's first news; a writer leaving it changes nothing there.
        if (m_hypervolume->pointCount() == 0) {
            for (const QPointF& p : info.hypervolumeHistory)
                m_hypervolume->addPoint(int(p.x()), p.y());
        }
    });
    connect(m_controller, &SessionController::progress, m_runPanel, &RunPanel::showProgress);
    connect(m_controller, &SessionController::generationDone, this, [this](int generation, double hv) {
        appendLog(tr("Generation %1 done: hypervolume %2").arg(generation).arg(hv, 0, 'f', 4));
    });
    connect(m_controller, &SessionController::logMessage, this, &MainWindow::appendLog);
    connect(m_controller, &SessionController::failed, this, &MainWindow::showError);
    connect(m_controller, &SessionController::idle, this, &MainWindow::onIdle);
    connect(m_controller, &SessionController::followEnded, this, &MainWindow::showSearchEnded);
    connect(m_sessionModel, &SessionModel::frontChanged, this, [this](const QVector<FrontPoint>&, double hypervolume) {
        m_hypervolume->addPoint(m_sessionModel->count(), hypervolume);
        showFrontStatus();
    });

    connect(m_tableView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            if (current.isValid())
                m_selection->select(current.data(CandidateTableModel::CandidateIdRole).toInt());
        });
    connect(m_selection, &Selection::candidateChanged, this, &MainWindow::showSelected);
    connect(m_selection, &Selection::outcomesChanged, this, &MainWindow::outcomesShown);
}

void MainWindow::onLifecycle()
{
    const bool busy = m_controller->isBusy();
    m_runPanel->setRunning(busy);
    m_pauseAction->setEnabled(busy);
    m_stopAction->setEnabled(busy);
    m_resumeAction->setEnabled(m_controller->canResume());
}

void MainWindow::onIdle(bool completed)
{
    const SessionInfo& info = m_controller->session();
    if (!info.folder.isEmpty())
        m_runPanel->showSession(info.settings); // its own settings, until "New search from these settings"
    SearchProgress done;
    done.phase = completed ? SearchPhase::Finished : SearchPhase::Stopped;
    done.fraction = completed ? 1.0 : 0.0;
    done.evaluated = m_sessionModel->count();
    m_runPanel->showProgress(done);
    if (!info.writer.isEmpty())
        m_runPanel->showIdle(tr("Following %1: %2 candidates so far, more as they are saved.")
                                 .arg(info.writer)
                                 .arg(m_sessionModel->count()));
    else
        showSearchEnded(completed);
    Q_EMIT sessionIdle();
}

void MainWindow::showSearchEnded(bool completed)
{
    m_runPanel->showIdle(completed ? tr("The search is complete: %1 candidates.").arg(m_sessionModel->count())
                                   : tr("Stopped. Search ▸ Resume continues it."));
}

void MainWindow::showSelected(int id)
{
    // A candidate picked on the chart shows in the table.
    const QModelIndex row = m_filter->mapFromSource(m_table->index(m_table->rowOf(id), 0));
    if (row.isValid() && m_tableView->currentIndex().row() != row.row())
        m_tableView->setCurrentIndex(row);
    if (row.isValid())
        m_tableView->scrollTo(row);
}

void MainWindow::showFrontStatus()
{
    const SessionInfo& info = session();
    QString best = tr("nothing within the target yet");
    if (const std::optional<FrontPoint> p = bestWithinTarget()) {
        best = tr("best within the target: %1% validation (%2% test) at %3 (%4× backbone), candidate %5")
                   .arg(100 * p->accuracy, 0, 'f', 2)
                   .arg(100 * p->testAccuracy, 0, 'f', 2)
                   .arg(info.cost.format(p->cost))
                   .arg(info.cost.fraction(p->cost), 0, 'f', 3)
                   .arg(p->candidate);
    }
    statusBar()->showMessage(tr("Front: %1 points from %2 architectures, hypervolume %3 · %4")
                                 .arg(m_sessionModel->front().size())
                                 .arg(m_sessionModel->frontCandidates().size())
                                 .arg(m_sessionModel->hypervolume(), 0, 'f', 4)
                                 .arg(best));
}

bool MainWindow::isSearchRunning() const
{
    return m_controller->isBusy();
}

const SessionInfo& MainWindow::session() const
{
    return m_controller->session();
}

std::optional<FrontPoint> MainWindow::bestWithinTarget() const
{
    return m_sessionModel->bestWithin(session().target);
}

Tour* MainWindow::startTour()
{
    if (!m_tour)
        m_tour = new Tour(m_selection, m_sessionModel, m_controller, m_graph, this);
    m_tour->start();
    m_tour->show();
    m_tour->raise();
    return m_tour;
}

QString MainWindow::demoSessionFolder()
{
    return SessionController::demoSessionFolder();
}

QStringList MainWindow::recentSessions() const
{
    return SessionController::recentSessions();
}

bool MainWindow::isReadOnlySession(const QString& folder) const
{
    return SessionController::isReadOnlySession(folder);
}

bool MainWindow::openStartupSession()
{
    // Only the last session: reopening an older one instead would surprise.
    const QStringList recent = recentSessions();
    if (SessionController::reopensLastSession() && !recent.isEmpty() && hasSession(recent.first().toStdString())) {
        openSession(recent.first(), false);
        return true;
    }
    const QString demo = demoSessionFolder();
    if (demo.isEmpty())
        return false;
    // The demo opens on its best network within the target, with its thresholds on the sliders.
    connect(
        this, &MainWindow::sessionIdle, this,
        [this] {
            if (const std::optional<FrontPoint> best = bestWithinTarget())
                m_selection->selectFrontPoint(best->candidate, best->thresholds);
        },
        Qt::SingleShotConnection);
    openSession(demo, false);
    appendLog(tr("This is the demo: a finished 6-minute Fashion-MNIST search. Click a point on the chart and move the "
                 "sliders; Run ▸ Start begins a search of your own."));
    return true;
}

void MainWindow::startSearch(const SearchRequest& request)
{
    if (m_controller->start(request))
        m_header->showPreparing(request.sessionFolder); // until the backbone is ready and the session opens
}

void MainWindow::openSession(const QString& folder, bool run)
{
    try {
        QString note;
        const QString session = sessionFolderToOpen(folder, &note);
        if (!note.isEmpty())
            appendLog(note);
        m_controller->open(session, run);
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
    }
}

void MainWindow::selectCandidate(int id)
{
    m_selection->select(id);
}

void MainWindow::selectFrontPoint(int id, const std::vector<double>& thresholds)
{
    m_selection->selectFrontPoint(id, thresholds);
}

void MainWindow::appendLog(const QString& message)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + message);
}

void MainWindow::showError(const QString& message)
{
    appendLog(tr("Error: %1").arg(message));
    Q_EMIT errorShown(message);
    // Window-modal but not blocking: the search's signals keep flowing while the message is up.
    auto* box = new QMessageBox(QMessageBox::Critical, tr("Earlybird"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

bool MainWindow::isExporting() const
{
    return m_export->isRunning();
}

bool MainWindow::exportSelected(ExportFormat format, const QString& path)
{
    return m_export->start(format, path);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_controller->lifecycle() == SessionLifecycle::Running) {
        const auto answer = QMessageBox::question(this, tr("Earlybird"),
            tr("A search is running. Stop it and quit?\n\nEvery evaluated candidate is saved in the session folder; "
               "Search ▸ Resume continues it later."),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_controller->stop();
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace earlybird::ui
