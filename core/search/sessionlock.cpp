#include "search/sessionlock.h"

#include "base/error.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace earlybird {

namespace {

constexpr const char* kLockFile = "session.lock";
// A reader asks whether a writer holds the lock by taking it shared for a moment: a writer that starts just then
// tries again for up to this long before it takes the lock to be held.
constexpr int kLockAttempts = 50;
constexpr auto kLockRetry = std::chrono::milliseconds(10);
// The lock file holds one short JSON line; anything longer is not ours and is not read past this.
constexpr std::size_t kMaxLockFileBytes = 4096;

std::string thisHost()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0)
        return std::string();
    return name;
}

// The holder as it wrote itself in (JSON: pid, host, program); what cannot be read is left out.
SessionWriter readWriter(int fd)
{
    char buffer[kMaxLockFileBytes];
    const ssize_t size = ::pread(fd, buffer, sizeof buffer, 0);
    SessionWriter writer;
    const nlohmann::json json = nlohmann::json::parse(buffer, buffer + std::max<ssize_t>(size, 0), nullptr, false);
    if (json.is_object()) {
        if (json.contains("pid") && json["pid"].is_number_integer())
            writer.pid = json["pid"].get<long>();
        for (auto [key, value] : { std::pair { "host", &writer.host }, std::pair { "program", &writer.program } }) {
            if (json.contains(key) && json[key].is_string())
                *value = json[key].get<std::string>();
        }
    }
    return writer;
}

} // namespace

std::string SessionWriter::describe() const
{
    if (pid <= 0)
        return "another process";
    return (program.empty() ? std::string("a process") : program) + " (pid " + std::to_string(pid)
        + (host.empty() ? std::string() : " on " + host) + ")";
}

bool SessionWriter::onThisHost() const
{
    return host.empty() || host == thisHost();
}

std::string sessionLockPath(const std::string& folder)
{
    return folder + "/" + kLockFile;
}

SessionLock::SessionLock(const std::string& folder)
{
    const std::string path = sessionLockPath(folder);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == ENOENT || errno == EROFS || errno == EACCES || errno == EPERM)
            return;
        throw DataError(path, std::string("cannot make the session's lock file: ") + std::strerror(errno));
    }
    for (int attempt = 0;; ++attempt) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK) {
            ::close(fd); // a file system without locks: nothing to hold
            return;
        }
        if (attempt + 1 < kLockAttempts) {
            std::this_thread::sleep_for(kLockRetry);
            continue;
        }
        const SessionWriter holder = readWriter(fd);
        ::close(fd);
        throw ConfigError(folder + ": this session is being written by " + holder.describe()
            + ". Open it to watch it (read-only), or wait until that run ends");
    }
    m_fd = fd;
    const std::string text = nlohmann::json { { "pid", long(::getpid()) }, { "host", thisHost() },
        { "program", std::string(program_invocation_short_name) } }
                                 .dump()
        + "\n";
    // Who holds it is only for messages: a lock file that cannot be written still locks.
    if (::ftruncate(m_fd, 0) == 0 && ::pwrite(m_fd, text.data(), text.size(), 0) != ssize_t(text.size()))
        (void)::ftruncate(m_fd, 0);
}

SessionLock::~SessionLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // closing the last descriptor releases the lock
}

std::optional<SessionWriter> sessionWriter(const std::string& folder)
{
    const int fd = ::open(sessionLockPath(folder).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::optional<SessionWriter> writer;
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0)
        ::flock(fd, LOCK_UN);
    else if (errno == EWOULDBLOCK)
        writer = readWriter(fd);
    ::close(fd);
    return writer;
}

} // namespace earlybird
