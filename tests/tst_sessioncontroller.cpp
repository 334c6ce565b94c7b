#include "fixtures.h"
#include "search/search.h"
#include "selection.h"
#include "sessioncontroller.h"
#include "sessionmodel.h"

#include <QCoreApplication>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;
using namespace earlybird::ui;
using namespace earlybird::fixtures;

namespace {
// An accuracy no tiny search reaches: marks a record that came from the stale run.
constexpr double kStaleAccuracy = 0.123456;
} // namespace

class TestSessionController : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_session;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("EarlybirdTests"));
        SearchConfig config = tinySearch(m_dir.filePath(QStringLiteral("cache")).toStdString(), 0.6);
        config.generations = 1;
        m_session = m_dir.filePath(QStringLiteral("session"));
        Search search(config, m_session.toStdString());
        search.run();
        QVERIFY(search.isFinished());
    }

    // Opening a finished session: one lifecycle at a time, the records and front in the model, Resume not offered.
    void opensIntoTheModel()
    {
        SessionModel model;
        SessionController controller(&model);
        QCOMPARE(controller.lifecycle(), SessionLifecycle::Empty);
        QSignalSpy lifecycle(&controller, &SessionController::lifecycleChanged);
        QSignalSpy idle(&controller, &SessionController::idle);
        QVERIFY(controller.open(m_session, false));
        QCOMPARE(controller.lifecycle(), SessionLifecycle::Opening);
        QVERIFY(controller.isBusy());
        QVERIFY(!controller.open(m_session, false)); // one at a time
        QVERIFY(idle.wait(60000));
        QCOMPARE(controller.lifecycle(), SessionLifecycle::Finished);
        QCOMPARE(lifecycle.count(), 2);
        const Session saved = loadSession(m_session.toStdString());
        QCOMPARE(model.count(), int(saved.archive.size()));
        QCOMPARE(model.front().size(), qsizetype(saved.thresholdFront.size()));
        QVERIFY(controller.session().finished);
        QVERIFY(!controller.canResume());

        // The selection asks the controller for outcomes and evaluates the tuned thresholds.
        Selection selection(&model, &controller);
        QSignalSpy ready(&selection, &Selection::outcomesChanged);
        selection.select(model.count() - 1);
        QVERIFY(ready.wait(30000));
        QCOMPARE(selection.validation().accuracy, model.at(model.count() - 1).validation.accuracy);
        // Another session: the selection empties with the model.
        QVERIFY(controller.open(m_session, false));
        QCOMPARE(selection.candidateId(), -1);
        QVERIFY(idle.wait(60000));
    }

    // The scenario of issue 26: the window follows a session, whose worker has already queued a candidate (and a front
    // and an end) for the GUI thread, when the user opens another session. Those queued signals arrive after the
    // model was emptied for the new session; they must not fill it, nor end its opening, nor make the new session's
    // own candidate with the same id look like a replay.
    void signalsOfAnEarlierRunAreDropped()
    {
        SessionModel model;
        SessionController controller(&model);
        QSignalSpy idle(&controller, &SessionController::idle);
        QVERIFY(controller.open(m_session, false));
        QVERIFY(idle.wait(60000));
        const RunId earlier = controller.runId();
        CandidateRecord stale = model.at(0);
        stale.validation.accuracy = kStaleAccuracy;

        // The worker emits for the earlier run; the emissions wait in the GUI thread's queue.
        SearchWorker* worker = controller.worker();
        QSignalSpy delivered(worker, &SearchWorker::candidateEvaluated);
        QSemaphore emitted;
        QMetaObject::invokeMethod(
            worker,
            [worker, earlier, stale, &emitted] {
                Q_EMIT worker->candidateEvaluated(earlier, stale);
                Q_EMIT worker->frontChanged(earlier, {}, 0.0);
                Q_EMIT worker->finished(earlier, false);
                emitted.release();
            },
            Qt::QueuedConnection);
        emitted.acquire();

        QSignalSpy lifecycle(&controller, &SessionController::lifecycleChanged);
        idle.clear();
        QVERIFY(controller.open(m_session, false));
        QVERIFY(controller.runId() != earlier);
        QVERIFY(idle.wait(60000));
        QCoreApplication::processEvents();
        // The stale candidate did arrive first (the scenario happened)...
        QVERIFY(!delivered.isEmpty());
        QCOMPARE(delivered.first().at(0).value<RunId>(), earlier);
        // ...and was dropped: the model holds the new session's records, its front, and one end.
        const Session saved = loadSession(m_session.toStdString());
        QCOMPARE(model.count(), int(saved.archive.size()));
        QCOMPARE(model.candidate(0)->validation.accuracy, saved.archive[0].validation.accuracy);
        QVERIFY(model.candidate(0)->validation.accuracy != kStaleAccuracy);
        QCOMPARE(model.front().size(), qsizetype(saved.thresholdFront.size()));
        QCOMPARE(idle.count(), 1);
        QCOMPARE(idle.first().first().toBool(), true);
        QCOMPARE(lifecycle.count(), 2); // Opening, then Finished: the stale end did not stop the opening
        QCOMPARE(lifecycle.last().first().value<SessionLifecycle>(), SessionLifecycle::Finished);
    }

    // A family search run here shows one member at a time: memberShown empties the model (as for another session) and
    // points the controller at the member's folder, and the run goes on (same run, same lifecycle); the member's
    // records then fill the model.
    void aFamilyMemberShownReplacesTheSessionWithinTheRun()
    {
        SessionModel model;
        SessionController controller(&model);
        QSignalSpy idle(&controller, &SessionController::idle);
        QVERIFY(controller.open(m_session, false));
        QVERIFY(idle.wait(60000));
        QVERIFY(model.count() > 0);
        const RunId run = controller.runId();
        const SessionLifecycle before = controller.lifecycle();
        QSignalSpy reset(&controller, &SessionController::aboutToReset);
        QSignalSpy lifecycle(&controller, &SessionController::lifecycleChanged);
        QSignalSpy logs(&controller, &SessionController::logMessage);
        const QString member = m_dir.filePath(QStringLiteral("family/member1"));
        CandidateRecord record = model.at(0);
        SearchWorker* worker = controller.worker();
        QMetaObject::invokeMethod(
            worker,
            [worker, run, member, record] {
                Q_EMIT worker->memberShown(run, member, QStringLiteral("w0.75 d1.1.1"));
                Q_EMIT worker->candidateEvaluated(run, record);
            },
            Qt::BlockingQueuedConnection);
        QTRY_COMPARE(model.count(), 1);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(controller.folder(), member);
        QCOMPARE(controller.runId(), run);
        QCOMPARE(controller.lifecycle(), before);
        QCOMPARE(lifecycle.count(), 0);
        QVERIFY(logs.count() >= 1);
        QVERIFY(logs.first().first().toString().contains(QStringLiteral("w0.75 d1.1.1")));
    }
};

QTEST_GUILESS_MAIN(TestSessionController)
#include "tst_sessioncontroller.moc"
