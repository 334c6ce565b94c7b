#include "runpanel.h"

#include "datasetlocation.h"

#include "base/cachefile.h"
#include "base/computethreads.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/precision.h"
#include "data/imagefolder.h"
#include "model/backbonepresets.h"
#include "search/sessionfile.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace earlybird::ui {

namespace {
QString formatSeconds(double seconds)
{
    if (seconds <= 0)
        return QStringLiteral("–");
    const int s = int(seconds + 0.5);
    return s >= 60 ? QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
                   : QStringLiteral("%1 s").arg(s);
}

QWidget* withBrowse(QLineEdit* edit, QPushButton* button)
{
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(button);
    return row;
}
} // namespace

RunPanel::RunPanel(QWidget* parent)
    : QWidget(parent)
    , m_kind(new QComboBox(this))
    , m_folder(new QLineEdit(this))
    , m_imageSize(new QLineEdit(this))
    , m_backbone(new QComboBox(this))
    , m_weights(new QLineEdit(this))
    , m_family(new QComboBox(this))
    , m_familyWeights(new QComboBox(this))
    , m_cost(new QComboBox(this))
    , m_target(new QDoubleSpinBox(this))
    , m_mode(new QComboBox(this))
    , m_precision(new QComboBox(this))
    , m_calibrate(new QCheckBox(tr("Calibrate exits (temperature scaling)"), this))
    , m_minutes(new QDoubleSpinBox(this))
    , m_generations(new QSpinBox(this))
    , m_population(new QSpinBox(this))
    , m_seed(new QSpinBox(this))
    , m_epochs(new QSpinBox(this))
    , m_threads(new QSpinBox(this))
    , m_session(new QLineEdit(this))
    , m_problems(new QLabel(this))
    , m_start(new QPushButton(tr("Start"), this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_stop(new QPushButton(tr("Stop"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
{
    for (const std::string& name : namesOf<DatasetKind>())
        m_kind->addItem(QString::fromStdString(name));
    m_backbone->addItem(tr("default for the data set"), QString());
    for (const std::string& name : backbonePresetNames())
        m_backbone->addItem(QString::fromStdString(name), QString::fromStdString(name));
    m_backbone->addItem(tr("a backbone JSON file…"), QStringLiteral("<file>"));
    m_weights->setPlaceholderText(tr("none: train the backbone here"));
    m_weights->setToolTip(
        tr("A backbone trained elsewhere: its state_dict saved with torch.save(dict(net.state_dict()), FILE), with "
           "the parameter names of the module `earlybird-cli export --format pytorch` writes. The search then "
           "trains no backbone; see docs/user-data.md."));
    m_family->addItem(tr("no: the exits of this backbone"), 0);
    for (const int size : { 3, 4, 5 })
        m_family->addItem(tr("yes: %1 backbones of its family").arg(size), size);
    m_family->setToolTip(
        tr("Search the backbone too: its width, depth per stage and kernels, over this many members of its family "
           "(the base among them), each member's exits searched and the time given to those that add most to the "
           "joint front. Needs a time budget, which includes every backbone's training. See docs/family-search.md."));
    m_familyWeights->addItem(tr("each backbone trained on its own"), QStringLiteral("separate"));
    m_familyWeights->addItem(tr("one weight-shared supernet"), QStringLiteral("supernet"));
    m_familyWeights->setToolTip(
        tr("Where the family's backbones get their weights: each trained on its own, or all taken out of one supernet "
           "trained once (the once-for-all recipe; cached, and reused by any family over the same span)"));
    m_cost->addItem(tr("MACs (analytic)"), QStringLiteral("macs"));
    m_cost->addItem(tr("Latency on this CPU (timed)"), QStringLiteral("latency"));
    m_cost->addItem(tr("Parameters used per sample"), QStringLiteral("parameters"));
    m_cost->setToolTip(tr("What the search minimises. Latency is timed with LibTorch at batch size 1 on this machine, "
                          "each network part once (kept in a table per CPU and thread count)."));
    m_target->setRange(0.05, 1.5);
    m_target->setSingleStep(0.05);
    m_target->setDecimals(2);
    m_target->setSuffix(tr(" × backbone"));
    m_mode->addItem(tr("budget (hard limit)"), QStringLiteral("budget"));
    m_mode->addItem(tr("AEBNAS (error + 0.1·MAPE)"), QStringLiteral("aebnas"));
    m_mode->addItem(tr("NACHOS (one threshold, lowered to the target)"), QStringLiteral("nachos"));
    m_precision->addItem(
        tr("automatic (%1 on this CPU)").arg(QString::fromStdString(nameOf(resolvePrecision(Precision::Auto)))),
        QStringLiteral("auto"));
    m_precision->addItem(tr("fp32"), QStringLiteral("fp32"));
    m_precision->addItem(tr("bf16 autocast"), QStringLiteral("bf16"));
    m_minutes->setRange(0, 10000);
    m_minutes->setSuffix(tr(" min"));
    m_minutes->setSpecialValueText(tr("no limit"));
    m_generations->setRange(0, 100000);
    m_generations->setSpecialValueText(tr("no limit"));
    m_population->setRange(2, 1000);
    m_seed->setRange(0, 1000000);
    m_epochs->setRange(1, 1000);
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(machineCores()));
    m_problems->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_problems->setWordWrap(true);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(true);
    m_status->setWordWrap(true);

    auto* browseData = new QPushButton(tr("…"), this);
    auto* browseSession = new QPushButton(tr("…"), this);
    browseData->setToolTip(tr("Choose the data set folder"));
    browseSession->setToolTip(tr("Choose the session folder"));

    auto* form = new QFormLayout;
    m_form = form;
    m_kind->setToolTip(tr("The data set to search on: its training split trains, a held-out part of it tunes the "
                          "thresholds, its test split is only reported"));
    m_folder->setToolTip(
        tr("The folder holding the data set's files (an image folder: the one with train/ and test/; NumPy: a .npz "
           "file or a folder of .npy files; synthetic: its settings)"));
    m_imageSize->setPlaceholderText(tr("most common size"));
    m_imageSize->setToolTip(tr("Image folders: every image is resized to this size, height x width (e.g. 32x32); "
                               "empty: the most common size of the training images"));
    m_calibrate->setToolTip(
        tr("Divide each exit's logits by a temperature fitted on the validation split before measuring its "
           "confidence, so that a confidence of 0.9 means right about 9 times in 10. Thresholds are tuned and "
           "exported on the calibrated confidences; every exit's calibration error is shown either way."));
    m_backbone->setToolTip(
        tr("The backbone network the exits are attached to; the default is sized for the data set on "
           "a 2-core CPU"));
    m_target->setToolTip(tr("The average cost to aim for, as a fraction of the backbone's cost (0.60 = 60 %)"));
    m_mode->setToolTip(tr("Budget: the best accuracy whose average cost stays within the target. AEBNAS: the "
                          "paper's error + 0.1 · MAPE-to-target objective, for comparison"));
    m_precision->setToolTip(tr("What training computes in. bf16 autocast roughly doubles training speed on CPUs with "
                               "bfloat16 instructions (AVX512_BF16, AMX); elsewhere it is emulated and slower, so "
                               "automatic picks fp32 there. Evaluation is always fp32. Here: %1.")
                                .arg(QString::fromStdString(precisionNote(Precision::Auto))));
    m_minutes->setToolTip(tr("Wall-clock minutes for the whole search, backbone training included (0: no limit)"));
    m_generations->setToolTip(tr("NSGA-II generations to run (0: until the time budget is spent)"));
    m_population->setToolTip(tr("Networks per NSGA-II generation (parents kept between generations)"));
    m_epochs->setToolTip(tr("Training epochs of the backbone (once per data set and seed; cached after)"));
    m_seed->setToolTip(tr("Random seed: the same seed, data and settings give the same search"));
    m_threads->setToolTip(tr("CPU threads LibTorch uses for training (0: every core)"));
    m_session->setToolTip(tr("Where the session is saved after every candidate (a folder; resumable)"));
    m_start->setToolTip(tr("Start a search with these settings (F5)"));
    m_pause->setToolTip(tr("Pause the search after the step in progress, or continue it (F6)"));
    m_stop->setToolTip(
        tr("Stop the search; everything evaluated is saved and Search ▸ Resume continues it (Shift+F5)"));
    form->addRow(tr("Data set"), m_kind);
    form->addRow(tr("Folder"), withBrowse(m_folder, browseData));
    form->addRow(tr("Image size"), m_imageSize);
    form->addRow(tr("Backbone"), m_backbone);
    auto* browseWeights = new QPushButton(tr("…"), this);
    browseWeights->setToolTip(tr("Choose a backbone's state_dict (.pt)"));
    form->addRow(tr("Backbone weights"), withBrowse(m_weights, browseWeights));
    form->addRow(tr("Search the backbone"), m_family);
    form->addRow(tr("Family weights"), m_familyWeights);
    form->addRow(tr("Cost"), m_cost);
    form->addRow(tr("Target"), m_target);
    form->addRow(tr("Mode"), m_mode);
    form->addRow(tr("Time budget"), m_minutes);
    form->addRow(tr("Generations"), m_generations);
    form->addRow(tr("Population"), m_population);
    form->addRow(tr("Backbone epochs"), m_epochs);
    form->addRow(tr("Training precision"), m_precision);
    form->addRow(tr("Confidence"), m_calibrate);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Threads"), m_threads);
    form->addRow(tr("Session folder"), withBrowse(m_session, browseSession));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_stop);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problems);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addStretch(1);

    QSettings settings;
    m_kind->setCurrentText(settings.value(QStringLiteral("run/kind"), QStringLiteral("fashion-mnist")).toString());
    onKindChanged();
    const QString folder = settings.value(QStringLiteral("run/folder/") + m_kind->currentText()).toString();
    if (!folder.isEmpty())
        m_folder->setText(folder);
    const QString backbone = settings.value(QStringLiteral("run/backbone")).toString();
    if (backbone.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive))
        selectBackboneFile(backbone);
    else
        m_backbone->setCurrentIndex(std::max(0, m_backbone->findData(backbone)));
    m_weights->setText(settings.value(QStringLiteral("run/backboneWeights")).toString());
    m_family->setCurrentIndex(std::max(0, m_family->findData(settings.value(QStringLiteral("run/family"), 0))));
    m_familyWeights->setCurrentIndex(std::max(
        0, m_familyWeights->findData(settings.value(QStringLiteral("run/familyWeights"), QStringLiteral("separate")))));
    m_cost->setCurrentIndex(
        std::max(0, m_cost->findData(settings.value(QStringLiteral("run/cost"), QStringLiteral("macs")))));
    m_target->setValue(settings.value(QStringLiteral("run/target"), 0.6).toDouble());
    m_mode->setCurrentIndex(
        std::max(0, m_mode->findData(settings.value(QStringLiteral("run/mode"), QStringLiteral("budget")))));
    m_precision->setCurrentIndex(
        std::max(0, m_precision->findData(settings.value(QStringLiteral("run/precision"), QStringLiteral("auto")))));
    m_minutes->setValue(settings.value(QStringLiteral("run/minutes"), 10.0).toDouble());
    m_generations->setValue(settings.value(QStringLiteral("run/generations"), 0).toInt());
    m_population->setValue(settings.value(QStringLiteral("run/population"), 16).toInt());
    m_epochs->setValue(settings.value(QStringLiteral("run/epochs"), 10).toInt());
    m_calibrate->setChecked(settings.value(QStringLiteral("run/calibrate"), false).toBool());
    m_seed->setValue(settings.value(QStringLiteral("run/seed"), 1).toInt());
    m_threads->setValue(settings.value(QStringLiteral("compute/threads"), 0).toInt());

    connect(m_kind, &QComboBox::currentIndexChanged, this, &RunPanel::onKindChanged);
    for (QComboBox* box : { m_backbone, m_family, m_cost })
        connect(box, &QComboBox::currentIndexChanged, this, &RunPanel::validate);
    for (QLineEdit* edit : { m_folder, m_session, m_imageSize, m_weights })
        connect(edit, &QLineEdit::textChanged, this, &RunPanel::validate);
    connect(m_minutes, &QDoubleSpinBox::valueChanged, this, &RunPanel::validate);
    connect(m_generations, &QSpinBox::valueChanged, this, &RunPanel::validate);
    connect(browseData, &QPushButton::clicked, this, [this] {
        const QString location = chooseDatasetLocation(this, kind(), m_folder->text());
        if (!location.isEmpty())
            m_folder->setText(location);
    });
    connect(browseWeights, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Backbone weights"), m_weights->text(), tr("PyTorch state_dict (*.pt *.pth);;All files (*)"));
        if (!file.isEmpty())
            m_weights->setText(file);
    });
    connect(m_backbone, &QComboBox::activated, this, [this](int index) {
        if (m_backbone->itemData(index).toString() != QStringLiteral("<file>"))
            return;
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Backbone JSON file"), QString(), tr("Backbone or architecture JSON (*.json);;All files (*)"));
        if (file.isEmpty())
            m_backbone->setCurrentIndex(0);
        else
            selectBackboneFile(file);
    });
    connect(browseSession, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Session folder"), m_session->text());
        if (!folder.isEmpty())
            m_session->setText(folder);
    });
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (m_showingSession) {
            // New search from these settings: editable, in a folder of its own.
            m_showingSession = false;
            m_start->setText(tr("Start"));
            m_start->setToolTip(tr("Start a search with these settings (F5)"));
            setEditable(true);
            m_session->setProperty("generated", true);
            m_session->clear();
            const QString folder = m_folder->text();
            onKindChanged();
            m_folder->setText(folder);
            validate();
            return;
        }
        validate();
        if (!problems().isEmpty())
            return;
        saveSettings();
        setComputeThreads(m_threads->value());
        Q_EMIT startRequested(request());
    });
    connect(m_pause, &QPushButton::clicked, this, [this] { Q_EMIT pauseRequested(!m_paused); });
    connect(m_stop, &QPushButton::clicked, this, &RunPanel::stopRequested);
    setRunning(false);
    showIdle(tr("Ready."));
}

