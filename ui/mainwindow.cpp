#include "mainwindow.h"

#include "base/computethreads.h"
#include "base/error.h"
#include "base/fileio.h"
#include "candidatetablemodel.h"
#include "datasetview.h"
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
    });
    connect(m_controller, &SessionController::sessionChanged, this, [this](const SessionInfo& info) {
        m_convention->setText(info.convention == CostConvention::AllEvaluatedBranches
                ? tr("MACs: every branch evaluated")
                : tr("MACs: taken branch only"));
        m_table->setCostAxis(info.cost);
        m_chart->setSession(info.cost, info.backboneValidationAccuracy, info.target);
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
    m_controller->open(folder, run);
}

void MainWindow::selectCandidate(int id)
{
    m_selection->select(id);
}

void MainWindow::selectFrontPoint(int id, const std::vector<double>& thresholds)
{
    m_selection->selectFrontPoint(id, thresholds);
}

bool MainWindow::addBaselineSession(const QString& folder)
{
    try {
        const SessionFront front = readSessionFront(folder.toStdString());
        // A front in latency cannot share an axis with one in MACs.
        if (!session().folder.isEmpty() && front.costModel != session().cost.model)
            throw DataError(sessionFilePath(folder.toStdString()),
                "its cost is " + nameOf(front.costModel) + ", this session's is " + nameOf(session().cost.model)
                    + ": run the baseline with the same --cost");
        // The baseline's front on validation, as the chart plots the session's own candidates.
        QVector<QPointF> points;
        for (const auto& [cost, accuracy] : front.points)
            points.append(QPointF(cost, accuracy));
        const QString name = QString::fromStdString(front.name);
        m_chart->addBaseline(name, points);
        appendLog(tr("Added %1 from %2: %3 front point(s)").arg(name, folder).arg(points.size()));
        return true;
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
    }
    return false;
}

void MainWindow::openSessionDialog()
{
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Open a search session folder"), m_controller->folder());
    if (!folder.isEmpty())
        openSession(folder, false);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open session…"), QKeySequence::Open, this, &MainWindow::openSessionDialog);
    QMenu* recent = file->addMenu(tr("Open &recent"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] {
        recent->clear();
        for (const QString& folder : recentSessions()) {
            QAction* action = recent->addAction(folder, this, [this, folder] { openSession(folder, false); });
            action->setEnabled(hasSession(folder.toStdString()) && !m_controller->isBusy());
        }
        if (recent->isEmpty())
            recent->addAction(tr("(none yet)"))->setEnabled(false);
    });
    file->addAction(tr("Open the &demo session"), this, [this] {
        const QString demo = demoSessionFolder();
        if (demo.isEmpty())
            showError(tr("The demo session is not installed (scripts/make-demo makes it)."));
        else
            openSession(demo, false);
    });
    file->addAction(tr("Add &baseline session…"), this, [this] {
        const QString folder
            = QFileDialog::getExistingDirectory(this, tr("Baseline session folder"), m_controller->folder());
        if (!folder.isEmpty())
            addBaselineSession(folder);
    });
    file->addSeparator();
    file->addAction(tr("Export candidates as &CSV…"), this, &MainWindow::exportCsv);
    file->addAction(tr("Open a&rchitecture…"), this, &MainWindow::openArchitectureDialog);
    file->addAction(tr("&Export selected…"), QKeySequence(tr("Ctrl+E")), m_export, &SelectedExport::askAndExport);
    file->addAction(tr("Export network &diagram (PNG/SVG)…"), this, &MainWindow::exportGraph);
    file->addAction(tr("Export Pareto c&hart (PNG/SVG)…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the Pareto chart"), QStringLiteral("pareto.svg"), tr("SVG (*.svg);;PNG (*.png)"));
        QString error;
        if (!path.isEmpty() && !m_chart->exportTo(path, &error))
            showError(error);
    });
    file->addSeparator();
    file->addAction(tr("Load data set"), m_datasetView, &DatasetView::load);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* search = menuBar()->addMenu(tr("&Search"));
    search->addAction(tr("&Start a search with the Run panel's settings"), QKeySequence(Qt::Key_F5), this, [this] {
        if (m_controller->isBusy())
            return;
        const QStringList problems = m_runPanel->problems();
        if (problems.isEmpty())
            startSearch(m_runPanel->request());
        else
            showError(problems.join(QLatin1Char(' ')));
    });
    m_resumeAction = search->addAction(tr("&Resume opened session"), this, [this] {
        if (m_controller->canResume())
            openSession(m_controller->folder(), true);
    });
    m_pauseAction = search->addAction(tr("&Pause / continue"), QKeySequence(Qt::Key_F6), this, [this] {
        const bool paused = !m_controller->isPaused();
        m_controller->setPaused(paused);
        m_runPanel->setPaused(paused);
    });
    m_stopAction
        = search->addAction(tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5), this, [this] { m_controller->stop(); });
    m_resumeAction->setEnabled(false);
    m_pauseAction->setEnabled(false);
    m_stopAction->setEnabled(false);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* d : std::as_const(m_viewMenuDocks))
        view->addAction(d->toggleViewAction());

    QMenu* settingsMenu = menuBar()->addMenu(tr("S&ettings"));
    settingsMenu->addAction(tr("Compute &threads…"), this, &MainWindow::chooseThreads);
    QAction* reopen = settingsMenu->addAction(tr("&Reopen the last session on start"));
    reopen->setCheckable(true);
    reopen->setChecked(SessionController::reopensLastSession());
    connect(reopen, &QAction::toggled, this, &SessionController::setReopensLastSession);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(
        tr("&What is an early exit? (a guided tour)"), QKeySequence::HelpContents, this, [this] { startTour(); });
    help->addAction(tr("&About Earlybird"), this, [this] {
        QMessageBox::about(this, tr("About Earlybird"),
            tr("<b>Earlybird %1</b><p>Design early-exit neural networks with hardware-aware architecture search.</p>"
               "<p>MACs: one fused multiply-add; convolutions H·W·K²·C<sub>in</sub>/groups·C<sub>out</sub>, linear "
               "in·out; BatchNorm folded (0); bias, activations, pooling and additions counted apart. Average MACs "
               "count every branch a sample evaluated (AEBNAS), unless a session counts only the branch of the exit "
               "taken (EDANAS). In force now: %2.</p>"
               "<p>Keys: Ctrl+O open a session, F5 start, F6 pause or continue, Shift+F5 stop, Ctrl+E export the "
               "selected network, Ctrl+0 fit the network.</p>")
                .arg(QStringLiteral(EARLYBIRD_VERSION))
                .arg(session().convention == CostConvention::AllEvaluatedBranches ? tr("every branch evaluated")
                                                                                  : tr("the taken branch only")));
    });
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

