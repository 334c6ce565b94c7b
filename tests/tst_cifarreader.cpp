#include "data/cifarreader.h"
#include "errorcapture.h"
#include "fixtures.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {
std::vector<std::uint8_t> labelsCycling(int count, int classes)
{
    std::vector<std::uint8_t> labels;
    for (int i = 0; i < count; ++i)
        labels.push_back(std::uint8_t(i % classes));
    return labels;
}
} // namespace

class TestCifarReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsSomeTrainingBatchesInOrder()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        // Only batches 1 and 3, as in a partial download: both are read, in batch order.
        writeBytes(folder + "/data_batch_1.bin", cifar10Bytes(labelsCycling(20, 10), 0));
        writeBytes(folder + "/data_batch_3.bin", cifar10Bytes(labelsCycling(20, 10), 20));
        const Dataset train = readCifar10(folder, Split::Train);
        QCOMPARE(train.size(), 40);
        QCOMPARE(train.shape(), (ImageShape { 3, 32, 32 }));
        QCOMPARE(train.classNames()[9], std::string("truck"));
        QCOMPARE(train.label(17), 7);
        // Record layout: 1024 red, 1024 green, 1024 blue bytes, row-major, as in our C, H, W order.
        QCOMPARE(train.image(25)[0], pixelValue(25, 0));
        QCOMPARE(train.image(25)[1024 + 33], pixelValue(25, 1024 + 33));
        QCOMPARE(train.image(39)[3071], pixelValue(39, 3071));
        QCOMPARE(train.labelHistogram(), std::vector<std::int64_t>(10, 4));
    }

    void readsTestBatchAndMetaNames()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        writeBytes(folder + "/test_batch.bin", cifar10Bytes(labelsCycling(20, 10)));
        writeBytes(folder + "/batches.meta.txt", std::vector<std::uint8_t> { 'a', '\n', 'b', '\n', '\n' });
        const Dataset test = readCifar10(folder, Split::Test);
        QCOMPARE(test.size(), 20);
        // A meta file that does not list ten names is ignored in favour of the standard names.
        QCOMPARE(test.classNames()[0], std::string("airplane"));
        std::string names;
        for (int k = 0; k < 10; ++k)
            names += "class" + std::to_string(k) + "\n";
        writeBytes(folder + "/batches.meta.txt", std::vector<std::uint8_t>(names.begin(), names.end()));
        QCOMPARE(readCifar10(folder, Split::Test).classNames()[4], std::string("class4"));
    }

    void findsTheBatchesSubfolder()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("cifar-10-batches-bin")));
        writeBytes(dir.path().toStdString() + "/cifar-10-batches-bin/test_batch.bin", cifar10Bytes({ 3, 4 }));
        QCOMPARE(readCifar10(dir.path().toStdString(), Split::Test).size(), 2);
    }

    void cifar100FineAndCoarse()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        writeBytes(folder + "/train.bin", cifar100Bytes({ 0, 99, 42, 57 }));
        const Dataset fine = readCifar100(folder, Split::Train, false);
        QCOMPARE(fine.numClasses(), 100);
        QCOMPARE(fine.labels(), (std::vector<std::int64_t> { 0, 99, 42, 57 }));
        QCOMPARE(fine.classNames()[99], std::string("worm"));
        QCOMPARE(fine.image(3)[2000], pixelValue(3, 2000));
        const Dataset coarse = readCifar100(folder, Split::Train, true);
        QCOMPARE(coarse.numClasses(), 20);
        QCOMPARE(coarse.labels(), (std::vector<std::int64_t> { 0, 19, 8, 11 }));
        QCOMPARE(coarse.image(3)[2000], pixelValue(3, 2000));
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("problem");
        QTest::newRow("truncated") << QStringLiteral("truncated") << QStringLiteral("record 19 is incomplete");
        QTest::newRow("label 10") << QStringLiteral("label") << QStringLiteral("record 2 has label 10");
        QTest::newRow("empty") << QStringLiteral("empty") << QStringLiteral("empty file");
        QTest::newRow("cifar-100 file as cifar-10")
            << QStringLiteral("cifar100") << QStringLiteral("not a whole number");
    }
    void badInput()
    {
        QFETCH(QString, damage);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/data_batch_1.bin";
        std::vector<std::uint8_t> bytes = cifar10Bytes(labelsCycling(20, 10));
        if (damage == QStringLiteral("truncated"))
            bytes.resize(bytes.size() - 100);
        else if (damage == QStringLiteral("label"))
            bytes[2 * 3073] = 10;
        else if (damage == QStringLiteral("empty"))
            bytes.clear();
        else if (damage == QStringLiteral("cifar100"))
            bytes = cifar100Bytes({ 1, 2, 3 });
        writeBytes(path, bytes);
        const std::string message = errorMessage([&] { readCifar10(dir.path().toStdString(), Split::Train); });
        QVERIFY2(contains(message, path), message.c_str());
        QVERIFY2(contains(message, problem.toStdString()), message.c_str());
    }

    void missingFilesAreNamed()
    {
        QTemporaryDir dir;
        std::string message = errorMessage([&] { readCifar10(dir.path().toStdString(), Split::Train); });
        QVERIFY2(contains(message, "data_batch_1.bin"), message.c_str());
        message = errorMessage([&] { readCifar10(dir.path().toStdString(), Split::Test); });
        QVERIFY2(contains(message, "test_batch.bin"), message.c_str());
        message = errorMessage([&] { readCifar100(dir.path().toStdString(), Split::Test, false); });
        QVERIFY2(contains(message, "test.bin"), message.c_str());
        message = errorMessage([] { readCifar10("/nonexistent/cifar", Split::Test); });
        QVERIFY2(contains(message, "/nonexistent/cifar: no such folder"), message.c_str());
    }

    void cifar100LabelOutOfRange()
    {
        QTemporaryDir dir;
        std::vector<std::uint8_t> bytes = cifar100Bytes({ 1, 2 });
        bytes[3074 + 1] = 100; // fine label of record 1
        writeBytes(dir.path().toStdString() + "/test.bin", bytes);
        const std::string message = errorMessage([&] { readCifar100(dir.path().toStdString(), Split::Test, false); });
        QVERIFY2(contains(message, "test.bin") && contains(message, "record 1 has label 100"), message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCifarReader)
#include "tst_cifarreader.moc"
