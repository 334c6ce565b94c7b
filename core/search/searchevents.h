#pragma once

// What a running search tells its listener: one type per kind of event, each with the fields it fills and no
// others. A listener visits the variant (or picks the kinds it wants with std::get_if).

#include "base/enumnames.h"
#include "base/progress.h"
#include "search/candidaterecord.h"
#include "search/thresholdfront.h"

#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace earlybird {

// Where a search is. Stopped: ended by the user before it was done (it can be resumed).
enum class SearchPhase { Preparing, Searching, Finished, Stopped };
const EnumNames<SearchPhase>& enumNames(SearchPhase); // "preparing", "searching", "finished", "stopped"

struct SearchProgress {
    SearchPhase phase = SearchPhase::Preparing;
    TrainingProgress training; // while preparing or training a branch
    int evaluated = 0;
    int generation = 0;
    double elapsedSeconds = 0;
    double etaSeconds = 0; // 0 if unknown
    double candidatesPerMinute = 0; // 0 until enough candidates were timed for a rate to mean something
    double fraction = 0; // of the whole search, when a budget or generation count bounds it
};

// Training went on (the backbone while preparing, a branch while searching): several times a second.
struct TrainingEvent {
    SearchProgress progress;
};
// A candidate was evaluated and recorded.
struct CandidateEvent {
    CandidateRecord candidate;
    SearchProgress progress;
};
// The session's front over threshold settings moved.
struct FrontEvent {
    std::vector<FrontPoint> front; // by cost
    double hypervolume = 0; // of `front`, on validation
};
// A generation ended.
struct GenerationEvent {
    int generation = 0;
    double hypervolume = 0; // of the threshold front, on validation
    SearchProgress progress;
};
struct LogEvent {
    std::string message;
};
// The search is done: its budget spent, its generations run, or its space exhausted.
struct FinishedEvent {
    SearchProgress progress;
};

using SearchEvent = std::variant<TrainingEvent, CandidateEvent, FrontEvent, GenerationEvent, LogEvent, FinishedEvent>;
using SearchListener = std::function<void(const SearchEvent&)>;

} // namespace earlybird
