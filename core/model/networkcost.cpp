#include "model/networkcost.h"

#include "base/error.h"

namespace earlybird {

OtherOps& OtherOps::operator+=(const OtherOps& other)
{
    biasAdds += other.biasAdds;
    activations += other.activations;
    poolingOps += other.poolingOps;
    additions += other.additions;
    return *this;
}

int convolutionOutputSize(int input, int kernel, int stride)
{
    return (input + 2 * (kernel / 2) - kernel) / stride + 1;
}

int poolingOutputSize(int input)
{
    return input <= 2 ? 1 : (input + 1) / 2;
}

const EnumNames<CostConvention>& enumNames(CostConvention)
{
    static const EnumNames<CostConvention> names { "cost convention",
        { { CostConvention::AllEvaluatedBranches, "all-evaluated-branches" },
            { CostConvention::TakenBranchOnly, "taken-branch-only" } } };
    return names;
}

namespace {

// Accumulates the layers of one block or branch, following the feature map's shape.
class CostBuilder {
public:
    explicit CostBuilder(ImageShape input)
        : m_shape(input)
    {
        m_cost.input = input;
    }

    ImageShape shape() const { return m_shape; }

    // Convolution + BatchNorm (+ ReLU when `activation`).
    void conv(int outChannels, int kernel, int stride, int groups, bool activation)
    {
        const int height = convolutionOutputSize(m_shape.height, kernel, stride);
        const int width = convolutionOutputSize(m_shape.width, kernel, stride);
        const std::int64_t positions = std::int64_t(height) * width;
        m_cost.macs += positions * kernel * kernel * (m_shape.channels / groups) * outChannels;
        m_cost.parameters += std::int64_t(outChannels) * (m_shape.channels / groups) * kernel * kernel;
        m_cost.parameters += 2 * std::int64_t(outChannels); // BatchNorm scale and shift
        m_shape = { outChannels, height, width };
        if (activation)
            m_cost.other.activations += positions * outChannels;
    }

    void pool2x2()
    {
        const ImageShape out { m_shape.channels, poolingOutputSize(m_shape.height), poolingOutputSize(m_shape.width) };
        m_cost.other.poolingOps += std::int64_t(out.channels) * out.height * out.width * 4;
        m_shape = out;
    }

    void add(const ImageShape& shape) { m_cost.other.additions += shape.pixelsPerImage(); }
    void activate() { m_cost.other.activations += m_shape.pixelsPerImage(); }
    void setShape(ImageShape shape) { m_shape = shape; }
    void addMacsAndParameters(std::int64_t macs, std::int64_t parameters)
    {
        m_cost.macs += macs;
        m_cost.parameters += parameters;
    }

    // Global average pooling and the linear classifier.
    void classifier(int classes)
    {
        m_cost.other.poolingOps += m_shape.pixelsPerImage();
        m_cost.macs += std::int64_t(m_shape.channels) * classes;
        m_cost.parameters += std::int64_t(m_shape.channels) * classes + classes;
        m_cost.other.biasAdds += classes;
        m_shape = { classes, 1, 1 };
    }

