#include "search/searchspace.h"

#include "base/error.h"
#include "base/rng.h"
#include "model/networkcost.h"

#include <algorithm>
#include <cmath>

namespace earlybird {

namespace {
// Offsets inside a position group.
constexpr int kExitGene = 0;
constexpr int kThresholdGene = 1;
constexpr int kFirstLayerGene = 2;
constexpr int kGenesPerLayer = 3;
// Tries to make a mutation that changes something before giving up (a space with a single point cannot change).
constexpr int kMutationAttempts = 64;
} // namespace

SearchSpace::SearchSpace(std::vector<BackboneSpec> backbones, SearchSpaceOptions options)
    : m_backbones(std::move(backbones))
    , m_options(std::move(options))
{
    if (m_backbones.empty())
        throw ConfigError("a search space needs at least one backbone");
    if (m_options.maxDepth < 0 || m_options.maxDepth > kMaxBranchDepth || m_options.minDepth < 0
        || m_options.minDepth > m_options.maxDepth)
        throw ConfigError("branch depths must satisfy 0 <= minimum <= maximum <= " + std::to_string(kMaxBranchDepth));
    if (m_options.layerTypes.empty() || m_options.widths.empty() || m_options.strides.empty()
        || m_options.measures.empty())
        throw ConfigError("a search space needs at least one layer type, width, stride and confidence measure");
    if (m_options.thresholdLevels < 2)
        throw ConfigError("a search space needs at least two threshold levels");
    for (const int stride : m_options.strides) {
        if (stride != 1 && stride != 2)
            throw ConfigError("branch strides are 1 or 2");
    }
    for (const double width : m_options.widths) {
        if (!(width > 0 && width <= 8))
            throw ConfigError("branch widths must be above 0 and at most 8");
    }
    for (const BackboneSpec& backbone : m_backbones) {
        validateBackbone(backbone, "search space");
        m_maxPositions = std::max(m_maxPositions, backbone.exitPositions());
    }
    if (!m_options.fixedBranches.empty()) {
        if (m_options.maxDepth != 0 || m_options.minDepth != 0)
            throw ConfigError("search space: fixed branches need branch depths of 0 (the genes switch them on or off)");
        m_options.allowedPositions.clear();
        for (const ExitSpec& fixed : m_options.fixedBranches) {
            if (std::find(m_options.allowedPositions.begin(), m_options.allowedPositions.end(), fixed.position)
                != m_options.allowedPositions.end())
                throw ConfigError("search space: two fixed branches at position " + std::to_string(fixed.position));
            m_options.allowedPositions.push_back(fixed.position);
        }
    }
    for (const int position : m_options.allowedPositions) {
        if (position < 0 || position >= m_maxPositions)
            throw ConfigError("search space: allowed position " + std::to_string(position) + " does not exist");
    }
    m_cardinality = { int(m_backbones.size()), int(m_options.measures.size()) };
    for (int p = 0; p < m_maxPositions; ++p) {
        m_cardinality.push_back(m_options.maxDepth + 2);
        m_cardinality.push_back(m_options.thresholdLevels);
        for (int l = 0; l < m_options.maxDepth; ++l) {
            m_cardinality.push_back(int(m_options.layerTypes.size()));
            m_cardinality.push_back(int(m_options.widths.size()));
            m_cardinality.push_back(int(m_options.strides.size()));
        }
    }
}

int SearchSpace::positionsOf(int backboneIndex) const
{
    return m_backbones[std::size_t(backboneIndex)].exitPositions();
}

bool SearchSpace::positionAllowed(int backboneIndex, int position) const
{
    if (position >= positionsOf(backboneIndex))
        return false;
    const std::vector<int>& allowed = m_options.allowedPositions;
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), position) != allowed.end();
}

