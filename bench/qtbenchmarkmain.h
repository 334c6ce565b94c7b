#pragma once

// The main() of a benchmark of Qt widgets: an application on the offscreen platform (unless QT_QPA_PLATFORM says
// otherwise), then Google Benchmark.

#include <QApplication>

#include <benchmark/benchmark.h>

inline int runQtBenchmarks(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
