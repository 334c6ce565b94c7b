#include "mainwindow.h"

#include "base/computethreads.h"
#include "base/error.h"
#include "base/fileio.h"
#include "candidatetablemodel.h"
#include "datasetview.h"
#include "model/backbonepresets.h"
#include "model/networkcost.h"
#include "search/sessionfile.h"

#include "hypervolumeplot.h"
#include "networkgraphview.h"
#include "paretochart.h"
#include "runpanel.h"
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
#include <QtConcurrent/QtConcurrentRun>

namespace earlybird::ui {

namespace {

constexpr int kRecentSessions = 8;
// At most this often the table, chart and hypervolume plot take a new front during a search.
constexpr int kFrontIntervalMs = 250;
const char* const kRecentKey = "session/recent";
const char* const kReopenKey = "session/reopenLast";

} // namespace

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
    , m_worker(new SearchWorker)
    , m_runPanel(new RunPanel)
    , m_chart(new ParetoChart)
    , m_thresholds(new ThresholdPanel)
    , m_graph(new NetworkGraphView)
    , m_model(new CandidateTableModel(this))
    , m_filter(new CandidateFilterModel(this))
    , m_table(new QTableView)
    , m_frontOnly(new QCheckBox(tr("Front only")))
    , m_log(new QPlainTextEdit)
    , m_hypervolume(new HypervolumePlot)
    , m_datasetView(new DatasetView)
    , m_threads(new QLabel(this))
    , m_sessionLabel(new QLabel)
    , m_followBanner(new QLabel)
{
    setWindowTitle(tr("Earlybird"));
    // Above the chart: what the session is, and, while another process writes it, that the window follows it.
    auto* centre = new QWidget;
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(4, 4, 4, 0);
    centreLayout->setSpacing(4);
    m_followBanner->setObjectName(QStringLiteral("followBanner"));
    m_followBanner->setWordWrap(true);
    m_followBanner->setMargin(6);
    m_followBanner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fff4ce; color: #3b2f00; border: 1px solid #e0c060; border-radius: 3px; }"));
    m_followBanner->hide();
    // A long folder must not widen the window: the label takes the width it is given.
    m_sessionLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_sessionLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    centreLayout->addWidget(m_followBanner);
    centreLayout->addWidget(m_sessionLabel);
    centreLayout->addWidget(m_chart, 1);
    setCentralWidget(centre);
    setDockNestingEnabled(true);

    m_filter->setSourceModel(m_model);
    setUpCandidateView(m_table, m_filter);
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
    tableLayout->addWidget(m_table, 1);
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

    m_export = new QFutureWatcher<ExportOutcome>(this);
    connect(m_export, &QFutureWatcher<ExportOutcome>::finished, this, [this] {
        const ExportOutcome outcome = m_export->result();
        if (!outcome.error.isEmpty()) {
            showError(tr("Export failed: %1").arg(outcome.error));
        } else {
            appendLog(tr("Exported %n file(s) to %1 in %2 s", nullptr, int(outcome.files.size()))
                          .arg(m_exportPath)
                          .arg(outcome.seconds, 0, 'f', 1));
            statusBar()->showMessage(tr("Exported %n file(s)", nullptr, int(outcome.files.size())), 8000);
        }
        Q_EMIT exportFinished(outcome.files, outcome.error);
    });
    buildMenus();
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* d : { runDock, thresholdDock, graphDock, tableDock, logDock, hypervolumeDock, dataDock })
        view->addAction(d->toggleViewAction());

    m_convention = new QLabel(this);
    m_convention->setToolTip(tr("How average MACs are counted: every branch a sample evaluated (AEBNAS), or only the "
                                "branch of the exit it took (EDANAS/NACHOS)"));
    statusBar()->addPermanentWidget(m_convention);
    statusBar()->addPermanentWidget(m_threads);
    m_threads->setText(tr("%n compute thread(s)", nullptr, computeThreads()));

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();

