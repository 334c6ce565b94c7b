#pragma once

// THE MAC CONVENTION — the one place Earlybird defines it (shown in the README and the GUI too).
//
// One multiply-accumulate (MAC) is one fused multiply-add.
//   convolution   MACs = H_out * W_out * K_h * K_w * (C_in / groups) * C_out   (depthwise: groups = C_in)
//   linear        MACs = in_features * out_features
//   BatchNorm     0 MACs: folded into the preceding convolution at inference
// Reported apart, never inside MACs: bias additions, activations (ReLU), pooling operations (max or average,
// including the global average pooling of every classifier) and element-wise additions (residual shortcuts).
// Parameters are counted as a training framework holds them: weights, biases and BatchNorm's scale and shift.
//
// Average MACs of a set of samples = mean over samples of what the network really computed for the sample: the
// backbone up to the exit it took plus every exit branch it evaluated on the way, i.e. the branches of all exits at
// or before the one it took (CostConvention::AllEvaluatedBranches; AEBNAS counts this way). EDANAS and NACHOS leave
// the branches of exits not taken out; CostConvention::TakenBranchOnly reproduces theirs for comparison.

#include "model/architecture.h"

#include <cstdint>
#include <string>
#include <vector>

namespace earlybird {

// Work that is not a MAC, counted apart so that nothing is hidden.
struct OtherOps {
    std::int64_t biasAdds = 0;
    std::int64_t activations = 0;
    std::int64_t poolingOps = 0; // one per input element read by a pooling window
    std::int64_t additions = 0; // residual shortcuts

    OtherOps& operator+=(const OtherOps& other);
};

// The cost of one backbone block, branch layer or classifier.
struct LayerCost {
    std::string label; // e.g. "residual 32 /2", "dwsep3x3 x1"
    ImageShape input;
    ImageShape output;
    std::int64_t macs = 0;
    std::int64_t parameters = 0;
    OtherOps other;
};

struct ExitCost {
    int position = 0; // backbone block after which the exit sits; the final exit sits after the last block
    bool isFinal = false;
    std::vector<LayerCost> layers; // branch layers, then the classifier (global pooling + linear)
    std::int64_t branchMacs = 0; // this exit's own branch and classifier
    std::int64_t branchParameters = 0;
    std::int64_t backbonePrefixMacs = 0; // backbone blocks 0 .. position
    // What a sample leaving here cost: the backbone prefix plus the branches of every exit at or before this one.
    std::int64_t cumulativeMacs = 0;
    // The same without the branches of earlier exits (EDANAS/NACHOS convention).
    std::int64_t cumulativeMacsTakenBranchOnly = 0;
    // Parameters a sample leaving here was computed with (weights read), under the same two conventions.
    std::int64_t backbonePrefixParameters = 0;
    std::int64_t cumulativeParameters = 0;
    std::int64_t cumulativeParametersTakenBranchOnly = 0;
};

enum class CostConvention { AllEvaluatedBranches, TakenBranchOnly };
const EnumNames<CostConvention>& enumNames(CostConvention); // "all-evaluated-branches", "taken-branch-only"

struct NetworkCost {
    std::vector<LayerCost> blocks; // backbone blocks in order
    std::vector<ExitCost> exits; // early exits in order, then the final exit
    std::int64_t backboneMacs = 0; // every block plus the final classifier: the network without early exits
    std::int64_t backboneParameters = 0;
    std::int64_t totalParameters = 0; // backbone plus every branch
    // Running every exit on every sample (what training's forward does).
    std::int64_t allExitsMacs = 0;

    // Cost of a sample that left at exit `exitIndex` (0-based, final = exits.size() - 1).
    std::int64_t macsForExit(int exitIndex, CostConvention convention) const;
    // Parameters used by a sample that left at exit `exitIndex`: the backbone blocks it passed, the branches it ran.
    std::int64_t parametersForExit(int exitIndex, CostConvention convention) const;
    // Mean cost over samples, given the number (or fraction) of samples leaving at each exit.
    double averageMacs(const std::vector<double>& samplesPerExit, CostConvention convention) const;
};

// Counts the whole network analytically from shapes; throws ConfigError for an invalid architecture.
NetworkCost countNetworkCost(const Architecture& architecture);

// Spatial size after a convolution (padding k / 2) or after 2x2 pooling with stride 2 (ceil mode, so a 1x1 map stays
// 1x1 and every branch stays valid however deep the exit).
int convolutionOutputSize(int input, int kernel, int stride);
int poolingOutputSize(int input);

} // namespace earlybird
