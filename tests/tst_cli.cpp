// earlybird-cli's commands that read data and architectures, its errors, its cache check and its help; the
// commands that train and search are tst_clisearch's.
#include "base/cachefile.h"
#include "base/fileio.h"
#include "clirunner.h"
#include "fixtures.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace earlybird::fixtures;

namespace {
using Run = CliRun;

QVector<qint64> integers(const QJsonArray& array)
{
    QVector<qint64> values;
    for (const QJsonValue& value : array)
        values << value.toInteger();
    return values;
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void inspectCifar10Folder()
    {
        QTemporaryDir dir;
        std::vector<std::uint8_t> labels;
        for (int i = 0; i < 20; ++i)
            labels.push_back(std::uint8_t(i < 11 ? 2 : 7));
        writeBytes(dir.path().toStdString() + "/data_batch_2.bin", cifar10Bytes(labels));
        const Run run = runCli({ QStringLiteral("data"), QStringLiteral("inspect"), QStringLiteral("--dataset"),
            QStringLiteral("cifar10"), QStringLiteral("--path"), dir.path() });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(QStringLiteral("count")).toInteger(), 20);
        QCOMPARE(json.value(QStringLiteral("classes")).toArray().size(), 10);
        QCOMPARE(integers(json.value(QStringLiteral("shape")).toArray()), (QVector<qint64> { 3, 32, 32 }));
        QCOMPARE(integers(json.value(QStringLiteral("label_histogram")).toArray()),
            (QVector<qint64> { 0, 0, 11, 0, 0, 0, 0, 9, 0, 0 }));
        QCOMPARE(json.value(QStringLiteral("mean")).toArray().size(), 3);
        QCOMPARE(json.value(QStringLiteral("std")).toArray().size(), 3);
    }

    void inspectSvhnMapsTenToClassZero()
    {
        QTemporaryDir dir;
        writeSvhnMat(dir.path().toStdString() + "/test_32x32.mat", { 10, 10, 3 });
        const Run run = runCli({ QStringLiteral("data"), QStringLiteral("inspect"), QStringLiteral("--dataset=svhn"),
            QStringLiteral("--path"), dir.path(), QStringLiteral("--split"), QStringLiteral("test") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(integers(json.value(QStringLiteral("label_histogram")).toArray()),
            (QVector<qint64> { 2, 0, 0, 1, 0, 0, 0, 0, 0, 0 }));
    }

    void inspectSyntheticMeanIsPlausible()
    {
        const Run run = runCli({ QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("data"),
            QStringLiteral("inspect"), QStringLiteral("--dataset"), QStringLiteral("synthetic"),
            QStringLiteral("--path"), QStringLiteral("classes=3,train=30,test=12,shape=2x8x8") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(QStringLiteral("count")).toInteger(), 30);
        const double mean = json.value(QStringLiteral("mean")).toArray().at(0).toDouble();
        QVERIFY(mean > 0.05 && mean < 0.95);
    }

    void badInputExitsNonZeroWithMessage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing folder") << QStringList { QStringLiteral("data"), QStringLiteral("inspect"),
            QStringLiteral("--dataset"), QStringLiteral("mnist"), QStringLiteral("--path"),
            QStringLiteral("/nonexistent/x") }
                                        << 1 << QStringLiteral("/nonexistent/x: no such folder");
        QTest::newRow("unknown data set") << QStringList { QStringLiteral("data"), QStringLiteral("inspect"),
            QStringLiteral("--dataset"), QStringLiteral("imagenet") }
                                          << 2 << QStringLiteral("unknown data set 'imagenet'");
        QTest::newRow("unknown option") << QStringList { QStringLiteral("data"), QStringLiteral("inspect"),
            QStringLiteral("--colour") } << 2
                                        << QStringLiteral("unknown option --colour");
        QTest::newRow("bad threads") << QStringList { QStringLiteral("--threads"), QStringLiteral("many"),
            QStringLiteral("data") } << 2
                                     << QStringLiteral("--threads needs a whole number");
        QTest::newRow("unknown command") << QStringList { QStringLiteral("fly") } << 2
                                         << QStringLiteral("unknown command 'fly'");
        QTest::newRow("missing value") << QStringList { QStringLiteral("search"), QStringLiteral("--population") } << 2
                                       << QStringLiteral("--population needs a value (P)");
        QTest::newRow("missing config file") << QStringList { QStringLiteral("search"), QStringLiteral("--config"),
            QStringLiteral("/nonexistent/a.toml"), QStringLiteral("--out"), QStringLiteral("/nonexistent/s") }
                                             << 2 << QStringLiteral("/nonexistent/a.toml");
        const QStringList search { QStringLiteral("search"), QStringLiteral("--dataset"), QStringLiteral("synthetic"),
            QStringLiteral("--path"), QStringLiteral("classes=4,train=100,test=40"), QStringLiteral("--out"),
            QStringLiteral("/nonexistent/session") };
        QTest::newRow("unknown cost") << search + QStringList { QStringLiteral("--cost"), QStringLiteral("energy") }
                                      << 2
                                      << QStringLiteral(
                                             "unknown cost model 'energy' (one of: macs, latency, parameters)");
        QTest::newRow("MAC target for latency") << search
                + QStringList { QStringLiteral("--cost"), QStringLiteral("latency"), QStringLiteral("--target-macs"),
                      QStringLiteral("0.5x") } << 2
                                                << QStringLiteral("with --cost latency use --target");
        QTest::newRow("bad latency target")
            << search
                + QStringList { QStringLiteral("--cost"), QStringLiteral("latency"), QStringLiteral("--target"),
                      QStringLiteral("5furlongs") }
            << 2 << QStringLiteral("--target takes a latency per sample (800us, 1.5ms)");
        QTest::newRow("fractional size limit")
            << search + QStringList { QStringLiteral("--max-parameters"), QStringLiteral("0.5x") } << 2
            << QStringLiteral("--max-parameters takes a number of parameters");
    }
    void badInputExitsNonZeroWithMessage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run run = runCli(arguments);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
        QVERIFY(run.out.isEmpty());
    }

