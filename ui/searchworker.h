#pragma once

#include "costaxis.h"
#include "search/familysearch.h"
#include "search/search.h"
#include "search/searchconfig.h"
#include "search/sessionfile.h"
#include "search/sessionfollower.h"

#include <QElapsedTimer>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QThreadPool>
#include <QTimer>
#include <QVector>

#include <atomic>
#include <memory>
#include <optional>

namespace earlybird::ui {

// Outcomes of one candidate for the threshold sliders: immutable once made, shared between threads.
using OutcomesPointer = std::shared_ptr<const CandidateOutcomes>;

// Which start or open of the worker a signal answers: every signal carries it, and the session controller drops those
// of a run it has since replaced (a followed session's candidates still queued when another session is opened).
using RunId = quint64;

// What the run panel asks for; the worker turns it into a SearchConfig (it loads the data to size the backbone, which
// must not happen on the GUI thread).
struct SearchRequest {
    DatasetSpec dataset;
    QString backbonePreset; // a preset's name or a backbone JSON file; empty: the preset sized for the data set
    QString backboneWeights; // a state_dict trained elsewhere (ExperimentConfig::backboneWeights); empty: train here
    CostModel costModel = CostModel::Macs;
    double targetFraction = 0.6; // of the backbone's cost
    TargetMode mode = TargetMode::Budget;
    double minutes = 10; // 0: no time limit
    int generations = 0; // 0: no generation limit
    int population = 16;
    int seed = 1;
    int epochs = 10;
    Precision precision = Precision::Auto; // of backbone and branch training
    bool calibrate = false; // temperature-scaled exits (ExperimentConfig::calibrate)
    // 0: the exits of one backbone; N: the backbone searched too, over N members of its family (search --family N),
    // their weights each trained or taken out of one supernet. Needs a time budget.
    int familySize = 0;
    FamilyWeights familyWeights = FamilyWeights::Separate;
    QString sessionFolder;
    QString cacheFolder;
};

// Builds the search configuration of a request. Throws earlybird::Error for bad input.
SearchConfig searchConfigFor(const SearchRequest& request);
// The family search of a request with a familySize. Throws earlybird::Error for bad input.
FamilySearchConfig familySearchConfigFor(const SearchRequest& request);
// The request a session's configuration answers to (its folder given apart), for the run panel.
SearchRequest requestFor(const SearchConfig& config, const QString& sessionFolder);

// What the window shows of the session as a whole.
struct SessionInfo {
    QString folder;
    QString name;
    QString backboneName;
    double backboneMacs = 0;
    double backboneTestAccuracy = 0;
    double backboneValidationAccuracy = 0;
    CostAxis cost; // the cost model, with the backbone's cost
    double target = 0; // in the cost model's unit
    TargetMode mode = TargetMode::Budget;
    CostConvention convention = CostConvention::AllEvaluatedBranches;
    bool finished = false;
    bool fromStore = false; // opened from the outputs in its store: no data or backbone loaded
    // The process writing the session while the window follows it ("earlybird-cli (pid 4242 on node07)"), read-only;
    // empty when nobody else writes it.
    QString writer;
    SearchRequest settings; // the session's own settings, as the run panel shows them
    QVector<QPointF> hypervolumeHistory; // (candidates evaluated, front hypervolume on validation) per generation
};

// Runs a Search in its own thread (moveToThread) and turns its events into queued signals carrying value types.
// One way in: start(), resume() or open(), then pause/resume/stop requests and outcome requests, which are served
// between candidates. The GUI thread never calls into LibTorch.
class SearchWorker : public QObject {
    Q_OBJECT
public:
    SearchWorker();
    ~SearchWorker() override;

