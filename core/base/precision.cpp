#include "base/precision.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <cctype>
#include <cstdlib>

namespace earlybird {

const EnumNames<Precision>& enumNames(Precision)
{
    static const EnumNames<Precision> names { "precision",
        { { Precision::Auto, "auto" }, { Precision::Float32, "fp32" }, { Precision::BFloat16, "bf16" } } };
    return names;
}

namespace {

#if defined(__x86_64__) || defined(__i386__)
// CPUID says what the CPU has; XCR0 says which registers the system saves (SSE: bit 1, AVX: bit 2, AVX-512: bits 5-7,
// AMX tiles: bits 17-18), 0 where it cannot be read. Read directly, as compilers disagree on the names
// __builtin_cpu_supports knows.
unsigned savedRegisterState()
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) // OSXSAVE
        return 0;
    unsigned low = 0, high = 0;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return low;
}
#endif

} // namespace

bool cpuHasBf16()
{
#if defined(__x86_64__) || defined(__i386__)
    const unsigned low = savedRegisterState();
    unsigned a = 0, b = 0, c = 0, d = 0;
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

bool cpuHasAvx512()
{
    for (const char* variable : { "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA" }) {
        const char* value = std::getenv(variable);
        if (value == nullptr || *value == '\0')
            continue;
        std::string isa(value);
        for (char& c : isa)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (isa != "ALL" && isa.rfind("AVX512", 0) != 0 && isa.rfind("AVX10", 0) != 0)
            return false;
        break;
    }
#if defined(__x86_64__) || defined(__i386__)
    if ((savedRegisterState() & 0xe6u) != 0xe6u) // SSE, AVX and AVX-512 state
        return false;
    unsigned a = 0, b = 0, c = 0, d = 0;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 16)) != 0; // AVX512F
#else
    return false;
#endif
}

bool resolveChannelsLast(bool requested)
{
    return requested && cpuHasAvx512();
}

} // namespace earlybird
