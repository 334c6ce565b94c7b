#include "export/pythonmodule.h"

#include "model/networkcost.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <type_traits>

namespace earlybird {

namespace {

// The parts of the module that do not depend on the network. Kept in step with nn/modules.cpp: every operation is
// the one the LibTorch network runs, in the same order, so the logits agree to rounding and the exits taken agree.
constexpr const char* kHelpers = R"PY(

def confidence(logits, measure=CONFIDENCE, temperature=1.0):
    """How sure an exit is of each row of logits [N, K], in [0, 1], the logits divided by the exit's temperature."""
    z = logits.float()
    if temperature != 1.0:
        z = z / temperature
    p = torch.softmax(z, dim=1)
    if measure == "score_margin":  # top-1 minus top-2 probability
        top = torch.topk(p, 2, dim=1).values
        return top[:, 0] - top[:, 1]
    if measure == "max_softmax":  # top-1 probability
        return p.max(dim=1).values
    if measure == "entropy":  # one minus the entropy over its largest value
        h = -(p * torch.log(p.clamp_min(1e-12))).sum(dim=1)
        return (1.0 - h / math.log(logits.shape[1])).clamp(0.0, 1.0)
    raise ValueError("unknown confidence measure: %r" % (measure,))


def preprocess(images):
    """uint8 images [N, C, H, W] as published (0-255) -> the normalised float input the network takes."""
    x = images.float() / 255.0
    if MEAN:
        x = (x - torch.tensor(MEAN).view(1, -1, 1, 1)) / torch.tensor(STD).view(1, -1, 1, 1)
    return x


class ConvBn(nn.Module):
    """Convolution (no bias, padding kernel // 2), BatchNorm, then ReLU unless relu=False. Initialised as PyTorch's
    nn.Conv2d is, so the module trains as it is (load() replaces the weights with trained ones)."""

