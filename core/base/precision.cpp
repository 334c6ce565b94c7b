#include "base/precision.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace earlybird {

const EnumNames<Precision>& enumNames(Precision)
{
    static const EnumNames<Precision> names { "precision",
        { { Precision::Auto, "auto" }, { Precision::Float32, "fp32" }, { Precision::BFloat16, "bf16" } } };
    return names;
}

bool cpuHasBf16()
{
#if defined(__x86_64__) || defined(__i386__)
    // CPUID says what the CPU has; XCR0 says whether the system saves the registers (AVX-512 state: bits 5-7;
    // AMX tiles: bits 17-18). Read directly, as compilers disagree on the names __builtin_cpu_supports knows.
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) // OSXSAVE
        return false;
    unsigned low = 0, high = 0;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    const bool avx512State = (low & 0xe0u) == 0xe0u;
    const bool amxState = (low & 0x60000u) == 0x60000u;
    bool avx512Bf16 = false, amxBf16 = false;
    if (__get_cpuid_count(7, 1, &a, &b, &c, &d))
        avx512Bf16 = (a & (1u << 5)) != 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
        amxBf16 = (d & (1u << 22)) != 0;
    return (avx512Bf16 && avx512State) || (amxBf16 && amxState);
#else
    return false;
#endif
}

Precision resolvePrecision(Precision requested)
{
    if (requested != Precision::Auto)
        return requested;
    return cpuHasBf16() ? Precision::BFloat16 : Precision::Float32;
}

std::string precisionNote(Precision requested)
{
    const Precision resolved = resolvePrecision(requested);
    if (requested != Precision::Auto)
        return nameOf(resolved) + " (as set"
            + (resolved == Precision::BFloat16 && !cpuHasBf16()
                    ? "; this CPU has no AVX512_BF16 or AMX-BF16, so it is emulated"
                    : "")
            + ")";
    return nameOf(resolved)
        + (resolved == Precision::BFloat16 ? " (auto: this CPU has bfloat16 instructions)"
                                           : " (auto: this CPU has no AVX512_BF16 or AMX-BF16)");
}

} // namespace earlybird
