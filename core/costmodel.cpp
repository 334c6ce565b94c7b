#include "costmodel.h"

#include "backbonespec.h"
#include "cachefile.h"
#include "computethreads.h"
#include "error.h"
#include "fileio.h"
#include "nn/latencymeter.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>

namespace earlybird {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kTableFormat = "earlybird-latency-table";
constexpr int kTableVersion = 1;

std::string cpuModel()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0) {
            const std::size_t colon = line.find(':');
            if (colon != std::string::npos)
                return line.substr(line.find_first_not_of(' ', colon + 1));
        }
    }
    return "unknown CPU";
}

std::string shapeKey(const ImageShape& shape)
{
    return std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" + std::to_string(shape.width);
}

std::string blockKey(const BackboneBlockSpec& block, const ImageShape& input)
{
    char text[160];
    std::snprintf(text, sizeof text, "block %s out %d k %d s %d e %d %s @ %s", blockTypeName(block.type).c_str(),
        block.outChannels, block.kernel, block.stride, block.expansion,
        block.shortcut == ResidualShortcut::Pad ? "pad" : "projection", shapeKey(input).c_str());
    return text;
}

std::string layerKey(const BranchLayerSpec& layer, const ImageShape& input)
{
    char text[160];
    std::snprintf(text, sizeof text, "layer %s w %g s %d @ %s", branchLayerTypeName(layer.type).c_str(),
        layer.isPooling() ? 1.0 : layer.width, layer.stride, shapeKey(input).c_str());
    return text;
}

std::string classifierKey(const ImageShape& input, int classes)
{
    return "classifier " + std::to_string(classes) + " @ " + shapeKey(input);
}

} // namespace

std::string costModelName(CostModel model)
{
    switch (model) {
    case CostModel::Macs:
        return "macs";
    case CostModel::Latency:
        return "latency";
    case CostModel::Parameters:
        return "parameters";
    }
    return "macs";
}

std::vector<std::string> costModelNames()
{
    return { "macs", "latency", "parameters" };
}

CostModel costModelFromName(const std::string& name)
{
    if (name == "macs")
        return CostModel::Macs;
    if (name == "latency")
        return CostModel::Latency;
    if (name == "parameters" || name == "params")
        return CostModel::Parameters;
    throw ConfigError("unknown cost model '" + name + "' (macs, latency or parameters)");
}

std::string costModelUnit(CostModel model)
{
    switch (model) {
    case CostModel::Macs:
        return "MACs";
    case CostModel::Latency:
        return "us";
    case CostModel::Parameters:
        return "parameters";
    }
    return "MACs";
}

std::string formatCost(CostModel model, double value)
{
    char text[64];
    if (model == CostModel::Latency) {
        if (value >= 1000)
            std::snprintf(text, sizeof text, "%.2f ms", value / 1000);
        else
            std::snprintf(text, sizeof text, "%.0f us", value);
        return text;
    }
    const double magnitude = std::abs(value);
    if (magnitude >= 1e9)
        std::snprintf(text, sizeof text, "%.2f G", value / 1e9);
    else if (magnitude >= 1e6)
        std::snprintf(text, sizeof text, "%.2f M", value / 1e6);
    else if (magnitude >= 1e3)
        std::snprintf(text, sizeof text, "%.1f k", value / 1e3);
    else
        std::snprintf(text, sizeof text, "%.0f", value);
    return std::string(text) + " " + costModelUnit(model);
}

double NetworkLatency::microsForExit(int exitIndex, CostConvention convention) const
{
    const std::size_t e = std::size_t(exitIndex);
    double micros = 0;
    for (int b = 0; b <= exitPositions.at(e); ++b)
        micros += blocks[std::size_t(b)];
    if (convention == CostConvention::TakenBranchOnly)
        return micros + exitHeads[e];
    for (std::size_t k = 0; k <= e; ++k)
        micros += exitHeads[k];
    return micros;
}

std::string LatencyTable::machineDescription()
{
    return cpuModel() + ", " + std::to_string(machineCores()) + " cores, " + std::to_string(computeThreads())
        + " LibTorch threads, " + nn::torchVersion();
}

std::string LatencyTable::fileFor(const std::string& cacheDirectory)
{
    return cacheDirectory + "/latency-" + hexKey(hashString(machineDescription())) + ".json";
}

