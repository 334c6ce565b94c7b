#include "data/channelstats.h"

#include <QTest>

#include <cmath>

using namespace earlybird;

class TestChannelStats : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void meanAndStdPerChannel()
    {
        // Two 2-channel 1x2 images: channel 0 holds 0, 255, 255, 255; channel 1 holds 51 everywhere.
        const Dataset dataset(
            "two", ImageShape { 2, 1, 2 }, { "a", "b" }, { 0, 255, 51, 51, 255, 255, 51, 51 }, { 0, 1 });
        const ChannelStats stats = computeChannelStats(dataset);
        QCOMPARE(stats.mean.size(), std::size_t(2));
        QVERIFY(std::abs(stats.mean[0] - 0.75f) < 1e-6f);
        QVERIFY(std::abs(stats.std[0] - std::sqrt(0.75f - 0.5625f)) < 1e-6f);
        QVERIFY(std::abs(stats.mean[1] - 0.2f) < 1e-6f);
        QVERIFY(std::abs(stats.std[1]) < 1e-6f);
    }

    void onlyTheGivenIndices()
    {
        const Dataset dataset("three", ImageShape { 1, 1, 1 }, { "a" }, { 0, 255, 255 }, { 0, 0, 0 });
        const std::vector<std::int64_t> indices { 1, 2 };
        const ChannelStats stats = computeChannelStats(dataset, &indices);
        QVERIFY(std::abs(stats.mean[0] - 1.0f) < 1e-6f);
        QVERIFY(std::abs(stats.std[0]) < 1e-6f);
    }
};

QTEST_GUILESS_MAIN(TestChannelStats)
#include "tst_channelstats.moc"
