#include "errorcapture.h"
#include "model/backbonepresets.h"
#include "model/networkcost.h"

#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {
// A one-block backbone: conv 3x3, 4 -> 8 channels, on 4x16x16 input (16x16 output), 10 classes.
Architecture tinyNetwork(std::vector<ExitSpec> exits = {})
{
    Architecture architecture;
    architecture.backbone.name = "tiny";
    architecture.backbone.input = { 4, 16, 16 };
    architecture.backbone.classes = 10;
    architecture.backbone.blocks = { { BlockType::Conv, 8, 3, 1, 1, ResidualShortcut::Projection },
        { BlockType::Conv, 8, 3, 1, 1, ResidualShortcut::Projection } };
    architecture.exits = std::move(exits);
    return architecture;
}
} // namespace

class TestNetworkCost : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Each branch layer type on an 8 x 16 x 16 feature map, counted by hand.
    void branchLayerMacs_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<double>("width");
        QTest::addColumn<int>("stride");
        QTest::addColumn<qint64>("macs");
        QTest::addColumn<qint64>("parameters");
        QTest::addColumn<int>("outSide");
        // conv3x3 x1: 16*16 * 3*3 * 8 * 8; params 8*8*9 + BN 2*8.
        QTest::newRow("conv3x3 x1") << int(BranchLayerType::Conv3x3) << 1.0 << 1 << qint64(16 * 16 * 9 * 8 * 8)
                                    << qint64(576 + 16) << 16;
        // conv5x5 x2 stride 2: 8*8 * 25 * 8 * 16.
        QTest::newRow("conv5x5 x2 /2") << int(BranchLayerType::Conv5x5) << 2.0 << 2 << qint64(8 * 8 * 25 * 8 * 16)
                                       << qint64(25 * 8 * 16 + 32) << 8;
        // depthwise 3x3 (groups 8): 16*16*9*1*8, then pointwise 8 -> 4: 16*16*8*4.
        QTest::newRow("dwsep3x3 x0.5") << int(BranchLayerType::DepthwiseSeparable3x3) << 0.5 << 1
                                       << qint64(16 * 16 * 9 * 8 + 16 * 16 * 8 * 4) << qint64(72 + 16 + 32 + 8) << 16;
        // depthwise 5x5 stride 2: 8*8*25*8, pointwise at 8x8: 8*8*8*8.
        QTest::newRow("dwsep5x5 x1 /2") << int(BranchLayerType::DepthwiseSeparable5x5) << 1.0 << 2
                                        << qint64(8 * 8 * 25 * 8 + 8 * 8 * 8 * 8) << qint64(200 + 16 + 64 + 16) << 8;
        QTest::newRow("pw1x1 x2") << int(BranchLayerType::Pointwise1x1) << 2.0 << 1 << qint64(16 * 16 * 8 * 16)
                                  << qint64(128 + 32) << 16;
        QTest::newRow("maxpool") << int(BranchLayerType::MaxPool2x2) << 1.0 << 2 << qint64(0) << qint64(0) << 8;
        QTest::newRow("avgpool") << int(BranchLayerType::AvgPool2x2) << 1.0 << 2 << qint64(0) << qint64(0) << 8;
    }
    void branchLayerMacs()
    {
        QFETCH(int, type);
        QFETCH(double, width);
        QFETCH(int, stride);
        QFETCH(qint64, macs);
        QFETCH(qint64, parameters);
        QFETCH(int, outSide);
        const NetworkCost cost
            = countNetworkCost(tinyNetwork({ { 0, { { BranchLayerType(type), width, stride } }, 0.5 } }));
        const ExitCost& exit = cost.exits.front();
        QCOMPARE(exit.layers.size(), std::size_t(2));
        QCOMPARE(exit.layers[0].macs, macs);
        QCOMPARE(exit.layers[0].parameters, parameters);
        QCOMPARE(exit.layers[0].output.height, outSide);
        // Classifier: global pooling (reported apart) + linear C * 10, params C*10 + 10.
        const int channels = exit.layers[0].output.channels;
        QCOMPARE(exit.layers[1].macs, qint64(channels * 10));
        QCOMPARE(exit.layers[1].parameters, qint64(channels * 10 + 10));
        QCOMPARE(exit.layers[1].other.poolingOps, qint64(channels) * outSide * outSide);
        QCOMPARE(exit.branchMacs, macs + channels * 10);
    }

    void backboneBlocksByHand()
    {
        Architecture architecture;
        architecture.backbone.name = "blocks";
        architecture.backbone.input = { 8, 8, 8 };
        architecture.backbone.classes = 2;
        architecture.backbone.blocks = {
            { BlockType::Residual, 16, 3, 2, 1, ResidualShortcut::Projection }, // 8x8x8 -> 16x4x4
            { BlockType::Residual, 32, 3, 1, 1, ResidualShortcut::Pad }, // 16x4x4 -> 32x4x4, zero-padded shortcut
            { BlockType::InvertedResidual, 32, 5, 1, 3, ResidualShortcut::Projection }, // 32 -> 96 -> 32, adds input
            { BlockType::MaxPool, 0, 2, 2, 1, ResidualShortcut::Projection }, // 32x4x4 -> 32x2x2
        };
        const NetworkCost cost = countNetworkCost(architecture);
        // Residual /2 with projection: conv 4*4*9*8*16 + conv 4*4*9*16*16 + projection 4*4*8*16.
        QCOMPARE(cost.blocks[0].macs, qint64(18432 + 36864 + 2048));
        QCOMPARE(cost.blocks[0].other.additions, qint64(16 * 4 * 4));
        // Pad shortcut: no MACs, no parameters.
        QCOMPARE(cost.blocks[1].macs, qint64(4 * 4 * 9 * 16 * 32 + 4 * 4 * 9 * 32 * 32));
        QCOMPARE(cost.blocks[1].parameters, qint64(9 * 16 * 32 + 64 + 9 * 32 * 32 + 64));
        // Inverted residual: expand 4*4*32*96, depthwise 4*4*25*96, project 4*4*96*32.
        QCOMPARE(cost.blocks[2].macs, qint64(49152 + 38400 + 49152));
        QCOMPARE(cost.blocks[2].other.additions, qint64(32 * 16));
        QCOMPARE(cost.blocks[3].macs, qint64(0));
        QCOMPARE(cost.blocks[3].output, (ImageShape { 32, 2, 2 }));
        QCOMPARE(cost.backboneMacs, qint64(57344 + 221184 + 136704 + 32 * 2));
    }

    // He et al.'s ResNet-20 for CIFAR-10: 40.55 M MACs and 0.27 M parameters (269,722) as published.
    void resnet20MatchesPublishedFigures()
    {
        Architecture architecture;
        architecture.backbone = backbonePreset("resnet20");
        const NetworkCost cost = countNetworkCost(architecture);
        QCOMPARE(cost.backboneMacs, qint64(40551040));
        QCOMPARE(cost.backboneParameters, qint64(269722));
        QCOMPARE(cost.blocks.back().output, (ImageShape { 64, 8, 8 }));
    }

    void cumulativeConventions()
    {
        // Exits after block 0 (branch: pool + linear 8*10) and the final exit.
        const NetworkCost cost = countNetworkCost(tinyNetwork({ { 0, {}, 0.5 } }));
        const qint64 block = 16 * 16 * 9 * 4 * 8;
        const qint64 block2 = 16 * 16 * 9 * 8 * 8;
        QCOMPARE(cost.exits.size(), std::size_t(2));
        QCOMPARE(cost.exits[0].cumulativeMacs, block + 80);
        QCOMPARE(cost.exits[1].cumulativeMacs, block + block2 + 80 + 80);
        QCOMPARE(cost.exits[1].cumulativeMacsTakenBranchOnly, block + block2 + 80);
        QCOMPARE(cost.backboneMacs, block + block2 + 80);
        QCOMPARE(cost.allExitsMacs, block + block2 + 160);
        // Half the samples leave early.
        const double all = cost.averageMacs({ 5, 5 }, CostConvention::AllEvaluatedBranches);
        QCOMPARE(all, (double(block + 80) + double(block + block2 + 160)) / 2);
        const double taken = cost.averageMacs({ 0.5, 0.5 }, CostConvention::TakenBranchOnly);
        QCOMPARE(taken, (double(block + 80) + double(block + block2 + 80)) / 2);
        QVERIFY(contains(errorMessage([&] { cost.averageMacs({ 1 }, CostConvention::TakenBranchOnly); }), "2 exits"));
    }

    void poolingNeverEmptiesTheMap()
    {
        QCOMPARE(poolingOutputSize(1), 1);
        QCOMPARE(poolingOutputSize(2), 1);
        QCOMPARE(poolingOutputSize(3), 2);
        QCOMPARE(poolingOutputSize(7), 4);
        QCOMPARE(convolutionOutputSize(1, 5, 2), 1);
        QCOMPARE(convolutionOutputSize(7, 3, 2), 4);
        QCOMPARE(convolutionOutputSize(28, 3, 1), 28);
    }
};

QTEST_GUILESS_MAIN(TestNetworkCost)
#include "tst_networkcost.moc"
