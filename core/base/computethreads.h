#pragma once

namespace earlybird {

// The number of CPU cores LibTorch may use for one operation. LibTorch here starts with one; Earlybird uses every
// core unless the user asks for fewer (CLI --threads, GUI setting).
int machineCores();

// Sets LibTorch's intra-op thread count: `requested` if positive, else machineCores(). Returns the count in force.
// Throws ConfigError for a negative or absurd request.
int setComputeThreads(int requested);

int computeThreads();

// Lowers the calling thread's scheduling priority by `niceIncrement` (Linux nice values are per thread), so that
// threads at the normal priority, such as a window's GUI thread, are served first when the cores are busy. Threads
// that this thread starts from then on, LibTorch's pool among them, inherit it. Never raised back: a search thread
// stays a background thread. Returns false when the system refused.
bool lowerThisThreadsPriority(int niceIncrement);

} // namespace earlybird
