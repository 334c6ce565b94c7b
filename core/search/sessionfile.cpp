#include "search/sessionfile.h"

#include "base/error.h"
#include "base/fileio.h"
#include "model/networkcost.h"
#include "search/sessionjson.h"
#include "search/sessionstorereader.h"

#include <algorithm>

namespace earlybird {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSessionFile = "session.db";
// Sessions before the SQLite store: one JSON file, rewritten after every candidate. Still read.
constexpr const char* kLegacySessionFile = "session.json";
// SQLite's header field for the application that owns a database: "EBSS" (Earlybird search session).
constexpr int kApplicationId = 0x45425353;
// The outputs table's row of labels (every other row is an exit's).
const char* const kLabelsKey = "#labels";
constexpr const char* kOutputsTable
    = " CREATE TABLE IF NOT EXISTS outputs (key TEXT PRIMARY KEY, validation BLOB NOT NULL, test BLOB NOT NULL);";

} // namespace

std::string sessionFilePath(const std::string& folder)
{
    return folder + "/" + kSessionFile;
}

std::string legacySessionFilePath(const std::string& folder)
{
    return folder + "/" + kLegacySessionFile;
}

bool hasSession(const std::string& folder)
{
    return fileExists(sessionFilePath(folder)) || fileExists(legacySessionFilePath(folder));
}

void saveSession(const std::string& folder, const Session& session)
{
    saveSession(folder, session, session.archive);
}

void saveSession(const std::string& folder, const Session& session, const std::vector<CandidateRecord>& archive,
    const OutputsUpdate* outputs)
{
    const Json json = sessionjson::header(session);
    SqliteDatabase db(sessionFilePath(folder), true);
    // Write-ahead logging: a commit appends, readers are not blocked, and a process killed at any moment leaves the
    // last committed session (NORMAL sync is safe against that; only a power cut may lose the last commits).
    db.exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA application_id=" + std::to_string(kApplicationId)
        + "; CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
          " CREATE TABLE IF NOT EXISTS candidates (id INTEGER PRIMARY KEY, record TEXT NOT NULL);"
        + kOutputsTable);
    // One transaction: all of it or, if anything fails (the connection closes without a commit), none of it.
    db.exec("BEGIN IMMEDIATE");
    // Candidates never change once recorded: only the new ones are written. (MAX reads the last row of the id
    // index; COUNT would scan the whole table.)
    const std::int64_t stored = db.integer("SELECT COALESCE(MAX(id) + 1, 0) FROM candidates");
    SqliteDatabase::Statement insert(db, "INSERT OR REPLACE INTO candidates (id, record) VALUES (?, ?)");
    for (std::size_t i = std::size_t(std::max<std::int64_t>(0, stored)); i < archive.size(); ++i) {
        insert.bind(1, std::int64_t(i));
        insert.bind(2, sessionjson::record(archive[i]).dump());
        insert.step();
        insert.reset();
    }
    if (outputs && !outputs->exits.empty()) {
        // Outputs never change once stored (an exit's key fixes its training): new keys only.
        SqliteDatabase::Statement output(db, "INSERT OR IGNORE INTO outputs (key, validation, test) VALUES (?, ?, ?)");
        const auto put = [&output](const std::string& key, const std::vector<std::uint8_t>& validation,
                             const std::vector<std::uint8_t>& test) {
            output.bind(1, key);
            output.bindBlob(2, validation);
            output.bindBlob(3, test);
            output.step();
            output.reset();
        };
        put(kLabelsKey, encodeLabels(outputs->validationLabels), encodeLabels(outputs->testLabels));
        for (const auto& [key, exit] : outputs->exits)
            put(key, encodeColumns(exit.validation), encodeColumns(exit.test));
    }
    SqliteDatabase::Statement meta(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    for (const char* key : sessionjson::kMetaKeys) {
        meta.bind(1, std::string(key));
        meta.bind(2, json.at(key).dump());
        meta.step();
        meta.reset();
    }
    db.exec("COMMIT");
}

void SessionStoreReader::checkApplicationId(SqliteDatabase& db, const std::string& path)
{
    if (db.integer("PRAGMA application_id") != kApplicationId)
        throw DataError(path, "not an Earlybird search session (another application's SQLite database)");
}

void SessionStoreReader::readSession(SqliteDatabase& db, const std::string& path, Session& session)
{
    Json header = Json::object();
    std::vector<std::string> records;
    try {
        checkApplicationId(db, path);
        SqliteDatabase::Statement meta(db, "SELECT key, value FROM meta");
        while (meta.step())
            header[meta.text(0)] = Json::parse(meta.text(1));
        SqliteDatabase::Statement candidates(db, "SELECT record FROM candidates WHERE id >= ? ORDER BY id");
        candidates.bind(1, std::int64_t(session.archive.size()));
        while (candidates.step())
            records.push_back(candidates.text(0));
    } catch (const nlohmann::json::exception& error) {
        throw DataError(path, std::string("corrupt session: ") + error.what());
    }
    sessionjson::read(header, records, path, session);
}

Session loadSession(const std::string& folder)
{
    const std::string path = sessionFilePath(folder);
    if (!fileExists(path)) {
        const std::string legacy = legacySessionFilePath(folder);
        if (!fileExists(legacy))
            throw DataError(path, "cannot open: there is no Earlybird search session in " + folder);
        const std::vector<std::uint8_t> bytes = readFileBytes(legacy);
        Json json;
        try {
            json = Json::parse(bytes.begin(), bytes.end());
        } catch (const nlohmann::json::exception& error) {
            throw DataError(legacy, std::string("corrupt session: ") + error.what());
        }
        return sessionFromJson(json, legacy);
    }
    SqliteDatabase db(path, false);
    Session session;
    SessionStoreReader::readSession(db, path, session);
    return session;
}

