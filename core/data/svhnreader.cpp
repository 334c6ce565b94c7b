#include "data/svhnreader.h"

#include "base/error.h"
#include "base/fileio.h"

#include <matio.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <sys/stat.h>
#include <vector>

namespace earlybird {

namespace {

constexpr int kSvhnSide = 32;
constexpr int kSvhnChannels = 3;
// SVHN writes the digit 0 as label 10.
constexpr int kSvhnZeroLabel = 10;

const std::vector<std::string> kDigitClasses = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };

// libmatio reports problems through a global log function that prints to stderr by default; route its messages
// into the error we throw instead, so the user sees one clear message and nothing on the console.
thread_local std::string t_lastMatioMessage;

void captureMatioMessage(int, char* message)
{
    t_lastMatioMessage = message ? message : "";
}

void installMatioLog()
{
    static std::once_flag once;
    std::call_once(once, [] { Mat_LogInitFunc("earlybird", captureMatioMessage); });
}

std::string matioDetail()
{
    return t_lastMatioMessage.empty() ? std::string() : " (" + t_lastMatioMessage + ")";
}

struct MatCloser {
    void operator()(mat_t* mat) const { Mat_Close(mat); }
};
struct VarFreer {
    void operator()(matvar_t* var) const { Mat_VarFree(var); }
};
using MatFile = std::unique_ptr<mat_t, MatCloser>;
using MatVar = std::unique_ptr<matvar_t, VarFreer>;

std::string dimsText(const matvar_t* var);

std::uint64_t fileBytesOf(const std::string& path)
{
    struct stat info { };
    return ::stat(path.c_str(), &info) == 0 ? std::uint64_t(info.st_size) : 0;
}

// The first `count` bytes of a file (fewer if it is shorter).
std::vector<std::uint8_t> fileHead(const std::string& path, std::size_t count)
{
    std::vector<std::uint8_t> head(count);
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(head.data()), std::streamsize(count));
    head.resize(std::size_t(std::max<std::streamsize>(0, in.gcount())));
    return head;
}

// A variable's data may inflate to at most this many times the file's size (zlib's limit is about 1032:1), and never
// past kMaxVariableBytes: the header's claim is checked before libmatio allocates for it.
constexpr std::uint64_t kMaxInflation = 1100;
constexpr std::uint64_t kMaxVariableBytes = std::uint64_t(16) << 30;

MatVar readVariable(mat_t* mat, const std::string& path, const char* name)
{
    t_lastMatioMessage.clear();
    if (const MatVar info { Mat_VarReadInfo(mat, name) }) {
        std::uint64_t elements = 1;
        bool overflow = false;
        for (int d = 0; d < info->rank; ++d) {
            const std::uint64_t dim = info->dims[d];
            overflow = overflow || (dim != 0 && elements > kMaxVariableBytes / dim);
            elements *= dim;
        }
        const std::uint64_t claimed
            = overflow ? UINT64_MAX : elements * std::max<std::uint64_t>(1, Mat_SizeOfClass(info->class_type));
        const std::uint64_t fileBytes = std::uint64_t(fileBytesOf(path));
        if (overflow || claimed > kMaxVariableBytes || claimed > fileBytes * kMaxInflation)
            throw DataError(path,
                std::string("variable '") + name + "' claims " + dimsText(info.get()) + " elements, more than a "
                    + std::to_string(fileBytes) + "-byte file can hold (corrupt header?)");
    }
    MatVar var(Mat_VarRead(mat, name));
    if (!var)
        throw DataError(path,
            std::string("has no readable variable '") + name + "'" + matioDetail()
                + " (an SVHN cropped-digits file holds X and y)");
    if (!var->data)
        throw DataError(path, std::string("variable '") + name + "' has no data (truncated file?)" + matioDetail());
    if (var->isComplex)
        throw DataError(path, std::string("variable '") + name + "' is complex; SVHN stores real values");
    return var;
}

// The numeric value of element `i` of a real MATLAB array, whatever its storage class.
bool elementAsDouble(const matvar_t* var, std::size_t i, double* out)
{
    switch (var->class_type) {
    case MAT_C_DOUBLE:
        *out = static_cast<const double*>(var->data)[i];
        return true;
    case MAT_C_SINGLE:
        *out = static_cast<const float*>(var->data)[i];
        return true;
    case MAT_C_UINT8:
        *out = static_cast<const std::uint8_t*>(var->data)[i];
        return true;
    case MAT_C_INT8:
        *out = static_cast<const std::int8_t*>(var->data)[i];
        return true;
    case MAT_C_UINT16:
        *out = static_cast<const std::uint16_t*>(var->data)[i];
        return true;
    case MAT_C_INT16:
        *out = static_cast<const std::int16_t*>(var->data)[i];
        return true;
    case MAT_C_UINT32:
        *out = static_cast<const std::uint32_t*>(var->data)[i];
        return true;
    case MAT_C_INT32:
        *out = static_cast<const std::int32_t*>(var->data)[i];
        return true;
    case MAT_C_INT64:
        *out = double(static_cast<const std::int64_t*>(var->data)[i]);
        return true;
    case MAT_C_UINT64:
        *out = double(static_cast<const std::uint64_t*>(var->data)[i]);
        return true;
    default:
        return false;
    }
}

std::string dimsText(const matvar_t* var)
{
    std::string text;
    for (int d = 0; d < var->rank; ++d)
        text += (d ? "x" : "") + std::to_string(var->dims[d]);
    return text;
}

} // namespace

