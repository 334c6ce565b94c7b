#include "selectedexport.h"

#include "selection.h"
#include "sessioncontroller.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QtConcurrent/QtConcurrentRun>

namespace earlybird::ui {

namespace {

// The formats File > Export selected offers, with their file dialog filters.
struct ExportChoice {
    ExportFormat format;
    const char* filter;
    const char* suffix;
};
const ExportChoice kExportChoices[] = {
    { ExportFormat::All, QT_TRANSLATE_NOOP("SelectedExport", "Folder with every format (*)"), "" },
    { ExportFormat::Json, QT_TRANSLATE_NOOP("SelectedExport", "Architecture, thresholds and figures (*.json)"),
        ".json" },
    { ExportFormat::PyTorch, QT_TRANSLATE_NOOP("SelectedExport", "PyTorch module (*.py)"), ".py" },
    { ExportFormat::Weights, QT_TRANSLATE_NOOP("SelectedExport", "Trained weights for torch.load (*.pt)"), ".pt" },
    { ExportFormat::Onnx, QT_TRANSLATE_NOOP("SelectedExport", "ONNX, every exit's logits (*.onnx)"), ".onnx" },
    { ExportFormat::OnnxSegments, QT_TRANSLATE_NOOP("SelectedExport", "ONNX, one graph per segment (folder) (*)"), "" },
    { ExportFormat::Samples, QT_TRANSLATE_NOOP("SelectedExport", "Reference samples to check an export (*.pt)"),
        ".pt" },
};

} // namespace

SelectedExport::SelectedExport(Selection* selection, SessionController* controller, QWidget* dialogParent)
    : QObject(dialogParent)
    , m_selection(selection)
    , m_controller(controller)
    , m_dialogParent(dialogParent)
    , m_watcher(new QFutureWatcher<ExportOutcome>(this))
{
    connect(m_watcher, &QFutureWatcher<ExportOutcome>::finished, this,
        [this] { Q_EMIT finished(m_watcher->result(), m_path); });
}

bool SelectedExport::isRunning() const
{
    return m_watcher->isRunning();
}

void SelectedExport::askAndExport()
{
    if (!m_selection->candidate()) {
        Q_EMIT failed(tr("Select a candidate first."));
        return;
    }
    QFileDialog dialog(m_dialogParent, tr("Export the selected network with the sliders' thresholds"));
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    QStringList filters;
    for (const ExportChoice& choice : kExportChoices)
        filters << tr(choice.filter);
    dialog.setNameFilters(filters);
    dialog.selectFile(QStringLiteral("candidate-%1").arg(m_selection->candidateId()));
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return;
    const int index = int(filters.indexOf(dialog.selectedNameFilter()));
    const ExportChoice& choice = kExportChoices[index < 0 ? 0 : index];
    QString path = dialog.selectedFiles().first();
    if (*choice.suffix && !path.endsWith(QLatin1String(choice.suffix)))
        path += QLatin1String(choice.suffix);
    // The dialog confirms replacing a file; a folder is confirmed here.
    if (!*choice.suffix && QFileInfo::exists(path)
        && QMessageBox::question(m_dialogParent, tr("Replace?"), tr("%1 exists. Replace it?").arg(path))
            != QMessageBox::Yes)
        return;
    start(choice.format, path);
}

bool SelectedExport::start(ExportFormat format, const QString& path)
{
    const CandidateRecord* candidate = m_selection->candidate();
    if (!candidate) {
        Q_EMIT failed(tr("Select a candidate first."));
        return false;
    }
    if (isRunning()) {
        Q_EMIT failed(tr("An export is under way: wait for it to finish."));
        return false;
    }
    if (m_controller->folder().isEmpty()) {
        Q_EMIT failed(tr("This candidate's session folder is not known: open the session to export from it."));
        return false;
    }
    ExportRequest request;
    request.session = m_controller->folder().toStdString();
    request.candidate = candidate->id;
    request.thresholds = m_selection->thresholds();
    request.format = format;
    request.out = path.toStdString();
    request.force = true; // the user has confirmed replacing it
    m_path = path;
    Q_EMIT started(
        tr("Exporting candidate %1 as %2 to %3").arg(candidate->id).arg(QString::fromStdString(nameOf(format)), path));
    m_watcher->setFuture(QtConcurrent::run([request] {
        ExportOutcome outcome;
        try {
            const ExportResult result = exportNetwork(request);
            for (const std::string& file : result.files)
                outcome.files << QString::fromStdString(file);
            outcome.seconds = result.seconds;
        } catch (const std::exception& error) {
            outcome.error = QString::fromStdString(error.what());
        }
        return outcome;
    }));
    return true;
}

} // namespace earlybird::ui
