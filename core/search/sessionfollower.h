#pragma once

#include "search/sessionfile.h"

#include <memory>
#include <string>

namespace earlybird {

// Follows a session that another process is writing (sessionlock.h). It opens the store as loadSession and
// SessionOutputs::load do; then each poll() reads only what was committed since the read before. Candidates and an
// exit's outputs never change once stored, so nothing is read twice.
class SessionFollower {
public:
    // Throws DataError naming the file for a missing, corrupt or foreign store. (A session.json cannot be followed: no
    // running Earlybird writes one.)
    explicit SessionFollower(const std::string& folder);
    ~SessionFollower();
    SessionFollower(const SessionFollower&) = delete;
    SessionFollower& operator=(const SessionFollower&) = delete;

    // Everything read so far: the candidates by id, the rest as of the last commit read.
    const Session& session() const { return m_session; }
    const SessionOutputs& outputs() const { return m_outputs; }
    // Reads what the writer committed since the last read: new candidates are appended to session().archive, the rest
    // of the session is replaced, new exits' outputs are added. False, having read nothing, when nothing was committed.
    // Throws DataError naming the file when the store cannot be read.
    bool poll();

private:
    void read();

    struct Store;
    std::unique_ptr<Store> m_store;
    Session m_session;
    SessionOutputs m_outputs;
};

} // namespace earlybird
