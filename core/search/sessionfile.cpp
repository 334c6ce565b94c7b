#include "search/sessionfile.h"
#include "search/sessionlock.h"

#include "base/error.h"
#include "base/fileio.h"
#include "model/networkcost.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <thread>

namespace earlybird {

namespace {

using Json = nlohmann::ordered_json;

// Identifies a session file, so that another JSON file given by mistake is named as such.
constexpr const char* kSessionFormat = "earlybird-session";
constexpr int kSessionVersion = 1;
constexpr const char* kSessionFile = "session.db";
// Sessions before the SQLite store: one JSON file, rewritten after every candidate. Still read.
constexpr const char* kLegacySessionFile = "session.json";
// SQLite's header field for the application that owns a database: "EBSS" (Earlybird search session).
constexpr int kApplicationId = 0x45425353;
// Stored candidates parsed on one thread below this many; above it, on every core.
constexpr std::size_t kParallelRecords = 512;
// The meta rows of the store, each a JSON text; the candidates are rows of their own.
constexpr const char* kMetaKeys[] = { "format", "version", "config", "fingerprint", "backbone", "machine", "state",
    "threshold_front", "hypervolume_history" };

// One SQLite connection; every failure is a DataError naming the file.
class Database {
public:
    Database(std::string path, bool create)
        : m_path(std::move(path))
    {
        int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE;
        std::string name = m_path;
        const bool writable = folderWritable(m_path);
        if (create && !writable)
            throw DataError(m_path,
                "cannot save the session: its folder is read-only. Open it to look at it, or copy the folder somewhere "
                "you can write and resume there");
        if (!create && !writable) {
            // A session on read-only media (a DVD, a read-only mount, a shared folder): nobody can change it, and
            // SQLite could not create the WAL index it needs to read, so open it as immutable. Saving then fails with a
            // clear "cannot be written".
            flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
            name = immutableUri(m_path);
        }
        if (sqlite3_open_v2(name.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
            const std::string problem = m_db ? sqlite3_errmsg(m_db) : "out of memory";
            sqlite3_close(m_db);
            m_db = nullptr;
            throw DataError(m_path, "cannot open the session store: " + problem);
        }
        sqlite3_busy_timeout(m_db, 5000); // a window reading while a search writes waits, briefly
    }
    ~Database() { sqlite3_close(m_db); }
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const std::string& sql)
    {
        char* message = nullptr;
        if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
            const std::string problem = message ? message : sqlite3_errmsg(m_db);
            sqlite3_free(message);
            throw DataError(m_path, storeProblem(problem));
        }
    }

    // A prepared statement, finalised when it goes out of scope.
    class Statement {
    public:
        Statement(Database& db, const char* sql)
            : m_db(db)
        {
            if (sqlite3_prepare_v2(db.m_db, sql, -1, &m_statement, nullptr) != SQLITE_OK)
                db.fail();
        }
        ~Statement() { sqlite3_finalize(m_statement); }
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;
        void bind(int index, std::int64_t value) { check(sqlite3_bind_int64(m_statement, index, value)); }
        void bind(int index, const std::string& text)
        {
            check(sqlite3_bind_text(m_statement, index, text.data(), int(text.size()), SQLITE_TRANSIENT));
        }
        void bindBlob(int index, const std::vector<std::uint8_t>& bytes)
        {
            check(sqlite3_bind_blob(m_statement, index, bytes.data(), int(bytes.size()), SQLITE_TRANSIENT));
        }
        // True while there is a row to read.
        bool step()
        {
            const int status = sqlite3_step(m_statement);
            if (status == SQLITE_ROW)
                return true;
            if (status != SQLITE_DONE)
                m_db.fail();
            return false;
        }
        void reset() { sqlite3_reset(m_statement); }
        std::int64_t integer(int column) const { return sqlite3_column_int64(m_statement, column); }
        std::vector<std::uint8_t> blob(int column) const
        {
            const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_statement, column));
            return data ? std::vector<std::uint8_t>(data, data + sqlite3_column_bytes(m_statement, column))
                        : std::vector<std::uint8_t>();
        }
        std::string text(int column) const
        {
            const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
            return data ? std::string(data, std::size_t(sqlite3_column_bytes(m_statement, column))) : std::string();
        }

    private:
        void check(int status)
        {
            if (status != SQLITE_OK)
                m_db.fail();
        }
        Database& m_db;
        sqlite3_stmt* m_statement = nullptr;
    };

    std::int64_t integer(const char* sql)
    {
        Statement statement(*this, sql);
        return statement.step() ? statement.integer(0) : 0;
    }

    // For ending a transaction on the way out of an error: the error that is on its way is the one to report.
    void execQuietly(const char* sql) { sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr); }

    [[noreturn]] void fail() { throw DataError(m_path, storeProblem(sqlite3_errmsg(m_db))); }

