#pragma once

// The number format training computes in, and what this CPU offers for it.

#include "base/enumnames.h"

#include <string>

namespace earlybird {

// How backbone and branch training compute. BFloat16 runs LibTorch's CPU autocast (matrix products and convolutions in
// bfloat16, weights, losses and optimiser state in float32); Auto picks it only where the CPU has bfloat16 instructions
// (AVX512_BF16 or AMX-BF16), since elsewhere oneDNN emulates them and training gets slower, not faster
// (docs/measurements.md).
enum class Precision { Auto, Float32, BFloat16 };
const EnumNames<Precision>& enumNames(Precision); // "auto", "fp32", "bf16"

// True when this CPU executes bfloat16 dot products natively (AVX512_BF16 or AMX-BF16); false on other CPUs and
// architectures.
bool cpuHasBf16();

// `requested` with Auto decided for this CPU: BFloat16 where cpuHasBf16(), Float32 elsewhere.
Precision resolvePrecision(Precision requested);

// One line for logs and reports: what was chosen and why ("fp32 (auto: this CPU has no AVX512_BF16 or AMX-BF16)").
std::string precisionNote(Precision requested);

} // namespace earlybird
