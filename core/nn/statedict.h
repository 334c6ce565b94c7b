#pragma once

// Includes torch: see nn/modules.h.

#include <torch/torch.h>

#include <string>
#include <vector>

namespace earlybird::nn {

// What a state_dict file holds against a module's own parameters and buffers.
struct StateDictMismatch {
    std::vector<std::string> missing; // the module's names the file lacks
    std::vector<std::string> extra; // names in the file the module does not have
    std::vector<std::string> misshaped; // "name: file 64x3x3x3, module 32x3x3x3"
    bool empty() const { return missing.empty() && extra.empty() && misshaped.empty(); }
    // Every problem, a line each (at most `limit` per kind, then how many more).
    std::string describe(std::size_t limit = 12) const;
};

// Loads a state_dict written by Python's torch.save(dict(module.state_dict()), path) (or torch::pickle_save of a dict
// of tensors) into `module`. A plain dict: LibTorch 1.13 reads the OrderedDict that state_dict() returns as None, so
// such a file is refused with that advice. Every parameter and buffer is loaded by name, converted to the module's
// dtype. Throws DataError naming the file when it is not a dict of tensors, or when any name is missing, extra or of
// another shape (all of them listed); the module is left unchanged then.
void loadStateDict(torch::nn::Module& module, const std::string& path);

// Every parameter and buffer of `module` by name, written with torch::pickle_save (which loadStateDict and Python's
// torch.load read), atomically.
void saveStateDict(torch::nn::Module& module, const std::string& path);

} // namespace earlybird::nn
