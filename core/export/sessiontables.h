#pragma once

// A session's tables as CSV: every candidate, and the front over threshold settings. The window's "Export CSV" and
// `earlybird-cli export SESSION --format csv|front-csv` write these.

#include "model/costmodel.h"
#include "search/candidaterecord.h"
#include "search/thresholdfront.h"

#include <set>
#include <string>
#include <vector>

namespace earlybird {

// One row per candidate: id, generation, accuracies, average MACs and cost on both splits, cost as a fraction of the
// backbone's, parameters, exits, exit positions, distinct layer types, whether it is one of `onFront` (a threshold
// setting of it is on the front), and its tuned thresholds (lists are space-separated).
std::string candidatesCsv(const std::vector<CandidateRecord>& archive, const std::set<int>& onFront,
    CostModel costModel, double backboneCost);
// The candidates with a point on `front`.
std::set<int> frontCandidates(const std::vector<FrontPoint>& front);

// One row per front point, by cost: its index (what `export --front-point` takes), candidate, accuracies, average
// cost and MACs, cost as a fraction of the backbone's, and its thresholds.
std::string frontCsv(const std::vector<FrontPoint>& front, CostModel costModel, double backboneCost);

// Branch layer types used anywhere in the architecture, each counted once.
int distinctLayerTypes(const Architecture& architecture);

} // namespace earlybird