    void corruptFileNamedOnStderr()
    {
        QTemporaryDir dir;
        std::vector<std::uint8_t> bytes = cifar10Bytes({ 1, 2, 3 });
        bytes.pop_back();
        const std::string path = dir.path().toStdString() + "/test_batch.bin";
        writeBytes(path, bytes);
        const Run run = runCli(
            { QStringLiteral("data"), QStringLiteral("inspect"), QStringLiteral("--dataset"), QStringLiteral("cifar10"),
                QStringLiteral("--path"), dir.path(), QStringLiteral("--split"), QStringLiteral("test") });
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QByteArray::fromStdString(path)), run.err.constData());
    }

    void macsOfAPreset()
    {
        const Run run = runCli({ QStringLiteral("macs"), QStringLiteral("resnet20") });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(QStringLiteral("backbone_macs")).toInteger(), 40551040);
        QCOMPARE(json.value(QStringLiteral("backbone_parameters")).toInteger(), 269722);
        QCOMPARE(json.value(QStringLiteral("blocks")).toArray().size(), 10);
        const QJsonArray exits = json.value(QStringLiteral("exits")).toArray();
        QCOMPARE(exits.size(), 1);
        QVERIFY(exits.at(0).toObject().value(QStringLiteral("final")).toBool());
    }

    // --latency times the parts into the cache's table and adds microseconds that sum along each path.
    void macsWithLatency()
    {
        QTemporaryDir cache;
        const Run run = runCli({ QStringLiteral("macs"), QStringLiteral("fashion-resnet"), QStringLiteral("--latency"),
            QStringLiteral("--cache"), cache.path() });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        double blocks = 0;
        for (const QJsonValue& block : json.value(QStringLiteral("blocks")).toArray()) {
            QVERIFY(block.toObject().value(QStringLiteral("micros")).toDouble() > 0);
            blocks += block.toObject().value(QStringLiteral("micros")).toDouble();
        }
        const QJsonObject final = json.value(QStringLiteral("exits")).toArray().last().toObject();
        const double head = final.value(QStringLiteral("head_micros")).toDouble();
        QVERIFY(head > 0);
        QVERIFY(std::abs(json.value(QStringLiteral("backbone_micros")).toDouble() - (blocks + head)) < 1e-6 * blocks);
        QVERIFY(json.value(QStringLiteral("latency_table")).toString().startsWith(cache.path()));
        QVERIFY(QFile::exists(json.value(QStringLiteral("latency_table")).toString()));
    }

    void sampledArchitectureFeedsMacs()
    {
        QTemporaryDir dir;
        const Run sample = runCli({ QStringLiteral("arch"), QStringLiteral("sample"), QStringLiteral("--backbone"),
            QStringLiteral("fashion-resnet"), QStringLiteral("--seed"), QStringLiteral("4") });
        QVERIFY2(sample.exitCode == 0, sample.err.constData());
        QCOMPARE(runCli({ QStringLiteral("arch"), QStringLiteral("sample"), QStringLiteral("--backbone"),
                            QStringLiteral("fashion-resnet"), QStringLiteral("--seed"), QStringLiteral("4") })
                     .out,
            sample.out);
        const QJsonObject architecture = QJsonDocument::fromJson(sample.out).object();
        const int exitCount = architecture.value(QStringLiteral("exits")).toArray().size();
        const QString path = dir.filePath(QStringLiteral("arch.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(sample.out);
        file.close();
        const Run macs = runCli({ QStringLiteral("macs"), path });
        QVERIFY2(macs.exitCode == 0, macs.err.constData());
        const QJsonObject cost = QJsonDocument::fromJson(macs.out).object();
        const QJsonArray exits = cost.value(QStringLiteral("exits")).toArray();
        QCOMPARE(exits.size(), exitCount + 1);
        // Cumulative cost grows exit by exit, and the final exit's taken-branch-only cost is the backbone's.
        qint64 previous = 0;
        for (const QJsonValue& exit : exits) {
            const qint64 cumulative = exit.toObject().value(QStringLiteral("cumulative_macs")).toInteger();
            QVERIFY(cumulative > previous);
            previous = cumulative;
        }
        QCOMPARE(exits.last().toObject().value(QStringLiteral("cumulative_macs_taken_branch_only")).toInteger(),
            cost.value(QStringLiteral("backbone_macs")).toInteger());
    }

    void macsOfABrokenFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("arch.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"backbone": "resnet20", "exits": [{"position": 12}]})");
        file.close();
        const Run run = runCli({ QStringLiteral("macs"), path });
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString::fromUtf8(run.err).contains(path + QStringLiteral(": exit 0 is at position 12")),
            run.err.constData());
    }

    void cacheCheckFindsTornFiles()
    {
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("cache"));
        const std::string branches = (cache + QStringLiteral("/k/branches")).toStdString();
        earlybird::makeDirectories(branches);
        earlybird::writeCacheFile(branches + "/a.ebc", "branch", std::vector<std::uint8_t>(500, 1));
        earlybird::writeFileAtomically((cache + QStringLiteral("/k/backbone.json")).toStdString(), "{}\n");
        // A killed writer's temporary (its process gone) is listed, never counted as bad, and --clean removes it.
        writeBytes(branches + "/b.ebc.tmp-999999999", { 1, 2 });
        Run run = runCli({ QStringLiteral("cache"), QStringLiteral("check"), QStringLiteral("--cache"), cache });
        QCOMPARE(run.exitCode, 0);
        QJsonObject report = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(report[QStringLiteral("files")].toInt(), 2);
        QCOMPARE(report[QStringLiteral("temporary")].toArray().size(), 1);

        std::vector<std::uint8_t> raw = earlybird::readFileBytes(branches + "/a.ebc");
        raw.resize(raw.size() - 7);
        writeBytes(branches + "/a.ebc", raw);
        run = runCli({ QStringLiteral("cache"), QStringLiteral("check"), QStringLiteral("--cache"), cache,
            QStringLiteral("--clean") });
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("a.ebc: truncated: 493 of 500"), run.err.constData());
        QVERIFY(!QFile::exists(QString::fromStdString(branches + "/b.ebc.tmp-999999999")));
    }

    void helpListsCommandsAndOptions()
    {
        Run run = runCli({ QStringLiteral("--help") });
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("data inspect"));
        QVERIFY(run.out.contains("--threads"));
        run = runCli({ QStringLiteral("data"), QStringLiteral("inspect"), QStringLiteral("--help") });
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("--split"));
        QVERIFY(run.out.contains("label_histogram"));
        run = runCli({ QStringLiteral("search"), QStringLiteral("--help") });
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("--cost"));
        QVERIFY(run.out.contains("--max-parameters"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
