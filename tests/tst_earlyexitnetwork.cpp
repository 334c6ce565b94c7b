#include "base/computethreads.h"
#include "base/error.h"
#include "base/precision.h"
#include "base/rng.h"
#include "data/batchbuilder.h"
#include "data/channelstats.h"
#include "data/syntheticdataset.h"
#include "errorcapture.h"
#include "fixtures.h"
#include "model/backbonepresets.h"
#include "model/networkcost.h"
#include "nn/earlyexitnetwork.h"
#include "nn/supernet.h"
#include "nn/trainer.h"
#include "search/searchspace.h"

#include <numeric>

#include <QFile>
#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {
std::int64_t parameterCount(const std::vector<torch::Tensor>& parameters)
{
    std::int64_t count = 0;
    for (const torch::Tensor& p : parameters)
        count += p.numel();
    return count;
}

// The analytic counter and a count from the running model (real weight shapes, real output sizes) must agree on
// every block and every exit.
void compareWithRunningModel(const Architecture& architecture)
{
    const NetworkCost cost = countNetworkCost(architecture);
    nn::EarlyExitNetwork network(architecture);
    const ImageShape in = architecture.backbone.input;
    const nn::MeasuredMacs measured
        = network->measureMacsByRunning(torch::randn({ 2, in.channels, in.height, in.width }));
    QCOMPARE(measured.blocks.size(), cost.blocks.size());
    for (std::size_t i = 0; i < cost.blocks.size(); ++i)
        QCOMPARE(measured.blocks[i], cost.blocks[i].macs);
    QCOMPARE(measured.exits.size(), cost.exits.size());
    for (std::size_t e = 0; e < cost.exits.size(); ++e)
        QCOMPARE(measured.exits[e], cost.exits[e].branchMacs);
    QCOMPARE(parameterCount(network->parameters()), cost.totalParameters);
    QCOMPARE(parameterCount(network->backboneParameters()), cost.backboneParameters);
}
// A tiny backbone trained on a tiny synthetic task, for the training loop's tests.
struct TinyTraining {
    Architecture architecture;
    Dataset dataset;
    ChannelStats stats;
    std::vector<std::int64_t> indices;
    TrainingOptions options;
    Augmentation augmentation;

    TinyTraining()
    {
        architecture.backbone = fixtures::tinyBackbone(4);
        SyntheticOptions data;
        data.classes = 4;
        data.shape = { 1, 12, 12 };
        data.trainCount = 192;
        data.testCount = 1;
        dataset = makeSyntheticDataset(data, Split::Train);
        stats = computeChannelStats(dataset);
        indices.resize(std::size_t(dataset.size()));
        std::iota(indices.begin(), indices.end(), 0);
        options.epochs = 3;
        options.batchSize = 32;
        options.warmupEpochs = 1;
        options.precision = Precision::Float32;
        augmentation.padding = 1;
        augmentation.horizontalFlip = true;
    }

    // Trains a fresh network; `checkpoint` as trainBackbone takes it.
    nn::EarlyExitNetwork train(nn::TrainingCheckpoint* checkpoint = nullptr, CancelFlag cancel = nullptr,
        const ProgressCallback& progress = {}) const
    {
        nn::EarlyExitNetwork network(architecture, 3);
        const BatchBuilder builder(dataset, stats);
        nn::trainBackbone(*network, builder, indices, augmentation, options, 3, progress, cancel, checkpoint);
        return network;
    }

    // Trains a fresh supernet over kTinySmall ... kTinyLarge (the largest alone for the first epoch, then the sandwich
    // rule with one random member a step); returns the largest network, whose weights every member shares.
    nn::EarlyExitNetwork trainSupernet(nn::TrainingCheckpoint* checkpoint = nullptr, CancelFlag cancel = nullptr,
        const ProgressCallback& progress = {}) const
    {
        nn::Supernet supernet(fixtures::tinyBackbone(4), { fixtures::kTinySmall, fixtures::kTinyLarge }, 3);
        const BatchBuilder builder(dataset, stats);
        nn::SupernetTraining training;
        training.options = options;
        training.largestEpochs = 1;
        training.randomSubnets = 1;
        nn::trainSupernet(supernet, builder, indices, augmentation, training, 3, progress, cancel, checkpoint);
        return supernet.network();
    }
};

