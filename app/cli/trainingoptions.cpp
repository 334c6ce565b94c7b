#include "trainingoptions.h"

#include "base/error.h"
#include "data/imagefolder.h"

#include "base/cachefile.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <unistd.h>

namespace earlybird::cli {

namespace {
std::atomic<bool> g_interruptRaised { false };
void onInterruptSignal(int)
{
    g_interruptRaised = true;
}
} // namespace

InterruptFlag::InterruptFlag()
{
    g_interruptRaised = false;
    std::signal(SIGINT, onInterruptSignal);
    std::signal(SIGTERM, onInterruptSignal);
}

InterruptFlag::~InterruptFlag()
{
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

CancelFlag InterruptFlag::flag() const
{
    return &g_interruptRaised;
}

bool InterruptFlag::raised() const
{
    return g_interruptRaised;
}

void addDatasetReadingOptions(ArgumentParser& parser)
{
    parser.addOption("image-size", "HxW",
        "folder: resize every image to HxW pixels (default: the most common size among the training images)");
    parser.addFlag("skip-bad-images", "folder: skip images that cannot be decoded (counted) instead of stopping");
}

void applyDatasetReadingOptions(const ArgumentParser& parser, DatasetSpec& spec)
{
    if (const auto size = parser.value("image-size")) {
        ImageFolderOptions options;
        try {
            parseImageSize(*size, options, "--image-size");
        } catch (const ConfigError& e) {
            throw UsageError(e.what());
        }
        spec.imageHeight = options.height;
        spec.imageWidth = options.width;
    }
    spec.skipBadImages = parser.isSet("skip-bad-images");
}

void addTrainingOptions(ArgumentParser& parser)
{
    std::string kinds;
    for (const std::string& name : namesOf<DatasetKind>())
        kinds += (kinds.empty() ? "" : "|") + name;
    parser.addOption("dataset", "KIND", kinds, std::string("fashion-mnist"));
    parser.addOption("path", "PATH",
        "data set folder (Fashion-MNIST: the Debian package's if omitted; folder: ROOT with train/<class>/ and "
        "test/<class>/; numpy: a .npz file or a folder of x_train.npy, y_train.npy, x_test.npy, y_test.npy)");
    addDatasetReadingOptions(parser);
    parser.addOption("epochs", "E", "backbone training epochs", std::string("10"));
    parser.addOption("seed", "S", "random seed of splits, initialisation and training", std::string("1"));
    parser.addOption(
        "validation-fraction", "F", "share of each class held out to tune thresholds on", std::string("0.1"));
    parser.addOption("batch-size", "B", "backbone training batch size", std::string("128"));
    parser.addOption("learning-rate", "LR", "backbone SGD learning rate (cosine schedule)", std::string("0.05"));
    parser.addOption("label-smoothing", "X", "label smoothing of the backbone's loss", std::string("0"));
    parser.addOption(
        "warmup-epochs", "E", "epochs of linear learning-rate warm-up before the cosine schedule", std::string("0"));
    parser.addOption("precision", "auto|fp32|bf16",
        "what training computes in: bf16 autocast where the CPU has bfloat16 instructions (auto), or as set",
        std::string("auto"));
    parser.addOption("branch-epochs", "E", "epochs of each exit branch on cached features", std::string("12"));
    parser.addOption("feature-memory", "MIB",
        "memory for cached backbone features, MiB (default: 60% of the memory available; only what the features "
        "need is taken)");
    parser.addOption("cache", "DIR", "where trained backbones and branches are kept", defaultCacheDirectory());
    parser.addOption("backbone-weights", "FILE",
        "a backbone trained elsewhere: its state_dict (torch.save), used instead of training one (see "
        "import-backbone)");
    parser.addFlag("no-augment", "train the backbone without crop/flip augmentation");
    parser.addFlag("calibrate",
        "calibrate the exits: each exit's logits divided by a temperature fitted on the validation split before its "
        "confidence is measured (thresholds are then tuned, and exported, on calibrated confidences)");
}

ExperimentConfig experimentConfig(const ArgumentParser& parser)
{
    ExperimentConfig config;
    config.dataset.kind = fromName<DatasetKind>(*parser.value("dataset"));
    config.dataset.path = parser.value("path").value_or(std::string());
    applyDatasetReadingOptions(parser, config.dataset);
    config.backboneTraining.epochs = parser.intValue("epochs", 10);
    config.backboneTraining.batchSize = parser.intValue("batch-size", 128);
    config.backboneTraining.learningRate = parser.doubleValue("learning-rate", 0.05);
    config.backboneTraining.labelSmoothing = parser.doubleValue("label-smoothing", 0.0);
    config.backboneTraining.augment = !parser.isSet("no-augment");
    config.backboneTraining.warmupEpochs = parser.intValue("warmup-epochs", 0);
    config.backboneTraining.precision = fromName<Precision>(*parser.value("precision"), "--precision");
    config.branchTraining.precision = config.backboneTraining.precision;
    config.branchTraining.epochs = parser.intValue("branch-epochs", 12);
    config.seed = std::uint64_t(parser.intValue("seed", 1));
    config.validationFraction = parser.doubleValue("validation-fraction", 0.1);
    config.featureCacheBytes = parser.isSet("feature-memory")
        ? std::int64_t(parser.doubleValue("feature-memory", 2048) * double(1 << 20))
        : defaultFeatureCacheBytes();
    config.cacheDirectory = *parser.value("cache");
    config.backboneWeights = parser.value("backbone-weights").value_or(std::string());
    config.calibrate = parser.isSet("calibrate");
    if (config.backboneTraining.epochs < 1 || config.branchTraining.epochs < 1)
        throw UsageError("--epochs and --branch-epochs must be at least 1");
    if (config.backboneTraining.warmupEpochs < 0
        || config.backboneTraining.warmupEpochs >= config.backboneTraining.epochs)
        throw UsageError("--warmup-epochs must be at least 0 and less than --epochs");
    return config;
}

ProgressCallback trainingProgressPrinter(const std::string& backboneName)
{
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    auto lastPhase = std::make_shared<TrainingPhase>(TrainingPhase::None);
    return [terminal, last, lastPhase, backboneName](const TrainingProgress& p) {
        const std::string phase
            = p.phase == TrainingPhase::TrainingBackbone && !backboneName.empty() ? backboneName : nameOf(p.phase);
        const auto now = std::chrono::steady_clock::now();
        const bool newPhase = p.phase != *lastPhase;
        if (!terminal && !newPhase && now - *last < std::chrono::seconds(5) && p.fraction < 1.0)
            return;
        *last = now;
        char line[200];
        if (p.epochs > 0)
            std::snprintf(line, sizeof line, "%s: epoch %d/%d, batch %lld/%lld, loss %.4f, %.0f images/s, ETA %.0f s",
                phase.c_str(), p.epoch, p.epochs, static_cast<long long>(p.batch), static_cast<long long>(p.batches),
                p.loss, p.imagesPerSecond, p.etaSeconds);
        else if (p.batches > 0)
            std::snprintf(line, sizeof line, "%s: %.0f%%, ETA %.0f s", phase.c_str(), p.fraction * 100, p.etaSeconds);
        else
            std::snprintf(line, sizeof line, "%s", phase.c_str());
        if (terminal)
            std::fprintf(stderr, "\r\033[K%s", line);
        else
            std::fprintf(stderr, "%s\n", line);
        if (terminal && newPhase && *lastPhase != TrainingPhase::None)
            std::fprintf(stderr, "\n");
        *lastPhase = p.phase;
    };
}

void endProgressLine()
{
    if (::isatty(STDERR_FILENO))
        std::fprintf(stderr, "\n");
}

std::vector<double> parseThresholds(const std::string& text)
{
    std::vector<double> values;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, comma - start);
        try {
            std::size_t used = 0;
            values.push_back(std::stod(item, &used));
            if (used != item.size())
                throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw UsageError("--thresholds takes numbers separated by commas, not '" + item + "'");
        }
        start = comma + 1;
    }
    return values;
}

} // namespace earlybird::cli
