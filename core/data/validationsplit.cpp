#include "data/validationsplit.h"

#include "base/error.h"
#include "base/rng.h"

#include <algorithm>
#include <cmath>

namespace earlybird {

ValidationSplit makeValidationSplit(
    const std::vector<std::int64_t>& labels, int numClasses, double fraction, std::uint64_t seed)
{
    if (!(fraction >= 0.0 && fraction < 1.0))
        throw ConfigError("validation fraction must be at least 0 and below 1, not " + std::to_string(fraction));
    std::vector<std::vector<std::int64_t>> byClass(std::size_t(std::max(numClasses, 0)));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= numClasses)
            throw ConfigError("label " + std::to_string(labels[i]) + " of image " + std::to_string(i)
                + " is outside the " + std::to_string(numClasses) + " classes");
        byClass[std::size_t(labels[i])].push_back(std::int64_t(i));
    }
    ValidationSplit split;
    Rng rng(seed);
    for (std::vector<std::int64_t>& members : byClass) {
        shuffle(members, rng);
        std::size_t held = std::size_t(std::llround(fraction * double(members.size())));
        if (fraction > 0.0 && held == 0 && members.size() >= 2)
            held = 1;
        split.validation.insert(split.validation.end(), members.begin(), members.begin() + std::ptrdiff_t(held));
        split.train.insert(split.train.end(), members.begin() + std::ptrdiff_t(held), members.end());
    }
    std::sort(split.train.begin(), split.train.end());
    std::sort(split.validation.begin(), split.validation.end());
    return split;
}

ValidationSplit validationSplitOf(const Dataset& train, double fraction, std::uint64_t seed)
{
    if (train.ownValidationFrom() < 0)
        return makeValidationSplit(train.labels(), train.numClasses(), fraction, seed);
    ValidationSplit split;
    for (std::int64_t i = 0; i < train.size(); ++i)
        (i < train.ownValidationFrom() ? split.train : split.validation).push_back(i);
    return split;
}

} // namespace earlybird
