#include "base/fileio.h"

#include "base/error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace earlybird {

namespace {

// zlib counts in unsigned ints; inflating at most 64 MiB per call keeps every count far from that limit.
constexpr std::size_t kGzipChunk = std::size_t(64) << 20;
// The output starts at a few times the input and doubles as needed: a small file costs little memory (a fixed 64 MiB
// start made every small gzip file allocate that much), and no gzip file inflates past this limit (a gzip bomb is an
// error, not an exhausted machine). The largest published files (CIFAR-100, SVHN) are far below it.
constexpr std::size_t kMinGzipOutput = std::size_t(64) << 10;
constexpr std::size_t kMaxGzipOutput = std::size_t(4) << 30;

std::vector<std::uint8_t> readPlain(const std::string& path)
{
    FILE* file = std::fopen(path.c_str(), "rb");
    if (!file)
        throw DataError(path, std::string("cannot open: ") + std::strerror(errno));
    std::vector<std::uint8_t> bytes;
    if (std::fseek(file, 0, SEEK_END) == 0) {
        const long size = std::ftell(file);
        if (size > 0)
            bytes.reserve(std::size_t(size));
        std::fseek(file, 0, SEEK_SET);
    }
    std::uint8_t buffer[1 << 16];
    std::size_t got;
    while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0)
        bytes.insert(bytes.end(), buffer, buffer + got);
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed)
        throw DataError(path, "read error");
    return bytes;
}

std::vector<std::uint8_t> inflateGzip(const std::string& path, const std::vector<std::uint8_t>& compressed)
{
    z_stream stream {};
    // 15 + 16: a gzip wrapper around a deflate stream with the largest window.
    if (inflateInit2(&stream, 15 + 16) != Z_OK)
        throw DataError(path, "cannot start gzip decompression");
    std::vector<std::uint8_t> bytes(std::min(compressed.size() * 4 + kMinGzipOutput, kMaxGzipOutput));
    stream.next_in = const_cast<Bytef*>(compressed.data());
    stream.avail_in = uInt(compressed.size());
    std::size_t used = 0;
    int result = Z_OK;
    for (;;) {
        if (bytes.size() - used < kMinGzipOutput) {
            if (bytes.size() >= kMaxGzipOutput) {
                inflateEnd(&stream);
                throw DataError(path,
                    "gzip data that inflates to more than " + std::to_string(kMaxGzipOutput >> 30)
                        + " GiB: not a data set file Earlybird reads");
            }
            bytes.resize(std::min(bytes.size() * 2, kMaxGzipOutput));
        }
        stream.next_out = bytes.data() + used;
        stream.avail_out = uInt(std::min<std::size_t>(bytes.size() - used, kGzipChunk));
        const uInt before = stream.avail_out;
        result = inflate(&stream, Z_NO_FLUSH);
        used += before - stream.avail_out;
        if (result == Z_STREAM_END) {
            // Concatenated gzip members are one file to gunzip: carry on with the next member, if any.
            if (stream.avail_in == 0)
                break;
            inflateReset(&stream);
            continue;
        }
        if (result == Z_BUF_ERROR && stream.avail_in == 0) {
            inflateEnd(&stream);
            throw DataError(path, "truncated gzip data: the compressed stream ends before its end marker");
        }
        if (result != Z_OK && result != Z_BUF_ERROR) {
            const std::string message = stream.msg ? stream.msg : "error " + std::to_string(result);
            inflateEnd(&stream);
            throw DataError(path, "corrupt gzip data (" + message + ")");
        }
    }
    inflateEnd(&stream);
    bytes.resize(used);
    return bytes;
}

} // namespace

std::vector<std::uint8_t> readFileBytes(const std::string& path)
{
    struct stat info { };
    if (::stat(path.c_str(), &info) != 0)
        throw DataError(path, std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(info.st_mode))
        throw DataError(path, "is a folder, not a file");
    std::vector<std::uint8_t> bytes = readPlain(path);
    if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        return inflateGzip(path, bytes);
    return bytes;
}

void writeFileAtomically(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(temporary + ": cannot create: " + std::strerror(errno));
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string reason = std::strerror(errno);
            ::close(fd);
            ::unlink(temporary.c_str());
            throw Error(temporary + ": cannot write: " + reason);
        }
        written += std::size_t(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error(temporary + ": cannot flush to disk: " + reason);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error(path + ": cannot replace: " + reason);
    }
}

void writeFileAtomically(const std::string& path, const std::string& text)
{
    writeFileAtomically(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

bool fileExists(const std::string& path)
{
    struct stat info { };
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

bool directoryExists(const std::string& path)
{
    struct stat info { };
    return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

} // namespace earlybird
