#include "nn/latencytable.h"

#include "base/cachefile.h"
#include "base/computethreads.h"
#include "base/error.h"
#include "base/fileio.h"
#include "model/backbonespec.h"
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
    std::snprintf(text, sizeof text, "block %s out %d k %d s %d e %d %s @ %s", nameOf(block.type).c_str(),
        block.outChannels, block.kernel, block.stride, block.expansion,
        block.shortcut == ResidualShortcut::Pad ? "pad" : "projection", shapeKey(input).c_str());
    return text;
}

std::string layerKey(const BranchLayerSpec& layer, const ImageShape& input)
{
    char text[160];
    std::snprintf(text, sizeof text, "layer %s w %g s %d @ %s", nameOf(layer.type).c_str(),
        layer.isPooling() ? 1.0 : layer.width, layer.stride, shapeKey(input).c_str());
    return text;
}

std::string classifierKey(const ImageShape& input, int classes)
{
    return "classifier " + std::to_string(classes) + " @ " + shapeKey(input);
}

} // namespace

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

} // namespace earlybird
