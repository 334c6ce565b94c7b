#include "model/backbonefamily.h"

#include "base/error.h"
#include "base/rng.h"
#include "model/architecture.h"
#include "model/networkcost.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace earlybird {

namespace {

constexpr int kMaxStageDepth = 16;
constexpr int kMaxFamilyKernel = 11;

bool downsamples(const BackboneBlockSpec& block)
{
    return block.type == BlockType::MaxPool || block.stride == 2;
}

bool hasKernel(const BackboneBlockSpec& block)
{
    return block.type == BlockType::Conv || block.type == BlockType::InvertedResidual;
}

int scaledChannels(int channels, double width)
{
    const double scaled = channels * width;
    if (scaled < 4)
        return std::max(1, int(std::lround(scaled)));
    return std::max(4, int(std::lround(scaled / 4)) * 4);
}

// The deepest a stage may be: a stage ending in a max-pool cannot repeat it (each would halve the map again).
int maxDepth(const BackboneSpec& base, const BackboneStage& stage, int extraDepth)
{
    const BackboneBlockSpec& last = base.blocks[std::size_t(stage.first + stage.count - 1)];
    return last.type == BlockType::MaxPool ? stage.count : std::min(kMaxStageDepth, stage.count + extraDepth);
}

std::string formatWidth(double width)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", width);
    return text;
}

double macsOf(const BackboneSpec& backbone)
{
    return double(countNetworkCost(Architecture { backbone, ConfidenceMeasure::ScoreMargin, {} }).backboneMacs);
}

} // namespace

std::vector<BackboneStage> backboneStages(const BackboneSpec& base)
{
    std::vector<BackboneStage> stages;
    for (int i = 0; i < int(base.blocks.size()); ++i) {
        const BackboneBlockSpec& block = base.blocks[std::size_t(i)];
        if (stages.empty() || (downsamples(block) && i > 0))
            stages.push_back(BackboneStage { i, 0, false });
        stages.back().count += 1;
        stages.back().hasKernel = stages.back().hasKernel || hasKernel(block);
    }
    return stages;
}

BackboneGenes baseGenes(const BackboneSpec& base)
{
    BackboneGenes genes;
    const std::vector<BackboneStage> stages = backboneStages(base);
    for (std::size_t s = 1; s < stages.size(); ++s) {
        genes.depths.push_back(stages[s].count);
        int kernel = 0;
        for (int b = stages[s].first; b < stages[s].first + stages[s].count && kernel == 0; ++b)
            if (hasKernel(base.blocks[std::size_t(b)]))
                kernel = base.blocks[std::size_t(b)].kernel;
        genes.kernels.push_back(kernel);
    }
    return genes;
}

BackboneSpec familyMember(const BackboneSpec& base, const BackboneGenes& genes)
{
    const std::vector<BackboneStage> stages = backboneStages(base);
    const std::string where = "backbone '" + base.name + "', member " + genesLabel(genes);
    const std::size_t elastic = stages.empty() ? 0 : stages.size() - 1;
    if (!(genes.width > 0 && genes.width <= 8))
        throw ConfigError(where + ": the width multiplier must be in (0, 8]");
    if (genes.depths.size() != elastic || genes.kernels.size() != elastic)
        throw ConfigError(where + ": the backbone has " + std::to_string(elastic)
            + " stages after its stem, so a member needs that many depths and kernels");
    if (genes == baseGenes(base))
        return base;
    BackboneSpec member = base;
    member.name = base.name + " " + genesLabel(genes);
    member.blocks.assign(base.blocks.begin(), base.blocks.begin() + (stages.empty() ? 0 : stages[0].count));
    for (std::size_t s = 1; s < stages.size(); ++s) {
        const BackboneStage& stage = stages[s];
        const int depth = genes.depths[s - 1];
        const int kernel = genes.kernels[s - 1];
        const std::string at = where + ", stage " + std::to_string(s);
        if (depth < 1 || depth > maxDepth(base, stage, kMaxStageDepth))
            throw ConfigError(at + ": depth " + std::to_string(depth) + " is outside 1 to "
                + std::to_string(maxDepth(base, stage, kMaxStageDepth)));
        if (stage.hasKernel != (kernel != 0))
            throw ConfigError(at + (stage.hasKernel ? ": needs a kernel size" : ": has no kernel to choose (give 0)"));
        if (kernel != 0 && (kernel < 1 || kernel > kMaxFamilyKernel || kernel % 2 == 0))
            throw ConfigError(at + ": a kernel must be odd, 1 to " + std::to_string(kMaxFamilyKernel));
        for (int b = 0; b < depth; ++b) {
            BackboneBlockSpec block = base.blocks[std::size_t(stage.first + std::min(b, stage.count - 1))];
            if (b >= stage.count)
                block.stride = 1; // a repeated block keeps the map's size
            if (hasKernel(block))
                block.kernel = kernel;
            member.blocks.push_back(block);
        }
    }
    for (BackboneBlockSpec& block : member.blocks)
        if (block.type != BlockType::MaxPool)
            block.outChannels = scaledChannels(block.outChannels, genes.width);
    validateBackbone(member, where);
    return member;
}

