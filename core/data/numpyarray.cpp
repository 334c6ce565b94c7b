#include "data/numpyarray.h"

#include "base/error.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace earlybird {

namespace {

// No member of a data set archive is larger than this (a bomb, or a size field gone wrong, is refused before any
// allocation).
constexpr std::uint64_t kMaxArrayBytes = std::uint64_t(16) << 30;

std::uint64_t readLe(const std::uint8_t* p, int bytes)
{
    std::uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i)
        value = (value << 8) | p[i];
    return value;
}

// The value of `key` in the header's Python dict literal, as its raw text up to the next top-level comma or brace.
std::string headerValue(const std::string& header, const std::string& key, const std::string& source)
{
    std::size_t at = header.find("'" + key + "'");
    if (at == std::string::npos)
        at = header.find("\"" + key + "\"");
    if (at == std::string::npos)
        throw DataError(source, "the .npy header has no '" + key + "' entry");
    at = header.find(':', at);
    if (at == std::string::npos)
        throw DataError(source, "the .npy header's '" + key + "' entry has no value");
    ++at;
    while (at < header.size() && header[at] == ' ')
        ++at;
    int depth = 0;
    std::size_t end = at;
    for (; end < header.size(); ++end) {
        const char c = header[end];
        if (c == '(' || c == '[')
            ++depth;
        else if (c == ')' || c == ']')
            --depth;
        if (depth < 0 || (depth == 0 && (c == ',' || c == '}')))
            break;
        if (depth == 0 && c == ')')
            break;
    }
    if (end < header.size() && header[end] == ')')
        ++end;
    return header.substr(at, end - at);
}

std::vector<std::int64_t> parseShape(const std::string& text, const std::string& source)
{
    if (text.size() < 2 || text.front() != '(' || text.back() != ')')
        throw DataError(source, "the .npy header's shape '" + text + "' is not a tuple");
    std::vector<std::int64_t> shape;
    std::string number;
    const auto flush = [&] {
        if (number.empty())
            return;
        std::size_t used = 0;
        long long value = -1;
        try {
            value = std::stoll(number, &used);
        } catch (const std::exception&) {
        }
        if (used != number.size() || value < 0)
            throw DataError(source, "the .npy header's shape '" + text + "' has a bad dimension '" + number + "'");
        shape.push_back(value);
        number.clear();
    };
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
        const char c = text[i];
        if (c == ',')
            flush();
        else if (c != ' ' && c != 'L')
            number += c;
    }
    flush();
    return shape;
}

} // namespace

std::int64_t NumpyArray::elements() const
{
    std::int64_t n = 1;
    for (const std::int64_t d : shape)
        n *= d;
    return n;
}

double NumpyArray::number(std::int64_t i) const
{
    const std::uint8_t* p = data.data() + i * itemSize;
    switch (kind) {
    case 'b':
    case 'u':
        return double(readLe(p, itemSize));
    case 'i': {
        const std::uint64_t raw = readLe(p, itemSize);
        const int shift = 64 - 8 * itemSize;
        return double(std::int64_t(raw << shift) >> shift);
    }
    case 'f':
        if (itemSize == 4) {
            float value;
            std::memcpy(&value, p, 4);
            return double(value);
        } else {
            double value;
            std::memcpy(&value, p, 8);
            return value;
        }
    default:
        return std::numeric_limits<double>::quiet_NaN();
    }
}

