#include "searchworker.h"

#include "search/familysearch.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

using namespace earlybird;
using namespace earlybird::ui;

namespace {

// A search on a few hundred synthetic 12x12 images.
SearchRequest tinyRequest()
{
    SearchRequest request;
    request.dataset.kind = DatasetKind::Synthetic;
    request.dataset.path = "classes=3,train=300,test=90,shape=1x12x12,seed=4";
    request.backbonePreset = QStringLiteral("fashion-resnet");
    return request;
}

// A worker in a thread of its own, the thread stopped however the test ends: a failed check must not leave it running
// (that aborts the binary).
struct WorkerThread {
    QThread thread;
    SearchWorker* worker = new SearchWorker;
    WorkerThread()
    {
        worker->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
        thread.start();
    }
    ~WorkerThread()
    {
        thread.quit();
        thread.wait();
    }
};

} // namespace

class TestSearchWorker : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runsASearchAndServesOutcomes()
    {
        QTemporaryDir dir;
        SearchRequest request = tinyRequest();
        request.epochs = 2;
        request.population = 4;
        request.generations = 1;
        request.minutes = 0;
        request.sessionFolder = dir.filePath(QStringLiteral("session"));
        request.cacheFolder = dir.filePath(QStringLiteral("cache"));

        WorkerThread thread;
        SearchWorker* worker = thread.worker;
        QSignalSpy opened(worker, &SearchWorker::sessionOpened);
        QSignalSpy candidates(worker, &SearchWorker::candidateEvaluated);
        QSignalSpy fronts(worker, &SearchWorker::frontChanged);
        QSignalSpy progress(worker, &SearchWorker::progress);
        QSignalSpy finished(worker, &SearchWorker::finished);
        QSignalSpy outcomes(worker, &SearchWorker::outcomesReady);
        QSignalSpy failed(worker, &SearchWorker::failed);
        QSignalSpy logs(worker, &SearchWorker::logMessage);
        QMetaObject::invokeMethod(
            worker, [worker, request] { worker->start(1, request); }, Qt::QueuedConnection);
        // Signals come from the worker thread and may arrive before a QSignalSpy::wait() would start listening:
        // poll the counts instead.
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 120000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(finished.first().at(1).toBool(), true);
        // Every signal carries the run it answers.
        for (const QSignalSpy* spy : { &opened, &candidates, &fronts, &progress, &finished, &logs }) {
            for (const QList<QVariant>& arguments : *spy)
                QCOMPARE(arguments.first().value<RunId>(), RunId(1));
        }
        // Two generations of 4, and candidates composed from their trained branches. A bred candidate whose tuned
        // thresholds leave an exit unused is followed by its copy without that exit, which is bred too: how many there
        // are depends on the run.
        int bred = 0;
        for (const QList<QVariant>& arguments : candidates)
            bred += !arguments.at(1).value<CandidateRecord>().composed;
        QVERIFY2(bred >= 8 && bred <= 16, qPrintable(QStringLiteral("%1 bred candidates").arg(bred)));
        QVERIFY(candidates.count() > bred);
        QVERIFY(fronts.count() >= 1);
        QVERIFY(progress.count() >= 1);
        const auto info = opened.first().at(1).value<SessionInfo>();
        QVERIFY(info.backboneMacs > 0);
        // The log says where the run's time went.
        bool timesLogged = false;
        for (const QList<QVariant>& arguments : logs) {
            const QString line = arguments.at(1).toString();
            timesLogged = timesLogged
                || (line.startsWith(QStringLiteral("Where this run's time went: data "))
                    && line.contains(QStringLiteral("branch training")) && line.contains(QStringLiteral("saving")));
        }
        QVERIFY(timesLogged);
        // The search ran below the GUI thread's priority: the window gets a core first when both want one.
        int niceHere = 0, niceThere = 0;
        errno = 0;
        niceHere = ::getpriority(PRIO_PROCESS, id_t(::syscall(SYS_gettid)));
        QMetaObject::invokeMethod(
            worker, [&niceThere] { niceThere = ::getpriority(PRIO_PROCESS, id_t(::syscall(SYS_gettid))); },
            Qt::BlockingQueuedConnection);
        QCOMPARE(niceThere, std::min(niceHere + 10, 19));

        // Outcomes of a candidate, computed on the worker thread.
        const auto candidate = candidates.at(3).at(1).value<CandidateRecord>();
        worker->requestOutcomes(candidate.id);
        QTRY_VERIFY_WITH_TIMEOUT(outcomes.count() == 1, 30000);
        QCOMPARE(outcomes.first().at(0).value<RunId>(), RunId(1));
        QCOMPARE(outcomes.first().at(1).toInt(), candidate.id);
        const auto shared = outcomes.first().at(2).value<OutcomesPointer>();
        QCOMPARE(shared->validation.exitCount(), candidate.architecture.exitCount());
        const ExitPolicy policy(shared->validation, candidate.architecture.confidence,
            exitMacsOf(shared->cost, CostConvention::AllEvaluatedBranches));
        QCOMPARE(policy.evaluate(candidate.validation.thresholds).accuracy, candidate.validation.accuracy);

        // A bad data folder is reported, not a crash.
        SearchRequest bad = request;
        bad.dataset.kind = DatasetKind::Cifar10;
        bad.dataset.path = "/nonexistent/cifar";
        bad.sessionFolder = dir.filePath(QStringLiteral("other"));
        QMetaObject::invokeMethod(
            worker, [worker, bad] { worker->start(2, bad); }, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 30000);
        QCOMPARE(failed.first().at(0).value<RunId>(), RunId(2));
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("/nonexistent/cifar")));
    }

    // A family search from the window: the worker follows the member being searched (memberShown, then its session,
    // candidates and front), reports progress over the family's whole budget, and once the family is done shows its
    // best member from the store, whose candidates' outcomes it serves.
    void runsAFamilyFollowingItsMembers()
    {
        QTemporaryDir dir;
        SearchRequest request = tinyRequest();
        request.epochs = 1;
        request.population = 4;
        request.minutes = 0.4;
        request.familySize = 2;
        request.sessionFolder = dir.filePath(QStringLiteral("family"));
        request.cacheFolder = dir.filePath(QStringLiteral("cache"));

        WorkerThread thread;
        SearchWorker* worker = thread.worker;
        QSignalSpy shown(worker, &SearchWorker::memberShown);
        QSignalSpy opened(worker, &SearchWorker::sessionOpened);
        QSignalSpy candidates(worker, &SearchWorker::candidateEvaluated);
        QSignalSpy progress(worker, &SearchWorker::progress);
        QSignalSpy finished(worker, &SearchWorker::finished);
        QSignalSpy failed(worker, &SearchWorker::failed);
        QSignalSpy outcomes(worker, &SearchWorker::outcomesReady);
        QMetaObject::invokeMethod(
            worker, [worker, request] { worker->start(7, request); }, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 240000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.first().at(0).value<RunId>(), RunId(7));
        QCOMPARE(finished.first().at(1).toBool(), true);

        const FamilySession family = loadFamily(request.sessionFolder.toStdString());
        QVERIFY(family.finished);
        // Every member searched was shown (its slices), then the best member once more; each shown member's session
        // follows its memberShown, and every folder is a member's.
        QSet<QString> folders;
        for (const QList<QVariant>& arguments : shown) {
            const QString folder = arguments.at(1).toString();
            QCOMPARE(QFileInfo(folder).dir().absolutePath(), QDir(request.sessionFolder).absolutePath());
            QVERIFY(!arguments.at(2).toString().isEmpty());
            folders.insert(QFileInfo(folder).fileName());
        }
        int slices = 0, searched = 0;
        for (const FamilyMember& m : family.members) {
            slices += m.slices;
            searched += m.slices > 0;
        }
        QCOMPARE(shown.count(), slices + 1);
        // Both members, unless a machine slow enough left the dearer one out to keep time to search (family.json's
        // log).
        QVERIFY(searched >= 1);
        QCOMPARE(folders.size(), searched);
        QCOMPARE(opened.count(), shown.count());
        for (int i = 0; i < shown.count(); ++i)
            QCOMPARE(opened.at(i).at(1).value<SessionInfo>().folder, shown.at(i).at(1).toString());
        // The last shown is the family's best, opened from its store, the family's state shown.
        const auto last = opened.last().at(1).value<SessionInfo>();
        QVERIFY(last.fromStore);
        QVERIFY(last.finished);
        // Its settings are the family's, so that a new search from them is a family again.
        QCOMPARE(last.settings.familySize, 2);
        QCOMPARE(last.settings.familyWeights, request.familyWeights);
        QCOMPARE(last.settings.sessionFolder, request.sessionFolder);
        QCOMPARE(last.settings.minutes, request.minutes);
        QVERIFY(last.settings.backboneWeights.isEmpty());
        QVERIFY(candidates.count() > 0);
        // Progress is over the family's budget: it never goes back within a slice's search and ends at the budget.
        double most = 0;
        for (const QList<QVariant>& arguments : progress) {
            const auto p = arguments.at(1).value<SearchProgress>();
            QVERIFY2(p.fraction >= 0 && p.fraction <= 1, qPrintable(QString::number(p.fraction)));
            most = std::max(most, p.fraction);
        }
        QVERIFY2(most > 0.9, qPrintable(QString::number(most)));

        // The best member's candidates are served from its store.
        const int id = candidates.last().at(1).value<CandidateRecord>().id;
        worker->requestOutcomes(id);
        QTRY_VERIFY_WITH_TIMEOUT(outcomes.count() == 1, 30000);
        QCOMPARE(outcomes.first().at(1).toInt(), id);

        // Resuming a member of a finished family continues the family: nothing is left to run.
        finished.clear();
        shown.clear();
        QMetaObject::invokeMethod(
            worker, [worker, folder = last.folder] { worker->openSession(8, folder, true); }, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 60000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.first().at(1).toBool(), true);
        QCOMPARE(shown.count(), 1); // straight to its best member
    }
};

QTEST_GUILESS_MAIN(TestSearchWorker)
#include "tst_searchworker.moc"