Genome SearchSpace::canonical(Genome genome) const
{
    if (int(genome.size()) != genomeLength())
        throw ConfigError("genome has " + std::to_string(genome.size()) + " genes, this search space "
            + std::to_string(genomeLength()));
    for (int i = 0; i < genomeLength(); ++i) {
        if (genome[std::size_t(i)] < 0 || genome[std::size_t(i)] >= m_cardinality[std::size_t(i)])
            throw ConfigError("gene " + std::to_string(i) + " is " + std::to_string(genome[std::size_t(i)])
                + ", outside 0.." + std::to_string(m_cardinality[std::size_t(i)] - 1));
    }
    const int backbone = genome[0];
    for (int p = 0; p < m_maxPositions; ++p) {
        int* g = genome.data() + group(p);
        if (!positionAllowed(backbone, p))
            g[kExitGene] = 0;
        if (g[kExitGene] == 0) {
            std::fill(g, g + genesPerPosition(), 0);
            continue;
        }
        if (g[kExitGene] - 1 < m_options.minDepth)
            g[kExitGene] = 1 + m_options.minDepth;
        const int depth = g[kExitGene] - 1;
        for (int l = 0; l < m_options.maxDepth; ++l) {
            int* layer = g + kFirstLayerGene + l * kGenesPerLayer;
            if (l >= depth) {
                std::fill(layer, layer + kGenesPerLayer, 0);
                continue;
            }
            const BranchLayerSpec probe { m_options.layerTypes[std::size_t(layer[0])], 1.0, 1 };
            if (probe.isPooling()) {
                layer[1] = 0;
                layer[2] = 0;
            }
        }
    }
    return genome;
}

bool SearchSpace::isCanonical(const Genome& genome) const
{
    try {
        return canonical(genome) == genome;
    } catch (const ConfigError&) {
        return false;
    }
}

Genome SearchSpace::sample(Rng& rng) const
{
    Genome genome(std::size_t(genomeLength()), 0);
    genome[0] = int(rng.below(std::uint64_t(m_cardinality[0])));
    genome[1] = int(rng.below(std::uint64_t(m_cardinality[1])));
    for (int p = 0; p < m_maxPositions; ++p) {
        if (!positionAllowed(genome[0], p) || rng.uniform() >= m_options.exitProbability)
            continue;
        const int start = group(p);
        for (int i = start; i < start + genesPerPosition(); ++i)
            genome[std::size_t(i)] = int(rng.below(std::uint64_t(m_cardinality[std::size_t(i)])));
        genome[std::size_t(start + kExitGene)]
            = 1 + m_options.minDepth + int(rng.below(std::uint64_t(m_options.maxDepth - m_options.minDepth + 1)));
    }
    return canonical(genome);
}

Architecture SearchSpace::decode(const Genome& raw) const
{
    const Genome genome = canonical(raw);
    Architecture architecture;
    architecture.backbone = m_backbones[std::size_t(genome[0])];
    architecture.confidence = m_options.measures[std::size_t(genome[1])];
    for (int p = 0; p < m_maxPositions; ++p) {
        const int* g = genome.data() + group(p);
        if (g[kExitGene] == 0)
            continue;
        ExitSpec exit;
        exit.position = p;
        exit.threshold = double(g[kThresholdGene]) / double(m_options.thresholdLevels - 1);
        if (const ExitSpec* fixed = fixedBranchAt(p))
            exit.layers = fixed->layers;
        for (int l = 0; l < g[kExitGene] - 1; ++l) {
            const int* layer = g + kFirstLayerGene + l * kGenesPerLayer;
            BranchLayerSpec spec;
            spec.type = m_options.layerTypes[std::size_t(layer[0])];
            if (spec.isPooling()) {
                spec.width = 1.0;
                spec.stride = 2;
            } else {
                spec.width = m_options.widths[std::size_t(layer[1])];
                spec.stride = m_options.strides[std::size_t(layer[2])];
            }
            exit.layers.push_back(spec);
        }
        architecture.exits.push_back(exit);
    }
    return architecture;
}