void MainWindow::exportCsv()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export candidates"), QStringLiteral("candidates.csv"), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    try {
        writeFileAtomically(path.toStdString(), m_table->toCsv().toStdString());
    } catch (const Error& error) {
        showError(QString::fromStdString(error.what()));
    }
}

bool MainWindow::isExporting() const
{
    return m_export->isRunning();
}

bool MainWindow::exportSelected(ExportFormat format, const QString& path)
{
    return m_export->start(format, path);
}

bool MainWindow::openArchitecture(const QString& path)
{
    try {
        const Architecture architecture = architectureFromPresetOrFile(path.toStdString());
        const NetworkCost cost = countNetworkCost(architecture);
        m_graph->setArchitecture(architecture, {});
        m_graph->fit();
        QStringList perExit;
        for (int e = 0; e < architecture.exitCount(); ++e)
            perExit << QString::number(double(cost.macsForExit(e, CostConvention::AllEvaluatedBranches)) / 1e6, 'f', 2);
        appendLog(tr("Opened architecture %1: %2 early exits; MACs if taken (M): %3; backbone %4 M")
                      .arg(path)
                      .arg(architecture.exits.size())
                      .arg(perExit.join(QStringLiteral(", ")))
                      .arg(double(cost.backboneMacs) / 1e6, 0, 'f', 2));
        return true;
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
        return false;
    }
}

void MainWindow::openArchitectureDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open an architecture"), QString(), tr("Architecture JSON (*.json);;All files (*)"));
    if (!path.isEmpty())
        openArchitecture(path);
}

void MainWindow::exportGraph()
{
    if (m_graph->isEmpty()) {
        showError(tr("Select a candidate first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export network diagram"),
        QStringLiteral("candidate-%1.svg").arg(m_selection->candidateId()), tr("SVG (*.svg);;PNG (*.png)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_graph->exportTo(path, &error))
        showError(error);
}

void MainWindow::chooseThreads()
{
    QSettings settings;
    bool ok = false;
    const int threads = QInputDialog::getInt(this, tr("Compute threads"),
        tr("CPU threads for training and evaluation (0 = every core, %1 here):").arg(machineCores()),
        settings.value(QStringLiteral("compute/threads"), 0).toInt(), 0, 1024, 1, &ok);
    if (!ok)
        return;
    settings.setValue(QStringLiteral("compute/threads"), threads);
    setComputeThreads(threads);
    m_threads->setText(tr("%n compute thread(s)", nullptr, computeThreads()));
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
