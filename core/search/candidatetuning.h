#pragma once

#include "experiment/experiment.h"
#include "model/costmodel.h"
#include "search/candidaterecord.h"
#include "search/searchconfig.h"
#include "search/thresholdfront.h"

#include <vector>

namespace earlybird {

// A candidate tuned from its per-sample outcomes: its thresholds set for the search's target (budget mode: the best
// validation accuracy within it; AEBNAS mode: the paper's grid rule), the record's figures on both splits and costs,
// and its validation trade-off curve (the tuned point first), each point measured on test too.
struct TunedCandidate {
    CandidateRecord record; // id, costs, parameters, figures and the architecture with its thresholds
    std::vector<FrontPoint> curve;
};

// Tunes `architecture` (`measured`: its latency, for the latency cost model) as candidate `id`. Trains nothing.
TunedCandidate tuneCandidate(const SearchConfig& config, const Architecture& architecture,
    const CandidateOutcomes& outcomes, const NetworkLatency& measured, int id);

} // namespace earlybird
