#pragma once

// NSGA-II's selection and variation as pure functions over objective points, genomes and a random generator: no
// training, no files, so they are tested on their own (tests/tst_nsga2.cpp). The search loop (search.h) feeds them.

#include "base/rng.h"
#include "search/paretofront.h"
#include "search/searchspace.h"

#include <functional>
#include <map>
#include <vector>

namespace earlybird {

// Where selection placed a member: its front (0 is the first) and its crowding distance within that front.
struct MemberRank {
    int front = 0;
    double crowding = 0;
};
using Ranking = std::map<int, MemberRank>; // by member id

// Environmental selection: `size` of the members `ids` (whose objectives are `points`, in the same order), front by
// front, the last front cut by crowding distance (larger first; equal distances by smaller id). Returns the chosen
// ids in that order; `ranks`, when given, receives the rank of each chosen member.
std::vector<int> selectSurvivors(
    const std::vector<int>& ids, const std::vector<ObjectivePoint>& points, int size, Ranking* ranks = nullptr);

// A binary tournament among `parents`: two drawn at random, the one on the better front wins, then the one with the
// larger crowding distance (the first drawn on a tie). Every parent must be in `ranks`.
int binaryTournament(const std::vector<int>& parents, const Ranking& ranks, Rng& rng);

// A member of the population that variation draws from.
struct Parent {
    int id = 0;
    Genome genome;
    ObjectivePoint objective;
};

struct VariationOptions {
    int offspring = 16; // how many to propose
    int attempts = 960; // proposals to try before giving up (a small space runs out of new candidates)
    double crossoverProbability = 0.9;
    double mutationRate = 0.1; // per gene
};

// Accepts a proposal that is new (neither evaluated nor already proposed) and within the search's limits. Proposals
// already taken in this call are passed in `proposed`.
using ProposalFilter = std::function<bool(const Genome& candidate, const std::vector<Genome>& proposed)>;

// Offspring of `parents` (ranked among themselves by selectSurvivors): tournament, crossover with the given
// probability, then mutation, keeping those the filter accepts, until `options.offspring` are found or the attempts
// run out.
std::vector<Genome> proposeOffspring(const std::vector<Parent>& parents, const SearchSpace& space,
    const VariationOptions& options, const ProposalFilter& accept, Rng& rng);

// Random samples of the space that the filter accepts, until `options.offspring` are found or the attempts run out
// (the first generation, and the random-search baseline). Only `offspring` and `attempts` of the options are read.
std::vector<Genome> proposeRandom(
    const SearchSpace& space, const VariationOptions& options, const ProposalFilter& accept, Rng& rng);

} // namespace earlybird
