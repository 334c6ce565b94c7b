#include "base/cachefile.h"
#include "base/fileio.h"
#include "fixtures.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/types.h>

using namespace earlybird::fixtures;

namespace {
struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(EARLYBIRD_CLI), arguments);
    Run run;
    if (!process.waitForFinished(120000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

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

    // Ctrl-C (SIGINT) during train-backbone stops it between batches with exit code 130, keeping the last whole
    // epoch; the same command resumes after it.
    void trainBackboneStopsAndResumes()
    {
        QTemporaryDir dir;
        const QStringList arguments { QStringLiteral("train-backbone"), QStringLiteral("--backbone"),
            QStringLiteral("fashion-resnet"), QStringLiteral("--dataset"), QStringLiteral("synthetic"),
            QStringLiteral("--path"), QStringLiteral("classes=3,train=300,test=60,shape=1x12x12,seed=4"),
            QStringLiteral("--epochs"), QStringLiteral("12"), QStringLiteral("--batch-size"), QStringLiteral("32"),
            QStringLiteral("--cache"), dir.path() };
        QProcess process;
        process.start(QStringLiteral(EARLYBIRD_CLI), arguments);
        QVERIFY(process.waitForStarted());
        // Waits for the first checkpoint, then interrupts.
        QString checkpoint;
        for (int wait = 0; wait < 600 && checkpoint.isEmpty(); ++wait) {
            QTest::qWait(100);
            for (const QFileInfo& folder : QDir(dir.path()).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                if (QFile::exists(folder.filePath() + QStringLiteral("/backbone-checkpoint.ebc")))
                    checkpoint = folder.filePath() + QStringLiteral("/backbone-checkpoint.ebc");
            }
        }
        QVERIFY2(!checkpoint.isEmpty(), "no checkpoint after 60 s");
        ::kill(pid_t(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(60000));
        const QByteArray err = process.readAllStandardError();
        QCOMPARE(process.exitCode(), 130);
        QVERIFY2(err.contains("the same command resumes from it"), err.constData());
        QVERIFY(QFile::exists(checkpoint));
        const Run resumed = runCli(arguments);
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        const QJsonObject report
            = QJsonDocument::fromJson(resumed.out).object().value(QStringLiteral("report")).toObject();
        QVERIFY(report.value(QStringLiteral("backbone_resumed_after_epoch")).toInt() >= 1);
        QVERIFY(!QFile::exists(checkpoint));
    }

    // train-backbone, evaluate and tune on a tiny synthetic task, sharing one cache folder.
    void trainEvaluateTune()
    {
        QTemporaryDir dir;
        const QStringList data { QStringLiteral("--dataset"), QStringLiteral("synthetic"), QStringLiteral("--path"),
            QStringLiteral("classes=3,train=300,test=90,shape=1x12x12,seed=2"), QStringLiteral("--epochs"),
            QStringLiteral("6"), QStringLiteral("--batch-size"), QStringLiteral("32"),
            QStringLiteral("--branch-epochs"), QStringLiteral("2"), QStringLiteral("--cache"), dir.path() };
        Run run = runCli(QStringList { QStringLiteral("train-backbone"), QStringLiteral("--backbone"),
                             QStringLiteral("fashion-resnet") }
            + data);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(QStringLiteral("backbone")).toString(), QStringLiteral("fashion-resnet"));
        QJsonObject report = json.value(QStringLiteral("report")).toObject();
        QVERIFY(!report.value(QStringLiteral("backbone_from_cache")).toBool());
        QVERIFY(report.value(QStringLiteral("backbone_test_accuracy")).toDouble() > 0.5);

        // An architecture on that backbone, reshaped for 1x12x12 images of 3 classes.
        const QString arch = dir.filePath(QStringLiteral("arch.json"));
        QFile file(arch);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"backbone": {"name": "fashion-resnet", "input": [1, 12, 12], "classes": 3, "blocks": [
            {"type": "conv", "out": 16, "kernel": 3, "stride": 1},
            {"type": "residual", "out": 16, "stride": 2, "shortcut": "projection"},
            {"type": "residual", "out": 16, "stride": 1, "shortcut": "projection"},
            {"type": "residual", "out": 32, "stride": 2, "shortcut": "projection"},
            {"type": "residual", "out": 32, "stride": 1, "shortcut": "projection"},
            {"type": "residual", "out": 64, "stride": 2, "shortcut": "projection"}]},
            "exits": [{"position": 1, "layers": [{"type": "conv3x3", "width": 1, "stride": 2}], "threshold": 0.4},
                      {"position": 3, "threshold": 0.4}]})");
        file.close();

        run = runCli(QStringList { QStringLiteral("evaluate"), arch } + data);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        json = QJsonDocument::fromJson(run.out).object();
        report = json.value(QStringLiteral("report")).toObject();
        QVERIFY(report.value(QStringLiteral("backbone_from_cache")).toBool()); // trained above, reused here
        QCOMPARE(report.value(QStringLiteral("branches_trained")).toInt(), 2);
        const QJsonObject test = json.value(QStringLiteral("test")).toObject();
        QCOMPARE(test.value(QStringLiteral("exit_rates")).toArray().size(), 3);
        double rates = 0;
        for (const QJsonValue& rate : test.value(QStringLiteral("exit_rates")).toArray())
            rates += rate.toDouble();
        QVERIFY(std::abs(rates - 1.0) < 1e-9);
        QCOMPARE(test.value(QStringLiteral("samples")).toInt(), 90);

        const QString tuned = dir.filePath(QStringLiteral("tuned.json"));
        run = runCli(QStringList { QStringLiteral("tune"), arch, QStringLiteral("--target-macs"),
                         QStringLiteral("0.6x"), QStringLiteral("--out"), tuned }
            + data);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        json = QJsonDocument::fromJson(run.out).object();
        report = json.value(QStringLiteral("report")).toObject();
        QCOMPARE(report.value(QStringLiteral("branches_trained")).toInt(), 0); // memoised on disk by evaluate
        QVERIFY(json.value(QStringLiteral("within_budget")).toBool());
        QVERIFY(json.value(QStringLiteral("validation")).toObject().value(QStringLiteral("macs_vs_backbone")).toDouble()
            <= 0.6 + 1e-9);
        QVERIFY(QFile::exists(tuned));

        run = runCli(
            QStringList { QStringLiteral("tune"), arch, QStringLiteral("--target-macs"), QStringLiteral("lots") }
            + data);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--target-macs takes a positive number of MACs"), run.err.constData());

        run = runCli(
            QStringList { QStringLiteral("evaluate"), arch, QStringLiteral("--thresholds"), QStringLiteral("0.5") }
            + data);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("--thresholds needs 2 values"));
    }

    // A whole search from the command line with another cost model: parameters used, a size cap, a relative target.
    void searchWithParameterCost()
    {
        QTemporaryDir dir;
        const Run run = runCli({ QStringLiteral("search"), QStringLiteral("--dataset"), QStringLiteral("synthetic"),
            QStringLiteral("--path"), QStringLiteral("classes=4,train=300,test=100"), QStringLiteral("--cost"),
            QStringLiteral("parameters"), QStringLiteral("--target"), QStringLiteral("0.7x"),
            QStringLiteral("--max-parameters"), QStringLiteral("120k"), QStringLiteral("--generations"),
            QStringLiteral("1"), QStringLiteral("--population"), QStringLiteral("4"), QStringLiteral("--epochs"),
            QStringLiteral("1"), QStringLiteral("--branch-epochs"), QStringLiteral("1"), QStringLiteral("--cache"),
            dir.filePath(QStringLiteral("cache")), QStringLiteral("--out"), dir.filePath(QStringLiteral("session")) });
        QCOMPARE(run.exitCode, 0);
        const QJsonObject summary = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(summary[QStringLiteral("cost_model")].toString(), QStringLiteral("parameters"));
        const double backbone = summary[QStringLiteral("backbone")].toObject()[QStringLiteral("cost")].toDouble();
        QVERIFY(backbone > 50000);
        QCOMPARE(summary[QStringLiteral("target")].toDouble(), 0.7 * backbone);
        const QJsonArray front = summary[QStringLiteral("front")].toArray();
        QVERIFY(!front.isEmpty());
        for (const QJsonValue& point : front)
            QVERIFY(point.toObject()[QStringLiteral("parameters")].toInteger() <= 120000);
        QVERIFY(!summary[QStringLiteral("threshold_front")].toArray().isEmpty());
        const QJsonObject best = summary[QStringLiteral("best_within_target")].toObject();
        QVERIFY(best[QStringLiteral("cost_vs_backbone")].toDouble() <= 0.7 + 1e-9);
        QVERIFY(summary[QStringLiteral("seconds")].toObject().contains(QStringLiteral("tuning")));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("session/session.db"))));
        // The session as one readable JSON document, on stdout or in a file that is not replaced without --force.
        const Run exported
            = runCli({ QStringLiteral("session"), QStringLiteral("export"), dir.filePath(QStringLiteral("session")) });
        QCOMPARE(exported.exitCode, 0);
        const QJsonObject document = QJsonDocument::fromJson(exported.out).object();
        QCOMPARE(document[QStringLiteral("format")].toString(), QStringLiteral("earlybird-session"));
        QCOMPARE(document[QStringLiteral("archive")].toArray().size(), summary[QStringLiteral("candidates")].toInt());
        const QString file = dir.filePath(QStringLiteral("export.json"));
        const QStringList toFile { QStringLiteral("session"), QStringLiteral("export"),
            dir.filePath(QStringLiteral("session")), QStringLiteral("--out"), file };
        QCOMPARE(runCli(toFile).exitCode, 0);
        QVERIFY(QFileInfo(file).size() > 1000);
        const Run again = runCli(toFile);
        QCOMPARE(again.exitCode, 2);
        QVERIFY(QString::fromUtf8(again.err).contains(QStringLiteral("--force")));
        QCOMPARE(runCli(toFile + QStringList { QStringLiteral("--force") }).exitCode, 0);

        // A candidate exported: JSON that `macs` reads, and clear errors for a bad call.
        const QString session = dir.filePath(QStringLiteral("session"));
        const QString network = dir.filePath(QStringLiteral("network.json"));
        const QStringList exportJson { QStringLiteral("export"), session, QStringLiteral("--candidate"),
            QStringLiteral("0"), QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--out"), network };
        Run run2 = runCli(exportJson);
        QCOMPARE(run2.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(run2.out).object()[QStringLiteral("files")].toArray().size(), 1);
        QCOMPARE(runCli({ QStringLiteral("macs"), network }).exitCode, 0);
        run2 = runCli(exportJson);
        QCOMPARE(run2.exitCode, 2);
        QVERIFY(run2.err.contains("--force"));
        run2 = runCli({ QStringLiteral("export"), session, QStringLiteral("--format"), QStringLiteral("json"),
            QStringLiteral("--out"), dir.filePath(QStringLiteral("x.json")) });
        QCOMPARE(run2.exitCode, 2);
        QVERIFY(run2.err.contains("--candidate"));
        run2 = runCli({ QStringLiteral("export"), session, QStringLiteral("--candidate"), QStringLiteral("999"),
            QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--out"),
            dir.filePath(QStringLiteral("x.json")) });
        QCOMPARE(run2.exitCode, 2); // an impossible request, as every ConfigError
        QVERIFY(run2.err.contains("no candidate 999"));
        run2 = runCli({ QStringLiteral("export"), session, QStringLiteral("--candidate"), QStringLiteral("0"),
            QStringLiteral("--format"), QStringLiteral("tflite"), QStringLiteral("--out"),
            dir.filePath(QStringLiteral("x.json")) });
        QCOMPARE(run2.exitCode, 2);
        QVERIFY(run2.err.contains("unknown export format 'tflite' (one of: json, weights, pytorch"));
        // The session's tables need no candidate.
        const QString frontCsv = dir.filePath(QStringLiteral("front.csv"));
        QCOMPARE(runCli({ QStringLiteral("export"), session, QStringLiteral("--format"), QStringLiteral("front-csv"),
                            QStringLiteral("--out"), frontCsv })
                     .exitCode,
            0);
        QVERIFY(QFileInfo(frontCsv).size() > 50);
    }

    // A search described in a file and rerun: `session export --config` writes every resolved option of a session
    // (here a parameter cost, a relative target and non-default training settings), and `search --config` with it
    // makes a session with the same settings. Options on the command line win over the file's.
    void configFileRerunsASearch()
    {
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("cache"));
        const Run first = runCli({ QStringLiteral("search"), QStringLiteral("--dataset"), QStringLiteral("synthetic"),
            QStringLiteral("--path"), QStringLiteral("classes=3,train=120,test=40,shape=1x12x12"),
            QStringLiteral("--cost"), QStringLiteral("parameters"), QStringLiteral("--target"), QStringLiteral("0.55x"),
            QStringLiteral("--generations"), QStringLiteral("1"), QStringLiteral("--population"), QStringLiteral("4"),
            QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--branch-epochs"), QStringLiteral("1"),
            QStringLiteral("--seed"), QStringLiteral("7"), QStringLiteral("--compose"), QStringLiteral("3"),
            QStringLiteral("--no-augment"), QStringLiteral("--label-smoothing"), QStringLiteral("0.1"),
            QStringLiteral("--cache"), cache, QStringLiteral("--out"), dir.filePath(QStringLiteral("a")) });
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const QString file = dir.filePath(QStringLiteral("a.toml"));
        const Run exported = runCli({ QStringLiteral("session"), QStringLiteral("export"),
            dir.filePath(QStringLiteral("a")), QStringLiteral("--config"), QStringLiteral("--out"), file });
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        QVERIFY2(exported.err.isEmpty(), exported.err.constData()); // every setting has an option
        QFile text(file);
        QVERIFY(text.open(QIODevice::ReadOnly));
        const QByteArray toml = text.readAll();
        QVERIFY(toml.contains("cost = \"parameters\""));
        QVERIFY(toml.contains("target = \"0.55000000000000004x\""));
        QVERIFY(toml.contains("no-augment = true"));
        // A flag the session did not set is written as false, and read back as not set (it used to read as set).
        QVERIFY(toml.contains("calibrate = false"));
        const Run second = runCli({ QStringLiteral("search"), QStringLiteral("--config"), file, QStringLiteral("--out"),
            dir.filePath(QStringLiteral("b")) });
        QVERIFY2(second.exitCode == 0, second.err.constData());
        const auto configOf = [](const QString& folder) {
            const Run run = runCli({ QStringLiteral("session"), QStringLiteral("export"), folder });
            return QJsonDocument::fromJson(run.out).object()[QStringLiteral("config")].toObject();
        };
        const QJsonObject a = configOf(dir.filePath(QStringLiteral("a")));
        QVERIFY(!a.isEmpty());
        QCOMPARE(configOf(dir.filePath(QStringLiteral("b"))), a);
        // The command line wins: another seed, the rest from the file.
        const Run third = runCli({ QStringLiteral("search"), QStringLiteral("--config"), file, QStringLiteral("--seed"),
            QStringLiteral("8"), QStringLiteral("--out"), dir.filePath(QStringLiteral("c")) });
        QVERIFY2(third.exitCode == 0, third.err.constData());
        QJsonObject c = configOf(dir.filePath(QStringLiteral("c")));
        QCOMPARE(c[QStringLiteral("seed")].toInt(), 8);
        c[QStringLiteral("seed")] = 7;
        QCOMPARE(c, a);
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

    void familySearchOnTheCommandLine()
    {
        Run run = runCli({ QStringLiteral("arch"), QStringLiteral("family"), QStringLiteral("fashion-resnet"),
            QStringLiteral("--size"), QStringLiteral("3") });
        QCOMPARE(run.exitCode, 0);
        const QJsonArray members = QJsonDocument::fromJson(run.out).object()[QStringLiteral("members")].toArray();
        QCOMPARE(members.size(), 3);
        QVERIFY(members[0].toObject()[QStringLiteral("macs_vs_base")].toDouble() < 0.5);
        QCOMPARE(members[1].toObject()[QStringLiteral("genes")].toString(), QStringLiteral("w1 d2.2.1"));
        QVERIFY(members[2].toObject()[QStringLiteral("macs_vs_base")].toDouble() > 1.5);
        run = runCli({ QStringLiteral("arch"), QStringLiteral("family"), QStringLiteral("fashion-resnet"),
            QStringLiteral("--members"), QStringLiteral("w1 d2.2") });
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--members: backbone member 'w1 d2.2'"), run.err.constData());

        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("family"));
        const QStringList search { QStringLiteral("search"), QStringLiteral("--dataset"), QStringLiteral("synthetic"),
            QStringLiteral("--path"), QStringLiteral("classes=3,train=240,test=60,shape=1x12x12"),
            QStringLiteral("--family-members"), QStringLiteral("w0.5 d1.1.1,w1 d2.2.1"),
            QStringLiteral("--time-budget"), QStringLiteral("0.12"), QStringLiteral("--population"),
            QStringLiteral("4"), QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--branch-epochs"),
            QStringLiteral("1"), QStringLiteral("--cache"), dir.filePath(QStringLiteral("cache")),
            QStringLiteral("--out"), out };
        run = runCli(search);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(run.out).object();
        QVERIFY(summary[QStringLiteral("finished")].toBool());
        QCOMPARE(summary[QStringLiteral("members")].toArray().size(), 2);
        QVERIFY(!summary[QStringLiteral("front")].toArray().isEmpty());
        QVERIFY(summary[QStringLiteral("hypervolume")].toObject()[QStringLiteral("validation")].toDouble() > 0);
        QVERIFY(run.err.contains("[w0.5 d1.1.1] backbone:"));
        QVERIFY(QFile::exists(out + QStringLiteral("/member0/session.db")));
        // The summary again from the folder, and a member's session is an ordinary one.
        run = runCli({ QStringLiteral("session"), QStringLiteral("family"), out });
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(run.out).object()[QStringLiteral("hypervolume")],
            summary[QStringLiteral("hypervolume")]);
        // Export the session of a member on the joint front: on a slow machine a member may finish no candidate.
        const QString onFront
            = summary[QStringLiteral("front")].toArray()[0].toObject()[QStringLiteral("member")].toString();
        QString memberSession;
        for (const QJsonValue& m : summary[QStringLiteral("members")].toArray())
            if (m.toObject()[QStringLiteral("genes")].toString() == onFront)
                memberSession = m.toObject()[QStringLiteral("session")].toString();
        QVERIFY2(!memberSession.isEmpty(), qPrintable(onFront));
        run = runCli({ QStringLiteral("session"), QStringLiteral("export"), memberSession });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        // A finished family resumed has nothing left to do; a second family in the folder is refused.
        run = runCli({ QStringLiteral("search"), QStringLiteral("--resume"), QStringLiteral("--out"), out });
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(run.out).object()[QStringLiteral("hypervolume")],
            summary[QStringLiteral("hypervolume")]);
        run = runCli(search);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("holds a session already"));
    }

    // A supernet over two members: each taken out as a state_dict that import-backbone brings in as any backbone.
    void trainSupernetTakesItsMembersOut()
    {
        QTemporaryDir dir;
        QStringList command { QStringLiteral("train-supernet"), QStringLiteral("--dataset"),
            QStringLiteral("synthetic"), QStringLiteral("--path"),
            QStringLiteral("classes=3,train=240,test=60,shape=1x12x12"), QStringLiteral("--members"),
            QStringLiteral("w0.5 d1.1.1,w1 d2.2.1"), QStringLiteral("--epochs"), QStringLiteral("1"),
            QStringLiteral("--cache"), dir.filePath(QStringLiteral("cache")) };
        Run run = runCli(command); // the largest trains alone for 2 epochs by default: more than there are
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("trains alone for 0 to 1 epochs"), run.err.constData());
        command << QStringLiteral("--largest-epochs") << QStringLiteral("0");
        run = runCli(command);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.err.contains("supernet w1 d2.2.1 over 2 members, kept in"));
        const QJsonObject summary = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(summary[QStringLiteral("supernet")].toString(), QStringLiteral("w1 d2.2.1"));
        QVERIFY(!summary[QStringLiteral("from_cache")].toBool());
        const QJsonObject small = summary[QStringLiteral("members")].toArray()[0].toObject();
        QCOMPARE(small[QStringLiteral("genes")].toString(), QStringLiteral("w0.5 d1.1.1"));
        QVERIFY(small[QStringLiteral("test_accuracy")].toDouble() > 0);
        const QString weights = small[QStringLiteral("weights")].toString();
        QVERIFY(QFile::exists(weights));
        QFile backbone(dir.filePath(QStringLiteral("small.json")));
        QVERIFY(backbone.open(QIODevice::WriteOnly));
        backbone.write(QJsonDocument(small[QStringLiteral("backbone")].toObject()).toJson());
        backbone.close();
        run = runCli({ QStringLiteral("import-backbone"), QStringLiteral("--dataset"), QStringLiteral("synthetic"),
            QStringLiteral("--path"), QStringLiteral("classes=3,train=240,test=60,shape=1x12x12"),
            QStringLiteral("--weights"), weights, QStringLiteral("--backbone"), backbone.fileName(),
            QStringLiteral("--cache"), dir.filePath(QStringLiteral("cache")) });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QJsonDocument::fromJson(run.out).object()[QStringLiteral("test_accuracy")].toDouble(),
            small[QStringLiteral("test_accuracy")].toDouble());
        run = runCli(command); // kept: only taken out again
        QVERIFY(QJsonDocument::fromJson(run.out).object()[QStringLiteral("from_cache")].toBool());
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
