#include "data/imagedecoder.h"

#include "base/error.h"
#include "data/jpegdecoder.h"

#include <algorithm>
#include <climits>
#include <cstring>

// stb_image (PNG and BMP; JPEG is jpegdecoder.h's) and stb_image_resize are compiled here, private to this file (no
// symbol clashes, and the fuzz build instruments them with everything else).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_MAX_DIMENSIONS (1 << 14)
#include <stb/stb_image.h>
#define STB_IMAGE_RESIZE_STATIC
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb/stb_image_resize.h>
#pragma GCC diagnostic pop

namespace earlybird {

namespace {

// stb_image's reason for its last failure, kept per thread: a thread that never failed before has none (null), and
// one that did keeps the old reason, so it is cleared before each call (a PNG that stb_image refused without a reason,
// decoded by an image folder's worker thread, made the message out of a null pointer: found by fuzz_image_folder).
void clearFailureReason()
{
    stbi__g_failure_reason = nullptr;
}

std::string failureReason()
{
    const char* reason = stbi_failure_reason();
    return reason && *reason ? reason : "the decoder gives no reason";
}

// No image this large is decoded (a header claiming 16384 x 16384 RGBA would ask for 1 GiB).
constexpr std::int64_t kMaxImagePixels = std::int64_t(1) << 26;

std::uint8_t luminance(const std::uint8_t* rgb)
{
    return std::uint8_t((299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2] + 500) / 1000);
}

// One chunk of a PNG: where it starts (its length field) and how many data bytes it has.
struct PngChunk {
    std::size_t at = 0;
    std::size_t length = 0;
    bool is(const std::vector<std::uint8_t>& b, const char* type) const
    {
        return std::equal(b.begin() + std::ptrdiff_t(at + 4), b.begin() + std::ptrdiff_t(at + 8), type);
    }
    std::size_t end() const { return at + 12 + length; } // past its checksum
};

// The chunks of a PNG up to its IEND, each checked to fit in the file: stb_image 2.27 grows its buffer for the image
// data by the lengths the chunks claim (up to 1 GiB each) before reading them, and a 100-byte file made it ask for
// 2 GiB (found by fuzz_image_decoder). Nothing for a file that is no PNG; `problem` is set for a chunk that does not
// fit.
std::vector<PngChunk> pngChunks(const std::vector<std::uint8_t>& b, std::string& problem)
{
    static const std::uint8_t kSignature[8] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };
    std::vector<PngChunk> chunks;
    if (b.size() < 8 || !std::equal(kSignature, kSignature + 8, b.begin()))
        return chunks;
    for (std::size_t at = 8; at + 8 <= b.size();) {
        const PngChunk chunk { at,
            std::size_t(b[at]) << 24 | std::size_t(b[at + 1]) << 16 | std::size_t(b[at + 2]) << 8
                | std::size_t(b[at + 3]) };
        if (b.size() - at < 12 || chunk.length > b.size() - at - 12) {
            problem = "a damaged PNG (a chunk of " + std::to_string(chunk.length) + " bytes where the file has "
                + std::to_string(b.size() - at) + " left)";
            return chunks;
        }
        chunks.push_back(chunk);
        if (chunk.is(b, "IEND"))
            break;
        at = chunk.end();
    }
    return chunks;
}

// A PNG whose first image-data chunk (IDAT) is empty makes stb_image 2.27 copy zero bytes into a null buffer
// (undefined behaviour, found by fuzz_image_decoder). Empty IDAT chunks carry nothing, and each chunk has its own
// checksum, so the file without them is the same image: returned here when a PNG has any (else nothing, and the file is
// decoded as it is). For a file probeImage passed.
std::vector<std::uint8_t> withoutEmptyIdat(const std::vector<std::uint8_t>& b)
{
    std::string problem;
    std::vector<PngChunk> empty;
    for (const PngChunk& chunk : pngChunks(b, problem)) {
        if (chunk.length == 0 && chunk.is(b, "IDAT"))
            empty.push_back(chunk);
    }
    if (empty.empty())
        return {};
    std::vector<std::uint8_t> kept;
    kept.reserve(b.size());
    std::size_t from = 0;
    for (const PngChunk& chunk : empty) {
        kept.insert(kept.end(), b.begin() + std::ptrdiff_t(from), b.begin() + std::ptrdiff_t(chunk.at));
        from = chunk.end();
    }
    kept.insert(kept.end(), b.begin() + std::ptrdiff_t(from), b.end());
    return kept;
}

} // namespace

