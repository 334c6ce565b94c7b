#include "base/computethreads.h"

#include "base/error.h"

#include <ATen/Parallel.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace earlybird {

namespace {
// More threads than this is a typing mistake on any machine this runs on.
constexpr int kMaxThreads = 1024;
} // namespace

int machineCores()
{
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : int(cores);
}

int setComputeThreads(int requested)
{
    if (requested < 0 || requested > kMaxThreads)
        throw ConfigError("thread count must be 1 to " + std::to_string(kMaxThreads) + " (or 0 for every core), not "
            + std::to_string(requested));
    const int threads = requested > 0 ? requested : machineCores();
    at::set_num_threads(threads);
    return at::get_num_threads();
}

int computeThreads()
{
    return at::get_num_threads();
}

bool lowerThisThreadsPriority(int niceIncrement)
{
    // PRIO_PROCESS with a thread id sets that thread's nice alone (Linux).
    const id_t thread = id_t(::syscall(SYS_gettid));
    errno = 0;
    const int now = ::getpriority(PRIO_PROCESS, thread);
    if (errno != 0)
        return false;
    return ::setpriority(PRIO_PROCESS, thread, std::min(now + niceIncrement, 19)) == 0;
}

} // namespace earlybird
