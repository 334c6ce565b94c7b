#include "search/candidatetuning.h"

#include "policy/exitpolicy.h"

namespace earlybird {

TunedCandidate tuneCandidate(const SearchConfig& config, const Architecture& architecture,
    const CandidateOutcomes& outcomes, const NetworkLatency& measured, int id)
{
    const std::vector<double> costs = exitCostsOf(config.costModel, outcomes.cost, config.convention, &measured);
    const std::vector<double> macs = exitMacsOf(outcomes.cost, config.convention);
    const ExitPolicy validation(outcomes.validation, architecture.confidence, costs, macs);
    const ExitPolicy test(outcomes.test, architecture.confidence, costs, macs);
    TunedCandidate tuned;
    CandidateRecord& record = tuned.record;
    record.id = id;
    record.exitCosts = costs;
    record.parameters = outcomes.cost.totalParameters;
    switch (config.mode) {
    case TargetMode::Budget:
        record.validation = validation.tuneForBudget(config.target);
        break;
    case TargetMode::Aebnas:
        record.validation = config.aebnasThresholds.empty()
            ? validation.tuneAebnasGrid(
                config.target, config.aebnasLambda, config.aebnasGridStep, config.aebnasMaxCombinations)
            : validation.tuneAebnasValues(config.target, config.aebnasLambda, config.aebnasThresholds);
        break;
    case TargetMode::Nachos:
        record.validation = validation.tuneSharedThreshold(config.target);
        break;
    }
    record.test = test.evaluate(record.validation.thresholds);
    const auto pointOf = [&](const PolicyResult& v, const PolicyResult& t) {
        return FrontPoint { id, v.thresholds, v.accuracy, v.averageCost, v.averageMacs, t.accuracy, t.averageCost };
    };
    tuned.curve.push_back(pointOf(record.validation, record.test));
    for (const PolicyResult& point : validation.tradeOffCurve())
        tuned.curve.push_back(pointOf(point, test.evaluate(point.thresholds)));
    record.architecture = architecture;
    for (std::size_t e = 0; e < architecture.exits.size(); ++e) {
        record.architecture.exits[e].threshold = record.validation.thresholds[e];
        // The thresholds are on the confidences the outcomes hold: calibrated ones carry their temperature along.
        record.architecture.exits[e].temperature = outcomes.validation.calibration(int(e)).appliedTemperature();
    }
    return tuned;
}

} // namespace earlybird