    LayerCost finish(std::string label)
    {
        m_cost.label = std::move(label);
        m_cost.output = m_shape;
        return m_cost;
    }

private:
    ImageShape m_shape;
    LayerCost m_cost;
};

LayerCost blockCost(const BackboneBlockSpec& block, ImageShape input)
{
    CostBuilder builder(input);
    const std::string stride = block.stride == 2 ? " /2" : "";
    switch (block.type) {
    case BlockType::Conv:
        builder.conv(block.outChannels, block.kernel, block.stride, 1, true);
        return builder.finish("conv" + std::to_string(block.kernel) + "x" + std::to_string(block.kernel) + " "
            + std::to_string(block.outChannels) + stride);
    case BlockType::Residual: {
        builder.conv(block.outChannels, 3, block.stride, 1, true);
        builder.conv(block.outChannels, 3, 1, 1, false);
        const ImageShape out = builder.shape();
        const bool reshapes = block.stride != 1 || input.channels != block.outChannels;
        if (reshapes && block.shortcut == ResidualShortcut::Projection) {
            CostBuilder shortcut(input);
            shortcut.conv(block.outChannels, 1, block.stride, 1, false);
            const LayerCost projection = shortcut.finish("projection");
            builder.addMacsAndParameters(projection.macs, projection.parameters);
        }
        builder.add(out);
        builder.activate();
        return builder.finish("residual " + std::to_string(block.outChannels) + stride
            + (reshapes ? (block.shortcut == ResidualShortcut::Pad ? " (pad)" : " (proj)") : ""));
    }
    case BlockType::InvertedResidual: {
        const int hidden = input.channels * block.expansion;
        if (block.expansion != 1)
            builder.conv(hidden, 1, 1, 1, true);
        builder.conv(hidden, block.kernel, block.stride, hidden, true);
        builder.conv(block.outChannels, 1, 1, 1, false);
        if (block.stride == 1 && input.channels == block.outChannels)
            builder.add(builder.shape());
        return builder.finish("inverted_residual k" + std::to_string(block.kernel) + " e"
            + std::to_string(block.expansion) + " " + std::to_string(block.outChannels) + stride);
    }
    case BlockType::MaxPool:
        builder.pool2x2();
        return builder.finish("maxpool 2x2");
    }
    throw ConfigError("unknown block type");
}

LayerCost branchLayerCost(const BranchLayerSpec& layer, ImageShape input)
{
    CostBuilder builder(input);
    const int out = branchLayerChannels(layer, input.channels);
    switch (layer.type) {
    case BranchLayerType::Conv3x3:
        builder.conv(out, 3, layer.stride, 1, true);
        break;
    case BranchLayerType::Conv5x5:
        builder.conv(out, 5, layer.stride, 1, true);
        break;
    case BranchLayerType::DepthwiseSeparable3x3:
    case BranchLayerType::DepthwiseSeparable5x5: {
        const int kernel = layer.type == BranchLayerType::DepthwiseSeparable3x3 ? 3 : 5;
        builder.conv(input.channels, kernel, layer.stride, input.channels, true);
        builder.conv(out, 1, 1, 1, true);
        break;
    }
    case BranchLayerType::Pointwise1x1:
        builder.conv(out, 1, layer.stride, 1, true);
        break;
    case BranchLayerType::MaxPool2x2:
    case BranchLayerType::AvgPool2x2:
        builder.pool2x2();
        break;
    }
    return builder.finish(branchLayerLabel(layer));
}

LayerCost classifierCost(ImageShape input, int classes)
{
    CostBuilder builder(input);
    builder.classifier(classes);
    return builder.finish("pool + linear " + std::to_string(classes));
}

} // namespace

std::int64_t NetworkCost::macsForExit(int exitIndex, CostConvention convention) const
{
    const ExitCost& exit = exits.at(std::size_t(exitIndex));
    return convention == CostConvention::AllEvaluatedBranches ? exit.cumulativeMacs
                                                              : exit.cumulativeMacsTakenBranchOnly;
}

std::int64_t NetworkCost::parametersForExit(int exitIndex, CostConvention convention) const
{
    const ExitCost& exit = exits.at(std::size_t(exitIndex));
    return convention == CostConvention::AllEvaluatedBranches ? exit.cumulativeParameters
                                                              : exit.cumulativeParametersTakenBranchOnly;
}

double NetworkCost::averageMacs(const std::vector<double>& samplesPerExit, CostConvention convention) const
{
    if (samplesPerExit.size() != exits.size())
        throw ConfigError("average MACs needs a count for each of the " + std::to_string(exits.size()) + " exits, got "
            + std::to_string(samplesPerExit.size()));
    double total = 0, weighted = 0;
    for (std::size_t e = 0; e < exits.size(); ++e) {
        total += samplesPerExit[e];
        weighted += samplesPerExit[e] * double(macsForExit(int(e), convention));
    }
    return total > 0 ? weighted / total : 0.0;
}

NetworkCost countNetworkCost(const Architecture& architecture)
{
    validateArchitecture(architecture, "architecture");
    const BackboneSpec& backbone = architecture.backbone;
    NetworkCost cost;
    std::vector<ImageShape> features; // output shape of each block
    std::vector<std::int64_t> prefix; // MACs of blocks 0..i
    std::vector<std::int64_t> prefixParameters;
    ImageShape shape = backbone.input;
    std::int64_t running = 0;
    for (const BackboneBlockSpec& block : backbone.blocks) {
        LayerCost layer = blockCost(block, shape);
        shape = layer.output;
        running += layer.macs;
        cost.backboneParameters += layer.parameters;
        features.push_back(shape);
        prefix.push_back(running);
        prefixParameters.push_back(cost.backboneParameters);
        cost.blocks.push_back(std::move(layer));
    }

    std::int64_t branchesSoFar = 0, branchParametersSoFar = 0;
    const auto addExit = [&](int position, bool isFinal, const std::vector<BranchLayerSpec>& layers) {
        ExitCost exit;
        exit.position = position;
        exit.isFinal = isFinal;
        ImageShape at = features[std::size_t(position)];
        for (const BranchLayerSpec& layer : layers) {
            exit.layers.push_back(branchLayerCost(layer, at));
            at = exit.layers.back().output;
        }
        exit.layers.push_back(classifierCost(at, backbone.classes));
        for (const LayerCost& layer : exit.layers) {
            exit.branchMacs += layer.macs;
            exit.branchParameters += layer.parameters;
        }
        exit.backbonePrefixMacs = prefix[std::size_t(position)];
        branchesSoFar += exit.branchMacs;
        exit.cumulativeMacs = exit.backbonePrefixMacs + branchesSoFar;
        exit.cumulativeMacsTakenBranchOnly = exit.backbonePrefixMacs + exit.branchMacs;
        exit.backbonePrefixParameters = prefixParameters[std::size_t(position)];
        branchParametersSoFar += exit.branchParameters;
        exit.cumulativeParameters = exit.backbonePrefixParameters + branchParametersSoFar;
        exit.cumulativeParametersTakenBranchOnly = exit.backbonePrefixParameters + exit.branchParameters;
        cost.exits.push_back(std::move(exit));
    };
    for (const ExitSpec& exit : architecture.exits)
        addExit(exit.position, false, exit.layers);
    addExit(int(backbone.blocks.size()) - 1, true, {});

    const ExitCost& final = cost.exits.back();
    cost.backboneMacs = final.cumulativeMacsTakenBranchOnly;
    cost.backboneParameters += final.branchParameters;
    cost.totalParameters = cost.backboneParameters;
    for (std::size_t e = 0; e + 1 < cost.exits.size(); ++e)
        cost.totalParameters += cost.exits[e].branchParameters;
    cost.allExitsMacs = final.cumulativeMacs;
    return cost;
}

} // namespace earlybird
