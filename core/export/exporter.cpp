#include "export/exporter.h"

#include "base/cachefile.h"
#include "base/error.h"
#include "base/fileio.h"
#include "experiment/experiment.h"
#include "export/pythonmodule.h"
#include "export/sessiontables.h"
#include "model/backbonepresets.h"
#include "search/sessionfile.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace earlybird {

const EnumNames<ExportFormat>& enumNames(ExportFormat)
{
    static const EnumNames<ExportFormat> names { "export format",
        { { ExportFormat::Json, "json" }, { ExportFormat::Weights, "weights" }, { ExportFormat::PyTorch, "pytorch" },
            { ExportFormat::Samples, "samples" }, { ExportFormat::Onnx, "onnx" },
            { ExportFormat::OnnxSegments, "onnx-segments" }, { ExportFormat::All, "all" }, { ExportFormat::Csv, "csv" },
            { ExportFormat::FrontCsv, "front-csv" } } };
    return names;
}

bool isSessionTable(ExportFormat format)
{
    return format == ExportFormat::Csv || format == ExportFormat::FrontCsv;
}

namespace {

namespace fs = std::filesystem;

// Runs `arguments` (arguments[0] is looked up on PATH) and waits. Returns the exit code (-1 if it could not start or
// was killed); what it wrote to stderr goes to `errors`.
int runProgram(const std::vector<std::string>& arguments, std::string* errors)
{
    char errorPath[] = "/tmp/earlybird-python-XXXXXX";
    const int errorFile = mkstemp(errorPath);
    if (errorFile < 0)
        return -1;
    const pid_t child = fork();
    if (child == 0) {
        const int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        dup2(errorFile, STDERR_FILENO);
        std::vector<char*> argv;
        for (const std::string& argument : arguments)
            argv.push_back(const_cast<char*>(argument.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    const bool waited = child > 0 && waitpid(child, &status, 0) == child;
    close(errorFile);
    if (errors) {
        std::ifstream in(errorPath);
        std::ostringstream text;
        text << in.rdbuf();
        *errors = text.str();
    }
    unlink(errorPath);
    if (!waited || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

// The last lines of a program's error output, for a message.
std::string tail(const std::string& text, std::size_t lines = 8)
{
    std::vector<std::string> all;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        all.push_back(line);
    std::string last;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
        last += (last.empty() ? "" : "\n") + all[i];
    return last;
}

// A scratch folder removed when it goes out of scope.
struct ScratchFolder {
    std::string path;
    explicit ScratchFolder(const std::string& near)
    {
        const fs::path parent = fs::path(near).parent_path().empty() ? fs::path(".") : fs::path(near).parent_path();
        std::string pattern = (parent / (".earlybird-export-XXXXXX")).string();
        if (!mkdtemp(pattern.data()))
            throw Error("cannot make a scratch folder in " + parent.string());
        path = pattern;
    }
    ~ScratchFolder()
    {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

void refuseExisting(const std::string& path, bool force)
{
    std::error_code ignored;
    if (!force && fs::exists(path, ignored))
        throw ConfigError(path + " already exists (--force replaces it)");
}

// Moves a finished file or folder to `to`, replacing what is there (already allowed by refuseExisting).
void moveInto(const std::string& from, const std::string& to)
{
    std::error_code error;
    if (fs::is_directory(to, error))
        fs::remove_all(to, error);
    fs::rename(from, to, error);
    if (error)
        throw Error("cannot move the export to " + to + ": " + error.message());
}

bool needsWeights(ExportFormat format)
{
    return format != ExportFormat::Json && format != ExportFormat::PyTorch;
}

struct Exporter {
    const ExportRequest& request;
    const ProgressCallback& progress;
    ExportResult result {};
    std::unique_ptr<Experiment> experiment {};
    std::string candidatesTable {}, frontTable {}; // the session's tables, for All

    void resolveFromArchitectureFile()
    {
        if (needsWeights(request.format))
            throw ConfigError("the " + nameOf(request.format)
                + " export needs trained weights: export a session's candidate (SESSION_DIR --candidate ID), not an "
                  "architecture file");
        ExportedNetwork& network = result.network;
        network.architecture = architectureFromPresetOrFile(request.architectureFile);
        network.source = "architecture file " + fs::path(request.architectureFile).filename().string();
        applyThresholds(request.architectureFile, request.thresholds);
    }

    void applyThresholds(const std::string& where, const std::vector<double>& thresholds)
    {
        Architecture& architecture = result.network.architecture;
        if (thresholds.empty())
            return;
        if (thresholds.size() != architecture.exits.size())
            throw ConfigError(where + ": the network has " + std::to_string(architecture.exits.size())
                + " early exits, so it needs " + std::to_string(architecture.exits.size()) + " thresholds, not "
                + std::to_string(thresholds.size()));
        for (std::size_t e = 0; e < thresholds.size(); ++e) {
            const double t = thresholds[e];
            if (!(t >= 0.0 && t <= 1.0))
                throw ConfigError("threshold " + std::to_string(e + 1) + " is " + std::to_string(t)
                    + ": thresholds are confidences, from 0 to 1");
            architecture.exits[e].threshold = t;
        }
    }

    void resolveFromSession()
    {
        const Session session = loadSession(request.session);
        if (request.format == ExportFormat::All) {
            candidatesTable = sessionCsv(session, ExportFormat::Csv);
            frontTable = sessionCsv(session, ExportFormat::FrontCsv);
        }
        int candidate = request.candidate;
        std::vector<double> frontThresholds;
        if (request.frontPoint >= 0) {
            if (request.candidate >= 0)
                throw ConfigError("export a candidate or a front point, not both");
            if (request.frontPoint >= int(session.thresholdFront.size()))
                throw ConfigError(request.session + ": no front point " + std::to_string(request.frontPoint)
                    + " (the front has " + std::to_string(session.thresholdFront.size()) + " points, from 0)");
            const FrontPoint& point = session.thresholdFront[std::size_t(request.frontPoint)];
            candidate = point.candidate;
            frontThresholds = point.thresholds;
        }
        if (candidate < 0 || candidate >= int(session.archive.size()))
            throw ConfigError(request.session + ": no candidate " + std::to_string(candidate)
                + (session.archive.empty() ? std::string(" (the session has none)")
                                           : " (ids are 0 to " + std::to_string(session.archive.size() - 1) + ")"));
        const CandidateRecord& record = session.archive[std::size_t(candidate)];
        ExportedNetwork& network = result.network;
        network.architecture = record.architecture;
        network.convention = session.config.convention;
        network.candidate = record.id;
        network.source = "session " + fs::path(request.session).filename().string() + ", candidate "
            + std::to_string(record.id)
            + (request.frontPoint >= 0 ? ", front point " + std::to_string(request.frontPoint) : std::string());
        applyThresholds(request.session,
            request.frontPoint >= 0 && request.thresholds.empty() ? frontThresholds : request.thresholds);

        ExperimentConfig config = session.config.experiment;
        if (!request.cacheDirectory.empty())
            config.cacheDirectory = request.cacheDirectory;
        if (config.cacheDirectory.empty())
            throw ConfigError(request.session + ": the session kept no cache folder, so its trained weights are gone");
        experiment = std::make_unique<Experiment>(config);
        experiment->setTrainingAllowed(false);
        experiment->prepare(progress);
        if (experiment->report().backboneKey != session.fingerprint)
            throw ConfigError(request.session
                + ": the data or backbone in the cache is not the one the session was run"
                  " on (the data set changed?)");
        network.dataset = nameOf(config.dataset.kind);
        network.classNames = experiment->classNames();
        network.normalisation = experiment->normalisation();

        // The figures of the thresholds exported, from the branches' cached outputs.
        const CandidateOutcomes outcomes = experiment->evaluate(network.architecture, progress);
        const std::vector<double> thresholds = exitThresholds(network.architecture);
        const std::vector<double> macs = exitMacsOf(outcomes.cost, session.config.convention);
        network.validation = ExitPolicy(outcomes.validation, network.architecture.confidence, record.exitCosts, macs)
                                 .evaluate(thresholds);
        network.test
            = ExitPolicy(outcomes.test, network.architecture.confidence, record.exitCosts, macs).evaluate(thresholds);
        network.measured = true;
    }

    void writeText(const std::string& path, const std::string& text)
    {
        writeFileAtomically(path, text);
        result.files.push_back(path);
    }

    // The Python with PyTorch that makes the ONNX graphs; ConfigError when there is none.
    std::string pythonForOnnx() const
    {
        const std::string python = findPythonWithTorch(request.python);
        if (python.empty())
            throw ConfigError(
                "the ONNX export runs PyTorch in Python, and no Python here has it: install python3-torch "
                "(or set EARLYBIRD_PYTHON to an interpreter that has it)");
        return python;
    }

    // Makes the ONNX graphs with the PyTorch module in `python`: `onnxFile` and/or `segmentsFolder` (either may be
    // empty).
    void runOnnxExport(const std::string& python, const std::string& onnxFile, const std::string& segmentsFolder,
        const std::string& scratch)
    {
        const std::string module = scratch + "/network.py";
        const std::string weights = scratch + "/weights.pt";
        if (!fileExists(module))
            writeFileAtomically(module, pythonModuleSource(result.network));
        if (!fileExists(weights))
            experiment->saveTrainedWeights(result.network.architecture, weights);
        std::vector<std::string> arguments { python, module, "--weights", weights };
        if (!onnxFile.empty())
            arguments.insert(arguments.end(), { "--onnx", onnxFile });
        if (!segmentsFolder.empty())
            arguments.insert(arguments.end(), { "--onnx-segments", segmentsFolder });
        std::string errors;
        const int code = runProgram(arguments, &errors);
        if (code != 0)
            throw Error(
                "the ONNX export failed (" + python + " exited with " + std::to_string(code) + "):\n" + tail(errors));
    }

    void write()
    {
        const ExportedNetwork& network = result.network;
        const std::string& out = request.out;
        refuseExisting(out, request.force);
        switch (request.format) {
        case ExportFormat::Json:
            writeText(out, exportedNetworkToJson(network).dump(2) + "\n");
            return;
        case ExportFormat::PyTorch:
            writeText(out, pythonModuleSource(network));
            return;
        case ExportFormat::Weights:
            experiment->saveTrainedWeights(network.architecture, out);
            result.files.push_back(out);
            return;
        case ExportFormat::Samples:
            experiment->saveReferenceSamples(network.architecture, request.samples, out);
            result.files.push_back(out);
            return;
        case ExportFormat::Onnx: {
            ScratchFolder scratch(out);
            runOnnxExport(pythonForOnnx(), scratch.path + "/network.onnx", {}, scratch.path);
            moveInto(scratch.path + "/network.onnx", out);
            result.files.push_back(out);
            return;
        }
        case ExportFormat::OnnxSegments: {
            ScratchFolder scratch(out);
            runOnnxExport(pythonForOnnx(), {}, scratch.path + "/segments", scratch.path);
            moveInto(scratch.path + "/segments", out);
            for (int k = 0; k < network.architecture.exitCount(); ++k)
                result.files.push_back(out + "/segment" + std::to_string(k) + ".onnx");
            return;
        }
        case ExportFormat::All: {
            ScratchFolder scratch(out);
            const std::string folder = scratch.path + "/export";
            makeDirectories(folder);
            writeFileAtomically(folder + "/network.json", exportedNetworkToJson(network).dump(2) + "\n");
            writeFileAtomically(folder + "/network.py", pythonModuleSource(network));
            std::vector<std::string> names { "network.json", "network.py" };
            if (!candidatesTable.empty()) {
                writeFileAtomically(folder + "/candidates.csv", candidatesTable);
                writeFileAtomically(folder + "/front.csv", frontTable);
                names.insert(names.end(), { "candidates.csv", "front.csv" });
            }
            if (experiment) {
                experiment->saveTrainedWeights(network.architecture, folder + "/weights.pt");
                experiment->saveReferenceSamples(network.architecture, request.samples, folder + "/samples.pt");
                names.insert(names.end(), { "weights.pt", "samples.pt" });
                const std::string python = findPythonWithTorch(request.python);
                if (python.empty()) {
                    result.notes.push_back("ONNX left out: no Python here has PyTorch (install python3-torch)");
                } else {
                    runOnnxExport(python, folder + "/network.onnx", folder + "/segments", folder);
                    names.push_back("network.onnx");
                    for (int k = 0; k < network.architecture.exitCount(); ++k)
                        names.push_back("segments/segment" + std::to_string(k) + ".onnx");
                }
            }
            moveInto(folder, out);
            for (const std::string& name : names)
                result.files.push_back(out + "/" + name);
            return;
        }
        case ExportFormat::Csv:
        case ExportFormat::FrontCsv:
            return; // the session's tables: exportNetwork writes them without resolving a network
        }
    }
};

} // namespace

std::string sessionCsv(const Session& session, ExportFormat format)
{
    if (format == ExportFormat::Csv)
        return candidatesCsv(
            session.archive, frontCandidates(session.thresholdFront), session.config.costModel, session.backbone.cost);
    return frontCsv(session.thresholdFront, session.config.costModel, session.backbone.cost);
}

std::string findPythonWithTorch(const std::string& preferred)
{
    std::vector<std::string> candidates;
    if (!preferred.empty())
        candidates.push_back(preferred);
    else {
        if (const char* fromEnvironment = std::getenv("EARLYBIRD_PYTHON"); fromEnvironment && *fromEnvironment)
            candidates.push_back(fromEnvironment);
        candidates.insert(candidates.end(), { "/usr/bin/python3", "python3" });
    }
    for (const std::string& python : candidates) {
        if (runProgram({ python, "-c", "import torch" }, nullptr) == 0)
            return python;
    }
    return {};
}

ExportResult exportNetwork(const ExportRequest& request, const ProgressCallback& progress)
{
    const auto start = std::chrono::steady_clock::now();
    if (request.out.empty())
        throw ConfigError("the export needs an output path");
    if (request.session.empty() == request.architectureFile.empty())
        throw ConfigError("export either a session's candidate or an architecture file");
    if (request.samples < 1)
        throw ConfigError("reference samples: the count must be at least 1");
    refuseExisting(request.out, request.force); // before minutes of loading
    if (isSessionTable(request.format)) {
        if (request.session.empty())
            throw ConfigError("the " + nameOf(request.format) + " export is a session's table: give a session folder");
        ExportResult result;
        writeFileAtomically(request.out, sessionCsv(loadSession(request.session), request.format));
        result.files.push_back(request.out);
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return result;
    }
    Exporter exporter { request, progress };
    if (!request.session.empty())
        exporter.resolveFromSession();
    else
        exporter.resolveFromArchitectureFile();
    exporter.write();
    exporter.result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return exporter.result;
}

} // namespace earlybird
