#pragma once

#include "datasetsummary.h"

#include <QFutureWatcher>
#include <QWidget>

class QBarSeries;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;

namespace earlybird::ui {

// The result of one background load: a summary, or the message of the error that stopped it.
struct DatasetLoadOutcome {
    DatasetSummary summary;
    QString error;
};

// Choose a data set and folder, load it in the background, and see it: a grid of sample images per class, the class
// histogram and the per-channel statistics that training normalises with.
class DatasetView : public QWidget {
    Q_OBJECT
public:
    explicit DatasetView(QWidget* parent = nullptr);
    ~DatasetView() override;

    // Loads what the controls say; a load already running is superseded (its result is dropped).
    void load();
    bool isLoading() const;
    const DatasetSummary* summary() const { return m_hasSummary ? &m_summary : nullptr; }

    QString datasetKind() const;
    void setDatasetKind(const QString& kind);
    QString folder() const;
    void setFolder(const QString& folder);

Q_SIGNALS:
    void loaded(const earlybird::ui::DatasetSummary& summary);
    void failed(const QString& message);

private:
    void onKindChanged();
    void onLoadFinished();
    void browse();
    void show(const DatasetSummary& summary);
    void saveSettings() const;

    QComboBox* m_kind;
    QLineEdit* m_folder;
    QPushButton* m_browse;
    QComboBox* m_split;
    QPushButton* m_load;
    QProgressBar* m_busy;
    QLabel* m_status;
    QLabel* m_samples;
    QChart* m_chart;
    QChartView* m_chartView;
    QLabel* m_details;
    // A new load replaces the watched future, so the result of a superseded load is never shown.
    QFutureWatcher<DatasetLoadOutcome> m_watcher;
    DatasetSummary m_summary;
    bool m_hasSummary = false;
};

} // namespace earlybird::ui
