#include "mainwindow.h"

#include "computethreads.h"
#include "datasetview.h"
#include "error.h"

#include <QApplication>
#include <QCloseEvent>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

namespace earlybird::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_datasetView(new DatasetView(this))
    , m_threads(new QLabel(this))
{
    setWindowTitle(tr("Earlybird"));
    setCentralWidget(m_datasetView);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* load = file->addAction(tr("&Load data set"), m_datasetView, &DatasetView::load);
    load->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* settingsMenu = menuBar()->addMenu(tr("&Settings"));
    settingsMenu->addAction(tr("Compute &threads…"), this, &MainWindow::chooseThreads);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Earlybird"), this, [this] {
        QMessageBox::about(this, tr("About Earlybird"),
            tr("<b>Earlybird %1</b><p>Design early-exit neural networks with hardware-aware architecture "
               "search.</p>")
                .arg(QStringLiteral(EARLYBIRD_VERSION)));
    });

    statusBar()->addPermanentWidget(m_threads);
    updateThreadLabel();
    connect(m_datasetView, &DatasetView::failed, this, &MainWindow::showError);

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1200, 800);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    event->accept();
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
    updateThreadLabel();
}

void MainWindow::updateThreadLabel()
{
    m_threads->setText(tr("%n compute thread(s)", nullptr, computeThreads()));
}

void MainWindow::showError(const QString& message)
{
    QMessageBox::critical(this, tr("Earlybird"), message);
}

} // namespace earlybird::ui
