#pragma once

#include "export/exporter.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>

namespace earlybird::ui {

// What a background export brings back: the files written, or the error.
struct ExportOutcome {
    QStringList files;
    QString error;
    double seconds = 0;
};

// One export at a time, off the GUI thread (exportNetwork loads weights and may run Python for ONNX).
class ExportJob : public QObject {
    Q_OBJECT
public:
    explicit ExportJob(QObject* parent = nullptr);

    bool isRunning() const;
    // Starts `request`; false when an export is under way.
    bool start(const earlybird::ExportRequest& request);

Q_SIGNALS:
    void finished(const earlybird::ui::ExportOutcome& outcome);

private:
    QFutureWatcher<ExportOutcome>* m_watcher;
};

} // namespace earlybird::ui
