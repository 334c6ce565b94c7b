#pragma once

// NumPy's file formats, read without Python: one array in a .npy file (format versions 1 to 3) and the named arrays of
// a .npz archive (a ZIP file of .npy members, stored or deflated, ZIP64 included). Plain numeric arrays only: object
// arrays (pickled Python objects), structured dtypes and big-endian multi-byte numbers are refused with an error that
// says how to save the data instead.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace earlybird {

struct NumpyArray {
    // 'u' unsigned, 'i' signed, 'f' floating point, 'b' bool, 'U' fixed-width Unicode (UTF-32) strings.
    char kind = 'u';
    int itemSize = 1; // bytes per element (per character times length for 'U')
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> data; // C order, little-endian

    std::int64_t elements() const;
    // Element i as a number ('u', 'i', 'f', 'b' arrays).
    double number(std::int64_t i) const;
    // Element i of a 'U' array, as UTF-8 with trailing NULs removed.
    std::string text(std::int64_t i) const;
    // "uint8 60000x28x28": for messages.
    std::string describe() const;
};

// Parses one .npy file's bytes; `source` names it in errors (DataError).
NumpyArray parseNpy(const std::vector<std::uint8_t>& bytes, const std::string& source);

// The members of a .npz archive by name without ".npy" (np.savez(file, x_train=...) gives "x_train"). Throws
// DataError naming `source` and the member at fault.
std::map<std::string, NumpyArray> parseNpz(const std::vector<std::uint8_t>& bytes, const std::string& source);

} // namespace earlybird
