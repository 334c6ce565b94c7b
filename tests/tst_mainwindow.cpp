#include "candidatetablemodel.h"
#include "fixtures.h"
#include "hypervolumeplot.h"
#include "mainwindow.h"
#include "networkgraphview.h"
#include "paretochart.h"
#include "runpanel.h"
#include "search/familysearch.h"
#include "search/search.h"
#include "sessioncontroller.h"
#include "thresholdpanel.h"
#include "tour.h"

#include <QApplication>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace earlybird;
using namespace earlybird::ui;
using namespace earlybird::fixtures;

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("EarlybirdTests"));
        // A small finished session to open.
        SearchConfig config = tinySearch(m_dir.filePath(QStringLiteral("cache")).toStdString(), 0.6);
        config.generations = 1;
        Search search(config, m_dir.filePath(QStringLiteral("session")).toStdString());
        search.run();
        QVERIFY(search.isFinished());
        // The same search with parameters used as the cost (branches come from the cache).
        config.costModel = CostModel::Parameters;
        config.target = 0;
        config.targetFraction = 0.6;
        Search parameters(config, m_dir.filePath(QStringLiteral("parameters")).toStdString());
        parameters.run();
        QVERIFY(parameters.isFinished());
    }

    // Chart, table and sliders speak the session's cost model; a baseline in another cost cannot share the axis.
    void showsTheSessionsCostModel()
    {
        MainWindow window;
        window.show();
        QSignalSpy idle(&window, &MainWindow::sessionIdle);
        QSignalSpy shown(&window, &MainWindow::outcomesShown);
        window.openSession(m_dir.filePath(QStringLiteral("parameters")), false);
        QVERIFY(idle.wait(60000));
        QCOMPARE(window.candidateModel()->headerData(CandidateTableModel::CostColumn, Qt::Horizontal).toString(),
            QStringLiteral("Avg. params used"));
        // The run panel shows the session's own settings, read-only, until "New search from these settings".
        QVERIFY(window.runPanel()->isShowingSession());
        const SearchRequest settings = window.runPanel()->request();
        QCOMPARE(settings.costModel, CostModel::Parameters);
        QCOMPARE(settings.targetFraction, 0.6);
        QCOMPARE(settings.sessionFolder, m_dir.filePath(QStringLiteral("parameters")));
        QVERIFY(!window.runPanel()->findChild<QSpinBox*>()->isEnabled());
        QPushButton* start = nullptr;
        for (QPushButton* button : window.runPanel()->findChildren<QPushButton*>()) {
            if (button->text() == QStringLiteral("New search from these settings"))
                start = button;
        }
        QVERIFY(start);
        start->click();
        QVERIFY(!window.runPanel()->isShowingSession());
        QCOMPARE(window.runPanel()->request().costModel, CostModel::Parameters);
        QVERIFY(window.runPanel()->request().sessionFolder != settings.sessionFolder);
        QVERIFY(window.runPanel()->findChild<QSpinBox*>()->isEnabled());
        const int id = window.candidateModel()->rowCount() - 1;
        window.selectCandidate(id);
        QVERIFY(shown.wait(30000));
        const CandidateRecord* candidate = window.candidateModel()->candidate(id);
        QCOMPARE(window.thresholdPanel()->result().averageCost, candidate->validation.averageCost);
        QCOMPARE(window.thresholdPanel()->result().averageMacs, candidate->validation.averageMacs);
        // The diagram gives each exit's cumulative cost in the session's model beside its MACs.
        QStringList texts;
        for (QGraphicsItem* item : window.networkView()->scene()->items()) {
            if (auto* text = qgraphicsitem_cast<QGraphicsSimpleTextItem*>(item))
                texts << text->text();
        }
        const QString finalCost = QStringLiteral("cumulative ")
            + QString::fromStdString(formatCost(CostModel::Parameters, candidate->exitCosts.back()));
        QVERIFY2(texts.contains(finalCost), qPrintable(texts.join(QLatin1Char('|'))));
        QSignalSpy errors(&window, &MainWindow::errorShown);
        QVERIFY(!window.addBaselineSession(m_dir.filePath(QStringLiteral("session"))));
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.first().first().toString().contains(QStringLiteral("its cost is macs")));
    }

    void opensASavedSessionWithEveryPanelFilled()
    {
        MainWindow window;
        window.show();
        QSignalSpy idle(&window, &MainWindow::sessionIdle);
        QSignalSpy shown(&window, &MainWindow::outcomesShown);
        window.openSession(m_dir.filePath(QStringLiteral("session")), false);
        QVERIFY(idle.wait(60000));
        QCOMPARE(window.candidateModel()->rowCount(), 8);
        QTRY_COMPARE(window.paretoChart()->pointCount(), 8);
        QVERIFY(window.session().fromStore); // the outputs in the store: no data or backbone loaded
        // The hypervolume plot holds the per-generation history and the front as it stands.
        QTRY_VERIFY(window.hypervolumePlot()->pointCount() >= 2);
        // Coloured by generation, the first and the last generation's candidates differ; otherwise all are alike.
        ParetoChart* chart = window.paretoChart();
        const int last = window.candidateModel()->rowCount() - 1;
        QCOMPARE(window.candidateModel()->candidate(last)->generation, 1);
        QCOMPARE(chart->candidateColour(0), chart->candidateColour(last));
        chart->setColourByGeneration(true);
        QVERIFY(chart->candidateColour(0) != chart->candidateColour(last));
        chart->setColourByGeneration(false);
        QCOMPARE(chart->candidateColour(0), chart->candidateColour(last));

        window.selectCandidate(2);
        QVERIFY(shown.wait(30000));
        QCOMPARE(shown.first().first().toInt(), 2);
        QVERIFY(!window.networkView()->isEmpty());
        // At Fit, the diagram's smallest labels read at 9 pt or more.
        window.networkView()->fit();
        QVERIFY2(window.networkView()->smallestLabelPointSize() >= NetworkGraphView::kReadablePointSize - 1e-9,
            qPrintable(QString::number(window.networkView()->smallestLabelPointSize())));
        const CandidateRecord* candidate = window.candidateModel()->candidate(2);
        // The sliders start at the search's thresholds and reproduce its validation accuracy.
        QCOMPARE(window.thresholdPanel()->thresholds(), candidate->validation.thresholds);
        QCOMPARE(window.thresholdPanel()->result().accuracy, candidate->validation.accuracy);

        // A front point selects its architecture with its own thresholds on the sliders, which reproduce its figures.
        QTRY_VERIFY(window.paretoChart()->frontPointCount() >= 2);
        for (const FrontPoint& point :
            { window.paretoChart()->frontPoints().first(), window.paretoChart()->frontPoints().last() }) {
            window.selectFrontPoint(point.candidate, point.thresholds);
            QTRY_COMPARE_WITH_TIMEOUT(window.thresholdPanel()->candidateId(), point.candidate, 30000);
            QTRY_COMPARE(window.thresholdPanel()->thresholds(), point.thresholds);
            QCOMPARE(window.thresholdPanel()->result().accuracy, point.accuracy);
            QCOMPARE(window.thresholdPanel()->result().averageCost, point.cost);
        }

        // Another session's front as a baseline series; a folder without a session is an error, not a crash.
        QVERIFY(window.addBaselineSession(m_dir.filePath(QStringLiteral("session"))));
        QSignalSpy errors(&window, &MainWindow::errorShown);
        QVERIFY(!window.addBaselineSession(m_dir.filePath(QStringLiteral("cache"))));
        QCOMPARE(errors.count(), 1);

        QTemporaryDir out;
        QString error;
        QVERIFY(window.networkView()->exportTo(out.filePath(QStringLiteral("n.svg")), &error));
        QVERIFY(window.networkView()->exportTo(out.filePath(QStringLiteral("n.png")), &error));
        QVERIFY(QFileInfo(out.filePath(QStringLiteral("n.png"))).size() > 1000);
        QVERIFY(window.paretoChart()->exportTo(out.filePath(QStringLiteral("chart.svg")), &error));
        QVERIFY(window.paretoChart()->exportTo(out.filePath(QStringLiteral("chart.png")), &error));
        QVERIFY(QFileInfo(out.filePath(QStringLiteral("chart.png"))).size() > 1000);
        QVERIFY(QFileInfo(out.filePath(QStringLiteral("chart.svg"))).size() > 1000);
        QVERIFY(!window.paretoChart()->exportTo(out.filePath(QStringLiteral("missing/chart.png")), &error));
        QVERIFY(error.contains(QStringLiteral("cannot write")));

        // File > Export selected takes the sliders' thresholds (the last front point's, here), in the background.
        QSignalSpy exported(&window, &MainWindow::exportFinished);
        const QString json = out.filePath(QStringLiteral("network.json"));
        const FrontPoint point = window.paretoChart()->frontPoints().last();
        QVERIFY(window.exportSelected(ExportFormat::Json, json));
        QVERIFY(!window.exportSelected(ExportFormat::Json, json)); // one at a time
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.first().at(1).toString(), QString());
        QCOMPARE(exported.first().at(0).toStringList(), QStringList { json });
        const Architecture architecture = loadArchitectureFile(json.toStdString());
        std::vector<double> thresholds;
        for (const ExitSpec& exit : architecture.exits)
            thresholds.push_back(exit.threshold);
        QCOMPARE(thresholds, point.thresholds);
        // File > Open architecture shows it in the network view; a broken file is an error, not a crash.
        window.networkView()->clear();
        QVERIFY(window.openArchitecture(json));
        QVERIFY(!window.networkView()->isEmpty());
        QVERIFY(!window.openArchitecture(m_dir.filePath(QStringLiteral("cache"))));
    }

    // A family search's folder opens on the member with the family's best network within the target; the other
    // member's front is drawn beside it.
    void opensAFamilyOnItsBestMember()
    {
        FamilySearchConfig config;
        config.search = tinySearch(m_dir.filePath(QStringLiteral("cache")).toStdString(), 0.6);
        config.search.generations = 0;
        config.search.timeBudgetSeconds = 8;
        BackboneGenes small = baseGenes(config.search.experiment.backbone);
        small.width = 0.5;
        config.members = { small, baseGenes(config.search.experiment.backbone) };
        const QString folder = m_dir.filePath(QStringLiteral("family"));
        FamilySearch(config, folder.toStdString()).run();
        const FamilySession family = loadFamily(folder.toStdString());
        QVERIFY(family.finished);
        const std::vector<FamilyPoint> front = family.front();
        int best = -1;
        for (const FamilyPoint& p : front)
            best = p.point.cost <= family.target ? p.member : best;
        QVERIFY(best >= 0);
        const QString member
            = folder + QStringLiteral("/") + QString::fromStdString(family.members[std::size_t(best)].folder);
        const FamilyMember& otherMember = family.members[std::size_t(1 - best)];
        const QString other = QString::fromStdString(otherMember.label)
            + (otherMember.genes == baseGenes(config.search.experiment.backbone) ? QStringLiteral(" (base)")
                                                                                 : QString());

        MainWindow window;
        window.show();
        window.openSession(folder, false);
        QTRY_COMPARE(window.controller()->folder(), member);
        QTRY_COMPARE(window.paretoChart()->familyFronts(), QStringList { other });
        // Another session clears the family's fronts (once the member's opening is done: a busy window opens nothing).
        QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isBusy(), 30000);
        window.openSession(m_dir.filePath(QStringLiteral("session")), false);
        QTRY_VERIFY(window.controller()->folder().endsWith(QStringLiteral("session")));
        QTRY_VERIFY(window.paretoChart()->familyFronts().isEmpty());
    }

    void corruptSessionIsAnErrorNotACrash()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("session.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{ not json");
        file.close();
        MainWindow window;
        QSignalSpy errors(&window, &MainWindow::errorShown);
        QSignalSpy idle(&window, &MainWindow::sessionIdle);
        window.openSession(dir.path(), false);
        QVERIFY(idle.wait(30000));
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.first().first().toString().contains(QStringLiteral("session.json")));
        QVERIFY(!window.isSearchRunning());
    }

    // Started without a session, the window opens the last one it showed, or else the demo (read-only, and not a
    // recent session of the user's).
    void startsOnTheLastSessionOrTheDemo()
    {
        QSettings().clear();
        const QString demo = QFileInfo(m_dir.filePath(QStringLiteral("session"))).canonicalFilePath();
        const QString mine = QFileInfo(m_dir.filePath(QStringLiteral("parameters"))).absoluteFilePath();
        qputenv("EARLYBIRD_DEMO", demo.toUtf8());
        QCOMPARE(MainWindow::demoSessionFolder(), demo);
        const auto startUp = [](MainWindow& window) {
            QSignalSpy idle(&window, &MainWindow::sessionIdle);
            if (!window.openStartupSession())
                return QString();
            return idle.wait(60000) ? window.session().folder : QStringLiteral("(not opened)");
        };
        {
            MainWindow window;
            QCOMPARE(startUp(window), demo);
            QCOMPARE(window.candidateModel()->rowCount(), 8);
            // On its best network within the target, sliders set.
            QTRY_VERIFY_WITH_TIMEOUT(window.thresholdPanel()->candidateId() >= 0, 30000);
            QVERIFY(!window.networkView()->isEmpty());
            QVERIFY(window.isReadOnlySession(demo));
            QVERIFY(window.recentSessions().isEmpty());
            QSignalSpy errors(&window, &MainWindow::errorShown);
            window.openSession(demo, true); // Search > Resume would write into it
            QCOMPARE(errors.count(), 1);
            QVERIFY(errors.first().first().toString().contains(QStringLiteral("read-only")));
            QSignalSpy idle(&window, &MainWindow::sessionIdle);
            window.openSession(mine, false);
            QVERIFY(idle.wait(60000));
            QCOMPARE(window.recentSessions(), QStringList { mine });
        }
        {
            MainWindow window;
            QCOMPARE(startUp(window), mine);
        }
        QSettings().setValue(QStringLiteral("session/reopenLast"), false);
        {
            MainWindow window;
            QCOMPARE(startUp(window), demo);
        }
        qunsetenv("EARLYBIRD_DEMO");
        QSettings().clear();
    }

    // A session that another process is writing (here a search in this process, which holds the session's lock the
    // same way) opens read-only and fills in as the writer saves, without reopening; once the writer has gone the
    // window says how it ended, and Resume is offered.
    void followsASessionBeingWritten()
    {
        QTemporaryDir dir;
        SearchConfig config = tinySearch(m_dir.filePath(QStringLiteral("cache")).toStdString(), 0.6);
        config.generations = 3;
        auto writer = std::make_unique<Search>(config, dir.path().toStdString());
        QVERIFY(writer->step());
        QVERIFY(writer->step());

        MainWindow window;
        window.show();
        QSignalSpy idle(&window, &MainWindow::sessionIdle);
        window.openSession(dir.path(), false);
        QVERIFY(idle.wait(60000));
        QVERIFY2(window.session().writer.startsWith(QStringLiteral("tst_mainwindow (pid ")),
            qPrintable(window.session().writer));
        QCOMPARE(window.candidateModel()->rowCount(), 2);
        auto* banner = window.findChild<QLabel*>(QStringLiteral("followBanner"));
        QVERIFY(banner && banner->isVisible());
        QVERIFY2(banner->text().contains(window.session().writer), qPrintable(banner->text()));
        QAction* resume = nullptr;
        for (QAction* action : window.findChildren<QAction*>()) {
            if (action->text() == QStringLiteral("&Resume opened session"))
                resume = action;
        }
        QVERIFY(resume);
        QVERIFY(!resume->isEnabled());

        // What the writer saves next appears, with its front and with outcomes from the outputs saved beside it.
        for (int i = 0; i < 4; ++i)
            QVERIFY(writer->step());
        const int written = int(writer->archive().size());
        QVERIFY(written > 2);
        QTRY_COMPARE_WITH_TIMEOUT(window.candidateModel()->rowCount(), written, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(
            window.paretoChart()->frontPoints().size(), qsizetype(writer->thresholdFront().size()), 5000);
        QSignalSpy shown(&window, &MainWindow::outcomesShown);
        window.selectCandidate(written - 1);
        QVERIFY(shown.wait(30000));
        QCOMPARE(window.thresholdPanel()->result().accuracy,
            writer->archive()[std::size_t(written - 1)].validation.accuracy);

        // Another window cannot resume it while it is written.
        {
            MainWindow other;
            QSignalSpy errors(&other, &MainWindow::errorShown);
            QSignalSpy otherIdle(&other, &MainWindow::sessionIdle);
            other.openSession(dir.path(), true);
            QVERIFY(otherIdle.wait(60000));
            QCOMPARE(errors.count(), 1);
            QVERIFY2(errors.first().first().toString().contains(QStringLiteral("being written by tst_mainwindow")),
                qPrintable(errors.first().first().toString()));
        }

        // The writer stops before the search is done: the window shows all it saved, and offers Resume.
        QVERIFY(writer->step());
        const int last = int(writer->archive().size());
        writer.reset();
        QTRY_VERIFY_WITH_TIMEOUT(window.session().writer.isEmpty(), 15000);
        QCOMPARE(window.candidateModel()->rowCount(), last);
        QVERIFY(!window.session().finished);
        QVERIFY(resume->isEnabled());
        QVERIFY(!banner->isVisible());
    }

    // A session that a machine elsewhere is writing (its lock held over a network file system) is not read: its store's
    // write-ahead index is not shared between machines. The window says so and why.
    void refusesToFollowAWriterOnAnotherMachine()
    {
        const QString folder = m_dir.filePath(QStringLiteral("session"));
        const int fd
            = ::open(QString(folder + QStringLiteral("/session.lock")).toUtf8().constData(), O_RDWR | O_CREAT, 0644);
        QVERIFY(fd >= 0);
        QCOMPARE(::flock(fd, LOCK_EX | LOCK_NB), 0);
        const QByteArray holder = R"({"pid": 77, "host": "node07", "program": "earlybird-cli"})";
        QCOMPARE(::pwrite(fd, holder.constData(), std::size_t(holder.size()), 0), ssize_t(holder.size()));
        MainWindow window;
        QSignalSpy errors(&window, &MainWindow::errorShown);
        QSignalSpy idle(&window, &MainWindow::sessionIdle);
        window.openSession(folder, false);
        QVERIFY(idle.wait(60000));
        ::close(fd);
        QCOMPARE(errors.count(), 1);
        const QString message = errors.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("earlybird-cli (pid 77 on node07), another machine"))
                && message.contains(QStringLiteral("open it on that machine")),
            qPrintable(message));
        QCOMPARE(window.candidateModel()->rowCount(), 0);
    }

    // Help > What is an early exit?: every step is a real action on the session on screen.
    void guidedTourActsOnTheSession()
    {
        MainWindow window;
        window.show();
        QSignalSpy idle(&window, &MainWindow::sessionIdle);
        window.openSession(m_dir.filePath(QStringLiteral("session")), false);
        QVERIFY(idle.wait(60000));
        QTRY_VERIFY(window.paretoChart()->frontPointCount() >= 2);
        Tour* tour = window.startTour();
        QTRY_VERIFY_WITH_TIMEOUT(tour->isReady() && tour->step() == 0, 30000);
        const std::vector<double> tuned = window.thresholdPanel()->thresholds();
        QVERIFY(!tuned.empty());
        QVERIFY(tour->text().contains(QStringLiteral("best within the target")));
        tour->next();
        QCOMPARE(tour->step(), 1);
        tour->next();
        const int exit = tour->exitShown();
        QCOMPARE(window.networkView()->highlightedExit(), exit);
        const double rate = window.thresholdPanel()->result().exitRate(exit);
        QVERIFY(tour->text().contains(QStringLiteral("Exit %1 (outlined)").arg(exit)));
        tour->next(); // lower the exit's threshold: at least as many samples leave there
        QVERIFY(window.thresholdPanel()->thresholds()[std::size_t(exit)] < tuned[std::size_t(exit)]
            || tuned[std::size_t(exit)] == 0);
        QVERIFY(window.thresholdPanel()->result().exitRate(exit) >= rate);
        tour->next(); // raise it: no more than before
        QVERIFY(window.thresholdPanel()->thresholds()[std::size_t(exit)] >= tuned[std::size_t(exit)]);
        QVERIFY(window.thresholdPanel()->result().exitRate(exit) <= rate);
        tour->next();
        QCOMPARE(tour->step(), tour->stepCount() - 1);
        QCOMPARE(window.thresholdPanel()->thresholds(), tuned); // put back
        QCOMPARE(window.networkView()->highlightedExit(), -1);
        tour->next(); // nothing after the last step
        QCOMPARE(tour->step(), tour->stepCount() - 1);
        tour->back();
        QCOMPARE(tour->step(), tour->stepCount() - 2);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
