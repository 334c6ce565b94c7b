#include "data/datasetspec.h"

#include "base/error.h"
#include "base/fileio.h"
#include "data/cifarreader.h"
#include "data/idxreader.h"
#include "data/numpydataset.h"
#include "data/svhnreader.h"
#include "data/syntheticdataset.h"

#include <cstdio>

namespace earlybird {

namespace {

// Where Debian's dataset-fashion-mnist package installs the four IDX files.
constexpr const char* kDebianFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

} // namespace

const EnumNames<DatasetKind>& enumNames(DatasetKind)
{
    static const EnumNames<DatasetKind> names { "data set",
        { { DatasetKind::Cifar10, "cifar10" }, { DatasetKind::Cifar100, "cifar100" }, { DatasetKind::Svhn, "svhn" },
            { DatasetKind::FashionMnist, "fashion-mnist" }, { DatasetKind::Mnist, "mnist" },
            { DatasetKind::Synthetic, "synthetic" }, { DatasetKind::Folder, "folder" },
            { DatasetKind::Numpy, "numpy" } } };
    return names;
}

std::optional<std::string> defaultDatasetPath(DatasetKind kind)
{
    if (kind == DatasetKind::FashionMnist && directoryExists(kDebianFashionMnistFolder))
        return std::string(kDebianFashionMnistFolder);
    if (kind == DatasetKind::Synthetic)
        return std::string();
    return std::nullopt;
}

ImageFolderOptions imageFolderOptions(const DatasetSpec& spec)
{
    ImageFolderOptions options;
    options.height = spec.imageHeight;
    options.width = spec.imageWidth;
    options.skipBadImages = spec.skipBadImages;
    return options;
}

Dataset loadDataset(const DatasetSpec& spec, Split split)
{
    std::string path = spec.path;
    if (path.empty() && spec.kind != DatasetKind::Synthetic) {
        const std::optional<std::string> fallback = defaultDatasetPath(spec.kind);
        if (!fallback)
            throw ConfigError("no folder given for the " + nameOf(spec.kind) + " data set"
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
    case DatasetKind::Folder:
        return readImageFolder(path, split, imageFolderOptions(spec));
    case DatasetKind::Numpy:
        return readNumpyDataset(path, split);
    }
    throw ConfigError("unknown data set kind");
}

} // namespace earlybird
