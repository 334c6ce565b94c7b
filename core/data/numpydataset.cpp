#include "data/numpydataset.h"

#include "base/error.h"
#include "base/fileio.h"

#include <dirent.h>

#include <algorithm>
#include <cmath>

namespace earlybird {

namespace {

bool endsWith(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Images {
    ImageShape shape;
    std::vector<std::uint8_t> pixels; // N x C x H x W
    std::int64_t count = 0;
};

// Pixels of `x` as 8-bit values in N x C x H x W order.
Images imagesOf(const NumpyArray& x, const std::string& source)
{
    if (x.kind == 'U' || x.kind == 'b')
        throw DataError(source, "holds " + x.describe() + ", not images");
    const std::vector<std::int64_t>& s = x.shape;
    Images images;
    bool channelsLast = true;
    if (s.size() == 3) {
        images.shape = { 1, int(s[1]), int(s[2]) };
    } else if (s.size() == 4 && (s[3] == 1 || s[3] == 3 || s[3] == 4)) {
        images.shape = { int(s[3]), int(s[1]), int(s[2]) };
    } else if (s.size() == 4 && (s[1] == 1 || s[1] == 3 || s[1] == 4)) {
        images.shape = { int(s[1]), int(s[2]), int(s[3]) };
        channelsLast = false;
    } else {
        throw DataError(source,
            "holds " + x.describe() + ": images must be N x H x W, N x H x W x C or N x C x H x W with C 1, 3 or 4");
    }
    images.count = s[0];
    const int stored = images.shape.channels;
    images.shape.channels = stored == 4 ? 3 : stored; // RGBA: the alpha channel is dropped
    if (images.count == 0 || images.shape.height <= 0 || images.shape.width <= 0 || images.shape.height > 4096
        || images.shape.width > 4096)
        throw DataError(source, "holds " + x.describe() + ": no images, or images of an impossible size");

    // How values map to 8 bits, from their type and range.
    double scale = 1;
    if (x.kind == 'f') {
        double low = 0, high = 0;
        for (std::int64_t i = 0; i < x.elements(); ++i) {
            const double v = x.number(i);
            if (!std::isfinite(v))
                throw DataError(
                    source, "holds a value that is not a finite number (element " + std::to_string(i) + ")");
            low = std::min(low, v);
            high = std::max(high, v);
        }
        if (low < 0 || high > 255)
            throw DataError(source,
                "holds pixel values from " + std::to_string(low) + " to " + std::to_string(high)
                    + "; Earlybird reads floats in [0, 1] or [0, 255] (save the images before normalising them)");
        scale = high <= 1.0 ? 255.0 : 1.0;
    } else if (x.kind == 'u' && x.itemSize == 2) {
        scale = 255.0 / 65535.0;
    }
    const std::int64_t h = images.shape.height, w = images.shape.width, c = images.shape.channels;
    images.pixels.resize(std::size_t(images.count * c * h * w));
    std::uint8_t* out = images.pixels.data();
    for (std::int64_t n = 0; n < images.count; ++n) {
        for (std::int64_t ch = 0; ch < c; ++ch) {
            for (std::int64_t y = 0; y < h; ++y) {
                for (std::int64_t xx = 0; xx < w; ++xx) {
                    const std::int64_t at
                        = channelsLast ? ((n * h + y) * w + xx) * stored + ch : ((n * stored + ch) * h + y) * w + xx;
                    const double v = x.number(at) * scale;
                    if (!(v >= -0.5 && v < 255.5))
                        throw DataError(source,
                            "holds a pixel value of " + std::to_string(x.number(at))
                                + ": integer images must be in 0 - 255 (or uint16)");
                    *out++ = std::uint8_t(std::lround(v));
                }
            }
        }
    }
    return images;
}

std::vector<std::int64_t> labelsOf(const NumpyArray& y, std::int64_t count, const std::string& source)
{
    if (y.kind == 'U')
        throw DataError(source, "holds " + y.describe() + ": labels must be class indices or one-hot rows");
    const std::vector<std::int64_t>& s = y.shape;
    std::vector<std::int64_t> labels;
    if (s.size() == 1 || (s.size() == 2 && s[1] == 1)) {
        for (std::int64_t i = 0; i < s[0]; ++i) {
            const double v = y.number(i);
            if (!(v >= 0 && v < 1e6 && v == std::floor(v)))
                throw DataError(source,
                    "label " + std::to_string(i) + " is " + std::to_string(v) + ", not a class index (0, 1, 2, ...)");
            labels.push_back(std::int64_t(v));
        }
    } else if (s.size() == 2 && s[1] > 1) {
        for (std::int64_t i = 0; i < s[0]; ++i) {
            std::int64_t hot = -1;
            for (std::int64_t k = 0; k < s[1]; ++k) {
                const double v = y.number(i * s[1] + k);
                if (v != 0 && v != 1)
                    throw DataError(
                        source, "row " + std::to_string(i) + " of the one-hot labels holds " + std::to_string(v));
                if (v == 1) {
                    if (hot >= 0)
                        throw DataError(source, "row " + std::to_string(i) + " of the one-hot labels has two ones");
                    hot = k;
                }
            }
            if (hot < 0)
                throw DataError(source, "row " + std::to_string(i) + " of the one-hot labels has no one");
            labels.push_back(hot);
        }
    } else {
        throw DataError(source, "holds " + y.describe() + ": labels must be N, N x 1 or one-hot N x K");
    }
    if (std::int64_t(labels.size()) != count)
        throw DataError(
            source, "has " + std::to_string(labels.size()) + " labels for " + std::to_string(count) + " images");
    return labels;
}

const NumpyArray& member(
    const std::map<std::string, NumpyArray>& arrays, const std::string& name, const std::string& source)
{
    const auto it = arrays.find(name);
    if (it == arrays.end()) {
        std::string present;
        for (const auto& [key, array] : arrays)
            present += (present.empty() ? "" : ", ") + key;
        throw DataError(source,
            "has no '" + name + "' array (it holds: " + (present.empty() ? std::string("nothing") : present)
                + "; Earlybird reads x_train, y_train, x_test, y_test and optionally x_val, y_val, class_names)");
    }
    return it->second;
}

// One-hot rows fix the number of classes; indices need at least max + 1.
int classCount(const std::map<std::string, NumpyArray>& arrays)
{
    std::int64_t classes = 0;
    for (const char* name : { "y_train", "y_test", "y_val" }) {
        const auto it = arrays.find(name);
        if (it == arrays.end())
            continue;
        const NumpyArray& y = it->second;
        if (y.shape.size() == 2 && y.shape[1] > 1) {
            classes = std::max(classes, y.shape[1]);
            continue;
        }
        for (std::int64_t i = 0; i < y.elements(); ++i) {
            const double v = y.number(i);
            if (v >= 0 && v < 1e6)
                classes = std::max(classes, std::int64_t(v) + 1);
        }
    }
    return int(classes);
}

} // namespace

Dataset numpyDataset(const std::map<std::string, NumpyArray>& arrays, Split split, const std::string& source)
{
    const std::string suffix = split == Split::Train ? "train" : "test";
    const Images images = imagesOf(member(arrays, "x_" + suffix, source), source + " (x_" + suffix + ")");
    const std::vector<std::int64_t> labels
        = labelsOf(member(arrays, "y_" + suffix, source), images.count, source + " (y_" + suffix + ")");
    const int classes = classCount(arrays);
    std::vector<std::string> names;
    if (const auto it = arrays.find("class_names"); it != arrays.end()) {
        const NumpyArray& given = it->second;
        if (given.kind != 'U' || given.shape.size() != 1)
            throw DataError(source + " (class_names)", "holds " + given.describe() + ", not a list of names");
        if (given.elements() < classes)
            throw DataError(source + " (class_names)",
                "names " + std::to_string(given.elements()) + " classes, but the labels reach class "
                    + std::to_string(classes - 1));
        for (std::int64_t i = 0; i < given.elements(); ++i)
            names.push_back(given.text(i));
    } else {
        for (int k = 0; k < classes; ++k)
            names.push_back(std::to_string(k));
    }
    Dataset dataset(source + " (" + suffix + ")", images.shape, names, images.pixels, labels);
    const bool hasX = arrays.count("x_val") > 0, hasY = arrays.count("y_val") > 0;
    if (split == Split::Train && hasX != hasY)
        throw DataError(source, std::string("has ") + (hasX ? "x_val but no y_val" : "y_val but no x_val"));
    if (split == Split::Train && hasX) {
        const Images val = imagesOf(arrays.at("x_val"), source + " (x_val)");
        if (val.shape != images.shape)
            throw DataError(source + " (x_val)", "its images are not the shape of x_train's");
        const std::vector<std::int64_t> valLabels = labelsOf(arrays.at("y_val"), val.count, source + " (y_val)");
        const std::int64_t from = dataset.size();
        dataset.append(Dataset(source + " (val)", val.shape, names, val.pixels, valLabels));
        dataset.setOwnValidationFrom(from);
    }
    if (split == Split::Test) {
        // Both splits must agree on the image shape, or no network reads both.
        const Images train = imagesOf(member(arrays, "x_train", source), source + " (x_train)");
        if (train.shape != images.shape)
            throw DataError(source + " (x_test)", "its images are not the shape of x_train's");
    }
    return dataset;
}

Dataset readNumpyDataset(const std::string& path, Split split)
{
    std::string archive;
    if (directoryExists(path)) {
        std::vector<std::string> npz;
        if (DIR* dir = ::opendir(path.c_str())) {
            while (const dirent* entry = ::readdir(dir)) {
                if (endsWith(entry->d_name, ".npz"))
                    npz.push_back(entry->d_name);
            }
            ::closedir(dir);
        }
        if (!fileExists(path + "/x_train.npy")) {
            if (npz.size() != 1)
                throw DataError(path,
                    npz.empty() ? "holds neither x_train.npy (with y_train.npy, x_test.npy, y_test.npy) nor a .npz file"
                                : "holds several .npz files; name the one to read");
            archive = path + "/" + npz.front();
        }
    } else if (fileExists(path)) {
        archive = path;
    } else {
        throw DataError(path, "no such file or folder");
    }
    std::map<std::string, NumpyArray> arrays;
    if (!archive.empty()) {
        arrays = parseNpz(readFileBytes(archive), archive);
        return numpyDataset(arrays, split, archive);
    }
    for (const char* name : { "x_train", "y_train", "x_test", "y_test", "x_val", "y_val", "class_names" }) {
        const std::string file = path + "/" + name + ".npy";
        const bool optional = std::string(name).find("val") != std::string::npos || std::string(name) == "class_names";
        if (optional && !fileExists(file))
            continue;
        // Every label array is read (together they set the number of classes); of the other splits' images, only
        // x_train, for the test split's shape check.
        if ((split == Split::Train && std::string(name) == "x_test")
            || (split == Split::Test && std::string(name) == "x_val"))
            continue;
        if (!fileExists(file))
            throw DataError(
                file, "missing: a NumPy data set folder holds x_train.npy, y_train.npy, x_test.npy and y_test.npy");
        arrays[name] = parseNpy(readFileBytes(file), file);
    }
    return numpyDataset(arrays, split, path);
}

} // namespace earlybird
