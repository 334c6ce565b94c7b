#pragma once

#include <cstddef>
#include <functional>

namespace earlybird {

// Runs work(i) for every i in [0, count), split into contiguous shares in index order, one thread each on up to
// `maxThreads` cores (never more than the machine has; one share, on the calling thread, below `minimumForThreads`
// items). A share stops at its first exception; once every share has finished, the exception of the earliest share
// is rethrown, so an error is reported as a serial loop would report it: the first in order.
void forEachInShares(std::size_t count, const std::function<void(std::size_t)>& work, std::size_t minimumForThreads = 2,
    std::size_t maxThreads = 8);

} // namespace earlybird
