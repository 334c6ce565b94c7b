// The session store at the size the composer reaches: saving after a candidate must stay cheap however many are
// stored (goal: < 5 ms at 5,000), and opening a finished session must be quick (goal: the whole window in < 1 s).

#include "base/cachefile.h"
#include "base/rng.h"
#include "model/backbonepresets.h"
#include "search/sessionfile.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace earlybird;

namespace {

// A session of `count` candidates drawn from the default Fashion-MNIST space, with made-up figures.
Session session(int count)
{
    Session s;
    s.config.experiment.backbone = backbonePreset("fashion-resnet");
    s.config.target = 2.7e6;
    s.fingerprint = "bench";
    s.backbone = { 4.49e6, 4.49e6, 0.92, 0.915 };
    const SearchSpace space({ s.config.experiment.backbone }, s.config.space);
    Rng rng(1);
    for (int id = 0; id < count; ++id) {
        CandidateRecord r;
        r.id = id;
        r.genome = space.sample(rng);
        r.architecture = space.decode(r.genome);
        const std::size_t exits = r.architecture.exits.size();
        r.exitCosts.assign(exits + 1, 1e6);
        for (PolicyResult* p : { &r.validation, &r.test }) {
            p->thresholds.assign(exits, 0.5);
            p->exitCounts.assign(exits + 1, 1000);
            p->correctAtExit.assign(exits + 1, 900);
            p->samples = std::int64_t(1000 * (exits + 1));
            p->accuracy = 0.8 + 0.1 * rng.uniform();
            p->averageCost = p->averageMacs = 4.49e6 * rng.uniform();
        }
        r.composed = id % 20 != 0;
        s.archive.push_back(std::move(r));
        s.thresholdFront.push_back({ id, s.archive.back().validation.thresholds, 0.9, 1e6 + id, 1e6, 0.9, 1e6 });
        if (s.thresholdFront.size() > 80)
            s.thresholdFront.erase(s.thresholdFront.begin());
    }
    s.state.population.assign(16, 0);
    for (int id = std::max(0, count - 300); id < count; ++id)
        s.state.offspring.push_back(id);
    s.state.rng = "1";
    return s;
}

std::string freshFolder()
{
    char pattern[] = "/tmp/earlybird-bench-session-XXXXXX";
    const char* folder = mkdtemp(pattern);
    if (!folder)
        std::abort();
    return folder;
}

// Saving one more candidate (and the state, front and history) into a store of `range(0)` candidates.
void BM_SaveOneCandidate(benchmark::State& state)
{
    const int stored = int(state.range(0));
    const std::string folder = freshFolder();
    Session s = session(stored + 20000);
    std::vector<CandidateRecord> all = s.archive;
    s.archive.clear();
    std::vector<CandidateRecord> archive(all.begin(), all.begin() + stored);
    saveSession(folder, s, archive);
    std::size_t next = std::size_t(stored);
    for (auto _ : state) {
        archive.push_back(all[next++]);
        saveSession(folder, s, archive);
    }
    state.counters["stored"] = double(next);
    std::system(("rm -rf " + folder).c_str());
}
BENCHMARK(BM_SaveOneCandidate)->Arg(100)->Arg(5000)->Unit(benchmark::kMillisecond)->Iterations(200);

// Reading a finished session of `range(0)` candidates (what opening it in the window waits for).
void BM_OpenSession(benchmark::State& state)
{
    const std::string folder = freshFolder();
    saveSession(folder, session(int(state.range(0))));
    for (auto _ : state)
        benchmark::DoNotOptimize(loadSession(folder).archive.size());
    std::system(("rm -rf " + folder).c_str());
}
BENCHMARK(BM_OpenSession)->Arg(5000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
