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

// True when this CPU runs AVX-512 (foundation, with the system saving its registers) and oneDNN is not capped below it
// (DNNL_MAX_CPU_ISA / ONEDNN_MAX_CPU_ISA).
bool cpuHasAvx512();

// Whether training keeps weights and activations channels-last (NHWC): as requested where the CPU has AVX-512, never
// elsewhere. On AVX2 CPUs the oneDNN of Debian bookworm (2.6.3) computes the weight gradient of a 1x1 stride-2
// convolution on channels-last input with fewer than 8 input channels past the end of its buffer and corrupts the
// heap (valgrind, docs/measurements.md "Session 18"); NCHW takes other kernels.
bool resolveChannelsLast(bool requested);

} // namespace earlybird