Genome SearchSpace::encode(const Architecture& architecture) const
{
    Genome genome(std::size_t(genomeLength()), 0);
    const auto backbone = std::find(m_backbones.begin(), m_backbones.end(), architecture.backbone);
    if (backbone == m_backbones.end())
        throw ConfigError("backbone '" + architecture.backbone.name + "' is not in this search space");
    genome[0] = int(backbone - m_backbones.begin());
    const auto measure = std::find(m_options.measures.begin(), m_options.measures.end(), architecture.confidence);
    if (measure == m_options.measures.end())
        throw ConfigError("confidence measure " + nameOf(architecture.confidence) + " is not in this search space");
    genome[1] = int(measure - m_options.measures.begin());
    for (const ExitSpec& exit : architecture.exits) {
        const std::string at = "exit at position " + std::to_string(exit.position);
        if (exit.position < 0 || !positionAllowed(genome[0], exit.position))
            throw ConfigError(at + ": position not in this search space");
        if (const ExitSpec* fixed = fixedBranchAt(exit.position)) {
            if (!(exit.layers == fixed->layers))
                throw ConfigError(at + ": not this search space's fixed branch there");
            int* g = genome.data() + group(exit.position);
            g[kExitGene] = 1;
            g[kThresholdGene]
                = int(std::lround(std::clamp(exit.threshold, 0.0, 1.0) * (m_options.thresholdLevels - 1)));
            continue;
        }
        if (int(exit.layers.size()) > m_options.maxDepth || int(exit.layers.size()) < m_options.minDepth)
            throw ConfigError(at + ": depth outside this search space's " + std::to_string(m_options.minDepth) + " to "
                + std::to_string(m_options.maxDepth) + " layers");
        int* g = genome.data() + group(exit.position);
        g[kExitGene] = 1 + int(exit.layers.size());
        g[kThresholdGene] = int(std::lround(std::clamp(exit.threshold, 0.0, 1.0) * (m_options.thresholdLevels - 1)));
        for (std::size_t l = 0; l < exit.layers.size(); ++l) {
            const BranchLayerSpec& layer = exit.layers[l];
            int* slot = g + kFirstLayerGene + int(l) * kGenesPerLayer;
            const auto type = std::find(m_options.layerTypes.begin(), m_options.layerTypes.end(), layer.type);
            if (type == m_options.layerTypes.end())
                throw ConfigError(at + ": layer type " + nameOf(layer.type) + " not in this search space");
            slot[0] = int(type - m_options.layerTypes.begin());
            if (layer.isPooling())
                continue;
            const auto width = std::find_if(m_options.widths.begin(), m_options.widths.end(),
                [&](double w) { return std::abs(w - layer.width) < 1e-9; });
            const auto stride = std::find(m_options.strides.begin(), m_options.strides.end(), layer.stride);
            if (width == m_options.widths.end() || stride == m_options.strides.end())
                throw ConfigError(at + ": width or stride not in this search space");
            slot[1] = int(width - m_options.widths.begin());
            slot[2] = int(stride - m_options.strides.begin());
        }
    }
    return canonical(genome);
}

