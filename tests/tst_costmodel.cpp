#include "base/computethreads.h"
#include "base/fileio.h"
#include "errorcapture.h"
#include "fixtures.h"
#include "model/costmodel.h"
#include "nn/latencytable.h"
#include "policy/exitpolicy.h"

#include <QTemporaryDir>
#include <QTest>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

Architecture smallNetwork()
{
    Architecture a;
    a.backbone = tinyBackbone();
    a.exits = { { 0, { { BranchLayerType::Conv3x3, 0.5, 2 } }, 0.5 },
        { 1, { { BranchLayerType::MaxPool2x2, 1.0, 2 }, { BranchLayerType::DepthwiseSeparable3x3, 1.0, 1 } }, 0.5 } };
    return a;
}

} // namespace

class TestCostModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void names()
    {
        for (const std::string& name : namesOf<CostModel>())
            QCOMPARE(nameOf(fromName<CostModel>(name)), name);
        QVERIFY(contains(errorMessage([] { fromName<CostModel>("energy"); }), "(one of: macs, latency, parameters)"));
        QCOMPARE(formatCost(CostModel::Macs, 2.41e6), std::string("2.41 M MACs"));
        QCOMPARE(formatCost(CostModel::Latency, 812.3), std::string("812 us"));
        QCOMPARE(formatCost(CostModel::Latency, 1500), std::string("1.50 ms"));
        QCOMPARE(formatCost(CostModel::Parameters, 35200), std::string("35.2 k parameters"));
    }

    // Parameters used per exit: the blocks passed and the branches run, summed by hand.
    void parametersAlongEachPath()
    {
        const Architecture a = smallNetwork();
        const NetworkCost cost = countNetworkCost(a);
        const auto all = exitCostsOf(CostModel::Parameters, cost, CostConvention::AllEvaluatedBranches);
        const auto taken = exitCostsOf(CostModel::Parameters, cost, CostConvention::TakenBranchOnly);
        const double b0 = double(cost.blocks[0].parameters);
        const double b01 = b0 + double(cost.blocks[1].parameters);
        const double e0 = double(cost.exits[0].branchParameters), e1 = double(cost.exits[1].branchParameters);
        QCOMPARE(all, (std::vector<double> { b0 + e0, b01 + e0 + e1, double(cost.totalParameters) }));
        QCOMPARE(taken, (std::vector<double> { b0 + e0, b01 + e1, double(cost.backboneParameters) }));
        QCOMPARE(exitCostsOf(CostModel::Macs, cost, CostConvention::AllEvaluatedBranches),
            exitMacsOf(cost, CostConvention::AllEvaluatedBranches));
        QVERIFY(
            contains(errorMessage([&] { exitCostsOf(CostModel::Latency, cost, CostConvention::AllEvaluatedBranches); }),
                "measured latencies"));
    }

    void latencyTableTimesOnceAndPersists()
    {
        QTemporaryDir dir;
        const std::string file = LatencyTable::fileFor(dir.path().toStdString());
        const Architecture a = smallNetwork();
        NetworkLatency first;
        {
            LatencyTable table(file);
            QVERIFY(table.problem().empty());
            first = table.latencyOf(a);
            // 5 blocks, 3 branch layers, 3 classifiers on distinct inputs.
            QCOMPARE(table.size(), 11);
            QCOMPARE(table.measuredSinceLoad(), 11);
            const NetworkLatency again = table.latencyOf(a);
            QCOMPARE(table.measuredSinceLoad(), 11); // nothing timed twice
            QCOMPARE(again.blocks, first.blocks);
            table.save();
        }
        for (const double micros : first.blocks)
            QVERIFY(micros > 0);
        QCOMPARE(first.exitHeads.size(), std::size_t(3));
        QCOMPARE(first.exitPositions, (std::vector<int> { 0, 1, 4 })); // the final exit follows the last block
        double blocks = 0;
        for (const double micros : first.blocks)
            blocks += micros;
        QCOMPARE(first.backboneMicros, blocks + first.exitHeads[2]);
        // Conventions: the last exit runs every head or only its own.
        QCOMPARE(first.microsForExit(2, CostConvention::AllEvaluatedBranches),
            blocks + first.exitHeads[0] + first.exitHeads[1] + first.exitHeads[2]);
        QCOMPARE(first.microsForExit(1, CostConvention::TakenBranchOnly),
            first.blocks[0] + first.blocks[1] + first.exitHeads[1]);
        const NetworkCost cost = countNetworkCost(a);
        const auto costs = exitCostsOf(CostModel::Latency, cost, CostConvention::AllEvaluatedBranches, &first);
        QCOMPARE(costs[0], first.blocks[0] + first.exitHeads[0]);

        // Reloaded: the same figures, nothing timed.
        LatencyTable reloaded(file);
        QVERIFY(reloaded.problem().empty());
        QCOMPARE(reloaded.size(), 11);
        const NetworkLatency second = reloaded.latencyOf(a);
        QCOMPARE(reloaded.measuredSinceLoad(), 0);
        QCOMPARE(second.blocks, first.blocks);
        QCOMPARE(second.exitHeads, first.exitHeads);
    }

    void corruptTablesAreSetAsideNotFatal()
    {
        QTemporaryDir dir;
        const std::string file = LatencyTable::fileFor(dir.path().toStdString());
        const std::vector<std::string> broken = { "{ not json", R"({"format":"earlybird-latency-table","version":1})",
            R"({"format":"earlybird-latency-table","version":1,"machine":"a Z80, 1 core","micros":{}})" };
        for (const std::string& text : broken) {
            writeFileAtomically(file, text);
            LatencyTable table(file);
            QVERIFY(contains(table.problem(), file));
            QVERIFY(contains(table.problem(), "timed again"));
            QCOMPARE(table.size(), 0);
        }
        QVERIFY(contains(LatencyTable(file).problem(), "measured on a Z80"));
        // A table with a negative time is not trusted either.
        writeFileAtomically(file,
            R"({"format":"earlybird-latency-table","version":1,"machine":")" + LatencyTable::machineDescription()
                + R"(","micros":{"block x":-3}})");
        QVERIFY(contains(LatencyTable(file).problem(), "not a positive time"));
    }

    // Another thread count is another machine as far as latency goes.
    void tablesAreKeyedByThreadCount()
    {
        const int before = computeThreads();
        setComputeThreads(1);
        const std::string one = LatencyTable::fileFor("/cache");
        setComputeThreads(2);
        const std::string two = LatencyTable::fileFor("/cache");
        setComputeThreads(before);
        QVERIFY(one != two);
        QVERIFY(contains(one, "/cache/latency-"));
    }
};

QTEST_GUILESS_MAIN(TestCostModel)
#include "tst_costmodel.moc"