    connect(m_runPanel, &RunPanel::startRequested, this, &MainWindow::startSearch);
    connect(m_runPanel, &RunPanel::pauseRequested, this, [this](bool paused) {
        m_worker->requestPause(paused);
        m_runPanel->setPaused(paused);
        appendLog(paused ? tr("Paused (after the candidate in flight).") : tr("Resumed."));
    });
    connect(m_runPanel, &RunPanel::stopRequested, this, [this] {
        m_worker->requestStop();
        m_worker->requestPause(false);
        appendLog(tr("Stopping: the session is saved after every candidate."));
    });
    connect(m_worker, &SearchWorker::sessionOpened, this, &MainWindow::onSessionOpened);
    connect(m_worker, &SearchWorker::progress, m_runPanel, &RunPanel::showProgress);
    connect(m_worker, &SearchWorker::candidateEvaluated, this, &MainWindow::onCandidate);
    connect(m_worker, &SearchWorker::frontChanged, this, &MainWindow::onFront);
    m_frontTimer.setSingleShot(true);
    m_frontTimer.setInterval(kFrontIntervalMs);
    connect(&m_frontTimer, &QTimer::timeout, this, &MainWindow::flushFront);
    connect(m_worker, &SearchWorker::generationDone, this, [this](int generation, double hv) {
        appendLog(tr("Generation %1 done: hypervolume %2").arg(generation).arg(hv, 0, 'f', 4));
    });
    connect(m_worker, &SearchWorker::logMessage, this, &MainWindow::appendLog);
    connect(m_worker, &SearchWorker::outcomesReady, this, &MainWindow::onOutcomes);
    connect(m_worker, &SearchWorker::failed, this, &MainWindow::showError);
    connect(m_worker, &SearchWorker::finished, this, &MainWindow::onFinished);
    connect(m_worker, &SearchWorker::followEnded, this, &MainWindow::onFollowEnded);
    connect(m_chart, &ParetoChart::candidateSelected, this, &MainWindow::selectCandidate);
    connect(m_chart, &ParetoChart::frontPointSelected, this, &MainWindow::selectFrontPoint);
    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
            if (current.isValid())
                selectCandidate(current.data(CandidateTableModel::CandidateIdRole).toInt());
        });
    connect(m_thresholds, &ThresholdPanel::policyChanged, m_chart, &ParetoChart::setCurrent);
    connect(m_thresholds, &ThresholdPanel::curveChanged, m_chart, &ParetoChart::setCurve);
    connect(m_thresholds, &ThresholdPanel::policyChanged, this, [this] {
        std::vector<double> rates;
        const PolicyResult& r = m_thresholds->result();
        for (std::size_t e = 0; e < r.exitCounts.size(); ++e)
            rates.push_back(r.exitRate(int(e)));
        m_graph->setExitRates(rates);
    });
    connect(m_frontOnly, &QCheckBox::toggled, m_filter, &CandidateFilterModel::setFrontOnly);
    connect(csv, &QPushButton::clicked, this, &MainWindow::exportCsv);
    connect(fit, &QPushButton::clicked, m_graph, &NetworkGraphView::fit);
    fit->setShortcut(QKeySequence(tr("Ctrl+0")));
    fit->setToolTip(tr("Fit the network into the view (Ctrl+0); Ctrl + wheel zooms"));
    connect(exportGraph, &QPushButton::clicked, this, &MainWindow::exportGraph);
    connect(m_datasetView, &DatasetView::failed, this, &MainWindow::showError);

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1500, 950);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_sessionLabel->setText(tr("No session: set up a search on the left and press Start, or File ▸ Open session."));
}

