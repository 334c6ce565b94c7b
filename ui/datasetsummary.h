#pragma once

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace earlybird {
struct DatasetSpec;
enum class Split;
} // namespace earlybird

namespace earlybird::ui {

// What the data set view shows of one loaded split: an immutable value built off the GUI thread.
struct DatasetSummary {
    QString title;
    QString folder;
    qint64 count = 0;
    int channels = 0;
    int height = 0;
    int width = 0;
    QStringList classNames;
    QVector<qint64> histogram;
    QVector<double> mean;
    QVector<double> std;
    QImage samples; // a grid: one row per class, the first images of that class
    int samplesPerClass = 0;
    qint64 loadMilliseconds = 0;
};

// Loads the split and summarises it. Runs in a worker thread; throws earlybird::Error on bad input.
DatasetSummary summariseDataset(const DatasetSpec& spec, Split split);

} // namespace earlybird::ui

Q_DECLARE_METATYPE(earlybird::ui::DatasetSummary)
