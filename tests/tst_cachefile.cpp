#include "base/cachefile.h"
#include "fixtures.h"

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
