#pragma once

// What "cost" means to a search: the hardware side of hardware-aware NAS.
//
//   macs        average MACs per sample (the convention in networkcost.h); exact and the same on every machine.
//   latency     average microseconds per sample on THIS machine: every backbone block, branch layer and classifier
//               head timed with LibTorch at batch size 1 (an early exit decides per sample, as on a device), with the
//               process's thread count, and summed along the path each sample takes. Kept in a per-machine table.
//   parameters  average parameters a sample is computed with (the weights read: backbone blocks passed, branches
//               run), the memory-traffic proxy of devices whose weights do not fit in cache. The model's size on
//               disk is NetworkCost::totalParameters, bounded with SearchConfig::maxParameters.
// Every model sums per-exit costs under the same CostConvention, so ExitPolicy tunes thresholds for any of them.

#include "model/architecture.h"
#include "model/networkcost.h"

#include <string>
#include <vector>

namespace earlybird {

enum class CostModel { Macs, Latency, Parameters };
const EnumNames<CostModel>& enumNames(CostModel); // "macs", "latency", "parameters" (or "params")
std::string costModelUnit(CostModel model); // "MACs", "us", "parameters"
// A cost with its unit, scaled for reading: "2.41 M MACs", "812 us", "1.20 ms", "35.2 k parameters".
std::string formatCost(CostModel model, double value);

// Per-part latency of one architecture, microseconds per sample at batch size 1.
struct NetworkLatency {
    std::vector<double> blocks; // each backbone block
    std::vector<double> exitHeads; // each exit's branch layers, classifier and confidence; the final exit last
    std::vector<int> exitPositions; // the block each exit follows
    double backboneMicros = 0; // every block plus the final classifier

    // What a sample leaving at exit `exitIndex` took: the blocks up to its position and the heads it ran.
    double microsForExit(int exitIndex, CostConvention convention) const;
};

// Per-exit costs of an architecture under a model and a convention, in the form ExitPolicy takes. `latency` is needed
// (and only read) for CostModel::Latency.
std::vector<double> exitCostsOf(
    CostModel model, const NetworkCost& cost, CostConvention convention, const NetworkLatency* latency = nullptr);

} // namespace earlybird
