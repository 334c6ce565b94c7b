#pragma once

// Writers of tiny data set files in each published format, so every test makes its own fixtures and none needs data
// from outside the repository; and the tiny backbone, experiment and search the tests train in seconds.

#include "experiment/experiment.h"
#include "model/backbonefamily.h"
#include "model/backbonespec.h"
#include "search/searchconfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace earlybird::fixtures {

// Deterministic pixel values: image n, value i -> (n * 31 + i * 7) mod 256, so tests can check exact placement.
std::uint8_t pixelValue(std::int64_t image, std::int64_t index);

void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes);
void writeGzip(const std::string& path, const std::vector<std::uint8_t>& bytes);
std::vector<std::uint8_t> gzipBytes(const std::vector<std::uint8_t>& bytes);

// An IDX file of unsigned bytes with the given dimensions and values.
std::vector<std::uint8_t> idxBytes(const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& values);
// The four IDX files of an MNIST-style folder: `count` images of height x width per split, labels i % 10.
void writeIdxFolder(const std::string& folder, int trainCount, int testCount, int height, int width, bool gzip);

// CIFAR records with pixelValue() pixels and the given labels (CIFAR-100: coarse = fine / 5).
std::vector<std::uint8_t> cifar10Bytes(const std::vector<std::uint8_t>& labels, std::int64_t firstImage = 0);
std::vector<std::uint8_t> cifar100Bytes(const std::vector<std::uint8_t>& fineLabels);

// An SVHN-style .mat file: X 32x32x3xN uint8 (column-major, value pixelValue(n, c*1024 + row*32 + column) at
// X(row, column, c, n)) and y N x 1 double. `labels` are the values stored in y (10 means the digit 0).
struct SvhnOptions {
    bool compressed = true;
    bool writeX = true;
    bool writeY = true;
    int side = 32; // a wrong side makes a wrongly shaped X
};
void writeSvhnMat(const std::string& path, const std::vector<double>& labels, const SvhnOptions& options = {});

// A five-block backbone for 1x12x12 images (conv, conv, residual /2, conv, conv /2): four exit positions, 0 to 3.
BackboneSpec tinyBackbone(int classes = 4);
// Members of tinyBackbone()'s family (stem: its two convolutions; then residual /2, conv | conv /2, both stages with a
// kernel), and three of them for the supernet's tests: w0.5 d1.1 k3.3, w1 d2.1 k3.5, w1.5 d3.2 k5.5.
BackboneGenes tinyGenes(double width, std::vector<int> depths, std::vector<int> kernels);
extern const BackboneGenes kTinySmall;
extern const BackboneGenes kTinyMiddle;
extern const BackboneGenes kTinyLarge;
// A learnable synthetic task (1x12x12, 400 training and 120 test images) with tinyBackbone(), trained for a few
// epochs: the whole pipeline runs in seconds. A quarter of the training images is held out for validation.
ExperimentConfig tinyExperiment(const std::string& cacheDirectory);
// A search over tinyExperiment(): population 4, two generations after the first, no time limit, a target of
// `targetFraction` times the backbone's MACs (0: no target, which the search refuses), and no composer.
SearchConfig tinySearch(const std::string& cacheDirectory, double targetFraction = 0);

} // namespace earlybird::fixtures
