#include "search/searchconfig.h"

#include "base/error.h"

namespace earlybird {

const EnumNames<TargetMode>& enumNames(TargetMode)
{
    static const EnumNames<TargetMode> names { "target mode",
        { { TargetMode::Budget, "budget" }, { TargetMode::Aebnas, "aebnas" }, { TargetMode::Nachos, "nachos" } } };
    return names;
}

void validateSearchConfig(const SearchConfig& c)
{
    if (!(c.target > 0) && !(c.targetFraction > 0))
        throw ConfigError("the search needs a positive target of average " + costModelUnit(c.costModel)
            + " (or a positive fraction of the backbone's)");
    if (c.maxParameters < 0)
        throw ConfigError("the parameter limit cannot be negative");
    if (c.population < 2 || c.population > 10000)
        throw ConfigError("the population must be 2 to 10000 candidates");
    if (c.generations < 0 || c.timeBudgetSeconds < 0)
        throw ConfigError("generations and time budget cannot be negative");
    if (c.generations == 0 && c.timeBudgetSeconds == 0)
        throw ConfigError("the search needs a number of generations, a time budget, or both");
    if (c.composedPerBranch < 0 || c.composedPerBranch > 100000)
        throw ConfigError("the candidates composed per new branch must be 0 to 100000");
    if (c.screenEpochs < 0 || c.screenEpochs > 1000)
        throw ConfigError("the screening epochs must be 0 (no screening) to 1000");
    if (c.screenEpochs > 0
        && (!(c.screenSubset > 0 && c.screenSubset <= 1) || !(c.screenMargin >= 0 && c.screenMargin <= 1)
            || c.screenCompose < 0 || c.screenCompose > 10000))
        throw ConfigError("screening needs a share of the training images in (0, 1], a margin in [0, 1] and 0 to "
                          "10000 compositions");
    for (const double value : c.aebnasThresholds) {
        if (!(value >= 0 && value <= 1))
            throw ConfigError("AEBNAS threshold values lie in [0, 1]");
    }
    if (c.maxBranchMacsFraction < 0)
        throw ConfigError("the branch MAC cap cannot be negative");
    if (!(c.crossoverProbability >= 0 && c.crossoverProbability <= 1) || c.mutationRate < 0 || c.mutationRate > 1)
        throw ConfigError("crossover probability and mutation rate must lie in [0, 1]");
}

} // namespace earlybird
