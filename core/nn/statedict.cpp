#include "nn/statedict.h"

#include "base/error.h"
#include "base/fileio.h"

#include <map>

namespace earlybird::nn {

namespace {

std::string shapeOf(const torch::Tensor& tensor)
{
    std::string text;
    for (const std::int64_t d : tensor.sizes())
        text += (text.empty() ? "" : "x") + std::to_string(d);
    return text.empty() ? std::string("scalar") : text;
}

// LibTorch 1.13's unpickler turns collections.OrderedDict into None (it only expects one in a tensor's backward
// hooks), and model.state_dict() is an OrderedDict.
const char* const kOrderedDictAdvice
    = "holds an OrderedDict (what model.state_dict() returns), which LibTorch 1.13 reads "
      "as None: save a plain dict instead, torch.save(dict(model.state_dict()), FILE)";

void listInto(std::string& out, const char* title, const std::vector<std::string>& names, std::size_t limit)
{
    if (names.empty())
        return;
    out += "\n" + std::string(title) + " (" + std::to_string(names.size()) + "):";
    for (std::size_t i = 0; i < names.size() && i < limit; ++i)
        out += "\n  " + names[i];
    if (names.size() > limit)
        out += "\n  ... and " + std::to_string(names.size() - limit) + " more";
}

} // namespace

std::string StateDictMismatch::describe(std::size_t limit) const
{
    std::string out;
    listInto(out, "missing from the file", missing, limit);
    listInto(out, "in the file but not in the network", extra, limit);
    listInto(out, "of another shape", misshaped, limit);
    return out;
}

void loadStateDict(torch::nn::Module& module, const std::string& path)
{
    const std::vector<std::uint8_t> bytes = readFileBytes(path);
    torch::IValue value;
    try {
        value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    } catch (const std::exception& e) {
        std::string reason = e.what();
        if (const std::size_t line = reason.find('\n'); line != std::string::npos)
            reason.resize(line);
        // An OrderedDict's entries fail on the None it became.
        if (reason.find("GenericDict but got None") != std::string::npos)
            throw DataError(path, kOrderedDictAdvice);
        throw DataError(path, "not a state_dict saved by torch.save (" + reason + ")");
    }
    if (value.isNone())
        throw DataError(path, kOrderedDictAdvice);
    if (!value.isGenericDict())
        throw DataError(path, "holds a " + value.tagKind() + ", not a state_dict (a dict of tensors by name)");
    std::map<std::string, torch::Tensor> file;
    for (const auto& item : value.toGenericDict()) {
        if (!item.key().isString() || !item.value().isTensor())
            throw DataError(path, "holds entries that are not tensors by name: not a state_dict");
        file[item.key().toStringRef()] = item.value().toTensor();
    }
    std::map<std::string, torch::Tensor> own;
    for (const auto& item : module.named_parameters())
        own[item.key()] = item.value();
    for (const auto& item : module.named_buffers())
        own[item.key()] = item.value();

    StateDictMismatch mismatch;
    for (const auto& [name, tensor] : own) {
        const auto found = file.find(name);
        if (found == file.end())
            mismatch.missing.push_back(name);
        else if (found->second.sizes() != tensor.sizes())
            mismatch.misshaped.push_back(name + ": file " + shapeOf(found->second) + ", network " + shapeOf(tensor));
    }
    for (const auto& [name, tensor] : file) {
        if (own.count(name) == 0)
            mismatch.extra.push_back(name);
    }
    if (!mismatch.empty())
        throw DataError(path, "does not fit the backbone:" + mismatch.describe());
    torch::NoGradGuard noGrad;
    for (auto& [name, tensor] : own)
        tensor.copy_(file.at(name).to(tensor.dtype()));
}

void saveStateDict(torch::nn::Module& module, const std::string& path)
{
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& item : module.named_parameters())
        dict.insert(item.key(), item.value().detach().contiguous().clone());
    for (const auto& item : module.named_buffers())
        dict.insert(item.key(), item.value().detach().contiguous().clone());
    const std::vector<char> bytes = torch::pickle_save(dict);
    writeFileAtomically(path, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

} // namespace earlybird::nn
