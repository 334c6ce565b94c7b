#pragma once

#include "experiment/experiment.h"
#include "search/sessionfile.h"

#include <set>
#include <string>

namespace earlybird {

// Which exits' per-sample outputs a search's store holds, and those its next save adds: every exit a candidate used
// goes to the store once (by BranchId::key, the final exit by finalExitOutputKey), so that a session opens without its
// data or backbone.
class OutputsLedger {
public:
    // `stored`: the keys the store holds already (storedOutputKeys).
    explicit OutputsLedger(std::set<std::string> stored = {});

    // Whether the store holds, or the next save writes, the outputs of the exit with this key.
    bool has(const std::string& key) const;
    // Whether some exit of `architecture` (or the final one) has no outputs here.
    bool lacksAny(const Architecture& architecture) const;
    // Keeps the outputs of the candidate's exits that are not here yet, for the next save.
    void note(const Architecture& architecture, const CandidateOutcomes& outcomes);
    // What the next save adds (null: nothing), with the labels of `experiment` when it adds exits.
    const OutputsUpdate* pending(const Experiment* experiment);
    // The pending outputs are in the store now.
    void saved();

private:
    std::set<std::string> m_stored;
    OutputsUpdate m_pending;
};

} // namespace earlybird
