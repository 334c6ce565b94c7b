#include "base/rng.h"
#include "errorcapture.h"
#include "fixtures.h"
#include "search/sessionfile.h"
#include "search/sessionfollower.h"
#include "search/sessionjson.h"
#include "search/sessionlock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

PolicyResult policy(int exits, double accuracy, double cost)
{
    PolicyResult r;
    r.thresholds.assign(std::size_t(exits), 0.35);
    r.exitCounts.assign(std::size_t(exits + 1), 10);
    r.correctAtExit.assign(std::size_t(exits + 1), 7);
    r.samples = 10 * (exits + 1);
    r.accuracy = accuracy;
    r.averageCost = cost;
    r.averageMacs = cost;
    return r;
}

// A session as a search would save it, without training anything: random networks with made-up figures.
Session madeUpSession()
{
    Session s;
    s.config = tinySearch("/tmp/cache", 0.6);
    s.config.costModel = CostModel::Parameters;
    s.fingerprint = "synthetic-tiny-1";
    s.backbone = { 1000.0, 800.0, 0.9, 0.88 };
    const SearchSpace space({ s.config.experiment.backbone }, s.config.space);
    Rng rng(4);
    const double costs[] = { 800.0, 500.0, 650.0, 300.0 };
    const double accuracies[] = { 0.9, 0.85, 0.8, 0.7 }; // the third is dominated by the second
    for (int id = 0; id < 4; ++id) {
        CandidateRecord r;
        r.id = id;
        r.generation = id / 2;
        r.genome = space.sample(rng);
        r.architecture = space.decode(r.genome);
        const int exits = int(r.architecture.exits.size());
        r.exitCosts.assign(std::size_t(exits + 1), 100.0);
        r.parameters = 5000 + id;
        r.validation = policy(exits, accuracies[id], costs[id]);
        r.test = policy(exits, accuracies[id] - 0.01, costs[id] + 1);
        r.seconds = 1.5;
        r.branchesTrained = 1;
        s.archive.push_back(r);
    }
    s.state = { 1, { 0, 1 }, { 2, 3 }, { space.sample(rng) }, { space.sample(rng) }, "12345", 42.0, false };
    // The tuned points, and one more threshold setting of candidate 1 that is cheaper than candidate 3's.
    ThresholdFront front;
    for (const CandidateRecord& r : s.archive)
        front.add({ { r.id, r.validation.thresholds, r.validation.accuracy, r.validation.averageCost,
            r.validation.averageMacs, r.test.accuracy, r.test.averageCost } });
    std::vector<double> cheaper(s.archive[1].validation.thresholds.size(), 0.1);
    front.add({ { 1, cheaper, 0.65, 250.0, 250.0, 0.64, 251.0 } });
    s.thresholdFront = front.points();
    s.hypervolumeHistory = { { 0, 2, 20.0, 0.5, 0.49 } };
    return s;
}

void writeText(const QString& path, const std::string& text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QByteArray::fromStdString(text));
}

} // namespace

class TestSessionFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        QVERIFY(!hasSession(folder));
        const Session saved = madeUpSession();
        saveSession(folder, saved);
        QVERIFY(hasSession(folder));
        const Session loaded = loadSession(folder);
        QVERIFY(loaded.config.costModel == CostModel::Parameters);
        QCOMPARE(loaded.config.target, saved.config.target);
        QVERIFY(loaded.config.experiment.backbone == saved.config.experiment.backbone);
        QCOMPARE(loaded.archive.size(), saved.archive.size());
        for (std::size_t i = 0; i < saved.archive.size(); ++i) {
            QCOMPARE(loaded.archive[i].genome, saved.archive[i].genome);
            QVERIFY(loaded.archive[i].architecture == saved.archive[i].architecture);
            QCOMPARE(loaded.archive[i].validation.accuracy, saved.archive[i].validation.accuracy);
            QCOMPARE(loaded.archive[i].test.exitCounts, saved.archive[i].test.exitCounts);
        }
        QCOMPARE(loaded.state.population, saved.state.population);
        QCOMPARE(loaded.state.queue, saved.state.queue);
        QCOMPARE(loaded.state.screenedOut, saved.state.screenedOut);
        QCOMPARE(loaded.state.rng, std::string("12345"));
        QCOMPARE(loaded.hypervolumeHistory.size(), std::size_t(1));
        QCOMPARE(loaded.hypervolumeHistory[0].validation, 0.5);
        // Nothing is lost or added: the file written again is the same text.
        QCOMPARE(sessionToJson(loaded).dump(), sessionToJson(saved).dump());
        // The derived front is written for readers of the file: the dominated third candidate is not on it.
        const nlohmann::ordered_json json = sessionToJson(saved);
        QCOMPARE(json["front"].get<std::vector<int>>(), (std::vector<int> { 3, 1, 0 }));
        QCOMPARE(json["threshold_front"].size(), std::size_t(4));
        QCOMPARE(loaded.thresholdFront, saved.thresholdFront);
        // The threshold front's extra point adds area to the candidates' front.
        QVERIFY(json["hypervolume"]["validation"].get<double>()
            > json["hypervolume"]["candidates_validation"].get<double>());
        QVERIFY(json["hypervolume"]["candidates_validation"].get<double>() > 0);
    }

    void frontForTheChart()
    {
        QTemporaryDir dir;
        saveSession(dir.path().toStdString(), madeUpSession());
        const SessionFront front = readSessionFront(dir.path().toStdString());
        QCOMPARE(front.name, std::string("search"));
        QVERIFY(front.costModel == CostModel::Parameters);
        const std::vector<std::pair<double, double>> expected { { 250.0, 0.65 }, { 300.0, 0.7 }, { 500.0, 0.85 },
            { 800.0, 0.9 } };
        QCOMPARE(front.points, expected);
    }

    // Saving writes what is new: candidates stay as first written, and a reader sees every save whole.
    void savesAppend()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        Session session = madeUpSession();
        const Session whole = session;
        // The first two candidates, as a search saves after them.
        session.archive.resize(2);
        session.state.offspring.clear();
        session.thresholdFront.clear();
        saveSession(folder, session);
        QCOMPARE(loadSession(folder).archive.size(), std::size_t(2));
        session = whole;
        const std::vector<CandidateRecord> all = session.archive;
        session.archive.clear(); // given apart, as the search does
        session.state.generation = 7;
        saveSession(folder, session, all);
        session.archive = all;
        const Session loaded = loadSession(folder);
        QCOMPARE(loaded.archive.size(), all.size());
        QCOMPARE(loaded.state.generation, 7);
        QCOMPARE(sessionToJson(loaded).dump(), sessionToJson(session).dump());
    }

    // Per-sample outputs of the exits: saved once per key beside the candidates, assembled into a candidate's outcomes
    // exactly, and a damaged row is an error naming the file.
    void outputsRoundTrip()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        const Session session = madeUpSession();
        const Architecture& architecture = session.archive[0].architecture;
        const int exits = architecture.exitCount();
        OutputsUpdate update;
        update.validationLabels = { 0, 1, 2 };
        update.testLabels = { 3, 2 };
        ExitOutcomes validation(exits, 3), test(exits, 2);
        for (int e = 0; e < exits; ++e) {
            StoredExit stored;
            for (int m = 0; m < 3; ++m) {
                stored.validation.confidence[m] = { 0.1f * float(e + m), 0.5f, 1.0f };
                stored.test.confidence[m] = { 0.25f, 0.75f * float(m) / 2 };
            }
            stored.validation.predictions = { 0, e % 4, 2 };
            stored.test.predictions = { 3, 1 };
            stored.validation.calibration = ExitCalibration { 1.25 + e, 0.125, 0.0625, e % 2 == 0 };
            stored.test.calibration = ExitCalibration { 1.25 + e, 0.25, 0.5, e % 2 == 0 };
            const std::string key = e + 1 < exits ? BranchId(architecture.exits[std::size_t(e)]).key()
                                                  : std::string(finalExitOutputKey());
            validation.setExit(e, stored.validation.confidence[0].data(), stored.validation.confidence[1].data(),
                stored.validation.confidence[2].data(), stored.validation.predictions.data(),
                update.validationLabels.data());
            test.setExit(e, stored.test.confidence[0].data(), stored.test.confidence[1].data(),
                stored.test.confidence[2].data(), stored.test.predictions.data(), update.testLabels.data());
            validation.setCalibration(e, stored.validation.calibration);
            test.setCalibration(e, stored.test.calibration);
            update.exits[key] = stored;
        }
        QVERIFY(SessionOutputs::load(folder).empty()); // no store yet
        saveSession(folder, session, session.archive, &update);
        QCOMPARE(storedOutputKeys(folder).size(), update.exits.size());
        const SessionOutputs outputs = SessionOutputs::load(folder);
        QVERIFY(outputs.covers(architecture));
        const CandidateOutcomes outcomes = outputs.outcomes(architecture);
        QVERIFY(outcomes.validation == validation);
        QVERIFY(outcomes.test == test);
        // An architecture with an exit the store lacks is not covered.
        Architecture other = architecture;
        other.exits.clear();
        other.exits.push_back(ExitSpec { 0, { BranchLayerSpec { BranchLayerType::Conv5x5, 2.0, 1 } }, 0.5 });
        QVERIFY(!update.exits.count(BranchId(other.exits[0]).key()));
        QVERIFY(!outputs.covers(other));
        // The threshold is not part of an exit's key.
        ExitSpec moved = other.exits[0];
        moved.threshold = 0.9;
        QCOMPARE(BranchId(moved).key(), BranchId(other.exits[0]).key());

        // Columns stored before calibration existed (no calibration at their end) read as unmeasured; a stored
        // temperature outside what an exit may have is damage.
        ExitColumns columns = update.exits.begin()->second.validation;
        std::vector<std::uint8_t> bytes = encodeColumns(columns);
        ExitColumns read;
        QVERIFY(decodeColumns(bytes, read) && read.calibration == columns.calibration);
        bytes.resize(bytes.size() - 4 * sizeof(double));
        QVERIFY(decodeColumns(bytes, read) && !read.calibration.measured() && read.calibration.temperature == 1.0);
        QVERIFY(read.predictions == columns.predictions && read.confidence[2] == columns.confidence[2]);
        columns.calibration.temperature = 0;
        QVERIFY(!decodeColumns(encodeColumns(columns), read));

        // A row cut short.
        sqlite3* db = nullptr;
        const std::string store = sessionFilePath(folder);
        QCOMPARE(sqlite3_open(store.c_str(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "UPDATE outputs SET test = x'0100' WHERE key = 'final'", nullptr, nullptr, nullptr),
            SQLITE_OK);
        sqlite3_close(db);
        const std::string message = errorMessage([&] { SessionOutputs::load(folder); });
        QVERIFY2(contains(message, store) && contains(message, "'final' have the wrong size"), message.c_str());
    }

    // A follower reads a session as another process writes it: each poll reads only what was committed since the last,
    // whole (the candidates of one commit with their outputs), and a poll with nothing committed reads nothing.
    void followerReadsWhatIsCommitted()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        QVERIFY(contains(errorMessage([&] { SessionFollower follower(folder); }), "no Earlybird search session"));
        Session whole = madeUpSession();
        // Outputs of every exit of every candidate, with the first two candidates' saved first.
        const auto outputsFor = [](const std::vector<CandidateRecord>& candidates) {
            OutputsUpdate update;
            update.validationLabels = { 0, 1, 2 };
            update.testLabels = { 1, 0 };
            StoredExit stored;
            for (int m = 0; m < 3; ++m) {
                stored.validation.confidence[m] = { 0.2f, 0.6f, 0.9f };
                stored.test.confidence[m] = { 0.4f, 0.8f };
            }
            stored.validation.predictions = { 0, 1, 1 };
            stored.test.predictions = { 1, 1 };
            update.exits[finalExitOutputKey()] = stored;
            for (const CandidateRecord& r : candidates)
                for (const ExitSpec& exit : r.architecture.exits)
                    update.exits[BranchId(exit).key()] = stored;
            return update;
        };
        Session first = whole;
        first.archive.resize(2);
        first.state.offspring.clear();
        first.thresholdFront.clear();
        first.thresholdFront.push_back({ 1, whole.archive[1].validation.thresholds, 0.85, 500.0, 500.0, 0.84, 501.0 });
        OutputsUpdate firstOutputs = outputsFor(first.archive);
        saveSession(folder, first, first.archive, &firstOutputs);

        SessionFollower follower(folder);
        QCOMPARE(follower.session().archive.size(), std::size_t(2));
        QCOMPARE(follower.session().thresholdFront.size(), std::size_t(1));
        QVERIFY(follower.outputs().covers(whole.archive[1].architecture));
        QVERIFY(!follower.poll()); // nothing committed since

        OutputsUpdate allOutputs = outputsFor(whole.archive);
        whole.state.generation = 3;
        saveSession(folder, whole, whole.archive, &allOutputs);
        QVERIFY(follower.poll());
        const Session& followed = follower.session();
        QCOMPARE(followed.archive.size(), whole.archive.size());
        QCOMPARE(followed.state.generation, 3);
        QCOMPARE(followed.thresholdFront, whole.thresholdFront);
        QCOMPARE(sessionToJson(followed).dump(), sessionToJson(loadSession(folder)).dump());
        for (const CandidateRecord& r : whole.archive) {
            QVERIFY(follower.outputs().covers(r.architecture));
            QVERIFY(follower.outputs().outcomes(r.architecture).validation
                == SessionOutputs::load(folder).outcomes(r.architecture).validation);
        }
        QVERIFY(!follower.poll());

        // A store that a writer damaged is an error naming the file, not a crash or a silent stop.
        sqlite3* db = nullptr;
        const std::string store = sessionFilePath(folder);
        QCOMPARE(sqlite3_open(store.c_str(), &db), SQLITE_OK);
        QCOMPARE(
            sqlite3_exec(db, "INSERT INTO candidates (id, record) VALUES (4, '{ not json')", nullptr, nullptr, nullptr),
            SQLITE_OK);
        sqlite3_close(db);
        const std::string message = errorMessage([&] { follower.poll(); });
        QVERIFY2(contains(message, store) && contains(message, "corrupt session"), message.c_str());
    }

    // One writer per session: a second lock is refused with a message naming the holder, readers see who writes, and
    // the lock goes with its holder.
    void oneWriterPerSession()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        QVERIFY(!sessionWriter(folder));
        {
            SessionLock lock(folder);
            QVERIFY(lock.isHeld());
            const std::optional<SessionWriter> writer = sessionWriter(folder);
            QVERIFY(writer);
            QCOMPARE(writer->pid, long(::getpid()));
            QCOMPARE(writer->program, std::string("tst_sessionfile"));
            QVERIFY(writer->onThisHost());
            QVERIFY(!writer->host.empty());
            // Asking who writes takes nothing from the writer, and does not keep a second writer out for long.
            QVERIFY(sessionWriter(folder));
            const std::string message = errorMessage([&] { SessionLock second(folder); });
            QVERIFY2(contains(message, folder) && contains(message, "being written by tst_sessionfile (pid "),
                message.c_str());
            QVERIFY2(contains(message, "Open it to watch it"), message.c_str());
            // A writer that has saved nothing yet is preparing the session: following it says so.
            const std::string preparing = errorMessage([&] { SessionFollower follower(folder); });
            QVERIFY2(contains(preparing, "nothing is saved yet: tst_sessionfile (pid ")
                    && contains(preparing, "is preparing this session"),
                preparing.c_str());
        }
        QVERIFY(!sessionWriter(folder));
        {
            // A writer on another machine (a lock held over a network file system) is named with its host.
            const int fd = ::open(sessionLockPath(folder).c_str(), O_RDWR);
            QVERIFY(fd >= 0);
            QCOMPARE(::flock(fd, LOCK_EX | LOCK_NB), 0);
            const std::string text = R"({"pid": 77, "host": "node07", "program": "earlybird-cli"})";
            QCOMPARE(::ftruncate(fd, 0), 0);
            QCOMPARE(::pwrite(fd, text.data(), text.size(), 0), ssize_t(text.size()));
            const std::optional<SessionWriter> remote = sessionWriter(folder);
            QVERIFY(remote && !remote->onThisHost());
            QCOMPARE(remote->describe(), std::string("earlybird-cli (pid 77 on node07)"));
            // A lock file that is not ours still locks; its holder is just not named.
            QCOMPARE(::ftruncate(fd, 0), 0);
            QCOMPARE(::pwrite(fd, "\xff{", 2, 0), ssize_t(2));
            QCOMPARE(sessionWriter(folder)->describe(), std::string("another process"));
            ::close(fd);
        }
        SessionLock again(folder);
        QVERIFY(again.isHeld());
        // A folder that is not there holds no lock: opening the session says what is missing.
        SessionLock nowhere(folder + "/missing");
        QVERIFY(!nowhere.isHeld());
        QVERIFY(!sessionWriter(folder + "/missing"));
    }

    // Sessions from before the store were one JSON file: they open, and the store wins once it exists.
    void jsonSessionsStillOpen()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        const Session saved = madeUpSession();
        writeText(QString::fromStdString(legacySessionFilePath(folder)), sessionToJson(saved).dump(1));
        QVERIFY(hasSession(folder));
        QCOMPARE(sessionToJson(loadSession(folder)).dump(), sessionToJson(saved).dump());
        Session newer = saved;
        newer.state.generation = 9;
        saveSession(folder, newer);
        QCOMPARE(loadSession(folder).state.generation, 9);
    }

    void badFilesAreNamed()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        std::string message = errorMessage([&] { loadSession(folder); });
        QVERIFY2(contains(message, "session.db") && contains(message, "cannot open"), message.c_str());

        // The store: a file that is no database, and another application's database.
        const QString store = QString::fromStdString(sessionFilePath(folder));
        writeText(store, "{\"format\": \"earlybird-session\"}");
        message = errorMessage([&] { loadSession(folder); });
        QVERIFY2(
            contains(message, "session.db") && contains(message, "not an Earlybird search session"), message.c_str());
        QFile::remove(store);
        sqlite3* foreign = nullptr;
        QCOMPARE(sqlite3_open(store.toUtf8().constData(), &foreign), SQLITE_OK);
        QCOMPARE(sqlite3_exec(
                     foreign, "CREATE TABLE notes (text); INSERT INTO notes VALUES ('hi');", nullptr, nullptr, nullptr),
            SQLITE_OK);
        sqlite3_close(foreign);
        message = errorMessage([&] { loadSession(folder); });
        QVERIFY2(contains(message, "session.db") && contains(message, "another application's SQLite database"),
            message.c_str());
        QFile::remove(store);
        {
            QTemporaryDir other;
            saveSession(other.path().toStdString(), madeUpSession());
            QVERIFY(QFile::copy(other.filePath(QStringLiteral("session.db")), store));
        }
        QVERIFY(loadSession(folder).archive.size() == 4); // a copied store is a store
        QFile::remove(store);

        // The JSON of sessions from before the store.
        const QString path = QString::fromStdString(legacySessionFilePath(folder));
        writeText(path, "{\"format\": \"earlybird-session\", \"version\": 1, \"config\": {");
        message = errorMessage([&] { loadSession(folder); });
        QVERIFY2(contains(message, "session.json") && contains(message, "corrupt session"), message.c_str());

        writeText(path, "{\"format\": \"earlybird-architecture\", \"version\": 1}");
        QVERIFY(contains(errorMessage([&] { loadSession(folder); }), "not an Earlybird search session"));
        writeText(path, "[1, 2, 3]");
        QVERIFY(contains(errorMessage([&] { loadSession(folder); }), "not an Earlybird search session"));

        nlohmann::ordered_json json = sessionToJson(madeUpSession());
        json["version"] = 99;
        writeText(path, json.dump());
        QVERIFY(contains(errorMessage([&] { loadSession(folder); }), "newer Earlybird"));

        json = sessionToJson(madeUpSession());
        json["state"]["population"] = { 0, 7 };
        writeText(path, json.dump());
        message = errorMessage([&] { loadSession(folder); });
        QVERIFY2(contains(message, "population names a candidate that is not in the archive"), message.c_str());

        json = sessionToJson(madeUpSession());
        json["archive"][1]["id"] = 5;
        writeText(path, json.dump());
        QVERIFY(contains(errorMessage([&] { loadSession(folder); }), "candidate ids are out of order"));

        json = sessionToJson(madeUpSession());
        json["threshold_front"][0]["candidate"] = 9;
        writeText(path, json.dump());
        QVERIFY(contains(errorMessage([&] { loadSession(folder); }), "threshold front names a candidate"));

        // Found by fuzz_session_json: a float where an integer belongs, out of every integer type's range (converting
        // it was undefined behaviour).
        json = sessionToJson(madeUpSession());
        json["archive"][0]["validation"]["exit_counts"][0] = 1.06667e+90;
        writeText(path, json.dump());
        message = errorMessage([&] { loadSession(folder); });
        QVERIFY2(contains(message, "session.json") && contains(message, "corrupt session")
                && contains(message, "where an integer belongs"),
            message.c_str());
        json = sessionToJson(madeUpSession());
        json["state"]["generation"] = 3.5e9;
        writeText(path, json.dump());
        QVERIFY(contains(errorMessage([&] { loadSession(folder); }), "where an integer belongs"));

        json = sessionToJson(madeUpSession());
        json["config"]["mode"] = "fastest";
        writeText(path, json.dump());
        message = errorMessage([&] { loadSession(folder); });
        QVERIFY2(contains(message, "corrupt session") && contains(message, "unknown target mode 'fastest'"),
            message.c_str());
    }

    // Sessions written before cost models had a MAC target and no per-exit costs: they still open, with costs
    // counted from the architectures.
    void sessionsBeforeCostModelsOpen()
    {
        nlohmann::ordered_json json = sessionToJson(madeUpSession());
        json["config"].erase("cost_model");
        json["config"]["target_macs"] = json["config"]["target"];
        json["config"].erase("target");
        for (auto& item : json["archive"]) {
            item.erase("exit_costs");
            item["validation"].erase("average_cost");
        }
        json["backbone"].erase("cost");
        json.erase("threshold_front");
        const Session s = sessionFromJson(json, "old/session.json");
        // Without a threshold front, the candidates' tuned points make it.
        QCOMPARE(s.thresholdFront.size(), std::size_t(3));
        QCOMPARE(s.thresholdFront.front().candidate, 3);
        QVERIFY(s.config.costModel == CostModel::Macs);
        QCOMPARE(s.backbone.cost, s.backbone.macs);
        for (const CandidateRecord& r : s.archive) {
            QCOMPARE(r.exitCosts, exitMacsOf(countNetworkCost(r.architecture), CostConvention::AllEvaluatedBranches));
            QCOMPARE(r.validation.averageCost, r.validation.averageMacs);
        }
    }
};

QTEST_APPLESS_MAIN(TestSessionFile)
#include "tst_sessionfile.moc"
