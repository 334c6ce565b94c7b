#include "fixtures.h"

#include "model/architecture.h"
#include "model/networkcost.h"

#include <matio.h>
#include <zlib.h>

#include <fstream>
#include <stdexcept>

namespace earlybird::fixtures {

std::uint8_t pixelValue(std::int64_t image, std::int64_t index)
{
    return std::uint8_t((image * 31 + index * 7) % 256);
}

void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("fixture: cannot write " + path);
}

std::vector<std::uint8_t> gzipBytes(const std::vector<std::uint8_t>& bytes)
{
    z_stream stream {};
    // 15 + 16: deflate with a gzip wrapper, as the published .gz files are.
    if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("fixture: deflateInit2 failed");
    std::vector<std::uint8_t> out(deflateBound(&stream, uLong(bytes.size())) + 64);
    stream.next_in = const_cast<Bytef*>(bytes.data());
    stream.avail_in = uInt(bytes.size());
    stream.next_out = out.data();
    stream.avail_out = uInt(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
        throw std::runtime_error("fixture: deflate failed");
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

void writeGzip(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    writeBytes(path, gzipBytes(bytes));
}

std::vector<std::uint8_t> idxBytes(const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& values)
{
    std::vector<std::uint8_t> bytes = { 0, 0, 0x08, std::uint8_t(dims.size()) };
    for (const std::uint32_t dim : dims) {
        bytes.push_back(std::uint8_t(dim >> 24));
        bytes.push_back(std::uint8_t(dim >> 16));
        bytes.push_back(std::uint8_t(dim >> 8));
        bytes.push_back(std::uint8_t(dim));
    }
    bytes.insert(bytes.end(), values.begin(), values.end());
    return bytes;
}

void writeIdxFolder(const std::string& folder, int trainCount, int testCount, int height, int width, bool gzip)
{
    const auto write = [&](const std::string& name, const std::vector<std::uint8_t>& bytes) {
        if (gzip)
            writeGzip(folder + "/" + name + ".gz", bytes);
        else
            writeBytes(folder + "/" + name, bytes);
    };
    for (const auto& [prefix, count] : { std::pair<std::string, int>("train", trainCount), { "t10k", testCount } }) {
        std::vector<std::uint8_t> pixels;
        std::vector<std::uint8_t> labels;
        for (int n = 0; n < count; ++n) {
            for (int i = 0; i < height * width; ++i)
                pixels.push_back(pixelValue(n, i));
            labels.push_back(std::uint8_t(n % 10));
        }
        write(prefix + "-images-idx3-ubyte",
            idxBytes({ std::uint32_t(count), std::uint32_t(height), std::uint32_t(width) }, pixels));
        write(prefix + "-labels-idx1-ubyte", idxBytes({ std::uint32_t(count) }, labels));
    }
}

std::vector<std::uint8_t> cifar10Bytes(const std::vector<std::uint8_t>& labels, std::int64_t firstImage)
{
    std::vector<std::uint8_t> bytes;
    for (std::size_t n = 0; n < labels.size(); ++n) {
        bytes.push_back(labels[n]);
        for (int i = 0; i < 3072; ++i)
            bytes.push_back(pixelValue(firstImage + std::int64_t(n), i));
    }
    return bytes;
}

std::vector<std::uint8_t> cifar100Bytes(const std::vector<std::uint8_t>& fineLabels)
{
    std::vector<std::uint8_t> bytes;
    for (std::size_t n = 0; n < fineLabels.size(); ++n) {
        bytes.push_back(std::uint8_t(fineLabels[n] / 5));
        bytes.push_back(fineLabels[n]);
        for (int i = 0; i < 3072; ++i)
            bytes.push_back(pixelValue(std::int64_t(n), i));
    }
    return bytes;
}

void writeSvhnMat(const std::string& path, const std::vector<double>& labels, const SvhnOptions& options)
{
    mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
    if (!mat)
        throw std::runtime_error("fixture: cannot create " + path);
    const std::size_t count = labels.size();
    const std::size_t side = std::size_t(options.side);
    const matio_compression compression = options.compressed ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE;
    if (options.writeX) {
        std::vector<std::uint8_t> x(side * side * 3 * count);
        for (std::size_t n = 0; n < count; ++n)
            for (std::size_t c = 0; c < 3; ++c)
                for (std::size_t column = 0; column < side; ++column)
                    for (std::size_t row = 0; row < side; ++row)
                        x[row + side * column + side * side * c + side * side * 3 * n]
                            = pixelValue(std::int64_t(n), std::int64_t(c * side * side + row * side + column));
        std::size_t dims[4] = { side, side, 3, count };
        matvar_t* var = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, dims, x.data(), 0);
        Mat_VarWrite(mat, var, compression);
        Mat_VarFree(var);
    }
    if (options.writeY) {
        std::vector<double> y = labels;
        std::size_t dims[2] = { count, 1 };
        matvar_t* var = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, y.data(), 0);
        Mat_VarWrite(mat, var, compression);
        Mat_VarFree(var);
    }
    Mat_Close(mat);
}

BackboneSpec tinyBackbone(int classes)
{
    BackboneSpec backbone;
    backbone.name = "tiny";
    backbone.input = { 1, 12, 12 };
    backbone.classes = classes;
    backbone.blocks = { { BlockType::Conv, 8, 3, 1, 1, ResidualShortcut::Projection },
        { BlockType::Conv, 8, 3, 1, 1, ResidualShortcut::Projection },
        { BlockType::Residual, 16, 3, 2, 1, ResidualShortcut::Projection },
        { BlockType::Conv, 16, 3, 1, 1, ResidualShortcut::Projection },
        { BlockType::Conv, 16, 3, 2, 1, ResidualShortcut::Projection } };
    return backbone;
}

BackboneGenes tinyGenes(double width, std::vector<int> depths, std::vector<int> kernels)
{
    BackboneGenes genes;
    genes.width = width;
    genes.depths = std::move(depths);
    genes.kernels = std::move(kernels);
    return genes;
}

const BackboneGenes kTinySmall = tinyGenes(0.5, { 1, 1 }, { 3, 3 });
const BackboneGenes kTinyMiddle = tinyGenes(1.0, { 2, 1 }, { 3, 5 });
const BackboneGenes kTinyLarge = tinyGenes(1.5, { 3, 2 }, { 5, 5 });

ExperimentConfig tinyExperiment(const std::string& cacheDirectory)
{
    ExperimentConfig e;
    e.dataset.kind = DatasetKind::Synthetic;
    e.dataset.path = "classes=4,train=400,test=120,shape=1x12x12,seed=5";
    e.backbone = tinyBackbone(4);
    e.backboneTraining.epochs = 4;
    e.backboneTraining.batchSize = 32;
    e.branchTraining.epochs = 2;
    e.branchTraining.batchSize = 32;
    e.validationFraction = 0.25;
    e.cacheDirectory = cacheDirectory;
    e.featureCacheBytes = 64 << 20;
    return e;
}

SearchConfig tinySearch(const std::string& cacheDirectory, double targetFraction)
{
    SearchConfig config;
    config.experiment = tinyExperiment(cacheDirectory);
    const Architecture backboneAlone { config.experiment.backbone, ConfidenceMeasure::ScoreMargin, {} };
    config.target = targetFraction * double(countNetworkCost(backboneAlone).backboneMacs);
    config.population = 4;
    config.generations = 2;
    config.timeBudgetSeconds = 0;
    config.composedPerBranch = 0; // the tests of the composer switch it on
    return config;
}

} // namespace earlybird::fixtures
