#include "searchworker.h"

#include "base/computethreads.h"
#include "base/error.h"
#include "base/fileio.h"
#include "familyfronts.h"
#include "model/backbonefamily.h"
#include "model/backbonepresets.h"
#include "search/sessionlock.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMutexLocker>

#include <algorithm>
#include <utility>

namespace earlybird::ui {

namespace {
// Progress signals at most this often from training inside a candidate: the window repaints on each.
constexpr int kProgressIntervalMs = 200;
// How much lower than the GUI thread the search runs (nice): on a machine whose cores the search fills, the window's
// thread then gets a core at once when it has work, instead of waiting its turn behind training.
constexpr int kSearchNice = 10;
// How often a followed session is looked at. A look that finds nothing new costs one query of the store's version.
constexpr int kFollowIntervalMs = 1000;
} // namespace

SearchWorker::SearchWorker()
    : m_followTimer(new QTimer(this)) // a child, so it moves to the worker's thread with it
{
    m_followTimer->setInterval(kFollowIntervalMs);
    m_storeReader.setMaxThreadCount(1); // one read at a time: they share m_storeOutputs
    connect(m_followTimer, &QTimer::timeout, this, &SearchWorker::follow);
    qRegisterMetaType<earlybird::ui::SearchRequest>();
    qRegisterMetaType<earlybird::SearchProgress>();
    qRegisterMetaType<earlybird::CandidateRecord>();
    qRegisterMetaType<earlybird::FrontPoint>();
    qRegisterMetaType<QVector<earlybird::FrontPoint>>();
    qRegisterMetaType<earlybird::ui::OutcomesPointer>();
    qRegisterMetaType<earlybird::ui::SessionInfo>();
    qRegisterMetaType<earlybird::ui::RunId>("earlybird::ui::RunId");
}

SearchWorker::~SearchWorker() = default;

void SearchWorker::requestPause(bool paused)
{
    m_pause = paused;
}

void SearchWorker::requestStop()
{
    m_stop = true;
}

void SearchWorker::requestOutcomes(int candidateId, const Architecture* architecture)
{
    QString live;
    RunId run = 0;
    {
        QMutexLocker lock(&m_mutex);
        // Latest request wins: the window only shows the newest selection.
        m_requests = { candidateId };
        live = m_liveFolder;
        run = m_liveRun;
    }
    // Served on the worker thread: by the search loop between candidates, or by this queued call when idle.
    QMetaObject::invokeMethod(this, &SearchWorker::serveRequests, Qt::QueuedConnection);
    // While the search trains a candidate, from the store if it holds this one's outputs.
    if (architecture && !live.isEmpty())
        m_storeReader.start([this, run, candidateId, architecture = *architecture, folder = live.toStdString()] {
            serveFromStore(run, candidateId, architecture, folder);
        });
}

void SearchWorker::serveFromStore(
    RunId run, int candidateId, const Architecture& architecture, const std::string& folder)
{
    {
        QMutexLocker lock(&m_mutex);
        if (!m_requests.contains(candidateId))
            return; // answered, or a newer selection came
    }
    try {
        // The outputs read last time, unless this candidate brought exits saved since: then the store again (a few
        // megabytes: every trained branch's columns).
        if (!m_storeOutputs || m_storeOutputsFolder != folder || !m_storeOutputs->covers(architecture)) {
            m_storeOutputs = SessionOutputs::load(folder);
            m_storeOutputsFolder = folder;
        }
        if (!m_storeOutputs->covers(architecture))
            return; // not saved yet: the search loop answers
        auto outcomes = std::make_shared<const CandidateOutcomes>(m_storeOutputs->outcomes(architecture));
        {
            QMutexLocker lock(&m_mutex);
            if (!m_requests.removeOne(candidateId))
                return; // the search loop was quicker
        }
        Q_EMIT outcomesReady(run, candidateId, outcomes);
    } catch (const std::exception&) {
        // A store mid-write or unreadable: the search loop answers.
    }
}

namespace {

// What the window shows of a session: from a running search or from a session read off its store alike.
SessionInfo sessionInfoOf(const QString& folder, const SearchConfig& config, const BackboneFigures& backbone,
    bool finished, const std::vector<HypervolumeRecord>& hypervolumeHistory)
{
    SessionInfo info;
    info.folder = folder;
    info.name = QString::fromStdString(config.name);
    info.backboneName = QString::fromStdString(config.experiment.backbone.name);
    info.backboneMacs = backbone.macs;
    info.backboneTestAccuracy = backbone.testAccuracy;
    info.backboneValidationAccuracy = backbone.validationAccuracy;
    info.cost = CostAxis::forSession(config.costModel, backbone.cost);
    info.target = config.target;
    info.mode = config.mode;
    info.convention = config.convention;
    info.finished = finished;
    info.settings = requestFor(config, folder);
    // A family's member shows the family's settings: "New search from these settings" starts a family again, not a
    // search on one member's weights.
    if (const std::optional<FamilyOf> family = familyOf(folder)) {
        const FamilySearchConfig& familyConfig = family->session.config;
        info.settings = requestFor(familyConfig.search, family->folder);
        info.settings.backboneWeights.clear();
        info.settings.familySize = int(familyConfig.members.size());
        info.settings.familyWeights = familyConfig.weights;
    }
    for (const HypervolumeRecord& h : hypervolumeHistory)
        info.hypervolumeHistory.append(QPointF(h.evaluated, h.validation));
    return info;
}

} // namespace

SessionInfo SearchWorker::sessionInfo() const
{
    Search* search = active();
    if (!search)
        return SessionInfo();
    const ExperimentReport& report = search->experiment().report();
    SessionInfo info = sessionInfoOf(QString::fromStdString(search->sessionFolder()), search->config(),
        { search->backboneMacs(), search->backboneCost(), report.backboneValidationAccuracy,
            report.backboneTestAccuracy },
        search->isFinished(), search->hypervolumeHistory());
    if (m_member)
        info.finished = m_family->session().finished; // a member's slice ends long before its family
    return info;
}

void SearchWorker::serveRequests()
{
    QVector<int> requests;
    {
        QMutexLocker lock(&m_mutex);
        requests.swap(m_requests);
    }
    if (m_follower) {
        const std::vector<CandidateRecord>& archive = m_follower->session().archive;
        for (const int id : requests) {
            if (id < 0 || id >= int(archive.size()))
                continue;
            try {
                Q_EMIT outcomesReady(m_run, id,
                    std::make_shared<const CandidateOutcomes>(
                        m_follower->outputs().outcomes(archive[std::size_t(id)].architecture)));
            } catch (const std::exception& error) {
                Q_EMIT logMessage(
                    m_run, tr("Could not load candidate %1: %2").arg(id).arg(QString::fromStdString(error.what())));
            }
        }
        return;
    }
    Search* search = active();
    if (!search || !search->isPrepared())
        return;
    for (const int id : requests) {
        if (id < 0 || id >= int(search->archive().size()))
            continue;
        try {
            // All branches of an archived candidate are memoised: this assembles cached columns, it trains nothing.
            auto outcomes = std::make_shared<const CandidateOutcomes>(
                search->experiment().evaluate(search->archive()[std::size_t(id)].architecture));
            Q_EMIT outcomesReady(m_run, id, outcomes);
        } catch (const std::exception& error) {
            Q_EMIT logMessage(
                m_run, tr("Could not load candidate %1: %2").arg(id).arg(QString::fromStdString(error.what())));
        }
    }
}

SearchRequest requestFor(const SearchConfig& config, const QString& sessionFolder)
{
    SearchRequest request;
    const ExperimentConfig& e = config.experiment;
    request.dataset = e.dataset;
    // A preset's name, or empty when it is the preset sized for the data set.
    request.backbonePreset = QString::fromStdString(e.backbone.name);
    try {
        if (defaultBackboneFor(e.backbone.input, e.backbone.classes).name == e.backbone.name)
            request.backbonePreset.clear();
    } catch (const std::exception&) {
    }
    request.costModel = config.costModel;
    request.targetFraction = config.targetFraction > 0 ? config.targetFraction : 0.6;
    request.mode = config.mode;
    request.minutes = config.timeBudgetSeconds / 60.0;
    request.generations = config.generations;
    request.population = config.population;
    request.seed = int(e.seed);
    request.epochs = e.backboneTraining.epochs;
    request.precision = e.backboneTraining.precision;
    request.calibrate = e.calibrate;
    request.backboneWeights = QString::fromStdString(e.backboneWeights);
    request.sessionFolder = sessionFolder;
    request.cacheFolder = QString::fromStdString(e.cacheDirectory);
    return request;
}

SearchConfig searchConfigFor(const SearchRequest& request)
{
    SearchConfig config;
    ExperimentConfig& e = config.experiment;
    e.dataset = request.dataset;
    e.backbone = backboneForDataset(e.dataset, request.backbonePreset.toStdString());
    e.backboneTraining.epochs = request.epochs;
    e.backboneTraining.precision = request.precision;
    e.branchTraining.precision = request.precision;
    e.calibrate = request.calibrate;
    e.backboneWeights = request.backboneWeights.toStdString();
    e.seed = std::uint64_t(request.seed);
    e.cacheDirectory = request.cacheFolder.toStdString();
    e.featureCacheBytes = defaultFeatureCacheBytes();
    config.costModel = request.costModel;
    config.targetFraction = request.targetFraction; // of the backbone's cost, known once the search is prepared
    config.mode = request.mode;
    config.population = request.population;
    config.generations = request.generations;
    config.timeBudgetSeconds = request.minutes * 60.0;
    return config;
}

FamilySearchConfig familySearchConfigFor(const SearchRequest& request)
{
    FamilySearchConfig config;
    config.search = searchConfigFor(request);
    config.members = defaultFamily(config.search.experiment.backbone, request.familySize);
    config.weights = request.familyWeights;
    validateFamilySearchConfig(config);
    return config;
}

void SearchWorker::start(RunId run, const SearchRequest& request)
{
    m_run = run;
    stopFollowing();
    m_search.reset();
    m_family.reset();
    std::unique_ptr<FamilySearch> family;
    try {
        if (request.familySize > 0)
            family
                = std::make_unique<FamilySearch>(familySearchConfigFor(request), request.sessionFolder.toStdString());
        else
            m_search = std::make_unique<Search>(searchConfigFor(request), request.sessionFolder.toStdString());
    } catch (const std::exception& error) {
        Q_EMIT failed(m_run, QString::fromStdString(error.what()));
        Q_EMIT finished(m_run, false);
        return;
    }
    if (family)
        runFamily(std::move(family));
    else
        runSearch(true);
}

bool SearchWorker::openFromStore(const QString& folder, std::optional<bool> familyFinished)
{
    const std::string path = folder.toStdString();
    if (!fileExists(sessionFilePath(path)) && fileExists(legacySessionFilePath(path)))
        return false; // a session.json from before the store
    // Asked before the store is read: a writer that ends after this is followed once more, then let go.
    const std::optional<SessionWriter> writer = sessionWriter(path);
    if (writer && !writer->onThisHost())
        throw DataError(sessionFilePath(path),
            "this session is being written by " + writer->describe()
                + ", another machine. Its store cannot be read from here while it is written (a network file system "
                  "does not share the store's write-ahead index between machines): open it on that machine, or "
                  "once the run has ended");
    auto follower = std::make_unique<SessionFollower>(path);
    const Session& session = follower->session();
    for (const CandidateRecord& record : session.archive) {
        if (!follower->outputs().covers(record.architecture))
            return false;
    }
    m_search.reset();
    SessionInfo info
        = sessionInfoOf(folder, session.config, session.backbone, session.state.finished, session.hypervolumeHistory);
    if (familyFinished)
        info.finished = *familyFinished;
    info.fromStore = true;
    if (writer)
        info.writer = QString::fromStdString(writer->describe());
    Q_EMIT sessionOpened(m_run, info);
    for (const CandidateRecord& record : session.archive)
        Q_EMIT candidateEvaluated(m_run, record);
    Q_EMIT frontChanged(m_run, QVector<FrontPoint>(session.thresholdFront.begin(), session.thresholdFront.end()),
        frontHypervolume(session.thresholdFront, session.backbone.cost, false));
    m_follower = std::move(follower);
    m_followedFolder = folder;
    serveRequests();
    Q_EMIT finished(m_run, info.finished);
    if (writer) {
        emitFollowProgress();
        m_followTimer->start();
    }
    return true;
}

void SearchWorker::stopFollowing()
{
    m_followTimer->stop();
    m_follower.reset();
    m_followedFolder.clear();
}

void SearchWorker::emitFollowProgress()
{
    const Session& session = m_follower->session();
    SearchProgress p;
    p.phase = session.state.finished ? SearchPhase::Finished : SearchPhase::Searching;
    p.evaluated = int(session.archive.size());
    p.generation = session.state.generation;
    p.elapsedSeconds = session.state.elapsedSeconds;
    const double budget = session.config.timeBudgetSeconds;
    if (budget > 0) {
        p.fraction = std::min(1.0, session.state.elapsedSeconds / budget);
        p.etaSeconds = std::max(0.0, budget - session.state.elapsedSeconds);
    }
    Q_EMIT progress(m_run, p);
}

void SearchWorker::follow()
{
    if (!m_follower) {
        m_followTimer->stop();
        return;
    }
    // Asked before the look: whatever a writer that has ended committed, this look reads.
    const bool writing = sessionWriter(m_followedFolder.toStdString()).has_value();
    const Session& session = m_follower->session();
    const std::size_t known = session.archive.size();
    try {
        if (m_follower->poll()) {
            for (std::size_t i = known; i < session.archive.size(); ++i)
                Q_EMIT candidateEvaluated(m_run, session.archive[i]);
            Q_EMIT frontChanged(m_run,
                QVector<FrontPoint>(session.thresholdFront.begin(), session.thresholdFront.end()),
                frontHypervolume(session.thresholdFront, session.backbone.cost, false));
            emitFollowProgress();
        }
    } catch (const std::exception& error) {
        stopFollowing();
        Q_EMIT failed(m_run, tr("Stopped following the session: %1").arg(QString::fromStdString(error.what())));
        return;
    }
    if (!writing) {
        m_followTimer->stop();
        Q_EMIT followEnded(m_run, session.state.finished);
    }
}

void SearchWorker::openSession(RunId run, const QString& folder, bool resume)
{
    m_run = run;
    stopFollowing();
    m_family.reset();
    try {
        if (const std::optional<FamilyOf> family = familyOf(folder)) {
            if (resume) {
                runFamily(FamilySearch::resume(family->folder.toStdString()));
                return;
            }
            if (openFromStore(folder, family->session.finished))
                return;
        }
        if (!resume && openFromStore(folder))
            return;
        if (!resume)
            Q_EMIT logMessage(m_run,
                tr("This session keeps no per-sample outputs yet: loading its data and backbone once "
                   "(from then on it opens at once)."));
        m_search = Search::resume(folder.toStdString());
    } catch (const std::exception& error) {
        Q_EMIT failed(m_run, QString::fromStdString(error.what()));
        Q_EMIT finished(m_run, false);
        return;
    }
    runSearch(resume);
}

void SearchWorker::lowerPriorityOnce()
{
    if (!std::exchange(m_lowered, true) && !lowerThisThreadsPriority(kSearchNice))
        Q_EMIT logMessage(
            m_run, tr("Could not lower the search thread's priority: the window may lag while it trains."));
}

std::function<void(const SearchEvent&)> SearchWorker::forwarder(bool logs)
{
    auto lastProgress = std::make_shared<qint64>(0);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    // A family's progress is over its whole budget: its charged seconds as the slice began, and the member's since.
    const auto report = [this](SearchProgress p) {
        if (m_family) {
            const double budget = m_family->session().config.search.timeBudgetSeconds;
            // Between slices (a member or the supernet preparing), the wall time since the last slice is charged too.
            p.elapsedSeconds = m_member ? m_familyElapsedAtSlice + (p.elapsedSeconds - m_memberElapsedAtSlice)
                                        : m_family->session().elapsedSeconds + m_betweenSlices.elapsed() / 1000.0;
            p.fraction = budget > 0 ? std::clamp(p.elapsedSeconds / budget, 0.0, 1.0) : 0.0;
            p.etaSeconds = std::max(0.0, budget - p.elapsedSeconds);
            if (p.phase == SearchPhase::Finished && !m_family->session().finished)
                p.phase = SearchPhase::Searching; // a member's slice ended, not the family
        }
        Q_EMIT progress(m_run, p);
    };
    return [this, logs, lastProgress, clock, report](const SearchEvent& event) {
        if (const auto* training = std::get_if<TrainingEvent>(&event)) {
            if (clock->elapsed() - *lastProgress < kProgressIntervalMs && training->progress.training.fraction < 1.0)
                return;
            *lastProgress = clock->elapsed();
            report(training->progress);
        } else if (const auto* candidate = std::get_if<CandidateEvent>(&event)) {
            Q_EMIT candidateEvaluated(m_run, candidate->candidate);
            report(candidate->progress);
        } else if (const auto* front = std::get_if<FrontEvent>(&event)) {
            Q_EMIT frontChanged(
                m_run, QVector<FrontPoint>(front->front.begin(), front->front.end()), front->hypervolume);
        } else if (const auto* generation = std::get_if<GenerationEvent>(&event)) {
            Q_EMIT generationDone(m_run, generation->generation, generation->hypervolume);
        } else if (const auto* log = std::get_if<LogEvent>(&event)) {
            if (logs)
                Q_EMIT logMessage(m_run, QString::fromStdString(log->message));
        } else if (const auto* finished = std::get_if<FinishedEvent>(&event)) {
            report(finished->progress);
        }
    };
}

void SearchWorker::runSearch(bool run)
{
    m_stop = false;
    lowerPriorityOnce();
    m_search->setListener(forwarder(true));
    try {
        m_search->prepare(&m_stop);
        Q_EMIT sessionOpened(m_run, sessionInfo());
        for (const CandidateRecord& record : m_search->archive())
            Q_EMIT candidateEvaluated(m_run, record);
        const std::vector<FrontPoint>& front = m_search->thresholdFront();
        Q_EMIT frontChanged(m_run, QVector<FrontPoint>(front.begin(), front.end()), m_search->hypervolume());
        serveRequests();
        if (!run) {
            Q_EMIT finished(m_run, m_search->isFinished());
            return;
        }
        {
            QMutexLocker lock(&m_mutex);
            m_liveFolder = QString::fromStdString(m_search->sessionFolder());
            m_liveRun = m_run;
        }
        // Outcome requests are served between candidates, and while paused (and from the store meanwhile).
        m_search->run(&m_stop, &m_pause, [this] { serveRequests(); });
        Q_EMIT logMessage(
            m_run, tr("Where this run's time went: %1.").arg(QString::fromStdString(describeTimes(m_search->times()))));
    } catch (const CancelledError&) {
        // Stopped mid-candidate: everything before it is saved.
    } catch (const std::exception& error) {
        Q_EMIT failed(m_run, QString::fromStdString(error.what()));
    }
    {
        QMutexLocker lock(&m_mutex);
        m_liveFolder.clear();
    }
    serveRequests();
    Q_EMIT finished(m_run, m_search && m_search->isFinished());
}

void SearchWorker::runFamily(std::unique_ptr<FamilySearch> family)
{
    m_search.reset();
    m_family = std::move(family);
    m_stop = false;
    lowerPriorityOnce();
    const QString folder = QString::fromStdString(m_family->folder());
    Q_EMIT logMessage(m_run,
        tr("A family search over %1 backbones (docs/family-search.md): the window follows the backbone being searched, "
           "with the others' fronts beside it.")
            .arg(m_family->session().members.size()));
    m_family->setLog([this](const std::string& line) { Q_EMIT logMessage(m_run, QString::fromStdString(line)); });
    // Log lines reach setLog's function, labelled by member.
    const auto forward = forwarder(false);
    m_family->setMemberListener([this](int member, Search* search) { showMember(member, search); },
        [forward](int, const SearchEvent& event) { forward(event); });
    m_betweenSlices.start();
    try {
        m_family->run(&m_stop, &m_pause, [this] { serveRequests(); });
    } catch (const CancelledError&) {
        // Stopped while a backbone or the supernet trained: the family is saved.
    } catch (const std::exception& error) {
        Q_EMIT failed(m_run, QString::fromStdString(error.what()));
    }
    m_member = nullptr;
    {
        QMutexLocker lock(&m_mutex);
        m_liveFolder.clear();
    }
    const bool done = m_family->session().finished;
    if (done)
        Q_EMIT logMessage(m_run,
            tr("The family search is done: its joint front's hypervolume is %1 (validation; costs against the base "
               "backbone's).")
                .arg(m_family->session().hypervolume(false), 0, 'f', 4));
    // The family's best member within the target is shown, to browse and export from its stored outputs.
    try {
        QString note;
        const QString best = sessionFolderToOpen(folder, &note);
        if (best != folder && hasSession(best.toStdString())) {
            QString label = QFileInfo(best).fileName();
            for (const FamilyMember& m : m_family->session().members)
                if (QString::fromStdString(m.folder) == QFileInfo(best).fileName())
                    label = QString::fromStdString(m.label);
            Q_EMIT memberShown(m_run, best, label);
            if (!note.isEmpty())
                Q_EMIT logMessage(m_run, note);
            if (openFromStore(best, done))
                return;
        }
    } catch (const std::exception& error) {
        Q_EMIT logMessage(
            m_run, tr("Could not show the family's best member: %1").arg(QString::fromUtf8(error.what())));
    }
    Q_EMIT finished(m_run, done);
}

void SearchWorker::showMember(int member, Search* search)
{
    m_member = search;
    if (!search) {
        m_betweenSlices.start();
        QMutexLocker lock(&m_mutex);
        m_liveFolder.clear();
        return;
    }
    const FamilyMember& m = m_family->session().members[std::size_t(member)];
    m_familyElapsedAtSlice = m_family->session().elapsedSeconds;
    m_memberElapsedAtSlice = search->elapsedSeconds();
    const QString folder = QString::fromStdString(search->sessionFolder());
    Q_EMIT memberShown(m_run, folder, QString::fromStdString(m.label));
    Q_EMIT sessionOpened(m_run, sessionInfo());
    for (const CandidateRecord& record : search->archive())
        Q_EMIT candidateEvaluated(m_run, record);
    const std::vector<FrontPoint>& front = search->thresholdFront();
    Q_EMIT frontChanged(m_run, QVector<FrontPoint>(front.begin(), front.end()), search->hypervolume());
    QMutexLocker lock(&m_mutex);
    m_liveFolder = folder;
    m_liveRun = m_run;
}

} // namespace earlybird::ui