private:
    static bool folderWritable(const std::string& file)
    {
        const std::size_t slash = file.find_last_of('/');
        const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
        if (::access(folder.c_str(), F_OK) != 0)
            return true; // missing: SQLite says so when it opens the file
        struct statvfs info { };
        if (::statvfs(folder.c_str(), &info) == 0 && (info.f_flag & ST_RDONLY))
            return false;
        return ::access(folder.c_str(), W_OK) == 0;
    }

    // file:PATH?immutable=1, with the characters a URI reserves percent-encoded.
    static std::string immutableUri(const std::string& path)
    {
        std::string uri = "file:";
        for (const unsigned char c : path) {
            if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
                uri += char(c);
            } else {
                char code[4];
                std::snprintf(code, sizeof code, "%%%02X", c);
                uri += code;
            }
        }
        return uri + "?immutable=1";
    }

    // SQLite's message, with what the system said and what to do when the disk is full or the folder read-only.
    std::string storeProblem(const std::string& problem) const
    {
        if (problem.find("not a database") != std::string::npos)
            return "not an Earlybird search session (" + problem + ")";
        const int lastErrno = errno;
        std::string text = "session store: " + problem;
        int code = m_db ? sqlite3_system_errno(m_db) : 0;
        // SQLite keeps the system's error for opening files, not for a failed write (SQLITE_IOERR_WRITE): errno
        // still holds it then (EFBIG, ENOSPC).
        if (code == 0 && m_db && (sqlite3_extended_errcode(m_db) & 0xff) == SQLITE_IOERR)
            code = lastErrno;
        if (code != 0)
            text += std::string(" (") + std::strerror(code) + ")";
        if (code == ENOSPC || code == EFBIG || code == EDQUOT || problem.find("disk is full") != std::string::npos)
            text += ": no room to save. What is saved so far stays readable; free some space, then resume";
        else if (code == EROFS || code == EACCES || code == EPERM || problem.find("readonly") != std::string::npos)
            text += ": the session folder cannot be written. Open it read-only, or resume in a folder you can write";
        return text;
    }

    std::string m_path;
    sqlite3* m_db = nullptr;
};

// Columns in the store: a sample count (int64), then three float confidences per sample (by measure) and an int32
// prediction per sample, little-endian as this machine writes them. Labels: a count, then int32 labels.
constexpr std::int64_t kMaxStoredSamples = std::int64_t(1) << 28;
const char* const kLabelsKey = "#labels";

template <typename T>
void append(std::vector<std::uint8_t>& bytes, const T* values, std::size_t count)
{
    const auto* raw = reinterpret_cast<const std::uint8_t*>(values);
    bytes.insert(bytes.end(), raw, raw + count * sizeof(T));
}

std::vector<std::uint8_t> encodeColumns(const ExitColumns& columns)
{
    const std::int64_t n = std::int64_t(columns.predictions.size());
    std::vector<std::uint8_t> bytes;
    bytes.reserve(8 + std::size_t(n) * 16);
    append(bytes, &n, 1);
    for (const std::vector<float>& measure : columns.confidence)
        append(bytes, measure.data(), measure.size());
    append(bytes, columns.predictions.data(), columns.predictions.size());
    return bytes;
}

std::vector<std::uint8_t> encodeLabels(const std::vector<std::int32_t>& labels)
{
    const std::int64_t n = std::int64_t(labels.size());
    std::vector<std::uint8_t> bytes;
    append(bytes, &n, 1);
    append(bytes, labels.data(), labels.size());
    return bytes;
}

// Reads what encodeColumns/encodeLabels wrote; false when the size does not add up.
std::int64_t storedCount(const std::vector<std::uint8_t>& bytes)
{
    std::int64_t n = -1;
    if (bytes.size() >= 8)
        std::memcpy(&n, bytes.data(), 8);
    return n >= 0 && n <= kMaxStoredSamples ? n : -1;
}

bool decodeColumns(const std::vector<std::uint8_t>& bytes, ExitColumns& columns)
{
    const std::int64_t n = storedCount(bytes);
    if (n < 0 || bytes.size() != 8 + std::size_t(n) * 16)
        return false;
    const std::uint8_t* at = bytes.data() + 8;
    for (std::vector<float>& measure : columns.confidence) {
        measure.resize(std::size_t(n));
        std::memcpy(measure.data(), at, std::size_t(n) * 4);
        at += n * 4;
    }
    columns.predictions.resize(std::size_t(n));
    std::memcpy(columns.predictions.data(), at, std::size_t(n) * 4);
    return true;
}

bool decodeLabels(const std::vector<std::uint8_t>& bytes, std::vector<std::int32_t>& labels)
{
    const std::int64_t n = storedCount(bytes);
    if (n < 0 || bytes.size() != 8 + std::size_t(n) * 4)
        return false;
    labels.resize(std::size_t(n));
    std::memcpy(labels.data(), bytes.data() + 8, std::size_t(n) * 4);
    return true;
}

constexpr const char* kOutputsTable
    = " CREATE TABLE IF NOT EXISTS outputs (key TEXT PRIMARY KEY, validation BLOB NOT NULL, test BLOB NOT NULL);";

// An integer field: a JSON integer, never a float, whose conversion to an integer type is undefined behaviour when it
// is out of range (fuzz_session_json found 1.06667e+90 in "exit_counts"). Throws ConfigError, which the readers report
// as a corrupt session naming the file.
template <typename T>
T integerOf(const Json& j)
{
    if (!j.is_number_integer())
        throw ConfigError("'" + j.dump().substr(0, 40) + "' where an integer belongs");
    return j.get<T>();
}

template <typename T>
std::vector<T> integersOf(const Json& j)
{
    if (!j.is_array())
        throw ConfigError("'" + j.dump().substr(0, 40) + "' where a list of integers belongs");
    std::vector<T> values;
    values.reserve(j.size());
    for (const Json& item : j)
        values.push_back(integerOf<T>(item));
    return values;
}

// An integer field that older sessions lack.
template <typename T>
T optionalIntegerOf(const Json& j, const char* key, T fallback)
{
    return j.contains(key) ? integerOf<T>(j.at(key)) : fallback;
}

