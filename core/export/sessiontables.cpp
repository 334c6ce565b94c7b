#include "export/sessiontables.h"

#include <cstdio>
#include <set>

namespace earlybird {

namespace {

std::string format(const char* pattern, double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

std::string thresholdList(const std::vector<double>& thresholds)
{
    std::string text;
    for (const double t : thresholds)
        text += (text.empty() ? "" : " ") + format("%.6g", t);
    return text;
}

double fraction(double cost, double backboneCost)
{
    return backboneCost > 0 ? cost / backboneCost : 0.0;
}

} // namespace

int distinctLayerTypes(const Architecture& architecture)
{
    std::set<BranchLayerType> types;
    for (const ExitSpec& exit : architecture.exits)
        for (const BranchLayerSpec& layer : exit.layers)
            types.insert(layer.type);
    return int(types.size());
}

std::set<int> frontCandidates(const std::vector<FrontPoint>& front)
{
    std::set<int> ids;
    for (const FrontPoint& point : front)
        ids.insert(point.candidate);
    return ids;
}

std::string candidatesCsv(
    const std::vector<CandidateRecord>& archive, const std::set<int>& onFront, CostModel costModel, double backboneCost)
{
    std::string csv = "id,generation,validation_accuracy,test_accuracy,validation_average_macs,test_average_macs,"
                      "cost_model,validation_average_cost,test_average_cost,cost_vs_backbone,parameters,exits,"
                      "exit_positions,layer_types,on_front,thresholds\n";
    for (const CandidateRecord& c : archive) {
        std::string positions;
        std::vector<double> thresholds;
        for (const ExitSpec& exit : c.architecture.exits) {
            positions += (positions.empty() ? "" : " ") + std::to_string(exit.position);
            thresholds.push_back(exit.threshold);
        }
        csv += std::to_string(c.id) + "," + std::to_string(c.generation) + "," + format("%.6f", c.validation.accuracy)
            + "," + format("%.6f", c.test.accuracy) + "," + format("%.0f", c.validation.averageMacs) + ","
            + format("%.0f", c.test.averageMacs) + "," + nameOf(costModel) + ","
            + format("%.9g", c.validation.averageCost) + "," + format("%.9g", c.test.averageCost) + ","
            + format("%.6f", fraction(c.validation.averageCost, backboneCost)) + "," + std::to_string(c.parameters)
            + "," + std::to_string(c.architecture.exits.size()) + "," + positions + ","
            + std::to_string(distinctLayerTypes(c.architecture)) + "," + (onFront.count(c.id) ? "1" : "0") + ","
            + thresholdList(thresholds) + "\n";
    }
    return csv;
}

std::string frontCsv(const std::vector<FrontPoint>& front, CostModel costModel, double backboneCost)
{
    std::string csv = "point,candidate,validation_accuracy,test_accuracy,cost_model,validation_average_cost,"
                      "test_average_cost,validation_average_macs,cost_vs_backbone,thresholds\n";
    for (std::size_t i = 0; i < front.size(); ++i) {
        const FrontPoint& p = front[i];
        csv += std::to_string(i) + "," + std::to_string(p.candidate) + "," + format("%.6f", p.accuracy) + ","
            + format("%.6f", p.testAccuracy) + "," + nameOf(costModel) + "," + format("%.9g", p.cost) + ","
            + format("%.9g", p.testCost) + "," + format("%.0f", p.macs) + ","
            + format("%.6f", fraction(p.cost, backboneCost)) + "," + thresholdList(p.thresholds) + "\n";
    }
    return csv;
}

} // namespace earlybird