void RunPanel::selectBackboneFile(const QString& path)
{
    int index = m_backbone->findData(path);
    if (index < 0) {
        index = m_backbone->count() - 1; // before "a backbone JSON file…"
        m_backbone->insertItem(index, QFileInfo(path).fileName(), path);
        m_backbone->setItemData(index, path, Qt::ToolTipRole);
    }
    m_backbone->setCurrentIndex(index);
    validate();
}

std::optional<ImageFolderOptions> RunPanel::imageSize() const
{
    const std::string text = m_imageSize->text().trimmed().toStdString();
    if (text.empty())
        return std::nullopt;
    ImageFolderOptions options;
    try {
        parseImageSize(text, options, "image size");
    } catch (const Error&) {
        return std::nullopt;
    }
    return options;
}

DatasetKind RunPanel::kind() const
{
    return fromName<DatasetKind>(m_kind->currentText().toStdString());
}

void RunPanel::onKindChanged()
{
    QSettings settings;
    QString folder = settings.value(QStringLiteral("run/folder/") + m_kind->currentText()).toString();
    if (folder.isEmpty()) {
        const std::optional<std::string> fallback = defaultDatasetPath(kind());
        folder = fallback ? QString::fromStdString(*fallback) : QString();
    }
    m_folder->setText(folder);
    m_folder->setPlaceholderText(datasetLocationHint(kind()));
    m_imageSize->setEnabled(kind() == DatasetKind::Folder && !m_showingSession && !m_running);
    if (m_form)
        m_form->setRowVisible(m_imageSize, kind() == DatasetKind::Folder); // only image folders are resized
    if (kind() == DatasetKind::Folder)
        m_imageSize->setText(settings.value(QStringLiteral("run/imageSize")).toString());
    else
        m_imageSize->clear();
    if (m_session->text().isEmpty() || m_session->property("generated").toBool()) {
        const QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        m_session->setText(base + QStringLiteral("/sessions/") + m_kind->currentText() + QLatin1Char('-')
            + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
        m_session->setProperty("generated", true);
    }
    validate();
}

QStringList RunPanel::problems() const
{
    QStringList problems;
    const bool synthetic = kind() == DatasetKind::Synthetic;
    if (!synthetic && !m_folder->text().isEmpty() && !datasetLocationExists(kind(), m_folder->text().trimmed()))
        problems << (kind() == DatasetKind::Numpy ? tr("The NumPy file or folder does not exist.")
                                                  : tr("The data set folder does not exist."));
    if (!synthetic && m_folder->text().isEmpty())
        problems << tr("Choose the data set folder.");
    if (m_backbone->currentData().toString() == QStringLiteral("<file>"))
        problems << tr("Choose the backbone JSON file, or a preset.");
    else if (m_backbone->currentData().toString().endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)
        && !QFileInfo::exists(m_backbone->currentData().toString()))
        problems << tr("The backbone JSON file does not exist.");
    if (!m_weights->text().trimmed().isEmpty() && !QFileInfo::exists(m_weights->text().trimmed()))
        problems << tr("The backbone weights file does not exist.");
    if (!m_imageSize->text().trimmed().isEmpty() && !imageSize())
        problems << tr("The image size is height x width in pixels, e.g. 32x32 (or empty: the most common size).");
    if (m_minutes->value() == 0 && m_generations->value() == 0)
        problems << tr("Set a time budget, a number of generations, or both.");
    if (m_family->currentData().toInt() > 0) {
        if (m_minutes->value() == 0)
            problems << tr("A family search needs a time budget: it shares it between the backbones.");
        if (m_generations->value() > 0)
            problems << tr("A family search is bounded by its time budget: set generations to no limit.");
        if (m_cost->currentData().toString() == QStringLiteral("latency"))
            problems << tr("A family search counts MACs or parameters; latency is not supported across a family.");
        if (!m_weights->text().trimmed().isEmpty())
            problems << tr("A family search trains its backbones: clear the backbone weights.");
    }
    if (m_session->text().trimmed().isEmpty())
        problems << tr("Choose a session folder.");
    else if (hasSession(m_session->text().trimmed().toStdString())
        || hasFamily(m_session->text().trimmed().toStdString()))
        problems << tr(
            "The session folder already holds a search: open it with File ▸ Open session, or choose another.");
    return problems;
}

