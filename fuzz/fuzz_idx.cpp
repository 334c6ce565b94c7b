// IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed.
#include "fuzzfile.h"

#include "base/error.h"
#include "data/idxreader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const earlybird::IdxArray array = earlybird::readIdxFile(fuzz::writeInput("input.idx", data, size));
        std::size_t expected = 1;
        for (const std::int64_t d : array.dims)
            expected *= std::size_t(d);
        if (array.values.size() != expected)
            __builtin_trap(); // the reader promised a whole array
    } catch (const earlybird::Error&) {
    }
    return 0;
}