MainWindow::~MainWindow()
{
    m_worker->requestStop();
    m_thread.quit();
    m_thread.wait();
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
            action->setEnabled(hasSession(folder.toStdString()) && !m_running);
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
            = QFileDialog::getExistingDirectory(this, tr("Baseline session folder"), m_lastSessionFolder);
        if (!folder.isEmpty())
            addBaselineSession(folder);
    });
    file->addSeparator();
    file->addAction(tr("Export candidates as &CSV…"), this, &MainWindow::exportCsv);
    file->addAction(tr("Open a&rchitecture…"), this, &MainWindow::openArchitectureDialog);
    file->addAction(tr("&Export selected…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportSelectedDialog);
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
        if (m_running)
            return;
        const QStringList problems = m_runPanel->problems();
        if (problems.isEmpty())
            startSearch(m_runPanel->request());
        else
            showError(problems.join(QLatin1Char(' ')));
    });
    m_resumeAction = search->addAction(tr("&Resume opened session"), this, [this] {
        if (!m_lastSessionFolder.isEmpty())
            openSession(m_lastSessionFolder, true);
    });
    m_pauseAction = search->addAction(tr("&Pause / continue"), QKeySequence(Qt::Key_F6), this, [this] {
        const bool paused = !m_worker->isPaused();
        m_worker->requestPause(paused);
        m_runPanel->setPaused(paused);
    });
    m_stopAction = search->addAction(
        tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5), this, [this] { m_worker->requestStop(); });
    m_resumeAction->setEnabled(false);
    m_pauseAction->setEnabled(false);
    m_stopAction->setEnabled(false);

    QMenu* settingsMenu = menuBar()->addMenu(tr("S&ettings"));
    settingsMenu->addAction(tr("Compute &threads…"), this, &MainWindow::chooseThreads);
    QAction* reopen = settingsMenu->addAction(tr("&Reopen the last session on start"));
    reopen->setCheckable(true);
    reopen->setChecked(QSettings().value(QLatin1String(kReopenKey), true).toBool());
    connect(reopen, &QAction::toggled, this, [](bool on) { QSettings().setValue(QLatin1String(kReopenKey), on); });

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
                .arg(m_session.convention == CostConvention::AllEvaluatedBranches ? tr("every branch evaluated")
                                                                                  : tr("the taken branch only")));
    });
}

void MainWindow::resetPanels()
{
    m_frontTimer.stop();
    m_pendingFront.reset();
    m_model->clear();
    m_chart->clear();
    m_thresholds->clear();
    m_graph->clear();
    m_hypervolume->clear();
    m_selected = -1;
    m_session = SessionInfo();
    m_followBanner->hide();
}

std::optional<FrontPoint> MainWindow::bestWithinTarget() const
{
    const QVector<FrontPoint>& front = m_chart->frontPoints();
    const std::vector<FrontPoint> points(front.begin(), front.end());
    if (const FrontPoint* best = bestWithin(points, m_session.target))
        return *best;
    return std::nullopt;
}

Tour* MainWindow::startTour()
{
    if (!m_tour)
        m_tour = new Tour(this);
    m_tour->start();
    m_tour->show();
    m_tour->raise();
    return m_tour;
}

QString MainWindow::demoSessionFolder()
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

QStringList MainWindow::recentSessions() const
{
    return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void MainWindow::rememberSession(const QString& folder)
{
    const QString path = QFileInfo(folder).absoluteFilePath();
    QStringList recent = recentSessions();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kRecentSessions)
        recent.removeLast();
    QSettings().setValue(QLatin1String(kRecentKey), recent);
}

bool MainWindow::isReadOnlySession(const QString& folder) const
{
    const QString demo = demoSessionFolder();
    if (!demo.isEmpty() && QFileInfo(folder).canonicalFilePath() == demo)
        return true;
    const QFileInfo info(folder);
    return info.exists() && !info.isWritable();
}

