#include "base/fileio.h"
#include "errorcapture.h"
#include "fixtures.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;

class TestFileIo : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return m_dir.filePath(QString::fromUtf8(name)).toStdString(); }
    static std::vector<std::uint8_t> sample()
    {
        std::vector<std::uint8_t> bytes(300000);
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = std::uint8_t((i * 13) ^ (i >> 7));
        return bytes;
    }

private Q_SLOTS:
    void readsPlainAndGzipAlike()
    {
        writeBytes(path("plain.bin"), sample());
        writeGzip(path("packed.gz"), sample());
        QCOMPARE(readFileBytes(path("plain.bin")), sample());
        QCOMPARE(readFileBytes(path("packed.gz")), sample());
    }

    void readsConcatenatedGzipMembers()
    {
        std::vector<std::uint8_t> twice = gzipBytes(sample());
        const std::vector<std::uint8_t> second = gzipBytes({ 1, 2, 3 });
        twice.insert(twice.end(), second.begin(), second.end());
        writeBytes(path("members.gz"), twice);
        std::vector<std::uint8_t> expected = sample();
        expected.insert(expected.end(), { 1, 2, 3 });
        QCOMPARE(readFileBytes(path("members.gz")), expected);
    }

    void truncatedGzipIsAnError()
    {
        std::vector<std::uint8_t> packed = gzipBytes(sample());
        packed.resize(packed.size() / 2);
        writeBytes(path("cut.gz"), packed);
        const std::string message = errorMessage([&] { readFileBytes(path("cut.gz")); });
        QVERIFY2(contains(message, path("cut.gz")) && contains(message, "truncated"), message.c_str());
    }

    void corruptGzipIsAnError()
    {
        std::vector<std::uint8_t> packed = gzipBytes(sample());
        for (std::size_t i = 20; i < 60; ++i)
            packed[i] ^= 0x5a;
        writeBytes(path("bad.gz"), packed);
        const std::string message = errorMessage([&] { readFileBytes(path("bad.gz")); });
        QVERIFY2(contains(message, path("bad.gz")) && (contains(message, "corrupt") || contains(message, "truncated")),
            message.c_str());
    }

    void missingFileAndFolderAreErrors()
    {
        std::string message = errorMessage([&] { readFileBytes(path("absent.bin")); });
        QVERIFY2(contains(message, path("absent.bin")) && contains(message, "cannot open"), message.c_str());
        message = errorMessage([&] { readFileBytes(m_dir.path().toStdString()); });
        QVERIFY2(contains(message, "folder"), message.c_str());
    }

    void atomicWriteReplacesWholeAndLeavesNoTemporary()
    {
        const std::string target = path("state.json");
        writeFileAtomically(target, std::string("first"));
        writeFileAtomically(target, std::string("second version"));
        const std::vector<std::uint8_t> bytes = readFileBytes(target);
        QCOMPARE(std::string(bytes.begin(), bytes.end()), std::string("second version"));
        const QStringList entries = QDir(m_dir.path()).entryList(QStringList { QStringLiteral("state.json*") });
        QCOMPARE(entries, QStringList { QStringLiteral("state.json") });
    }

    void atomicWriteIntoMissingFolderIsAnError()
    {
        const std::string message = errorMessage([&] { writeFileAtomically(path("no/such/dir/x"), std::string("x")); });
        QVERIFY2(contains(message, "cannot create"), message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestFileIo)
#include "tst_fileio.moc"
