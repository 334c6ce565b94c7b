#pragma once

#include <QMainWindow>

class QLabel;

namespace earlybird::ui {

class DatasetView;

// The application window. For now it hosts the data set view; the search panels dock around it.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    DatasetView* datasetView() const { return m_datasetView; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void chooseThreads();
    void showError(const QString& message);
    void updateThreadLabel();

    DatasetView* m_datasetView;
    QLabel* m_threads;
};

} // namespace earlybird::ui