    def __init__(self, c_in, c_out, kernel, stride=1, groups=1, relu=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(c_out, c_in // groups, kernel, kernel))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        self.bn = nn.BatchNorm2d(c_out)
        self.stride, self.padding, self.groups, self.relu = stride, kernel // 2, groups, relu

    def forward(self, x):
        x = self.bn(F.conv2d(x, self.weight, None, self.stride, self.padding, 1, self.groups))
        return F.relu(x) if self.relu else x


class ConvBlock(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride):
        super().__init__()
        self.conv0 = ConvBn(c_in, c_out, kernel, stride)

    def forward(self, x):
        return self.conv0(x)


class ResidualBlock(nn.Module):
    """ResNet basic block: two 3x3 convolutions around a shortcut. When the shape changes, the shortcut is a 1x1
    convolution with BatchNorm ("projection") or the strided input with zero channels added ("pad")."""

    def __init__(self, c_in, c_out, stride, shortcut):
        super().__init__()
        self.conv0 = ConvBn(c_in, c_out, 3, stride)
        self.conv1 = ConvBn(c_out, c_out, 3, relu=False)
        self.reshapes = stride != 1 or c_in != c_out
        self.projection = None
        if self.reshapes and shortcut == "projection":
            self.projection = ConvBn(c_in, c_out, 1, stride, relu=False)
        self.stride, self.extra = stride, c_out - c_in

    def forward(self, x):
        y = self.conv1(self.conv0(x))
        shortcut = x
        if self.reshapes:
            if self.projection is not None:
                shortcut = self.projection(x)
            else:
                if self.stride != 1:
                    shortcut = shortcut[:, :, :: self.stride, :: self.stride]
                shortcut = F.pad(shortcut, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return F.relu(y + shortcut)


class InvertedResidualBlock(nn.Module):
    """MobileNetV2 block: 1x1 expansion (when expansion > 1), depthwise kxk, 1x1 projection; the input is added when
    the shape is kept."""

    def __init__(self, c_in, c_out, kernel, stride, expansion):
        super().__init__()
        hidden = c_in * expansion
        convs = [ConvBn(c_in, hidden, 1)] if expansion != 1 else []
        convs += [ConvBn(hidden, hidden, kernel, stride, groups=hidden), ConvBn(hidden, c_out, 1, relu=False)]
        for i, conv in enumerate(convs):
            self.add_module("conv%d" % i, conv)
        self.depth = len(convs)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x):
        y = x
        for i in range(self.depth):
            y = getattr(self, "conv%d" % i)(y)
        return y + x if self.residual else y


class MaxPoolBlock(nn.Module):
    """2x2 max pooling, stride 2 (ceil mode: a 1x1 map stays 1x1)."""

    def forward(self, x):
        return F.max_pool2d(x, 2, 2, 0, 1, ceil_mode=True)


class BranchLayer(nn.Module):
    """One layer of an exit branch: conv3x3, conv5x5, pw1x1 (convolution, BatchNorm, ReLU), dwsep3x3, dwsep5x5
    (depthwise then pointwise, each with BatchNorm and ReLU), maxpool2x2 or avgpool2x2."""

    KERNELS = {"conv3x3": 3, "conv5x5": 5, "pw1x1": 1, "dwsep3x3": 3, "dwsep5x5": 5}

    def __init__(self, kind, c_in, c_out, stride=2):
        super().__init__()
        self.kind = kind
        if kind.startswith("dwsep"):
            self.conv0 = ConvBn(c_in, c_in, self.KERNELS[kind], stride, groups=c_in)
            self.conv1 = ConvBn(c_in, c_out, 1)
        elif kind in self.KERNELS:
            self.conv0 = ConvBn(c_in, c_out, self.KERNELS[kind], stride)
        elif kind not in ("maxpool2x2", "avgpool2x2"):
            raise ValueError("unknown branch layer: %r" % (kind,))

    def forward(self, x):
        if self.kind == "maxpool2x2":
            return F.max_pool2d(x, 2, 2, 0, 1, ceil_mode=True)
        if self.kind == "avgpool2x2":
            return F.avg_pool2d(x, 2, 2, 0, ceil_mode=True, count_include_pad=False)
        x = self.conv0(x)
        return self.conv1(x) if self.kind.startswith("dwsep") else x


class ExitHead(nn.Module):
    """An exit: its branch layers, global average pooling and a linear classifier on `channels` inputs."""

    def __init__(self, channels, classes, layers=()):
        super().__init__()
        for i, layer in enumerate(layers):
            self.add_module("layer%d" % i, layer)
        self.depth = len(layers)
        # As PyTorch's nn.Linear initialises itself.
        self.classifier_weight = nn.Parameter(torch.empty(classes, channels))
        nn.init.kaiming_uniform_(self.classifier_weight, a=math.sqrt(5))
        bound = 1.0 / math.sqrt(channels)
        self.classifier_bias = nn.Parameter(torch.empty(classes).uniform_(-bound, bound))

    def forward(self, x):
        for i in range(self.depth):
            x = getattr(self, "layer%d" % i)(x)
        return F.linear(x.mean((2, 3)), self.classifier_weight, self.classifier_bias)
)PY";

constexpr const char* kNetworkMethods = R"PY(
    def forward(self, x):
        """Every exit's logits [N, classes] for every sample: the early exits in order, then the final one."""
        logits = []
        for k in range(len(THRESHOLDS) + 1):
            x, out = self.segment(k, x)
            logits.append(out)
        return tuple(logits)

    @torch.no_grad()
    def infer(self, x, thresholds=None):
        """Early-exit inference as a device runs it: each sample leaves at the first exit whose confidence is >= that
        exit's threshold (the final exit takes the rest); later segments run only on the samples still going.
        Returns (predictions, exit taken, confidence there), one per sample."""
        thresholds = THRESHOLDS if thresholds is None else [float(t) for t in thresholds]
        if len(thresholds) != len(THRESHOLDS):
            raise ValueError("%d thresholds needed, got %d" % (len(THRESHOLDS), len(thresholds)))
        n = x.shape[0]
        predictions = torch.full((n,), -1, dtype=torch.long)
        taken = torch.full((n,), -1, dtype=torch.long)
        confidences = torch.zeros(n)
        remaining = torch.arange(n)
        for k in range(len(thresholds) + 1):
            x, logits = self.segment(k, x)
            c = confidence(logits, temperature=TEMPERATURES[k] if k < len(TEMPERATURES) else 1.0)
            leave = c >= thresholds[k] if k < len(thresholds) else torch.ones_like(c, dtype=torch.bool)
            who = remaining[leave]
            predictions[who] = logits.argmax(dim=1)[leave]
            taken[who] = k
            confidences[who] = c[leave]
            keep = ~leave
            if not bool(keep.any()):
                break
            remaining, x = remaining[keep], x[keep]
        return predictions, taken, confidences

    @classmethod
    def load(cls, weights):
        """The network with the weights file Earlybird exported, in eval mode."""
        net = cls()
        net.load_state_dict(torch.load(weights, map_location="cpu"))
        return net.eval()


class Segment(nn.Module):
    """Segment k alone, as a device runs it: from its input (the image for segment 0, else the features segment k - 1
    passed on) to exit k's logits and, for every segment but the last, the features the next one starts from."""

    def __init__(self, net, k):
        super().__init__()
        self.net, self.k = net, k

    def forward(self, x):
        features, logits = self.net.segment(self.k, x)
        return logits if features is None else (logits, features)


def export_onnx(net, path, opset=10):
    """One ONNX graph with every exit's logits as outputs ("logits0", ...): the host applies the thresholds."""
    names = ["logits%d" % k for k in range(len(THRESHOLDS) + 1)]
    torch.onnx.export(net, torch.zeros(1, *INPUT_SHAPE), path, input_names=["input"], output_names=names,
                      dynamic_axes={name: {0: "batch"} for name in ["input"] + names}, opset_version=opset)


def export_onnx_segments(net, folder, opset=10):
    """One ONNX graph per segment (segment0.onnx, ...), so that a device stops early for real. Segment k takes
    "input" (k = 0) or "features<k-1>" and gives "logits<k>" and, but for the last, "features<k>"."""
    os.makedirs(folder, exist_ok=True)
    x = torch.zeros(1, *INPUT_SHAPE)
    paths = []
    for k in range(len(THRESHOLDS) + 1):
        inputs = ["input" if k == 0 else "features%d" % (k - 1)]
        outputs = ["logits%d" % k] + (["features%d" % k] if k < len(THRESHOLDS) else [])
        path = os.path.join(folder, "segment%d.onnx" % k)
        # In eval mode: torch.onnx.export puts a module back in the mode it found it in, and a new Segment is in
        # training mode, which would leave the network's BatchNorm layers training for the features passed on.
        torch.onnx.export(Segment(net, k).eval(), x, path, input_names=inputs, output_names=outputs,
                          dynamic_axes={name: {0: "batch"} for name in inputs + outputs}, opset_version=opset)
        paths.append(path)
        with torch.no_grad():
            x = net.segment(k, x)[0]
    return paths


def check(net, samples, tolerance=1e-4):
    """Compares the network with Earlybird's reference samples (a file of `earlybird-cli export --format samples`):
    every exit's logits, the exit taken and the prediction. Returns a report; report["ok"] says if all agree."""
    ref = torch.load(samples, map_location="cpu")
    x = ref["inputs"]
    with torch.no_grad():
        logits = net(x)
    differences = [float((out - ref["logits%d" % k]).abs().max()) for k, out in enumerate(logits)]
    predictions, taken, _ = net.infer(x, ref["thresholds"].tolist())
    report = {
        "samples": int(x.shape[0]),
        "max_abs_logit_difference": differences,
        "same_exit": int((taken == ref["exit"]).sum()),
        "same_prediction": int((predictions == ref["prediction"]).sum()),
        "preprocess_max_abs_difference": float((preprocess(ref["images"]) - x).abs().max()),
    }
    report["ok"] = (max(differences) <= tolerance and report["same_exit"] == report["samples"]
                    and report["same_prediction"] == report["samples"])
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description="An early-exit network exported by Earlybird (" + SOURCE + ").")
    parser.add_argument("--weights", required=True, help="the weights file Earlybird exported")
    parser.add_argument("--check", metavar="SAMPLES", help="compare with Earlybird's reference samples")
    parser.add_argument("--onnx", metavar="FILE", help="write one ONNX graph with every exit's logits")
    parser.add_argument("--onnx-segments", metavar="DIR", help="write one ONNX graph per segment into DIR")
    # Opset 10 keeps a padded shortcut's pads an attribute: OpenCV 4.6 reads no Pad whose pads are computed (11+).
    parser.add_argument("--opset", type=int, default=10, help="ONNX opset (default: 10)")
    args = parser.parse_args(argv)
    net = EarlyExitNet.load(args.weights)
    ok = True
    if args.check:
        report = check(net, args.check)
        print(json.dumps(report))
        ok = report["ok"]
    if args.onnx:
        export_onnx(net, args.onnx, args.opset)
    if args.onnx_segments:
        export_onnx_segments(net, args.onnx_segments, args.opset)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
)PY";

std::string listOf(const std::vector<std::string>& items)
{
    std::string text = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
        text += (i ? ", " : "") + items[i];
    return text + "]";
}

// Shortest decimal that reads back as the same double.
std::string number(double value)
{
    char buffer[32];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
        if (std::strtod(buffer, nullptr) == value)
            break;
    }
    std::string text = buffer;
    if (text.find_first_of(".eEn") == std::string::npos)
        text += ".0";
    return text;
}

