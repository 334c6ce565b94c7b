// earlybird: the desktop application.

#include "base/computethreads.h"
#include "base/error.h"
#include "datasetview.h"
#include "eventloopprobe.h"
#include "mainwindow.h"
#include "networkgraphview.h"
#include "paretochart.h"
#include "runpanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include <unistd.h>

namespace {

// Saving images from the command line needs no display: use the offscreen platform unless one was chosen.
void renderOffscreenIfSaving(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if ((argument.rfind("--save-chart", 0) == 0 || argument.rfind("--save-network", 0) == 0)
            && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
}

// Seconds since this process was started, loading its libraries included (Linux: the start time in /proc/self/stat,
// in clock ticks since boot, so to 10 ms); -1 where that cannot be read.
double secondsSinceProcessStart()
{
    std::ifstream file("/proc/self/stat");
    const std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const std::size_t nameEnd = stat.rfind(')'); // the program's name may hold spaces and parentheses
    if (nameEnd == std::string::npos)
        return -1;
    std::istringstream fields(stat.substr(nameEnd + 1));
    std::string field;
    for (int i = 3; i <= 21; ++i) // from the state (field 3) to the one before the start time (field 22)
        fields >> field;
    unsigned long long startTicks = 0;
    timespec now {};
    if (!(fields >> startTicks) || clock_gettime(CLOCK_BOOTTIME, &now) != 0)
        return -1;
    return double(now.tv_sec) + 1e-9 * double(now.tv_nsec) - double(startTicks) / double(sysconf(_SC_CLK_TCK));
}

} // namespace

int main(int argc, char** argv)
{
    QElapsedTimer sinceMain;
    sinceMain.start();
    renderOffscreenIfSaving(argc, argv);
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
        QStringLiteral("Data set to show: cifar10, cifar100, svhn, fashion-mnist, mnist, synthetic, folder (your "
                       "images) or numpy (your arrays)."),
        QStringLiteral("KIND"));
    const QCommandLineOption path(QStringLiteral("path"),
        QStringLiteral("Folder of the data set (numpy: a .npz file or a folder of .npy files)."),
        QStringLiteral("PATH"));
    const QCommandLineOption session(
        QStringLiteral("open-session"), QStringLiteral("Open a saved search session folder."), QStringLiteral("DIR"));
    const QCommandLineOption resume(
        QStringLiteral("resume"), QStringLiteral("With --open-session: continue the search."));
    const QCommandLineOption start(QStringLiteral("start-search"),
        QStringLiteral("Start a search at once with the Run panel's (remembered) settings."));
    const QCommandLineOption select(QStringLiteral("select"),
        QStringLiteral("With --open-session: show this candidate once the session is open."), QStringLiteral("ID"));
    const QCommandLineOption baseline(QStringLiteral("baseline"),
        QStringLiteral("With --open-session: also draw this session's front as a baseline (repeatable)."),
        QStringLiteral("DIR"));
    const QCommandLineOption saveChart(QStringLiteral("save-chart"),
        QStringLiteral("With --open-session: write the Pareto chart to FILE (.svg, or else PNG) and quit. Needs no "
                       "display."),
        QStringLiteral("FILE"));
    const QCommandLineOption saveNetwork(QStringLiteral("save-network"),
        QStringLiteral("With --open-session and --select: write the candidate's network diagram to FILE (.svg, or "
                       "else PNG) and quit. Needs no display."),
        QStringLiteral("FILE"));
    const QCommandLineOption timeOpen(QStringLiteral("time-open"),
        QStringLiteral("With --open-session: print how long the session took to be on screen in full (its table, "
                       "chart and, with --select, network and sliders), since the process started and since main, "
                       "then quit."));
    parser.addOptions(
        { threads, dataset, path, session, resume, start, select, baseline, saveChart, saveNetwork, timeOpen });
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

    const bool quitOnceShown = parser.isSet(saveChart) || parser.isSet(saveNetwork) || parser.isSet(timeOpen);
    if (quitOnceShown && (!parser.isSet(session) || parser.isSet(resume))) {
        qCritical("earlybird: --save-chart, --save-network and --time-open need --open-session (without --resume)");
        return 2;
    }
    if (parser.isSet(saveNetwork) && !parser.isSet(select)) {
        qCritical("earlybird: --save-network needs --select ID");
        return 2;
    }

