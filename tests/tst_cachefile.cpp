#include "base/cachefile.h"
#include "base/fileio.h"
#include "fixtures.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;

class TestCacheFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripAndDamage()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("x.ebc")).toStdString();
        std::vector<std::uint8_t> payload(5000);
        for (std::size_t i = 0; i < payload.size(); ++i)
            payload[i] = std::uint8_t(i * 7);
        writeCacheFile(path, "branch", payload);
        QCOMPARE(*readCacheFile(path, "branch"), payload);

        std::string problem;
        QVERIFY(!readCacheFile(path, "backbone", &problem));
        QVERIFY2(problem.find("other than backbone") != std::string::npos, problem.c_str());

        std::vector<std::uint8_t> bytes = payload;
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray raw = file.readAll();
        file.close();
        raw[raw.size() - 10] = char(raw[raw.size() - 10] ^ 0x40);
        fixtures::writeBytes(path, std::vector<std::uint8_t>(raw.begin(), raw.end()));
        QVERIFY(!readCacheFile(path, "branch", &problem));
        QVERIFY2(problem.find("checksum") != std::string::npos, problem.c_str());

        raw.chop(100);
        fixtures::writeBytes(path, std::vector<std::uint8_t>(raw.begin(), raw.end()));
        QVERIFY(!readCacheFile(path, "branch", &problem));
        QVERIFY2(problem.find("truncated") != std::string::npos, problem.c_str());

        QVERIFY(!readCacheFile(dir.filePath(QStringLiteral("none.ebc")).toStdString(), "branch", &problem));
        QVERIFY(problem.find("not cached yet") != std::string::npos);
    }

    void checksAFileOfAnyKind()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("b.ebc")).toStdString();
        writeCacheFile(path, "backbone", std::vector<std::uint8_t>(3000, 9));
        QCOMPARE(cacheFileProblem(path), std::string());
        std::vector<std::uint8_t> raw = readFileBytes(path);
        raw.resize(raw.size() - 1); // a writer killed mid-write, had it written in place
        fixtures::writeBytes(path, raw);
        QVERIFY2(cacheFileProblem(path).find("truncated: 2999 of 3000") != std::string::npos,
            cacheFileProblem(path).c_str());
        fixtures::writeBytes(path, { 1, 2, 3 });
        QCOMPARE(cacheFileProblem(path), std::string("not an Earlybird cache file"));
        const std::string missing = dir.filePath(QStringLiteral("none.ebc")).toStdString();
        QVERIFY(cacheFileProblem(missing).find(missing) != std::string::npos);
    }

    void tellsLeftoverTemporariesFromLiveOnes()
    {
        QVERIFY(isLeftoverTemporary("/c/x.ebc.tmp-999999999")); // no such process
        QVERIFY(!isLeftoverTemporary("/c/x.ebc.tmp-" + std::to_string(QCoreApplication::applicationPid())));
        QVERIFY(!isLeftoverTemporary("/c/x.ebc"));
        QVERIFY(!isLeftoverTemporary("/c/x.ebc.tmp-"));
        QVERIFY(!isLeftoverTemporary("/c/x.ebc.tmp-12a"));
    }

    void hashesDiffer()
    {
        QVERIFY(hashString("a") != hashString("b"));
        QCOMPARE(hashString("abc"), hashString("abc"));
        QCOMPARE(hexKey(255), std::string("00000000000000ff"));
    }

    void makesNestedFolders()
    {
        QTemporaryDir dir;
        const std::string nested = dir.filePath(QStringLiteral("a/b/c")).toStdString();
        makeDirectories(nested);
        QVERIFY(QDir(QString::fromStdString(nested)).exists());
    }
};

QTEST_GUILESS_MAIN(TestCacheFile)
#include "tst_cachefile.moc"