template <typename T>
std::string numbers(const std::vector<T>& values)
{
    std::vector<std::string> items;
    for (const T value : values) {
        if constexpr (std::is_integral_v<T>)
            items.push_back(std::to_string(value));
        else
            items.push_back(number(double(value)));
    }
    return listOf(items);
}

std::string blockLine(const BackboneBlockSpec& block, int inChannels)
{
    const std::string in = std::to_string(inChannels);
    const std::string out = std::to_string(block.outChannels);
    switch (block.type) {
    case BlockType::Conv:
        return "ConvBlock(" + in + ", " + out + ", kernel=" + std::to_string(block.kernel)
            + ", stride=" + std::to_string(block.stride) + ")";
    case BlockType::Residual:
        return "ResidualBlock(" + in + ", " + out + ", stride=" + std::to_string(block.stride) + ", shortcut="
            + pythonStringLiteral(block.shortcut == ResidualShortcut::Projection ? "projection" : "pad") + ")";
    case BlockType::InvertedResidual:
        return "InvertedResidualBlock(" + in + ", " + out + ", kernel=" + std::to_string(block.kernel)
            + ", stride=" + std::to_string(block.stride) + ", expansion=" + std::to_string(block.expansion) + ")";
    case BlockType::MaxPool:
        return "MaxPoolBlock()";
    }
    return {};
}

} // namespace

