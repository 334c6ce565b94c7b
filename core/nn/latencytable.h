#pragma once

#include "model/architecture.h"
#include "model/costmodel.h"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace earlybird {

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

} // namespace earlybird
