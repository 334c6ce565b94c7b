#include "search/paretofront.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace earlybird {

bool dominates(const ObjectivePoint& a, const ObjectivePoint& b)
{
    const bool aFeasible = a.violation <= 0;
    const bool bFeasible = b.violation <= 0;
    if (aFeasible != bFeasible)
        return aFeasible;
    if (!aFeasible)
        return a.violation < b.violation;
    return a.accuracy >= b.accuracy && a.cost <= b.cost && (a.accuracy > b.accuracy || a.cost < b.cost);
}

std::vector<std::vector<int>> nonDominatedFronts(const std::vector<ObjectivePoint>& points)
{
    const int n = int(points.size());
    std::vector<std::vector<int>> dominatedBy(static_cast<std::size_t>(n));
    std::vector<int> dominationCount(std::size_t(n), 0);
    std::vector<std::vector<int>> fronts(1);
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            if (i == j)
                continue;
            if (dominates(points[std::size_t(i)], points[std::size_t(j)]))
                dominatedBy[std::size_t(i)].push_back(j);
            else if (dominates(points[std::size_t(j)], points[std::size_t(i)]))
                ++dominationCount[std::size_t(i)];
        }
        if (dominationCount[std::size_t(i)] == 0)
            fronts[0].push_back(i);
    }
    while (!fronts.back().empty()) {
        std::vector<int> next;
        for (const int i : fronts.back()) {
            for (const int j : dominatedBy[std::size_t(i)]) {
                if (--dominationCount[std::size_t(j)] == 0)
                    next.push_back(j);
            }
        }
        fronts.push_back(std::move(next));
    }
    fronts.pop_back();
    return fronts;
}

std::vector<double> crowdingDistances(const std::vector<ObjectivePoint>& points, const std::vector<int>& front)
{
    const std::size_t size = front.size();
    std::vector<double> distance(size, 0.0);
    if (size <= 2) {
        std::fill(distance.begin(), distance.end(), std::numeric_limits<double>::infinity());
        return distance;
    }
    std::vector<std::size_t> order(size);
    for (int objective = 0; objective < 2; ++objective) {
        const auto value = [&](std::size_t k) {
            const ObjectivePoint& p = points[std::size_t(front[k])];
            return objective == 0 ? p.accuracy : p.cost;
        };
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
        const double range = value(order.back()) - value(order.front());
        distance[order.front()] = distance[order.back()] = std::numeric_limits<double>::infinity();
        if (range <= 0)
            continue;
        for (std::size_t k = 1; k + 1 < size; ++k)
            distance[order[k]] += (value(order[k + 1]) - value(order[k - 1])) / range;
    }
    return distance;
}

std::vector<int> paretoFront(const std::vector<ObjectivePoint>& points)
{
    if (points.empty())
        return {};
    std::vector<int> front = nonDominatedFronts(points).front();
    std::sort(front.begin(), front.end(), [&](int a, int b) {
        const ObjectivePoint& p = points[std::size_t(a)];
        const ObjectivePoint& q = points[std::size_t(b)];
        return p.cost != q.cost ? p.cost < q.cost : p.accuracy > q.accuracy;
    });
    // Equal points would be listed twice; keep one.
    front.erase(std::unique(front.begin(), front.end(),
                    [&](int a, int b) {
                        return points[std::size_t(a)].cost == points[std::size_t(b)].cost
                            && points[std::size_t(a)].accuracy == points[std::size_t(b)].accuracy;
                    }),
        front.end());
    return front;
}

double hypervolume(const std::vector<ObjectivePoint>& points, double referenceAccuracy, double referenceCost)
{
    std::vector<ObjectivePoint> inside;
    for (const ObjectivePoint& p : points) {
        if (p.violation <= 0 && p.cost < referenceCost && p.accuracy > referenceAccuracy)
            inside.push_back(p);
    }
    // Sweep by increasing cost; each point adds the strip from its cost to the reference cost above the best
    // accuracy seen at lower cost.
    std::sort(inside.begin(), inside.end(), [](const ObjectivePoint& a, const ObjectivePoint& b) {
        return a.cost != b.cost ? a.cost < b.cost : a.accuracy > b.accuracy;
    });
    double area = 0;
    double best = referenceAccuracy;
    for (const ObjectivePoint& p : inside) {
        if (p.accuracy <= best)
            continue;
        area += (p.accuracy - best) * (referenceCost - p.cost);
        best = p.accuracy;
    }
    return area;
}

} // namespace earlybird
