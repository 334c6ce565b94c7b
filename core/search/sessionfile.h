#pragma once

// The session store: everything a search saves in its folder, and the only code that reads or writes it. The search
// loop, the window and the CLI all go through here (and through sessionfollower.h, to follow a session another process
// writes). What a session is: session.h; its JSON: sessionjson.h.

#include "experiment/experiment.h"
#include "model/branchid.h"
#include "model/costmodel.h"
#include "search/outputcolumns.h"
#include "search/session.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace earlybird {

// The file a session is kept in, inside its folder.
std::string sessionFilePath(const std::string& folder);
bool hasSession(const std::string& folder);

// The store is an SQLite database: candidates are rows written once, the rest a few rows rewritten on each save, all
// in one transaction, so that a process killed at any moment leaves the last saved session whole, and a save costs
// what is new, not what is there. Sessions from before it were one JSON file (session.json): they still open, and
// saving one from then on writes the store beside it.

// What a save adds to the outputs: labels (written when the store has none) and exits by key (BranchId::key).
struct OutputsUpdate {
    std::vector<std::int32_t> validationLabels;
    std::vector<std::int32_t> testLabels;
    std::map<std::string, StoredExit> exits;
};
// The final exit's key.
inline const char* finalExitOutputKey()
{
    return "final";
}
// Saves the session: the candidates not stored yet (ids are indices) and everything else, in one transaction.
void saveSession(const std::string& folder, const Session& session);
// The same with the candidates given apart (`session.archive` is not read), so that a search saves without copying
// its archive, and with the outputs to add (none when null), in the same transaction.
void saveSession(const std::string& folder, const Session& session, const std::vector<CandidateRecord>& archive,
    const OutputsUpdate* outputs = nullptr);
// The keys of the exits whose outputs the store holds (none for a session.json, or a store from before outputs).
std::set<std::string> storedOutputKeys(const std::string& folder);

// Every exit's outputs in a session's store, read once.
class SessionOutputs {
public:
    // Throws DataError naming the file for a corrupt store. A store without outputs gives an empty one.
    static SessionOutputs load(const std::string& folder);

    bool empty() const { return m_exits.empty(); }
    std::size_t exitCount() const { return m_exits.size(); }
    // Whether every exit of `architecture` (and the final one) is here.
    bool covers(const Architecture& architecture) const;
    // The candidate's outcomes on both splits, as Experiment::evaluate gives them; ConfigError if not covered.
    CandidateOutcomes outcomes(const Architecture& architecture) const;

private:
    friend class SessionStoreReader; // fills it, and adds what a followed session's writer stores later
    std::vector<std::int32_t> m_validationLabels;
    std::vector<std::int32_t> m_testLabels;
    std::map<std::string, StoredExit> m_exits;
};

// Reads a session: the store, or a session.json from before it. Throws DataError naming the file for a missing,
// corrupt or foreign file, or one written by a newer Earlybird. Genomes come back canonical.
Session loadSession(const std::string& folder);
// The JSON file of sessions before the store (also the format of `earlybird-cli session export`).
std::string legacySessionFilePath(const std::string& folder);

// What a chart needs of another session (a baseline beside the session on screen): its name, cost model and the
// threshold front on validation as (average cost, accuracy) points, by cost. Read from the file alone, without data or
// backbone.
struct SessionFront {
    std::string name;
    CostModel costModel = CostModel::Macs;
    std::vector<std::pair<double, double>> points;
};
SessionFront readSessionFront(const std::string& folder);

} // namespace earlybird
