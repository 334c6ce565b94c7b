#pragma once

// The session file: everything a search saves in its folder, and the only code that reads or writes it. The search
// loop, the window and the CLI all go through here.

#include "model/costmodel.h"
#include "policy/exitpolicy.h"
#include "search/candidaterecord.h"
#include "search/searchconfig.h"
#include "search/thresholdfront.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace earlybird {

// The search's own state between candidates: enough to go on exactly where it stopped.
struct SearchState {
    int generation = 0;
    std::vector<int> population; // ids: parents of the next generation
    std::vector<int> offspring; // ids: evaluated members of the current generation
    std::vector<Genome> queue; // proposed members of the current generation not yet evaluated
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

// Writes the session atomically (a temporary file renamed over the old one): a kill at any moment leaves the last
// complete session. Also writes, for readers of the file, the front and hypervolumes derived from the archive.
void saveSession(const std::string& folder, const Session& session);
// Reads a session. Throws DataError naming the file for a missing, corrupt or foreign file, or one written by a newer
// Earlybird. Genomes come back canonical.
Session loadSession(const std::string& folder);

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
