#pragma once

#include "base/enumnames.h"
#include "model/backbonespec.h"
#include "search/searchconfig.h"

#include <vector>

namespace earlybird {

// The comparison baselines, run by the search's engine on the same data (docs/baselines.md says what each keeps from
// its paper and what differs):
// Backbone: the backbone alone, evaluated once;
// Edanas: the EDANAS head (edanasHeads) at each stage end, each exit on or off, thresholds by the AEBNAS grid rule;
// Nachos: the same heads, each on or off, one threshold shared by every exit lowered from 0.8 to 0.1 until the
//   average MACs meet the target (TargetMode::Nachos);
// AebnasPaper: the stage-end positions (at most four), 1-2 3x3 convolutions per branch, each exit's threshold one of
//   the published {0.1, 0.2, 1} for accuracy% - 0.1 * MAPE.
enum class Baseline { Backbone, Edanas, Nachos, AebnasPaper };
const EnumNames<Baseline>& enumNames(Baseline); // "backbone", "edanas", "nachos", "aebnas-paper"

// The search space and settings of `baseline`, from the search settings `base` (data, backbone, target, budget).
SearchConfig baselineConfig(const SearchConfig& base, Baseline baseline);

// Stage ends: the block boundaries before each downsampling block, plus the one before the last block.
std::vector<int> stageEndPositions(const BackboneSpec& backbone);

// The EDANAS/NACHOS exit head at each of `positions` as their code builds it: three 3x3 convolutions to 32, 64 and
// 128 channels, then the classifier, with 2x2 max-pooling put in front (up to twice, a 4x4 pool) while taking the
// exit would cost at least as many MACs as taking the next one (the final exit after the last).
std::vector<ExitSpec> edanasHeads(const BackboneSpec& backbone, const std::vector<int>& positions);

} // namespace earlybird
