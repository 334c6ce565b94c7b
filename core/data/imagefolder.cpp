#include "data/imagefolder.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/parallel.h"
#include "data/imagedecoder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>

namespace earlybird {

namespace fs = std::filesystem;

namespace {

const char* const kCacheKind = "image-folder-v1";
const char* const kLayout = "an image folder data set is ROOT/train/<class>/*.png|jpg (and ROOT/test/<class>/..., "
                            "optionally ROOT/val/<class>/...)";
// The three splits in the order they are cached; val/ is optional.
const char* const kSplitFolders[3] = { "train", "val", "test" };

struct ImageFile {
    std::string path;
    std::int64_t label = 0;
};

struct Listing {
    std::vector<std::string> classes;
    std::vector<ImageFile> files[3];
    std::int64_t ignored = 0;
    std::uint64_t fingerprint = 0; // every file's path, size and modification time
};

bool isImageName(const std::string& name)
{
    const std::size_t dot = name.rfind('.');
    if (dot == std::string::npos)
        return false;
    std::string ext = name.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp";
}

bool hidden(const fs::path& path)
{
    return !path.filename().empty() && path.filename().string()[0] == '.';
}

std::vector<std::string> sortedSubfolders(const fs::path& folder)
{
    std::vector<std::string> names;
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        if (!hidden(it->path()) && it->is_directory(error))
            names.push_back(it->path().filename().string());
    }
    if (error)
        throw DataError(folder.string(), "cannot be listed: " + error.message());
    std::sort(names.begin(), names.end());
    return names;
}

Listing listFolder(const std::string& root)
{
    if (!directoryExists(root))
        throw DataError(root, "no such folder");
    if (!directoryExists(root + "/train"))
        throw DataError(root, std::string("has no train/ folder: ") + kLayout);
    if (!directoryExists(root + "/test"))
        throw DataError(root, std::string("has no test/ folder: ") + kLayout);
    Listing listing;
    listing.classes = sortedSubfolders(root + "/train");
    if (listing.classes.empty())
        throw DataError(root + "/train", std::string("has no class folders: ") + kLayout);
    std::uint64_t h = hashString(root);
    for (int s = 0; s < 3; ++s) {
        const fs::path splitFolder = fs::path(root) / kSplitFolders[s];
        if (s == 1 && !directoryExists(splitFolder.string()))
            continue;
        for (const std::string& name : sortedSubfolders(splitFolder)) {
            const auto known = std::find(listing.classes.begin(), listing.classes.end(), name);
            if (known == listing.classes.end())
                throw DataError((splitFolder / name).string(), "is a class that train/ does not have");
            const std::int64_t label = known - listing.classes.begin();
            std::vector<std::pair<std::string, std::pair<std::uintmax_t, std::int64_t>>> found;
            std::error_code error;
            for (fs::recursive_directory_iterator it(splitFolder / name, error), end; !error && it != end;
                 it.increment(error)) {
                if (hidden(it->path())) {
                    if (it->is_directory(error))
                        it.disable_recursion_pending();
                    continue;
                }
                if (!it->is_regular_file(error))
                    continue;
                const std::string path = it->path().string();
                if (!isImageName(path)) {
                    ++listing.ignored;
                    continue;
                }
                const std::uintmax_t size = it->file_size(error);
                const auto stamp = it->last_write_time(error).time_since_epoch().count();
                found.push_back({ path, { size, std::int64_t(stamp) } });
            }
            if (error)
                throw DataError((splitFolder / name).string(), "cannot be listed: " + error.message());
            std::sort(found.begin(), found.end());
            for (const auto& [path, stat] : found) {
                listing.files[s].push_back({ path, label });
                h = hashString(path, h);
                h = hashBytes(&stat.first, sizeof stat.first, h);
                h = hashBytes(&stat.second, sizeof stat.second, h);
            }
        }
        h = hashString(std::string("|") + kSplitFolders[s] + std::to_string(listing.files[s].size()), h);
    }
    if (listing.files[0].empty())
        throw DataError(root + "/train", std::string("holds no images: ") + kLayout);
    listing.fingerprint = h;
    return listing;
}

// What went wrong with one image, without its path (the report names the file itself).
std::string problemOf(const Error& error)
{
    const auto* data = dynamic_cast<const DataError*>(&error);
    return data ? data->problem() : std::string(error.what());
}

// The cached form: fingerprint, shape, classes, then per split the labels and pixels; then the skipped images.
class Writer {
public:
    template <typename T>
    void put(T value)
    {
        const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
        bytes.insert(bytes.end(), p, p + sizeof value);
    }
    void put(const std::string& text)
    {
        put(std::uint32_t(text.size()));
        bytes.insert(bytes.end(), text.begin(), text.end());
    }
    std::vector<std::uint8_t> bytes;
};

class Reader {
public:
    explicit Reader(const std::vector<std::uint8_t>& bytes)
        : m_bytes(bytes)
    {
    }
    template <typename T>
    T get()
    {
        T value {};
        need(sizeof value);
        std::memcpy(&value, m_bytes.data() + m_at, sizeof value);
        m_at += sizeof value;
        return value;
    }
    std::string text()
    {
        const auto size = get<std::uint32_t>();
        need(size);
        std::string value(m_bytes.begin() + std::ptrdiff_t(m_at), m_bytes.begin() + std::ptrdiff_t(m_at + size));
        m_at += size;
        return value;
    }
    const std::uint8_t* take(std::size_t size)
    {
        need(size);
        const std::uint8_t* p = m_bytes.data() + m_at;
        m_at += size;
        return p;
    }

private:
    void need(std::size_t size)
    {
        if (size > m_bytes.size() - m_at)
            throw std::out_of_range("short");
    }
    const std::vector<std::uint8_t>& m_bytes;
    std::size_t m_at = 0;
};

struct Decoded {
    ImageShape shape;
    std::vector<std::string> classes;
    std::vector<std::int64_t> labels[3];
    std::vector<std::uint8_t> pixels[3];
    std::vector<std::string> skipped;
    std::int64_t resized = 0;
};

// Decodes every listed image into `shape`-sized planes, on every core.
Decoded decodeAll(const Listing& listing, const ImageFolderOptions& options)
{
    Decoded out;
    out.classes = listing.classes;
    // First pass: every header, for the shape (and for the files that are no image at all).
    std::vector<ImageInfo> infos[3];
    std::vector<std::string> problems[3];
    for (int s = 0; s < 3; ++s) {
        infos[s].resize(listing.files[s].size());
        problems[s].resize(listing.files[s].size());
    }
    // Each image's work writes only its own slots, on every core.
    const auto parallel = [&](const std::function<void(int, std::size_t)>& work) {
        for (int s = 0; s < 3; ++s)
            forEachInShares(listing.files[s].size(), [&](std::size_t i) { work(s, i); });
    };
    parallel([&](int s, std::size_t i) {
        try {
            if (!probeImage(readFileBytes(listing.files[s][i].path), infos[s][i], &problems[s][i]))
                infos[s][i] = {};
        } catch (const Error& e) {
            problems[s][i] = problemOf(e);
            infos[s][i] = {};
        }
    });
    std::map<std::pair<int, int>, std::int64_t> sizes;
    bool colour = false;
    for (int s = 0; s < 3; ++s) {
        for (std::size_t i = 0; i < infos[s].size(); ++i) {
            const ImageInfo& info = infos[s][i];
            if (info.width == 0) {
                if (!options.skipBadImages)
                    throw DataError(listing.files[s][i].path, problems[s][i] + " (--skip-bad-images skips such files)");
                continue;
            }
            colour = colour || info.channels >= 3;
            if (s == 0)
                ++sizes[{ info.height, info.width }];
        }
    }
    out.shape.channels = colour ? 3 : 1;
    if (options.height > 0) {
        out.shape.height = options.height;
        out.shape.width = options.width;
    } else {
        std::int64_t best = -1;
        for (const auto& [size, count] : sizes) {
            if (count > best) {
                best = count;
                out.shape.height = size.first;
                out.shape.width = size.second;
            }
        }
        if (best < 0)
            throw DataError(listing.files[0].front().path, "no training image could be read");
    }
    // Second pass: decode and convert, each image into its own slot; the skipped are dropped afterwards.
    const std::int64_t per = out.shape.pixelsPerImage();
    std::vector<std::uint8_t> ok[3];
    for (int s = 0; s < 3; ++s) {
        out.pixels[s].resize(std::size_t(per) * listing.files[s].size());
        ok[s].assign(listing.files[s].size(), 0);
    }
    std::atomic<std::int64_t> resized { 0 };
    parallel([&](int s, std::size_t i) {
        if (infos[s][i].width == 0)
            return;
        try {
            const DecodedImage image = decodeImage(readFileBytes(listing.files[s][i].path), listing.files[s][i].path);
            resized += image.info.width != out.shape.width || image.info.height != out.shape.height;
            toPlanar(image, out.shape, out.pixels[s].data() + std::int64_t(i) * per);
            ok[s][i] = 1;
        } catch (const Error& e) {
            problems[s][i] = problemOf(e);
        }
    });
    out.resized = resized;
    for (int s = 0; s < 3; ++s) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < listing.files[s].size(); ++i) {
            if (!ok[s][i]) {
                if (!options.skipBadImages) {
                    const std::string& problem = problems[s][i];
                    throw DataError(listing.files[s][i].path,
                        (problem.empty() ? std::string("could not be decoded") : problem)
                            + " (--skip-bad-images skips such files)");
                }
                out.skipped.push_back(listing.files[s][i].path + ": " + problems[s][i]);
                continue;
            }
            if (kept != i)
                std::memmove(out.pixels[s].data() + std::int64_t(kept) * per,
                    out.pixels[s].data() + std::int64_t(i) * per, std::size_t(per));
            out.labels[s].push_back(listing.files[s][i].label);
            ++kept;
        }
        out.pixels[s].resize(kept * std::size_t(per));
    }
    if (out.labels[0].empty())
        throw DataError(listing.files[0].front().path, "no training image could be read");
    return out;
}

