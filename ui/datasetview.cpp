#include "datasetview.h"

#include "datasetlocation.h"

#include "base/error.h"
#include "data/datasetspec.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

namespace earlybird::ui {

namespace {
// More classes than this get index numbers on the histogram: 100 names do not fit.
constexpr int kMaxNamedBars = 20;
// Sample images are tiny (28-32 px); this zoom makes them recognisable without blurring (nearest-neighbour).
constexpr int kSampleZoom = 2;

DatasetLoadOutcome loadInBackground(const DatasetSpec& spec, Split split)
{
    DatasetLoadOutcome outcome;
    try {
        outcome.summary = summariseDataset(spec, split);
    } catch (const std::exception& error) {
        outcome.error = QString::fromStdString(error.what());
    }
    return outcome;
}

// The sample grid, zoomed, with each class name drawn level with its row: separate widgets drift out of line.
QPixmap labelledSampleGrid(const DatasetSummary& summary)
{
    const QImage zoomed
        = summary.samples.scaled(summary.samples.size() * kSampleZoom, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    const int rows = std::max(1,
        int(std::min<qsizetype>(
            summary.classNames.size(), zoomed.height() / std::max(1, (summary.height + 2) * kSampleZoom))));
    const int rowHeight = zoomed.height() / rows;
    QFont font;
    const QFontMetrics metrics(font);
    int labelWidth = 0;
    for (int row = 0; row < rows; ++row)
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(summary.classNames[row]));
    labelWidth += 8;
    QPixmap pixmap(labelWidth + zoomed.width(), zoomed.height());
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setFont(font);
    for (int row = 0; row < rows; ++row)
        painter.drawText(QRect(0, row * rowHeight, labelWidth - 6, rowHeight - kSampleZoom * 2),
            Qt::AlignRight | Qt::AlignVCenter, summary.classNames[row]);
    painter.drawImage(labelWidth, 0, zoomed);
    return pixmap;
}

QString formatChannels(const QVector<double>& values)
{
    QStringList parts;
    for (const double value : values)
        parts << QString::number(value, 'f', 4);
    return parts.join(QStringLiteral(", "));
}
} // namespace

DatasetView::DatasetView(QWidget* parent)
    : QWidget(parent)
    , m_kind(new QComboBox(this))
    , m_folder(new QLineEdit(this))
    , m_browse(new QPushButton(tr("Browse…"), this))
    , m_split(new QComboBox(this))
    , m_load(new QPushButton(tr("Load"), this))
    , m_busy(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_samples(new QLabel)
    , m_chart(new QChart)
    , m_chartView(new QChartView(m_chart, this))
    , m_details(new QLabel(this))
{
    for (const std::string& name : namesOf<DatasetKind>())
        m_kind->addItem(QString::fromStdString(name));
    m_split->addItem(tr("train"), QStringLiteral("train"));
    m_split->addItem(tr("test"), QStringLiteral("test"));
    m_folder->setPlaceholderText(tr("folder with the data set files"));
    m_busy->setRange(0, 0); // an indeterminate bar: a load has no meaningful percentage
    m_busy->setMaximumWidth(160);
    m_busy->hide();
    m_load->setDefault(true);
    m_kind->setToolTip(tr("The kind of data set to look at"));
    m_folder->setToolTip(tr("The folder holding its files (for synthetic: its settings, e.g. classes=4,train=600)"));
    m_browse->setToolTip(tr("Choose the folder"));
    m_split->setToolTip(tr("The split to show: train or test"));
    m_load->setToolTip(tr("Read the split and show sample images per class, the class histogram and the per-channel "
                          "mean and standard deviation (pixel values scaled to 0-1)"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Data set:"), this));
    controls->addWidget(m_kind);
    controls->addWidget(new QLabel(tr("Folder:"), this));
    controls->addWidget(m_folder, 1);
    controls->addWidget(m_browse);
    controls->addWidget(new QLabel(tr("Split:"), this));
    controls->addWidget(m_split);
    controls->addWidget(m_load);

    auto* status = new QHBoxLayout;
    status->addWidget(m_busy);
    status->addWidget(m_status, 1);

    m_samples->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* sampleHolder = new QWidget;
    auto* sampleLayout = new QHBoxLayout(sampleHolder);
    sampleLayout->addWidget(m_samples);
    sampleLayout->addStretch(1);
    auto* sampleScroll = new QScrollArea(this);
    sampleScroll->setWidget(sampleHolder);
    sampleScroll->setWidgetResizable(true);

    m_chart->setTitle(tr("Images per class"));
    m_chart->legend()->hide();
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumWidth(360);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(sampleScroll);
    splitter->addWidget(m_chartView);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addLayout(status);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_details);

    QSettings settings;
    const QString kind = settings.value(QStringLiteral("dataset/kind"), QStringLiteral("fashion-mnist")).toString();
    setDatasetKind(kind);
    const QString remembered = settings.value(QStringLiteral("dataset/folder/") + kind).toString();
    if (!remembered.isEmpty())
        m_folder->setText(remembered);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &DatasetView::onKindChanged);
    connect(m_browse, &QPushButton::clicked, this, &DatasetView::browse);
    connect(m_load, &QPushButton::clicked, this, &DatasetView::load);
    connect(m_folder, &QLineEdit::returnPressed, this, &DatasetView::load);
    connect(&m_watcher, &QFutureWatcher<DatasetLoadOutcome>::finished, this, &DatasetView::onLoadFinished);
}

DatasetView::~DatasetView()
{
    // The loader thread only touches its own copies; waiting keeps it from outliving the application's objects.
    m_watcher.waitForFinished();
}

QString DatasetView::datasetKind() const
{
    return m_kind->currentText();
}

void DatasetView::setDatasetKind(const QString& kind)
{
    const int index = m_kind->findText(kind);
    if (index < 0)
        return;
    const QSignalBlocker blocker(m_kind);
    m_kind->setCurrentIndex(index);
    onKindChanged();
}

QString DatasetView::folder() const
{
    return m_folder->text();
}

void DatasetView::setFolder(const QString& folder)
{
    m_folder->setText(folder);
}

bool DatasetView::isLoading() const
{
    return m_watcher.isRunning();
}

void DatasetView::onKindChanged()
{
    const QString kind = datasetKind();
    const bool synthetic = fromName<DatasetKind>(kind.toStdString()) == DatasetKind::Synthetic;
    m_browse->setEnabled(!synthetic);
    m_folder->setPlaceholderText(datasetLocationHint(fromName<DatasetKind>(kind.toStdString())));
    QSettings settings;
    QString folder = settings.value(QStringLiteral("dataset/folder/") + kind).toString();
    if (folder.isEmpty()) {
        const std::optional<std::string> fallback = defaultDatasetPath(fromName<DatasetKind>(kind.toStdString()));
        folder = fallback ? QString::fromStdString(*fallback) : QString();
    }
    m_folder->setText(folder);
}

void DatasetView::browse()
{
    const QString location
        = chooseDatasetLocation(this, fromName<DatasetKind>(datasetKind().toStdString()), m_folder->text());
    if (!location.isEmpty())
        m_folder->setText(location);
}

void DatasetView::load()
{
    DatasetSpec spec;
    try {
        spec.kind = fromName<DatasetKind>(datasetKind().toStdString());
    } catch (const Error& error) {
        Q_EMIT failed(QString::fromStdString(error.what()));
        return;
    }
    spec.path = m_folder->text().trimmed().toStdString();
    const Split split = m_split->currentData().toString() == QStringLiteral("test") ? Split::Test : Split::Train;
    saveSettings();
    m_busy->show();
    m_status->setText(tr("Loading %1 (%2)…").arg(datasetKind(), m_split->currentText()));
    m_watcher.setFuture(QtConcurrent::run(loadInBackground, spec, split));
}

void DatasetView::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("dataset/kind"), datasetKind());
    settings.setValue(QStringLiteral("dataset/folder/") + datasetKind(), m_folder->text().trimmed());
}

