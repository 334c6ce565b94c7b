#include "base/parallel.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace earlybird {

void forEachInShares(std::size_t count, const std::function<void(std::size_t)>& work, std::size_t minimumForThreads,
    std::size_t maxThreads)
{
    if (count == 0)
        return;
    const std::size_t shares = count < minimumForThreads ? 1
                                                         : std::clamp<std::size_t>(std::thread::hardware_concurrency(),
                                                             1, std::max<std::size_t>(1, std::min(maxThreads, count)));
    std::vector<std::exception_ptr> errors(shares);
    const auto runShare = [&](std::size_t share) {
        try {
            for (std::size_t i = share * count / shares; i < (share + 1) * count / shares; ++i)
                work(i);
        } catch (...) {
            errors[share] = std::current_exception();
        }
    };
    std::vector<std::thread> helpers;
    for (std::size_t share = 1; share < shares; ++share)
        helpers.emplace_back(runShare, share);
    runShare(0);
    for (std::thread& helper : helpers)
        helper.join();
    for (const std::exception_ptr& error : errors) {
        if (error)
            std::rethrow_exception(error);
    }
}

} // namespace earlybird
