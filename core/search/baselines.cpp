#include "search/baselines.h"

namespace earlybird {

namespace {
// Stage-end positions the published AEBNAS space uses at most.
constexpr std::size_t kAebnasPaperPositions = 4;
} // namespace

const EnumNames<Baseline>& enumNames(Baseline)
{
    static const EnumNames<Baseline> names { "baseline",
        { { Baseline::Backbone, "backbone" }, { Baseline::Edanas, "edanas" },
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
        c.space.allowedPositions = ends;
        c.space.minDepth = c.space.maxDepth = 1;
        c.space.layerTypes = { BranchLayerType::Conv3x3 };
        c.space.widths = { 1.0 };
        c.space.strides = { 1 };
        c.mode = TargetMode::Aebnas;
        c.aebnasGridStep = 0.1;
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
        c.aebnasGridStep = 0.1;
        break;
    }
    return c;
}

} // namespace earlybird
