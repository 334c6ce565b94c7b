#pragma once

// What a session is, in memory: the search's settings, state, candidates, hypervolumes and front. Saved and read by
// the store (sessionfile.h); as one JSON document by sessionjson.h.

#include "search/candidaterecord.h"
#include "search/searchconfig.h"
#include "search/thresholdfront.h"

#include <string>
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

} // namespace earlybird