bool MainWindow::openStartupSession()
{
    // Only the last session: reopening an older one instead would surprise.
    const QStringList recent = recentSessions();
    if (QSettings().value(QLatin1String(kReopenKey), true).toBool() && !recent.isEmpty()
        && hasSession(recent.first().toStdString())) {
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
                selectFrontPoint(best->candidate, best->thresholds);
        },
        Qt::SingleShotConnection);
    openSession(demo, false);
    appendLog(tr("This is the demo: a finished 6-minute Fashion-MNIST search. Click a point on the chart and move the "
                 "sliders; Run ▸ Start begins a search of your own."));
    return true;
}

void MainWindow::updateResumeAction()
{
    m_resumeAction->setEnabled(!m_running && !m_lastSessionFolder.isEmpty() && !m_session.finished
        && m_session.writer.isEmpty() && !isReadOnlySession(m_lastSessionFolder));
}

void MainWindow::startSearch(const SearchRequest& request)
{
    if (m_running)
        return;
    resetPanels();
    m_lastSessionFolder = request.sessionFolder;
    rememberSession(request.sessionFolder);
    setRunning(true);
    appendLog(tr("Starting a search in %1").arg(request.sessionFolder));
    // Until the backbone is ready and the session opens, say what is happening rather than "No session".
    m_sessionLabel->setText(tr("%1 · preparing: loading the data, training or loading the backbone, caching features")
                                .arg(request.sessionFolder));
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, request] { worker->start(request); }, Qt::QueuedConnection);
}

void MainWindow::openSession(const QString& folder, bool run)
{
    if (m_running)
        return;
    if (run && isReadOnlySession(folder)) {
        showError(
            tr("%1 is read-only (the demo, or a folder you cannot write to): start a new search instead.").arg(folder));
        return;
    }
    resetPanels();
    m_lastSessionFolder = folder;
    if (folder != demoSessionFolder())
        rememberSession(folder);
    setRunning(true);
    appendLog(run ? tr("Resuming %1").arg(folder) : tr("Opening %1").arg(folder));
    if (run)
        m_openClock.invalidate();
    else
        m_openClock.start();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, folder, run] { worker->openSession(folder, run); }, Qt::QueuedConnection);
}

