#include "base/fileio.h"
#include "errorcapture.h"
#include "fixtures.h"
#include "model/architecture.h"
#include "model/backbonepresets.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;
using Json = nlohmann::ordered_json;

namespace {
Architecture threeExitNetwork()
{
    Architecture architecture;
    architecture.backbone = backbonePreset("fashion-resnet");
    architecture.confidence = ConfidenceMeasure::Entropy;
    architecture.exits = {
        { 0, { { BranchLayerType::DepthwiseSeparable5x5, 0.5, 2 }, { BranchLayerType::MaxPool2x2, 1.0, 2 } }, 0.9 },
        { 2, {}, 0.25 },
        { 3,
            { { BranchLayerType::Conv3x3, 2.0, 1 }, { BranchLayerType::AvgPool2x2, 1.0, 2 },
                { BranchLayerType::Pointwise1x1, 1.0, 2 } },
            1.0 / 3.0 },
    };
    return architecture;
}
} // namespace

class TestArchitecture : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonRoundTripsExactly()
    {
        const Architecture architecture = threeExitNetwork();
        const Json json = architectureToJson(architecture);
        const Architecture back = architectureFromJson(json, "test");
        QVERIFY(back == architecture);
        QCOMPARE(architectureToJson(back).dump(), json.dump());
        // Through text as well (thresholds such as 1/3 must survive printing).
        QVERIFY(architectureFromJson(Json::parse(json.dump(2)), "test") == architecture);
        // A temperature is written only when it is not 1 (files of uncalibrated networks stay as they were), and
        // read back exactly.
        QVERIFY(!contains(json.dump(), "temperature"));
        Architecture calibrated = architecture;
        calibrated.exits[1].temperature = 1.0 / 0.7;
        QVERIFY(!(calibrated == architecture));
        const Json withTemperature = architectureToJson(calibrated);
        QVERIFY(withTemperature["exits"][1].contains("temperature")
            && !withTemperature["exits"][0].contains("temperature"));
        QVERIFY(architectureFromJson(Json::parse(withTemperature.dump()), "test") == calibrated);
    }

    void fileRoundTripAndPresetByName()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("arch.json")).toStdString();
        saveArchitectureFile(threeExitNetwork(), path);
        QVERIFY(loadArchitectureFile(path) == threeExitNetwork());
        const Architecture byName
            = architectureFromJson(Json::parse(R"({"backbone": "resnet20", "exits": [{"position": 8}]})"), "t");
        QCOMPARE(byName.backbone.blocks.size(), std::size_t(10));
        QCOMPARE(byName.exits.at(0).threshold, 1.0);
        QVERIFY(byName.confidence == ConfidenceMeasure::ScoreMargin);

        // A backbone of one's own where a preset's name goes: a backbone file, or an architecture file's backbone.
        BackboneSpec own = backbonePreset("fashion-resnet");
        own.name = "my-net";
        own.blocks.pop_back();
        const std::string backboneFile = dir.filePath(QStringLiteral("my-net.json")).toStdString();
        writeFileAtomically(backboneFile, backboneToJson(own).dump(2));
        QVERIFY(backboneFromPresetOrFile(backboneFile) == own);
        QVERIFY(architectureFromPresetOrFile(backboneFile).backbone == own);
        QVERIFY(architectureFromPresetOrFile(backboneFile).exits.empty());
        QVERIFY(backboneFromPresetOrFile(path) == threeExitNetwork().backbone);
        QVERIFY(backboneFromPresetOrFile("resnet20") == backbonePreset("resnet20"));
        const std::string missing = errorMessage([] { backboneFromPresetOrFile("/nowhere/net.json"); });
        QVERIFY2(contains(missing, "no backbone preset '/nowhere/net.json' and no such file"), missing.c_str());
        writeFileAtomically(backboneFile, "{\"blocks\": [");
        QVERIFY(contains(errorMessage([&] { backboneFromPresetOrFile(backboneFile); }), "malformed JSON"));
    }

    void everyPresetIsValid()
    {
        QVERIFY(backbonePresetNames().size() >= 3);
        for (const std::string& name : backbonePresetNames()) {
            const BackboneSpec backbone = backbonePreset(name);
            QCOMPARE(backbone.name, name);
            QVERIFY(backboneFromJson(backboneToJson(backbone), name) == backbone);
        }
        QVERIFY(contains(errorMessage([] { backbonePreset("vgg99"); }), "known: "));
    }

    void invalidArchitecturesAreNamed_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("problem");
        const QString head = QStringLiteral(R"({"backbone": "fashion-resnet", )");
        QTest::newRow("unknown layer") << head
                + QStringLiteral(R"("exits": [{"position": 1, "layers": [{"type": "conv7x7"}]}]})")
                                       << QStringLiteral("unknown layer type 'conv7x7'");
        // Found by fuzz/fuzz_backbone_json: a backbone named by a number escaped as a JSON library error.
        QTest::newRow("backbone name not text")
            << QStringLiteral(R"({"backbone": {"name": 23021, "input": [1, 28, 28], "classes": 10, "blocks": []}})")
            << QStringLiteral("'name' must be text");
        QTest::newRow("no such position")
            << head + QStringLiteral(R"("exits": [{"position": 9}]})") << QStringLiteral("early-exit positions 0 to 4");
        QTest::newRow("final position") << head + QStringLiteral(R"("exits": [{"position": 5}]})")
                                        << QStringLiteral("final classifier");
        QTest::newRow("threshold above 1") << head + QStringLiteral(R"("exits": [{"position": 1, "threshold": 1.5}]})")
                                           << QStringLiteral("outside [0, 1]");
        QTest::newRow("negative threshold")
            << head + QStringLiteral(R"("exits": [{"position": 1, "threshold": -0.1}]})")
            << QStringLiteral("outside [0, 1]");
        QTest::newRow("zero temperature") << head + QStringLiteral(R"("exits": [{"position": 1, "temperature": 0}]})")
                                          << QStringLiteral("temperature 0.000000 is outside [0.01, 100]");
        QTest::newRow("temperature not a number")
            << head + QStringLiteral(R"("exits": [{"position": 1, "temperature": "hot"}]})")
            << QStringLiteral("'temperature' must be a number");
        QTest::newRow("two at one position") << head + QStringLiteral(R"("exits": [{"position": 1}, {"position": 1}]})")
                                             << QStringLiteral("two exits at position 1");
        QTest::newRow("out of order") << head + QStringLiteral(R"("exits": [{"position": 2}, {"position": 1}]})")
                                      << QStringLiteral("in order of position");
        QTest::newRow("too deep") << head
                + QStringLiteral(
                    R"("exits": [{"position": 1, "layers": [{"type": "pw1x1"}, {"type": "pw1x1"}, {"type": "pw1x1"}, {"type": "pw1x1"}, {"type": "pw1x1"}, {"type": "pw1x1"}, {"type": "pw1x1"}]}]})")
                                  << QStringLiteral("at most 6");
        QTest::newRow("bad stride") << head
                + QStringLiteral(R"("exits": [{"position": 1, "layers": [{"type": "conv3x3", "stride": 3}]}]})")
                                    << QStringLiteral("stride must be 1 or 2");
        QTest::newRow("zero width") << head
                + QStringLiteral(R"("exits": [{"position": 1, "layers": [{"type": "conv3x3", "width": 0}]}]})")
                                    << QStringLiteral("width must be above 0");
        QTest::newRow("unknown measure") << head + QStringLiteral(R"("confidence": "vibes"})")
                                         << QStringLiteral("unknown confidence measure 'vibes'");
        QTest::newRow("unknown block") << QStringLiteral(
            R"({"backbone": {"name": "b", "input": [1, 8, 8], "classes": 2, "blocks": [{"type": "attention", "out": 4}]}})")
                                       << QStringLiteral("unknown block type 'attention'");
        QTest::newRow("block without out") << QStringLiteral(
            R"({"backbone": {"name": "b", "input": [1, 8, 8], "classes": 2, "blocks": [{"type": "conv"}]}})")
                                           << QStringLiteral("'out' must be");
        QTest::newRow("even kernel") << QStringLiteral(
            R"({"backbone": {"name": "b", "input": [1, 8, 8], "classes": 2, "blocks": [{"type": "conv", "out": 4, "kernel": 4}]}})")
                                     << QStringLiteral("'kernel' must be odd");
        QTest::newRow("bad input") << QStringLiteral(
            R"({"backbone": {"name": "b", "input": [8, 8], "classes": 2, "blocks": []}})")
                                   << QStringLiteral("'input' must be [C, H, W]");
        QTest::newRow("one class") << QStringLiteral(
            R"({"backbone": {"name": "b", "input": [1, 8, 8], "classes": 1, "blocks": [{"type": "conv", "out": 4}]}})")
                                   << QStringLiteral("2 or more classes");
        QTest::newRow("other format") << QStringLiteral(R"({"format": "earlybird-session", "backbone": "resnet20"})")
                                      << QStringLiteral("not an Earlybird architecture");
    }
    void invalidArchitecturesAreNamed()
    {
        QFETCH(QString, json);
        QFETCH(QString, problem);
        const Json parsed = Json::parse(json.toStdString());
        const std::string message = errorMessage([&] { architectureFromJson(parsed, "arch.json"); });
        QVERIFY2(contains(message, "arch.json"), message.c_str());
        QVERIFY2(contains(message, problem.toStdString()), message.c_str());
    }

    void malformedFileNamesTheFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("broken.json")).toStdString();
        const std::string text = R"({"backbone": "resnet20", "exits": [)";
        writeBytes(path, std::vector<std::uint8_t>(text.begin(), text.end()));
        const std::string message = errorMessage([&] { loadArchitectureFile(path); });
        QVERIFY2(contains(message, path) && contains(message, "malformed JSON"), message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestArchitecture)
#include "tst_architecture.moc"
