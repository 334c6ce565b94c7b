#include "data/idxreader.h"
#include "errorcapture.h"
#include "fixtures.h"

#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;

class TestIdxReader : public QObject {
    Q_OBJECT
private:
    static std::string folderOf(const QTemporaryDir& dir) { return dir.path().toStdString(); }

private Q_SLOTS:
    void readsBothSplits_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("raw") << false;
        QTest::newRow("gzip") << true;
    }
    void readsBothSplits()
    {
        QFETCH(bool, gzip);
        QTemporaryDir dir;
        writeIdxFolder(folderOf(dir), 23, 7, 28, 28, gzip);
        const Dataset train = readIdxDataset(folderOf(dir), Split::Train, IdxFlavour::FashionMnist);
        QCOMPARE(train.size(), 23);
        QCOMPARE(train.shape(), (ImageShape { 1, 28, 28 }));
        QCOMPARE(train.numClasses(), 10);
        QCOMPARE(train.classNames().front(), std::string("T-shirt/top"));
        QCOMPARE(train.label(13), 3);
        QCOMPARE(train.image(5)[100], pixelValue(5, 100));
        QCOMPARE(train.image(22)[783], pixelValue(22, 783));
        const Dataset test = readIdxDataset(folderOf(dir), Split::Test, IdxFlavour::Mnist);
        QCOMPARE(test.size(), 7);
        QCOMPARE(test.classNames()[7], std::string("7"));
        QCOMPARE(test.labelHistogram(), (std::vector<std::int64_t> { 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }));
    }

    void acceptsDottedNames()
    {
        QTemporaryDir dir;
        const std::vector<std::uint8_t> pixels(2 * 4 * 4, 9);
        writeBytes(folderOf(dir) + "/train-images.idx3-ubyte", idxBytes({ 2, 4, 4 }, pixels));
        writeBytes(folderOf(dir) + "/train-labels.idx1-ubyte", idxBytes({ 2 }, { 1, 8 }));
        const Dataset train = readIdxDataset(folderOf(dir), Split::Train, IdxFlavour::Mnist);
        QCOMPARE(train.size(), 2);
        QCOMPARE(train.shape(), (ImageShape { 1, 4, 4 }));
        QCOMPARE(train.label(1), 8);
    }

    void badInputNamesFileAndProblem_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("problem");
        QTest::newRow("truncated images")
            << QStringLiteral("truncate") << QStringLiteral("train-images-idx3-ubyte") << QStringLiteral("truncated");
        QTest::newRow("wrong magic") << QStringLiteral("magic") << QStringLiteral("train-images-idx3-ubyte")
                                     << QStringLiteral("not an IDX file");
        QTest::newRow("float data") << QStringLiteral("type") << QStringLiteral("train-images-idx3-ubyte")
                                    << QStringLiteral("not unsigned byte");
        QTest::newRow("trailing bytes") << QStringLiteral("trailing") << QStringLiteral("train-images-idx3-ubyte")
                                        << QStringLiteral("bytes follow");
        QTest::newRow("label out of range") << QStringLiteral("label") << QStringLiteral("train-labels-idx1-ubyte")
                                            << QStringLiteral("outside the classes");
        QTest::newRow("count mismatch") << QStringLiteral("count") << QStringLiteral("train-labels-idx1-ubyte")
                                        << QStringLiteral("holds 4 labels but");
        QTest::newRow("labels missing") << QStringLiteral("nolabels") << QStringLiteral("")
                                        << QStringLiteral("expected train-labels-idx1-ubyte");
        QTest::newRow("images are a label file")
            << QStringLiteral("rank") << QStringLiteral("train-images-idx3-ubyte") << QStringLiteral("has rank 1");
    }
    void badInputNamesFileAndProblem()
    {
        QFETCH(QString, damage);
        QFETCH(QString, file);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        const std::string folder = folderOf(dir);
        writeIdxFolder(folder, 5, 5, 6, 6, false);
        const std::string images = folder + "/train-images-idx3-ubyte";
        const std::string labels = folder + "/train-labels-idx1-ubyte";
        std::vector<std::uint8_t> pixels(5 * 36, 1);
        if (damage == QStringLiteral("truncate")) {
            std::vector<std::uint8_t> bytes = idxBytes({ 5, 6, 6 }, pixels);
            bytes.resize(bytes.size() - 10);
            writeBytes(images, bytes);
        } else if (damage == QStringLiteral("magic")) {
            std::vector<std::uint8_t> bytes = idxBytes({ 5, 6, 6 }, pixels);
            bytes[0] = 0x1e; // not gzip's 0x1f 0x8b either
            writeBytes(images, bytes);
        } else if (damage == QStringLiteral("type")) {
            std::vector<std::uint8_t> bytes = idxBytes({ 5, 6, 6 }, pixels);
            bytes[2] = 0x0D;
            writeBytes(images, bytes);
        } else if (damage == QStringLiteral("trailing")) {
            std::vector<std::uint8_t> bytes = idxBytes({ 5, 6, 6 }, pixels);
            bytes.push_back(0);
            writeBytes(images, bytes);
        } else if (damage == QStringLiteral("label")) {
            writeBytes(labels, idxBytes({ 5 }, { 0, 1, 12, 3, 4 }));
        } else if (damage == QStringLiteral("count")) {
            writeBytes(labels, idxBytes({ 4 }, { 0, 1, 2, 3 }));
        } else if (damage == QStringLiteral("nolabels")) {
            QVERIFY(QFile::remove(QString::fromStdString(labels)));
        } else if (damage == QStringLiteral("rank")) {
            writeBytes(images, idxBytes({ 5 }, { 0, 1, 2, 3, 4 }));
        }
        const std::string message
            = errorMessage([&] { readIdxDataset(folder, Split::Train, IdxFlavour::FashionMnist); });
        QVERIFY2(!message.empty(), "no error was raised");
        const std::string expectedFile = file.isEmpty() ? folder : folder + "/" + file.toStdString();
        QVERIFY2(contains(message, expectedFile), message.c_str());
        QVERIFY2(contains(message, problem.toStdString()), message.c_str());
    }

    void missingFolderIsAnError()
    {
        const std::string message
            = errorMessage([] { readIdxDataset("/nonexistent/fashion", Split::Train, IdxFlavour::FashionMnist); });
        QVERIFY2(contains(message, "/nonexistent/fashion") && contains(message, "no such folder"), message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestIdxReader)
#include "tst_idxreader.moc"
