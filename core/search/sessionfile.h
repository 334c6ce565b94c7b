#pragma once

// The session file: everything a search saves in its folder, and the only code that reads or writes it. The search
// loop, the window and the CLI all go through here.

#include "experiment/experiment.h"
#include "model/costmodel.h"
#include "policy/exitpolicy.h"
#include "search/candidaterecord.h"
#include "search/searchconfig.h"
#include "search/thresholdfront.h"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace earlybird {

// The search's own state between candidates: enough to go on exactly where it stopped.
struct SearchState {
    int generation = 0;
    std::vector<int> population; // ids: parents of the next generation
    std::vector<int> offspring; // ids: evaluated members of the current generation
    std::vector<Genome> queue; // proposed members of the current generation not yet evaluated
    std::vector<Genome> screenedOut; // turned down by multi-fidelity screening: never proposed again
    std::string rng; // the random generator's state, as its stream operator writes it
    double elapsedSeconds = 0; // in every run of the session so far
    bool finished = false;
};

// The backbone alone, as measured when the search was prepared.
struct BackboneFigures {
    double macs = 0;
    double cost = 0; // in the session's cost model
    double validationAccuracy = 0;
    double testAccuracy = 0;
};

// The hypervolumes at the end of one generation: of the threshold front, and of the candidates' tuned points alone.
struct HypervolumeRecord {
    int generation = 0;
    int evaluated = 0;
    double elapsedSeconds = 0;
    double validation = 0;
    double test = 0;
    double candidateValidation = 0;
    double candidateTest = 0;
};

struct Session {
    SearchConfig config;
    std::string fingerprint; // the experiment's backbone key: the data and backbone the session was run on
    BackboneFigures backbone;
    std::string machine; // where latencies were measured (latency cost model only)
    SearchState state;
    std::vector<CandidateRecord> archive; // ids are indices
    std::vector<HypervolumeRecord> hypervolumeHistory;
    // The front over every candidate's threshold settings (thresholdfront.h), by cost. Sessions from before it load
    // with the candidates' tuned points.
    std::vector<FrontPoint> thresholdFront;
};

// The file a session is kept in, inside its folder.
std::string sessionFilePath(const std::string& folder);
bool hasSession(const std::string& folder);

// The store is an SQLite database: candidates are rows written once, the rest a few rows rewritten on each save, all
// in one transaction, so that a process killed at any moment leaves the last saved session whole, and a save costs
// what is new, not what is there. Sessions from before it were one JSON file (session.json): they still open, and
// saving one from then on writes the store beside it.

// Per-sample outputs of the session's exits, kept in the store beside the candidates so that a finished session opens
// without its data or backbone: each exit (a trained branch at its position, or the backbone's final classifier) with
// its three confidences and its prediction for every validation and test sample, and the labels once. The frozen
// backbone makes them independent of the other exits, so every candidate is assembled from them exactly.
struct ExitColumns {
    std::vector<float> confidence[3]; // by ConfidenceMeasure
    std::vector<std::int32_t> predictions;
};
struct StoredExit {
    ExitColumns validation;
    ExitColumns test;
};
// What a save adds to the outputs: labels (written when the store has none) and exits by key (exitOutputKey).
struct OutputsUpdate {
    std::vector<std::int32_t> validationLabels;
    std::vector<std::int32_t> testLabels;
    std::map<std::string, StoredExit> exits;
};
// An exit's key in the store: its position and layers, never its threshold.
std::string exitOutputKey(const ExitSpec& exit);
// The final exit's key.
inline const char* finalExitOutputKey()
{
    return "final";
}
// Exit `exit`'s column of `outcomes`.
ExitColumns exitColumns(const ExitOutcomes& outcomes, int exit);

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
    friend class SessionFollower; // adds what a running search stores after the session was opened
    std::vector<std::int32_t> m_validationLabels;
    std::vector<std::int32_t> m_testLabels;
    std::map<std::string, StoredExit> m_exits;
};
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

// Reads a session: the store, or a session.json from before it. Throws DataError naming the file for a missing,
// corrupt or foreign file, or one written by a newer Earlybird. Genomes come back canonical.
Session loadSession(const std::string& folder);
// The JSON file of sessions before the store (also the format of `earlybird-cli session export`).
std::string legacySessionFilePath(const std::string& folder);

// The whole session as one readable JSON document, with the front and hypervolumes derived from the archive.
// A search's settings as the session file holds them, and back (throws DataError naming `source`).
nlohmann::ordered_json searchConfigToJson(const SearchConfig& config);
SearchConfig searchConfigFromJson(const nlohmann::ordered_json& json, const std::string& source);
nlohmann::ordered_json sessionToJson(const Session& session);
// `source` names the file in errors.
Session sessionFromJson(const nlohmann::ordered_json& json, const std::string& source);

// One policy result as the session file and the CLI write it: accuracy, average cost and MACs, per-exit rates,
// accuracies and counts, samples and thresholds.
nlohmann::ordered_json policyToJson(const PolicyResult& result);
PolicyResult policyFromJson(const nlohmann::ordered_json& json);

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
