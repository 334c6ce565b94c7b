#pragma once

// Elastic backbones: the family of networks a base backbone spans when its width, the depth of each stage and the
// kernel of each stage's blocks are varied (the once-for-all space of AEBNAS, EDANAS and NACHOS, over Earlybird's
// backbone JSON). A member is named by its genes, so two members with the same genes are the same network, and its
// spec is an ordinary BackboneSpec: the MAC counter, training, the cache, export and the session store take it as
// they take any backbone.

#include "model/backbonespec.h"

#include <string>
#include <vector>

namespace earlybird {

class Rng;

// A stage: blocks [first, first + count) of the base backbone. Stage 0 is the stem (the blocks before the first one
// that downsamples) and is never varied; every later stage starts at a block of stride 2 or a max-pool.
struct BackboneStage {
    int first = 0;
    int count = 0;
    bool hasKernel = false; // its first block is a convolution or an inverted residual, whose kernel may vary
};
std::vector<BackboneStage> backboneStages(const BackboneSpec& base);

// One member of a base backbone's family. Depths and kernels have one entry per stage after the stem.
struct BackboneGenes {
    double width = 1.0; // every block's output channels times this, rounded to a multiple of 4 (at least 4)
    std::vector<int> depths; // blocks per stage: the first `depth` of the stage, or more by repeating its last block
    std::vector<int> kernels; // per stage: the kernel of its convolutions and inverted residuals; 0 where it has none

    bool operator==(const BackboneGenes& other) const
    {
        return width == other.width && depths == other.depths && kernels == other.kernels;
    }
};

// What the family may vary.
struct ElasticOptions {
    std::vector<double> widths = { 0.5, 0.75, 1.0, 1.5, 2.0 };
    int extraDepth = 1; // a stage has 1 to (its base depth + extraDepth) blocks
    std::vector<int> kernels = { 3, 5, 7 };
    // The default family spans these multiples of the base backbone's MACs.
    double minMacsRatio = 0.35;
    double maxMacsRatio = 2.0;
};

// The base backbone's own genes.
BackboneGenes baseGenes(const BackboneSpec& base);
// The member with these genes, named "<base name> <label>" ("fashion-resnet w0.75 d1.2.1.1"); the base's own genes give
// the base backbone unchanged (its name included, so its cache and sessions are the base's). Throws ConfigError for
// genes that do not fit the base (wrong count, a depth below 1, a kernel on a stage without one, even kernels).
BackboneSpec familyMember(const BackboneSpec& base, const BackboneGenes& genes);
// "w0.75 d1.2.1.1 k3.5.5.3" (kernels only where a stage has one) and back. Throws ConfigError naming `source`.
std::string genesLabel(const BackboneGenes& genes);
BackboneGenes genesFromLabel(const BackboneSpec& base, const std::string& label, const std::string& source);

// `size` members of the base's family whose MACs spread evenly on a log scale over [minMacsRatio, maxMacsRatio] times
// the base's, the base always among them: each scales width and all depths together (compound scaling) with kernels
// as the base has them, the one closest to each MAC ratio with the least change from the base. Sorted by MACs. Throws
// ConfigError for a size below 1 or above what the options offer.
std::vector<BackboneGenes> defaultFamily(const BackboneSpec& base, int size, const ElasticOptions& options = {});

// Weight sharing (nn/supernet.h): a supernet is the member of `outer` genes; a member inside it takes, for each of its
// blocks, the first channels and the centre of the kernel of one of the supernet's blocks (its stem's blocks and the
// first `depth` blocks of each stage).

// The least genes that contain every one of `members`: the widest width, and per stage the deepest depth and the
// largest kernel. Throws ConfigError for an empty list.
BackboneGenes spanningGenes(const std::vector<BackboneGenes>& members);
// The least genes every one of `members` contains: the narrowest width, the shallowest depth, the smallest kernel.
BackboneGenes narrowestGenes(const std::vector<BackboneGenes>& members);
// True when a member of `genes` fits inside a supernet of `outer`: no wider, no stage deeper, no kernel larger.
bool containsGenes(const BackboneGenes& outer, const BackboneGenes& genes);
// For each block of familyMember(base, genes), the index of the block of familyMember(base, outer) it takes its
// weights from. Throws ConfigError when `outer` does not contain `genes`.
std::vector<int> sharedBlockIndices(const BackboneSpec& base, const BackboneGenes& outer, const BackboneGenes& genes);
// A random member between `low` and `high` (each of them contains it, it contains `low`): a width among the options'
// and `low`'s and `high`'s in that range, each stage's depth and kernel likewise.
BackboneGenes sampleGenes(const BackboneGenes& low, const BackboneGenes& high, const ElasticOptions& options, Rng& rng);

} // namespace earlybird
