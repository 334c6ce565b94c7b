#pragma once

// Exporting a chosen network so it runs elsewhere: from a session's candidate (its trained weights, the session's data
// for normalisation and class names, its figures re-measured for the thresholds given) or from an architecture file
// alone (JSON and PyTorch code, untrained). The CLI's `export` and the window's File > Export selected call this.

#include "base/enumnames.h"
#include "base/progress.h"
#include "export/exportednetwork.h"

#include <string>
#include <vector>

namespace earlybird {

enum class ExportFormat {
    Json, // architecture, thresholds, normalisation, class names and measured figures (exportednetwork.h)
    Weights, // the trained parameters, a dict of tensors Python's torch.load reads (names match the PyTorch module)
    PyTorch, // the generated Python module (pythonmodule.h)
    Samples, // reference samples: test images with every exit's logits and exit taken, to check an export against
    Onnx, // one ONNX graph with every exit's logits as outputs (made by the PyTorch module with torch.onnx.export)
    OnnxSegments, // a folder with one ONNX graph per segment, so a device stops early for real
    All, // a folder with every one of the above (and, from a session, both tables below)
    Csv, // the session's candidates, one row each (sessiontables.h): no candidate needed
    FrontCsv, // the session's front over threshold settings, one row per point: no candidate needed
};
const EnumNames<ExportFormat>& enumNames(ExportFormat); // "json", "weights", "pytorch", "samples", "onnx", ...
// Whether the format is one of the session's tables rather than a network.
bool isSessionTable(ExportFormat format);

struct ExportRequest {
    std::string session; // a session folder; or else
    std::string architectureFile; // an architecture JSON file (json and pytorch only: it has no trained weights)
    int candidate = -1; // the session's candidate id (with a session: this or frontPoint)
    int frontPoint = -1; // or: point k of the session's threshold front (by cost, 0 the cheapest): its candidate and
                         // thresholds
    std::vector<double> thresholds; // one per early exit in [0, 1]; empty: the candidate's (or the file's)
    ExportFormat format = ExportFormat::Json;
    std::string out; // the file, or the folder for OnnxSegments and All
    bool force = false; // replace an existing output
    std::string cacheDirectory; // where the trained weights are; empty: the session's own cache folder
    int samples = 256; // reference samples (Samples, All)
    std::string python; // interpreter with PyTorch for ONNX; empty: $EARLYBIRD_PYTHON, /usr/bin/python3, python3
};

struct ExportResult {
    ExportedNetwork network;
    std::vector<std::string> files; // every file written
    std::vector<std::string> notes; // what was left out and why (e.g. ONNX without a Python that has PyTorch)
    double seconds = 0;
};

// Writes the export. Every file is written atomically (a folder appears whole). Throws ConfigError for an unknown
// candidate, thresholds of the wrong count or range, an existing output without `force`, a format that needs weights
// from an architecture file, or a session whose trained weights are no longer in the cache; DataError for a corrupt
// file; Error when the ONNX export fails (with Python's message).
ExportResult exportNetwork(const ExportRequest& request, const ProgressCallback& progress = {});

struct Session;
// The session's candidates (Csv) or front (FrontCsv) as CSV (sessiontables.h).
std::string sessionCsv(const Session& session, ExportFormat format);

// The Python interpreter that has PyTorch (see ExportRequest::python), or empty when there is none.
std::string findPythonWithTorch(const std::string& preferred = {});

} // namespace earlybird
