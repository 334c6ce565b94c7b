// Image files in an image folder data set: stb_image's decoders (PNG, JPEG, BMP) and Earlybird's conversion, resizing
// and cache, strict and skipping bad images. The input is one training image beside a valid one; the test split holds
// the input again.
#include "fuzzfile.h"

#include "base/error.h"
#include "data/imagedecoder.h"
#include "data/imagefolder.h"

#include <filesystem>

namespace {

// A 3 x 2 greyscale PNG (made with Python's zlib and struct): a valid neighbour for the input.
const std::uint8_t kValidPng[] = { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0xb8, 0x1f, 0x39, 0xc6,
    0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x60, 0x10, 0x50, 0x60, 0x70, 0x68, 0xf8, 0x0f,
    0x00, 0x03, 0xc7, 0x01, 0xf0, 0x2d, 0xc2, 0x79, 0x69, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82 };

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    namespace fs = std::filesystem;
    // Images over 64 x 64 pixels are left out: they take the same paths as small ones, only slower (their resizing
    // took most of the time: 90 inputs a second at 256 x 256). fuzz_image_decoder takes images up to 256 x 256; this
    // target is for the folder walk, the cache and skipping bad images around the decoder.
    earlybird::ImageInfo info;
    if (earlybird::probeImage(std::vector<std::uint8_t>(data, data + size), info)
        && std::int64_t(info.width) * info.height > (std::int64_t(1) << 12))
        return 0;
    const std::string root = fuzz::scratchFolder() + "/images";
    fs::create_directories(root + "/train/a");
    fs::create_directories(root + "/train/b");
    fs::create_directories(root + "/test/a");
    fuzz::writeInput("images/train/a/valid.png", kValidPng, sizeof kValidPng);
    fuzz::writeInput("images/train/b/input.png", data, size);
    fuzz::writeInput("images/test/a/input.jpg", data, size);
    for (const bool skip : { false, true }) {
        earlybird::ImageFolderOptions options;
        options.skipBadImages = skip;
        options.cacheDirectory = fuzz::scratchFolder() + "/cache";
        if (size % 3 == 0) {
            options.height = 5;
            options.width = 7;
        }
        for (const earlybird::Split split : { earlybird::Split::Train, earlybird::Split::Test }) {
            try {
                earlybird::readImageFolder(root, split, options);
            } catch (const earlybird::Error&) {
            }
        }
    }
    return 0;
}
