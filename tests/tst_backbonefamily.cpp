#include "base/rng.h"
#include "errorcapture.h"
#include "fixtures.h"
#include "model/architecture.h"
#include "model/backbonefamily.h"
#include "model/backbonepresets.h"
#include "model/networkcost.h"

#include <QTest>

#include <cmath>
#include <set>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {
double macsOf(const BackboneSpec& backbone)
{
    return double(countNetworkCost(Architecture { backbone, ConfidenceMeasure::ScoreMargin, {} }).backboneMacs);
}
} // namespace

class TestBackboneFamily : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stagesStartWhereTheMapShrinks()
    {
        // fashion-resnet: conv s1 | res s2, res s1 | res s2, res s1 | res s2
        const std::vector<BackboneStage> stages = backboneStages(backbonePreset("fashion-resnet"));
        QCOMPARE(int(stages.size()), 4);
        QCOMPARE(stages[0].count, 1);
        QCOMPARE(stages[1].first, 1);
        QCOMPARE(stages[1].count, 2);
        QCOMPARE(stages[3].first, 5);
        QCOMPARE(stages[3].count, 1);
        QVERIFY(stages[0].hasKernel); // the stem convolution
        QVERIFY(!stages[1].hasKernel); // residual blocks are 3x3
        const BackboneGenes genes = baseGenes(backbonePreset("fashion-resnet"));
        QCOMPARE(genes.depths, (std::vector<int> { 2, 2, 1 }));
        QCOMPARE(genes.kernels, (std::vector<int> { 0, 0, 0 }));
        QCOMPARE(genesLabel(genes), std::string("w1 d2.2.1"));
    }

    void theBaseGenesGiveTheBaseItself()
    {
        for (const char* preset : { "fashion-resnet", "fashion-mobilenet", "resnet20", "cifar-mobilenet" }) {
            const BackboneSpec base = backbonePreset(preset);
            QVERIFY(familyMember(base, baseGenes(base)) == base);
        }
    }

    void membersScaleWidthDepthAndKernels()
    {
        const BackboneSpec base = backbonePreset("fashion-mobilenet");
        BackboneGenes genes = baseGenes(base);
        QCOMPARE(genes.kernels, (std::vector<int> { 3, 3, 5 }));
        genes.width = 0.5;
        genes.depths = { 1, 3, 2 };
        genes.kernels = { 5, 3, 7 };
        const BackboneSpec member = familyMember(base, genes);
        QCOMPARE(member.name, std::string("fashion-mobilenet w0.5 d1.3.2 k5.3.7"));
        QCOMPARE(int(member.blocks.size()), 1 + 1 + 3 + 2);
        QCOMPARE(member.blocks[0].outChannels, 8); // 16 x 0.5
        QCOMPARE(member.blocks[1].kernel, 5);
        QCOMPARE(member.blocks[1].stride, 2);
        // Stage 2 had two blocks (s2 then s1); its third repeats the last with stride 1.
        QCOMPARE(member.blocks[4].stride, 1);
        QCOMPARE(member.blocks[4].outChannels, 16);
        QCOMPARE(member.blocks[5].kernel, 7);
        QCOMPARE(member.blocks[5].stride, 2);
        QCOMPARE(member.blocks[6].stride, 1);
        QVERIFY(macsOf(member) < macsOf(base));
        const BackboneGenes back = genesFromLabel(base, "w0.5 d1.3.2 k5.3.7", "test");
        QVERIFY(back == genes);
    }

    void badGenesAreRefusedByName()
    {
        const BackboneSpec base = backbonePreset("fashion-resnet");
        QVERIFY(contains(errorMessage([&] { genesFromLabel(base, "w1 d2.2", "family.json"); }), "family.json"));
        QVERIFY(contains(errorMessage([&] { genesFromLabel(base, "w1 d2.2", "x"); }), "3 stages after its stem"));
        QVERIFY(contains(errorMessage([&] { genesFromLabel(base, "w1 d0.2.1", "x"); }), "depth 0"));
        QVERIFY(contains(errorMessage([&] { genesFromLabel(base, "w1 k3.3.3", "x"); }), "no kernel to choose"));
        QVERIFY(contains(errorMessage([&] { genesFromLabel(base, "wide", "x"); }), "not a width"));
        QVERIFY(contains(errorMessage([&] { genesFromLabel(base, "w0", "x"); }), "(0, 8]"));
        QVERIFY(contains(errorMessage([&] { genesFromLabel(base, "q1", "x"); }), "none of"));
        QVERIFY(contains(errorMessage([&] { genesFromLabel(base, "", "x"); }), "empty"));
        const BackboneSpec mobile = backbonePreset("fashion-mobilenet");
        QVERIFY(contains(errorMessage([&] { genesFromLabel(mobile, "w1 k4.3.3", "x"); }), "odd"));
    }

    void theDefaultFamilySpansItsMacRatios()
    {
        const BackboneSpec base = backbonePreset("fashion-resnet");
        const std::vector<BackboneGenes> family = defaultFamily(base, 4);
        QCOMPARE(int(family.size()), 4);
        double previous = 0;
        int bases = 0;
        for (const BackboneGenes& genes : family) {
            const double macs = macsOf(familyMember(base, genes));
            QVERIFY2(macs > previous, genesLabel(genes).c_str()); // sorted, and no member twice
            previous = macs;
            bases += genes == baseGenes(base);
        }
        QCOMPARE(bases, 1);
        const double low = macsOf(familyMember(base, family.front())) / macsOf(base);
        const double high = macsOf(familyMember(base, family.back())) / macsOf(base);
        QVERIFY2(low > 0.2 && low < 0.5, std::to_string(low).c_str());
        QVERIFY2(high > 1.4 && high < 3.0, std::to_string(high).c_str());
        QCOMPARE(int(defaultFamily(base, 1).size()), 1);
        QVERIFY(contains(errorMessage([&] { defaultFamily(base, 0); }), "at least one"));
        QVERIFY(contains(errorMessage([&] { defaultFamily(base, 500); }), "fewer than"));
    }

    // Weight sharing: a supernet's members and its blocks (nn/supernet.h takes its weights by these).
    void membersMapOntoTheSupernetsBlocks()
    {
        const BackboneSpec base = tinyBackbone();
        QCOMPARE(spanningGenes({ kTinySmall, kTinyMiddle, kTinyLarge }), kTinyLarge);
        QCOMPARE(spanningGenes({ kTinySmall, kTinyMiddle }), tinyGenes(1.0, { 2, 1 }, { 3, 5 }));
        QCOMPARE(narrowestGenes({ kTinyLarge, kTinyMiddle }), tinyGenes(1.0, { 2, 1 }, { 3, 5 }));
        QVERIFY(containsGenes(kTinyLarge, kTinySmall));
        QVERIFY(!containsGenes(kTinyMiddle, kTinyLarge));
        QVERIFY(!containsGenes(kTinyMiddle, tinyGenes(0.5, { 1, 1 }, { 3, 7 }))); // a larger kernel
        // The stem (blocks 0, 1) is the supernet's; each stage takes its first blocks: the supernet has 2 + 3 + 2.
        QCOMPARE(sharedBlockIndices(base, kTinyLarge, kTinyMiddle), (std::vector<int> { 0, 1, 2, 3, 5 }));
        QCOMPARE(sharedBlockIndices(base, kTinyLarge, kTinySmall), (std::vector<int> { 0, 1, 2, 5 }));
        QCOMPARE(int(sharedBlockIndices(base, kTinyLarge, kTinyLarge).size()), 7);
        QVERIFY(contains(errorMessage([&] { sharedBlockIndices(base, kTinyMiddle, kTinyLarge); }),
            "does not fit inside the supernet w1 d2.1 k3.5"));
        // Random members lie between the smallest and the largest, and every choice turns up.
        Rng rng(3);
        std::set<double> widths;
        std::set<int> firstDepths, secondKernels;
        for (int i = 0; i < 200; ++i) {
            const BackboneGenes genes = sampleGenes(kTinySmall, kTinyLarge, ElasticOptions {}, rng);
            QVERIFY(containsGenes(kTinyLarge, genes));
            QVERIFY(containsGenes(genes, kTinySmall));
            widths.insert(genes.width);
            firstDepths.insert(genes.depths[0]);
            secondKernels.insert(genes.kernels[1]);
        }
        QCOMPARE(widths, (std::set<double> { 0.5, 0.75, 1.0, 1.5 }));
        QCOMPARE(firstDepths, (std::set<int> { 1, 2, 3 }));
        QCOMPARE(secondKernels, (std::set<int> { 3, 5 }));
    }
};

QTEST_APPLESS_MAIN(TestBackboneFamily)
#include "tst_backbonefamily.moc"
