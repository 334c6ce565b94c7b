#include "argumentparser.h"
#include "commands.h"
#include "trainingoptions.h"

#include "base/fileio.h"
#include "export/exporter.h"
#include "search/sessionfile.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace earlybird::cli {

int runExport(const std::vector<std::string>& arguments)
{
    ArgumentParser parser(
        "earlybird-cli export SESSION_DIR --candidate ID --format F --out PATH [--thresholds t1,...]\n"
        "       earlybird-cli export ARCH.json --format json|pytorch --out PATH",
        "Exports a chosen network so it runs elsewhere, with the candidate's tuned thresholds or --thresholds (one "
        "per\n"
        "early exit, 0 to 1; a front point's thresholds, for instance). Formats:\n"
        "  json           architecture, thresholds, confidence measure, normalisation, class names and the figures\n"
        "                 measured with these thresholds (accuracy per split, average MACs, exit rates, per-exit "
        "MACs);\n"
        "                 `earlybird-cli macs` and the window's File > Open architecture read it\n"
        "  weights        the trained parameters: a dict of tensors that Python's torch.load reads, named as the\n"
        "                 PyTorch module's state_dict\n"
        "  pytorch        a self-contained Python file: an nn.Module that rebuilds the network, loads the weights,\n"
        "                 returns every exit's logits in forward() and applies the exit rule per sample in infer()\n"
        "  samples        reference samples to check an export: test images, every exit's logits, exits taken\n"
        "  onnx           one ONNX graph with every exit's logits as outputs (the host applies the thresholds)\n"
        "  onnx-segments  a folder with one ONNX graph per segment (backbone part up to exit k and exit k's head),\n"
        "                 so a device stops early for real\n"
        "  all            a folder with every one of these (and both tables below)\n"
        "  csv            the session's candidates, one row each (no --candidate)\n"
        "  front-csv      the session's front over threshold settings, one row per point; its first column is\n"
        "                 what --front-point takes (no --candidate)\n"
        "ONNX is made by the generated module with torch.onnx.export, in a Python that has PyTorch (Debian:\n"
        "python3-torch), the same as `python3 network.py --weights weights.pt --onnx network.onnx`. The session's\n"
        "trained weights are read from its cache folder; nothing is trained. Prints what was written as JSON.");
    parser.addPositional(
        "SOURCE", "a session folder, an architecture JSON file or a backbone preset (json and pytorch only)");
    parser.addOption("candidate", "ID", "the session's candidate to export");
    parser.addOption("front-point", "K",
        "or: point K of the session's front over threshold settings (0: the cheapest), its candidate and thresholds");
    parser.addOption("format", "F", "json, weights, pytorch, samples, onnx, onnx-segments, all, csv or front-csv");
    parser.addOption("out", "PATH", "the file to write (a folder for onnx-segments and all)");
    parser.addOption("thresholds", "T1,T2,...", "one per early exit (default: the candidate's tuned thresholds)");
    parser.addOption("samples", "N", "reference samples for samples and all", std::string("256"));
    parser.addOption("cache", "DIR", "where the trained weights are (default: the session's cache folder)");
    parser.addOption("python", "PATH",
        "the Python with PyTorch for ONNX (default: $EARLYBIRD_PYTHON, /usr/bin/python3, python3 on PATH)");
    parser.addFlag("force", "replace PATH if it exists");
    if (!parser.parseCommand(arguments))
        return 0;

    ExportRequest request;
    const std::string source = parser.positionals().at(0);
    if (hasSession(source))
        request.session = source;
    else
        request.architectureFile = source;
    request.format = fromName<ExportFormat>(parser.required("format"), "--format");
    request.out = parser.required("out");
    request.force = parser.isSet("force");
    request.samples = parser.intValue("samples", 256);
    if (request.samples < 1)
        throw UsageError("--samples must be at least 1");
    if (parser.value("thresholds"))
        request.thresholds = parseThresholds(*parser.value("thresholds"));
    if (parser.value("cache"))
        request.cacheDirectory = *parser.value("cache");
    if (parser.value("python"))
        request.python = *parser.value("python");
    if (!request.session.empty() && !isSessionTable(request.format)) {
        if (parser.value("candidate").has_value() == parser.value("front-point").has_value())
            throw UsageError("a session export needs --candidate ID or --front-point K");
        request.candidate = parser.intValue("candidate", -1);
        request.frontPoint = parser.intValue("front-point", -1);
        if (parser.value("candidate") && request.candidate < 0)
            throw UsageError("--candidate must be an id, 0 or more");
        if (parser.value("front-point") && request.frontPoint < 0)
            throw UsageError("--front-point must be 0 or more");
    } else if (parser.value("candidate") || parser.value("front-point")) {
        throw UsageError(request.session.empty()
                ? "--candidate and --front-point go with a session folder, and " + source + " is not one"
                : "the " + nameOf(request.format) + " table is the whole session's: no --candidate or --front-point");
    }
    if (!request.force && fileExists(request.out))
        throw UsageError(request.out + " exists: add --force to replace it");

    const ExportResult result = exportNetwork(request, trainingProgressPrinter());
    endProgressLine();
    nlohmann::ordered_json summary { { "format", nameOf(request.format) }, { "files", result.files },
        { "notes", result.notes }, { "seconds", result.seconds } };
    if (result.network.measured) {
        summary["validation_accuracy"] = result.network.validation.accuracy;
        summary["test_accuracy"] = result.network.test.accuracy;
        summary["average_macs"] = result.network.test.averageMacs;
    }
    std::cout << summary.dump(2) << "\n";
    return 0;
}

} // namespace earlybird::cli
