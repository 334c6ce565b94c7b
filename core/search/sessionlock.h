#pragma once

// One writer per session. The process that writes a session (a search, a resumed one, rank 0 of a cluster run) holds
// its lock for as long as it may write; any other process may read the session meanwhile (the window follows it with
// sessionfile.h's SessionFollower), but not write it: two searches resuming one session would interleave their
// candidates and each overwrite the other's state.

#include <optional>
#include <string>

namespace earlybird {

// The process holding a session's lock, as it wrote itself into the lock file.
struct SessionWriter {
    long pid = 0; // 0 when the holder had not written itself in yet
    std::string host;
    std::string program;

    // "earlybird-cli (pid 4242 on node07)".
    std::string describe() const;
    // Whether the writer runs on this machine. A session written on another machine cannot be followed: its store
    // logs writes ahead in shared memory, which a network file system does not share between machines.
    bool onThisHost() const;
};

// An advisory lock (flock) on `session.lock` in the session's folder. The system releases it when the process ends,
// however it ends (kill -9 included), so a lock is never left behind; on a network file system Linux carries it to the
// server, so it holds between machines too.
class SessionLock {
public:
    // Throws ConfigError naming the holder when another process (or another SessionLock in this one) holds the lock.
    // Where the lock file cannot be made (a missing or read-only folder) it holds nothing: nothing can write there, and
    // opening or saving the session says why.
    explicit SessionLock(const std::string& folder);
    ~SessionLock();
    SessionLock(const SessionLock&) = delete;
    SessionLock& operator=(const SessionLock&) = delete;

    bool isHeld() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

// The lock file of a session folder.
std::string sessionLockPath(const std::string& folder);
// The process writing the session in `folder` now, if any.
std::optional<SessionWriter> sessionWriter(const std::string& folder);

} // namespace earlybird