LatencyTable::LatencyTable(std::string file)
    : m_file(std::move(file))
    , m_machine(machineDescription())
{
    if (!fileExists(m_file))
        return;
    try {
        const std::vector<std::uint8_t> bytes = readFileBytes(m_file);
        const Json j = Json::parse(bytes.begin(), bytes.end());
        if (j.value("format", std::string()) != kTableFormat || j.value("version", 0) != kTableVersion)
            throw ConfigError("not a latency table of this Earlybird version");
        if (j.at("machine").get<std::string>() != m_machine)
            throw ConfigError("measured on " + j.at("machine").get<std::string>());
        for (const auto& [key, value] : j.at("micros").items()) {
            const double micros = value.get<double>();
            if (!(micros > 0) || !std::isfinite(micros))
                throw ConfigError("entry '" + key + "' is not a positive time");
            m_micros[key] = micros;
        }
    } catch (const std::exception& error) {
        m_micros.clear();
        m_problem = m_file + ": " + error.what() + "; the parts will be timed again";
    }
}

int LatencyTable::size() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return int(m_micros.size());
}

int LatencyTable::measuredSinceLoad() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_measured;
}

double LatencyTable::lookupOrMeasure(const std::string& key, const std::function<double()>& measure)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto found = m_micros.find(key);
        if (found != m_micros.end())
            return found->second;
    }
    // Timed outside the lock; two threads timing the same part keep the first figure.
    const double micros = std::max(1e-3, measure());
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto [it, inserted] = m_micros.emplace(key, micros);
    if (inserted) {
        ++m_measured;
        m_dirty = true;
    }
    return it->second;
}

NetworkLatency LatencyTable::latencyOf(const Architecture& architecture, const std::atomic<bool>* cancel)
{
    const NetworkCost cost = countNetworkCost(architecture);
    const auto checkCancel = [cancel] {
        if (cancel && cancel->load())
            throw CancelledError();
    };
    NetworkLatency latency;
    for (std::size_t b = 0; b < cost.blocks.size(); ++b) {
        checkCancel();
        const BackboneBlockSpec& block = architecture.backbone.blocks[b];
        const ImageShape input = cost.blocks[b].input;
        latency.blocks.push_back(
            lookupOrMeasure(blockKey(block, input), [&] { return nn::timeBlockMicros(block, input); }));
    }
    for (std::size_t e = 0; e < cost.exits.size(); ++e) {
        const ExitCost& exit = cost.exits[e];
        const std::vector<BranchLayerSpec> none;
        const std::vector<BranchLayerSpec>& layers = exit.isFinal ? none : architecture.exits[e].layers;
        double micros = 0;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            checkCancel();
            const ImageShape input = exit.layers[l].input;
            micros += lookupOrMeasure(
                layerKey(layers[l], input), [&] { return nn::timeBranchLayerMicros(layers[l], input); });
        }
        checkCancel();
        const ImageShape input = exit.layers.back().input;
        const int classes = architecture.backbone.classes;
        micros
            += lookupOrMeasure(classifierKey(input, classes), [&] { return nn::timeClassifierMicros(input, classes); });
        latency.exitHeads.push_back(micros);
        latency.exitPositions.push_back(exit.position);
    }
    for (const double block : latency.blocks)
        latency.backboneMicros += block;
    latency.backboneMicros += latency.exitHeads.back();
    return latency;
}

void LatencyTable::save()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_dirty)
        return;
    Json micros = Json::object();
    for (const auto& [key, value] : m_micros)
        micros[key] = value;
    const Json j { { "format", kTableFormat }, { "version", kTableVersion }, { "machine", m_machine },
        { "micros", micros } };
    const std::size_t slash = m_file.rfind('/');
    if (slash != std::string::npos && slash > 0)
        makeDirectories(m_file.substr(0, slash));
    writeFileAtomically(m_file, j.dump(1) + "\n");
    m_dirty = false;
}

std::vector<double> exitCostsOf(
    CostModel model, const NetworkCost& cost, CostConvention convention, const NetworkLatency* latency)
{
    std::vector<double> costs;
    for (std::size_t e = 0; e < cost.exits.size(); ++e) {
        switch (model) {
        case CostModel::Macs:
            costs.push_back(double(cost.macsForExit(int(e), convention)));
            break;
        case CostModel::Parameters:
            costs.push_back(double(cost.parametersForExit(int(e), convention)));
            break;
        case CostModel::Latency:
            if (!latency || latency->exitHeads.size() != cost.exits.size())
                throw ConfigError("the latency cost model needs the architecture's measured latencies");
            costs.push_back(latency->microsForExit(int(e), convention));
            break;
        }
    }
    return costs;
}

} // namespace earlybird
