#pragma once

#include "data/dataset.h"

#include <string>

namespace earlybird {

// CIFAR-10 binary version: data_batch_1.bin ... data_batch_5.bin and test_batch.bin, each record one label byte and
// 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major 32x32). The training split is every data_batch_N.bin
// present (a folder with only some batches is accepted). Class names come from batches.meta.txt when present.
// `folder` may also be the folder that holds cifar-10-batches-bin/.
Dataset readCifar10(const std::string& folder, Split split);

// CIFAR-100 binary version: train.bin and test.bin, each record a coarse label byte, a fine label byte and 3072 pixel
// bytes. Fine labels (100 classes) by default, the 20 coarse superclasses when `coarseLabels` is set.
// `folder` may also be the folder that holds cifar-100-binary/.
Dataset readCifar100(const std::string& folder, Split split, bool coarseLabels);

} // namespace earlybird