std::string NumpyArray::text(std::int64_t i) const
{
    std::string out;
    const std::uint8_t* p = data.data() + i * itemSize;
    for (int c = 0; c + 4 <= itemSize; c += 4) {
        const auto code = std::uint32_t(readLe(p + c, 4));
        if (code == 0)
            break;
        if (code < 0x80) {
            out += char(code);
        } else if (code < 0x800) {
            out += char(0xC0 | (code >> 6));
            out += char(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += char(0xE0 | (code >> 12));
            out += char(0x80 | ((code >> 6) & 0x3F));
            out += char(0x80 | (code & 0x3F));
        } else {
            out += char(0xF0 | ((code >> 18) & 0x07));
            out += char(0x80 | ((code >> 12) & 0x3F));
            out += char(0x80 | ((code >> 6) & 0x3F));
            out += char(0x80 | (code & 0x3F));
        }
    }
    return out;
}

std::string NumpyArray::describe() const
{
    std::string type;
    switch (kind) {
    case 'u':
        type = "uint" + std::to_string(8 * itemSize);
        break;
    case 'i':
        type = "int" + std::to_string(8 * itemSize);
        break;
    case 'f':
        type = "float" + std::to_string(8 * itemSize);
        break;
    case 'b':
        type = "bool";
        break;
    default:
        type = "str" + std::to_string(itemSize / 4);
    }
    std::string dims;
    for (const std::int64_t d : shape)
        dims += (dims.empty() ? "" : "x") + std::to_string(d);
    return type + " " + (dims.empty() ? std::string("scalar") : dims);
}

NumpyArray parseNpy(const std::vector<std::uint8_t>& bytes, const std::string& source)
{
    static const std::uint8_t kMagic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };
    if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
        throw DataError(source, "not a NumPy .npy array (its first bytes are not \\x93NUMPY)");
    const int major = bytes[6];
    if (major < 1 || major > 3)
        throw DataError(source, ".npy format version " + std::to_string(major) + " is not one Earlybird reads (1 - 3)");
    const int lengthBytes = major == 1 ? 2 : 4;
    if (bytes.size() < std::size_t(8 + lengthBytes))
        throw DataError(source, "the .npy file ends inside its header");
    const std::uint64_t headerLength = readLe(bytes.data() + 8, lengthBytes);
    const std::uint64_t dataStart = 8 + std::uint64_t(lengthBytes) + headerLength;
    if (dataStart > bytes.size())
        throw DataError(source, "the .npy file ends inside its header");
    const std::string header(bytes.begin() + 8 + lengthBytes, bytes.begin() + std::ptrdiff_t(dataStart));

    NumpyArray array;
    std::string descr = headerValue(header, "descr", source);
    if (!descr.empty() && descr.front() == '[')
        throw DataError(source, "holds a structured array (" + descr + "); save each field as its own plain array");
    if (descr.size() < 4 || (descr.front() != '\'' && descr.front() != '"') || descr.back() != descr.front())
        throw DataError(source, "the .npy header's dtype " + descr + " is not a type string");
    descr = descr.substr(1, descr.size() - 2);
    const char order = descr[0];
    array.kind = descr[1];
    if (array.kind == 'O')
        throw DataError(source,
            "holds Python objects (dtype 'O', stored pickled), which Earlybird never reads: save plain numeric "
            "arrays, e.g. np.asarray(x, dtype=np.uint8)");
    int count = 0;
    try {
        count = std::stoi(descr.substr(2));
    } catch (const std::exception&) {
        throw DataError(source, "the .npy header's dtype '" + descr + "' has no item size");
    }
    const bool numeric
        = (array.kind == 'u' || array.kind == 'i') && (count == 1 || count == 2 || count == 4 || count == 8);
    const bool floating = array.kind == 'f' && (count == 4 || count == 8);
    const bool boolean = array.kind == 'b' && count == 1;
    const bool unicode = array.kind == 'U' && count >= 1 && count <= 4096;
    if (!numeric && !floating && !boolean && !unicode)
        throw DataError(source,
            "dtype '" + descr
                + "' is not supported (Earlybird reads uint8-64, int8-64, float32, float64, bool and "
                  "str arrays)");
    array.itemSize = unicode ? 4 * count : count;
    if (order == '>' && array.itemSize > 1)
        throw DataError(source,
            "holds big-endian numbers (dtype '" + descr + "'); save them little-endian, e.g. x.astype('<"
                + descr.substr(1) + "')");
    if (order != '<' && order != '|' && order != '=' && order != '>')
        throw DataError(source, "the .npy header's dtype '" + descr + "' has an unknown byte order");
    if (headerValue(header, "fortran_order", source).rfind("False", 0) != 0)
        throw DataError(source, "is stored in Fortran order; save it in C order, e.g. np.ascontiguousarray(x)");
    array.shape = parseShape(headerValue(header, "shape", source), source);

    std::uint64_t expected = std::uint64_t(array.itemSize);
    for (const std::int64_t d : array.shape) {
        if (d != 0 && expected > kMaxArrayBytes / std::uint64_t(d))
            throw DataError(source, "an array of " + array.describe() + " is larger than Earlybird reads (16 GiB)");
        expected *= std::uint64_t(d);
    }
    const std::uint64_t available = bytes.size() - dataStart;
    if (available < expected)
        throw DataError(source,
            "truncated: " + array.describe() + " needs " + std::to_string(expected) + " bytes of data, the file has "
                + std::to_string(available));
    array.data.assign(bytes.begin() + std::ptrdiff_t(dataStart), bytes.begin() + std::ptrdiff_t(dataStart + expected));
    return array;
}

