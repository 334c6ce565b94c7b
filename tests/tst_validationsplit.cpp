#include "data/validationsplit.h"
#include "errorcapture.h"

#include <QTest>

#include <algorithm>
#include <set>

using namespace earlybird;
using namespace earlybird::fixtures;

class TestValidationSplit : public QObject {
    Q_OBJECT
private:
    static std::vector<std::int64_t> labels(int count, int classes)
    {
        std::vector<std::int64_t> result;
        for (int i = 0; i < count; ++i)
            result.push_back((i * 7) % classes);
        return result;
    }

private Q_SLOTS:
    void disjointCompleteAndStratified()
    {
        const std::vector<std::int64_t> all = labels(1000, 10);
        const ValidationSplit split = makeValidationSplit(all, 10, 0.1, 3);
        QCOMPARE(split.validation.size(), std::size_t(100));
        QCOMPARE(split.train.size(), std::size_t(900));
        std::set<std::int64_t> seen(split.train.begin(), split.train.end());
        for (const std::int64_t index : split.validation)
            QVERIFY(seen.insert(index).second);
        QCOMPARE(seen.size(), std::size_t(1000));
        std::vector<int> perClass(10, 0);
        for (const std::int64_t index : split.validation)
            ++perClass[std::size_t(all[std::size_t(index)])];
        QCOMPARE(perClass, std::vector<int>(10, 10));
        QVERIFY(std::is_sorted(split.train.begin(), split.train.end()));
        QVERIFY(std::is_sorted(split.validation.begin(), split.validation.end()));
    }

    void deterministicPerSeed()
    {
        const std::vector<std::int64_t> all = labels(500, 5);
        const ValidationSplit a = makeValidationSplit(all, 5, 0.2, 11);
        const ValidationSplit b = makeValidationSplit(all, 5, 0.2, 11);
        QCOMPARE(a.validation, b.validation);
        QVERIFY(makeValidationSplit(all, 5, 0.2, 12).validation != a.validation);
    }

    void smallClassesStillRepresented()
    {
        const ValidationSplit split = makeValidationSplit({ 0, 0, 0, 1, 1, 2 }, 3, 0.1, 1);
        // Classes with two or more images give one to validation; a class of one keeps it for training.
        QCOMPARE(split.validation.size(), std::size_t(2));
        QCOMPARE(split.train.size(), std::size_t(4));
    }

    void zeroFractionHoldsNothingOut()
    {
        const ValidationSplit split = makeValidationSplit(labels(50, 5), 5, 0.0, 1);
        QVERIFY(split.validation.empty());
        QCOMPARE(split.train.size(), std::size_t(50));
    }

    // A data set with its own validation images is split there; one without is held out per class.
    void ownValidationImagesAreTheSplit()
    {
        Dataset data("own", { 1, 1, 1 }, { "a", "b" }, std::vector<std::uint8_t>(6, 0), { 0, 1, 0, 1, 1, 0 });
        const ValidationSplit heldOut = validationSplitOf(data, 0.5, 3);
        QCOMPARE(heldOut.validation, makeValidationSplit(data.labels(), 2, 0.5, 3).validation);
        data.setOwnValidationFrom(4);
        const ValidationSplit own = validationSplitOf(data, 0.5, 3);
        QCOMPARE(own.train, (std::vector<std::int64_t> { 0, 1, 2, 3 }));
        QCOMPARE(own.validation, (std::vector<std::int64_t> { 4, 5 }));
    }

    void badArguments()
    {
        QVERIFY(contains(errorMessage([] { makeValidationSplit({ 0, 1 }, 2, 1.0, 1); }), "validation fraction"));
        QVERIFY(contains(errorMessage([] { makeValidationSplit({ 0, 1 }, 2, -0.1, 1); }), "validation fraction"));
        QVERIFY(contains(errorMessage([] { makeValidationSplit({ 0, 5 }, 2, 0.1, 1); }), "label 5 of image 1"));
    }
};

QTEST_GUILESS_MAIN(TestValidationSplit)
#include "tst_validationsplit.moc"