namespace {

// Whether the store has the outputs table (stores from before it do not).
bool hasOutputsTable(SqliteDatabase& db)
{
    return db.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'outputs'") > 0;
}

} // namespace

std::set<std::string> storedOutputKeys(const std::string& folder)
{
    std::set<std::string> keys;
    const std::string path = sessionFilePath(folder);
    if (!fileExists(path))
        return keys;
    SqliteDatabase db(path, false);
    if (!hasOutputsTable(db))
        return keys;
    SqliteDatabase::Statement select(db, "SELECT key FROM outputs");
    while (select.step())
        keys.insert(select.text(0));
    keys.erase(kLabelsKey);
    return keys;
}

// Reads the outputs of the exits that `exits` does not hold yet, and the labels while there are none: all of them
// when opening a session, what the writer added since when following one.
void SessionStoreReader::readNewOutputs(SqliteDatabase& db, const std::string& path, SessionOutputs& outputs)
{
    std::vector<std::int32_t>& validationLabels = outputs.m_validationLabels;
    std::vector<std::int32_t>& testLabels = outputs.m_testLabels;
    std::map<std::string, StoredExit>& exits = outputs.m_exits;
    if (!hasOutputsTable(db))
        return;
    std::vector<std::string> fresh;
    {
        SqliteDatabase::Statement keys(db, "SELECT key FROM outputs");
        while (keys.step()) {
            std::string key = keys.text(0);
            if (key == kLabelsKey ? validationLabels.empty() : !exits.count(key))
                fresh.push_back(std::move(key));
        }
    }
    // The labels first: the exits read are checked against them.
    std::stable_partition(fresh.begin(), fresh.end(), [](const std::string& key) { return key == kLabelsKey; });
    SqliteDatabase::Statement select(db, "SELECT validation, test FROM outputs WHERE key = ?");
    for (const std::string& key : fresh) {
        select.bind(1, key);
        if (!select.step())
            throw DataError(path, "corrupt session: the stored outputs of exit '" + key + "' went missing");
        bool ok = false;
        if (key == kLabelsKey) {
            ok = decodeLabels(select.blob(0), validationLabels) && decodeLabels(select.blob(1), testLabels);
        } else {
            StoredExit exit;
            ok = decodeColumns(select.blob(0), exit.validation) && decodeColumns(select.blob(1), exit.test);
            if (ok && validationLabels.empty())
                throw DataError(path, "corrupt session: exit outputs are stored without the labels");
            if (ok
                && (exit.validation.predictions.size() != validationLabels.size()
                    || exit.test.predictions.size() != testLabels.size()))
                throw DataError(path,
                    "corrupt session: the stored outputs of exit '" + key + "' have "
                        + std::to_string(exit.validation.predictions.size()) + " validation samples, the labels "
                        + std::to_string(validationLabels.size()));
            exits.emplace(key, std::move(exit));
        }
        if (!ok)
            throw DataError(path, "corrupt session: the stored outputs of exit '" + key + "' have the wrong size");
        select.reset();
    }
}

SessionOutputs SessionOutputs::load(const std::string& folder)
{
    SessionOutputs outputs;
    const std::string path = sessionFilePath(folder);
    if (!fileExists(path))
        return outputs;
    SqliteDatabase db(path, false);
    SessionStoreReader::checkApplicationId(db, path);
    SessionStoreReader::readNewOutputs(db, path, outputs);
    return outputs;
}

bool SessionOutputs::covers(const Architecture& architecture) const
{
    if (!m_exits.count(finalExitOutputKey()))
        return false;
    for (const ExitSpec& exit : architecture.exits) {
        if (!m_exits.count(BranchId(exit).key()))
            return false;
    }
    return true;
}

CandidateOutcomes SessionOutputs::outcomes(const Architecture& architecture) const
{
    if (!covers(architecture))
        throw ConfigError("the session store does not hold the outputs of every exit of this candidate");
    const int exits = architecture.exitCount();
    CandidateOutcomes outcomes { ExitOutcomes(exits, std::int64_t(m_validationLabels.size())),
        ExitOutcomes(exits, std::int64_t(m_testLabels.size())), countNetworkCost(architecture) };
    const auto place = [&](int e, const StoredExit& stored) {
        outcomes.validation.setExit(e, stored.validation.confidence[0].data(), stored.validation.confidence[1].data(),
            stored.validation.confidence[2].data(), stored.validation.predictions.data(), m_validationLabels.data());
        outcomes.test.setExit(e, stored.test.confidence[0].data(), stored.test.confidence[1].data(),
            stored.test.confidence[2].data(), stored.test.predictions.data(), m_testLabels.data());
        outcomes.validation.setCalibration(e, stored.validation.calibration);
        outcomes.test.setCalibration(e, stored.test.calibration);
    };
    for (std::size_t e = 0; e < architecture.exits.size(); ++e)
        place(int(e), m_exits.at(BranchId(architecture.exits[e]).key()));
    place(exits - 1, m_exits.at(finalExitOutputKey()));
    return outcomes;
}

SessionFront readSessionFront(const std::string& folder)
{
    const Session session = loadSession(folder);
    SessionFront front;
    front.name = session.config.name;
    front.costModel = session.config.costModel;
    for (const FrontPoint& p : session.thresholdFront)
        front.points.emplace_back(p.cost, p.accuracy);
    return front;
}

} // namespace earlybird
