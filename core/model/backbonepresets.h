#pragma once

#include "data/datasetspec.h"
#include "model/architecture.h"
#include "model/backbonespec.h"

#include <string>
#include <utility>
#include <vector>

namespace earlybird {

// Preset names (the file names of resources/backbones/*.json), sorted.
std::vector<std::string> backbonePresetNames();
// Throws ConfigError naming the known presets.
BackboneSpec backbonePreset(const std::string& name);
// The preset sized for a data set on a 2-core CPU, with its input shape and class count set to the data set's.
BackboneSpec defaultBackboneFor(const ImageShape& input, int classes);
// A preset adapted to a data set: input shape and classes replaced. Throws ConfigError if the shape is unsuitable.
BackboneSpec adaptBackbone(BackboneSpec backbone, const ImageShape& input, int classes);

// The backbone a data set is searched with: the preset named `preset`, or the one sized for the data set when it is
// empty, given the data set's image shape and class count (read from its test split). The window and the CLI both
// pick backbones here. Throws DataError for unreadable data and ConfigError for an unknown or unsuitable preset.
BackboneSpec backboneForDataset(const DatasetSpec& dataset, const std::string& preset = {});

// A backbone named on a command line: a preset's name, or a JSON file holding a backbone (the presets' form: name,
// input, classes, blocks) or an architecture (its backbone is taken). Throws ConfigError / DataError naming the file.
BackboneSpec backboneFromPresetOrFile(const std::string& nameOrPath);

// An architecture named on a command line: a preset's name or a backbone JSON file (the backbone without early exits),
// or an architecture file. Throws ConfigError / DataError naming the file.
Architecture architectureFromPresetOrFile(const std::string& nameOrPath);

// name -> JSON text, generated at configure time.
const std::vector<std::pair<std::string, std::string>>& embeddedBackbonePresets();

} // namespace earlybird
