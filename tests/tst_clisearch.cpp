// earlybird-cli's commands that train and search, run as a user runs them: backbone training stopped and resumed,
// evaluate and tune, searches (a cost model, a config file), the family search and the supernet.
#include "clirunner.h"
#include "fixtures.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/types.h>

using namespace earlybird::fixtures;

namespace {
using Run = CliRun;
} // namespace

class TestCliSearch : public QObject {
    Q_OBJECT
private Q_SLOTS:
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
        QVERIFY2(run.err.contains("training supernet: epoch 1/1"), run.err.constData());
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
};

QTEST_GUILESS_MAIN(TestCliSearch)
#include "tst_clisearch.moc"
