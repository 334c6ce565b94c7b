// SVHN .mat files, through libmatio and Earlybird's checks.
#include "fuzzfile.h"

#include "base/error.h"
#include "data/svhnreader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        earlybird::readSvhnFile(fuzz::writeInput("test_32x32.mat", data, size), "fuzz");
    } catch (const earlybird::Error&) {
    }
    return 0;
}
