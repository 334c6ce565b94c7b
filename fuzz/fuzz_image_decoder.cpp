// One image file's bytes straight into the decoder, in memory: the header probe, stb_image's decoders (PNG, JPEG, BMP)
// behind Earlybird's checks, and the conversion and resizing to a network's shape. fuzz_image_folder reaches the same
// code through a folder and its cache (about 130 inputs a second); this reaches it thousands of times faster.
#include "base/error.h"
#include "data/imagedecoder.h"

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::vector<std::uint8_t> bytes(data, data + size);
    earlybird::ImageInfo info;
    std::string problem;
    const bool probed = earlybird::probeImage(bytes, info, &problem);
    // Images of more than 256 x 256 pixels take the same paths as small ones, only slower: under ASan the fuzzer grew
    // headers towards the decoder's 64-megapixel limit, and with a one-megapixel cap its corpus filled with small files
    // that decode to a megapixel, at 115 inputs a second against 1,050 at first. They are left out; the probe, which
    // enforces the limit, still reads every header.
    if (probed && std::int64_t(info.width) * info.height > (std::int64_t(1) << 16))
        return 0;
    try {
        const earlybird::DecodedImage image = earlybird::decodeImage(bytes, "input");
        if (!probed)
            __builtin_trap(); // the probe refused what the decoder read
        if (image.pixels.size()
            != std::size_t(image.info.width) * std::size_t(image.info.height) * std::size_t(image.info.channels))
            __builtin_trap();
        // Into grey and RGB, at its own size and at a small one (down- and up-scaling both happen).
        for (const earlybird::ImageShape shape :
            { earlybird::ImageShape { 1, image.info.height, image.info.width }, earlybird::ImageShape { 3, 5, 7 } }) {
            std::vector<std::uint8_t> out(std::size_t(shape.pixelsPerImage()));
            earlybird::toPlanar(image, shape, out.data());
        }
    } catch (const earlybird::DataError&) {
    }
    return 0;
}