Json spaceJson(const SearchSpaceOptions& o)
{
    std::vector<std::string> types, measures;
    for (const BranchLayerType t : o.layerTypes)
        types.push_back(nameOf(t));
    for (const ConfidenceMeasure m : o.measures)
        measures.push_back(nameOf(m));
    return Json { { "allowed_positions", o.allowedPositions }, { "min_depth", o.minDepth }, { "max_depth", o.maxDepth },
        { "layer_types", types }, { "widths", o.widths }, { "strides", o.strides },
        { "threshold_levels", o.thresholdLevels }, { "measures", measures },
        { "exit_probability", o.exitProbability } };
}

SearchSpaceOptions spaceFromJson(const Json& j, const std::string& source)
{
    SearchSpaceOptions o;
    o.allowedPositions = integersOf<int>(j.at("allowed_positions"));
    o.minDepth = integerOf<int>(j.at("min_depth"));
    o.maxDepth = integerOf<int>(j.at("max_depth"));
    o.layerTypes.clear();
    for (const std::string& name : j.at("layer_types").get<std::vector<std::string>>())
        o.layerTypes.push_back(fromName<BranchLayerType>(name, source));
    o.widths = j.at("widths").get<std::vector<double>>();
    o.strides = integersOf<int>(j.at("strides"));
    o.thresholdLevels = integerOf<int>(j.at("threshold_levels"));
    o.measures.clear();
    for (const std::string& name : j.at("measures").get<std::vector<std::string>>())
        o.measures.push_back(fromName<ConfidenceMeasure>(name, source));
    o.exitProbability = j.at("exit_probability").get<double>();
    return o;
}

Json configJson(const SearchConfig& c)
{
    const ExperimentConfig& e = c.experiment;
    const TrainingOptions& t = e.backboneTraining;
    const BranchTrainingOptions& b = e.branchTraining;
    return Json { { "name", c.name },
        { "dataset",
            { { "kind", nameOf(e.dataset.kind) }, { "path", e.dataset.path },
                { "cifar100_coarse", e.dataset.cifar100CoarseLabels }, { "svhn_extra", e.dataset.svhnIncludeExtra } } },
        { "backbone", backboneToJson(e.backbone) },
        { "backbone_training",
            { { "epochs", t.epochs }, { "batch_size", t.batchSize }, { "learning_rate", t.learningRate },
                { "momentum", t.momentum }, { "weight_decay", t.weightDecay }, { "label_smoothing", t.labelSmoothing },
                { "augment", t.augment } } },
        { "branch_training",
            { { "epochs", b.epochs }, { "batch_size", b.batchSize }, { "learning_rate", b.learningRate },
                { "weight_decay", b.weightDecay } } },
        { "validation_fraction", e.validationFraction }, { "seed", e.seed }, { "cache_directory", e.cacheDirectory },
        { "feature_cache_bytes", e.featureCacheBytes }, { "space", spaceJson(c.space) },
        { "cost_model", nameOf(c.costModel) }, { "target", c.target }, { "target_fraction", c.targetFraction },
        { "mode", nameOf(c.mode) }, { "convention", nameOf(c.convention) }, { "population", c.population },
        { "generations", c.generations }, { "time_budget_seconds", c.timeBudgetSeconds },
        { "crossover_probability", c.crossoverProbability }, { "mutation_rate", c.mutationRate },
        { "aebnas_lambda", c.aebnasLambda }, { "aebnas_grid_step", c.aebnasGridStep },
        { "aebnas_max_combinations", c.aebnasMaxCombinations }, { "random_only", c.randomOnly },
        { "max_branch_macs_fraction", c.maxBranchMacsFraction }, { "max_parameters", c.maxParameters },
        { "composed_per_branch", c.composedPerBranch }, { "screen_epochs", c.screenEpochs },
        { "screen_subset", c.screenSubset }, { "screen_margin", c.screenMargin },
        { "screen_compose", c.screenCompose } };
}

SearchConfig configFromJson(const Json& j, const std::string& source)
{
    SearchConfig c;
    c.name = j.at("name").get<std::string>();
    ExperimentConfig& e = c.experiment;
    const Json& d = j.at("dataset");
    e.dataset.kind = fromName<DatasetKind>(d.at("kind").get<std::string>());
    e.dataset.path = d.at("path").get<std::string>();
    e.dataset.cifar100CoarseLabels = d.at("cifar100_coarse").get<bool>();
    e.dataset.svhnIncludeExtra = d.at("svhn_extra").get<bool>();
    e.backbone = backboneFromJson(j.at("backbone"), source);
    const Json& t = j.at("backbone_training");
    e.backboneTraining.epochs = integerOf<int>(t.at("epochs"));
    e.backboneTraining.batchSize = integerOf<int>(t.at("batch_size"));
    e.backboneTraining.learningRate = t.at("learning_rate").get<double>();
    e.backboneTraining.momentum = t.at("momentum").get<double>();
    e.backboneTraining.weightDecay = t.at("weight_decay").get<double>();
    e.backboneTraining.labelSmoothing = t.at("label_smoothing").get<double>();
    e.backboneTraining.augment = t.at("augment").get<bool>();
    const Json& b = j.at("branch_training");
    e.branchTraining.epochs = integerOf<int>(b.at("epochs"));
    e.branchTraining.batchSize = integerOf<int>(b.at("batch_size"));
    e.branchTraining.learningRate = b.at("learning_rate").get<double>();
    e.branchTraining.weightDecay = b.at("weight_decay").get<double>();
    e.validationFraction = j.at("validation_fraction").get<double>();
    e.seed = integerOf<std::uint64_t>(j.at("seed"));
    e.cacheDirectory = j.at("cache_directory").get<std::string>();
    e.featureCacheBytes = integerOf<std::int64_t>(j.at("feature_cache_bytes"));
    c.space = spaceFromJson(j.at("space"), source);
    // Sessions before cost models had only a MAC target.
    c.costModel = fromName<CostModel>(j.value("cost_model", std::string("macs")));
    c.target = j.contains("target") ? j.at("target").get<double>() : j.at("target_macs").get<double>();
    c.targetFraction = j.value("target_fraction", 0.0);
    c.mode = fromName<TargetMode>(j.at("mode").get<std::string>());
    c.convention = fromName<CostConvention>(j.at("convention").get<std::string>());
    c.population = integerOf<int>(j.at("population"));
    c.generations = integerOf<int>(j.at("generations"));
    c.timeBudgetSeconds = j.at("time_budget_seconds").get<double>();
    c.crossoverProbability = j.at("crossover_probability").get<double>();
    c.mutationRate = j.at("mutation_rate").get<double>();
    c.aebnasLambda = j.at("aebnas_lambda").get<double>();
    c.aebnasGridStep = j.at("aebnas_grid_step").get<double>();
    c.aebnasMaxCombinations = integerOf<std::int64_t>(j.at("aebnas_max_combinations"));
    c.randomOnly = j.at("random_only").get<bool>();
    c.maxBranchMacsFraction = j.value("max_branch_macs_fraction", 0.0);
    c.maxParameters = optionalIntegerOf(j, "max_parameters", std::int64_t(0));
    c.composedPerBranch
        = optionalIntegerOf(j, "composed_per_branch", 0); // sessions before the composer resume without it
    c.screenEpochs = optionalIntegerOf(j, "screen_epochs", 0); // nor screening
    c.screenSubset = j.value("screen_subset", c.screenSubset);
    c.screenMargin = j.value("screen_margin", c.screenMargin);
    c.screenCompose = j.value("screen_compose", c.screenCompose);
    return c;
}

