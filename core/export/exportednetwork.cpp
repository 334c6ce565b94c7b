#include "export/exportednetwork.h"

#include "model/networkcost.h"
#include "search/sessionfile.h"
#include "search/sessionjson.h"

#include <nlohmann/json.hpp>

namespace earlybird {

nlohmann::ordered_json exportedNetworkToJson(const ExportedNetwork& network)
{
    using Json = nlohmann::ordered_json;
    const Architecture& architecture = network.architecture;
    const NetworkCost cost = countNetworkCost(architecture);

    Json exits = Json::array();
    for (int e = 0; e < architecture.exitCount(); ++e) {
        const ExitCost& exit = cost.exits[std::size_t(e)];
        Json item { { "exit", e }, { "position", exit.position }, { "final", exit.isFinal },
            { "branch_macs", exit.branchMacs }, { "macs_if_taken", cost.macsForExit(e, network.convention) } };
        if (!exit.isFinal) {
            item["threshold"] = architecture.exits[std::size_t(e)].threshold;
            item["temperature"] = architecture.exits[std::size_t(e)].temperature;
        }
        exits.push_back(item);
    }
    Json normalisation = nullptr;
    if (!network.normalisation.mean.empty())
        normalisation = Json { { "rule", "(pixel / 255 - mean[c]) / std[c]" }, { "mean", network.normalisation.mean },
            { "std", network.normalisation.std } };

    Json info { { "source", network.source }, { "dataset", network.dataset }, { "class_names", network.classNames },
        { "normalisation", normalisation },
        { "exit_rule",
            "each sample leaves at the first early exit whose confidence (" + nameOf(architecture.confidence)
                + " of softmax(logits / temperature)) is >= that exit's threshold; the final exit takes the rest" },
        { "cost_convention", nameOf(network.convention) }, { "backbone_macs", cost.backboneMacs }, { "exits", exits } };
    if (network.candidate >= 0)
        info["candidate"] = network.candidate;
    if (network.measured) {
        Json figures;
        for (const auto& [name, result] :
            { std::pair { "validation", &network.validation }, std::pair { "test", &network.test } }) {
            Json split = policyToJson(*result);
            split["macs_vs_backbone"] = cost.backboneMacs > 0 ? result->averageMacs / double(cost.backboneMacs) : 0.0;
            figures[name] = split;
        }
        info["measured"] = figures;
    }
    Json json = architectureToJson(architecture);
    json["export"] = info;
    return json;
}

} // namespace earlybird
