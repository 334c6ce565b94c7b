// The export: generated Python that never runs session text, the JSON export read back, and every bad request a clear
// error. That the exports run in PyTorch and OpenCV with the same logits and MACs is checked in Python
// (tests/python/check_export.py, the export_python test).

#include "errorcapture.h"
#include "fixtures.h"

#include "base/fileio.h"
#include "export/exporter.h"
#include "export/pythonmodule.h"
#include "model/backbonepresets.h"
#include "search/search.h"
#include "search/sessionfile.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace earlybird;
using namespace earlybird::fixtures;

class TestExport : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::string m_session;
    std::string m_cache;

    std::string path(const char* name) const { return m_dir.filePath(QString::fromUtf8(name)).toStdString(); }

    ExportRequest request(ExportFormat format, const std::string& out) const
    {
        ExportRequest r;
        r.session = m_session;
        r.candidate = 0;
        r.format = format;
        r.out = out;
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cache = path("cache");
        m_session = path("session");
        SearchConfig config = tinySearch(m_cache, 0.6);
        config.generations = 1;
        Search search(config, m_session);
        search.run();
        QVERIFY(search.archive().size() >= 4);
    }

    void stringLiteralsEscapeEverything()
    {
        QCOMPARE(pythonStringLiteral("plain"), std::string("\"plain\""));
        QCOMPARE(pythonStringLiteral("a\"b\\c"), std::string("\"a\\\"b\\\\c\""));
        QCOMPARE(pythonStringLiteral("line\nnext\r\t"), std::string("\"line\\x0anext\\x0d\\x09\""));
        QCOMPARE(pythonStringLiteral("T-shirt/top"), std::string("\"T-shirt/top\""));
        QCOMPARE(pythonStringLiteral("\xc3\xa9t\xc3\xa9"), std::string("\"\\xe9t\\xe9\"")); // été
        QCOMPARE(pythonStringLiteral("\xe2\x82\xac"), std::string("\"\\u20ac\"")); // €
        QCOMPARE(pythonStringLiteral("\xf0\x9f\x90\xa6"), std::string("\"\\U0001f426\"")); // a bird
        // Malformed UTF-8 (a lone continuation byte, a truncated sequence, an overlong '/') becomes U+FFFD.
        QCOMPARE(pythonStringLiteral("\x80"), std::string("\"\\ufffd\""));
        QCOMPARE(pythonStringLiteral("\xe2\x82"), std::string("\"\\ufffd\\ufffd\""));
        QCOMPARE(pythonStringLiteral("\xc0\xaf"), std::string("\"\\ufffd\\ufffd\""));
    }

    // Names from a session are data, never code: a class name made to close the string and run a command stays one
    // escaped literal on one line.
    void sessionTextIsNeverCode()
    {
        ExportedNetwork network;
        network.architecture.backbone = tinyBackbone(3);
        network.architecture.backbone.name = "x\"\nimport os; os.system('rm -rf /')\n#";
        network.architecture.exits.push_back(
            ExitSpec { 1, { BranchLayerSpec { BranchLayerType::Conv3x3, 0.5, 2 } }, 0.7 });
        network.classNames = { "cat", "\"); import os; os.system('echo owned'); (\"", "dog\n" };
        network.source = "session \"evil\"\nprint('owned')";
        const std::string source = pythonModuleSource(network);
        QVERIFY(!contains(source, "\nimport os;")); // the module itself imports os, alone on its line
        QVERIFY(!contains(source, "\nprint('owned')"));
        QVERIFY(contains(source, "\"\\\"); import os; os.system('echo owned'); (\\\"\""));
        QVERIFY(contains(source, "CLASS_NAMES = [\"cat\", "));
        QVERIFY(contains(source, "\"dog\\x0a\"]"));
        QVERIFY(contains(source, "SOURCE = \"session \\\"evil\\\"\\x0aprint('owned')\""));
        QVERIFY(contains(source, "THRESHOLDS = [0.7]"));
        QVERIFY(contains(source, "EXIT_POSITIONS = [1]"));
        // One line per block and exit, with the channels the network has.
        QVERIFY(contains(source, "self.block0 = ConvBlock(1, "));
        QVERIFY(contains(source, "self.exit0 = ExitHead("));
        QVERIFY(contains(source, "BranchLayer(\"conv3x3\", "));
        QVERIFY(contains(source, "self.final = ExitHead("));
    }

    void jsonExportReadsBackAsTheArchitecture()
    {
        const Session session = loadSession(m_session);
        ExportRequest r = request(ExportFormat::Json, path("network.json"));
        const ExportResult result = exportNetwork(r);
        QCOMPARE(result.files, std::vector<std::string> { r.out });
        QVERIFY(result.network.measured);
        const Architecture architecture = loadArchitectureFile(r.out);
        QVERIFY(architecture == session.archive[0].architecture);
        QVERIFY(architectureFromPresetOrFile(r.out) == architecture);
        const nlohmann::ordered_json json = nlohmann::ordered_json::parse(
            std::string(reinterpret_cast<const char*>(readFileBytes(r.out).data()), readFileBytes(r.out).size()));
        const auto& info = json.at("export");
        QCOMPARE(info.at("candidate").get<int>(), 0);
        QCOMPARE(info.at("class_names").size(), std::size_t(4));
        QCOMPARE(info.at("normalisation").at("mean").size(), std::size_t(1));
        QCOMPARE(info.at("exits").size(), std::size_t(architecture.exitCount()));
        // With the candidate's own thresholds, the figures are the session's.
        QCOMPARE(info.at("measured").at("test").at("accuracy").get<double>(), session.archive[0].test.accuracy);
        QCOMPARE(info.at("measured").at("validation").at("average_macs").get<double>(),
            session.archive[0].validation.averageMacs);
    }

    void otherThresholdsAreMeasured()
    {
        const Session session = loadSession(m_session);
        int id = -1;
        for (const CandidateRecord& record : session.archive) {
            if (!record.architecture.exits.empty()) {
                id = record.id;
                break;
            }
        }
        QVERIFY(id >= 0);
        ExportRequest r = request(ExportFormat::Json, path("all-leave.json"));
        r.candidate = id;
        r.thresholds.assign(session.archive[std::size_t(id)].architecture.exits.size(), 0.0);
        const ExportResult result = exportNetwork(r);
        // Threshold 0: every sample leaves at the first exit.
        QCOMPARE(result.network.test.exitCounts[0], result.network.test.samples);
        QCOMPARE(result.network.architecture.exits[0].threshold, 0.0);
    }

    // A point of the session's front: its candidate with its thresholds, which reproduce its figures.
    void aFrontPointExportsWithItsThresholds()
    {
        const Session session = loadSession(m_session);
        QVERIFY(session.thresholdFront.size() >= 2);
        const std::size_t k = session.thresholdFront.size() - 1;
        const FrontPoint& point = session.thresholdFront[k];
        ExportRequest r = request(ExportFormat::Json, path("front.json"));
        r.candidate = -1;
        r.frontPoint = int(k);
        const ExportResult result = exportNetwork(r);
        QCOMPARE(result.network.candidate, point.candidate);
        std::vector<double> thresholds;
        for (const ExitSpec& exit : result.network.architecture.exits)
            thresholds.push_back(exit.threshold);
        QCOMPARE(thresholds, point.thresholds);
        QCOMPARE(result.network.validation.accuracy, point.accuracy);
        QCOMPARE(result.network.test.accuracy, point.testAccuracy);
        r.frontPoint = 999;
        r.force = true;
        QVERIFY(contains(errorMessage([&] { exportNetwork(r); }), "no front point 999"));
    }

    void weightsPyTorchAndSamplesAreWritten()
    {
        for (const ExportFormat format : { ExportFormat::Weights, ExportFormat::PyTorch, ExportFormat::Samples }) {
            const std::string out = path(("out-" + nameOf(format)).c_str());
            exportNetwork(request(format, out));
            const std::vector<std::uint8_t> bytes = readFileBytes(out);
            QVERIFY(bytes.size() > 100);
            if (format != ExportFormat::PyTorch) // torch::pickle_save writes a zip archive
                QVERIFY(bytes[0] == 'P' && bytes[1] == 'K');
        }
    }

    // The session's tables: every candidate, and every front point with the index --front-point takes.
    void sessionTablesAsCsv()
    {
        const Session session = loadSession(m_session);
        ExportRequest r;
        r.session = m_session;
        // Exports the table and returns its text and its number of lines.
        const auto table = [&r](ExportFormat format, const char* file) {
            r.format = format;
            r.out = file;
            exportNetwork(r);
            const std::vector<std::uint8_t> bytes = readFileBytes(r.out);
            const std::string text(bytes.begin(), bytes.end());
            return std::pair { text, std::size_t(std::count(text.begin(), text.end(), '\n')) };
        };
        const auto [candidates, candidateLines] = table(ExportFormat::Csv, path("candidates.csv").c_str());
        QCOMPARE(candidateLines, session.archive.size() + 1);
        QVERIFY(candidates.rfind("id,generation,validation_accuracy,", 0) == 0);
        const auto [front, frontLines] = table(ExportFormat::FrontCsv, path("front.csv").c_str());
        QCOMPARE(frontLines, session.thresholdFront.size() + 1);
        QVERIFY(contains(front, "\n0," + std::to_string(session.thresholdFront[0].candidate) + ","));
        r.session.clear();
        r.architectureFile = "fashion-resnet";
        r.force = true;
        QVERIFY(contains(errorMessage([&] { exportNetwork(r); }), "is a session's table"));
    }

    void anArchitectureFileExportsCodeOnly()
    {
        ExportRequest r;
        r.architectureFile = "fashion-resnet";
        r.format = ExportFormat::PyTorch;
        r.out = path("preset.py");
        QVERIFY(!exportNetwork(r).network.measured);
        QVERIFY(fileExists(r.out));
        r.format = ExportFormat::Weights;
        r.out = path("preset.pt");
        QVERIFY(contains(errorMessage([&] { exportNetwork(r); }), "needs trained weights"));
        QVERIFY(!fileExists(r.out));
    }

    void badRequestsAreClearErrors()
    {
        ExportRequest r = request(ExportFormat::Json, path("bad.json"));
        r.candidate = 9999;
        QVERIFY(contains(errorMessage([&] { exportNetwork(r); }), "no candidate 9999 (ids are 0 to"));
        r.candidate = 0;
        const Session session = loadSession(m_session);
        const std::size_t exits = session.archive[0].architecture.exits.size();
        r.thresholds.assign(exits + 1, 0.5);
        QVERIFY(contains(errorMessage([&] { exportNetwork(r); }),
            "needs " + std::to_string(exits) + " thresholds, not " + std::to_string(exits + 1)));
        if (exits > 0) {
            r.thresholds.assign(exits, 1.5);
            QVERIFY(contains(errorMessage([&] { exportNetwork(r); }), "from 0 to 1"));
        }
        r.thresholds.clear();
        QVERIFY(!fileExists(r.out));
        writeFileAtomically(r.out, std::string("mine"));
        QVERIFY(contains(errorMessage([&] { exportNetwork(r); }), "already exists"));
        QCOMPARE(readFileBytes(r.out).size(), std::size_t(4)); // untouched
        r.force = true;
        exportNetwork(r);
        QVERIFY(readFileBytes(r.out).size() > 100);
    }

    // A session whose cache folder lost the trained branches cannot be exported, and nothing is trained instead.
    void missingWeightsAreAnErrorNotATraining()
    {
        const Session session = loadSession(m_session);
        int id = -1;
        for (const CandidateRecord& record : session.archive) {
            if (!record.architecture.exits.empty())
                id = record.id;
        }
        QVERIFY(id >= 0);
        const std::string copy = path("cache-copy");
        std::filesystem::copy(m_cache, copy, std::filesystem::copy_options::recursive);
        for (const auto& entry : std::filesystem::recursive_directory_iterator(copy)) {
            if (entry.path().parent_path().filename() == "branches")
                std::filesystem::remove(entry.path());
        }
        ExportRequest r = request(ExportFormat::Weights, path("lost.pt"));
        r.candidate = id;
        r.cacheDirectory = copy;
        const std::string message = errorMessage([&] { exportNetwork(r); });
        QVERIFY2(contains(message, "is not in the cache") && contains(message, ".ebc is missing"), message.c_str());
        QVERIFY(!fileExists(r.out));
        // Without the backbone either.
        std::filesystem::remove_all(copy);
        std::filesystem::create_directories(copy);
        QVERIFY(contains(errorMessage([&] { exportNetwork(r); }), "the trained backbone is not in the cache"));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