Json recordToJson(const CandidateRecord& r)
{
    return Json { { "id", r.id }, { "generation", r.generation }, { "genome", r.genome },
        { "architecture", architectureToJson(r.architecture) }, { "exit_costs", r.exitCosts },
        { "parameters", r.parameters }, { "validation", policyToJson(r.validation) }, { "test", policyToJson(r.test) },
        { "seconds", r.seconds }, { "branches_trained", r.branchesTrained }, { "composed", r.composed } };
}

CandidateRecord recordFromJson(
    const Json& item, const SearchSpace& space, CostConvention convention, const std::string& source)
{
    CandidateRecord r;
    r.id = integerOf<int>(item.at("id"));
    r.generation = integerOf<int>(item.at("generation"));
    r.genome = space.canonical(integersOf<int>(item.at("genome")));
    r.architecture = architectureFromJson(item.at("architecture"), source);
    r.parameters = optionalIntegerOf(item, "parameters", std::int64_t(0));
    if (item.contains("exit_costs")) {
        r.exitCosts = item.at("exit_costs").get<std::vector<double>>();
    } else { // sessions before cost models counted MACs
        const NetworkCost cost = countNetworkCost(r.architecture);
        r.exitCosts = exitMacsOf(cost, convention);
        r.parameters = cost.totalParameters;
    }
    if (r.exitCosts.size() != r.architecture.exits.size() + 1)
        throw DataError(source, "candidate " + std::to_string(r.id) + " has a cost for the wrong number of exits");
    r.validation = policyFromJson(item.at("validation"));
    r.test = policyFromJson(item.at("test"));
    r.seconds = item.at("seconds").get<double>();
    r.branchesTrained = integerOf<int>(item.at("branches_trained"));
    r.composed = item.value("composed", false);
    return r;
}

void checkIds(const std::vector<int>& ids, std::size_t archiveSize, const char* what, const std::string& source)
{
    for (const int id : ids) {
        if (id < 0 || std::size_t(id) >= archiveSize)
            throw DataError(source, std::string("the ") + what + " names a candidate that is not in the archive");
    }
}

} // namespace

Json policyToJson(const PolicyResult& r)
{
    Json rates = Json::array(), accuracies = Json::array();
    for (std::size_t e = 0; e < r.exitCounts.size(); ++e) {
        rates.push_back(r.exitRate(int(e)));
        accuracies.push_back(r.exitAccuracy(int(e)));
    }
    return Json { { "accuracy", r.accuracy }, { "average_cost", r.averageCost }, { "average_macs", r.averageMacs },
        { "exit_rates", rates }, { "exit_accuracies", accuracies }, { "exit_counts", r.exitCounts },
        { "correct_at_exit", r.correctAtExit }, { "samples", r.samples }, { "thresholds", r.thresholds } };
}

PolicyResult policyFromJson(const Json& j)
{
    PolicyResult r;
    r.accuracy = j.at("accuracy").get<double>();
    r.averageMacs = j.at("average_macs").get<double>();
    r.averageCost = j.value("average_cost", r.averageMacs); // sessions before cost models counted MACs
    r.exitCounts = integersOf<std::int64_t>(j.at("exit_counts"));
    r.correctAtExit = integersOf<std::int64_t>(j.at("correct_at_exit"));
    r.samples = integerOf<std::int64_t>(j.at("samples"));
    r.thresholds = j.at("thresholds").get<std::vector<double>>();
    return r;
}

Json searchConfigToJson(const SearchConfig& config)
{
    return configJson(config);
}

SearchConfig searchConfigFromJson(const Json& json, const std::string& source)
{
    try {
        return configFromJson(json, source);
    } catch (const nlohmann::json::exception& error) {
        throw DataError(source, std::string("unreadable search settings: ") + error.what());
    } catch (const ConfigError& error) {
        throw DataError(source, std::string("unreadable search settings: ") + error.what());
    }
}