Genome SearchSpace::mutate(const Genome& genome, Rng& rng, double rate) const
{
    const Genome parent = canonical(genome);
    for (int attempt = 0; attempt < kMutationAttempts; ++attempt) {
        Genome child = parent;
        for (int i = 0; i < genomeLength(); ++i) {
            if (rng.uniform() >= rate || m_cardinality[std::size_t(i)] < 2)
                continue;
            const bool isExitGene = i >= 2 && (i - 2) % genesPerPosition() == kExitGene;
            int& gene = child[std::size_t(i)];
            if (isExitGene && gene != 0 && rng.coin()) {
                gene = 0; // removing an exit is as likely as reshaping it
            } else if (isExitGene && gene == 0) {
                gene = 1 + m_options.minDepth
                    + int(rng.below(std::uint64_t(m_options.maxDepth - m_options.minDepth + 1)));
                // A new exit gets fresh random layers and threshold rather than the zeros it held.
                const int start = i;
                for (int j = start + 1; j < start + genesPerPosition(); ++j)
                    child[std::size_t(j)] = int(rng.below(std::uint64_t(m_cardinality[std::size_t(j)])));
            } else {
                // Any other value of the gene, uniformly.
                const int other = int(rng.below(std::uint64_t(m_cardinality[std::size_t(i)] - 1)));
                gene = other >= gene ? other + 1 : other;
            }
        }
        child = canonical(child);
        if (child != parent)
            return child;
        // Nothing that mattered changed: force a change next time by doubling the odds.
        rate = std::min(1.0, rate * 2 + 1.0 / genomeLength());
    }
    return parent;
}

std::pair<Genome, Genome> SearchSpace::crossover(const Genome& a, const Genome& b, Rng& rng) const
{
    Genome first = canonical(a);
    Genome second = canonical(b);
    for (int i = 0; i < 2; ++i) {
        if (rng.coin())
            std::swap(first[std::size_t(i)], second[std::size_t(i)]);
    }
    for (int p = 0; p < m_maxPositions; ++p) {
        if (!rng.coin())
            continue;
        const int start = group(p);
        std::swap_ranges(first.begin() + start, first.begin() + start + genesPerPosition(), second.begin() + start);
    }
    return { canonical(first), canonical(second) };
}

std::string SearchSpace::structureKey(const Genome& raw) const
{
    Genome genome = canonical(raw);
    for (int p = 0; p < m_maxPositions; ++p)
        genome[std::size_t(group(p) + kThresholdGene)] = 0;
    std::string key;
    for (const int gene : genome)
        key += std::to_string(gene) + ".";
    return key;
}

const ExitSpec* SearchSpace::fixedBranchAt(int position) const
{
    for (const ExitSpec& fixed : m_options.fixedBranches) {
        if (fixed.position == position)
            return &fixed;
    }
    return nullptr;
}

std::optional<CheapestNetwork> cheapestNetwork(const SearchSpace& space, CostModel model, CostConvention convention)
{
    const SearchSpaceOptions& options = space.options();
    std::optional<CheapestNetwork> cheapest;
    for (const ExitSpec& fixed : options.fixedBranches) {
        if (fixed.position >= space.backbones().front().exitPositions())
            continue;
        const Architecture architecture { space.backbones().front(), options.measures.front(),
            { ExitSpec { fixed.position, fixed.layers, 0.0 } } };
        const double cost = exitCostsOf(model, countNetworkCost(architecture), convention)[0];
        if (!cheapest || cost < cheapest->cost)
            cheapest = CheapestNetwork { cost, fixed.position };
    }
    if (!options.fixedBranches.empty())
        return cheapest;
    for (int p = 0; p < space.maxPositions(); ++p) {
        for (const BranchLayerType type : options.layerTypes) {
            BranchLayerSpec layer { type, *std::min_element(options.widths.begin(), options.widths.end()),
                *std::max_element(options.strides.begin(), options.strides.end()) };
            if (layer.isPooling())
                layer = BranchLayerSpec { type, 1.0, 2 };
            const Architecture architecture { space.backbones().front(), options.measures.front(),
                { ExitSpec { p, std::vector<BranchLayerSpec>(std::size_t(options.minDepth), layer), 0.0 } } };
            try {
                space.encode(architecture);
            } catch (const ConfigError&) {
                continue; // not in this space
            }
            const double cost = exitCostsOf(model, countNetworkCost(architecture), convention)[0];
            if (!cheapest || cost < cheapest->cost)
                cheapest = CheapestNetwork { cost, p };
            if (options.minDepth == 0)
                break; // no layers: every type gives the same branch
        }
    }
    return cheapest;
}

} // namespace earlybird
