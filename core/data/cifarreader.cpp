#include "data/cifarreader.h"

#include "base/error.h"
#include "base/fileio.h"

#include <fstream>

namespace earlybird {

namespace {

constexpr int kCifarSide = 32;
constexpr int kCifarPixels = 3 * kCifarSide * kCifarSide;
// The published CIFAR-10 binary distribution has five training batches.
constexpr int kCifar10TrainBatches = 5;

const std::vector<std::string> kCifar10Classes
    = { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" };

const std::vector<std::string> kCifar100Fine = { "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee",
    "beetle", "bicycle", "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar",
    "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
    "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard", "lamp",
    "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse",
    "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain",
    "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal",
    "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider", "squirrel", "streetcar", "sunflower",
    "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor", "train", "trout", "tulip", "turtle",
    "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm" };

const std::vector<std::string> kCifar100Coarse = { "aquatic_mammals", "fish", "flowers", "food_containers",
    "fruit_and_vegetables", "household_electrical_devices", "household_furniture", "insects", "large_carnivores",
    "large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores", "medium_mammals",
    "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2" };

// Class names from a names file (one per line, blank lines ignored) when it lists exactly `expected` of them.
std::vector<std::string> namesFromFile(const std::string& path, const std::vector<std::string>& fallback)
{
    std::ifstream in(path);
    if (!in)
        return fallback;
    std::vector<std::string> names;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty())
            names.push_back(line);
    }
    return names.size() == fallback.size() ? names : fallback;
}

std::string resolveFolder(const std::string& folder, const std::string& probeFile, const std::string& subfolder)
{
    if (!directoryExists(folder))
        throw DataError(folder, "no such folder");
    if (!fileExists(folder + "/" + probeFile) && directoryExists(folder + "/" + subfolder))
        return folder + "/" + subfolder;
    return folder;
}

// Parses records of `labelBytes` label bytes and 3072 pixel bytes; `labelIndex` picks the label byte to use.
Dataset readRecords(const std::string& path, int labelBytes, int labelIndex, const std::vector<std::string>& classes,
    const std::string& title)
{
    const std::vector<std::uint8_t> bytes = readFileBytes(path);
    const std::size_t recordSize = std::size_t(labelBytes + kCifarPixels);
    if (bytes.empty())
        throw DataError(path, "empty file");
    if (bytes.size() % recordSize != 0)
        throw DataError(path,
            "truncated or not a " + title + " binary file: " + std::to_string(bytes.size())
                + " bytes is not a whole number of " + std::to_string(recordSize) + "-byte records (record "
                + std::to_string(bytes.size() / recordSize) + " is incomplete)");
    const std::size_t count = bytes.size() / recordSize;
    std::vector<std::uint8_t> pixels(count * kCifarPixels);
    std::vector<std::int64_t> labels(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint8_t* record = bytes.data() + i * recordSize;
        const int label = record[labelIndex];
        if (label >= int(classes.size()))
            throw DataError(path,
                "record " + std::to_string(i) + " has label " + std::to_string(label) + ", outside the "
                    + std::to_string(classes.size()) + " classes of " + title + " (is this the right data set?)");
        labels[i] = label;
        std::copy(record + labelBytes, record + recordSize, pixels.begin() + std::ptrdiff_t(i * kCifarPixels));
    }
    return Dataset(title, ImageShape { 3, kCifarSide, kCifarSide }, classes, std::move(pixels), std::move(labels));
}

} // namespace

Dataset readCifar10(const std::string& givenFolder, Split split)
{
    const std::string folder = resolveFolder(
        givenFolder, split == Split::Train ? "data_batch_1.bin" : "test_batch.bin", "cifar-10-batches-bin");
    const std::vector<std::string> classes = namesFromFile(folder + "/batches.meta.txt", kCifar10Classes);
    const std::string title = "CIFAR-10 " + nameOf(split);
    if (split == Split::Test) {
        const std::string path = folder + "/test_batch.bin";
        if (!fileExists(path))
            throw DataError(folder, "no CIFAR-10 test data: expected test_batch.bin in this folder");
        return readRecords(path, 1, 0, classes, title);
    }
    Dataset train;
    bool any = false;
    for (int batch = 1; batch <= kCifar10TrainBatches; ++batch) {
        const std::string path = folder + "/data_batch_" + std::to_string(batch) + ".bin";
        if (!fileExists(path))
            continue;
        Dataset part = readRecords(path, 1, 0, classes, title);
        if (!any)
            train = std::move(part);
        else
            train.append(part);
        any = true;
    }
    if (!any)
        throw DataError(folder,
            "no CIFAR-10 training data: expected data_batch_1.bin ... data_batch_5.bin "
            "(the binary version) in this folder");
    return train;
}

Dataset readCifar100(const std::string& givenFolder, Split split, bool coarseLabels)
{
    const std::string file = split == Split::Train ? "train.bin" : "test.bin";
    const std::string folder = resolveFolder(givenFolder, file, "cifar-100-binary");
    const std::string path = folder + "/" + file;
    if (!fileExists(path))
        throw DataError(folder,
            "no CIFAR-100 " + nameOf(split) + " data: expected " + file + " (the binary version) in this folder");
    const std::vector<std::string> classes = coarseLabels
        ? namesFromFile(folder + "/coarse_label_names.txt", kCifar100Coarse)
        : namesFromFile(folder + "/fine_label_names.txt", kCifar100Fine);
    return readRecords(
        path, 2, coarseLabels ? 0 : 1, classes, "CIFAR-100 " + nameOf(split) + (coarseLabels ? " (coarse)" : ""));
}

} // namespace earlybird