std::string sessionFilePath(const std::string& folder)
{
    return folder + "/" + kSessionFile;
}

std::string legacySessionFilePath(const std::string& folder)
{
    return folder + "/" + kLegacySessionFile;
}

bool hasSession(const std::string& folder)
{
    return fileExists(sessionFilePath(folder)) || fileExists(legacySessionFilePath(folder));
}

// Everything but the candidates and what is derived from them.
Json sessionHeaderJson(const Session& s)
{
    Json history = Json::array();
    for (const HypervolumeRecord& h : s.hypervolumeHistory)
        history.push_back(Json { { "generation", h.generation }, { "evaluated", h.evaluated },
            { "elapsed_seconds", h.elapsedSeconds }, { "hypervolume_validation", h.validation },
            { "hypervolume_test", h.test }, { "candidate_hypervolume_validation", h.candidateValidation },
            { "candidate_hypervolume_test", h.candidateTest } });
    Json front = Json::array();
    for (const FrontPoint& p : s.thresholdFront)
        front.push_back(Json { { "candidate", p.candidate }, { "thresholds", p.thresholds }, { "accuracy", p.accuracy },
            { "cost", p.cost }, { "macs", p.macs }, { "test_accuracy", p.testAccuracy }, { "test_cost", p.testCost } });
    const SearchState& state = s.state;
    return Json { { "format", kSessionFormat }, { "version", kSessionVersion }, { "config", configJson(s.config) },
        { "fingerprint", s.fingerprint },
        { "backbone",
            { { "macs", s.backbone.macs }, { "cost", s.backbone.cost },
                { "validation_accuracy", s.backbone.validationAccuracy },
                { "test_accuracy", s.backbone.testAccuracy } } },
        { "machine", s.machine },
        { "hypervolume_reference",
            { { "accuracy", kHypervolumeReferenceAccuracy }, { "cost_vs_backbone", kHypervolumeReferenceCost } } },
        { "state",
            { { "generation", state.generation }, { "population", state.population }, { "offspring", state.offspring },
                { "queue", state.queue }, { "screened_out", state.screenedOut }, { "rng", state.rng },
                { "elapsed_seconds", state.elapsedSeconds }, { "finished", state.finished } } },
        { "threshold_front", front }, { "hypervolume_history", history } };
}

Json sessionToJson(const Session& s)
{
    Json json = sessionHeaderJson(s);
    Json archive = Json::array();
    for (const CandidateRecord& r : s.archive)
        archive.push_back(recordToJson(r));
    // Derived, for readers of the exported file.
    json["archive"] = std::move(archive);
    json["front"] = tradeOffFront(s.archive, s.backbone.cost);
    json["hypervolume"] = { { "validation", frontHypervolume(s.thresholdFront, s.backbone.cost, false) },
        { "test", frontHypervolume(s.thresholdFront, s.backbone.cost, true) },
        { "candidates_validation", tradeOffHypervolume(s.archive, s.backbone.cost, false) },
        { "candidates_test", tradeOffHypervolume(s.archive, s.backbone.cost, true) } };
    return json;
}

