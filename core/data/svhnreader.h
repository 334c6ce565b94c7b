#pragma once

#include "data/dataset.h"

#include <string>

namespace earlybird {

// SVHN cropped digits (format 2): train_32x32.mat and test_32x32.mat, optionally extra_32x32.mat, MATLAB v5 files
// (compressed or not) with X, 32x32x3xN uint8 in MATLAB's column-major order, and y, N x 1, where label 10 means the
// digit 0. Read with libmatio. With `includeExtra`, extra_32x32.mat (which must then exist) joins the training split.
Dataset readSvhn(const std::string& folder, Split split, bool includeExtra);

// Reads one SVHN .mat file; exposed for tests and for users who name a single file.
Dataset readSvhnFile(const std::string& path, const std::string& title);

} // namespace earlybird
