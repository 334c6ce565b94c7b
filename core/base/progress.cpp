#include "base/progress.h"

namespace earlybird {

const EnumNames<TrainingPhase>& enumNames(TrainingPhase)
{
    static const EnumNames<TrainingPhase> names { "training phase",
        { { TrainingPhase::None, "" }, { TrainingPhase::LoadingData, "loading data" },
            { TrainingPhase::TrainingBackbone, "training backbone" },
            { TrainingPhase::EvaluatingBackbone, "evaluating backbone" },
            { TrainingPhase::CachingFeatures, "caching features" },
            { TrainingPhase::TrainingBranch, "training branch" }, { TrainingPhase::Refining, "refining" } } };
    return names;
}

} // namespace earlybird