    earlybird::ui::MainWindow window;
    earlybird::ui::DatasetView* view = window.datasetView();
    if (parser.isSet(dataset))
        view->setDatasetKind(parser.value(dataset));
    if (parser.isSet(path))
        view->setFolder(parser.value(path));
    window.show();
    // EARLYBIRD_EVENT_LOOP_PROBE=FILE: measure how late the GUI thread serves a 5 ms timer (ui/eventloopprobe.h).
    std::unique_ptr<earlybird::ui::EventLoopProbe> probe;
    if (!qEnvironmentVariableIsEmpty("EARLYBIRD_EVENT_LOOP_PROBE"))
        probe = std::make_unique<earlybird::ui::EventLoopProbe>(qEnvironmentVariable("EARLYBIRD_EVENT_LOOP_PROBE"));
    // Work starts once the window is on screen, so the user sees progress rather than a late window. A session named
    // on the command line comes first: it opens from its store without data, and loading the data set for its view
    // at the same time would take the CPU it needs. Saving images or timing the opening, then quitting, needs no data
    // set at all.
    if (!parser.isSet(session))
        QTimer::singleShot(0, view, &earlybird::ui::DatasetView::load);
    else if (!quitOnceShown)
        QObject::connect(&window, &earlybird::ui::MainWindow::sessionIdle, view, &earlybird::ui::DatasetView::load,
            Qt::SingleShotConnection);
    if (parser.isSet(session)) {
        const QStringList baselines = parser.values(baseline);
        if (!baselines.isEmpty()) {
            QObject::connect(
                &window, &earlybird::ui::MainWindow::sessionIdle, &window,
                [&window, baselines] {
                    for (const QString& folder : baselines)
                        window.addBaselineSession(folder);
                },
                Qt::SingleShotConnection);
        }
        if (parser.isSet(select)) {
            const int id = parser.value(select).toInt();
            QObject::connect(&window, &earlybird::ui::MainWindow::sessionIdle, &window,
                [&window, id] { window.selectCandidate(id); });
        }
        if (quitOnceShown) {
            // Once everything asked for is on screen: time it, save, then quit: 0 when every file was written.
            const auto save = [&window, &parser, saveChart, saveNetwork, timeOpen, &sinceMain] {
                QString error;
                bool ok = true;
                if (parser.isSet(timeOpen)) {
                    window.repaint(); // painted in full, not only scheduled
                    std::printf("session on screen: %.3f s since the process started, %.3f s since main\n",
                        secondsSinceProcessStart(), double(sinceMain.nsecsElapsed()) * 1e-9);
                    std::fflush(stdout);
                }
                if (parser.isSet(saveChart))
                    ok = window.paretoChart()->exportTo(parser.value(saveChart), &error);
                if (ok && parser.isSet(saveNetwork))
                    ok = window.networkView()->exportTo(parser.value(saveNetwork), &error);
                if (!ok)
                    qCritical("earlybird: %s", qPrintable(error));
                QCoreApplication::exit(ok ? 0 : 1);
            };
            if (parser.isSet(select))
                QObject::connect(&window, &earlybird::ui::MainWindow::outcomesShown, &window, save);
            else
                QObject::connect(&window, &earlybird::ui::MainWindow::sessionIdle, &window, save);
            QObject::connect(&window, &earlybird::ui::MainWindow::errorShown, &window, [](const QString& message) {
                qCritical("earlybird: %s", qPrintable(message));
                QCoreApplication::exit(1);
            });
        }
        QTimer::singleShot(0, &window, [&] { window.openSession(parser.value(session), parser.isSet(resume)); });
    } else if (!parser.isSet(start) && !parser.isSet(dataset) && !parser.isSet(path)) {
        // Useful at once: the last session, or the demo.
        QTimer::singleShot(0, &window, [&window] { window.openStartupSession(); });
    } else if (parser.isSet(start)) {
        QTimer::singleShot(0, &window, [&] {
            const QStringList problems = window.runPanel()->problems();
            if (problems.isEmpty())
                window.startSearch(window.runPanel()->request());
            else
                qWarning("earlybird: cannot start: %s", qPrintable(problems.join(QLatin1Char(' '))));
        });
    }
    return app.exec();
}