void RunPanel::validate()
{
    const QStringList list = problems();
    m_problems->setText(list.join(QLatin1Char('\n')));
    m_problems->setVisible(!list.isEmpty());
    m_start->setEnabled(!m_running && (m_showingSession || list.isEmpty()));
    m_familyWeights->setEnabled(!m_running && !m_showingSession && m_family->currentData().toInt() > 0);
}

SearchRequest RunPanel::request() const
{
    SearchRequest request;
    request.dataset.kind = kind();
    request.dataset.path = m_folder->text().trimmed().toStdString();
    if (const std::optional<ImageFolderOptions> size = imageSize()) {
        request.dataset.imageHeight = size->height;
        request.dataset.imageWidth = size->width;
    }
    request.backbonePreset = m_backbone->currentData().toString();
    request.backboneWeights = m_weights->text().trimmed();
    request.familySize = m_family->currentData().toInt();
    request.familyWeights = fromName<FamilyWeights>(m_familyWeights->currentData().toString().toStdString());
    request.costModel = fromName<CostModel>(m_cost->currentData().toString().toStdString());
    request.targetFraction = m_target->value();
    request.mode = fromName<TargetMode>(m_mode->currentData().toString().toStdString());
    request.minutes = m_minutes->value();
    request.generations = m_generations->value();
    request.population = m_population->value();
    request.seed = m_seed->value();
    request.epochs = m_epochs->value();
    request.precision = fromName<Precision>(m_precision->currentData().toString().toStdString());
    request.calibrate = m_calibrate->isChecked();
    request.sessionFolder = m_session->text().trimmed();
    request.cacheFolder = QString::fromStdString(defaultCacheDirectory());
    return request;
}