std::string pythonStringLiteral(const std::string& text)
{
    std::string out = "\"";
    char buffer[16];
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        // Decode one UTF-8 sequence; a malformed one becomes U+FFFD.
        std::uint32_t code = 0xfffd;
        std::size_t length = 1;
        if (c < 0x80) {
            code = c;
        } else {
            const int extra = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
            std::uint32_t value = c & (0x3fu >> extra);
            bool valid = extra > 0 && i + std::size_t(extra) < text.size();
            for (int k = 1; k <= extra && valid; ++k) {
                const unsigned char next = static_cast<unsigned char>(text[i + std::size_t(k)]);
                valid = (next & 0xc0) == 0x80;
                value = (value << 6) | (next & 0x3f);
            }
            const std::uint32_t smallest[] = { 0, 0x80, 0x800, 0x10000 };
            if (valid && value >= smallest[extra] && value <= 0x10ffff && (value < 0xd800 || value > 0xdfff)) {
                code = value;
                length = std::size_t(extra) + 1;
            }
        }
        i += length;
        if (code == '"' || code == '\\') {
            out += '\\';
            out += char(code);
        } else if (code >= 0x20 && code < 0x7f) {
            out += char(code);
        } else if (code < 0x100) {
            std::snprintf(buffer, sizeof buffer, "\\x%02x", unsigned(code));
            out += buffer;
        } else if (code < 0x10000) {
            std::snprintf(buffer, sizeof buffer, "\\u%04x", unsigned(code));
            out += buffer;
        } else {
            std::snprintf(buffer, sizeof buffer, "\\U%08x", unsigned(code));
            out += buffer;
        }
    }
    return out + "\"";
}