void DatasetView::onLoadFinished()
{
    m_busy->hide();
    const DatasetLoadOutcome outcome = m_watcher.result();
    if (!outcome.error.isEmpty()) {
        m_status->setText(tr("Could not load the data set."));
        Q_EMIT failed(outcome.error);
        return;
    }
    m_summary = outcome.summary;
    m_hasSummary = true;
    show(m_summary);
    Q_EMIT loaded(m_summary);
}

void DatasetView::show(const DatasetSummary& summary)
{
    m_status->setText(tr("%1: %L2 images of %3×%4×%5, %6 classes, loaded in %L7 ms")
                          .arg(summary.title)
                          .arg(summary.count)
                          .arg(summary.channels)
                          .arg(summary.height)
                          .arg(summary.width)
                          .arg(summary.classNames.size())
                          .arg(summary.loadMilliseconds));

    m_samples->setPixmap(labelledSampleGrid(summary));

    m_chart->removeAllSeries();
    for (QAbstractAxis* axis : m_chart->axes())
        m_chart->removeAxis(axis);
    // Horizontal bars: class names read level on the category axis instead of being rotated and elided.
    auto* set = new QBarSet(tr("images"));
    QStringList labels;
    const bool named = summary.classNames.size() <= kMaxNamedBars;
    for (int i = summary.histogram.size() - 1; i >= 0; --i) {
        *set << double(summary.histogram[i]);
        labels << (named ? summary.classNames[i] : QString::number(i));
    }
    // Too many classes to name on the axis (CIFAR-100's 100): the title gives the range, a bar names its class when
    // the pointer rests on it.
    const qint64 fewest
        = summary.histogram.isEmpty() ? 0 : *std::min_element(summary.histogram.begin(), summary.histogram.end());
    const qint64 most
        = summary.histogram.isEmpty() ? 0 : *std::max_element(summary.histogram.begin(), summary.histogram.end());
    m_chart->setTitle(named  ? tr("Images per class")
            : fewest == most ? tr("%1 classes, %2 images each").arg(summary.histogram.size()).arg(most)
                             : tr("%1 classes, %2 to %3 images").arg(summary.histogram.size()).arg(fewest).arg(most));
    m_chartView->setToolTip(named ? QString() : tr("Images per class: point at a bar to see its class"));
    const QStringList names = summary.classNames;
    const QVector<qint64> histogram = summary.histogram;
    connect(set, &QBarSet::hovered, this, [names, histogram](bool entered, int index) {
        const int row = int(histogram.size()) - 1 - index; // the bars run bottom to top
        if (entered && row >= 0 && row < histogram.size())
            QToolTip::showText(QCursor::pos(),
                tr("%1 (class %2): %3 images")
                    .arg(row < names.size() ? names[row] : QString::number(row))
                    .arg(row)
                    .arg(histogram[row]));
        else
            QToolTip::hideText();
    });
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    series->setBarWidth(named ? 0.7 : 0.95);
    m_chart->addSeries(series);
    auto* classes = new QBarCategoryAxis;
    classes->append(labels);
    classes->setLabelsVisible(named);
    classes->setGridLineVisible(named);
    m_chart->addAxis(classes, Qt::AlignLeft);
    series->attachAxis(classes);
    auto* counts = new QValueAxis;
    const qint64 largest
        = summary.histogram.isEmpty() ? 1 : *std::max_element(summary.histogram.begin(), summary.histogram.end());
    counts->setRange(0, double(std::max<qint64>(largest, 1)));
    counts->applyNiceNumbers();
    counts->setLabelFormat(QStringLiteral("%d"));
    counts->setTitleText(tr("images"));
    m_chart->addAxis(counts, Qt::AlignBottom);
    series->attachAxis(counts);

    m_details->setText(tr("Folder: %1<br>Per-channel mean: %2 &nbsp; std: %3 (pixels scaled to [0, 1])")
                           .arg(summary.folder.isEmpty() ? tr("(generated)") : summary.folder.toHtmlEscaped(),
                               formatChannels(summary.mean), formatChannels(summary.std)));
}

} // namespace earlybird::ui
