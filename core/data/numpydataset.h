#pragma once

#include "data/dataset.h"
#include "data/numpyarray.h"

#include <map>
#include <string>

namespace earlybird {

// A data set saved from NumPy the Keras way: `x_train`, `y_train`, `x_test`, `y_test` (and optionally `x_val`, `y_val`,
// a validation split of the user's own, and `class_names`, a str array) as the members of one .npz file
// (np.savez or np.savez_compressed) or as .npy files in one folder (x_train.npy, ...). `path` is the .npz file, or a
// folder holding the .npy files or exactly one .npz file.
//
// Images: N x H x W (greyscale), N x H x W x C (NHWC, the Keras order) or N x C x H x W (NCHW, PyTorch's), C 1, 3 or 4
// (the alpha channel of RGBA is dropped); NHWC is read when the last axis could be channels. Pixels: uint8 as they
// are; other integers in 0 - 255; uint16 scaled to 8 bits; floats in [0, 1] scaled by 255 or in [0, 255] as they are.
// Labels: integer class indices (N or N x 1; floats holding whole numbers too) or one-hot rows (N x K).
// Throws DataError naming the file (and the member) and the problem.
Dataset readNumpyDataset(const std::string& path, Split split);

// The same from arrays already read; `source` names them in errors. For tests and fuzzing.
Dataset numpyDataset(const std::map<std::string, NumpyArray>& arrays, Split split, const std::string& source);

} // namespace earlybird
