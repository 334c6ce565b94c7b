#pragma once

#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace earlybird {

enum class IdxFlavour { Mnist, FashionMnist };

// One IDX file (the format of MNIST and Fashion-MNIST): unsigned-byte data and its dimensions.
struct IdxArray {
    std::vector<std::int64_t> dims;
    std::vector<std::uint8_t> values;
};

// Reads an IDX file of unsigned bytes, gzip-compressed or raw. Throws DataError for a wrong magic number, a data
// type other than unsigned byte, or a file shorter or longer than its header says.
IdxArray readIdxFile(const std::string& path);

// Reads one split from a folder holding the four standard files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; each may also be named with '.idx' and may end in .gz).
Dataset readIdxDataset(const std::string& folder, Split split, IdxFlavour flavour);

} // namespace earlybird