bool MainWindow::addBaselineSession(const QString& folder)
{
    try {
        const SessionFront front = readSessionFront(folder.toStdString());
        // A front in latency cannot share an axis with one in MACs.
        if (!m_session.folder.isEmpty() && front.costModel != m_session.cost.model)
            throw DataError(sessionFilePath(folder.toStdString()),
                "its cost is " + nameOf(front.costModel) + ", this session's is " + nameOf(m_session.cost.model)
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
        = QFileDialog::getExistingDirectory(this, tr("Open a search session folder"), m_lastSessionFolder);
    if (!folder.isEmpty())
        openSession(folder, false);
}

void MainWindow::setRunning(bool running)
{
    m_running = running;
    m_runPanel->setRunning(running);
    m_pauseAction->setEnabled(running);
    m_stopAction->setEnabled(running);
    updateResumeAction();
}

void MainWindow::onSessionOpened(const SessionInfo& info)
{
    m_session = info;
    m_convention->setText(info.convention == CostConvention::AllEvaluatedBranches ? tr("MACs: every branch evaluated")
                                                                                  : tr("MACs: taken branch only"));
    if (info.fromStore)
        appendLog(tr("Opened from the per-sample outputs in its store: no data or backbone loaded."));
    m_model->setCostAxis(info.cost);
    m_chart->setSession(info.cost, info.backboneValidationAccuracy, info.target);
    for (const QPointF& p : info.hypervolumeHistory)
        m_hypervolume->addPoint(int(p.x()), p.y());
    if (!info.writer.isEmpty())
        appendLog(tr("%1 is writing this session: it is read-only here, and what it saves appears as it is saved.")
                      .arg(info.writer));
    updateSessionLabel();
}

void MainWindow::updateSessionLabel()
{
    const SessionInfo& info = m_session;
    QString backbone = tr("%1 M MACs").arg(info.backboneMacs / 1e6, 0, 'f', 2);
    if (info.cost.model != CostModel::Macs)
        backbone += QStringLiteral(", ") + info.cost.format(info.cost.backboneCost);
    QString text = tr("%1 · %2 backbone %3, %4% test · target %5 (%6× backbone, %7 mode)")
                       .arg(info.folder, info.backboneName, backbone)
                       .arg(100 * info.backboneTestAccuracy, 0, 'f', 2)
                       .arg(info.cost.format(info.target))
                       .arg(info.cost.fraction(info.target), 0, 'f', 2)
                       .arg(QString::fromStdString(nameOf(info.mode)));
    m_sessionLabel->setText(text);
    m_followBanner->setText(tr("Following a running search: %1 is writing this session. It is read-only here, and "
                               "candidates appear as they are saved.")
                                .arg(info.writer));
    m_followBanner->setVisible(!info.writer.isEmpty());
}

void MainWindow::showSearchEnded(bool completed)
{
    m_runPanel->showIdle(completed ? tr("The search is complete: %1 candidates.").arg(m_model->rowCount())
                                   : tr("Stopped. Search ▸ Resume continues it."));
}

void MainWindow::onFollowEnded(bool completed)
{
    appendLog(completed
            ? tr("%1 has finished this session.").arg(m_session.writer)
            : tr("%1 has stopped writing this session: Search ▸ Resume continues it.").arg(m_session.writer));
    m_session.writer.clear();
    m_session.finished = completed;
    updateSessionLabel();
    updateResumeAction();
    showSearchEnded(completed);
}

void MainWindow::onCandidate(const CandidateRecord& candidate)
{
    m_model->addCandidate(candidate);
    m_chart->addCandidate(candidate);
}

void MainWindow::onFront(const QVector<FrontPoint>& front, double hypervolume)
{
    if (m_frontTimer.isActive()) {
        m_pendingFront = std::make_pair(front, hypervolume);
        return;
    }
    showFront(front, hypervolume);
    m_frontTimer.start();
}

void MainWindow::flushFront()
{
    m_frontTimer.stop();
    if (m_pendingFront) {
        const auto [front, hypervolume] = *std::exchange(m_pendingFront, std::nullopt);
        showFront(front, hypervolume);
        m_frontTimer.start(); // a cooldown after this one too, or two fronts could be drawn back to back
    }
}

void MainWindow::showFront(const QVector<FrontPoint>& front, double hypervolume)
{
    // The table's front: the architectures with at least one threshold setting on the session's front.
    QVector<int> ids;
    for (const FrontPoint& p : front) {
        if (!ids.contains(p.candidate))
            ids.append(p.candidate);
    }
    m_model->setFront(ids);
    m_chart->setThresholdFront(front);
    m_hypervolume->addPoint(m_model->rowCount(), hypervolume);
    QString best = tr("nothing within the target yet");
    if (const std::optional<FrontPoint> p = bestWithinTarget()) {
        best = tr("best within the target: %1% validation (%2% test) at %3 (%4× backbone), candidate %5")
                   .arg(100 * p->accuracy, 0, 'f', 2)
                   .arg(100 * p->testAccuracy, 0, 'f', 2)
                   .arg(m_session.cost.format(p->cost))
                   .arg(m_session.cost.fraction(p->cost), 0, 'f', 3)
                   .arg(p->candidate);
    }
    statusBar()->showMessage(tr("Front: %1 points from %2 architectures, hypervolume %3 · %4")
                                 .arg(front.size())
                                 .arg(ids.size())
                                 .arg(hypervolume, 0, 'f', 4)
                                 .arg(best));
}

void MainWindow::selectFrontPoint(int id, const std::vector<double>& thresholds)
{
    m_pendingThresholds = { id, thresholds };
    if (id == m_selected && m_thresholds->candidateId() == id) {
        applyPendingThresholds(id);
        return;
    }
    selectCandidate(id);
}

void MainWindow::applyPendingThresholds(int id)
{
    if (m_pendingThresholds.first != id)
        return;
    m_thresholds->setThresholds(m_pendingThresholds.second);
    m_pendingThresholds = { -1, {} };
}

void MainWindow::selectCandidate(int id)
{
    const CandidateRecord* candidate = m_model->candidate(id);
    if (!candidate || id == m_selected)
        return;
    m_selected = id;
    m_chart->setSelected(id);
    std::vector<double> rates;
    for (std::size_t e = 0; e < candidate->validation.exitCounts.size(); ++e)
        rates.push_back(candidate->validation.exitRate(int(e)));
    m_graph->setArchitecture(candidate->architecture, rates, candidate->exitCosts, m_session.cost);
    const QModelIndex source = m_model->index(m_model->rowOf(id), 0);
    const QModelIndex row = m_filter->mapFromSource(source);
    if (row.isValid() && m_table->currentIndex().row() != row.row())
        m_table->setCurrentIndex(row);
    if (row.isValid())
        m_table->scrollTo(row); // a candidate picked on the chart shows in the table
    m_worker->requestOutcomes(id);
}

void MainWindow::onOutcomes(int id, const OutcomesPointer& outcomes)
{
    if (id != m_selected)
        return; // a newer selection is on its way
    const CandidateRecord* candidate = m_model->candidate(id);
    if (!candidate)
        return;
    m_thresholds->setCandidate(*candidate, outcomes, m_session.cost, m_session.target, m_session.convention);
    applyPendingThresholds(id); // a front point was clicked: its thresholds, not the tuned ones
    Q_EMIT outcomesShown(id);
}

void MainWindow::onFinished(bool completed)
{
    flushFront(); // the last front, before anyone reads the window
    setRunning(false);
    m_session.finished = completed;
    updateResumeAction();
    if (!m_session.folder.isEmpty())
        m_runPanel->showSession(m_session.settings); // its own settings, until "New search from these settings"
    SearchProgress done;
    done.phase = completed ? SearchPhase::Finished : SearchPhase::Stopped;
    done.fraction = completed ? 1.0 : 0.0;
    done.evaluated = m_model->rowCount();
    m_runPanel->showProgress(done);
    if (!m_session.writer.isEmpty()) {
        m_runPanel->showIdle(tr("Following %1: %2 candidates so far, more as they are saved.")
                                 .arg(m_session.writer)
                                 .arg(m_model->rowCount()));
    } else {
        showSearchEnded(completed);
        appendLog(completed ? tr("Search complete.") : tr("Search stopped; the session is saved."));
    }
    if (m_openClock.isValid()) {
        appendLog(tr("Opened %1 candidates in %2 s.")
                      .arg(m_model->rowCount())
                      .arg(double(m_openClock.elapsed()) / 1000.0, 0, 'f', 2));
        m_openClock.invalidate();
    }
    Q_EMIT sessionIdle();
}

void MainWindow::appendLog(const QString& message)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + message);
}