void RunPanel::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("run/kind"), m_kind->currentText());
    settings.setValue(QStringLiteral("run/folder/") + m_kind->currentText(), m_folder->text().trimmed());
    settings.setValue(QStringLiteral("run/backbone"), m_backbone->currentData());
    settings.setValue(QStringLiteral("run/backboneWeights"), m_weights->text().trimmed());
    settings.setValue(QStringLiteral("run/family"), m_family->currentData());
    settings.setValue(QStringLiteral("run/familyWeights"), m_familyWeights->currentData());
    settings.setValue(QStringLiteral("run/cost"), m_cost->currentData());
    settings.setValue(QStringLiteral("run/target"), m_target->value());
    settings.setValue(QStringLiteral("run/mode"), m_mode->currentData());
    settings.setValue(QStringLiteral("run/precision"), m_precision->currentData());
    settings.setValue(QStringLiteral("run/minutes"), m_minutes->value());
    settings.setValue(QStringLiteral("run/generations"), m_generations->value());
    settings.setValue(QStringLiteral("run/population"), m_population->value());
    settings.setValue(QStringLiteral("run/epochs"), m_epochs->value());
    settings.setValue(QStringLiteral("run/calibrate"), m_calibrate->isChecked());
    if (kind() == DatasetKind::Folder)
        settings.setValue(QStringLiteral("run/imageSize"), m_imageSize->text().trimmed());
    settings.setValue(QStringLiteral("run/seed"), m_seed->value());
    settings.setValue(QStringLiteral("compute/threads"), m_threads->value());
}

