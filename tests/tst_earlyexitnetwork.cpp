#include "base/rng.h"
#include "model/backbonepresets.h"
#include "model/networkcost.h"
#include "nn/earlyexitnetwork.h"
#include "search/searchspace.h"

#include <QTest>

using namespace earlybird;

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
} // namespace

class TestEarlyExitNetwork : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

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
};

QTEST_GUILESS_MAIN(TestEarlyExitNetwork)
#include "tst_earlyexitnetwork.moc"
