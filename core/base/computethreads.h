#pragma once

namespace earlybird {

// The number of CPU cores LibTorch may use for one operation. LibTorch here starts with one; Earlybird uses every
// core unless the user asks for fewer (CLI --threads, GUI setting).
int machineCores();

// Sets LibTorch's intra-op thread count: `requested` if positive, else machineCores(). Returns the count in force.
// Throws ConfigError for a negative or absurd request.
int setComputeThreads(int requested);

int computeThreads();

} // namespace earlybird
