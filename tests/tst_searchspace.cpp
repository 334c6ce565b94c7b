#include "base/rng.h"
#include "errorcapture.h"
#include "model/backbonepresets.h"
#include "search/searchspace.h"

#include <QTest>

#include <set>

using namespace earlybird;
using namespace earlybird::fixtures;

class TestSearchSpace : public QObject {
    Q_OBJECT
private:
    static SearchSpace defaultSpace() { return SearchSpace({ backbonePreset("fashion-mobilenet") }); }

private Q_SLOTS:
    void layoutAndDomains()
    {
        const SearchSpace space = defaultSpace();
        // 2 global genes + 6 positions x (exit, threshold, 3 layers x 3 genes).
        QCOMPARE(space.maxPositions(), 6);
        QCOMPARE(space.genomeLength(), 2 + 6 * 11);
        QCOMPARE(space.cardinalities()[2], 5); // none or depth 0..3
        QCOMPARE(space.cardinalities()[3], 21);
        QCOMPARE(space.cardinalities()[4], 7);
    }

    void samplesAreValidCanonicalAndRoundTrip()
    {
        const SearchSpace space = defaultSpace();
        Rng rng(42);
        std::set<Genome> distinct;
        int exits = 0;
        for (int i = 0; i < 500; ++i) {
            const Genome genome = space.sample(rng);
            QVERIFY(space.isCanonical(genome));
            const Architecture architecture = space.decode(genome);
            validateArchitecture(architecture, "sample");
            QCOMPARE(space.encode(architecture), genome);
            exits += int(architecture.exits.size());
            distinct.insert(genome);
        }
        // 0.65^6 = 7.5% of samples have no exit at all and are one genome; the rest are nearly always distinct.
        QVERIFY2(distinct.size() > 440, qPrintable(QString::number(distinct.size())));
        // About 35% of the 6 positions carry an exit.
        QVERIFY(exits > 500 * 6 * 0.25 && exits < 500 * 6 * 0.45);
    }

    void sameSeedSameSamples()
    {
        const SearchSpace space = defaultSpace();
        Rng a(7), b(7);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(space.sample(a), space.sample(b));
    }

    void mutationAndCrossoverStayValid()
    {
        const SearchSpace space = defaultSpace();
        Rng rng(3);
        Genome current = space.sample(rng);
        for (int i = 0; i < 1000; ++i) {
            const Genome child = space.mutate(current, rng, 0.05);
            QVERIFY(child != current);
            QVERIFY(space.isCanonical(child));
            validateArchitecture(space.decode(child), "mutant");
            const auto [x, y] = space.crossover(child, space.sample(rng), rng);
            QVERIFY(space.isCanonical(x) && space.isCanonical(y));
            validateArchitecture(space.decode(x), "child");
            validateArchitecture(space.decode(y), "child");
            current = x;
        }
    }

    void crossoverInheritsWholeBranches()
    {
        const SearchSpace space = defaultSpace();
        Rng rng(5);
        const Genome a = space.sample(rng), b = space.sample(rng);
        const auto [x, y] = space.crossover(a, b, rng);
        const int group = space.genesPerPosition();
        for (int p = 0; p < space.maxPositions(); ++p) {
            const auto slice
                = [&](const Genome& g) { return Genome(g.begin() + 2 + p * group, g.begin() + 2 + (p + 1) * group); };
            QVERIFY((slice(x) == slice(a) && slice(y) == slice(b)) || (slice(x) == slice(b) && slice(y) == slice(a)));
        }
    }

    void canonicalFormIgnoresWhatDoesNotMatter()
    {
        const SearchSpace space = defaultSpace();
        Genome genome(std::size_t(space.genomeLength()), 0);
        // Position 1: depth 1, a max-pool layer (type index 5) with junk width/stride genes, threshold level 10.
        const int g = 2 + 1 * space.genesPerPosition();
        genome[std::size_t(g)] = 2;
        genome[std::size_t(g + 1)] = 10;
        genome[std::size_t(g + 2)] = 5;
        genome[std::size_t(g + 3)] = 2;
        genome[std::size_t(g + 4)] = 1;
        genome[std::size_t(g + 5)] = 3; // second layer slot, beyond depth 1
        const Genome canonical = space.canonical(genome);
        QCOMPARE(canonical[std::size_t(g + 3)], 0);
        QCOMPARE(canonical[std::size_t(g + 4)], 0);
        QCOMPARE(canonical[std::size_t(g + 5)], 0);
        const Architecture architecture = space.decode(genome);
        QCOMPARE(architecture.exits.size(), std::size_t(1));
        QCOMPARE(architecture.exits[0].threshold, 0.5);
        QVERIFY(architecture.exits[0].layers[0].type == BranchLayerType::MaxPool2x2);
        // The structure key ignores thresholds.
        Genome other = canonical;
        other[std::size_t(g + 1)] = 20;
        QCOMPARE(space.structureKey(other), space.structureKey(canonical));
        QVERIFY(other != canonical);
    }

    void minimumDepthIsKept()
    {
        SearchSpaceOptions options;
        options.minDepth = 1;
        options.maxDepth = 2;
        const SearchSpace space({ backbonePreset("fashion-resnet") }, options);
        Rng rng(4);
        Genome genome = space.sample(rng);
        for (int i = 0; i < 300; ++i) {
            genome = space.mutate(genome, rng, 0.1);
            for (const ExitSpec& exit : space.decode(genome).exits)
                QVERIFY(exit.layers.size() >= 1 && exit.layers.size() <= 2);
        }
    }

    void restrictedPositionsAndErrors()
    {
        SearchSpaceOptions options;
        options.allowedPositions = { 1, 3 };
        const SearchSpace space({ backbonePreset("fashion-mobilenet") }, options);
        Rng rng(9);
        for (int i = 0; i < 200; ++i) {
            for (const ExitSpec& exit : space.decode(space.sample(rng)).exits)
                QVERIFY(exit.position == 1 || exit.position == 3);
        }
        Architecture outside;
        outside.backbone = backbonePreset("fashion-mobilenet");
        outside.exits = { { 2, {}, 0.5 } };
        QVERIFY(contains(errorMessage([&] { space.encode(outside); }), "position not in this search space"));
        outside.backbone = backbonePreset("resnet20");
        QVERIFY(contains(errorMessage([&] { space.encode(outside); }), "not in this search space"));
        QVERIFY(contains(errorMessage([&] { space.canonical(Genome(3, 0)); }), "genome has 3 genes"));
        Genome bad(std::size_t(space.genomeLength()), 0);
        bad[4] = 99;
        QVERIFY(contains(errorMessage([&] { space.canonical(bad); }), "gene 4 is 99"));
    }
};

QTEST_GUILESS_MAIN(TestSearchSpace)
#include "tst_searchspace.moc"
