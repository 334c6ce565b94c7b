#include "data/datasetspec.h"
#include "data/syntheticdataset.h"
#include "errorcapture.h"
#include "fixtures.h"

#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;

class TestDatasetSpec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesRoundTrip()
    {
        for (const std::string& name : namesOf<DatasetKind>())
            QCOMPARE(nameOf(fromName<DatasetKind>(name)), name);
        const std::string message = errorMessage([] { fromName<DatasetKind>("imagenet"); });
        QVERIFY2(contains(message, "imagenet") && contains(message, "fashion-mnist"), message.c_str());
        QVERIFY(contains(
            errorMessage([] { fromName<Split>("validation"); }), "unknown split 'validation' (one of: train, test)"));
    }

    void syntheticSettings()
    {
        const SyntheticOptions options = parseSyntheticOptions("classes=4,train=60,test=20,shape=3x32x30,seed=7");
        QCOMPARE(options.classes, 4);
        QCOMPARE(options.trainCount, 60);
        QCOMPARE(options.testCount, 20);
        QCOMPARE(options.shape, (ImageShape { 3, 32, 30 }));
        QCOMPARE(options.seed, std::uint64_t(7));
        QCOMPARE(parseSyntheticOptions("").classes, 10);
        QVERIFY(contains(errorMessage([] { parseSyntheticOptions("colour=red"); }), "unknown setting 'colour'"));
        QVERIFY(contains(errorMessage([] { parseSyntheticOptions("train=lots"); }), "'train' needs a whole number"));
        QVERIFY(contains(errorMessage([] { parseSyntheticOptions("shape=32x32"); }), "shape must be CxHxW"));
        QVERIFY(contains(errorMessage([] { parseSyntheticOptions("classes"); }), "not key=value"));
    }

    void loadsEachKind()
    {
        DatasetSpec spec;
        spec.kind = DatasetKind::Synthetic;
        spec.path = "classes=3,train=30,test=9,shape=1x8x8";
        QCOMPARE(loadDataset(spec, Split::Test).size(), 9);

        QTemporaryDir dir;
        writeIdxFolder(dir.path().toStdString(), 10, 10, 28, 28, true);
        spec.kind = DatasetKind::Mnist;
        spec.path = dir.path().toStdString();
        QCOMPARE(loadDataset(spec, Split::Train).classNames()[3], std::string("3"));
        spec.kind = DatasetKind::FashionMnist;
        QCOMPARE(loadDataset(spec, Split::Train).classNames()[9], std::string("Ankle boot"));

        spec.kind = DatasetKind::Cifar10;
        spec.path = "";
        QVERIFY(contains(errorMessage([&] { loadDataset(spec, Split::Train); }), "no folder given"));
    }
};

QTEST_GUILESS_MAIN(TestDatasetSpec)
#include "tst_datasetspec.moc"
