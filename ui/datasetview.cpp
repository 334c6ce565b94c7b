#include "datasetview.h"

#include "datasetspec.h"
#include "error.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace earlybird::ui {

namespace {
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
    , m_classNames(new QLabel)
    , m_chart(new QChart)
    , m_chartView(new QChartView(m_chart, this))
    , m_details(new QLabel(this))
{
    for (const std::string& name : datasetKindNames())
        m_kind->addItem(QString::fromStdString(name));
    m_split->addItem(tr("train"), QStringLiteral("train"));
    m_split->addItem(tr("test"), QStringLiteral("test"));
    m_folder->setPlaceholderText(tr("folder with the data set files"));
    m_busy->setRange(0, 0); // an indeterminate bar: a load has no meaningful percentage
    m_busy->setMaximumWidth(160);
    m_busy->hide();
    m_load->setDefault(true);

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
    m_classNames->setAlignment(Qt::AlignRight | Qt::AlignTop);
    auto* sampleHolder = new QWidget;
    auto* sampleLayout = new QHBoxLayout(sampleHolder);
    sampleLayout->addWidget(m_classNames);
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

QString DatasetView::datasetKind() const { return m_kind->currentText(); }

void DatasetView::setDatasetKind(const QString& kind)
{
    const int index = m_kind->findText(kind);
    if (index < 0)
        return;
    const QSignalBlocker blocker(m_kind);
    m_kind->setCurrentIndex(index);
    onKindChanged();
}

QString DatasetView::folder() const { return m_folder->text(); }

void DatasetView::setFolder(const QString& folder) { m_folder->setText(folder); }

bool DatasetView::isLoading() const { return m_watcher.isRunning(); }

void DatasetView::onKindChanged()
{
    const QString kind = datasetKind();
    const bool synthetic = kind == QStringLiteral("synthetic");
    m_browse->setEnabled(!synthetic);
    m_folder->setPlaceholderText(synthetic ? tr("settings, e.g. classes=10,train=2000,test=500,shape=1x28x28,seed=1")
                                           : tr("folder with the data set files"));
    QSettings settings;
    QString folder = settings.value(QStringLiteral("dataset/folder/") + kind).toString();
    if (folder.isEmpty()) {
        const std::optional<std::string> fallback = defaultDatasetPath(datasetKindFromName(kind.toStdString()));
        folder = fallback ? QString::fromStdString(*fallback) : QString();
    }
    m_folder->setText(folder);
}

void DatasetView::browse()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Data set folder"), m_folder->text());
    if (!folder.isEmpty())
        m_folder->setText(folder);
}

void DatasetView::load()
{
    DatasetSpec spec;
    try {
        spec.kind = datasetKindFromName(datasetKind().toStdString());
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

    const QImage zoomed = summary.samples.scaled(summary.samples.size() * kSampleZoom, Qt::IgnoreAspectRatio,
        Qt::FastTransformation);
    m_samples->setPixmap(QPixmap::fromImage(zoomed));
    // One name per grid row, each row as tall as an image: a table keeps the names level with their images.
    const int rowHeight = zoomed.height() / std::max(1, int(std::min<qsizetype>(summary.classNames.size(), 20)));
    QString names = QStringLiteral("<table cellspacing=0 cellpadding=0>");
    for (int row = 0; row < summary.classNames.size() && row < 20; ++row)
        names += QStringLiteral("<tr><td height=%1 valign=middle align=right>%2&nbsp;</td></tr>")
                     .arg(rowHeight)
                     .arg(summary.classNames[row].toHtmlEscaped());
    names += QStringLiteral("</table>");
    m_classNames->setText(names);

    m_chart->removeAllSeries();
    for (QAbstractAxis* axis : m_chart->axes())
        m_chart->removeAxis(axis);
    auto* set = new QBarSet(tr("images"));
    qint64 largest = 1;
    for (const qint64 count : summary.histogram) {
        *set << double(count);
        largest = std::max(largest, count);
    }
    auto* series = new QBarSeries;
    series->append(set);
    m_chart->addSeries(series);
    auto* classes = new QBarCategoryAxis;
    QStringList labels;
    for (int i = 0; i < summary.classNames.size(); ++i)
        labels << (summary.classNames.size() <= 20 ? summary.classNames[i] : QString::number(i));
    classes->append(labels);
    classes->setLabelsAngle(-60);
    m_chart->addAxis(classes, Qt::AlignBottom);
    series->attachAxis(classes);
    auto* counts = new QValueAxis;
    counts->setRange(0, double(largest) * 1.1);
    counts->setLabelFormat(QStringLiteral("%d"));
    counts->setTitleText(tr("images"));
    m_chart->addAxis(counts, Qt::AlignLeft);
    series->attachAxis(counts);

    m_details->setText(tr("Folder: %1<br>Per-channel mean: %2 &nbsp; std: %3 (pixels scaled to [0, 1])")
                           .arg(summary.folder.isEmpty() ? tr("(generated)") : summary.folder.toHtmlEscaped(),
                               formatChannels(summary.mean), formatChannels(summary.std)));
}

} // namespace earlybird::ui
