// CIFAR-10 and CIFAR-100 binary batches.
#include "fuzzfile.h"

#include "base/error.h"
#include "data/cifarreader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::writeInput("test_batch.bin", data, size);
    fuzz::writeInput("test.bin", data, size);
    try {
        earlybird::readCifar10(fuzz::scratchFolder(), earlybird::Split::Test);
    } catch (const earlybird::Error&) {
    }
    try {
        earlybird::readCifar100(fuzz::scratchFolder(), earlybird::Split::Test, size % 2 == 0);
    } catch (const earlybird::Error&) {
    }
    return 0;
}