std::string genesLabel(const BackboneGenes& genes)
{
    std::string label = "w" + formatWidth(genes.width);
    if (!genes.depths.empty()) {
        label += " d";
        for (std::size_t i = 0; i < genes.depths.size(); ++i)
            label += (i ? "." : "") + std::to_string(genes.depths[i]);
    }
    if (std::any_of(genes.kernels.begin(), genes.kernels.end(), [](int k) { return k != 0; })) {
        label += " k";
        for (std::size_t i = 0; i < genes.kernels.size(); ++i)
            label += (i ? "." : "") + (genes.kernels[i] ? std::to_string(genes.kernels[i]) : std::string("-"));
    }
    return label;
}

BackboneGenes genesFromLabel(const BackboneSpec& base, const std::string& label, const std::string& source)
{
    const std::string where = source + ": backbone member '" + label + "'";
    BackboneGenes genes = baseGenes(base);
    std::istringstream words(label);
    std::string word;
    bool any = false;
    const auto numbers = [&](const std::string& text, std::vector<int>& into) {
        std::vector<int> values;
        std::istringstream parts(text);
        std::string part;
        while (std::getline(parts, part, '.')) {
            if (part == "-") {
                values.push_back(0);
                continue;
            }
            if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 3)
                throw ConfigError(where + ": '" + text + "' is not numbers separated by dots");
            values.push_back(std::stoi(part));
        }
        if (values.size() != into.size())
            throw ConfigError(where + ": '" + text + "' gives " + std::to_string(values.size())
                + " values; the backbone has " + std::to_string(into.size()) + " stages after its stem");
        into = values;
    };
    while (words >> word) {
        any = true;
        const std::string rest = word.substr(1);
        if (word[0] == 'w') {
            char* end = nullptr;
            genes.width = std::strtod(rest.c_str(), &end);
            if (rest.empty() || *end != '\0')
                throw ConfigError(where + ": '" + word + "' is not a width such as w0.75");
        } else if (word[0] == 'd') {
            numbers(rest, genes.depths);
        } else if (word[0] == 'k') {
            numbers(rest, genes.kernels);
        } else {
            throw ConfigError(where + ": '" + word + "' is none of w<width>, d<depths>, k<kernels>");
        }
    }
    if (!any)
        throw ConfigError(where + ": empty; a member reads like 'w0.75 d1.2.2'");
    familyMember(base, genes); // validates
    return genes;
}