namespace {

// What a session is: its format, settings and fingerprint. Throws DataError for another file or a newer format.
void readSessionIdentity(const Json& j, const std::string& source, Session& s)
{
    if (!j.is_object() || j.value("format", std::string()) != kSessionFormat)
        throw DataError(source, "not an Earlybird search session");
    if (integerOf<int>(j.at("version")) > kSessionVersion)
        throw DataError(source, "written by a newer Earlybird");
    s.config = configFromJson(j.at("config"), source);
    validateSearchConfig(s.config);
    s.fingerprint = j.at("fingerprint").get<std::string>();
}

// Appends `count` candidate records to `s.archive`, which their ids must continue; `parse(i, space)` reads record i. At
// thousands of candidates parsing their JSON is most of opening a session, so from kParallelRecords on they are parsed
// on every core (up to 8), in contiguous shares, so that a corrupt record is reported as it would be in order: the
// first.
template <typename Parse>
void appendRecords(std::size_t count, const std::string& source, Session& s, const Parse& parse)
{
    if (count == 0)
        return;
    const SearchSpace space(std::vector<BackboneSpec> { s.config.experiment.backbone }, s.config.space);
    std::vector<CandidateRecord> records(count);
    const std::size_t shares
        = count < kParallelRecords ? 1 : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
    std::vector<std::exception_ptr> errors(shares);
    const auto parseShare = [&](std::size_t share) {
        try {
            for (std::size_t i = share * count / shares; i < (share + 1) * count / shares; ++i)
                records[i] = parse(i, space);
        } catch (...) {
            errors[share] = std::current_exception();
        }
    };
    std::vector<std::thread> helpers;
    for (std::size_t share = 1; share < shares; ++share)
        helpers.emplace_back(parseShare, share);
    parseShare(0);
    for (std::thread& helper : helpers)
        helper.join();
    for (const std::exception_ptr& error : errors) {
        if (error)
            std::rethrow_exception(error);
    }
    for (CandidateRecord& r : records) {
        if (r.id != int(s.archive.size()))
            throw DataError(source, "candidate ids are out of order");
        s.archive.push_back(std::move(r));
    }
}

// A session.json's candidate records (a JSON array).
void readSessionRecords(const Json& records, const std::string& source, Session& s)
{
    appendRecords(records.size(), source, s, [&](std::size_t i, const SearchSpace& space) {
        return recordFromJson(records.at(i), space, s.config.convention, source);
    });
}

// A store's candidate rows, as text.
void readStoredRecords(const std::vector<std::string>& texts, const std::string& source, Session& s)
{
    appendRecords(texts.size(), source, s, [&](std::size_t i, const SearchSpace& space) {
        return recordFromJson(Json::parse(texts[i]), space, s.config.convention, source);
    });
}

// Where the session stands: its state, hypervolume history, front and backbone, checked against `s.archive`.
void readSessionProgress(const Json& j, const std::string& source, Session& s)
{
    const SearchSpace space(std::vector<BackboneSpec> { s.config.experiment.backbone }, s.config.space);
    const Json& state = j.at("state");
    s.state = SearchState();
    s.state.generation = integerOf<int>(state.at("generation"));
    s.state.population = integersOf<int>(state.at("population"));
    s.state.offspring = integersOf<int>(state.at("offspring"));
    for (const Json& genome : state.at("queue"))
        s.state.queue.push_back(space.canonical(integersOf<int>(genome)));
    if (state.contains("screened_out")) // sessions before screening have none
        for (const Json& genome : state.at("screened_out"))
            s.state.screenedOut.push_back(space.canonical(integersOf<int>(genome)));
    s.state.rng = state.at("rng").get<std::string>();
    s.state.elapsedSeconds = state.at("elapsed_seconds").get<double>();
    s.state.finished = state.at("finished").get<bool>();
    checkIds(s.state.population, s.archive.size(), "population", source);
    checkIds(s.state.offspring, s.archive.size(), "offspring", source);
    s.hypervolumeHistory.clear();
    for (const Json& h : j.at("hypervolume_history")) {
        HypervolumeRecord record { integerOf<int>(h.at("generation")), integerOf<int>(h.at("evaluated")),
            h.at("elapsed_seconds").get<double>(), h.at("hypervolume_validation").get<double>(),
            h.at("hypervolume_test").get<double>(), 0, 0 };
        // Before threshold fronts the only hypervolume was the candidates'.
        record.candidateValidation = h.value("candidate_hypervolume_validation", record.validation);
        record.candidateTest = h.value("candidate_hypervolume_test", record.test);
        s.hypervolumeHistory.push_back(record);
    }
    s.thresholdFront.clear();
    if (j.contains("threshold_front")) {
        for (const Json& p : j.at("threshold_front")) {
            FrontPoint point { integerOf<int>(p.at("candidate")), p.at("thresholds").get<std::vector<double>>(),
                p.at("accuracy").get<double>(), p.at("cost").get<double>(), p.at("macs").get<double>(),
                p.at("test_accuracy").get<double>(), p.at("test_cost").get<double>() };
            if (point.candidate < 0 || std::size_t(point.candidate) >= s.archive.size()
                || point.thresholds.size() != s.archive[std::size_t(point.candidate)].architecture.exits.size())
                throw DataError(source, "the threshold front names a candidate that is not in the archive");
            s.thresholdFront.push_back(std::move(point));
        }
    } else {
        ThresholdFront front;
        for (const CandidateRecord& r : s.archive)
            front.add({ { r.id, r.validation.thresholds, r.validation.accuracy, r.validation.averageCost,
                r.validation.averageMacs, r.test.accuracy, r.test.averageCost } });
        s.thresholdFront = front.points();
    }
    const Json& backbone = j.at("backbone");
    s.backbone.macs = backbone.at("macs").get<double>();
    s.backbone.cost = backbone.value("cost", s.backbone.macs);
    s.backbone.validationAccuracy = backbone.value("validation_accuracy", 0.0);
    s.backbone.testAccuracy = backbone.value("test_accuracy", 0.0);
    s.machine = j.value("machine", std::string());
}

// Runs one of the readers above with the JSON and settings errors of a corrupt file turned into a DataError.
template <typename Read>
void readCorruptible(const std::string& source, Read read)
{
    try {
        read();
    } catch (const nlohmann::json::exception& error) {
        throw DataError(source, std::string("corrupt session: ") + error.what());
    } catch (const ConfigError& error) {
        throw DataError(source, std::string("corrupt session: ") + error.what());
    }
}

} // namespace

Session sessionFromJson(const Json& j, const std::string& source)
{
    Session s;
    readCorruptible(source, [&] {
        readSessionIdentity(j, source, s);
        readSessionRecords(j.at("archive"), source, s);
        readSessionProgress(j, source, s);
    });
    return s;
}

void saveSession(const std::string& folder, const Session& session)
{
    saveSession(folder, session, session.archive);
}

