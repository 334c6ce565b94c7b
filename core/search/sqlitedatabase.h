#pragma once

// The session store's SQLite connection, for the store's own files (sessionfile.cpp, sessionfollower.cpp): every
// failure is a DataError naming the file, with what the system said and what to do when the disk is full or the
// folder read-only. A store on read-only media is opened immutable, so that it can still be read.

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace earlybird {

class SqliteDatabase {
public:
    // Opens (with `create`, creates) the database at `path`. Throws DataError naming it.
    SqliteDatabase(std::string path, bool create);
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    void exec(const std::string& sql);
    // The first column of the first row of `sql`, or 0 when there is none.
    std::int64_t integer(const char* sql);
    // For ending a transaction on the way out of an error: the error that is on its way is the one to report.
    void execQuietly(const char* sql);
    [[noreturn]] void fail();

    // A prepared statement, finalised when it goes out of scope.
    class Statement {
    public:
        Statement(SqliteDatabase& db, const char* sql);
        ~Statement();
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;
        void bind(int index, std::int64_t value);
        void bind(int index, const std::string& text);
        void bindBlob(int index, const std::vector<std::uint8_t>& bytes);
        // True while there is a row to read.
        bool step();
        void reset();
        std::int64_t integer(int column) const;
        std::vector<std::uint8_t> blob(int column) const;
        std::string text(int column) const;

    private:
        void check(int status);
        SqliteDatabase& m_db;
        sqlite3_stmt* m_statement = nullptr;
    };

private:
    // SQLite's message, with what the system said and what to do when the disk is full or the folder read-only.
    std::string storeProblem(const std::string& problem) const;

    std::string m_path;
    sqlite3* m_db = nullptr;
};

} // namespace earlybird
