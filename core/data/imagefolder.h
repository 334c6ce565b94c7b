#pragma once

// Image folders, the layout of torchvision's ImageFolder and Keras: ROOT/train/<class>/..., ROOT/test/<class>/... and
// optionally ROOT/val/<class>/... (a validation split of the user's own). Class names are the train/ folder's
// subfolders, sorted; images are found in them and their subfolders (.png, .jpg, .jpeg, .bmp, any case; other files
// are counted and ignored). Every image is converted to one shape: grey if every image is grey, else RGB; the size
// given, else the most common size among the training images. The decoded images are cached (checksummed, keyed by
// the folder and these options, checked against every file's size and modification time), so a folder opens in about
// a second the second time.

#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace earlybird {

struct ImageFolderOptions {
    int height = 0; // 0 (both): the most common size among the training images
    int width = 0;
    // Skip images that cannot be decoded (counted and named in the report) instead of stopping at the first.
    bool skipBadImages = false;
    // Where the decoded images are cached; empty: defaultCacheDirectory()/datasets.
    std::string cacheDirectory;
};

struct ImageFolderReport {
    ImageShape shape;
    bool fromCache = false;
    std::int64_t images = 0; // in all three splits
    std::int64_t resized = 0; // of another size than `shape`
    std::int64_t ignoredFiles = 0; // not images by their name
    std::vector<std::string> skippedImages; // undecodable, with skipBadImages (each with its reason)
    std::string cacheFile;
    double seconds = 0;
};

// Reads one split (Train includes val/ when there is one, marked with Dataset::ownValidationFrom). Throws DataError
// naming the file or folder and the problem, ConfigError for impossible options.
Dataset readImageFolder(
    const std::string& root, Split split, const ImageFolderOptions& options, ImageFolderReport* report = nullptr);

// "HxW" (e.g. "32x32") into options.height and options.width; throws ConfigError naming `option`.
void parseImageSize(const std::string& text, ImageFolderOptions& options, const std::string& option);

} // namespace earlybird