// Runs `train` with a checkpoint and stops it once it reports `stopEpoch` (at the latest, at the epoch's end: the
// next batch stops it); the bytes and epoch of its last checkpoint.
template <typename Train>
std::pair<std::vector<std::uint8_t>, int> stoppedDuring(int stopEpoch, Train train)
{
    std::pair<std::vector<std::uint8_t>, int> saved { {}, 0 };
    nn::TrainingCheckpoint checkpoint;
    checkpoint.save = [&](int epoch, const std::vector<std::uint8_t>& bytes) { saved = { bytes, epoch }; };
    std::atomic<bool> stop { false };
    const ProgressCallback progress = [&](const TrainingProgress& p) { stop = stop || p.epoch == stopEpoch; };
    try {
        train(&checkpoint, &stop, progress);
    } catch (const CancelledError&) {
        return saved;
    }
    return { {}, -1 }; // not stopped
}

bool sameParameters(const nn::EarlyExitNetwork& a, const nn::EarlyExitNetwork& b)
{
    const auto left = a->named_parameters();
    const auto right = b->named_parameters();
    for (const auto& item : left) {
        if (!torch::equal(item.value(), right[item.key()]))
            return false;
    }
    for (const auto& item : a->named_buffers()) {
        if (!torch::equal(item.value(), b->named_buffers()[item.key()]))
            return false;
    }
    return true;
}
// Every parameter and buffer drawn at random (BatchNorm's variances positive), so that a wrong slice shows.
void randomise(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    torch::manual_seed(11);
    for (auto& item : module.named_parameters())
        item.value().copy_(torch::randn_like(item.value()) * 0.5);
    for (auto& item : module.named_buffers())
        if (item.key().find("running_var") != std::string::npos)
            item.value().copy_(torch::rand_like(item.value()) + 0.5);
        else if (item.key().find("running_mean") != std::string::npos)
            item.value().copy_(torch::randn_like(item.value()) * 0.1);
}

torch::Tensor images(int count)
{
    torch::manual_seed(5);
    return torch::randn({ count, 1, 12, 12 });
}

} // namespace

