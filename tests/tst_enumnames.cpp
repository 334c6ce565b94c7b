#include "base/progress.h"
#include "data/datasetspec.h"
#include "errorcapture.h"
#include "model/costmodel.h"
#include "search/baselines.h"
#include "search/search.h"

#include <QTest>

#include <set>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

// Every value's name reads back as the value, names are unique, and an unknown name is refused naming the choices.
template <typename E>
void checkTable(const char* what)
{
    const std::vector<std::string> names = namesOf<E>();
    QVERIFY(!names.empty());
    QCOMPARE(std::set<std::string>(names.begin(), names.end()).size(), names.size());
    for (const std::string& name : names)
        QCOMPARE(nameOf(fromName<E>(name)), name);
    const std::string message = errorMessage([] { fromName<E>("no-such-name", "settings.json"); });
    const std::string expected = std::string("settings.json: unknown ") + what + " 'no-such-name' (one of: ";
    QVERIFY2(message.rfind(expected, 0) == 0, message.c_str());
    QVERIFY2(contains(message, names.back() + ")"), message.c_str());
}

} // namespace

class TestEnumNames : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyTableRoundTrips()
    {
        checkTable<DatasetKind>("data set");
        checkTable<Split>("split");
        checkTable<BlockType>("block type");
        checkTable<BranchLayerType>("layer type");
        checkTable<ConfidenceMeasure>("confidence measure");
        checkTable<CostConvention>("cost convention");
        checkTable<CostModel>("cost model");
        checkTable<TargetMode>("target mode");
        checkTable<Baseline>("baseline");
        checkTable<SearchPhase>("search phase");
        checkTable<TrainingPhase>("training phase");
    }

    void aliasesAreReadButNotListed()
    {
        QVERIFY(fromName<CostModel>("params") == CostModel::Parameters);
        QCOMPARE(nameOf(CostModel::Parameters), std::string("parameters"));
        QCOMPARE(namesOf<CostModel>(), (std::vector<std::string> { "macs", "latency", "parameters" }));
    }

    void withoutAPlaceTheMessageStartsWithTheProblem()
    {
        const std::string message = errorMessage([] { fromName<Split>("validation"); });
        QCOMPARE(message, std::string("unknown split 'validation' (one of: train, test)"));
    }
};

QTEST_APPLESS_MAIN(TestEnumNames)
#include "tst_enumnames.moc"
