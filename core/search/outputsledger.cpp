#include "search/outputsledger.h"

namespace earlybird {

OutputsLedger::OutputsLedger(std::set<std::string> stored)
    : m_stored(std::move(stored))
{
}

bool OutputsLedger::has(const std::string& key) const
{
    return m_stored.count(key) || m_pending.exits.count(key);
}

bool OutputsLedger::lacksAny(const Architecture& architecture) const
{
    bool missing = !has(finalExitOutputKey());
    for (const ExitSpec& exit : architecture.exits)
        missing = missing || !has(BranchId(exit).key());
    return missing;
}

void OutputsLedger::note(const Architecture& architecture, const CandidateOutcomes& outcomes)
{
    const auto keep = [&](const std::string& key, int exit) {
        if (has(key))
            return;
        m_pending.exits[key] = StoredExit { exitColumns(outcomes.validation, exit), exitColumns(outcomes.test, exit) };
    };
    for (std::size_t e = 0; e < architecture.exits.size(); ++e)
        keep(BranchId(architecture.exits[e]).key(), int(e));
    keep(finalExitOutputKey(), architecture.exitCount() - 1);
}

const OutputsUpdate* OutputsLedger::pending(const Experiment* experiment)
{
    if (m_pending.exits.empty())
        return nullptr;
    if (experiment) {
        m_pending.validationLabels = experiment->validationLabels();
        m_pending.testLabels = experiment->testLabels();
    }
    return &m_pending;
}

void OutputsLedger::saved()
{
    for (const auto& item : m_pending.exits)
        m_stored.insert(item.first);
    m_pending = OutputsUpdate();
}

} // namespace earlybird
