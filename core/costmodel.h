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

#include "architecture.h"
#include "networkcost.h"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace earlybird {

enum class CostModel { Macs, Latency, Parameters };
std::string costModelName(CostModel model); // "macs", "latency", "parameters"
CostModel costModelFromName(const std::string& name); // throws ConfigError naming the choices
std::vector<std::string> costModelNames();
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

// Latencies of network parts measured on this machine, kept in a JSON file so that each part is timed once per
// machine and thread count. Parts missing from the table are timed when first asked for (5-20 ms each). Thread-safe.
class LatencyTable {
public:
    // The table file for this machine in `cacheDirectory`: its name carries a hash of the CPU model, the number of
    // cores, LibTorch's thread count and version, so another machine or thread count never reads these figures.
    static std::string fileFor(const std::string& cacheDirectory);
    // A description of this machine and thread count (CPU model, cores, threads, LibTorch version).
    static std::string machineDescription();

    // Loads `file` if it exists. A file that cannot be read as a table (corrupt, truncated, another machine's) is
    // set aside: the table starts empty and `problem()` says why, so callers can log it; it is never fatal.
    explicit LatencyTable(std::string file);

    const std::string& file() const { return m_file; }
    // The machine the table's figures are for: machineDescription() when the table was made.
    const std::string& machine() const { return m_machine; }
    const std::string& problem() const { return m_problem; }
    int size() const;
    int measuredSinceLoad() const;

    // The latency of every part of `architecture`, timing what the table lacks. `cancel` is checked between parts;
    // throws CancelledError when set.
    NetworkLatency latencyOf(const Architecture& architecture, const std::atomic<bool>* cancel = nullptr);
    // Writes the table atomically if anything was measured since it was loaded or last saved.
    void save();

private:
    double lookupOrMeasure(const std::string& key, const std::function<double()>& measure);

    std::string m_file;
    std::string m_machine;
    std::string m_problem;
    mutable std::mutex m_mutex;
    std::map<std::string, double> m_micros;
    int m_measured = 0;
    bool m_dirty = false;
};

// Per-exit costs of an architecture under a model and a convention, in the form ExitPolicy takes. `latency` is needed
// (and only read) for CostModel::Latency.
std::vector<double> exitCostsOf(
    CostModel model, const NetworkCost& cost, CostConvention convention, const NetworkLatency* latency = nullptr);

} // namespace earlybird
