#pragma once

// Image files decoded without Qt: PNG (8 and 16 bits, greyscale, grey + alpha, RGB, RGBA, palette) and BMP by
// stb_image (Debian's libstb-dev, compiled into imagedecoder.cpp), JPEG (baseline and progressive, grey, colour, CMYK)
// by libjpeg-turbo (jpegdecoder.h).

#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace earlybird {

struct ImageInfo {
    int width = 0;
    int height = 0;
    int channels = 0; // as stored: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
};

struct DecodedImage {
    ImageInfo info;
    std::vector<std::uint8_t> pixels; // height x width x channels, 8 bits (16-bit images are scaled down)
};

// The size and channels from the file's header, or nothing (with `problem` saying why) if it is not an image this
// decoder reads. Never throws.
bool probeImage(const std::vector<std::uint8_t>& bytes, ImageInfo& info, std::string* problem = nullptr);

// Throws DataError naming `source` and the decoder's reason.
DecodedImage decodeImage(const std::vector<std::uint8_t>& bytes, const std::string& source);

// The image in `shape` (C x H x W): channels converted (grey copied to RGB; RGB to grey by luminance; alpha dropped)
// and resized (stb_image_resize's default filters) if its size differs. `out` receives shape.pixelsPerImage() bytes.
void toPlanar(const DecodedImage& image, ImageShape shape, std::uint8_t* out);

} // namespace earlybird
