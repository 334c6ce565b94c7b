#pragma once

// The session as JSON: one readable document (`earlybird-cli session export`, and the session.json of sessions from
// before the store), and the JSON of the parts the store keeps as text (its meta rows and candidate rows). The only
// code that spells these formats; the store (sessionfile.cpp, sessionfollower.cpp) and the CLI call it.

#include "policy/exitpolicy.h"
#include "search/session.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace earlybird {

// A search's settings as the session file holds them, and back (throws DataError naming `source`).
nlohmann::ordered_json searchConfigToJson(const SearchConfig& config);
SearchConfig searchConfigFromJson(const nlohmann::ordered_json& json, const std::string& source);
// The whole session as one readable JSON document, with the front and hypervolumes derived from the archive.
nlohmann::ordered_json sessionToJson(const Session& session);
// `source` names the file in errors. Throws DataError for another file, a newer format or a corrupt one.
Session sessionFromJson(const nlohmann::ordered_json& json, const std::string& source);

// One policy result as the session file and the CLI write it: accuracy, average cost and MACs, per-exit rates,
// accuracies and counts, samples and thresholds.
nlohmann::ordered_json policyToJson(const PolicyResult& result);
PolicyResult policyFromJson(const nlohmann::ordered_json& json);

// The parts the store keeps as JSON text.
namespace sessionjson {

// Everything but the candidates, keyed as the store's meta rows (kMetaKeys).
nlohmann::ordered_json header(const Session& session);
// The store's meta keys, each a row holding header()'s value.
extern const std::vector<const char*> kMetaKeys;
nlohmann::ordered_json record(const CandidateRecord& record);
// Reads `header` (the meta rows) and `records` (the candidate rows from `session.archive.size()` on, as text) into
// `session`: the candidates appended, the rest replaced. Throws DataError naming `source` for a corrupt, foreign or
// newer session.
void read(const nlohmann::ordered_json& header, const std::vector<std::string>& records, const std::string& source,
    Session& session);

} // namespace sessionjson

} // namespace earlybird
