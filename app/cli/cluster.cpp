#include "cluster.h"

#include "argumentparser.h"

#include "base/error.h"
#include "experiment/experiment.h"
#include "search/search.h"
#include "search/sessionfile.h"
#include "search/sessionjson.h"

#include <nlohmann/json.hpp>

#ifdef EARLYBIRD_HAVE_MPI
#include <mpi.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <utility>

namespace earlybird::cli {

namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

int g_ranks = 1;
// False once a rank is known to be dead: MPI_Finalize then waits for it forever (seen with OpenMPI 4.1), while an exit
// without it is accepted by mpirun --enable-recovery.
bool g_finalize = true;

// Variables that mpirun (OpenMPI), srun with PMIx or MPICH's launchers set in every process they start.
bool startedByMpiLauncher()
{
    for (const char* name : { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE" }) {
        if (std::getenv(name))
            return true;
    }
    return false;
}

} // namespace

int clusterRanks()
{
    return g_ranks;
}

#ifndef EARLYBIRD_HAVE_MPI

Cluster::Cluster(int&, char**&)
{
    if (startedByMpiLauncher())
        throw UsageError("this earlybird-cli was built without MPI (configure with -DEARLYBIRD_WITH_MPI=ON and "
                         "libopenmpi-dev installed); run it without mpirun");
}

Cluster::~Cluster() = default;

int runWorker(int)
{
    return 0;
}

struct MpiBranchFarm::Impl { };

MpiBranchFarm::MpiBranchFarm(Search&, int, FarmOptions, std::function<void(const std::string&)>)
{
    throw ConfigError("this earlybird-cli was built without MPI");
}
MpiBranchFarm::~MpiBranchFarm() = default;
void MpiBranchFarm::start() { }
void MpiBranchFarm::submit(const std::vector<BranchId>&) { }
void MpiBranchFarm::await(const std::vector<BranchId>&, const std::function<bool()>&) { }
int MpiBranchFarm::workerBranches() const
{
    return 0;
}
int MpiBranchFarm::localBranches() const
{
    return 0;
}
int MpiBranchFarm::requeued() const
{
    return 0;
}

#else

namespace {

// Messages between rank 0 and the workers; every one a byte string.
enum Tag : int {
    kSetup = 1, // 0 -> worker: the search settings (JSON)
    kReady, // worker -> 0: features built, jobs welcome
    kJob, // 0 -> worker: {"job": id, "exit": an architecture holding the one exit}
    kResult, // worker -> 0: the job id (int64), then the branch's bytes (Experiment::trainBranchBytes)
    kFailed, // worker -> 0: {"job": id or -1 for the set-up, "error": text}
    kAlive, // worker -> 0: still working (every few seconds while busy)
    kStop, // 0 -> worker: the search is over (or stopped); {"wait": seconds to wait for kFinal}
    kStopped, // worker -> 0: nothing more will come from it
    kFinal, // 0 -> worker: one byte, 1 if every rank is alive and MPI_Finalize may be called
};

// How long an idle process sleeps between looks at its mailbox: MPI's own blocking calls spin on a core, which the
// ranks training branches on the same machine need.
constexpr auto kPollInterval = std::chrono::milliseconds(2);
constexpr double kAliveEverySeconds = 2.0;
// Jobs a worker holds at once, so that it starts the next as soon as it sends a result.
constexpr std::size_t kJobsPerWorker = 2;
// A job that failed this often on workers is trained on rank 0, where its error ends the search.
constexpr int kWorkerAttempts = 2;
// How long a worker waits for the rest of a message from rank 0 before it gives up on the search.
constexpr double kWorkerPatienceSeconds = 600;
// How long rank 0 tries to hand a message to a worker before it takes the worker for dead.
constexpr double kSendPatienceSeconds = 10;

struct Message {
    int from = 0;
    int tag = 0;
    std::vector<std::uint8_t> bytes;
};

// Buffers of receives given up on: MPI may still write into them, so they live until the process ends.
std::list<std::vector<std::uint8_t>> g_abandoned;
// Not a message: what receive() reports when the sender stopped in the middle of one.
constexpr int kTorn = -1;

// Waits up to `patienceSeconds` for the send or receive on `buffer` to complete. True with the buffer handed back in
// `done`; false when it did not complete, the buffer then kept for good (MPI may still use it).
bool completes(
    MPI_Request& request, std::vector<std::uint8_t> buffer, double patienceSeconds, std::vector<std::uint8_t>& done)
{
    const Clock::time_point start = Clock::now();
    for (;;) {
        int finished = 0;
        MPI_Test(&request, &finished, MPI_STATUS_IGNORE);
        if (finished) {
            done = std::move(buffer);
            return true;
        }
        const double waited = std::chrono::duration<double>(Clock::now() - start).count();
        if (waited > patienceSeconds) {
            g_abandoned.push_back(std::move(buffer));
            return false;
        }
        if (waited > 0.001)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

// The next message from `from` (or any rank), if one has come. A sender that dies in the middle of a large message
// leaves its receive unfinished forever (OpenMPI 4.1's shared-memory transport), so the receive is given up after
// `patienceSeconds`, reported as a kTorn message.
std::optional<Message> receive(int from, double patienceSeconds)
{
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
    if (!flag)
        return std::nullopt;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    Message message { status.MPI_SOURCE, status.MPI_TAG, std::vector<std::uint8_t>(std::size_t(count)) };
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Irecv(message.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, &request);
    if (completes(request, std::move(message.bytes), patienceSeconds, message.bytes))
        return message;
    return Message { message.from, kTorn, {} };
}

int byteCount(const std::vector<std::uint8_t>& bytes)
{
    if (bytes.size() > std::size_t(INT_MAX))
        throw Error("a branch too large to send between ranks (" + std::to_string(bytes.size()) + " bytes)");
    return int(bytes.size());
}

void send(int to, int tag, const std::vector<std::uint8_t>& bytes = {})
{
    MPI_Send(bytes.data(), byteCount(bytes), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

// Sends without blocking forever: a dead rank's mailbox fills and a plain MPI_Send to it never returns. False when the
// send did not complete within `patienceSeconds` (its buffer is then kept, as MPI may still read it).
bool sendPatiently(int to, int tag, std::vector<std::uint8_t> bytes, double patienceSeconds)
{
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Isend(bytes.data(), byteCount(bytes), MPI_BYTE, to, tag, MPI_COMM_WORLD, &request);
    std::vector<std::uint8_t> unused;
    return completes(request, std::move(bytes), patienceSeconds, unused);
}

std::vector<std::uint8_t> bytesOf(const Json& json)
{
    const std::string text = json.dump();
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

Json jsonOf(const Message& message)
{
    return Json::parse(message.bytes.begin(), message.bytes.end());
}

Json exitToJson(const BackboneSpec& backbone, const ExitSpec& exit)
{
    return architectureToJson(Architecture { backbone, ConfidenceMeasure::ScoreMargin, { exit } });
}

ExitSpec exitFromJson(const Json& json, const std::string& source)
{
    const Architecture architecture = architectureFromJson(json, source);
    if (architecture.exits.size() != 1)
        throw DataError(source, "a branch job must hold exactly one exit");
    return architecture.exits[0];
}

std::string rankName(int rank)
{
    return "rank " + std::to_string(rank);
}

// A worker's results on their way to rank 0: MPI_Isend, so that the worker goes on with its next job.
class Outbox {
public:
    void post(int tag, std::vector<std::uint8_t> bytes)
    {
        m_items.push_back({ std::move(bytes), MPI_REQUEST_NULL });
        Item& item = m_items.back();
        MPI_Isend(item.bytes.data(), byteCount(item.bytes), MPI_BYTE, 0, tag, MPI_COMM_WORLD, &item.request);
    }
    // Forgets the sends that completed.
    void flush()
    {
        for (auto it = m_items.begin(); it != m_items.end();) {
            int done = 0;
            MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
            it = done ? m_items.erase(it) : std::next(it);
        }
    }
    bool empty() const { return m_items.empty(); }

private:
    struct Item {
        std::vector<std::uint8_t> bytes;
        MPI_Request request;
    };
    std::list<Item> m_items; // a list: the buffers must not move while MPI sends them
};

} // namespace

Cluster::Cluster(int& argc, char**& argv)
{
    if (!startedByMpiLauncher())
        return;
    int provided = 0;
    // Only the thread that runs the search (or the worker loop) calls MPI.
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    m_initialised = true;
    // A lost worker must be an error code here, not the end of the job (mpirun --enable-recovery keeps the others).
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &m_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m_size);
    g_ranks = m_size;
}

Cluster::~Cluster()
{
    if (m_initialised && g_finalize)
        MPI_Finalize();
}

int runWorker(int rank)
{
    std::unique_ptr<Experiment> experiment;
    Outbox outbox;
    Clock::time_point lastAlive = Clock::now();
    std::atomic<bool> stopRequested { false };
    // Called several times a second while the worker trains: says it is alive, lets finished sends go, and notices a
    // stop from rank 0 (which then cancels the job).
    const ProgressCallback busy = [&](const TrainingProgress&) {
        outbox.flush();
        if (std::chrono::duration<double>(Clock::now() - lastAlive).count() >= kAliveEverySeconds) {
            send(0, kAlive);
            lastAlive = Clock::now();
        }
        int flag = 0;
        MPI_Iprobe(0, kStop, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
        if (flag)
            stopRequested = true;
    };
    const auto fail = [&](std::int64_t job, const std::string& error) {
        outbox.post(kFailed, bytesOf(Json { { "job", job }, { "error", rankName(rank) + ": " + error } }));
    };
    for (;;) {
        outbox.flush();
        std::optional<Message> message = stopRequested ? std::nullopt : receive(0, kWorkerPatienceSeconds);
        if (!stopRequested && !message) {
            std::this_thread::sleep_for(kPollInterval);
            continue;
        }
        if (stopRequested || message->tag == kStop) {
            // Rank 0 drains its mailbox until kStopped, so the sends still in flight complete.
            while (!outbox.empty()) {
                outbox.flush();
                std::this_thread::sleep_for(kPollInterval);
            }
            if (!message || message->tag != kStop) // stopped mid-job: the kStop is still in the mailbox
                while (!(message = receive(0, kWorkerPatienceSeconds)) || message->tag != kStop)
                    std::this_thread::sleep_for(kPollInterval);
            const double wait = jsonOf(*message).value("wait", 120.0);
            send(0, kStopped);
            // Then whether every rank is alive, so that MPI_Finalize will not wait for a dead one.
            const Clock::time_point start = Clock::now();
            g_finalize = false;
            while (std::chrono::duration<double>(Clock::now() - start).count() < wait) {
                if (std::optional<Message> final = receive(0, kWorkerPatienceSeconds); final && final->tag == kFinal) {
                    g_finalize = final->bytes.size() == 1 && final->bytes[0] == 1;
                    break;
                }
                std::this_thread::sleep_for(kPollInterval);
            }
            return 0;
        }
        std::int64_t job = -1;
        try {
            if (message->tag == kSetup) {
                const SearchConfig config = searchConfigFromJson(jsonOf(*message), "the search settings from rank 0");
                experiment = std::make_unique<Experiment>(config.experiment);
                // The backbone comes from the shared cache folder, trained by rank 0: never trained again here.
                experiment->setTrainingAllowed(false);
                experiment->prepare(busy, &stopRequested);
                experiment->setTrainingAllowed(true);
                experiment->cacheFeatures({}, busy, &stopRequested);
                outbox.post(kReady, {});
            } else if (message->tag == kJob) {
                const Json request = jsonOf(*message);
                job = request.at("job").get<std::int64_t>();
                if (!experiment)
                    throw ConfigError("a branch job came before the search settings");
                const ExitSpec exit = exitFromJson(request.at("exit"), "a branch job from rank 0");
                std::vector<std::uint8_t> result(sizeof job);
                std::memcpy(result.data(), &job, sizeof job);
                const std::vector<std::uint8_t> branch = experiment->trainBranchBytes(exit, busy, &stopRequested);
                result.insert(result.end(), branch.begin(), branch.end());
                outbox.post(kResult, std::move(result));
            }
        } catch (const CancelledError&) {
            // stopped by rank 0: the loop says goodbye
        } catch (const std::exception& error) {
            if (message->tag == kSetup)
                experiment.reset();
            fail(job, error.what());
        }
        lastAlive = Clock::now();
    }
}

struct MpiBranchFarm::Impl {
    struct Job {
        ExitSpec exit;
        std::string key;
        int rank = -1; // -1: queued; 0: training here; else the worker holding it
        int failures = 0;
    };
    struct Worker {
        bool ready = false;
        bool lost = false;
        bool stopped = false;
        bool busy = false; // has been sent a job (said once in the log)
        std::set<std::int64_t> jobs;
        Clock::time_point lastHeard = Clock::now();
    };
    struct Arrival {
        std::int64_t job;
        int from;
        std::vector<std::uint8_t> bytes;
    };

    Search& search;
    Experiment& experiment;
    FarmOptions options;
    std::function<void(const std::string&)> log;
    std::map<int, Worker> workers; // by rank
    std::map<std::int64_t, Job> jobs; // not yet in the experiment
    std::deque<std::int64_t> queued; // waiting for a rank, in order
    std::map<std::string, std::int64_t> jobOfKey;
    std::set<std::string> submitted;
    std::int64_t nextJob = 0;
    bool trainingHere = false;
    std::vector<Arrival> arrivals; // results that came while rank 0 trained (the experiment was busy)
    int fromWorkers = 0;
    int here = 0;
    int requeues = 0;

    Impl(Search& s, int ranks, FarmOptions o, std::function<void(const std::string&)> l)
        : search(s)
        , experiment(s.experiment())
        , options(o)
        , log(std::move(l))
    {
        for (int rank = 1; rank < ranks; ++rank)
            workers[rank];
    }

    // A job back in the queue, first: it was handed out before every job still queued.
    void requeue(std::int64_t id)
    {
        jobs.at(id).rank = -1;
        queued.push_front(id);
    }

    void loseWorker(int rank, Worker& worker, const std::string& why)
    {
        worker.lost = true;
        g_finalize = false;
        worker.ready = false;
        for (const std::int64_t id : worker.jobs) {
            requeue(id);
            ++requeues;
        }
        log(rankName(rank) + " " + why
            + (worker.jobs.empty()
                    ? std::string()
                    : "; its " + std::to_string(worker.jobs.size()) + " branch job(s) go to other ranks"));
        worker.jobs.clear();
    }

    void deliver(const Arrival& arrival)
    {
        const auto found = jobs.find(arrival.job);
        if (found == jobs.end())
            return; // trained elsewhere meanwhile
        Job& job = found->second;
        try {
            experiment.addTrainedBranch(job.exit, arrival.bytes, "the branch from " + rankName(arrival.from));
        } catch (const DataError& error) {
            log(std::string(error.what()) + "; it is trained again");
            job.failures = kWorkerAttempts;
            requeue(arrival.job);
            return;
        }
        ++fromWorkers;
        jobOfKey.erase(job.key);
        jobs.erase(found);
    }

    void handle(Message& message)
    {
        const auto found = workers.find(message.from);
        if (found == workers.end())
            return;
        Worker& worker = found->second;
        worker.lastHeard = Clock::now();
        switch (message.tag) {
        case kReady:
            if (!worker.lost) {
                worker.ready = true;
                log(rankName(message.from) + " is ready: it has built the backbone's features");
            }
            break;
        case kResult: {
            if (message.bytes.size() < sizeof(std::int64_t))
                break;
            Arrival arrival { 0, message.from, {} };
            std::memcpy(&arrival.job, message.bytes.data(), sizeof arrival.job);
            arrival.bytes.assign(message.bytes.begin() + std::ptrdiff_t(sizeof arrival.job), message.bytes.end());
            worker.jobs.erase(arrival.job);
            if (trainingHere)
                arrivals.push_back(std::move(arrival));
            else
                deliver(arrival);
            break;
        }
        case kFailed: {
            const Json report = jsonOf(message);
            const std::int64_t id = report.value("job", std::int64_t(-1));
            const std::string error = report.value("error", std::string("unknown error"));
            if (id < 0) {
                loseWorker(message.from, worker, "cannot take branch jobs: " + error);
                break;
            }
            worker.jobs.erase(id);
            if (const auto job = jobs.find(id); job != jobs.end() && job->second.rank == message.from) {
                ++job->second.failures;
                log("a branch job failed on " + error + "; it goes to another rank");
                ++requeues;
                requeue(id);
            }
            break;
        }
        case kStopped:
            worker.stopped = true;
            break;
        case kTorn:
            if (!worker.lost)
                loseWorker(message.from, worker, "stopped in the middle of a message (it has died)");
            break;
        default:
            break; // kAlive
        }
    }

    // Reads every message that has come, gives up silent workers and hands queued jobs to workers with room.
    void pump()
    {
        while (std::optional<Message> message = receive(MPI_ANY_SOURCE, options.silenceSeconds))
            handle(*message);
        const Clock::time_point now = Clock::now();
        for (auto& [rank, worker] : workers) {
            if (!worker.lost && !worker.jobs.empty()
                && std::chrono::duration<double>(now - worker.lastHeard).count() > options.silenceSeconds)
                loseWorker(rank, worker, "has been silent for " + std::to_string(int(options.silenceSeconds)) + " s");
        }
        for (;;) {
            const auto next = std::find_if(
                queued.begin(), queued.end(), [&](std::int64_t id) { return jobs.at(id).failures < kWorkerAttempts; });
            if (next == queued.end())
                return;
            Worker* chosen = nullptr;
            int chosenRank = 0;
            for (auto& [rank, worker] : workers) {
                if (worker.ready && !worker.lost && worker.jobs.size() < kJobsPerWorker
                    && (!chosen || worker.jobs.size() < chosen->jobs.size())) {
                    chosen = &worker;
                    chosenRank = rank;
                }
            }
            if (!chosen)
                return;
            const std::int64_t id = *next;
            queued.erase(next);
            if (!sendJob(chosenRank, id, jobs.at(id))) {
                requeue(id);
                loseWorker(chosenRank, *chosen, "does not take messages any more (it has died)");
                continue;
            }
            if (chosen->jobs.empty())
                chosen->lastHeard = now; // its silence counts from its first job
            if (!std::exchange(chosen->busy, true))
                log(rankName(chosenRank) + " is training its first branch");
            chosen->jobs.insert(id);
            jobs.at(id).rank = chosenRank;
        }
    }

    // Small messages to a live worker go at once; one that is dead is given up on after a few seconds.
    double sendPatience() const { return std::min(options.silenceSeconds, kSendPatienceSeconds); }

    bool sendJob(int rank, std::int64_t id, const Job& job)
    {
        const Json request { { "job", id }, { "exit", exitToJson(search.config().experiment.backbone, job.exit) } };
        return sendPatiently(rank, kJob, bytesOf(request), sendPatience());
    }

    // Trains a queued job on rank 0, handing out work and reading results meanwhile.
    void trainHere(std::int64_t id, const std::function<bool()>& stop)
    {
        queued.erase(std::find(queued.begin(), queued.end(), id));
        Job& job = jobs.at(id);
        job.rank = 0;
        std::atomic<bool> cancel { false };
        const ProgressCallback progress = [&](const TrainingProgress&) {
            pump();
            if (stop())
                cancel = true;
        };
        trainingHere = true;
        try {
            experiment.trainAhead(job.exit, progress, &cancel);
        } catch (...) {
            trainingHere = false;
            requeue(id);
            throw;
        }
        trainingHere = false;
        ++here;
        jobOfKey.erase(job.key);
        jobs.erase(id);
        for (const Arrival& arrival : arrivals)
            deliver(arrival);
        arrivals.clear();
    }

    void stopWorkers()
    {
        const std::vector<std::uint8_t> stop = bytesOf(Json { { "wait", options.silenceSeconds } });
        for (auto& [rank, worker] : workers) {
            worker.lastHeard = Clock::now();
            if (!worker.lost && !sendPatiently(rank, kStop, stop, sendPatience()))
                loseWorker(rank, worker, "does not take messages any more (it has died)");
        }
        // Until each live worker has said goodbye (its results in flight are read and dropped) or gone silent.
        for (;;) {
            while (std::optional<Message> message = receive(MPI_ANY_SOURCE, options.silenceSeconds)) {
                if (const auto found = workers.find(message->from); found != workers.end()) {
                    Worker& worker = found->second;
                    worker.lastHeard = Clock::now();
                    worker.stopped = worker.stopped || message->tag == kStopped;
                    if (message->tag == kTorn && !worker.lost)
                        loseWorker(message->from, worker, "stopped in the middle of a message (it has died)");
                }
            }
            bool waiting = false;
            const Clock::time_point now = Clock::now();
            for (auto& [rank, worker] : workers) {
                if (!worker.lost && !worker.stopped
                    && std::chrono::duration<double>(now - worker.lastHeard).count() > options.silenceSeconds)
                    loseWorker(rank, worker, "did not answer the end of the search");
                waiting = waiting || (!worker.lost && !worker.stopped);
            }
            if (!waiting)
                break;
            std::this_thread::sleep_for(kPollInterval);
        }
        const std::vector<std::uint8_t> final { std::uint8_t(g_finalize ? 1 : 0) };
        for (auto& [rank, worker] : workers) {
            if (worker.stopped)
                sendPatiently(rank, kFinal, final, sendPatience());
        }
    }
};

MpiBranchFarm::MpiBranchFarm(
    Search& search, int ranks, FarmOptions options, std::function<void(const std::string&)> log)
    : m_impl(std::make_unique<Impl>(search, ranks, options, std::move(log)))
{
}

MpiBranchFarm::~MpiBranchFarm()
{
    try {
        m_impl->stopWorkers();
    } catch (const std::exception&) {
        // MPI reports errors as codes here; nothing is left to tell the workers
    }
}

void MpiBranchFarm::start()
{
    Impl& d = *m_impl;
    const std::vector<std::uint8_t> settings = bytesOf(searchConfigToJson(d.search.config()));
    for (auto& [rank, worker] : d.workers) {
        if (!sendPatiently(rank, kSetup, settings, d.sendPatience()))
            d.loseWorker(rank, worker, "does not take messages (it has died)");
    }
}

void MpiBranchFarm::submit(const std::vector<BranchId>& branches)
{
    // Only queued: await() hands them out, once it has taken the next candidate's for rank 0.
    Impl& d = *m_impl;
    for (const BranchId& branch : branches) {
        const ExitSpec& exit = branch.exit();
        const std::string& key = branch.key();
        if (!d.submitted.insert(key).second)
            continue;
        const std::int64_t id = d.nextJob++;
        d.jobs[id] = Impl::Job { exit, key };
        d.jobOfKey[key] = id;
        d.queued.push_back(id);
    }
}

void MpiBranchFarm::await(const std::vector<BranchId>& branches, const std::function<bool()>& stop)
{
    Impl& d = *m_impl;
    std::vector<std::string> keys;
    for (const BranchId& branch : branches)
        keys.push_back(branch.key());
    for (;;) {
        // An awaited branch no worker holds yet is trained here: rank 0 would only wait otherwise. The workers get the
        // rest meanwhile.
        std::optional<std::int64_t> here;
        for (const std::string& key : keys) {
            const auto job = d.jobOfKey.find(key);
            if (!here && job != d.jobOfKey.end() && d.jobs.at(job->second).rank == -1)
                here = job->second;
        }
        if (here) {
            if (stop())
                throw CancelledError();
            d.trainHere(*here, stop);
            continue;
        }
        d.pump();
        const bool waiting
            = std::any_of(keys.begin(), keys.end(), [&](const std::string& key) { return d.jobOfKey.count(key) != 0; });
        if (!waiting)
            return;
        if (stop())
            throw CancelledError();
        std::this_thread::sleep_for(kPollInterval);
    }
}

int MpiBranchFarm::workerBranches() const
{
    return m_impl->fromWorkers;
}
int MpiBranchFarm::localBranches() const
{
    return m_impl->here;
}
int MpiBranchFarm::requeued() const
{
    return m_impl->requeues;
}

#endif

} // namespace earlybird::cli
