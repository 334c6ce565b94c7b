#pragma once

#include "model/architecture.h"
#include "model/costmodel.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace earlybird {

class Rng;

// A candidate as the search sees it: a fixed-length vector of integers, each within its gene's domain.
using Genome = std::vector<int>;

// What the search may choose. The defaults are the widened AEBNAS space: an exit at any block boundary, branches
// of 0-3 heterogeneous layers (all seven types, widths x0.5/x1/x2, strides 1/2), thresholds in steps of 0.05.
struct SearchSpaceOptions {
    std::vector<int> allowedPositions; // empty: every early-exit position of the backbone
    int minDepth = 0;
    int maxDepth = kMaxBranchDepth;
    std::vector<BranchLayerType> layerTypes = { BranchLayerType::Conv3x3, BranchLayerType::Conv5x5,
        BranchLayerType::DepthwiseSeparable3x3, BranchLayerType::DepthwiseSeparable5x5, BranchLayerType::Pointwise1x1,
        BranchLayerType::MaxPool2x2, BranchLayerType::AvgPool2x2 };
    std::vector<double> widths = { 0.5, 1.0, 2.0 };
    std::vector<int> strides = { 1, 2 };
    int thresholdLevels = 21; // threshold = level / (levels - 1)
    std::vector<ConfidenceMeasure> measures = { ConfidenceMeasure::ScoreMargin };
    double exitProbability = 0.35; // chance that a position gets an exit in a random sample
    // If not empty: the only branches of this space, one per position (the allowed positions are theirs), each
    // switched on or off by its exit gene; depths must then be 0 (the published EDANAS and NACHOS heads are fixed).
    std::vector<ExitSpec> fixedBranches;
};

// The genome of early-exit networks on a list of backbones. Layout:
//   [0] backbone index   [1] confidence measure index
//   then for each position p < maxPositions, a group of 2 + 3 * maxDepth genes:
//   exit (0 = none, 1 + d = a branch of depth d), threshold level, and (layer type, width index, stride index) per
//   layer slot. Genes that do not matter (a slot beyond the depth, the width of a pooling layer, everything of an
//   absent exit) are held at 0, so equal networks have equal genomes and duplicates are recognised.
class SearchSpace {
public:
    // Throws ConfigError for an empty backbone list or impossible options.
    SearchSpace(std::vector<BackboneSpec> backbones, SearchSpaceOptions options = {});

    int genomeLength() const { return int(m_cardinality.size()); }
    int maxPositions() const { return m_maxPositions; }
    int genesPerPosition() const { return 2 + 3 * m_options.maxDepth; }
    // The number of values of each gene: gene i takes values 0 .. cardinality(i) - 1.
    const std::vector<int>& cardinalities() const { return m_cardinality; }
    const SearchSpaceOptions& options() const { return m_options; }
    const std::vector<BackboneSpec>& backbones() const { return m_backbones; }

    Genome sample(Rng& rng) const;
    // Any vector of the right length with genes in their domains becomes the canonical genome of the same network.
    // Throws ConfigError for a wrong length or a gene out of its domain.
    Genome canonical(Genome genome) const;
    bool isCanonical(const Genome& genome) const;

    Architecture decode(const Genome& genome) const;
    // The fixed branch at `position` (SearchSpaceOptions::fixedBranches), or null.
    const ExitSpec* fixedBranchAt(int position) const;
    // Throws ConfigError if the architecture lies outside this space (another backbone, a width not offered, ...).
    // Thresholds are rounded to the nearest level.
    Genome encode(const Architecture& architecture) const;

    // Changes each gene with probability `rate` (at least one change is made); the child is canonical.
    Genome mutate(const Genome& genome, Rng& rng, double rate) const;
    // Uniform crossover of whole position groups, so each branch is inherited intact; children are canonical.
    std::pair<Genome, Genome> crossover(const Genome& a, const Genome& b, Rng& rng) const;

    // A text key of the genome without its thresholds: candidates that differ only in thresholds share trained
    // branches and differ only in exit policy.
    std::string structureKey(const Genome& genome) const;

private:
    int positionsOf(int backboneIndex) const;
    bool positionAllowed(int backboneIndex, int position) const;
    int group(int position) const { return 2 + position * genesPerPosition(); }

    std::vector<BackboneSpec> m_backbones;
    SearchSpaceOptions m_options;
    int m_maxPositions = 0;
    std::vector<int> m_cardinality;
};

// The cheapest network of a space's first backbone in an analytic cost model (MACs or parameters): every sample
// leaving at its first exit, a branch of the fewest layers the space allows, each the cheapest layer offered. Its cost
// and the position of its exit; none when the space offers no exit.
struct CheapestNetwork {
    double cost = 0;
    int position = 0;
};
std::optional<CheapestNetwork> cheapestNetwork(const SearchSpace& space, CostModel model, CostConvention convention);

} // namespace earlybird
