#pragma once

#include "dataset.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace earlybird {

enum class DatasetKind { Cifar10, Cifar100, Svhn, FashionMnist, Mnist, Synthetic };
enum class Split { Train, Test };

// Settings of the seeded synthetic data set: each class is a few coloured blobs at class-specific places, and each
// image one of them shifted by a few pixels, rescaled in brightness and noised, so it is learnable but not trivial.
struct SyntheticOptions {
    int classes = 10;
    ImageShape shape { 1, 28, 28 };
    std::int64_t trainCount = 2000;
    std::int64_t testCount = 500;
    std::uint64_t seed = 1;
};

// Which data set to read and where. `path` is a folder for the file-based kinds; for Synthetic it is either empty or
// a comma-separated list of settings, e.g. "classes=4,train=600,test=200,shape=3x32x32,seed=7".
struct DatasetSpec {
    DatasetKind kind = DatasetKind::FashionMnist;
    std::string path;
    bool cifar100CoarseLabels = false; // CIFAR-100: the 20 superclasses instead of the 100 fine classes.
    bool svhnIncludeExtra = false; // SVHN: append extra_32x32.mat to the training split.
};

// The names used on the command line and in saved sessions: cifar10, cifar100, svhn, fashion-mnist, mnist, synthetic.
std::string datasetKindName(DatasetKind kind);
std::vector<std::string> datasetKindNames();
// Throws ConfigError listing the valid names.
DatasetKind datasetKindFromName(const std::string& name);
std::string splitName(Split split);
Split splitFromName(const std::string& name);

// Where the data set is when the user names none: the Debian package's folder for Fashion-MNIST, if installed.
std::optional<std::string> defaultDatasetPath(DatasetKind kind);

// Throws ConfigError for a malformed synthetic spec.
SyntheticOptions parseSyntheticOptions(const std::string& spec);

// Reads one split. Throws DataError (naming the file and the problem) or ConfigError.
Dataset loadDataset(const DatasetSpec& spec, Split split);

} // namespace earlybird
