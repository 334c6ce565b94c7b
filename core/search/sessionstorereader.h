#pragma once

// How the store is read, shared by the store's own files (sessionfile.cpp, sessionfollower.cpp): nothing else reads
// it.

#include "search/sessionfile.h"
#include "search/sqlitedatabase.h"

#include <string>

namespace earlybird {

class SessionStoreReader {
public:
    // Throws DataError naming `path` when the database is not a session store (another application's).
    static void checkApplicationId(SqliteDatabase& db, const std::string& path);
    // Reads the meta rows and the candidates from `session.archive.size()` on into `session`: the candidates are
    // appended, the rest replaced. Within a read transaction, what it reads is one commit's.
    static void readSession(SqliteDatabase& db, const std::string& path, Session& session);
    // Reads the outputs of the exits `outputs` does not hold yet, and the labels while it has none: all of them when
    // opening a session, what the writer added since when following one.
    static void readNewOutputs(SqliteDatabase& db, const std::string& path, SessionOutputs& outputs);
};

} // namespace earlybird
