#include "search/thresholdfront.h"

#include "search/paretofront.h"
#include "search/searchconfig.h"

#include <algorithm>

namespace earlybird {

namespace {

// `a` is at least as good as `b` in both objectives.
bool covers(const FrontPoint& a, const FrontPoint& b)
{
    return a.accuracy >= b.accuracy && a.cost <= b.cost;
}

} // namespace

bool FrontPoint::operator==(const FrontPoint& other) const
{
    return candidate == other.candidate && thresholds == other.thresholds && accuracy == other.accuracy
        && cost == other.cost && macs == other.macs && testAccuracy == other.testAccuracy && testCost == other.testCost;
}

bool ThresholdFront::add(const std::vector<FrontPoint>& points)
{
    bool changed = false;
    for (const FrontPoint& point : points) {
        const bool covered = std::any_of(
            m_points.begin(), m_points.end(), [&](const FrontPoint& kept) { return covers(kept, point); });
        if (covered)
            continue;
        m_points.erase(std::remove_if(m_points.begin(), m_points.end(),
                           [&](const FrontPoint& kept) { return covers(point, kept); }),
            m_points.end());
        const auto at = std::lower_bound(m_points.begin(), m_points.end(), point,
            [](const FrontPoint& a, const FrontPoint& b) { return a.cost < b.cost; });
        m_points.insert(at, point);
        changed = true;
    }
    return changed;
}

bool ThresholdFront::wouldGain(const std::vector<FrontPoint>& points, double margin) const
{
    return std::any_of(points.begin(), points.end(), [&](const FrontPoint& point) {
        FrontPoint raised = point;
        raised.accuracy += margin;
        return std::none_of(
            m_points.begin(), m_points.end(), [&](const FrontPoint& kept) { return covers(kept, raised); });
    });
}

double ThresholdFront::hypervolume(double backboneCost, bool onTest) const
{
    return frontHypervolume(m_points, backboneCost, onTest);
}

const FrontPoint* ThresholdFront::bestWithin(double budget) const
{
    return earlybird::bestWithin(m_points, budget);
}

double frontHypervolume(const std::vector<FrontPoint>& front, double backboneCost, bool onTest)
{
    if (front.empty() || !(backboneCost > 0))
        return 0.0;
    std::vector<ObjectivePoint> objectives;
    objectives.reserve(front.size());
    for (const FrontPoint& p : front) {
        objectives.push_back(onTest ? ObjectivePoint { p.testAccuracy, p.testCost / backboneCost, 0.0 }
                                    : ObjectivePoint { p.accuracy, p.cost / backboneCost, 0.0 });
    }
    return earlybird::hypervolume(objectives, kHypervolumeReferenceAccuracy, kHypervolumeReferenceCost);
}

const FrontPoint* bestWithin(const std::vector<FrontPoint>& front, double budget)
{
    const FrontPoint* best = nullptr;
    for (const FrontPoint& p : front) {
        if (p.cost <= budget * (1 + 1e-9) && (!best || p.accuracy > best->accuracy))
            best = &p;
    }
    return best;
}

} // namespace earlybird
