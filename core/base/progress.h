#pragma once

// How long operations report progress and learn that they should stop.

#include "base/enumnames.h"

#include <atomic>
#include <cstdint>
#include <functional>

namespace earlybird {

// What a long training-side operation is doing.
enum class TrainingPhase {
    None,
    LoadingData,
    TrainingBackbone,
    EvaluatingBackbone,
    CachingFeatures,
    TrainingBranch,
    Refining
};
const EnumNames<TrainingPhase>& enumNames(TrainingPhase); // "loading data", "training backbone", ...

// A snapshot for progress displays.
struct TrainingProgress {
    TrainingPhase phase = TrainingPhase::None;
    int epoch = 0; // 1-based; 0 when the phase has no epochs
    int epochs = 0;
    std::int64_t batch = 0; // 1-based within the epoch
    std::int64_t batches = 0;
    double loss = 0;
    double imagesPerSecond = 0;
    double etaSeconds = 0; // for the phase; 0 if unknown
    double fraction = 0; // of the phase, in [0, 1]
};

using ProgressCallback = std::function<void(const TrainingProgress&)>;

// Cooperative cancellation: long operations read the flag between batches and throw CancelledError when it is set,
// leaving no half-written file behind.
using CancelFlag = const std::atomic<bool>*;

} // namespace earlybird