std::string pythonModuleSource(const ExportedNetwork& network)
{
    const Architecture& architecture = network.architecture;
    validateArchitecture(architecture, "export");
    const NetworkCost cost = countNetworkCost(architecture);
    const BackboneSpec& backbone = architecture.backbone;
    const int early = int(architecture.exits.size());

    std::vector<std::string> classNames;
    for (const std::string& name : network.classNames)
        classNames.push_back(pythonStringLiteral(name));
    std::vector<std::int64_t> exitMacs;
    std::vector<int> positions;
    std::vector<double> temperatures;
    for (const ExitSpec& exit : architecture.exits) {
        positions.push_back(exit.position);
        temperatures.push_back(exit.temperature);
    }
    for (int e = 0; e < architecture.exitCount(); ++e)
        exitMacs.push_back(cost.macsForExit(e, network.convention));

    std::ostringstream py;
    py << "# An early-exit network exported by Earlybird. Generated code: self-contained, it needs only PyTorch.\n"
          "#\n"
          "#   python3 THIS.py --weights WEIGHTS.pt --check SAMPLES.pt   compare with Earlybird's reference samples\n"
          "#   python3 THIS.py --weights WEIGHTS.pt --onnx net.onnx      one ONNX graph, every exit's logits out\n"
          "#   python3 THIS.py --weights WEIGHTS.pt --onnx-segments DIR  one ONNX graph per segment (stop early)\n"
          "#\n"
          "# In Python: net = EarlyExitNet.load(\"WEIGHTS.pt\"); predictions, exits, confidences = "
          "net.infer(preprocess(images))\n"
          "\n"
          "import argparse\n"
          "import json\n"
          "import math\n"
          "import os\n"
          "import sys\n"
          "\n"
          "import torch\n"
          "import torch.nn as nn\n"
          "import torch.nn.functional as F\n"
          "\n"
          "# Where this network comes from (text only).\n"
          "SOURCE = "
       << pythonStringLiteral(network.source.empty() ? "an architecture" : network.source)
       << "\n"
          "DATASET = "
       << pythonStringLiteral(network.dataset) << "\nCLASS_NAMES = " << listOf(classNames)
       << "\n"
          "# Channels, height and width of an input image.\n"
          "INPUT_SHAPE = ("
       << backbone.input.channels << ", " << backbone.input.height << ", " << backbone.input.width
       << ")\n"
          "# Inputs are normalised per channel as (pixel / 255 - MEAN[c]) / STD[c] (see preprocess); empty: as they "
          "come.\n"
          "MEAN = "
       << numbers(network.normalisation.mean) << "\nSTD = " << numbers(network.normalisation.std)
       << "\n"
          "# The exit rule: a sample leaves at the first early exit whose confidence is >= its threshold.\n"
          "CONFIDENCE = "
       << pythonStringLiteral(nameOf(architecture.confidence))
       << "\nTHRESHOLDS = " << numbers(exitThresholds(architecture))
       << "\n"
          "# Each early exit's logits are divided by its temperature before its confidence is measured (calibration; "
          "1: "
          "as they are).\n"
          "TEMPERATURES = "
       << numbers(temperatures)
       << "\n"
          "# Backbone block after which each early exit sits.\n"
          "EXIT_POSITIONS = "
       << numbers(positions)
       << "\n"
          "# MACs a sample costs when it leaves at each exit (early exits, then the final one), counted as Earlybird "
          "counts\n# them ("
       << nameOf(network.convention) << ").\nEXIT_MACS = " << numbers(exitMacs) << "\n";
    py << kHelpers;

    py << "\n\nclass EarlyExitNet(nn.Module):\n"
          "    \"\"\"The backbone's blocks (block0, ...), the early exits (exit0, ...) and the final exit "
          "(final).\"\"\"\n"
          "\n"
          "    def __init__(self):\n"
          "        super().__init__()\n";
    int channels = backbone.input.channels;
    for (std::size_t b = 0; b < backbone.blocks.size(); ++b) {
        py << "        self.block" << b << " = " << blockLine(backbone.blocks[b], channels) << "\n";
        channels = cost.blocks[b].output.channels;
    }
    for (int e = 0; e < early; ++e) {
        const ExitSpec& exit = architecture.exits[std::size_t(e)];
        int c = cost.blocks[std::size_t(exit.position)].output.channels;
        std::vector<std::string> layers;
        for (const BranchLayerSpec& layer : exit.layers) {
            const int out = branchLayerChannels(layer, c);
            layers.push_back("BranchLayer(" + pythonStringLiteral(nameOf(layer.type)) + ", " + std::to_string(c) + ", "
                + std::to_string(out) + ", stride=" + std::to_string(layer.stride) + ")");
            c = out;
        }
        py << "        self.exit" << e << " = ExitHead(" << c << ", " << backbone.classes;
        if (!layers.empty()) {
            py << ", [\n";
            for (const std::string& layer : layers)
                py << "            " << layer << ",\n";
            py << "        ]";
        }
        py << ")\n";
    }
    py << "        self.final = ExitHead(" << channels << ", " << backbone.classes << ")\n";

    py << "\n    def segment(self, k, x):\n"
          "        \"\"\"Segment k: the blocks after exit k - 1 up to exit k, then exit k's head. Returns (features, "
          "logits);\n        the last segment (the final exit) returns no features.\"\"\"\n";
    int block = 0;
    for (int e = 0; e <= early; ++e) {
        const bool last = e == early;
        const int until = last ? int(backbone.blocks.size()) - 1 : architecture.exits[std::size_t(e)].position;
        py << "        if k == " << e << ":\n";
        for (; block <= until; ++block)
            py << "            x = self.block" << block << "(x)\n";
        if (last)
            py << "            return None, self.final(x)\n";
        else
            py << "            return x, self.exit" << e << "(x)\n";
    }
    py << "        raise IndexError(\"segment %d of " << early + 1 << "\" % k)\n";
    py << kNetworkMethods;
    return py.str();
}

} // namespace earlybird
