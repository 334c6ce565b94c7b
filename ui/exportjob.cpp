#include "exportjob.h"

#include <QtConcurrent/QtConcurrentRun>

namespace earlybird::ui {

ExportJob::ExportJob(QObject* parent)
    : QObject(parent)
    , m_watcher(new QFutureWatcher<ExportOutcome>(this))
{
    connect(m_watcher, &QFutureWatcher<ExportOutcome>::finished, this,
        [this] { Q_EMIT finished(m_watcher->result()); });
}

bool ExportJob::isRunning() const
{
    return m_watcher->isRunning();
}

bool ExportJob::start(const ExportRequest& request)
{
    if (isRunning())
        return false;
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
