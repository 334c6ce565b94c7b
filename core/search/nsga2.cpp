#include "search/nsga2.h"

#include <algorithm>

namespace earlybird {

std::vector<int> selectSurvivors(
    const std::vector<int>& ids, const std::vector<ObjectivePoint>& points, int size, Ranking* ranks)
{
    std::vector<int> chosen;
    int rank = 0;
    for (const std::vector<int>& front : nonDominatedFronts(points)) {
        const std::vector<double> crowding = crowdingDistances(points, front);
        std::vector<std::size_t> order(front.size());
        for (std::size_t k = 0; k < order.size(); ++k)
            order[k] = k;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return crowding[a] != crowding[b] ? crowding[a] > crowding[b]
                                              : ids[std::size_t(front[a])] < ids[std::size_t(front[b])];
        });
        for (const std::size_t k : order) {
            if (int(chosen.size()) >= size)
                break;
            const int id = ids[std::size_t(front[k])];
            chosen.push_back(id);
            if (ranks)
                (*ranks)[id] = { rank, crowding[k] };
        }
        ++rank;
        if (int(chosen.size()) >= size)
            break;
    }
    return chosen;
}

int binaryTournament(const std::vector<int>& parents, const Ranking& ranks, Rng& rng)
{
    const int a = parents[std::size_t(rng.below(parents.size()))];
    const int b = parents[std::size_t(rng.below(parents.size()))];
    const MemberRank& ra = ranks.at(a);
    const MemberRank& rb = ranks.at(b);
    if (ra.front != rb.front)
        return ra.front < rb.front ? a : b;
    return ra.crowding >= rb.crowding ? a : b;
}

std::vector<Genome> proposeOffspring(const std::vector<Parent>& parents, const SearchSpace& space,
    const VariationOptions& options, const ProposalFilter& accept, Rng& rng)
{
    std::vector<Genome> proposed;
    if (parents.empty())
        return proposed;
    std::vector<int> ids;
    std::vector<ObjectivePoint> points;
    std::map<int, const Genome*> genomes;
    for (const Parent& parent : parents) {
        ids.push_back(parent.id);
        points.push_back(parent.objective);
        genomes[parent.id] = &parent.genome;
    }
    Ranking ranks;
    selectSurvivors(ids, points, int(ids.size()), &ranks);
    for (int i = 0; i < options.attempts && int(proposed.size()) < options.offspring; ++i) {
        Genome child = *genomes.at(binaryTournament(ids, ranks, rng));
        if (rng.uniform() < options.crossoverProbability) {
            const Genome& other = *genomes.at(binaryTournament(ids, ranks, rng));
            child = space.crossover(child, other, rng).first;
        }
        child = space.mutate(child, rng, options.mutationRate);
        if (accept(child, proposed))
            proposed.push_back(std::move(child));
    }
    return proposed;
}

std::vector<Genome> proposeRandom(
    const SearchSpace& space, const VariationOptions& options, const ProposalFilter& accept, Rng& rng)
{
    std::vector<Genome> proposed;
    for (int i = 0; i < options.attempts && int(proposed.size()) < options.offspring; ++i) {
        Genome genome = space.sample(rng);
        if (accept(genome, proposed))
            proposed.push_back(std::move(genome));
    }
    return proposed;
}

} // namespace earlybird
