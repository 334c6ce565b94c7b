// MainWindow's menus and the actions behind them that are the window's own (opening and exporting files, threads);
// the window, its docks and the session's signals are in mainwindow.cpp.
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

} // namespace earlybird::ui
