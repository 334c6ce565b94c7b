#include "argumentparser.h"
#include "commands.h"

#include "base/cachefile.h"
#include "base/rng.h"
#include "model/architecture.h"
#include "model/backbonepresets.h"
#include "model/costmodel.h"
#include "model/networkcost.h"
#include "nn/latencytable.h"
#include "search/searchspace.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>

namespace earlybird::cli {

namespace {

nlohmann::ordered_json shapeJson(const ImageShape& shape)
{
    return { shape.channels, shape.height, shape.width };
}

nlohmann::ordered_json layerJson(const LayerCost& layer)
{
    return { { "layer", layer.label }, { "input", shapeJson(layer.input) }, { "output", shapeJson(layer.output) },
        { "macs", layer.macs }, { "parameters", layer.parameters },
        { "other_ops",
            { { "bias_adds", layer.other.biasAdds }, { "activations", layer.other.activations },
                { "pooling", layer.other.poolingOps }, { "additions", layer.other.additions } } } };
}

} // namespace

int runMacs(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli macs ARCH.json|PRESET",
        "Counts an early-exit network's cost analytically and prints JSON: MACs and parameters per backbone block,\n"
        "per exit {position, branch MACs, cumulative MACs if taken}, and the whole network's figures.\n"
        "Convention: one MAC = one fused multiply-add; conv = H_out*W_out*Kh*Kw*(C_in/groups)*C_out; linear = in*out;\n"
        "BatchNorm folded (0); bias adds, activations, pooling and additions reported apart. Cumulative MACs count "
        "the\n"
        "branches of every exit at or before the one taken (AEBNAS); *_taken_branch_only leaves them out (EDANAS).\n"
        "--latency adds this machine's latency at batch size 1 (the search's latency cost model): microseconds per\n"
        "block, per exit head and cumulative per exit, from the table in the cache (parts it lacks are timed).");
    parser.addPositional("ARCH", "architecture JSON file, or a backbone preset name");
    parser.addFlag("latency", "also time every part on this machine (microseconds per sample)");
    parser.addOption("cache", "DIR", "where the latency table is kept", defaultCacheDirectory());
    parser.parse(arguments);
    if (parser.helpRequested()) {
        std::cout << parser.helpText() << "\npresets:";
        for (const std::string& name : backbonePresetNames())
            std::cout << " " << name;
        std::cout << "\n";
        return 0;
    }
    const Architecture architecture = architectureFromPresetOrFile(parser.positionals().at(0));
    const NetworkCost cost = countNetworkCost(architecture);
    std::optional<NetworkLatency> latency;
    std::optional<LatencyTable> table;
    if (parser.isSet("latency")) {
        table.emplace(LatencyTable::fileFor(*parser.value("cache")));
        if (!table->problem().empty())
            std::cerr << table->problem() << "\n";
        latency = table->latencyOf(architecture);
        table->save();
    }
    nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < cost.blocks.size(); ++i) {
        nlohmann::ordered_json block = layerJson(cost.blocks[i]);
        block["index"] = i;
        if (latency)
            block["micros"] = latency->blocks[i];
        blocks.push_back(block);
    }
    nlohmann::ordered_json exits = nlohmann::ordered_json::array();
    for (std::size_t e = 0; e < cost.exits.size(); ++e) {
        const ExitCost& exit = cost.exits[e];
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (const LayerCost& layer : exit.layers)
            layers.push_back(layerJson(layer));
        nlohmann::ordered_json item { { "position", exit.position }, { "final", exit.isFinal },
            { "branch_macs", exit.branchMacs }, { "branch_parameters", exit.branchParameters },
            { "backbone_prefix_macs", exit.backbonePrefixMacs }, { "cumulative_macs", exit.cumulativeMacs },
            { "cumulative_macs_taken_branch_only", exit.cumulativeMacsTakenBranchOnly },
            { "cumulative_parameters", exit.cumulativeParameters } };
        if (latency) {
            item["head_micros"] = latency->exitHeads[e];
            item["cumulative_micros"] = latency->microsForExit(int(e), CostConvention::AllEvaluatedBranches);
            item["cumulative_micros_taken_branch_only"]
                = latency->microsForExit(int(e), CostConvention::TakenBranchOnly);
        }
        item["layers"] = layers;
        exits.push_back(item);
    }
    nlohmann::ordered_json out { { "backbone", architecture.backbone.name }, { "blocks", blocks }, { "exits", exits },
        { "backbone_macs", cost.backboneMacs }, { "all_exits_macs", cost.allExitsMacs },
        { "backbone_parameters", cost.backboneParameters }, { "total_parameters", cost.totalParameters },
        { "convention",
            "1 MAC = 1 fused multiply-add; BatchNorm folded; bias, activation, pooling, additions apart" } };
    if (latency) {
        out["backbone_micros"] = latency->backboneMicros;
        out["machine"] = table->machine();
        out["latency_table"] = table->file();
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace earlybird::cli

namespace earlybird::cli {

int runArchSample(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli arch sample --backbone PRESET [--seed S]",
        "Prints a valid random early-exit architecture from the default search space (exits at any block boundary,\n"
        "0-3 heterogeneous branch layers) as architecture JSON, ready for `earlybird-cli macs`.");
    parser.addOption(
        "backbone", "PRESET|FILE", "backbone preset name or backbone JSON file", std::string("fashion-mobilenet"));
    parser.addOption("seed", "S", "random seed", std::string("1"));
    if (!parser.parseCommand(arguments))
        return 0;
    const SearchSpace space({ backboneFromPresetOrFile(*parser.value("backbone")) });
    Rng rng(std::uint64_t(parser.intValue("seed", 1)));
    std::cout << architectureToJson(space.decode(space.sample(rng))).dump(2) << std::endl;
    return 0;
}

} // namespace earlybird::cli
