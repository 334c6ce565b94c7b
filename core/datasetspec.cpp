#include "datasetspec.h"

#include "cifarreader.h"
#include "error.h"
#include "fileio.h"
#include "idxreader.h"
#include "svhnreader.h"
#include "syntheticdataset.h"

#include <cstdio>

namespace earlybird {

namespace {

// Where Debian's dataset-fashion-mnist package installs the four IDX files.
constexpr const char* kDebianFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

struct KindName {
    DatasetKind kind;
    const char* name;
};
constexpr KindName kKindNames[] = {
    { DatasetKind::Cifar10, "cifar10" },
    { DatasetKind::Cifar100, "cifar100" },
    { DatasetKind::Svhn, "svhn" },
    { DatasetKind::FashionMnist, "fashion-mnist" },
    { DatasetKind::Mnist, "mnist" },
    { DatasetKind::Synthetic, "synthetic" },
};

std::int64_t parseInteger(const std::string& key, const std::string& value)
{
    try {
        std::size_t used = 0;
        const long long parsed = std::stoll(value, &used);
        if (used == value.size())
            return parsed;
    } catch (const std::exception&) {
    }
    throw ConfigError("synthetic data set: '" + key + "' needs a whole number, not '" + value + "'");
}

} // namespace

std::string datasetKindName(DatasetKind kind)
{
    for (const KindName& entry : kKindNames) {
        if (entry.kind == kind)
            return entry.name;
    }
    return "unknown";
}

std::vector<std::string> datasetKindNames()
{
    std::vector<std::string> names;
    for (const KindName& entry : kKindNames)
        names.emplace_back(entry.name);
    return names;
}

DatasetKind datasetKindFromName(const std::string& name)
{
    for (const KindName& entry : kKindNames) {
        if (name == entry.name)
            return entry.kind;
    }
    std::string valid;
    for (const KindName& entry : kKindNames)
        valid += std::string(valid.empty() ? "" : ", ") + entry.name;
    throw ConfigError("unknown data set '" + name + "' (choose one of " + valid + ")");
}

std::string splitName(Split split)
{
    return split == Split::Train ? "train" : "test";
}

Split splitFromName(const std::string& name)
{
    if (name == "train")
        return Split::Train;
    if (name == "test")
        return Split::Test;
    throw ConfigError("unknown split '" + name + "' (choose train or test)");
}

std::optional<std::string> defaultDatasetPath(DatasetKind kind)
{
    if (kind == DatasetKind::FashionMnist && directoryExists(kDebianFashionMnistFolder))
        return std::string(kDebianFashionMnistFolder);
    if (kind == DatasetKind::Synthetic)
        return std::string();
    return std::nullopt;
}

SyntheticOptions parseSyntheticOptions(const std::string& spec)
{
    SyntheticOptions options;
    std::size_t start = 0;
    while (start < spec.size()) {
        std::size_t end = spec.find(',', start);
        if (end == std::string::npos)
            end = spec.size();
        const std::string item = spec.substr(start, end - start);
        start = end + 1;
        if (item.empty())
            continue;
        const std::size_t equals = item.find('=');
        if (equals == std::string::npos)
            throw ConfigError("synthetic data set: '" + item + "' is not key=value");
        const std::string key = item.substr(0, equals);
        const std::string value = item.substr(equals + 1);
        if (key == "classes") {
            options.classes = int(parseInteger(key, value));
        } else if (key == "train") {
            options.trainCount = parseInteger(key, value);
        } else if (key == "test") {
            options.testCount = parseInteger(key, value);
        } else if (key == "seed") {
            options.seed = std::uint64_t(parseInteger(key, value));
        } else if (key == "shape") {
            int c = 0, h = 0, w = 0;
            char tail = 0;
            if (std::sscanf(value.c_str(), "%dx%dx%d%c", &c, &h, &w, &tail) != 3)
                throw ConfigError("synthetic data set: shape must be CxHxW, e.g. 3x32x32, not '" + value + "'");
            options.shape = { c, h, w };
        } else {
            throw ConfigError(
                "synthetic data set: unknown setting '" + key + "' (known: classes, train, test, shape, seed)");
        }
    }
    validateSyntheticOptions(options);
    return options;
}

Dataset loadDataset(const DatasetSpec& spec, Split split)
{
    std::string path = spec.path;
    if (path.empty() && spec.kind != DatasetKind::Synthetic) {
        const std::optional<std::string> fallback = defaultDatasetPath(spec.kind);
        if (!fallback)
            throw ConfigError("no folder given for the " + datasetKindName(spec.kind) + " data set"
                + (spec.kind == DatasetKind::FashionMnist ? " (install the dataset-fashion-mnist package, or name one)"
                                                          : ""));
        path = *fallback;
    }
    switch (spec.kind) {
    case DatasetKind::Cifar10:
        return readCifar10(path, split);
    case DatasetKind::Cifar100:
        return readCifar100(path, split, spec.cifar100CoarseLabels);
    case DatasetKind::Svhn:
        return readSvhn(path, split, spec.svhnIncludeExtra);
    case DatasetKind::FashionMnist:
        return readIdxDataset(path, split, IdxFlavour::FashionMnist);
    case DatasetKind::Mnist:
        return readIdxDataset(path, split, IdxFlavour::Mnist);
    case DatasetKind::Synthetic:
        return makeSyntheticDataset(parseSyntheticOptions(spec.path), split);
    }
    throw ConfigError("unknown data set kind");
}

} // namespace earlybird