void MainWindow::showError(const QString& message)
{
    m_openClock.invalidate(); // an open that failed did not open anything
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
        writeFileAtomically(path.toStdString(), m_model->toCsv().toStdString());
    } catch (const Error& error) {
        showError(QString::fromStdString(error.what()));
    }
}

namespace {

// The formats File > Export selected offers, with their file dialog filters.
struct ExportChoice {
    ExportFormat format;
    const char* filter;
    const char* suffix;
};
const ExportChoice kExportChoices[] = {
    { ExportFormat::All, QT_TRANSLATE_NOOP("MainWindow", "Folder with every format (*)"), "" },
    { ExportFormat::Json, QT_TRANSLATE_NOOP("MainWindow", "Architecture, thresholds and figures (*.json)"), ".json" },
    { ExportFormat::PyTorch, QT_TRANSLATE_NOOP("MainWindow", "PyTorch module (*.py)"), ".py" },
    { ExportFormat::Weights, QT_TRANSLATE_NOOP("MainWindow", "Trained weights for torch.load (*.pt)"), ".pt" },
    { ExportFormat::Onnx, QT_TRANSLATE_NOOP("MainWindow", "ONNX, every exit's logits (*.onnx)"), ".onnx" },
    { ExportFormat::OnnxSegments, QT_TRANSLATE_NOOP("MainWindow", "ONNX, one graph per segment (folder) (*)"), "" },
    { ExportFormat::Samples, QT_TRANSLATE_NOOP("MainWindow", "Reference samples to check an export (*.pt)"), ".pt" },
};

} // namespace