std::vector<std::uint8_t> serialise(const Decoded& d, std::uint64_t fingerprint)
{
    Writer w;
    w.put(fingerprint);
    w.put(std::int32_t(d.shape.channels));
    w.put(std::int32_t(d.shape.height));
    w.put(std::int32_t(d.shape.width));
    w.put(std::uint32_t(d.classes.size()));
    for (const std::string& name : d.classes)
        w.put(name);
    for (int s = 0; s < 3; ++s) {
        w.put(std::uint64_t(d.labels[s].size()));
        for (const std::int64_t label : d.labels[s])
            w.put(std::int32_t(label));
        w.bytes.insert(w.bytes.end(), d.pixels[s].begin(), d.pixels[s].end());
    }
    w.put(std::uint32_t(d.skipped.size()));
    for (const std::string& name : d.skipped)
        w.put(name);
    w.put(d.resized);
    return std::move(w.bytes);
}

bool deserialise(const std::vector<std::uint8_t>& bytes, std::uint64_t fingerprint, Decoded& d)
{
    try {
        Reader r(bytes);
        if (r.get<std::uint64_t>() != fingerprint)
            return false;
        d.shape.channels = r.get<std::int32_t>();
        d.shape.height = r.get<std::int32_t>();
        d.shape.width = r.get<std::int32_t>();
        if (d.shape.channels <= 0 || d.shape.height <= 0 || d.shape.width <= 0)
            return false;
        const auto classes = r.get<std::uint32_t>();
        for (std::uint32_t k = 0; k < classes; ++k)
            d.classes.push_back(r.text());
        for (int s = 0; s < 3; ++s) {
            const auto count = r.get<std::uint64_t>();
            if (count > bytes.size())
                return false;
            for (std::uint64_t i = 0; i < count; ++i)
                d.labels[s].push_back(r.get<std::int32_t>());
            const std::size_t size = std::size_t(count) * std::size_t(d.shape.pixelsPerImage());
            const std::uint8_t* p = r.take(size);
            d.pixels[s].assign(p, p + size);
        }
        const auto skipped = r.get<std::uint32_t>();
        for (std::uint32_t k = 0; k < skipped; ++k)
            d.skipped.push_back(r.text());
        d.resized = r.get<std::int64_t>();
        return true;
    } catch (const std::out_of_range&) {
        return false;
    }
}

} // namespace

