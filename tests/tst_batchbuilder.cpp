#include "base/rng.h"
#include "data/batchbuilder.h"
#include "errorcapture.h"

#include <QTest>

#include <cmath>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {
// One 1x4x4 image with values 0..15 (times 10), so every output position tells which input pixel it came from.
Dataset rampImage()
{
    std::vector<std::uint8_t> pixels;
    for (int i = 0; i < 16; ++i)
        pixels.push_back(std::uint8_t(i * 10));
    return Dataset("ramp", ImageShape { 1, 4, 4 }, { "only" }, pixels, { 0 });
}
// Identity normalisation (mean 0, std 1/255) so outputs equal the 8-bit values.
ChannelStats identity()
{
    return ChannelStats { { 0.0f }, { 1.0f / 255.0f } };
}
} // namespace

class TestBatchBuilder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void normalises()
    {
        const Dataset dataset("pair", ImageShape { 1, 1, 2 }, { "a", "b" }, { 0, 255, 51, 102 }, { 0, 1 });
        const BatchBuilder builder(dataset, ChannelStats { { 0.5f }, { 0.25f } });
        const std::int64_t indices[] = { 1, 0 };
        float out[4];
        builder.fill(indices, 2, out);
        QVERIFY(std::abs(out[0] - (0.2f - 0.5f) / 0.25f) < 1e-5f);
        QVERIFY(std::abs(out[1] - (0.4f - 0.5f) / 0.25f) < 1e-5f);
        QVERIFY(std::abs(out[2] - (-2.0f)) < 1e-5f);
        QVERIFY(std::abs(out[3] - 2.0f) < 1e-5f);
        std::int64_t labels[2];
        builder.fillLabels(indices, 2, labels);
        QCOMPARE(labels[0], 1);
        QCOMPARE(labels[1], 0);
    }

    void augmentationIsAShiftedMirroredCopy()
    {
        const Dataset dataset = rampImage();
        const BatchBuilder builder(dataset, identity());
        const Augmentation augmentation { 2, true };
        Rng rng(5);
        const std::int64_t index = 0;
        bool sawFlip = false, sawShift = false;
        for (int trial = 0; trial < 200; ++trial) {
            float out[16];
            builder.fillAugmented(&index, 1, out, augmentation, rng);
            // Some (dy, dx, flip) must explain the output exactly.
            int explanations = 0;
            for (int flip = 0; flip < 2; ++flip) {
                for (int dy = -2; dy <= 2; ++dy) {
                    for (int dx = -2; dx <= 2; ++dx) {
                        bool match = true;
                        for (int y = 0; y < 4 && match; ++y) {
                            for (int x = 0; x < 4 && match; ++x) {
                                const int sy = y + dy, sx = (flip ? 3 - x : x) + dx;
                                const float expected
                                    = (sy < 0 || sy > 3 || sx < 0 || sx > 3) ? 0.0f : float((sy * 4 + sx) * 10);
                                match = std::abs(out[y * 4 + x] - expected) < 1e-3f;
                            }
                        }
                        if (match) {
                            ++explanations;
                            sawFlip |= flip == 1 && dx == 0 && dy == 0;
                            sawShift |= dx != 0 || dy != 0;
                        }
                    }
                }
            }
            QVERIFY2(explanations >= 1, "an augmented image is not a shifted, mirrored copy of the input");
        }
        QVERIFY(sawFlip);
        QVERIFY(sawShift);
    }

    void noFlipForDigits()
    {
        QVERIFY(!standardAugmentation(DatasetKind::Svhn, ImageShape { 3, 32, 32 }).horizontalFlip);
        QVERIFY(!standardAugmentation(DatasetKind::Mnist, ImageShape { 1, 28, 28 }).horizontalFlip);
        QVERIFY(standardAugmentation(DatasetKind::Cifar10, ImageShape { 3, 32, 32 }).horizontalFlip);
        QCOMPARE(standardAugmentation(DatasetKind::Cifar10, ImageShape { 3, 32, 32 }).padding, 4);
        QCOMPARE(standardAugmentation(DatasetKind::FashionMnist, ImageShape { 1, 28, 28 }).padding, 3);
    }

    void statisticsMustMatchChannels()
    {
        const Dataset dataset = rampImage();
        const std::string message = errorMessage([&] {
            BatchBuilder(dataset, ChannelStats { { 0, 0, 0 }, { 1, 1, 1 } });
        });
        QVERIFY2(contains(message, "3 channels"), message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestBatchBuilder)
#include "tst_batchbuilder.moc"