void saveSession(const std::string& folder, const Session& session, const std::vector<CandidateRecord>& archive,
    const OutputsUpdate* outputs)
{
    const Json json = sessionHeaderJson(session);
    Database db(sessionFilePath(folder), true);
    // Write-ahead logging: a commit appends, readers are not blocked, and a process killed at any moment leaves the
    // last committed session (NORMAL sync is safe against that; only a power cut may lose the last commits).
    db.exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA application_id=" + std::to_string(kApplicationId)
        + "; CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
          " CREATE TABLE IF NOT EXISTS candidates (id INTEGER PRIMARY KEY, record TEXT NOT NULL);"
        + kOutputsTable);
    // One transaction: all of it or, if anything fails (the connection closes without a commit), none of it.
    db.exec("BEGIN IMMEDIATE");
    // Candidates never change once recorded: only the new ones are written. (MAX reads the last row of the id
    // index; COUNT would scan the whole table.)
    const std::int64_t stored = db.integer("SELECT COALESCE(MAX(id) + 1, 0) FROM candidates");
    Database::Statement insert(db, "INSERT OR REPLACE INTO candidates (id, record) VALUES (?, ?)");
    for (std::size_t i = std::size_t(std::max<std::int64_t>(0, stored)); i < archive.size(); ++i) {
        insert.bind(1, std::int64_t(i));
        insert.bind(2, recordToJson(archive[i]).dump());
        insert.step();
        insert.reset();
    }
    if (outputs && !outputs->exits.empty()) {
        // Outputs never change once stored (an exit's key fixes its training): new keys only.
        Database::Statement output(db, "INSERT OR IGNORE INTO outputs (key, validation, test) VALUES (?, ?, ?)");
        const auto put = [&output](const std::string& key, const std::vector<std::uint8_t>& validation,
                             const std::vector<std::uint8_t>& test) {
            output.bind(1, key);
            output.bindBlob(2, validation);
            output.bindBlob(3, test);
            output.step();
            output.reset();
        };
        put(kLabelsKey, encodeLabels(outputs->validationLabels), encodeLabels(outputs->testLabels));
        for (const auto& [key, exit] : outputs->exits)
            put(key, encodeColumns(exit.validation), encodeColumns(exit.test));
    }
    Database::Statement meta(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    for (const char* key : kMetaKeys) {
        meta.bind(1, std::string(key));
        meta.bind(2, json.at(key).dump());
        meta.step();
        meta.reset();
    }
    db.exec("COMMIT");
}

namespace {

void checkApplicationId(Database& db, const std::string& path)
{
    if (db.integer("PRAGMA application_id") != kApplicationId)
        throw DataError(path, "not an Earlybird search session (another application's SQLite database)");
}

// Reads the store's meta rows and its candidates from `session.archive.size()` on into `session`: the candidates are
// appended, the rest replaced. Within a read transaction, what it reads is one commit's.
void readStore(Database& db, const std::string& path, Session& session)
{
    Json header = Json::object();
    std::vector<std::string> records;
    readCorruptible(path, [&] {
        checkApplicationId(db, path);
        Database::Statement meta(db, "SELECT key, value FROM meta");
        while (meta.step())
            header[meta.text(0)] = Json::parse(meta.text(1));
        Database::Statement candidates(db, "SELECT record FROM candidates WHERE id >= ? ORDER BY id");
        candidates.bind(1, std::int64_t(session.archive.size()));
        while (candidates.step())
            records.push_back(candidates.text(0));
        readSessionIdentity(header, path, session);
        readStoredRecords(records, path, session);
        readSessionProgress(header, path, session);
    });
}

} // namespace

Session loadSession(const std::string& folder)
{
    const std::string path = sessionFilePath(folder);
    if (!fileExists(path)) {
        const std::string legacy = legacySessionFilePath(folder);
        if (!fileExists(legacy))
            throw DataError(path, "cannot open: there is no Earlybird search session in " + folder);
        const std::vector<std::uint8_t> bytes = readFileBytes(legacy);
        Json json;
        try {
            json = Json::parse(bytes.begin(), bytes.end());
        } catch (const nlohmann::json::exception& error) {
            throw DataError(legacy, std::string("corrupt session: ") + error.what());
        }
        return sessionFromJson(json, legacy);
    }
    Database db(path, false);
    Session session;
    readStore(db, path, session);
    return session;
}

std::string exitOutputKey(const ExitSpec& exit)
{
    std::string key = std::to_string(exit.position);
    for (const BranchLayerSpec& layer : exit.layers) {
        key += " " + nameOf(layer.type);
        if (!layer.isPooling()) {
            char width[32];
            std::snprintf(width, sizeof width, "x%.17g/%d", layer.width, layer.stride);
            key += width;
        }
    }
    return key;
}

ExitColumns exitColumns(const ExitOutcomes& outcomes, int exit)
{
    ExitColumns columns;
    const std::int64_t n = outcomes.sampleCount();
    for (int m = 0; m < 3; ++m) {
        columns.confidence[m].resize(std::size_t(n));
        for (std::int64_t i = 0; i < n; ++i)
            columns.confidence[m][std::size_t(i)] = outcomes.confidence(ConfidenceMeasure(m), i, exit);
    }
    columns.predictions.resize(std::size_t(n));
    for (std::int64_t i = 0; i < n; ++i)
        columns.predictions[std::size_t(i)] = outcomes.prediction(i, exit);
    return columns;
}

namespace {

// Whether the store has the outputs table (stores from before it do not).
bool hasOutputsTable(Database& db)
{
    return db.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'outputs'") > 0;
}

} // namespace

std::set<std::string> storedOutputKeys(const std::string& folder)
{
    std::set<std::string> keys;
    const std::string path = sessionFilePath(folder);
    if (!fileExists(path))
        return keys;
    Database db(path, false);
    if (!hasOutputsTable(db))
        return keys;
    Database::Statement select(db, "SELECT key FROM outputs");
    while (select.step())
        keys.insert(select.text(0));
    keys.erase(kLabelsKey);
    return keys;
}