std::vector<BackboneGenes> defaultFamily(const BackboneSpec& base, int size, const ElasticOptions& options)
{
    if (size < 1)
        throw ConfigError("a backbone family needs at least one member");
    const std::vector<BackboneStage> stages = backboneStages(base);
    const BackboneGenes own = baseGenes(base);
    const double baseMacs = macsOf(base);
    struct Option {
        BackboneGenes genes;
        double logRatio = 0;
        double change = 0;
    };
    std::vector<Option> offered;
    for (const double width : options.widths)
        for (int delta = -1; delta <= options.extraDepth; ++delta) {
            BackboneGenes genes = own;
            genes.width = width;
            for (std::size_t s = 1; s < stages.size(); ++s)
                genes.depths[s - 1]
                    = std::clamp(stages[s].count + delta, 1, maxDepth(base, stages[s], options.extraDepth));
            if (std::any_of(offered.begin(), offered.end(), [&](const Option& o) { return o.genes == genes; }))
                continue;
            const double ratio = macsOf(familyMember(base, genes)) / baseMacs;
            offered.push_back(Option { genes, std::log(ratio), std::abs(std::log2(width)) + std::abs(delta) });
        }
    if (std::none_of(offered.begin(), offered.end(), [&](const Option& o) { return o.genes == own; }))
        offered.push_back(Option { own, 0, 0 });
    if (size > int(offered.size()))
        throw ConfigError("backbone '" + base.name + "': its family offers " + std::to_string(offered.size())
            + " members, fewer than the " + std::to_string(size) + " asked for");
    std::vector<double> targets;
    const double low = std::log(options.minMacsRatio), high = std::log(options.maxMacsRatio);
    for (int i = 0; i < size; ++i)
        targets.push_back(size == 1 ? 0.0 : low + (high - low) * i / (size - 1));
    // The target nearest the base's own MACs is the base.
    const auto nearestToBase = std::min_element(
        targets.begin(), targets.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
    targets.erase(nearestToBase);
    std::vector<BackboneGenes> family { own };
    std::vector<bool> used(offered.size(), false);
    for (std::size_t i = 0; i < offered.size(); ++i)
        used[i] = offered[i].genes == own;
    for (const double target : targets) {
        double best = std::numeric_limits<double>::infinity();
        std::size_t pick = 0;
        for (std::size_t i = 0; i < offered.size(); ++i) {
            const double score = std::abs(offered[i].logRatio - target) + 0.05 * offered[i].change;
            if (!used[i] && score < best) {
                best = score;
                pick = i;
            }
        }
        used[pick] = true;
        family.push_back(offered[pick].genes);
    }
    std::vector<std::pair<double, BackboneGenes>> byMacs;
    for (const BackboneGenes& genes : family)
        byMacs.emplace_back(macsOf(familyMember(base, genes)), genes);
    std::stable_sort(byMacs.begin(), byMacs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    family.clear();
    for (auto& [macs, genes] : byMacs)
        family.push_back(std::move(genes));
    return family;
}

BackboneGenes spanningGenes(const std::vector<BackboneGenes>& members)
{
    if (members.empty())
        throw ConfigError("a supernet needs at least one member to span");
    BackboneGenes outer = members.front();
    for (const BackboneGenes& genes : members) {
        if (genes.depths.size() != outer.depths.size() || genes.kernels.size() != outer.kernels.size())
            throw ConfigError("the members " + genesLabel(outer) + " and " + genesLabel(genes)
                + " are not of one backbone (different numbers of stages)");
        outer.width = std::max(outer.width, genes.width);
        for (std::size_t s = 0; s < genes.depths.size(); ++s) {
            outer.depths[s] = std::max(outer.depths[s], genes.depths[s]);
            outer.kernels[s] = std::max(outer.kernels[s], genes.kernels[s]);
        }
    }
    return outer;
}

BackboneGenes narrowestGenes(const std::vector<BackboneGenes>& members)
{
    if (members.empty())
        throw ConfigError("a supernet needs at least one member to span");
    BackboneGenes inner = spanningGenes(members); // checks the shapes
    for (const BackboneGenes& genes : members) {
        inner.width = std::min(inner.width, genes.width);
        for (std::size_t s = 0; s < genes.depths.size(); ++s) {
            inner.depths[s] = std::min(inner.depths[s], genes.depths[s]);
            inner.kernels[s] = std::min(inner.kernels[s], genes.kernels[s]);
        }
    }
    return inner;
}

bool containsGenes(const BackboneGenes& outer, const BackboneGenes& genes)
{
    if (genes.depths.size() != outer.depths.size() || genes.kernels.size() != outer.kernels.size()
        || genes.width > outer.width)
        return false;
    for (std::size_t s = 0; s < genes.depths.size(); ++s)
        if (genes.depths[s] > outer.depths[s] || genes.kernels[s] > outer.kernels[s])
            return false;
    return true;
}

std::vector<int> sharedBlockIndices(const BackboneSpec& base, const BackboneGenes& outer, const BackboneGenes& genes)
{
    if (!containsGenes(outer, genes))
        throw ConfigError("backbone '" + base.name + "': the member " + genesLabel(genes)
            + " does not fit inside the supernet " + genesLabel(outer));
    const std::vector<BackboneStage> stages = backboneStages(base);
    std::vector<int> indices;
    const int stem = stages.empty() ? 0 : stages[0].count;
    for (int b = 0; b < stem; ++b)
        indices.push_back(b);
    int first = stem;
    for (std::size_t s = 1; s < stages.size(); ++s) {
        for (int b = 0; b < genes.depths[s - 1]; ++b)
            indices.push_back(first + b);
        first += outer.depths[s - 1];
    }
    return indices;
}

BackboneGenes sampleGenes(const BackboneGenes& low, const BackboneGenes& high, const ElasticOptions& options, Rng& rng)
{
    std::vector<double> widths { low.width, high.width };
    for (const double w : options.widths)
        if (w > low.width && w < high.width)
            widths.push_back(w);
    BackboneGenes genes = low;
    genes.width = widths[std::size_t(rng.below(widths.size()))];
    for (std::size_t s = 0; s < genes.depths.size(); ++s) {
        genes.depths[s] = int(rng.between(low.depths[s], high.depths[s]));
        std::vector<int> kernels { low.kernels[s], high.kernels[s] };
        for (const int k : options.kernels)
            if (k > low.kernels[s] && k < high.kernels[s])
                kernels.push_back(k);
        genes.kernels[s] = kernels[std::size_t(rng.below(kernels.size()))];
    }
    return genes;
}

} // namespace earlybird
