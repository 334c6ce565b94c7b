#pragma once

// The PyTorch export: a readable, self-contained Python file that rebuilds an exported network as an nn.Module whose
// state_dict names are those of the weights file (Experiment::saveTrainedWeights), returns every exit's logits in
// forward(), applies the exit rule per sample in infer(), and exports itself to ONNX. Nothing from a session is ever
// code in it: every name and text from outside is a Python string literal, escaped.

#include "export/exportednetwork.h"

#include <string>

namespace earlybird {

// The module's source. Run as a program it takes --weights, --check SAMPLES, --onnx FILE and --onnx-segments DIR.
std::string pythonModuleSource(const ExportedNetwork& network);

// `text` as a Python string literal (double quotes, ASCII, every control and non-ASCII character escaped).
std::string pythonStringLiteral(const std::string& text);

} // namespace earlybird