void RunPanel::setEditable(bool editable)
{
    for (QWidget* w :
        std::initializer_list<QWidget*> { m_kind, m_folder, m_backbone, m_weights, m_family, m_cost, m_target, m_mode,
            m_precision, m_calibrate, m_minutes, m_generations, m_population, m_seed, m_epochs, m_threads, m_session })
        w->setEnabled(editable);
    m_familyWeights->setEnabled(editable && m_family->currentData().toInt() > 0);
    m_imageSize->setEnabled(editable && kind() == DatasetKind::Folder);
}

void RunPanel::showSession(const SearchRequest& settings)
{
    const auto select = [](QComboBox* box, const QString& data) {
        const int index = box->findData(data);
        if (index >= 0)
            box->setCurrentIndex(index);
    };
    const QSignalBlocker blockKind(m_kind);
    m_kind->setCurrentText(QString::fromStdString(nameOf(settings.dataset.kind)));
    std::string folder = settings.dataset.path;
    if (folder.empty()) // the data set's default place
        folder = defaultDatasetPath(settings.dataset.kind).value_or(std::string());
    m_folder->setText(QString::fromStdString(folder));
    m_form->setRowVisible(m_imageSize, settings.dataset.kind == DatasetKind::Folder);
    m_imageSize->setText(settings.dataset.imageHeight > 0
            ? QStringLiteral("%1x%2").arg(settings.dataset.imageHeight).arg(settings.dataset.imageWidth)
            : QString());
    select(m_backbone, settings.backbonePreset);
    m_weights->setText(settings.backboneWeights);
    if (settings.familySize > 0 && m_family->findData(settings.familySize) < 0) // a family of another size
        m_family->addItem(tr("yes: %1 backbones of its family").arg(settings.familySize), settings.familySize);
    m_family->setCurrentIndex(std::max(0, m_family->findData(settings.familySize)));
    select(m_familyWeights, QString::fromStdString(nameOf(settings.familyWeights)));
    select(m_cost, QString::fromStdString(nameOf(settings.costModel)));
    m_target->setValue(settings.targetFraction);
    select(m_mode, QString::fromStdString(nameOf(settings.mode)));
    select(m_precision, QString::fromStdString(nameOf(settings.precision)));
    m_calibrate->setChecked(settings.calibrate);
    m_minutes->setValue(settings.minutes);
    m_generations->setValue(settings.generations);
    m_population->setValue(settings.population);
    m_seed->setValue(settings.seed);
    m_epochs->setValue(settings.epochs);
    m_session->setText(settings.sessionFolder);
    m_session->setProperty("generated", false);
    setEditable(false);
    m_showingSession = true;
    m_start->setEnabled(true);
    m_start->setText(tr("New search from these settings"));
    m_start->setToolTip(
        tr("These are the opened session's settings: edit them for a new search in a folder of its own"));
    m_problems->clear();
}

