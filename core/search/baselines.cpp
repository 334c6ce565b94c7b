#include "search/baselines.h"

#include "model/networkcost.h"

namespace earlybird {

namespace {
// Stage-end positions the published AEBNAS space uses at most.
constexpr std::size_t kAebnasPaperPositions = 4;
// The EDANAS head's filters, and the most 2x2 max-pools put in front of it (their code: kernel 1, 2 or 4).
constexpr int kEdanasFilters[3] = { 32, 64, 128 };
constexpr int kEdanasMaxPools = 2;

// MACs of a sample that leaves at the exit with `layers` at `position`, backbone prefix and branch.
std::int64_t exitMacs(const BackboneSpec& backbone, int position, const std::vector<BranchLayerSpec>& layers)
{
    const Architecture architecture { backbone, ConfidenceMeasure::ScoreMargin, { ExitSpec { position, layers, 0 } } };
    const NetworkCost cost = countNetworkCost(architecture);
    return cost.exits[0].backbonePrefixMacs + cost.exits[0].branchMacs;
}
} // namespace

const EnumNames<Baseline>& enumNames(Baseline)
{
    static const EnumNames<Baseline> names { "baseline",
        { { Baseline::Backbone, "backbone" }, { Baseline::Edanas, "edanas" }, { Baseline::Nachos, "nachos" },
            { Baseline::AebnasPaper, "aebnas-paper" } } };
    return names;
}

std::vector<int> stageEndPositions(const BackboneSpec& backbone)
{
    std::vector<int> positions;
    const int last = backbone.exitPositions() - 1;
    for (int p = 0; p <= last; ++p) {
        if (backbone.blocks[std::size_t(p + 1)].stride == 2 || p == last)
            positions.push_back(p);
    }
    return positions;
}

std::vector<ExitSpec> edanasHeads(const BackboneSpec& backbone, const std::vector<int>& positions)
{
    const NetworkCost plain = countNetworkCost(Architecture { backbone, ConfidenceMeasure::ScoreMargin, {} });
    std::vector<ExitSpec> heads(positions.size());
    // From the last exit back: each is compared with the one after it, as built.
    std::int64_t nextMacs = plain.backboneMacs;
    for (std::size_t i = positions.size(); i-- > 0;) {
        const int position = positions[i];
        const int channels = plain.blocks[std::size_t(position)].output.channels;
        // Widths are relative to a layer's input: 32 / C, then 64 / 32, then 128 / 64.
        const std::vector<BranchLayerSpec> convolutions { { BranchLayerType::Conv3x3,
                                                              double(kEdanasFilters[0]) / channels, 1 },
            { BranchLayerType::Conv3x3, double(kEdanasFilters[1]) / kEdanasFilters[0], 1 },
            { BranchLayerType::Conv3x3, double(kEdanasFilters[2]) / kEdanasFilters[1], 1 } };
        std::vector<BranchLayerSpec> layers = convolutions;
        for (int pools = 1; pools <= kEdanasMaxPools && exitMacs(backbone, position, layers) >= nextMacs; ++pools)
            layers.insert(layers.begin(), BranchLayerSpec { BranchLayerType::MaxPool2x2, 1.0, 2 });
        heads[i] = ExitSpec { position, layers, 0 };
        nextMacs = exitMacs(backbone, position, layers);
    }
    return heads;
}

SearchConfig baselineConfig(const SearchConfig& base, Baseline baseline)
{
    SearchConfig c = base;
    c.name = "baseline-" + nameOf(baseline);
    c.maxBranchMacsFraction = 0; // the published spaces have no such cap
    c.composedPerBranch = 0; // nor a composer: every candidate is proposed by the search itself
    std::vector<int> ends = stageEndPositions(base.experiment.backbone);
    switch (baseline) {
    case Baseline::Backbone:
        // Random samples with no exits are all the backbone alone: evaluated once, then nothing is new (evolving
        // would add exits by mutation).
        c.space.exitProbability = 0;
        c.randomOnly = true;
        break;
    case Baseline::Edanas:
    case Baseline::Nachos:
        c.space.fixedBranches = edanasHeads(base.experiment.backbone, ends);
        c.space.allowedPositions = ends;
        c.space.minDepth = c.space.maxDepth = 0;
        if (baseline == Baseline::Edanas) {
            c.mode = TargetMode::Aebnas;
            c.aebnasGridStep = 0.1;
        } else {
            c.mode = TargetMode::Nachos;
        }
        break;
    case Baseline::AebnasPaper:
        if (ends.size() > kAebnasPaperPositions)
            ends.erase(ends.begin(), ends.end() - std::ptrdiff_t(kAebnasPaperPositions));
        c.space.allowedPositions = ends;
        c.space.minDepth = 1;
        c.space.maxDepth = 2;
        c.space.layerTypes = { BranchLayerType::Conv3x3 };
        c.space.widths = { 0.5, 1.0, 2.0 };
        c.space.strides = { 1, 2 };
        c.mode = TargetMode::Aebnas;
        c.aebnasThresholds = { 0.1, 0.2, 1.0 }; // the published code's threshold choices
        break;
    }
    return c;
}

} // namespace earlybird