std::map<std::string, NumpyArray> parseNpz(const std::vector<std::uint8_t>& bytes, const std::string& source)
{
    const std::uint8_t* b = bytes.data();
    const std::size_t size = bytes.size();
    // The end of central directory record: at the end, before a comment of at most 65,535 bytes.
    std::size_t eocd = std::string::npos;
    for (std::size_t back = 22; back <= size && back <= 22 + 65535; ++back) {
        if (readLe(b + size - back, 4) == 0x06054b50) {
            eocd = size - back;
            break;
        }
    }
    if (eocd == std::string::npos)
        throw DataError(source, "not a .npz archive (no ZIP directory at its end)");
    std::uint64_t entries = readLe(b + eocd + 10, 2);
    std::uint64_t directorySize = readLe(b + eocd + 12, 4);
    std::uint64_t directoryStart = readLe(b + eocd + 16, 4);
    if (entries == 0xFFFF || directorySize == 0xFFFFFFFF || directoryStart == 0xFFFFFFFF) {
        // ZIP64: the locator sits right before the record and points at the 64-bit record.
        if (eocd < 20 || readLe(b + eocd - 20, 4) != 0x07064b50)
            throw DataError(source, "a ZIP64 archive without its ZIP64 directory locator");
        const std::uint64_t record = readLe(b + eocd - 20 + 8, 8);
        if (record + 56 > size || readLe(b + record, 4) != 0x06064b50)
            throw DataError(source, "the ZIP64 directory record is missing or damaged");
        entries = readLe(b + record + 32, 8);
        directorySize = readLe(b + record + 40, 8);
        directoryStart = readLe(b + record + 48, 8);
    }
    if (directoryStart > size || directorySize > size - directoryStart)
        throw DataError(source, "the ZIP directory points past the end of the file (truncated?)");

    std::map<std::string, NumpyArray> arrays;
    std::size_t at = std::size_t(directoryStart);
    const std::size_t end = std::size_t(directoryStart + directorySize);
    for (std::uint64_t e = 0; e < entries; ++e) {
        if (at + 46 > end || readLe(b + at, 4) != 0x02014b50)
            throw DataError(source, "the ZIP directory is damaged at entry " + std::to_string(e + 1));
        const auto flags = readLe(b + at + 8, 2);
        const auto method = readLe(b + at + 10, 2);
        const auto crc = std::uint32_t(readLe(b + at + 16, 4));
        std::uint64_t compressed = readLe(b + at + 20, 4);
        std::uint64_t uncompressed = readLe(b + at + 24, 4);
        const std::size_t nameLength = readLe(b + at + 28, 2);
        const std::size_t extraLength = readLe(b + at + 30, 2);
        const std::size_t commentLength = readLe(b + at + 32, 2);
        std::uint64_t offset = readLe(b + at + 42, 4);
        if (at + 46 + nameLength + extraLength + commentLength > end)
            throw DataError(source, "the ZIP directory is damaged at entry " + std::to_string(e + 1));
        std::string name(reinterpret_cast<const char*>(b + at + 46), nameLength);
        const std::string member = source + " (" + name + ")";
        // The ZIP64 extra field holds, in this order, whichever of the three sizes are saturated.
        for (std::size_t x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength;) {
            const auto id = readLe(b + x, 2);
            const std::size_t length = readLe(b + x + 2, 2);
            std::size_t field = x + 4;
            const std::size_t fieldEnd = std::min(field + length, at + 46 + nameLength + extraLength);
            if (id == 0x0001) {
                for (std::uint64_t* value : { &uncompressed, &compressed, &offset }) {
                    if (*value != 0xFFFFFFFF)
                        continue;
                    if (field + 8 > fieldEnd)
                        throw DataError(member, "a damaged ZIP64 size field");
                    *value = readLe(b + field, 8);
                    field += 8;
                }
            }
            x += 4 + length;
        }
        at += 46 + nameLength + extraLength + commentLength;
        if (flags & 1)
            throw DataError(member, "is encrypted");
        if (method != 0 && method != 8)
            throw DataError(member,
                "compressed with ZIP method " + std::to_string(method)
                    + " (Earlybird reads stored and deflated members: np.savez and np.savez_compressed)");
        if (uncompressed > kMaxArrayBytes)
            throw DataError(member, "is larger than Earlybird reads (16 GiB)");
        // Deflate expands by at most 1032:1: a larger claim is damage (or a bomb), refused before any allocation.
        if (method == 8 && uncompressed > compressed * 1032 + 1024)
            throw DataError(member,
                "claims " + std::to_string(uncompressed) + " bytes from " + std::to_string(compressed)
                    + " deflated ones, more than deflate can give");
        if (offset + 30 > size || readLe(b + offset, 4) != 0x04034b50)
            throw DataError(member, "its data is missing (the archive is truncated or damaged)");
        const std::uint64_t dataStart = offset + 30 + readLe(b + offset + 26, 2) + readLe(b + offset + 28, 2);
        if (dataStart > size || compressed > size - dataStart)
            throw DataError(member, "truncated: its data runs past the end of the file");
        std::vector<std::uint8_t> content;
        if (method == 0) {
            if (compressed != uncompressed)
                throw DataError(member, "a stored member whose two sizes disagree");
            content.assign(b + dataStart, b + dataStart + compressed);
        } else {
            content.resize(std::size_t(uncompressed));
            z_stream stream {};
            if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
                throw Error("zlib could not start inflating " + member);
            stream.next_in = const_cast<Bytef*>(b + dataStart);
            stream.avail_in = uInt(std::min<std::uint64_t>(compressed, std::numeric_limits<uInt>::max()));
            std::uint64_t inLeft = compressed - stream.avail_in;
            stream.next_out = content.data();
            stream.avail_out = uInt(std::min<std::uint64_t>(uncompressed, std::numeric_limits<uInt>::max()));
            std::uint64_t outLeft = uncompressed - stream.avail_out;
            int status = Z_OK;
            while (status == Z_OK) {
                if (stream.avail_in == 0 && inLeft > 0) {
                    stream.avail_in = uInt(std::min<std::uint64_t>(inLeft, std::numeric_limits<uInt>::max()));
                    inLeft -= stream.avail_in;
                }
                if (stream.avail_out == 0 && outLeft > 0) {
                    stream.avail_out = uInt(std::min<std::uint64_t>(outLeft, std::numeric_limits<uInt>::max()));
                    outLeft -= stream.avail_out;
                }
                status = inflate(&stream, Z_NO_FLUSH);
                if (status == Z_BUF_ERROR && (stream.avail_in > 0 || inLeft > 0) && stream.avail_out == 0
                    && outLeft == 0) {
                    break; // more output than the directory says
                }
            }
            const std::uint64_t produced = stream.total_out;
            inflateEnd(&stream);
            if (status != Z_STREAM_END || produced != uncompressed)
                throw DataError(member, "its deflated data is corrupt or does not match its size");
        }
        uLong check = crc32(0L, Z_NULL, 0);
        for (std::size_t done = 0; done < content.size();) {
            const std::size_t chunk = std::min<std::size_t>(content.size() - done, std::size_t(1) << 30);
            check = crc32(check, content.data() + done, uInt(chunk));
            done += chunk;
        }
        if (std::uint32_t(check) != crc)
            throw DataError(member, "fails its CRC check (the archive is corrupt)");
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
            name.resize(name.size() - 4);
        arrays[name] = parseNpy(content, member);
    }
    return arrays;
}

} // namespace earlybird