bool probeImage(const std::vector<std::uint8_t>& bytes, ImageInfo& info, std::string* problem)
{
    if (bytes.empty() || bytes.size() > std::size_t(INT_MAX)) {
        if (problem)
            *problem = bytes.empty() ? "an empty file" : "a file larger than 2 GiB";
        return false;
    }
    if (std::string png; pngChunks(bytes, png), !png.empty()) {
        if (problem)
            *problem = std::move(png);
        return false;
    }
    std::string unread;
    if (startsAsJpeg(bytes)) {
        probeJpeg(bytes, info, unread);
    } else {
        clearFailureReason();
        if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &info.width, &info.height, &info.channels))
            unread = "not a PNG, JPEG or BMP image this decoder reads (" + failureReason() + ")";
    }
    if (!unread.empty()) {
        if (problem)
            *problem = std::move(unread);
        return false;
    }
    if (info.width <= 0 || info.height <= 0 || std::int64_t(info.width) * info.height > kMaxImagePixels) {
        if (problem)
            *problem = "an image of " + std::to_string(info.width) + " x " + std::to_string(info.height)
                + " pixels, larger than Earlybird decodes";
        return false;
    }
    return true;
}

DecodedImage decodeImage(const std::vector<std::uint8_t>& bytes, const std::string& source)
{
    DecodedImage image;
    std::string problem;
    if (!probeImage(bytes, image.info, &problem))
        throw DataError(source, problem);
    if (startsAsJpeg(bytes)) {
        if (!decodeJpeg(bytes, image, problem))
            throw DataError(source, problem);
        return image;
    }
    int width = 0, height = 0, channels = 0;
    const std::vector<std::uint8_t> withoutEmpty = withoutEmptyIdat(bytes);
    const std::vector<std::uint8_t>& input = withoutEmpty.empty() ? bytes : withoutEmpty;
    // 16-bit PNGs come back as 8 bits (stb_image scales them) unless loaded with the 16-bit call.
    clearFailureReason();
    stbi_uc* pixels = stbi_load_from_memory(input.data(), int(input.size()), &width, &height, &channels, 0);
    if (!pixels)
        throw DataError(source, "a damaged image (" + failureReason() + ")");
    image.info = { width, height, channels };
    image.pixels.assign(pixels, pixels + std::size_t(width) * std::size_t(height) * std::size_t(channels));
    stbi_image_free(pixels);
    return image;
}

void toPlanar(const DecodedImage& image, ImageShape shape, std::uint8_t* out)
{
    const ImageInfo& in = image.info;
    const std::int64_t inPixels = std::int64_t(in.width) * in.height;
    // First the channels (at the stored size), then the size.
    const int channels = shape.channels;
    std::vector<std::uint8_t> converted(std::size_t(inPixels * channels));
    for (std::int64_t p = 0; p < inPixels; ++p) {
        const std::uint8_t* px = image.pixels.data() + p * in.channels;
        std::uint8_t* to = converted.data() + p * channels;
        const bool colour = in.channels >= 3;
        for (int c = 0; c < channels; ++c) {
            if (channels == 1)
                to[c] = colour ? luminance(px) : px[0];
            else
                to[c] = colour ? px[std::min(c, 2)] : px[0];
        }
    }
    std::vector<std::uint8_t> resized;
    const std::uint8_t* source = converted.data();
    if (in.width != shape.width || in.height != shape.height) {
        resized.resize(std::size_t(shape.pixelsPerImage()));
        if (!stbir_resize_uint8(
                converted.data(), in.width, in.height, 0, resized.data(), shape.width, shape.height, 0, channels))
            throw Error("could not resize an image of " + std::to_string(in.width) + " x " + std::to_string(in.height));
        source = resized.data();
    }
    const std::int64_t plane = std::int64_t(shape.height) * shape.width;
    for (std::int64_t p = 0; p < plane; ++p) {
        for (int c = 0; c < channels; ++c)
            out[c * plane + p] = source[p * channels + c];
    }
}

} // namespace earlybird
