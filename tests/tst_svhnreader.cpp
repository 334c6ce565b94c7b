#include "data/svhnreader.h"
#include "errorcapture.h"
#include "fixtures.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace earlybird;
using namespace earlybird::fixtures;

class TestSvhnReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsColumnMajorPixelsAndMapsTenToZero_data()
    {
        QTest::addColumn<bool>("compressed");
        QTest::newRow("uncompressed") << false;
        QTest::newRow("compressed") << true;
    }
    void readsColumnMajorPixelsAndMapsTenToZero()
    {
        QFETCH(bool, compressed);
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        SvhnOptions options;
        options.compressed = compressed;
        writeSvhnMat(folder + "/train_32x32.mat", { 10, 1, 9, 10, 5 }, options);
        const Dataset train = readSvhn(folder, Split::Train, false);
        QCOMPARE(train.size(), 5);
        QCOMPARE(train.shape(), (ImageShape { 3, 32, 32 }));
        QCOMPARE(train.labels(), (std::vector<std::int64_t> { 0, 1, 9, 0, 5 }));
        QCOMPARE(train.labelHistogram()[0], 2);
        // Pixel (c, row, column) of image n sits at c*1024 + row*32 + column in our layout.
        for (const int n : { 0, 4 }) {
            for (const int at : { 0, 1, 31, 32, 33, 1024 + 5 * 32 + 17, 2047, 3071 })
                QCOMPARE(train.image(n)[at], pixelValue(n, at));
        }
    }

    void extraJoinsTraining()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        writeSvhnMat(folder + "/train_32x32.mat", { 1, 2 });
        std::string message = errorMessage([&] { readSvhn(folder, Split::Train, true); });
        QVERIFY2(contains(message, "extra_32x32.mat"), message.c_str());
        writeSvhnMat(folder + "/extra_32x32.mat", { 3, 4, 10 });
        const Dataset train = readSvhn(folder, Split::Train, true);
        QCOMPARE(train.labels(), (std::vector<std::int64_t> { 1, 2, 3, 4, 0 }));
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("problem");
        QTest::newRow("no X") << QStringLiteral("noX") << QStringLiteral("variable 'X'");
        QTest::newRow("no y") << QStringLiteral("noY") << QStringLiteral("variable 'y'");
        QTest::newRow("wrong shape") << QStringLiteral("shape") << QStringLiteral("X is 28x28x3x3");
        QTest::newRow("label 11") << QStringLiteral("label") << QStringLiteral("label 1 is 11");
        QTest::newRow("fractional label") << QStringLiteral("fraction") << QStringLiteral("label 2 is 2.5");
        QTest::newRow("not a mat file") << QStringLiteral("text")
                                        << QStringLiteral("not a MATLAB v5 or v7.3 .mat file");
        // Found by fuzz_svhn: 33 bytes that libmatio read as a v4 header and answered with 2 GB and 14 s of work.
        QTest::newRow("v4 header") << QStringLiteral("v4") << QStringLiteral("not a MATLAB v5 or v7.3 .mat file");
        // Found by fuzz_svhn (session 10): a v5-looking header, 'IM' mark and all, with version 0x2d4d, which libmatio
        // also reads as v4 (1.9 GB for a 167-byte file).
        QTest::newRow("unknown version") << QStringLiteral("version")
                                         << QStringLiteral("not a MATLAB v5 or v7.3 .mat file");
        QTest::newRow("claims more than the file holds")
            << QStringLiteral("huge") << QStringLiteral("claims 32x32x3x2147483647 elements");
        QTest::newRow("truncated") << QStringLiteral("truncated") << QStringLiteral("");
    }
    void badInput()
    {
        QFETCH(QString, damage);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/test_32x32.mat";
        SvhnOptions options;
        std::vector<double> labels { 1, 2, 3 };
        if (damage == QStringLiteral("noX"))
            options.writeX = false;
        else if (damage == QStringLiteral("noY"))
            options.writeY = false;
        else if (damage == QStringLiteral("shape"))
            options.side = 28;
        else if (damage == QStringLiteral("label"))
            labels = { 1, 11, 3 };
        else if (damage == QStringLiteral("fraction"))
            labels = { 1, 2, 2.5 };
        else if (damage == QStringLiteral("huge"))
            options.compressed = false; // so that X's dimensions can be found and changed
        writeSvhnMat(path, labels, options);
        if (damage == QStringLiteral("text")) {
            const std::string text = "this is not MATLAB data at all, just some words in a file";
            writeBytes(path, std::vector<std::uint8_t>(text.begin(), text.end()));
        } else if (damage == QStringLiteral("v4")) {
            std::vector<std::uint8_t> bytes { 0x0a, 0, 0, 0, 0, 0, 0, 0x68 };
            bytes.resize(33, 0x68);
            writeBytes(path, bytes);
        } else if (damage == QStringLiteral("version")) {
            std::vector<std::uint8_t> bytes(167, 0x6f);
            std::fill(bytes.begin(), bytes.begin() + 7, 0);
            bytes[124] = 0x4d;
            bytes[125] = 0x2d;
            bytes[126] = 'I';
            bytes[127] = 'M';
            writeBytes(path, bytes);
        } else if (damage == QStringLiteral("huge")) {
            // X's dimensions, int32 little-endian 32, 32, 3, 3: the image count becomes 2^31 - 1.
            std::vector<std::uint8_t> bytes = readFile(path);
            const std::uint8_t dims[] = { 32, 0, 0, 0, 32, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0 };
            const auto at = std::search(bytes.begin(), bytes.end(), std::begin(dims), std::end(dims));
            QVERIFY(at != bytes.end());
            const std::uint8_t count[] = { 0xff, 0xff, 0xff, 0x7f };
            std::copy(std::begin(count), std::end(count), at + 12);
            writeBytes(path, bytes);
        } else if (damage == QStringLiteral("truncated")) {
            std::vector<std::uint8_t> bytes = readFile(path);
            bytes.resize(bytes.size() * 2 / 3);
            writeBytes(path, bytes);
        }
        const std::string message = errorMessage([&] { readSvhn(dir.path().toStdString(), Split::Test, false); });
        QVERIFY2(!message.empty(), "no error was raised");
        QVERIFY2(contains(message, path), message.c_str());
        QVERIFY2(contains(message, problem.toStdString()), message.c_str());
    }

    void missingFileIsNamed()
    {
        QTemporaryDir dir;
        const std::string message = errorMessage([&] { readSvhn(dir.path().toStdString(), Split::Train, false); });
        QVERIFY2(contains(message, "train_32x32.mat"), message.c_str());
    }

private:
    static std::vector<std::uint8_t> readFile(const std::string& path)
    {
        QFile file(QString::fromStdString(path));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        const QByteArray data = file.readAll();
        return std::vector<std::uint8_t>(data.begin(), data.end());
    }
};

QTEST_GUILESS_MAIN(TestSvhnReader)
#include "tst_svhnreader.moc"