Dataset readSvhnFile(const std::string& path, const std::string& title)
{
    if (!fileExists(path))
        throw DataError(path, "no such file");
    // SVHN is distributed as MATLAB v5 (or v7.3, HDF5) files. libmatio falls back to the headerless v4 format for
    // anything else, and a v4 header of a few bytes can make it allocate gigabytes: accept only v5 and v7.3 headers.
    {
        const std::vector<std::uint8_t> head = fileHead(path, 128);
        // The version is 0x0100 (v5) or 0x0200 (v7.3) in the byte order the mark says; libmatio reads any other as
        // a v4 file (fuzz_svhn: a version of 0x2d4d made it allocate 1.9 GB for a 167-byte file).
        const bool littleEndian = head.size() == 128 && head[126] == 'I' && head[127] == 'M';
        const bool bigEndian = head.size() == 128 && head[126] == 'M' && head[127] == 'I';
        const unsigned version = littleEndian ? unsigned(head[124]) | unsigned(head[125]) << 8
            : bigEndian                       ? unsigned(head[124]) << 8 | unsigned(head[125])
                                              : 0;
        const bool v5OrV73 = version == 0x0100 || version == 0x0200;
        if (!v5OrV73)
            throw DataError(path,
                "not a MATLAB v5 or v7.3 .mat file (SVHN's format): no 128-byte header ending in "
                "a version and the 'IM' byte-order mark");
    }
    installMatioLog();
    t_lastMatioMessage.clear();
    MatFile mat(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
    if (!mat)
        throw DataError(path, "not a MATLAB .mat file that libmatio can read" + matioDetail());

    const MatVar x = readVariable(mat.get(), path, "X");
    // MATLAB drops trailing singleton dimensions, so a file with one image has rank 3.
    const bool shapeOk = (x->rank == 4 || x->rank == 3) && x->dims[0] == std::size_t(kSvhnSide)
        && x->dims[1] == std::size_t(kSvhnSide) && x->dims[2] == std::size_t(kSvhnChannels);
    if (!shapeOk)
        throw DataError(path, "X is " + dimsText(x.get()) + "; SVHN cropped digits are 32x32x3xN");
    if (x->class_type != MAT_C_UINT8)
        throw DataError(path, "X must hold uint8 pixels");
    const std::size_t count = x->rank == 4 ? x->dims[3] : 1;
    const std::size_t imageValues = std::size_t(kSvhnSide) * kSvhnSide * kSvhnChannels;
    if (x->nbytes < count * imageValues)
        throw DataError(path, "X holds fewer bytes than its 32x32x3x" + std::to_string(count) + " shape needs");

    const MatVar y = readVariable(mat.get(), path, "y");
    const bool columnOrRow = y->rank == 2 && (y->dims[1] == 1 || y->dims[0] == 1);
    const std::size_t labelCount = columnOrRow ? y->dims[0] * y->dims[1] : 0;
    if (!columnOrRow)
        throw DataError(path, "y is " + dimsText(y.get()) + "; SVHN labels are N x 1");
    if (labelCount != count)
        throw DataError(
            path, "y holds " + std::to_string(labelCount) + " labels but X holds " + std::to_string(count) + " images");

    std::vector<std::int64_t> labels(count);
    for (std::size_t i = 0; i < count; ++i) {
        double value = 0;
        if (!elementAsDouble(y.get(), i, &value))
            throw DataError(path, "y is not a numeric array");
        const std::int64_t label = std::int64_t(value);
        if (double(label) != value || label < 0 || label > kSvhnZeroLabel) {
            std::ostringstream shown;
            shown << value;
            throw DataError(path,
                "label " + std::to_string(i) + " is " + shown.str()
                    + "; SVHN labels are 1-10 (10 meaning the digit 0)");
        }
        labels[i] = label == kSvhnZeroLabel ? 0 : label;
    }

    // MATLAB order is X(row, column, channel, image) with the row index fastest; ours is image, channel, row, column.
    const auto* source = static_cast<const std::uint8_t*>(x->data);
    std::vector<std::uint8_t> pixels(count * imageValues);
    const std::size_t plane = std::size_t(kSvhnSide) * kSvhnSide;
    for (std::size_t n = 0; n < count; ++n) {
        const std::uint8_t* in = source + n * imageValues;
        std::uint8_t* out = pixels.data() + n * imageValues;
        for (int c = 0; c < kSvhnChannels; ++c) {
            for (int column = 0; column < kSvhnSide; ++column) {
                const std::uint8_t* sourceColumn = in + c * plane + std::size_t(column) * kSvhnSide;
                for (int row = 0; row < kSvhnSide; ++row)
                    out[c * plane + std::size_t(row) * kSvhnSide + column] = sourceColumn[row];
            }
        }
    }
    return Dataset(
        title, ImageShape { kSvhnChannels, kSvhnSide, kSvhnSide }, kDigitClasses, std::move(pixels), std::move(labels));
}

Dataset readSvhn(const std::string& folder, Split split, bool includeExtra)
{
    if (!directoryExists(folder))
        throw DataError(folder, "no such folder (expected the SVHN .mat files in it)");
    const std::string file = split == Split::Train ? "train_32x32.mat" : "test_32x32.mat";
    const std::string path = folder + "/" + file;
    if (!fileExists(path))
        throw DataError(folder,
            "no SVHN " + nameOf(split) + " data: expected " + file + " (the cropped-digits format) in this folder");
    const std::string title = "SVHN " + nameOf(split);
    Dataset dataset = readSvhnFile(path, title);
    if (split == Split::Train && includeExtra) {
        const std::string extra = folder + "/extra_32x32.mat";
        if (!fileExists(extra))
            throw DataError(folder, "the extra SVHN images were asked for, but extra_32x32.mat is not in this folder");
        dataset.append(readSvhnFile(extra, title));
    }
    return dataset;
}

} // namespace earlybird