void RunPanel::setRunning(bool running)
{
    m_running = running;
    if (running && m_showingSession) {
        m_showingSession = false;
        m_start->setText(tr("Start"));
    }
    setEditable(!running);
    m_pause->setEnabled(running);
    m_stop->setEnabled(running);
    if (!running) {
        setPaused(false);
        // A finished session occupies its folder: offer a fresh one for the next search.
        m_session->setProperty("generated", true);
        onKindChanged();
    }
    validate();
}

void RunPanel::setPaused(bool paused)
{
    m_paused = paused;
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
}

void RunPanel::showProgress(const SearchProgress& p)
{
    m_progress->setValue(int(1000 * p.fraction));
    m_progress->setFormat(QStringLiteral("%1 %p%").arg(QString::fromStdString(nameOf(p.phase))));
    const QString training = QString::fromStdString(nameOf(p.training.phase));
    QString detail;
    if (p.phase == SearchPhase::Preparing && p.training.phase != TrainingPhase::None) {
        detail = training;
        if (p.training.epochs > 0)
            detail += tr(": epoch %1/%2, %3 images/s, %4 left")
                          .arg(p.training.epoch)
                          .arg(p.training.epochs)
                          .arg(p.training.imagesPerSecond, 0, 'f', 0)
                          .arg(formatSeconds(p.training.etaSeconds));
    } else {
        detail
            = tr("generation %1 · %2 candidates · %3 per minute · ETA %4")
                  .arg(p.generation)
                  .arg(p.evaluated)
                  .arg(p.candidatesPerMinute > 0 ? QString::number(p.candidatesPerMinute, 'f', 1) : QStringLiteral("–"))
                  .arg(formatSeconds(p.etaSeconds));
        if (p.training.phase != TrainingPhase::None && p.training.fraction < 1.0)
            detail += tr(" · %1 %2%").arg(training).arg(int(100 * p.training.fraction));
    }
    m_status->setText(detail);
}

void RunPanel::showIdle(const QString& message)
{
    m_status->setText(message);
}

} // namespace earlybird::ui
