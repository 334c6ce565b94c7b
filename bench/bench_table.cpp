// The candidates table as the window shows it (setUpCandidateView: sorted, columns sized to their contents) while a
// search streams candidates into it: what the GUI thread spends when 64 more arrive and the view lays them out.
//   BM_TableAddBatch/N: N candidates in the table, then 64 more (the view's columns sized to their contents, which Qt
//   measures on up to 1,000 rows: a suspect of the window's late stalls, and not one, at about 3.4 ms a batch).
// Runs offscreen (QT_QPA_PLATFORM=offscreen unless set).

#include "candidatetablemodel.h"
#include "qtbenchmarkmain.h"
#include "sessionmodel.h"

#include <QTableView>

#include <random>

using namespace earlybird;
using namespace earlybird::ui;

namespace {

CandidateRecord candidate(int id, std::mt19937& rng)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    CandidateRecord c;
    c.id = id;
    c.generation = id / 64;
    c.parameters = 200000 + std::int64_t(100000 * unit(rng));
    c.architecture.exits.resize(std::size_t(1 + id % 4));
    c.validation.averageCost = c.validation.averageMacs = 3.1e6 * unit(rng);
    c.validation.accuracy = 0.8 + 0.1 * unit(rng);
    c.test = c.validation;
    return c;
}

// Lets the view do what it defers (header resizes, layout) and paints it, as the event loop would.
void settle(QTableView& view)
{
    QApplication::processEvents();
    QApplication::processEvents();
    view.viewport()->grab();
}

void BM_TableAddBatch(benchmark::State& state)
{
    const int stored = int(state.range(0));
    SessionModel session;
    CandidateTableModel model(&session);
    model.setCostAxis(CostAxis::forSession(CostModel::Macs, 3.1e6));
    CandidateFilterModel filter;
    filter.setSourceModel(&model);
    QTableView view;
    setUpCandidateView(&view, &filter);
    view.resize(700, 300);
    view.show();
    std::mt19937 rng(1);
    int next = 0;
    for (; next < stored; ++next)
        session.addCandidate(candidate(next, rng));
    settle(view);
    for (auto _ : state) {
        for (int i = 0; i < 64; ++i)
            session.addCandidate(candidate(next++, rng));
        settle(view);
    }
    state.counters["rows"] = double(next);
}
BENCHMARK(BM_TableAddBatch)->Arg(200)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond)->Iterations(20);

} // namespace

int main(int argc, char** argv)
{
    return runQtBenchmarks(argc, argv);
}
