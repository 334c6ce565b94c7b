#include "search/candidaterecord.h"

#include "search/paretofront.h"
#include "search/searchconfig.h"

namespace earlybird {

namespace {

std::vector<ObjectivePoint> tradeOffPoints(
    const std::vector<CandidateRecord>& archive, double backboneCost, bool onTest)
{
    std::vector<ObjectivePoint> points;
    points.reserve(archive.size());
    for (const CandidateRecord& r : archive) {
        const PolicyResult& p = onTest ? r.test : r.validation;
        points.push_back({ p.accuracy, p.averageCost / backboneCost, 0.0 });
    }
    return points;
}

} // namespace

std::vector<int> tradeOffFront(const std::vector<CandidateRecord>& archive, double backboneCost)
{
    std::vector<int> ids;
    for (const int index : paretoFront(tradeOffPoints(archive, backboneCost, false)))
        ids.push_back(archive[std::size_t(index)].id);
    return ids;
}

double tradeOffHypervolume(const std::vector<CandidateRecord>& archive, double backboneCost, bool onTest)
{
    if (archive.empty())
        return 0.0;
    return hypervolume(
        tradeOffPoints(archive, backboneCost, onTest), kHypervolumeReferenceAccuracy, kHypervolumeReferenceCost);
}

} // namespace earlybird
