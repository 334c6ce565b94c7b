#include "datasetsummary.h"

#include "data/channelstats.h"
#include "data/datasetspec.h"

#include <QElapsedTimer>

#include <algorithm>

namespace earlybird::ui {

namespace {
// Sample images shown per class row; a grid of 12 is enough to see what a class looks like.
constexpr int kSamplesPerClass = 12;
// Classes shown in the grid at most; CIFAR-100's 100 rows would be unreadable.
constexpr int kMaxGridClasses = 20;
// Pixels between images in the grid.
constexpr int kGridGap = 2;
} // namespace

DatasetSummary summariseDataset(const DatasetSpec& spec, Split split)
{
    QElapsedTimer timer;
    timer.start();
    const Dataset dataset = loadDataset(spec, split);
    const ChannelStats stats = computeChannelStats(dataset);

    DatasetSummary summary;
    summary.title = QString::fromStdString(dataset.name());
    summary.folder = QString::fromStdString(spec.path);
    summary.count = dataset.size();
    const ImageShape shape = dataset.shape();
    summary.channels = shape.channels;
    summary.height = shape.height;
    summary.width = shape.width;
    for (const std::string& name : dataset.classNames())
        summary.classNames << QString::fromStdString(name);
    for (const std::int64_t count : dataset.labelHistogram())
        summary.histogram << count;
    summary.mean = QVector<double>(stats.mean.begin(), stats.mean.end());
    summary.std = QVector<double>(stats.std.begin(), stats.std.end());

    const int rows = std::min(dataset.numClasses(), kMaxGridClasses);
    summary.samplesPerClass = kSamplesPerClass;
    QImage grid(kSamplesPerClass * (shape.width + kGridGap), rows * (shape.height + kGridGap), QImage::Format_RGB32);
    grid.fill(Qt::white);
    std::vector<int> filled(std::size_t(rows), 0);
    const std::int64_t plane = std::int64_t(shape.height) * shape.width;
    for (std::int64_t i = 0; i < dataset.size(); ++i) {
        const std::int64_t label = dataset.label(i);
        if (label >= rows || filled[std::size_t(label)] >= kSamplesPerClass)
            continue;
        const int column = filled[std::size_t(label)]++;
        const std::uint8_t* image = dataset.image(i);
        for (int y = 0; y < shape.height; ++y) {
            auto* line = reinterpret_cast<QRgb*>(grid.scanLine(int(label) * (shape.height + kGridGap) + y));
            for (int x = 0; x < shape.width; ++x) {
                const std::int64_t at = std::int64_t(y) * shape.width + x;
                const int r = image[at];
                const int g = shape.channels >= 3 ? image[plane + at] : r;
                const int b = shape.channels >= 3 ? image[2 * plane + at] : r;
                line[column * (shape.width + kGridGap) + x] = qRgb(r, g, b);
            }
        }
    }
    summary.samples = grid;
    summary.loadMilliseconds = timer.elapsed();
    return summary;
}

} // namespace earlybird::ui
