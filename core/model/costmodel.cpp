#include "model/costmodel.h"

#include "base/error.h"

#include <cmath>
#include <cstdio>

namespace earlybird {

const EnumNames<CostModel>& enumNames(CostModel)
{
    static const EnumNames<CostModel> names { "cost model",
        { { CostModel::Macs, "macs" }, { CostModel::Latency, "latency" }, { CostModel::Parameters, "parameters" },
            { CostModel::Parameters, "params" } } };
    return names;
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
