// The Pareto chart with as many candidates as a long composed search makes (goal: smooth at 5,000 and more). Each
// benchmark runs with the decimation on (/1, the window's default) and off (/0, every marker drawn), side by side.
//   BM_Repaint: one full repaint of a 900 x 600 chart (what a resize, a hover or the selection ring costs).
//   BM_AddBatch: 64 more candidates arrive and are drawn, as the flush timer does during a search.
//   BM_OpenAll: an opened session's candidates added, fitted and drawn the first time.
//   BM_SeriesAppend: a bare QScatterSeries given 64 more points by append() (/0, what the chart did before) or by
//   replace() with all of them (/1, what it does now), then drawn.
//   BM_HypervolumePoint: the hypervolume plot, holding N points, gets one more and is drawn.
// Runs offscreen (QT_QPA_PLATFORM=offscreen unless set).

#include "hypervolumeplot.h"
#include "paretochart.h"
#include "qtbenchmarkmain.h"

#include <QChart>
#include <QChartView>
#include <QImage>
#include <QPainter>
#include <QScatterSeries>

#include <cmath>
#include <memory>
#include <random>

using namespace earlybird;
using namespace earlybird::ui;

namespace {

constexpr double kBackboneMacs = 3.1e6;

// Candidates crowded along a trade-off curve, as the composer's are.
std::vector<CandidateRecord> candidates(int count, int firstId = 0)
{
    std::mt19937 rng(unsigned(firstId + 1));
    std::normal_distribution<double> noise(0.0, 0.01);
    std::uniform_real_distribution<double> cost(0.03, 0.9);
    std::vector<CandidateRecord> out(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        CandidateRecord& c = out[std::size_t(i)];
        c.id = firstId + i;
        c.generation = c.id / 64;
        const double u = cost(rng);
        c.validation.averageCost = c.validation.averageMacs = u * kBackboneMacs;
        c.validation.accuracy = std::clamp(0.92 - 0.35 * std::exp(-u / 0.08) + noise(rng), 0.0, 1.0);
        c.test = c.validation;
    }
    return out;
}

std::unique_ptr<ParetoChart> chart(int count, bool decimate)
{
    auto chart = std::make_unique<ParetoChart>();
    chart->resize(900, 600);
    chart->setDecimation(decimate);
    chart->setSession(CostAxis::forSession(CostModel::Macs, kBackboneMacs), 0.92, 0.6 * kBackboneMacs);
    for (const CandidateRecord& c : candidates(count))
        chart->addCandidate(c);
    chart->flush();
    return chart;
}

void repaint(ParetoChart& chart, QImage& image)
{
    QPainter painter(&image);
    chart.render(&painter);
}

void BM_Repaint(benchmark::State& state)
{
    auto c = chart(int(state.range(0)), state.range(1) != 0);
    QImage image(900, 600, QImage::Format_ARGB32_Premultiplied);
    repaint(*c, image);
    for (auto _ : state)
        repaint(*c, image);
    state.counters["drawn"] = c->drawnPointCount();
}
BENCHMARK(BM_Repaint)
    ->ArgsProduct({ { 500, 5000, 20000 }, { 0, 1 } })
    ->ArgNames({ "candidates", "decimate" })
    ->Unit(benchmark::kMillisecond);

void BM_AddBatch(benchmark::State& state)
{
    const int count = int(state.range(0));
    auto c = chart(count, state.range(1) != 0);
    QImage image(900, 600, QImage::Format_ARGB32_Premultiplied);
    int next = count;
    for (auto _ : state) {
        state.PauseTiming();
        const std::vector<CandidateRecord> batch = candidates(64, next);
        next += 64;
        state.ResumeTiming();
        for (const CandidateRecord& candidate : batch)
            c->addCandidate(candidate);
        c->flush();
        repaint(*c, image);
    }
    state.counters["drawn"] = c->drawnPointCount();
}
BENCHMARK(BM_AddBatch)
    ->ArgsProduct({ { 500, 5000, 20000 }, { 0, 1 } })
    ->ArgNames({ "candidates", "decimate" })
    ->Unit(benchmark::kMillisecond);

void BM_OpenAll(benchmark::State& state)
{
    const std::vector<CandidateRecord> all = candidates(int(state.range(0)));
    QImage image(900, 600, QImage::Format_ARGB32_Premultiplied);
    for (auto _ : state) {
        ParetoChart c;
        c.resize(900, 600);
        c.setDecimation(state.range(1) != 0);
        c.setSession(CostAxis::forSession(CostModel::Macs, kBackboneMacs), 0.92, 0.6 * kBackboneMacs);
        for (const CandidateRecord& candidate : all)
            c.addCandidate(candidate);
        c.flush();
        repaint(c, image);
    }
}
BENCHMARK(BM_OpenAll)
    ->ArgsProduct({ { 5000, 20000 }, { 0, 1 } })
    ->ArgNames({ "candidates", "decimate" })
    ->Unit(benchmark::kMillisecond);

void BM_SeriesAppend(benchmark::State& state)
{
    const int count = int(state.range(0));
    const bool replace = state.range(1) != 0;
    QChart* chart = new QChart;
    QChartView view(chart);
    view.resize(900, 600);
    auto* series = new QScatterSeries;
    chart->addSeries(series);
    chart->createDefaultAxes();
    chart->axes(Qt::Horizontal).first()->setRange(0, 1);
    chart->axes(Qt::Vertical).first()->setRange(0, 1);
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    QList<QPointF> points;
    for (int i = 0; i < count; ++i)
        points.append(QPointF(unit(rng), unit(rng)));
    series->replace(points);
    QImage image(900, 600, QImage::Format_ARGB32_Premultiplied);
    for (auto _ : state) {
        QList<QPointF> batch;
        for (int i = 0; i < 64; ++i)
            batch.append(QPointF(unit(rng), unit(rng)));
        if (replace) {
            points += batch;
            series->replace(points);
        } else {
            series->append(batch);
        }
        QPainter painter(&image);
        view.render(&painter);
    }
}
BENCHMARK(BM_SeriesAppend)
    ->ArgsProduct({ { 500, 5000 }, { 0, 1 } })
    ->ArgNames({ "points", "replace" })
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// The hypervolume plot gets a point each time the front moves: with N points on it, one more and a repaint.
void BM_HypervolumePoint(benchmark::State& state)
{
    HypervolumePlot plot;
    plot.resize(400, 250);
    const int count = int(state.range(0));
    for (int i = 0; i < count; ++i)
        plot.addPoint(i, 0.5 + 0.5 * double(i) / count);
    QImage image(400, 250, QImage::Format_ARGB32_Premultiplied);
    int next = count;
    for (auto _ : state) {
        plot.addPoint(next, 1.0 + 1e-6 * next);
        ++next;
        QPainter painter(&image);
        plot.render(&painter);
    }
}
BENCHMARK(BM_HypervolumePoint)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char** argv)
{
    return runQtBenchmarks(argc, argv);
}