void MainWindow::exportSelectedDialog()
{
    if (!m_model->candidate(m_selected)) {
        showError(tr("Select a candidate first."));
        return;
    }
    QFileDialog dialog(this, tr("Export the selected network with the sliders' thresholds"));
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    QStringList filters;
    for (const ExportChoice& choice : kExportChoices)
        filters << tr(choice.filter);
    dialog.setNameFilters(filters);
    dialog.selectFile(QStringLiteral("candidate-%1").arg(m_selected));
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return;
    const int index = int(filters.indexOf(dialog.selectedNameFilter()));
    const ExportChoice& choice = kExportChoices[index < 0 ? 0 : index];
    QString path = dialog.selectedFiles().first();
    if (*choice.suffix && !path.endsWith(QLatin1String(choice.suffix)))
        path += QLatin1String(choice.suffix);
    // The dialog confirms replacing a file; a folder is confirmed here.
    if (!*choice.suffix && QFileInfo::exists(path)
        && QMessageBox::question(this, tr("Replace?"), tr("%1 exists. Replace it?").arg(path)) != QMessageBox::Yes)
        return;
    exportSelected(choice.format, path);
}

bool MainWindow::isExporting() const
{
    return m_export->isRunning();
}

bool MainWindow::exportSelected(ExportFormat format, const QString& path)
{
    const CandidateRecord* candidate = m_model->candidate(m_selected);
    if (!candidate) {
        showError(tr("Select a candidate first."));
        return false;
    }
    if (m_export->isRunning()) {
        showError(tr("An export is under way: wait for it to finish."));
        return false;
    }
    if (m_lastSessionFolder.isEmpty()) {
        showError(tr("This candidate's session folder is not known: open the session to export from it."));
        return false;
    }
    ExportRequest request;
    request.session = m_lastSessionFolder.toStdString();
    request.candidate = candidate->id;
    request.thresholds = m_thresholds->thresholds();
    request.format = format;
    request.out = path.toStdString();
    request.force = true; // the user has confirmed replacing it
    m_exportPath = path;
    appendLog(
        tr("Exporting candidate %1 as %2 to %3").arg(candidate->id).arg(QString::fromStdString(nameOf(format)), path));
    statusBar()->showMessage(tr("Exporting candidate %1…").arg(candidate->id));
    m_export->setFuture(QtConcurrent::run([request] {
        ExportOutcome outcome;
        try {
            const ExportResult result = exportNetwork(request);
            for (const std::string& file : result.files)
                outcome.files << QString::fromStdString(file);
            outcome.seconds = result.seconds;
        } catch (const std::exception& error) {
            outcome.error = QString::fromStdString(error.what());
        }
        return outcome;
    }));
    return true;
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
        QStringLiteral("candidate-%1.svg").arg(m_selected), tr("SVG (*.svg);;PNG (*.png)"));
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
    if (m_running) {
        const auto answer = QMessageBox::question(this, tr("Earlybird"),
            tr("A search is running. Stop it and quit?\n\nEvery evaluated candidate is saved in the session folder; "
               "Search ▸ Resume continues it later."),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_worker->requestStop();
        m_worker->requestPause(false);
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace earlybird::ui
