#pragma once

// A family's members kept prepared between their slices (model/backbonefamily.h, search/familysearch.h): a prepared
// search holds its data, backbone and feature maps in memory, and preparing one again is what the CIFAR-10
// measurement of session 17 saw take a third of the family's budget. Members stay while their features fit the feature
// memory budget and the memory the system has free; the one searched longest ago is let go first.

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace earlybird {

class Search;

struct KeptMember {
    int member = 0;
    std::int64_t bytes = 0; // its feature maps
    std::uint64_t lastUsed = 0; // larger: searched more recently
};

// Which of `kept` to let go, least recently used first, so that a member needing `need` more bytes fits: what stays
// plus `need` within `budget`, and, when `available` (the system's free memory, 0: unknown) is known, `need` plus
// `margin` within what is free once those let go have given theirs back.
std::vector<int> membersToLetGo(
    std::vector<KeptMember> kept, std::int64_t need, std::int64_t budget, std::int64_t available, std::int64_t margin);

class KeptMembers {
public:
    KeptMembers();
    ~KeptMembers();

    // Member `member`'s prepared search, taken out (null if it is not kept).
    std::unique_ptr<Search> take(int member);
    // Keeps `search` (prepared) for member `member`, its clock held until its next run.
    void keep(int member, std::unique_ptr<Search> search);
    // Lets go of members until one more, `member`, can be prepared within `budget` (the feature memory the members may
    // hold together): it needs what its last preparation held, or, never prepared, the most any member held.
    void makeRoomFor(int member, std::int64_t budget);
    bool holds(int member) const;
    // Lets go of every member (their sessions and memory).
    void clear();

private:
    struct Entry {
        std::unique_ptr<Search> search;
        std::uint64_t lastUsed = 0;
    };
    std::map<int, Entry> m_kept;
    std::map<int, std::int64_t> m_bytes; // each member's features at its last preparation, kept or let go since
    std::uint64_t m_uses = 0;
};

} // namespace earlybird
