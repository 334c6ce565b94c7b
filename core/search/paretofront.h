#pragma once

#include <vector>

namespace earlybird {

// A candidate as multi-objective selection sees it: accuracy to maximise, cost (average MACs) to minimise, and how
// far it breaks the budget (0 when within it). Constrained domination (Deb): a feasible point beats an infeasible one,
// two infeasible points compare by violation, two feasible ones by Pareto dominance.
struct ObjectivePoint {
    double accuracy = 0;
    double cost = 0;
    double violation = 0;
};

bool dominates(const ObjectivePoint& a, const ObjectivePoint& b);

// NSGA-II's fast non-dominated sort: fronts of indices into `points`, the first non-dominated.
std::vector<std::vector<int>> nonDominatedFronts(const std::vector<ObjectivePoint>& points);

// NSGA-II's crowding distance of each member of one front (infinite at the two ends of each objective).
std::vector<double> crowdingDistances(const std::vector<ObjectivePoint>& points, const std::vector<int>& front);

// The indices of `points` on the first front (feasible points only, when there are any), sorted by cost.
std::vector<int> paretoFront(const std::vector<ObjectivePoint>& points);

// The area dominated by the feasible points and bounded by the reference point (accuracy `referenceAccuracy`, cost
// `referenceCost`): higher is better. The search states its reference (see search.h).
double hypervolume(const std::vector<ObjectivePoint>& points, double referenceAccuracy, double referenceCost);

} // namespace earlybird
