#include "datasetview.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace earlybird::ui;

class TestDatasetView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Keep the test's remembered settings away from the user's.
        QStandardPaths::setTestModeEnabled(true);
    }

    void loadsInTheBackgroundAndSummarises()
    {
        DatasetView view;
        QSignalSpy loaded(&view, &DatasetView::loaded);
        QSignalSpy failed(&view, &DatasetView::failed);
        view.setDatasetKind(QStringLiteral("synthetic"));
        view.setFolder(QStringLiteral("classes=3,train=45,test=9,shape=3x16x16,seed=4"));
        view.load();
        QVERIFY(view.isLoading() || loaded.count() == 1);
        QVERIFY(loaded.wait(20000) || loaded.count() == 1);
        QCOMPARE(failed.count(), 0);
        const DatasetSummary* summary = view.summary();
        QVERIFY(summary);
        QCOMPARE(summary->count, 45);
        QCOMPARE(summary->histogram, (QVector<qint64> { 15, 15, 15 }));
        QCOMPARE(summary->classNames.size(), 3);
        QCOMPARE(summary->channels, 3);
        // One grid row per class, samples side by side.
        QCOMPARE(summary->samples.height(), 3 * (16 + 2));
        QCOMPARE(summary->samples.width(), summary->samplesPerClass * (16 + 2));
    }

    void badFolderReportsAnErrorNotACrash()
    {
        DatasetView view;
        QSignalSpy failed(&view, &DatasetView::failed);
        view.setDatasetKind(QStringLiteral("cifar10"));
        view.setFolder(QStringLiteral("/nonexistent/cifar"));
        view.load();
        QVERIFY(failed.wait(20000) || failed.count() == 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("/nonexistent/cifar")));
        QVERIFY(!view.summary());
    }

    void newerLoadSupersedesOlder()
    {
        DatasetView view;
        QSignalSpy loaded(&view, &DatasetView::loaded);
        view.setDatasetKind(QStringLiteral("synthetic"));
        view.setFolder(QStringLiteral("classes=2,train=4000,test=10,shape=3x32x32"));
        view.load();
        view.setFolder(QStringLiteral("classes=5,train=25,test=10,shape=1x8x8"));
        view.load();
        QVERIFY(loaded.wait(30000) || loaded.count() >= 1);
        QTest::qWait(200);
        // Only the newest request's result is shown.
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(view.summary()->classNames.size(), 5);
    }
};

QTEST_MAIN(TestDatasetView)
#include "tst_datasetview.moc"
