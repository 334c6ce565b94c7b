#include "data/syntheticdataset.h"
#include "errorcapture.h"

#include <QTest>

#include <cmath>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {
// Accuracy on `test` of the nearest class mean of `train`: a learnable set is far above chance with it.
double nearestMeanAccuracy(const Dataset& train, const Dataset& test)
{
    const std::int64_t values = train.shape().pixelsPerImage();
    std::vector<std::vector<double>> means(std::size_t(train.numClasses()), std::vector<double>(std::size_t(values)));
    const std::vector<std::int64_t> histogram = train.labelHistogram();
    for (std::int64_t n = 0; n < train.size(); ++n)
        for (std::int64_t i = 0; i < values; ++i)
            means[std::size_t(train.label(n))][std::size_t(i)]
                += train.image(n)[i] / double(histogram[std::size_t(train.label(n))]);
    std::int64_t correct = 0;
    for (std::int64_t n = 0; n < test.size(); ++n) {
        int best = -1;
        double bestDistance = 0;
        for (int k = 0; k < train.numClasses(); ++k) {
            double distance = 0;
            for (std::int64_t i = 0; i < values; ++i)
                distance += std::pow(test.image(n)[i] - means[std::size_t(k)][std::size_t(i)], 2);
            if (best < 0 || distance < bestDistance) {
                best = k;
                bestDistance = distance;
            }
        }
        correct += best == test.label(n);
    }
    return double(correct) / double(test.size());
}
} // namespace

class TestSyntheticDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameSeedSameImages()
    {
        SyntheticOptions options;
        options.trainCount = 50;
        options.testCount = 20;
        const Dataset a = makeSyntheticDataset(options, Split::Train);
        const Dataset b = makeSyntheticDataset(options, Split::Train);
        QCOMPARE(a.pixels(), b.pixels());
        QCOMPARE(a.labels(), b.labels());
        options.seed = 2;
        QVERIFY(makeSyntheticDataset(options, Split::Train).pixels() != a.pixels());
        // The test split is drawn apart from the training split.
        QVERIFY(makeSyntheticDataset(options, Split::Test).pixels()
            != makeSyntheticDataset(options, Split::Train).pixels());
    }

    void balancedAndShaped()
    {
        SyntheticOptions options;
        options.classes = 4;
        options.shape = { 3, 16, 12 };
        options.trainCount = 101;
        const Dataset train = makeSyntheticDataset(options, Split::Train);
        QCOMPARE(train.size(), 101);
        QCOMPARE(train.shape(), (ImageShape { 3, 16, 12 }));
        QCOMPARE(train.labelHistogram(), (std::vector<std::int64_t> { 26, 25, 25, 25 }));
    }

    void learnableButNotTrivial()
    {
        SyntheticOptions options;
        options.trainCount = 400;
        options.testCount = 200;
        const double accuracy = nearestMeanAccuracy(
            makeSyntheticDataset(options, Split::Train), makeSyntheticDataset(options, Split::Test));
        QVERIFY2(accuracy > 0.6, qPrintable(QStringLiteral("nearest-mean accuracy %1").arg(accuracy)));
    }

    void impossibleSettingsAreErrors()
    {
        SyntheticOptions options;
        options.classes = 1;
        QVERIFY(contains(errorMessage([&] { makeSyntheticDataset(options, Split::Train); }), "classes must be"));
        options = {};
        options.shape = { 5, 28, 28 };
        QVERIFY(contains(errorMessage([&] { makeSyntheticDataset(options, Split::Train); }), "1-4 channels"));
        options = {};
        options.trainCount = 0;
        QVERIFY(contains(errorMessage([&] { makeSyntheticDataset(options, Split::Train); }), "counts must be"));
    }
};

QTEST_GUILESS_MAIN(TestSyntheticDataset)
#include "tst_syntheticdataset.moc"
