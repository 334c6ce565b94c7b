// earlybird: the desktop application.

#include "computethreads.h"
#include "datasetview.h"
#include "error.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Earlybird"));
    QApplication::setApplicationName(QStringLiteral("Earlybird"));
    QApplication::setApplicationVersion(QStringLiteral(EARLYBIRD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Design early-exit neural networks with hardware-aware search."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption threads(QStringLiteral("threads"),
        QStringLiteral("CPU threads for LibTorch (0 = every core; default: the Settings menu's value)."),
        QStringLiteral("N"));
    const QCommandLineOption dataset(QStringLiteral("dataset"),
        QStringLiteral("Data set to open: cifar10, cifar100, svhn, fashion-mnist, mnist or synthetic."),
        QStringLiteral("KIND"));
    const QCommandLineOption path(QStringLiteral("path"), QStringLiteral("Folder of the data set to open."),
        QStringLiteral("PATH"));
    parser.addOptions({ threads, dataset, path });
    parser.process(app);

    int threadCount = QSettings().value(QStringLiteral("compute/threads"), 0).toInt();
    if (parser.isSet(threads)) {
        bool ok = false;
        threadCount = parser.value(threads).toInt(&ok);
        if (!ok || threadCount < 0) {
            qCritical("earlybird: --threads needs a whole number of 0 or more");
            return 2;
        }
    }
    try {
        earlybird::setComputeThreads(threadCount);
    } catch (const earlybird::Error& error) {
        qCritical("earlybird: %s", error.what());
        return 2;
    }

    earlybird::ui::MainWindow window;
    earlybird::ui::DatasetView* view = window.datasetView();
    if (parser.isSet(dataset))
        view->setDatasetKind(parser.value(dataset));
    if (parser.isSet(path))
        view->setFolder(parser.value(path));
    window.show();
    // Load once the window is on screen, so the user sees the progress state rather than a late window.
    QTimer::singleShot(0, view, &earlybird::ui::DatasetView::load);
    return app.exec();
}
