#pragma once

#include <cstdint>
#include <random>

namespace earlybird {

// A seeded random source whose sequence is the same on every standard library: std::mt19937_64 is specified to the
// bit, but the std:: distributions are not, so the draws are derived here.
class Rng {
public:
    explicit Rng(std::uint64_t seed = 0)
        : m_engine(seed)
    {
    }

    std::uint64_t next() { return m_engine(); }

    // Uniform integer in [0, n); n > 0. The modulo's bias is n / 2^64: nothing at the sizes used here.
    std::uint64_t below(std::uint64_t n) { return next() % n; }

    // Uniform integer in [lo, hi].
    std::int64_t between(std::int64_t lo, std::int64_t hi)
    {
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
    }

    // Uniform double in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    bool coin() { return (next() >> 63) != 0; }

    // Standard normal by Box-Muller; the second value of each pair is dropped to keep the state simple to save.
    double normal();

    std::mt19937_64& engine() { return m_engine; }

private:
    std::mt19937_64 m_engine;
};

// Fisher-Yates shuffle driven by Rng, so a permutation is reproducible across platforms.
template <typename Vector>
void shuffle(Vector& values, Rng& rng)
{
    for (std::size_t i = values.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(rng.below(i));
        std::swap(values[i - 1], values[j]);
    }
}

} // namespace earlybird
