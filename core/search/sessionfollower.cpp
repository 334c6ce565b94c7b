#include "search/sessionfollower.h"

#include "base/error.h"
#include "base/fileio.h"
#include "search/sessionlock.h"
#include "search/sessionstorereader.h"

namespace earlybird {

struct SessionFollower::Store {
    std::string path;
    SqliteDatabase db;
    std::int64_t dataVersion = 0;

    explicit Store(std::string file)
        : path(file)
        , db(std::move(file), false)
    {
    }
};

SessionFollower::SessionFollower(const std::string& folder)
{
    const std::string path = sessionFilePath(folder);
    if (!fileExists(path)) {
        if (fileExists(legacySessionFilePath(folder)))
            throw DataError(
                path, "this session was saved as session.json by an older Earlybird: it cannot be followed");
        if (const std::optional<SessionWriter> writer = sessionWriter(folder))
            throw DataError(path,
                "nothing is saved yet: " + writer->describe()
                    + " is preparing this session (loading the data, training or loading the backbone, caching "
                      "features). Open it again once it has saved its first candidates");
        throw DataError(path, "cannot open: there is no Earlybird search session in " + folder);
    }
    m_store = std::make_unique<Store>(path);
    read();
}

SessionFollower::~SessionFollower() = default;

void SessionFollower::read()
{
    Store& store = *m_store;
    // One read transaction: the candidates and outputs of one commit, so every candidate read has its outputs.
    store.db.exec("BEGIN");
    try {
        store.dataVersion = store.db.integer("PRAGMA data_version");
        SessionStoreReader::readSession(store.db, store.path, m_session);
        SessionStoreReader::readNewOutputs(store.db, store.path, m_outputs);
    } catch (...) {
        store.db.execQuietly("ROLLBACK");
        throw;
    }
    store.db.exec("COMMIT");
}

bool SessionFollower::poll()
{
    // PRAGMA data_version changes when another connection commits: checking it reads no page of the store.
    if (m_store->db.integer("PRAGMA data_version") == m_store->dataVersion)
        return false;
    read();
    return true;
}

} // namespace earlybird
