// NumPy .npy and .npz files (ZIP, stored or deflated, ZIP64), then the data set built from their arrays.
#include "fuzzfile.h"

#include "base/error.h"
#include "data/numpydataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::vector<std::uint8_t> bytes(data, data + size);
    try {
        std::map<std::string, earlybird::NumpyArray> arrays;
        if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
            arrays = earlybird::parseNpz(bytes, "fuzz.npz");
        } else {
            // One array, offered as every member in turn.
            const earlybird::NumpyArray array = earlybird::parseNpy(bytes, "fuzz.npy");
            array.describe();
            for (const char* name : { "x_train", "x_test", "y_train", "y_test", "x_val", "y_val", "class_names" })
                arrays[name] = array;
        }
        for (const earlybird::Split split : { earlybird::Split::Train, earlybird::Split::Test }) {
            try {
                earlybird::numpyDataset(arrays, split, "fuzz");
            } catch (const earlybird::Error&) {
            }
        }
    } catch (const earlybird::Error&) {
    }
    return 0;
}
