#include "candidatetablemodel.h"
#include "sessionmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace earlybird;
using namespace earlybird::ui;

namespace {
// A candidate whose average latency is `micros` and whose average MACs are a thousand times that.
CandidateRecord record(int id, double accuracy, double micros, int exits)
{
    CandidateRecord r;
    r.id = id;
    r.generation = id / 2;
    r.parameters = 100000 + id;
    r.validation.accuracy = accuracy;
    r.validation.averageCost = micros;
    r.validation.averageMacs = micros * 1000;
    r.test.accuracy = accuracy - 0.01;
    r.test.averageCost = micros * 1.25;
    r.test.averageMacs = micros * 1000;
    for (int e = 0; e < exits; ++e)
        r.architecture.exits.push_back({ e, { { BranchLayerType(e % 3), 1.0, 1 } }, 0.5 });
    return r;
}
// A front whose points are those candidates' (one point each).
QVector<FrontPoint> frontOf(std::initializer_list<int> ids)
{
    QVector<FrontPoint> front;
    for (const int id : ids) {
        FrontPoint p;
        p.candidate = id;
        front.append(p);
    }
    return front;
}
} // namespace

class TestCandidateTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void modelAndFilterBehave()
    {
        SessionModel session;
        CandidateTableModel model(&session);
        CandidateFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester sourceTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCostAxis(CostAxis::forSession(CostModel::Latency, 4000));
        session.addCandidate(record(0, 0.91, 4000, 0));
        session.addCandidate(record(1, 0.90, 2000, 2));
        session.addCandidate(record(2, 0.85, 3000, 3));
        session.addCandidate(record(1, 0.5, 1, 0)); // a replayed candidate is not added twice
        QCOMPARE(model.rowCount(), 3);
        // Out of order, once known, and a new id past the largest after it: each where it belongs.
        session.addCandidate(record(5, 0.80, 3500, 1));
        session.addCandidate(record(4, 0.80, 3500, 1));
        session.addCandidate(record(5, 0.5, 1, 0));
        session.addCandidate(record(4, 0.5, 1, 0));
        session.addCandidate(record(6, 0.80, 3500, 1));
        QCOMPARE(model.rowCount(), 6);
        QVERIFY(model.candidate(4) && model.candidate(5) && model.candidate(6));
        QCOMPARE(model.candidate(5)->validation.accuracy, 0.80);
        session.clear();
        session.addCandidate(record(0, 0.91, 4000, 0));
        session.addCandidate(record(1, 0.90, 2000, 2));
        session.addCandidate(record(2, 0.85, 3000, 3));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(
            model.data(model.index(1, CandidateTableModel::CostColumn), CandidateTableModel::SortRole).toDouble(), 0.5);
        QCOMPARE(
            model.data(model.index(1, CandidateTableModel::CostColumn)).toString(), QStringLiteral("2.00 ms (0.500×)"));
        QCOMPARE(model.headerData(CandidateTableModel::CostColumn, Qt::Horizontal).toString(),
            QStringLiteral("Avg. latency"));
        QCOMPARE(
            model.data(model.index(2, CandidateTableModel::ParametersColumn)).toString(), QStringLiteral("100.0 k"));
        QCOMPARE(model.data(model.index(2, CandidateTableModel::BranchLayersColumn)).toInt(), 3);
        QCOMPARE(model.data(model.index(1, CandidateTableModel::ValidationAccuracyColumn)).toString(),
            QStringLiteral("90.00 %"));

        session.setFront(frontOf({ 1, 0 }), 0);
        filter.setFrontOnly(true);
        QCOMPARE(filter.rowCount(), 2);
        filter.sort(CandidateTableModel::CostColumn, Qt::AscendingOrder);
        QCOMPARE(filter.index(0, 0).data(CandidateTableModel::CandidateIdRole).toInt(), 1);
        filter.setFrontOnly(false);
        QCOMPARE(filter.rowCount(), 3);

        // A new front updates the rows that joined or left it, not the whole table; the front-only filter follows.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        session.setFront(frontOf({ 1, 2 }), 0);
        QCOMPARE(changed.size(), 2); // 0 left, 2 joined; 1 stayed
        QSet<int> rows;
        for (const QList<QVariant>& signal : changed)
            rows.insert(signal.at(0).toModelIndex().row());
        QCOMPARE(rows, QSet<int>({ 0, 2 }));
        filter.setFrontOnly(true);
        QCOMPARE(filter.rowCount(), 2);
        session.setFront(frontOf({ 1 }), 0);
        QCOMPARE(filter.rowCount(), 1);
        filter.setFrontOnly(false);
        session.setFront(frontOf({ 1, 0 }), 0);

        const QString csv = model.toCsv();
        QCOMPARE(csv.count(QLatin1Char('\n')), 4);
        QVERIFY(csv.startsWith(QStringLiteral("id,generation,validation_accuracy")));
        QVERIFY(csv.contains(QStringLiteral(
            "\n1,0,0.900000,0.890000,2000000,2000000,latency,2000,2500,0.500000,100001,2,0 1,2,1,0.5 0.5\n")));
        session.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCandidateTableModel)
#include "tst_candidatetablemodel.moc"
