// The budget tuner on a real session's candidates: for each number of exits, up to LIMIT candidates of a finished
// session are tuned again from the per-sample outputs in its store, and the mean validation accuracy within the
// session's target and the mean time per tuning are printed. Run it with two builds of the tuner, side by side, to see
// what a change costs or buys on real outputs rather than on bench_exitpolicy's synthetic ones.
// Usage: bench_tuner_session SESSION_FOLDER [LIMIT]   (LIMIT: candidates per number of exits, default 150)
// With EARLYBIRD_TUNER_DUMP=1 it also prints each candidate's id and tuned accuracy, to compare two builds per candidate.

#include "policy/exitpolicy.h"
#include "search/sessionfile.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>

using namespace earlybird;

int main(int argc, char** argv)
{
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: bench_tuner_session SESSION_FOLDER [LIMIT]\n");
        return 2;
    }
    try {
        const std::string folder = argv[1];
        const int limit = argc == 3 ? std::atoi(argv[2]) : 150;
        const bool dump = std::getenv("EARLYBIRD_TUNER_DUMP") != nullptr;
        const Session session = loadSession(folder);
        const SessionOutputs outputs = SessionOutputs::load(folder);
        const double target = session.config.target; // a saved session's, resolved from a fraction when prepared
        struct Sum {
            int candidates = 0;
            int withinTarget = 0;
            double accuracy = 0;
            double milliseconds = 0;
        };
        std::map<int, Sum> byExits;
        for (const CandidateRecord& record : session.archive) {
            const int exits = int(record.architecture.exits.size()) + 1;
            Sum& sum = byExits[exits];
            if (sum.candidates >= limit || !outputs.covers(record.architecture))
                continue;
            const CandidateOutcomes outcomes = outputs.outcomes(record.architecture);
            const ExitPolicy policy(outcomes.validation, record.architecture.confidence, record.exitCosts);
            const auto start = std::chrono::steady_clock::now();
            const PolicyResult tuned = policy.tuneForBudget(target);
            sum.milliseconds
                += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            ++sum.candidates;
            if (tuned.averageCost <= target * (1 + 1e-9)) {
                ++sum.withinTarget;
                sum.accuracy += tuned.accuracy;
            }
            if (dump)
                std::printf("candidate %d: %d exits, %.6f\n", record.id, exits, tuned.accuracy);
        }
        std::printf("%s: %zu candidates, tuned for a target of %.4g\n", folder.c_str(), session.archive.size(), target);
        for (const auto& [exits, sum] : byExits) {
            if (sum.candidates == 0)
                continue;
            std::printf("%d exits: %d candidates, %d within the target, mean accuracy there %.4f %%, %.2f ms a tuning\n",
                exits, sum.candidates, sum.withinTarget, sum.withinTarget ? 100 * sum.accuracy / sum.withinTarget : 0.0,
                sum.milliseconds / sum.candidates);
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_tuner_session: %s\n", error.what());
        return 1;
    }
    return 0;
}