namespace {

// Reads the outputs of the exits that `exits` does not hold yet, and the labels while there are none: all of them
// when opening a session, what the writer added since when following one.
void readNewOutputs(Database& db, const std::string& path, std::vector<std::int32_t>& validationLabels,
    std::vector<std::int32_t>& testLabels, std::map<std::string, StoredExit>& exits)
{
    if (!hasOutputsTable(db))
        return;
    std::vector<std::string> fresh;
    {
        Database::Statement keys(db, "SELECT key FROM outputs");
        while (keys.step()) {
            std::string key = keys.text(0);
            if (key == kLabelsKey ? validationLabels.empty() : !exits.count(key))
                fresh.push_back(std::move(key));
        }
    }
    // The labels first: the exits read are checked against them.
    std::stable_partition(fresh.begin(), fresh.end(), [](const std::string& key) { return key == kLabelsKey; });
    Database::Statement select(db, "SELECT validation, test FROM outputs WHERE key = ?");
    for (const std::string& key : fresh) {
        select.bind(1, key);
        if (!select.step())
            throw DataError(path, "corrupt session: the stored outputs of exit '" + key + "' went missing");
        bool ok = false;
        if (key == kLabelsKey) {
            ok = decodeLabels(select.blob(0), validationLabels) && decodeLabels(select.blob(1), testLabels);
        } else {
            StoredExit exit;
            ok = decodeColumns(select.blob(0), exit.validation) && decodeColumns(select.blob(1), exit.test);
            if (ok && validationLabels.empty())
                throw DataError(path, "corrupt session: exit outputs are stored without the labels");
            if (ok
                && (exit.validation.predictions.size() != validationLabels.size()
                    || exit.test.predictions.size() != testLabels.size()))
                throw DataError(path,
                    "corrupt session: the stored outputs of exit '" + key + "' have "
                        + std::to_string(exit.validation.predictions.size()) + " validation samples, the labels "
                        + std::to_string(validationLabels.size()));
            exits.emplace(key, std::move(exit));
        }
        if (!ok)
            throw DataError(path, "corrupt session: the stored outputs of exit '" + key + "' have the wrong size");
        select.reset();
    }
}

} // namespace

SessionOutputs SessionOutputs::load(const std::string& folder)
{
    SessionOutputs outputs;
    const std::string path = sessionFilePath(folder);
    if (!fileExists(path))
        return outputs;
    Database db(path, false);
    checkApplicationId(db, path);
    readNewOutputs(db, path, outputs.m_validationLabels, outputs.m_testLabels, outputs.m_exits);
    return outputs;
}

bool SessionOutputs::covers(const Architecture& architecture) const
{
    if (!m_exits.count(finalExitOutputKey()))
        return false;
    for (const ExitSpec& exit : architecture.exits) {
        if (!m_exits.count(exitOutputKey(exit)))
            return false;
    }
    return true;
}

CandidateOutcomes SessionOutputs::outcomes(const Architecture& architecture) const
{
    if (!covers(architecture))
        throw ConfigError("the session store does not hold the outputs of every exit of this candidate");
    const int exits = architecture.exitCount();
    CandidateOutcomes outcomes { ExitOutcomes(exits, std::int64_t(m_validationLabels.size())),
        ExitOutcomes(exits, std::int64_t(m_testLabels.size())), countNetworkCost(architecture) };
    const auto place = [&](int e, const StoredExit& stored) {
        outcomes.validation.setExit(e, stored.validation.confidence[0].data(), stored.validation.confidence[1].data(),
            stored.validation.confidence[2].data(), stored.validation.predictions.data(), m_validationLabels.data());
        outcomes.test.setExit(e, stored.test.confidence[0].data(), stored.test.confidence[1].data(),
            stored.test.confidence[2].data(), stored.test.predictions.data(), m_testLabels.data());
    };
    for (std::size_t e = 0; e < architecture.exits.size(); ++e)
        place(int(e), m_exits.at(exitOutputKey(architecture.exits[e])));
    place(exits - 1, m_exits.at(finalExitOutputKey()));
    return outcomes;
}

struct SessionFollower::Store {
    std::string path;
    Database db;
    std::int64_t dataVersion = 0;

    explicit Store(std::string file)
        : path(file)
        , db(std::move(file), false)
    {
    }
};

SessionFollower::SessionFollower(const std::string& folder)
{
    const std::string path = sessionFilePath(folder);
    if (!fileExists(path)) {
        if (fileExists(legacySessionFilePath(folder)))
            throw DataError(
                path, "this session was saved as session.json by an older Earlybird: it cannot be followed");
        if (const std::optional<SessionWriter> writer = sessionWriter(folder))
            throw DataError(path,
                "nothing is saved yet: " + writer->describe()
                    + " is preparing this session (loading the data, training or loading the backbone, caching "
                      "features). Open it again once it has saved its first candidates");
        throw DataError(path, "cannot open: there is no Earlybird search session in " + folder);
    }
    m_store = std::make_unique<Store>(path);
    read();
}

SessionFollower::~SessionFollower() = default;

void SessionFollower::read()
{
    Store& store = *m_store;
    // One read transaction: the candidates and outputs of one commit, so every candidate read has its outputs.
    store.db.exec("BEGIN");
    try {
        store.dataVersion = store.db.integer("PRAGMA data_version");
        readStore(store.db, store.path, m_session);
        readNewOutputs(store.db, store.path, m_outputs.m_validationLabels, m_outputs.m_testLabels, m_outputs.m_exits);
    } catch (...) {
        store.db.execQuietly("ROLLBACK");
        throw;
    }
    store.db.exec("COMMIT");
}

bool SessionFollower::poll()
{
    // PRAGMA data_version changes when another connection commits: checking it reads no page of the store.
    if (m_store->db.integer("PRAGMA data_version") == m_store->dataVersion)
        return false;
    read();
    return true;
}

SessionFront readSessionFront(const std::string& folder)
{
    const Session session = loadSession(folder);
    SessionFront front;
    front.name = session.config.name;
    front.costModel = session.config.costModel;
    for (const FrontPoint& p : session.thresholdFront)
        front.points.emplace_back(p.cost, p.accuracy);
    return front;
}

} // namespace earlybird
