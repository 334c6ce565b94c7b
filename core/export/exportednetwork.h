#pragma once

// A chosen network as Earlybird exports it: the architecture with the thresholds to use, how inputs are normalised,
// the class names, where it comes from and what it measured. The files written from it (JSON, PyTorch code, weights,
// ONNX) are in exporter.h and pythonmodule.h.

#include "data/channelstats.h"
#include "model/architecture.h"
#include "model/costmodel.h"
#include "policy/exitpolicy.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace earlybird {

struct ExportedNetwork {
    Architecture architecture; // with the exported thresholds
    CostConvention convention = CostConvention::AllEvaluatedBranches; // how a sample's MACs are counted
    std::string dataset; // the data set's name; empty for an architecture exported without a session
    std::vector<std::string> classNames; // one per class; empty: not known
    ChannelStats normalisation; // empty: not known (inputs are then taken as they come)
    std::string source; // where it comes from ("session DIR, candidate N"): text for people, never code
    int candidate = -1; // the candidate's id in its session; -1 for none
    // Figures of these thresholds on the session's validation and test splits, when measured.
    bool measured = false;
    PolicyResult validation;
    PolicyResult test;
};

// The JSON export: an architecture file (architecture.h reads it back: `earlybird-cli macs` and File > Open
// architecture take it) with an "export" object beside: source, data set, class names, normalisation, the exit rule,
// per-exit MACs and, when measured, accuracy per split, average MACs and exit rates.
nlohmann::ordered_json exportedNetworkToJson(const ExportedNetwork& network);

} // namespace earlybird
