#pragma once

// JPEG files, decoded with libjpeg-turbo (Debian's libjpeg62-turbo). stb_image 2.27 decodes PNG and BMP; its JPEG
// decoder was left after fuzzing found it writing past a table (a Huffman table of more than 256 codes) and shifting
// past 32 bits on a Huffman stream that runs out (UBSan, fuzz_image_decoder). libjpeg-turbo is fuzzed continuously
// upstream (OSS-Fuzz) and checks both.

#include "data/imagedecoder.h"

#include <cstdint>
#include <string>
#include <vector>

namespace earlybird {

// Whether the bytes start as a JPEG: FF D8, where the FF may be repeated (JPEG's fill bytes).
bool startsAsJpeg(const std::vector<std::uint8_t>& bytes);

// The size and channels (1 grey, 3 colour; CMYK is read as colour) from a JPEG's header, or false with `problem` set.
// Never throws.
bool probeJpeg(const std::vector<std::uint8_t>& bytes, ImageInfo& info, std::string& problem);

// The whole image, or false with `problem` set: a damaged stream is refused (libjpeg's warnings of corrupt data
// included, so that a truncated file is not read as half an image), and so is a file of more than 1,000 scans.
bool decodeJpeg(const std::vector<std::uint8_t>& bytes, DecodedImage& image, std::string& problem);

} // namespace earlybird