class TestEarlyExitNetwork : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        torch::manual_seed(0);
        setComputeThreads(1); // the same arithmetic order in every run, so trainings compare exactly
    }

    // A training stopped after an epoch and resumed from its checkpoint ends with the very weights of an
    // uninterrupted one: the optimiser, the shuffle order and the augmentation draws are all restored.
    void trainingResumesWhereItStopped()
    {
        const TinyTraining tiny;
        const nn::EarlyExitNetwork uninterrupted = tiny.train();
        std::vector<std::uint8_t> saved;
        int savedEpoch = 0;
        nn::TrainingCheckpoint first;
        first.save = [&](int epoch, const std::vector<std::uint8_t>& bytes) {
            saved = bytes;
            savedEpoch = epoch;
        };
        std::atomic<bool> stop { false };
        // Stops in the second epoch, after the first epoch's checkpoint.
        const ProgressCallback progress = [&](const TrainingProgress& p) { stop = stop || p.epoch == 2; };
        bool cancelled = false;
        try {
            tiny.train(&first, &stop, progress);
        } catch (const CancelledError&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QVERIFY(savedEpoch >= 1 && savedEpoch < tiny.options.epochs);
        nn::TrainingCheckpoint second;
        second.resumeFrom = saved;
        const nn::EarlyExitNetwork resumed = tiny.train(&second);
        QCOMPARE(second.resumedEpoch, savedEpoch);
        QVERIFY(sameParameters(resumed, uninterrupted));
        // Without the checkpoint the second run would differ: the comparison can fail.
        TinyTraining shorter;
        shorter.options.epochs = 2;
        QVERIFY(!sameParameters(shorter.train(), uninterrupted));
    }

    // The same for a supernet stopped in its sandwich phase: the member sampler's draws are restored too, and the
    // seconds the stopped run trained are handed on, so that a resumed training is charged its whole time.
    void supernetTrainingResumesWhereItStopped()
    {
        TinyTraining tiny;
        tiny.options.epochs = 4; // the largest alone in epoch 1, the sandwich rule from epoch 2
        const nn::EarlyExitNetwork uninterrupted = tiny.trainSupernet();
        // Stopped once epoch 3 reports: after epoch 2's checkpoint, or epoch 3's when its only report is its last.
        const auto [saved, savedEpoch]
            = stoppedDuring(3, [&](nn::TrainingCheckpoint* c, CancelFlag stop, const ProgressCallback& p) {
                  tiny.trainSupernet(c, stop, p);
              });
        QVERIFY2(savedEpoch == 2 || savedEpoch == 3, qPrintable(QString::number(savedEpoch)));
        nn::TrainingCheckpoint second;
        second.resumeFrom = saved;
        const nn::EarlyExitNetwork resumed = tiny.trainSupernet(&second);
        QCOMPARE(second.resumedEpoch, savedEpoch);
        QVERIFY(second.resumedSeconds > 0);
        QVERIFY(sameParameters(resumed, uninterrupted));
        // The comparison can fail: a last epoch changes the weights.
        TinyTraining shorter;
        shorter.options.epochs = 3;
        QVERIFY(!sameParameters(shorter.trainSupernet(), uninterrupted));
    }

    // Bytes that are not a checkpoint of this training are ignored: it starts over and ends as an uninterrupted one.
    void foreignCheckpointStartsOver()
    {
        const TinyTraining tiny;
        const nn::EarlyExitNetwork uninterrupted = tiny.train();
        nn::TrainingCheckpoint garbage;
        garbage.resumeFrom = std::vector<std::uint8_t>(300, 7);
        QVERIFY(sameParameters(tiny.train(&garbage), uninterrupted));
        QCOMPARE(garbage.resumedEpoch, 0);
        // A checkpoint of a training on other images (another order length) is not this training's.
        TinyTraining other;
        other.indices.resize(160);
        std::vector<std::uint8_t> foreign;
        nn::TrainingCheckpoint saving;
        saving.save = [&](int, const std::vector<std::uint8_t>& bytes) { foreign = bytes; };
        other.train(&saving);
        QVERIFY(!foreign.empty());
        nn::TrainingCheckpoint mismatched;
        mismatched.resumeFrom = foreign;
        QVERIFY(sameParameters(tiny.train(&mismatched), uninterrupted));
        QCOMPARE(mismatched.resumedEpoch, 0);
    }

    // Channels-last memory changes where values sit, not what is computed: the trained weights agree to rounding,
    // and they come back in the ordinary (contiguous) layout.
    void channelsLastTrainsTheSameNetwork()
    {
        TinyTraining tiny;
        tiny.options.channelsLast = false;
        const nn::EarlyExitNetwork plain = tiny.train();
        tiny.options.channelsLast = true;
        const nn::EarlyExitNetwork channelsLast = tiny.train();
        for (const auto& item : channelsLast->named_parameters()) {
            QVERIFY(item.value().is_contiguous());
            QVERIFY2(
                torch::allclose(item.value(), plain->named_parameters()[item.key()], 1e-3, 1e-4), item.key().c_str());
        }
    }

    // Channels-last is kept for CPUs with AVX-512 (as /proc/cpuinfo says) and dropped elsewhere, also where oneDNN is
    // capped below AVX-512: Debian's oneDNN corrupts the heap in channels-last training with AVX2 kernels.
    void channelsLastOnlyWithAvx512()
    {
        QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
        if (!cpuinfo.open(QIODevice::ReadOnly))
            QSKIP("no /proc/cpuinfo to check CPUID against");
        const QByteArray flags = cpuinfo.readAll();
        const bool avx512f = flags.contains(" avx512f ") || flags.contains(" avx512f\n");
        const QByteArray saved = qgetenv("DNNL_MAX_CPU_ISA");
        const QByteArray savedOne = qgetenv("ONEDNN_MAX_CPU_ISA");
        qunsetenv("ONEDNN_MAX_CPU_ISA");
        qunsetenv("DNNL_MAX_CPU_ISA");
        QCOMPARE(cpuHasAvx512(), avx512f);
        QCOMPARE(resolveChannelsLast(true), avx512f);
        QVERIFY(!resolveChannelsLast(false));
        qputenv("DNNL_MAX_CPU_ISA", "AVX2");
        QVERIFY(!resolveChannelsLast(true));
        qputenv("DNNL_MAX_CPU_ISA", "avx512_core");
        QCOMPARE(resolveChannelsLast(true), avx512f);
        qputenv("ONEDNN_MAX_CPU_ISA", "SSE41");
        QVERIFY(!resolveChannelsLast(true));
        qunsetenv("ONEDNN_MAX_CPU_ISA");
        qunsetenv("DNNL_MAX_CPU_ISA");
        if (!saved.isNull())
            qputenv("DNNL_MAX_CPU_ISA", saved);
        if (!savedOne.isNull())
            qputenv("ONEDNN_MAX_CPU_ISA", savedOne);
    }

    // bf16 autocast (emulated where the CPU lacks the instructions) trains: weights stay float32, the arithmetic is
    // not fp32's (the weights differ), and the loss falls as fp32's does, to within rounding.
    void bf16AutocastTrains()
    {
        TinyTraining tiny;
        tiny.options.epochs = 4;
        std::vector<double> epochLoss(5, 0.0);
        const ProgressCallback progress = [&](const TrainingProgress& p) {
            if (p.batch == p.batches)
                epochLoss[std::size_t(p.epoch)] = p.loss;
        };
        const nn::EarlyExitNetwork fp32 = tiny.train(nullptr, nullptr, progress);
        const double fp32Loss = epochLoss[4];
        tiny.options.precision = Precision::BFloat16;
        const nn::EarlyExitNetwork bf16 = tiny.train(nullptr, nullptr, progress);
        for (const torch::Tensor& p : bf16->parameters()) {
            QCOMPARE(p.scalar_type(), torch::kFloat);
            QVERIFY(torch::isfinite(p).all().item<bool>());
        }
        QVERIFY(!sameParameters(bf16, fp32));
        QVERIFY2(epochLoss[4] < epochLoss[1] - 0.1 && std::abs(epochLoss[4] - fp32Loss) < 0.05,
            qPrintable(
                QStringLiteral("bf16 loss %1 -> %2, fp32 %3").arg(epochLoss[1]).arg(epochLoss[4]).arg(fp32Loss)));
        QCOMPARE(resolvePrecision(Precision::Float32), Precision::Float32);
        QCOMPARE(resolvePrecision(Precision::Auto), cpuHasBf16() ? Precision::BFloat16 : Precision::Float32);
    }

    void presetsMatchTheCounter_data()
    {
        QTest::addColumn<QString>("preset");
        for (const std::string& name : backbonePresetNames())
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }
    void presetsMatchTheCounter()
    {
        QFETCH(QString, preset);
        Architecture architecture;
        architecture.backbone = backbonePreset(preset.toStdString());
        compareWithRunningModel(architecture);
    }

    void randomArchitecturesMatchTheCounter()
    {
        for (const char* preset : { "fashion-mobilenet", "fashion-resnet" }) {
            const SearchSpace space({ backbonePreset(preset) });
            Rng rng(11);
            for (int i = 0; i < 25; ++i)
                compareWithRunningModel(space.decode(space.sample(rng)));
        }
    }

    // Deep pooling and strided layers late in the network reach 1x1 maps; the branch must still run and count right.
    void branchesOnTinyMaps()
    {
        Architecture architecture;
        architecture.backbone = backbonePreset("fashion-resnet"); // 4x4 after the last block
        architecture.exits = { { 4,
            { { BranchLayerType::MaxPool2x2, 1, 2 }, { BranchLayerType::AvgPool2x2, 1, 2 },
                { BranchLayerType::DepthwiseSeparable5x5, 2.0, 2 } },
            0.5 } };
        compareWithRunningModel(architecture);
        QCOMPARE(countNetworkCost(architecture).exits[0].layers[2].output, (ImageShape { 64, 1, 1 }));
    }

    void forwardGivesEveryExitsLogits()
    {
        const SearchSpace space({ backbonePreset("fashion-resnet") });
        Rng rng(2);
        Architecture architecture = space.decode(space.sample(rng));
        architecture.exits = { { 0, {}, 0.5 }, { 3, { { BranchLayerType::Conv3x3, 0.5, 2 } }, 0.5 } };
        nn::EarlyExitNetwork network(architecture);
        const std::vector<torch::Tensor> logits = network->forward(torch::randn({ 5, 1, 28, 28 }));
        QCOMPARE(logits.size(), std::size_t(3));
        for (const torch::Tensor& l : logits)
            QCOMPARE(l.sizes().vec(), (std::vector<std::int64_t> { 5, 10 }));
    }

    void inferenceStopsAtTheFirstConfidentExit()
    {
        Architecture architecture;
        architecture.backbone = backbonePreset("fashion-resnet");
        architecture.exits = { { 1, {}, 0.3 }, { 3, { { BranchLayerType::Pointwise1x1, 1.0, 1 } }, 0.3 } };
        nn::EarlyExitNetwork network(architecture);
        network->eval();
        const torch::Tensor input = torch::randn({ 64, 1, 28, 28 });

        // Threshold 0: everything leaves at the first exit.
        std::vector<double> thresholds { 0.0, 0.0 };
        nn::InferenceResult result = network->infer(input, &thresholds);
        QVERIFY(result.exitIndex.eq(0).all().item<bool>());
        // Unreachable thresholds: everything reaches the final exit.
        thresholds = { 2.0, 2.0 };
        result = network->infer(input, &thresholds);
        QVERIFY(result.exitIndex.eq(2).all().item<bool>());

        // In between: each sample's exit and prediction agree with the full forward pass.
        std::vector<torch::Tensor> logits;
        {
            torch::NoGradGuard noGrad;
            logits = network->forward(input);
        }
        std::vector<torch::Tensor> confidence;
        for (const torch::Tensor& l : logits)
            confidence.push_back(nn::exitConfidence(l, architecture.confidence));
        thresholds = { confidence[0].median().item<double>(), confidence[1].median().item<double>() };
        result = network->infer(input, &thresholds);
        std::vector<int> taken(3, 0);
        for (std::int64_t n = 0; n < 64; ++n) {
            int expected = 2;
            for (int e = 0; e < 2; ++e) {
                if (confidence[std::size_t(e)][n].item<double>() >= thresholds[std::size_t(e)]) {
                    expected = e;
                    break;
                }
            }
            QCOMPARE(result.exitIndex[n].item<std::int64_t>(), std::int64_t(expected));
            QCOMPARE(result.predictions[n].item<std::int64_t>(),
                logits[std::size_t(expected)][n].argmax().item<std::int64_t>());
            ++taken[std::size_t(expected)];
        }
        QVERIFY(taken[0] > 0 && taken[0] < 64);

        // One sample at a time (the device path, with scalar decisions): the same exit, prediction and confidence.
        // A convolution of one sample may round differently from the same sample in a batch, so samples within 1e-4
        // of a threshold (the median samples sit exactly on it) could go either way and are left out.
        int compared = 0;
        for (std::int64_t n = 0; n < 64; ++n) {
            bool nearThreshold = false;
            for (int e = 0; e < 2; ++e)
                nearThreshold
                    |= std::abs(confidence[std::size_t(e)][n].item<double>() - thresholds[std::size_t(e)]) < 1e-4;
            if (nearThreshold)
                continue;
            ++compared;
            const nn::InferenceResult one = network->infer(input.slice(0, n, n + 1), &thresholds);
            QCOMPARE(one.exitIndex.size(0), std::int64_t(1));
            QCOMPARE(one.exitIndex[0].item<std::int64_t>(), result.exitIndex[n].item<std::int64_t>());
            QCOMPARE(one.predictions[0].item<std::int64_t>(), result.predictions[n].item<std::int64_t>());
            QVERIFY(std::abs(one.confidence[0].item<float>() - result.confidence[n].item<float>()) < 1e-5f);
        }
        QVERIFY(compared >= 56);
    }

    void confidenceMeasures()
    {
        const torch::Tensor logits = torch::tensor({ { 10.0f, 0.0f, 0.0f }, { 1.0f, 1.0f, 1.0f } });
        const torch::Tensor margin = nn::exitConfidence(logits, ConfidenceMeasure::ScoreMargin);
        QVERIFY(margin[0].item<float>() > 0.99f);
        QVERIFY(std::abs(margin[1].item<float>()) < 1e-6f);
        const torch::Tensor top = nn::exitConfidence(logits, ConfidenceMeasure::MaxSoftmax);
        QVERIFY(std::abs(top[1].item<float>() - 1.0f / 3.0f) < 1e-6f);
        const torch::Tensor entropy = nn::exitConfidence(logits, ConfidenceMeasure::Entropy);
        QVERIFY(entropy[0].item<float>() > 0.99f);
        QVERIFY(std::abs(entropy[1].item<float>()) < 1e-5f);
    }

    // Temperature scaling: the confidence of logits / T, and the T that maximises the labels' likelihood.
    void temperatureScaling()
    {
        const torch::Tensor logits = torch::tensor({ { 2.0f, 1.0f, 0.0f }, { 0.5f, 3.0f, -1.0f } });
        for (const ConfidenceMeasure measure :
            { ConfidenceMeasure::ScoreMargin, ConfidenceMeasure::MaxSoftmax, ConfidenceMeasure::Entropy })
            QVERIFY(nn::exitConfidence(logits, measure, 2.5).equal(nn::exitConfidence(logits / 2.5, measure)));
        QVERIFY(nn::exitConfidence(logits, ConfidenceMeasure::MaxSoftmax, 1.0)
                    .equal(nn::exitConfidence(logits, ConfidenceMeasure::MaxSoftmax)));

        // Labels drawn from softmax(z / 2): the fitted temperature finds the 2 again, within sampling error.
        torch::manual_seed(7);
        const torch::Tensor z = torch::randn({ 20000, 5 }) * 4;
        const torch::Tensor labels = torch::multinomial(torch::softmax(z / 2.0, 1), 1).squeeze(1);
        const double fitted = nn::fitTemperature(z, labels);
        QVERIFY2(std::abs(fitted - 2.0) < 0.1, std::to_string(fitted).c_str());
        // And it is the likelihood's minimum: a little either side is worse.
        const auto nll = [&](double t) { return torch::nn::functional::cross_entropy(z / t, labels).item<double>(); };
        QVERIFY(nll(fitted) <= nll(fitted * 1.05) && nll(fitted) <= nll(fitted / 1.05));
        // Always right and ever surer is better: the smallest temperature allowed; never right: the largest.
        const torch::Tensor argmax = z.argmax(1);
        QCOMPARE(nn::fitTemperature(z, argmax), kMinTemperature);
        QCOMPARE(nn::fitTemperature(z, z.argmin(1)), kMaxTemperature);

        // The network's inference divides each early exit's logits by its temperature before the threshold.
        Architecture architecture;
        architecture.backbone = backbonePreset("fashion-resnet");
        architecture.confidence = ConfidenceMeasure::MaxSoftmax;
        architecture.exits = { { 1, {}, 0.0 } };
        nn::EarlyExitNetwork network(architecture);
        network->eval();
        const torch::Tensor input = torch::randn({ 32, 1, 28, 28 });
        torch::Tensor first;
        {
            torch::NoGradGuard noGrad;
            first = network->forward(input)[0];
        }
        architecture.exits[0].temperature = 0.05; // sharper: more samples sure enough to leave
        nn::EarlyExitNetwork sharp(architecture);
        sharp->eval();
        {
            torch::NoGradGuard noGrad;
            for (const auto& item : network->named_parameters())
                sharp->named_parameters()[item.key()].copy_(item.value());
            for (const auto& item : network->named_buffers())
                sharp->named_buffers()[item.key()].copy_(item.value());
        }
        const torch::Tensor raw = nn::exitConfidence(first, ConfidenceMeasure::MaxSoftmax);
        const torch::Tensor scaled = nn::exitConfidence(first, ConfidenceMeasure::MaxSoftmax, 0.05);
        const std::vector<double> threshold { raw.median().item<double>() + 1e-3 };
        const torch::Tensor plainExits = network->infer(input, &threshold).exitIndex;
        const torch::Tensor sharpExits = sharp->infer(input, &threshold).exitIndex;
        QVERIFY(plainExits.eq(0).equal(raw.ge(float(threshold[0]))));
        QVERIFY(sharpExits.eq(0).equal(scaled.ge(float(threshold[0]))));
        QVERIFY(sharpExits.eq(0).sum().item<std::int64_t>() > plainExits.eq(0).sum().item<std::int64_t>());
    }

    void backboneAndBranchesAddressableApart()
    {
        Architecture architecture;
        architecture.backbone = backbonePreset("fashion-resnet");
        architecture.exits = { { 2, { { BranchLayerType::Conv3x3, 1.0, 1 } }, 0.5 } };
        nn::EarlyExitNetwork network(architecture);
        const NetworkCost cost = countNetworkCost(architecture);
        QCOMPARE(parameterCount(network->exitParameters(0)), cost.exits[0].branchParameters);
        network->setBackboneFrozen(true);
        for (const torch::Tensor& p : network->backboneParameters())
            QVERIFY(!p.requires_grad());
        for (const torch::Tensor& p : network->exitParameters(0))
            QVERIFY(p.requires_grad());
        // Cached features at the exit's position give the same logits as the full forward pass.
        network->eval();
        torch::NoGradGuard noGrad;
        const torch::Tensor input = torch::randn({ 3, 1, 28, 28 });
        const torch::Tensor features = network->featuresAt(input, { 2 }).at(0);
        QVERIFY(torch::allclose(network->exitLogits(0, features), network->forward(input)[0]));
    }

    // The weight-shared supernet (nn/supernet.h).

    // A member taken out computes what its share of the supernet computes, and the largest is the supernet itself.
    void aMemberTakenOutComputesItsShare()
    {
        nn::Supernet supernet(tinyBackbone(), { kTinySmall, kTinyMiddle, kTinyLarge }, 1);
        randomise(*supernet.network());
        supernet.network()->eval();
        const torch::Tensor x = images(6);
        torch::NoGradGuard noGrad;
        for (const BackboneGenes& genes : { kTinySmall, kTinyMiddle, kTinyLarge }) {
            nn::EarlyExitNetwork member = supernet.extractMember(genes);
            nn::EarlyExitNetwork& shared = supernet.sharedMember(genes);
            // The shared member's BatchNorm statistics are its own: give it the taken-out member's.
            for (auto& item : shared->named_buffers())
                item.value().copy_(member->named_buffers()[item.key()]);
            shared->eval();
            const torch::Tensor taken = member->forward(x).back();
            QVERIFY(torch::allclose(taken, shared->forward(x).back(), 1e-5, 1e-5));
            if (genes == kTinyLarge)
                QVERIFY(torch::allclose(taken, supernet.network()->forward(x).back(), 1e-5, 1e-5));
        }
        // The first channels, the centre of the kernel: the middle member's second stage convolution (5x5 of the
        // supernet's 5x5, 16 of 24 channels) and its stem (3x3 of 3x3, 8 of 12 output channels).
        nn::EarlyExitNetwork middle = supernet.extractMember(kTinyMiddle);
        const auto mine = middle->named_parameters();
        const auto all = supernet.network()->named_parameters();
        QVERIFY(torch::equal(mine["block0.conv0.weight"], all["block0.conv0.weight"].narrow(0, 0, 8)));
        QVERIFY(
            torch::equal(mine["block4.conv0.weight"], all["block5.conv0.weight"].narrow(0, 0, 16).narrow(1, 0, 16)));
        // The small member's 3x3 kernels are the centre of the supernet's 5x5 (block 2 is residual: always 3x3).
        nn::EarlyExitNetwork small = supernet.extractMember(kTinySmall);
        QVERIFY(torch::equal(small->named_parameters()["block3.conv0.weight"],
            all["block5.conv0.weight"].narrow(0, 0, 8).narrow(1, 0, 8).narrow(2, 1, 3).narrow(3, 1, 3)));
        QVERIFY(contains(errorMessage([&] {
            supernet.extractMember(tinyGenes(2.0, { 1, 1 }, { 3, 3 }));
        }),
            "does not fit inside the supernet"));
    }

    // A member's loss trains the supernet's weights it shares, and only those.
    void aMembersGradientsReachItsShareOnly()
    {
        nn::Supernet supernet(tinyBackbone(), { kTinySmall, kTinyLarge }, 1);
        supernet.network()->train();
        nn::EarlyExitNetwork& small = supernet.sharedMember(kTinySmall);
        small->forward(images(8)).back().pow(2).sum().backward();
        const auto all = supernet.network()->named_parameters();
        const torch::Tensor classifier = all["final.classifier_weight"].grad(); // 4 x 24 (w1.5 of 16)
        QVERIFY(classifier.defined());
        QVERIFY(classifier.narrow(1, 0, 8).abs().sum().item<double>() > 0); // w0.5: the first 8 channels
        QCOMPARE(classifier.narrow(1, 8, 16).abs().sum().item<double>(), 0.0);
        // The third block of the first stage is not the small member's: no gradient reaches it.
        const torch::Tensor unused = all["block4.conv0.weight"].grad();
        QVERIFY(!unused.defined() || unused.abs().sum().item<double>() == 0);
    }

    // Recalibration measures each BatchNorm's mean over exactly the images given.
    void recalibrationMeasuresExactStatistics()
    {
        SyntheticOptions options;
        options.classes = 4;
        options.shape = { 1, 12, 12 };
        options.trainCount = 300;
        options.testCount = 1;
        const Dataset data = makeSyntheticDataset(options, Split::Train);
        const ChannelStats stats = computeChannelStats(data);
        const BatchBuilder builder(data, stats);
        std::vector<std::int64_t> indices(300);
        std::iota(indices.begin(), indices.end(), 0);
        nn::Supernet supernet(tinyBackbone(), { kTinySmall, kTinyLarge }, 1);
        randomise(*supernet.network());
        nn::EarlyExitNetwork member = supernet.extractMember(kTinySmall);
        nn::recalibrateBatchNorm(*member, builder, indices);
        QVERIFY(!member->is_training());
        // The stem convolution's output over all 300 images (two batches), before its BatchNorm.
        torch::Tensor input = torch::empty({ 300, 1, 12, 12 });
        builder.fill(indices.data(), indices.size(), input.data_ptr<float>());
        const torch::Tensor weight = member->named_parameters()["block0.conv0.weight"];
        const torch::Tensor out = torch::conv2d(input, weight, {}, 1, 1);
        const torch::Tensor mean = out.mean({ 0, 2, 3 });
        QVERIFY(torch::allclose(member->named_buffers()["block0.conv0.bn.running_mean"], mean, 1e-4, 1e-4));
    }
};

QTEST_GUILESS_MAIN(TestEarlyExitNetwork)
#include "tst_earlyexitnetwork.moc"
