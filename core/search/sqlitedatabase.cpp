#include "search/sqlitedatabase.h"

#include "base/error.h"

#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace earlybird {

namespace {

bool folderWritable(const std::string& file)
{
    const std::size_t slash = file.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
    if (::access(folder.c_str(), F_OK) != 0)
        return true; // missing: SQLite says so when it opens the file
    struct statvfs info { };
    if (::statvfs(folder.c_str(), &info) == 0 && (info.f_flag & ST_RDONLY))
        return false;
    return ::access(folder.c_str(), W_OK) == 0;
}

// file:PATH?immutable=1, with the characters a URI reserves percent-encoded.
std::string immutableUri(const std::string& path)
{
    std::string uri = "file:";
    for (const unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            uri += char(c);
        } else {
            char code[4];
            std::snprintf(code, sizeof code, "%%%02X", c);
            uri += code;
        }
    }
    return uri + "?immutable=1";
}

} // namespace

SqliteDatabase::SqliteDatabase(std::string path, bool create)
    : m_path(std::move(path))
{
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE;
    std::string name = m_path;
    const bool writable = folderWritable(m_path);
    if (create && !writable)
        throw DataError(m_path,
            "cannot save the session: its folder is read-only. Open it to look at it, or copy the folder somewhere "
            "you can write and resume there");
    if (!create && !writable) {
        // A session on read-only media (a DVD, a read-only mount, a shared folder): nobody can change it, and
        // SQLite could not create the WAL index it needs to read, so open it as immutable. Saving then fails with a
        // clear "cannot be written".
        flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
        name = immutableUri(m_path);
    }
    if (sqlite3_open_v2(name.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        const std::string problem = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        m_db = nullptr;
        throw DataError(m_path, "cannot open the session store: " + problem);
    }
    sqlite3_busy_timeout(m_db, 5000); // a window reading while a search writes waits, briefly
}

SqliteDatabase::~SqliteDatabase()
{
    sqlite3_close(m_db);
}

void SqliteDatabase::exec(const std::string& sql)
{
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string problem = message ? message : sqlite3_errmsg(m_db);
        sqlite3_free(message);
        throw DataError(m_path, storeProblem(problem));
    }
}

std::int64_t SqliteDatabase::integer(const char* sql)
{
    Statement statement(*this, sql);
    return statement.step() ? statement.integer(0) : 0;
}

void SqliteDatabase::execQuietly(const char* sql)
{
    sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr);
}

void SqliteDatabase::fail()
{
    throw DataError(m_path, storeProblem(sqlite3_errmsg(m_db)));
}

// SQLite's message, with what the system said and what to do when the disk is full or the folder read-only.
std::string SqliteDatabase::storeProblem(const std::string& problem) const
{
    if (problem.find("not a database") != std::string::npos)
        return "not an Earlybird search session (" + problem + ")";
    const int lastErrno = errno;
    std::string text = "session store: " + problem;
    int code = m_db ? sqlite3_system_errno(m_db) : 0;
    // SQLite keeps the system's error for opening files, not for a failed write (SQLITE_IOERR_WRITE): errno
    // still holds it then (EFBIG, ENOSPC).
    if (code == 0 && m_db && (sqlite3_extended_errcode(m_db) & 0xff) == SQLITE_IOERR)
        code = lastErrno;
    if (code != 0)
        text += std::string(" (") + std::strerror(code) + ")";
    if (code == ENOSPC || code == EFBIG || code == EDQUOT || problem.find("disk is full") != std::string::npos)
        text += ": no room to save. What is saved so far stays readable; free some space, then resume";
    else if (code == EROFS || code == EACCES || code == EPERM || problem.find("readonly") != std::string::npos)
        text += ": the session folder cannot be written. Open it read-only, or resume in a folder you can write";
    return text;
}

SqliteDatabase::Statement::Statement(SqliteDatabase& db, const char* sql)
    : m_db(db)
{
    if (sqlite3_prepare_v2(db.m_db, sql, -1, &m_statement, nullptr) != SQLITE_OK)
        db.fail();
}

SqliteDatabase::Statement::~Statement()
{
    sqlite3_finalize(m_statement);
}

void SqliteDatabase::Statement::bind(int index, std::int64_t value)
{
    check(sqlite3_bind_int64(m_statement, index, value));
}

void SqliteDatabase::Statement::bind(int index, const std::string& text)
{
    check(sqlite3_bind_text(m_statement, index, text.data(), int(text.size()), SQLITE_TRANSIENT));
}

void SqliteDatabase::Statement::bindBlob(int index, const std::vector<std::uint8_t>& bytes)
{
    check(sqlite3_bind_blob(m_statement, index, bytes.data(), int(bytes.size()), SQLITE_TRANSIENT));
}

bool SqliteDatabase::Statement::step()
{
    const int status = sqlite3_step(m_statement);
    if (status == SQLITE_ROW)
        return true;
    if (status != SQLITE_DONE)
        m_db.fail();
    return false;
}

void SqliteDatabase::Statement::reset()
{
    sqlite3_reset(m_statement);
}

std::int64_t SqliteDatabase::Statement::integer(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

std::vector<std::uint8_t> SqliteDatabase::Statement::blob(int column) const
{
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_statement, column));
    return data ? std::vector<std::uint8_t>(data, data + sqlite3_column_bytes(m_statement, column))
                : std::vector<std::uint8_t>();
}

std::string SqliteDatabase::Statement::text(int column) const
{
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
    return data ? std::string(data, std::size_t(sqlite3_column_bytes(m_statement, column))) : std::string();
}

void SqliteDatabase::Statement::check(int status)
{
    if (status != SQLITE_OK)
        m_db.fail();
}

} // namespace earlybird
