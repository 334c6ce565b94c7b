#pragma once

#include "base/enumnames.h"
#include "model/backbonespec.h"
#include "search/searchconfig.h"

#include <vector>

namespace earlybird {

// The comparison baselines, run by the search's engine on the same data:
// Backbone: the backbone alone, evaluated once;
// Edanas: a fixed branch (one 3x3 convolution, width x1) at stage ends, thresholds on a 0.1 grid (the AEBNAS rule);
// AebnasPaper: the stage-end positions (at most four), 1-2 3x3 convolutions per branch, grid-tuned thresholds.
enum class Baseline { Backbone, Edanas, AebnasPaper };
const EnumNames<Baseline>& enumNames(Baseline); // "backbone", "edanas", "aebnas-paper"

// The search space and settings of `baseline`, from the search settings `base` (data, backbone, target, budget).
SearchConfig baselineConfig(const SearchConfig& base, Baseline baseline);

// Stage ends: the block boundaries before each downsampling block, plus the one before the last block.
std::vector<int> stageEndPositions(const BackboneSpec& backbone);

} // namespace earlybird
