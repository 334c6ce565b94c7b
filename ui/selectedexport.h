#pragma once

#include "export/exporter.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>

class QWidget;

namespace earlybird::ui {

class Selection;
class SessionController;

// What a background export brings back: the files written, or the error.
struct ExportOutcome {
    QStringList files;
    QString error;
    double seconds = 0;
};

// File > Export selected: the selected candidate with the thresholds in force, from the session on screen, in any of
// the exporter's formats, off the GUI thread (exportNetwork loads weights and may run Python for ONNX). One at a time.
class SelectedExport : public QObject {
    Q_OBJECT
public:
    SelectedExport(Selection* selection, SessionController* controller, QWidget* dialogParent);

    bool isRunning() const;
    // Asks where and in which format (a file dialog), then exports.
    void askAndExport();
    // Starts the export: false, with failed() emitted, when nothing is selected, the session folder is not known or
    // an export is under way.
    bool start(earlybird::ExportFormat format, const QString& path);

Q_SIGNALS:
    void started(const QString& message);
    void failed(const QString& message);
    // An export ended: the files written, or an error (files empty).
    void finished(const earlybird::ui::ExportOutcome& outcome, const QString& path);

private:
    Selection* m_selection;
    SessionController* m_controller;
    QWidget* m_dialogParent;
    QFutureWatcher<ExportOutcome>* m_watcher;
    QString m_path;
};

} // namespace earlybird::ui
