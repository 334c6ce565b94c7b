#include "search/keptmembers.h"

#include "experiment/experiment.h"
#include "search/search.h"

#include <algorithm>
#include <numeric>

namespace earlybird {

namespace {

// Free memory left over beyond a member's features: its data, backbone and the search's own working memory.
constexpr std::int64_t kMemoryMargin = std::int64_t(1) << 30;

} // namespace

std::vector<int> membersToLetGo(
    std::vector<KeptMember> kept, std::int64_t need, std::int64_t budget, std::int64_t available, std::int64_t margin)
{
    std::sort(
        kept.begin(), kept.end(), [](const KeptMember& a, const KeptMember& b) { return a.lastUsed < b.lastUsed; });
    std::int64_t held = std::accumulate(
        kept.begin(), kept.end(), std::int64_t(0), [](std::int64_t sum, const KeptMember& k) { return sum + k.bytes; });
    std::vector<int> letGo;
    for (const KeptMember& k : kept) {
        const bool fits = held + need <= budget && (available <= 0 || need + margin <= available);
        if (fits)
            break;
        letGo.push_back(k.member);
        held -= k.bytes;
        if (available > 0)
            available += k.bytes;
    }
    return letGo;
}

KeptMembers::KeptMembers() = default;

KeptMembers::~KeptMembers() = default;

std::unique_ptr<Search> KeptMembers::take(int member)
{
    const auto it = m_kept.find(member);
    if (it == m_kept.end())
        return nullptr;
    std::unique_ptr<Search> search = std::move(it->second.search);
    m_kept.erase(it);
    return search;
}

void KeptMembers::keep(int member, std::unique_ptr<Search> search)
{
    if (!search || !search->isPrepared())
        return;
    search->holdClock();
    m_bytes[member] = search->experiment().report().featureBytes;
    m_kept[member] = Entry { std::move(search), ++m_uses };
}

void KeptMembers::makeRoomFor(int member, std::int64_t budget)
{
    std::int64_t need = 0;
    if (const auto known = m_bytes.find(member); known != m_bytes.end())
        need = known->second;
    else
        for (const auto& [other, bytes] : m_bytes)
            need = std::max(need, bytes);
    std::vector<KeptMember> kept;
    for (const auto& [other, entry] : m_kept)
        if (other != member)
            kept.push_back({ other, m_bytes.at(other), entry.lastUsed });
    for (const int other : membersToLetGo(kept, need, budget, availableMemoryBytes(), kMemoryMargin))
        m_kept.erase(other);
}

bool KeptMembers::holds(int member) const
{
    return m_kept.count(member) > 0;
}

void KeptMembers::clear()
{
    m_kept.clear();
}

} // namespace earlybird