    // Thread-safe flags, read by the search between batches and candidates.
    void requestPause(bool paused);
    void requestStop();
    bool isPaused() const { return m_pause.load(); }
    // Asks for a candidate's outcomes, answered with outcomesReady: between candidates while a search runs, at once
    // when idle. Thread-safe; the latest request wins. While a search runs here, a candidate whose exits' outputs the
    // session store holds already (`architecture`: the candidate's; null: none given) is answered from the store at
    // once, on a thread of its own, instead of after the candidate in training (which may take a minute on CIFAR).
    void requestOutcomes(int candidateId, const Architecture* architecture = nullptr);

public Q_SLOTS:
    // A new search (a family search, with request.familySize); its signals carry `run`.
    void start(earlybird::ui::RunId run, const earlybird::ui::SearchRequest& request);
    // Reopens a saved session; with `resume`, continues it, else only loads it (for browsing and sliders). Resuming a
    // family's member (or the family's folder) continues the family.
    void openSession(earlybird::ui::RunId run, const QString& folder, bool resume);

Q_SIGNALS:
    // A family search moves to another member (or, once it ends, to the member with its best network within the
    // target): the session in `folder` (labelled by its genes) replaces the one shown; its sessionOpened follows.
    void memberShown(earlybird::ui::RunId run, const QString& folder, const QString& label);
    void sessionOpened(earlybird::ui::RunId run, const earlybird::ui::SessionInfo& info);
    void progress(earlybird::ui::RunId run, const earlybird::SearchProgress& progress);
    void candidateEvaluated(earlybird::ui::RunId run, const earlybird::CandidateRecord& candidate);
    // The session's front over threshold settings (by cost) and its hypervolume on validation.
    void frontChanged(earlybird::ui::RunId run, const QVector<earlybird::FrontPoint>& front, double hypervolume);
    void generationDone(earlybird::ui::RunId run, int generation, double hypervolume);
    void logMessage(earlybird::ui::RunId run, const QString& message);
    void outcomesReady(earlybird::ui::RunId run, int candidateId, const earlybird::ui::OutcomesPointer& outcomes);
    void failed(earlybird::ui::RunId run, const QString& message);
    void finished(earlybird::ui::RunId run, bool completed);
    // The process that was writing a followed session has ended (SessionInfo::writer): everything it saved is shown.
    void followEnded(earlybird::ui::RunId run, bool completed);

private Q_SLOTS:
    void serveRequests();
    // Reads what the writer of a followed session saved since the last look.
    void follow();

private:
    // Opens a session without running it from the outputs in its store, and follows it while another process writes
    // it. False when the store does not hold the outputs of every candidate (a session from before they were stored):
    // then the session is opened the long way, once.
    // `familyFinished`: for a family's member, the family's state, which the window shows instead of the member's.
    bool openFromStore(const QString& folder, std::optional<bool> familyFinished = std::nullopt);
    void stopFollowing();
    // Where the followed session's writer is, for the run panel, as of the last commit read.
    void emitFollowProgress();
    void runSearch(bool run);
    // Runs a family search: the window follows the member being searched, then shows the family's best member.
    void runFamily(std::unique_ptr<FamilySearch> family);
    // Called as a family's slice of `member` starts (`search` prepared) and ends (nullptr).
    void showMember(int member, Search* search);
    void lowerPriorityOnce();
    // Turns a search's events into signals (log lines too, unless `logs` is false).
    std::function<void(const SearchEvent&)> forwarder(bool logs);
    // The search whose session is shown: the one run or opened here, or the family member being searched.
    Search* active() const { return m_member ? m_member : m_search.get(); }
    SessionInfo sessionInfo() const;
    // Answers the request for `candidateId` from the store of the search running in `folder`, if the request is still
    // open and the store holds every exit's outputs; else leaves it to the search loop. On m_storeReader's thread.
    void serveFromStore(RunId run, int candidateId, const Architecture& architecture, const std::string& folder);

    std::unique_ptr<Search> m_search;
    // A family search run here, the member's search of its slice in progress (owned by it; null between slices), and
    // the family's charged seconds and that search's elapsed seconds as the slice began (progress is the family's).
    std::unique_ptr<FamilySearch> m_family;
    Search* m_member = nullptr;
    double m_familyElapsedAtSlice = 0;
    double m_memberElapsedAtSlice = 0;
    QElapsedTimer m_betweenSlices; // since the family's run or its last slice began or ended
    // A session opened from its store: candidates are assembled from its stored outputs, with no data or backbone
    // loaded; while another process writes it, m_followTimer reads what it adds (null when the session is run here or
    // keeps no outputs).
    std::unique_ptr<SessionFollower> m_follower;
    QString m_followedFolder;
    QTimer* m_followTimer;
    RunId m_run = 0; // of the latest start or open
    bool m_lowered = false; // this thread's priority is lowered (once: it cannot be raised back)
    std::atomic<bool> m_stop { false };
    std::atomic<bool> m_pause { false };
    QMutex m_mutex;
    QVector<int> m_requests; // guarded by m_mutex
    QString m_liveFolder; // guarded by m_mutex: the session a search runs in on this worker (empty: none)
    RunId m_liveRun = 0; // guarded by m_mutex: that search's run
    std::optional<SessionOutputs> m_storeOutputs; // the live session's stored outputs as last read: m_storeReader's
    std::string m_storeOutputsFolder;
    // One thread that reads the live session's store. Declared last, so destroyed first: its destructor waits for a
    // read in progress, which uses the members above.
    QThreadPool m_storeReader;
};

} // namespace earlybird::ui

Q_DECLARE_METATYPE(earlybird::ui::SearchRequest)
Q_DECLARE_METATYPE(earlybird::SearchProgress)
Q_DECLARE_METATYPE(earlybird::CandidateRecord)
Q_DECLARE_METATYPE(earlybird::FrontPoint)
Q_DECLARE_METATYPE(earlybird::ui::OutcomesPointer)
Q_DECLARE_METATYPE(earlybird::ui::SessionInfo)
