#pragma once

#include "model/architecture.h"

#include <string>

namespace earlybird {

// One branch, the same wherever it is named: where it sits on the backbone and what its layers are, never its
// threshold (thresholds are tuned per candidate). The search's branch pool, its screening, a branch farm and the
// session store's per-sample outputs all know a branch by this; key() is how the store spells it.
class BranchId {
public:
    explicit BranchId(const ExitSpec& exit);

    int position() const { return m_exit.position; }
    // The branch as an exit, with threshold 0.
    const ExitSpec& exit() const { return m_exit; }
    // "3 conv3x3x0.5/1 maxpool2x2": position, then each layer's type, and width and stride unless it pools (the
    // width with every digit a double holds, so two widths are never one key).
    const std::string& key() const { return m_key; }

    bool operator==(const BranchId& other) const { return m_key == other.m_key; }
    bool operator!=(const BranchId& other) const { return m_key != other.m_key; }
    bool operator<(const BranchId& other) const { return m_key < other.m_key; }

private:
    ExitSpec m_exit;
    std::string m_key;
};

} // namespace earlybird
