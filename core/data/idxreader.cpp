#include "data/idxreader.h"

#include "base/error.h"
#include "base/fileio.h"

namespace earlybird {

namespace {

// IDX type code of unsigned 8-bit data, the only type these data sets use.
constexpr std::uint8_t kIdxUnsignedByte = 0x08;
constexpr int kIdxClasses = 10;

const std::vector<std::string> kFashionMnistClasses
    = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
const std::vector<std::string> kMnistClasses = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };

std::uint32_t bigEndian32(const std::uint8_t* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

// The first of the usual spellings that exists in `folder`, or the empty string.
std::string findIdxFile(const std::string& folder, const std::string& prefix, const std::string& kind, int rank)
{
    const std::string idx = "idx" + std::to_string(rank) + "-ubyte";
    for (const std::string& name : { prefix + "-" + kind + "-" + idx, prefix + "-" + kind + "." + idx }) {
        for (const char* suffix : { "", ".gz" }) {
            const std::string candidate = folder + "/" + name + suffix;
            if (fileExists(candidate))
                return candidate;
        }
    }
    return {};
}

} // namespace

IdxArray readIdxFile(const std::string& path)
{
    const std::vector<std::uint8_t> bytes = readFileBytes(path);
    if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
        throw DataError(path, "not an IDX file (the first two bytes of an IDX file are zero)");
    if (bytes[2] != kIdxUnsignedByte)
        throw DataError(path, "IDX data type " + std::to_string(int(bytes[2])) + " is not unsigned byte (8)");
    const int rank = bytes[3];
    if (rank < 1 || rank > 4)
        throw DataError(path, "IDX rank " + std::to_string(rank) + " is not 1 to 4");
    const std::size_t headerSize = 4 + 4 * std::size_t(rank);
    if (bytes.size() < headerSize)
        throw DataError(path, "truncated: the file ends inside its header");
    IdxArray array;
    std::uint64_t expected = 1;
    for (int d = 0; d < rank; ++d) {
        const std::uint32_t dim = bigEndian32(bytes.data() + 4 + 4 * d);
        array.dims.push_back(dim);
        expected *= dim;
    }
    const std::uint64_t present = bytes.size() - headerSize;
    if (present < expected)
        throw DataError(path,
            "truncated: the header announces " + std::to_string(expected) + " values but the file holds "
                + std::to_string(present));
    if (present > expected)
        throw DataError(path,
            "corrupt: " + std::to_string(present - expected) + " bytes follow the values that the header announces");
    array.values.assign(bytes.begin() + std::ptrdiff_t(headerSize), bytes.end());
    return array;
}

Dataset readIdxDataset(const std::string& folder, Split split, IdxFlavour flavour)
{
    const std::string title = flavour == IdxFlavour::FashionMnist ? "Fashion-MNIST" : "MNIST";
    if (!directoryExists(folder))
        throw DataError(folder, "no such folder (expected the " + title + " IDX files in it)");
    const std::string prefix = split == Split::Train ? "train" : "t10k";
    const std::string imagesPath = findIdxFile(folder, prefix, "images", 3);
    if (imagesPath.empty())
        throw DataError(folder,
            "no " + title + " " + nameOf(split) + " images: expected " + prefix
                + "-images-idx3-ubyte (optionally .gz) in this folder");
    const std::string labelsPath = findIdxFile(folder, prefix, "labels", 1);
    if (labelsPath.empty())
        throw DataError(folder,
            "no " + title + " " + nameOf(split) + " labels: expected " + prefix
                + "-labels-idx1-ubyte (optionally .gz) in this folder");

    IdxArray images = readIdxFile(imagesPath);
    if (images.dims.size() != 3)
        throw DataError(imagesPath,
            "an image file has rank 3 (count x height x width), this one has rank "
                + std::to_string(images.dims.size()));
    const IdxArray labels = readIdxFile(labelsPath);
    if (labels.dims.size() != 1)
        throw DataError(labelsPath, "a label file has rank 1, this one has rank " + std::to_string(labels.dims.size()));
    if (labels.dims[0] != images.dims[0])
        throw DataError(labelsPath,
            "holds " + std::to_string(labels.dims[0]) + " labels but " + imagesPath + " holds "
                + std::to_string(images.dims[0]) + " images");

    std::vector<std::int64_t> classes(labels.values.size());
    for (std::size_t i = 0; i < labels.values.size(); ++i) {
        if (labels.values[i] >= kIdxClasses)
            throw DataError(labelsPath,
                "label " + std::to_string(i) + " is " + std::to_string(int(labels.values[i]))
                    + ", outside the classes 0-9");
        classes[i] = labels.values[i];
    }
    const ImageShape shape { 1, int(images.dims[1]), int(images.dims[2]) };
    return Dataset(title + " " + nameOf(split), shape,
        flavour == IdxFlavour::FashionMnist ? kFashionMnistClasses : kMnistClasses, std::move(images.values),
        std::move(classes));
}

} // namespace earlybird
