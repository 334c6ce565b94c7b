#pragma once

#include "model/architecture.h"
#include "policy/exitpolicy.h"
#include "search/searchspace.h"

#include <cstdint>
#include <vector>

namespace earlybird {

// One evaluated candidate with its tuned thresholds and its figures on both splits.
struct CandidateRecord {
    int id = 0;
    int generation = 0;
    Genome genome;
    Architecture architecture; // thresholds as tuned on validation
    std::vector<double> exitCosts; // what a sample leaving at each exit costs, in the search's cost model
    std::int64_t parameters = 0; // backbone and every branch
    PolicyResult validation;
    PolicyResult test;
    double seconds = 0; // to train its new branches, evaluate and tune
    int branchesTrained = 0;
    // Composed from branches trained for earlier candidates (nothing trained for it), not proposed by NSGA-II.
    bool composed = false;
};

// The trade-off the chart shows, whatever the search optimised: every candidate's accuracy against its average cost as
// a fraction of the backbone's. The ids on its front (on validation), by cost:
std::vector<int> tradeOffFront(const std::vector<CandidateRecord>& archive, double backboneCost);
// Its hypervolume on validation or test, with the reference point of every Earlybird figure (searchconfig.h); 0 for
// an empty archive.
double tradeOffHypervolume(const std::vector<CandidateRecord>& archive, double backboneCost, bool onTest);

} // namespace earlybird