void parseImageSize(const std::string& text, ImageFolderOptions& options, const std::string& option)
{
    const std::size_t x = text.find_first_of("xX");
    int height = 0, width = 0;
    try {
        std::size_t used = 0;
        height = std::stoi(text.substr(0, x), &used);
        if (used != x)
            height = 0;
        width = x == std::string::npos ? 0 : std::stoi(text.substr(x + 1), &used);
        if (x != std::string::npos && used != text.size() - x - 1)
            width = 0;
    } catch (const std::exception&) {
        height = width = 0;
    }
    if (height <= 0 || width <= 0 || height > 4096 || width > 4096)
        throw ConfigError(option + " takes HxW in pixels, e.g. 32x32 (each 1 - 4096), not '" + text + "'");
    options.height = height;
    options.width = width;
}

Dataset readImageFolder(
    const std::string& root, Split split, const ImageFolderOptions& options, ImageFolderReport* report)
{
    const auto start = std::chrono::steady_clock::now();
    if ((options.height > 0) != (options.width > 0) || options.height < 0 || options.width < 0)
        throw ConfigError("an image size needs both a height and a width above 0");
    std::string absolute = root;
    std::error_code error;
    if (const fs::path canonical = fs::weakly_canonical(root, error); !error)
        absolute = canonical.string();
    while (absolute.size() > 1 && absolute.back() == '/')
        absolute.pop_back();
    const Listing listing = listFolder(absolute);
    const std::string folder
        = (options.cacheDirectory.empty() ? defaultCacheDirectory() : options.cacheDirectory) + "/datasets";
    const std::string settings = absolute + "|" + std::to_string(options.height) + "x" + std::to_string(options.width)
        + "|" + (options.skipBadImages ? "skip" : "strict");
    const std::string cacheFile = folder + "/folder-" + hexKey(hashString(settings)) + ".ebd";

    Decoded decoded;
    bool fromCache = false;
    if (const auto bytes = readCacheFile(cacheFile, kCacheKind))
        fromCache = deserialise(*bytes, listing.fingerprint, decoded);
    if (!fromCache) {
        decoded = decodeAll(listing, options);
        try {
            makeDirectories(folder);
            writeCacheFile(cacheFile, kCacheKind, serialise(decoded, listing.fingerprint));
        } catch (const Error&) {
            // A cache that cannot be written costs the next load its time, nothing else.
        }
    }

    const std::string name = fs::path(absolute).filename().string();
    Dataset dataset;
    if (split == Split::Train) {
        dataset = Dataset(name + " (train)", decoded.shape, decoded.classes, std::move(decoded.pixels[0]),
            std::move(decoded.labels[0]));
        if (!decoded.labels[1].empty()) {
            const std::int64_t from = dataset.size();
            dataset.append(Dataset(name + " (val)", decoded.shape, decoded.classes, std::move(decoded.pixels[1]),
                std::move(decoded.labels[1])));
            dataset.setOwnValidationFrom(from);
        }
    } else {
        if (decoded.labels[2].empty())
            throw DataError(absolute + "/test", "holds no images that could be read");
        dataset = Dataset(name + " (test)", decoded.shape, decoded.classes, std::move(decoded.pixels[2]),
            std::move(decoded.labels[2]));
    }
    if (report) {
        report->shape = decoded.shape;
        report->fromCache = fromCache;
        report->images = std::int64_t(listing.files[0].size() + listing.files[1].size() + listing.files[2].size())
            - std::int64_t(decoded.skipped.size());
        report->resized = decoded.resized;
        report->ignoredFiles = listing.ignored;
        report->skippedImages = decoded.skipped;
        report->cacheFile = cacheFile;
        report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return dataset;
}

} // namespace earlybird
