#pragma once

#include "data/dataset.h"
#include "data/imagefolder.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace earlybird {

enum class DatasetKind { Cifar10, Cifar100, Svhn, FashionMnist, Mnist, Synthetic, Folder, Numpy };

// Which data set to read and where. `path` is a folder for the file-based kinds (Folder: ROOT with train/ and test/,
// see imagefolder.h; Numpy: a .npz file or a folder of .npy files, see numpydataset.h); for Synthetic it is either
// empty or a comma-separated list of settings, e.g. "classes=4,train=600,test=200,shape=3x32x32,seed=7".
struct DatasetSpec {
    DatasetKind kind = DatasetKind::FashionMnist;
    std::string path;
    bool cifar100CoarseLabels = false; // CIFAR-100: the 20 superclasses instead of the 100 fine classes.
    bool svhnIncludeExtra = false; // SVHN: append extra_32x32.mat to the training split.
    int imageHeight = 0; // Folder: every image resized to this size; 0: the most common size of the training images
    int imageWidth = 0;
    bool skipBadImages = false; // Folder: skip (and count) undecodable images instead of stopping at the first
};

// The names used on the command line and in saved sessions: cifar10, cifar100, svhn, fashion-mnist, mnist, synthetic,
// folder, numpy.
const EnumNames<DatasetKind>& enumNames(DatasetKind);

// Where the data set is when the user names none: the Debian package's folder for Fashion-MNIST, if installed.
std::optional<std::string> defaultDatasetPath(DatasetKind kind);

// How an image folder is read under this spec (its size and skipping settings; the cache in the default folder).
ImageFolderOptions imageFolderOptions(const DatasetSpec& spec);

// Reads one split. Throws DataError (naming the file and the problem) or ConfigError.
Dataset loadDataset(const DatasetSpec& spec, Split split);

} // namespace earlybird
