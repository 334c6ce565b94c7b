#include "data/jpegdecoder.h"

#include <csetjmp>
#include <cstdio> // jpeglib.h needs FILE and size_t declared first
#include <memory>

#include <jpeglib.h>

namespace earlybird {

namespace {

// A progressive JPEG may have any number of scans, each a pass over the whole image: a small file of thousands of
// tiny scans takes minutes (libjpeg-turbo's own fuzzers stop at 500).
constexpr int kMaxScans = 1000;
// What libjpeg may allocate for one image (the coefficient buffers of a progressive image are the largest part).
constexpr long kMaxJpegMemory = 1L << 30;

// libjpeg reports errors through callbacks; these end the decoding with a jump back to the caller, the message kept.
struct ErrorManager {
    jpeg_error_mgr base {};
    jmp_buf jump {};
    char message[JMSG_LENGTH_MAX] = {};
};

[[noreturn]] void onError(j_common_ptr info)
{
    auto* errors = reinterpret_cast<ErrorManager*>(info->err);
    (*info->err->format_message)(info, errors->message);
    std::longjmp(errors->jump, 1);
}

// Level -1 is a warning of corrupt data (a truncated file, a bad Huffman code): refused like an error.
void onMessage(j_common_ptr info, int level)
{
    if (level < 0)
        onError(info);
}

void onProgress(j_common_ptr info)
{
    auto* decompress = reinterpret_cast<j_decompress_ptr>(info);
    if (info->is_decompressor && decompress->input_scan_number > kMaxScans) {
        auto* errors = reinterpret_cast<ErrorManager*>(info->err);
        std::snprintf(errors->message, sizeof errors->message, "more than %d scans", kMaxScans);
        std::longjmp(errors->jump, 1);
    }
}

// One decompression, its libjpeg state on the heap so that nothing the jump skips needs destroying.
struct Decompression {
    jpeg_decompress_struct info {};
    ErrorManager errors;
    jpeg_progress_mgr progress {};
    std::vector<std::uint8_t> row;

    Decompression()
    {
        info.err = jpeg_std_error(&errors.base);
        errors.base.error_exit = onError;
        errors.base.emit_message = onMessage;
        progress.progress_monitor = onProgress;
    }
};

// Creates the decompression and reads the header. Call it after setjmp(d.errors.jump), where its errors land.
void begin(Decompression& d, const std::vector<std::uint8_t>& bytes)
{
    jpeg_create_decompress(&d.info);
    d.info.mem->max_memory_to_use = kMaxJpegMemory;
    d.info.progress = &d.progress;
    jpeg_mem_src(&d.info, bytes.data(), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&d.info, TRUE);
}

// After an error's jump: says what libjpeg said, and frees what it allocated.
bool refuse(Decompression& d, std::string& problem)
{
    problem = std::string("a damaged JPEG (") + d.errors.message + ")";
    jpeg_destroy_decompress(&d.info);
    return false;
}

int channelsOf(const jpeg_decompress_struct& info)
{
    return info.num_components == 1 ? 1 : 3;
}

} // namespace

bool startsAsJpeg(const std::vector<std::uint8_t>& b)
{
    if (b.empty() || b[0] != 0xFF)
        return false;
    std::size_t i = 1;
    while (i < b.size() && b[i] == 0xFF)
        ++i;
    return i < b.size() && b[i] == 0xD8;
}

bool probeJpeg(const std::vector<std::uint8_t>& bytes, ImageInfo& info, std::string& problem)
{
    const auto d = std::make_unique<Decompression>();
    if (setjmp(d->errors.jump))
        return refuse(*d, problem);
    begin(*d, bytes);
    info = ImageInfo { int(d->info.image_width), int(d->info.image_height), channelsOf(d->info) };
    jpeg_destroy_decompress(&d->info);
    return true;
}

bool decodeJpeg(const std::vector<std::uint8_t>& bytes, DecodedImage& image, std::string& problem)
{
    const auto d = std::make_unique<Decompression>();
    if (setjmp(d->errors.jump))
        return refuse(*d, problem);
    begin(*d, bytes);
    const bool cmyk = d->info.num_components == 4;
    // Grey stays grey; YCbCr and RGB come out as RGB; CMYK and YCCK come out as CMYK and are converted below.
    d->info.out_color_space = d->info.num_components == 1 ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&d->info);
    const int width = int(d->info.output_width), height = int(d->info.output_height);
    const int components = int(d->info.output_components);
    const int channels = cmyk ? 3 : components;
    image.info = ImageInfo { width, height, channels };
    image.pixels.assign(std::size_t(width) * std::size_t(height) * std::size_t(channels), 0);
    d->row.assign(std::size_t(width) * std::size_t(components), 0);
    // Adobe's CMYK JPEGs store the inks inverted (255: none), which is what a file with an Adobe marker means.
    const bool inverted = d->info.saw_Adobe_marker;
    while (d->info.output_scanline < d->info.output_height) {
        const std::size_t y = d->info.output_scanline;
        JSAMPROW rows[1]
            = { cmyk ? d->row.data() : image.pixels.data() + y * std::size_t(width) * std::size_t(channels) };
        jpeg_read_scanlines(&d->info, rows, 1);
        if (!cmyk)
            continue;
        std::uint8_t* out = image.pixels.data() + y * std::size_t(width) * 3;
        for (int x = 0; x < width; ++x) {
            const std::uint8_t* ink = d->row.data() + std::size_t(x) * 4;
            const int k = inverted ? ink[3] : 255 - ink[3];
            for (int c = 0; c < 3; ++c)
                out[std::size_t(x) * 3 + std::size_t(c)]
                    = std::uint8_t(((inverted ? ink[c] : 255 - ink[c]) * k + 127) / 255);
        }
    }
    jpeg_finish_decompress(&d->info);
    jpeg_destroy_decompress(&d->info);
    return true;
}

} // namespace earlybird
