#pragma once

// A session's front over threshold settings: every evaluated architecture brings its whole validation trade-off curve
// (one point per threshold vector), and the front is the non-dominated set over all of them. A frozen backbone makes
// each exit's per-sample outcomes independent of the other exits, so these points are exact, not estimates.

#include <vector>

namespace earlybird {

// One architecture (a candidate of the archive) with one threshold vector, measured on both splits.
struct FrontPoint {
    int candidate = 0;
    std::vector<double> thresholds; // per early exit
    double accuracy = 0; // validation, in [0, 1]
    double cost = 0; // validation average cost, in the session's cost model
    double macs = 0; // validation average MACs
    double testAccuracy = 0;
    double testCost = 0;

    bool operator==(const FrontPoint& other) const;
};

// The non-dominated (higher validation accuracy, lower validation average cost) points seen so far, by cost. Of two
// points with equal figures the one added first stays, so the front does not depend on how often it is rebuilt.
class ThresholdFront {
public:
    // Merges `points` in; true if the front changed.
    bool add(const std::vector<FrontPoint>& points);
    // Whether any of `points`, `margin` more accurate than measured, would join the front (nothing is added).
    bool wouldGain(const std::vector<FrontPoint>& points, double margin) const;
    const std::vector<FrontPoint>& points() const { return m_points; }
    bool empty() const { return m_points.empty(); }

    // frontHypervolume() and bestWithin() of these points.
    double hypervolume(double backboneCost, bool onTest) const;
    const FrontPoint* bestWithin(double budget) const;

private:
    std::vector<FrontPoint> m_points;
};

// Of a front's points (as ThresholdFront::points() gives them, or as a session or the window holds them):
// the hypervolume with every Earlybird figure's reference point (accuracy 0, 1.25 x the backbone's cost), on
// validation or on the test split (the test figures of the validation front's points);
double frontHypervolume(const std::vector<FrontPoint>& front, double backboneCost, bool onTest);
// the most accurate point (on validation) whose validation cost is within `budget`; null if none is.
const FrontPoint* bestWithin(const std::vector<FrontPoint>& front, double budget);

} // namespace earlybird
