#pragma once

#include "searchworker.h"

#include "data/imagefolder.h"

#include <optional>

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace earlybird::ui {

// The search's settings and controls: data set (and an image folder's image size), backbone (and whether its family is
// searched too), cost model, target, mode,
// budget, seed, threads, calibrated exits; Start,
// Pause/Resume, Stop; a progress bar with phase, ETA and candidates per minute. Settings are checked before start, with
// the problems shown inline, and remembered between runs.
class RunPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunPanel(QWidget* parent = nullptr);

    // The problems with the current settings (empty when it can start).
    QStringList problems() const;
    SearchRequest request() const;

    void setRunning(bool running);
    // Shows an opened session's own settings (data set, backbone, cost, target, mode, budget, seed, epochs, folder),
    // read-only, with Start offering "New search from these settings"; pressing it makes them editable again with a new
    // session folder. Cleared by the next setRunning(true).
    void showSession(const SearchRequest& settings);
    bool isShowingSession() const { return m_showingSession; }
    void setPaused(bool paused);
    void showProgress(const earlybird::SearchProgress& progress);
    void showIdle(const QString& message);

Q_SIGNALS:
    void startRequested(const earlybird::ui::SearchRequest& request);
    void pauseRequested(bool paused);
    void stopRequested();

private:
    DatasetKind kind() const; // the chosen data set
    // The image size typed (image folders), nothing when empty or not HxW.
    std::optional<ImageFolderOptions> imageSize() const;
    void validate();
    void onKindChanged();
    void saveSettings() const;
    // Adds a backbone JSON file to the backbone list (once) and selects it.
    void selectBackboneFile(const QString& path);

    QFormLayout* m_form = nullptr;
    QComboBox* m_kind;
    QLineEdit* m_folder;
    QLineEdit* m_imageSize; // image folders only: "HxW", empty for the most common size
    QComboBox* m_backbone; // presets, and backbone JSON files chosen with its last item
    QLineEdit* m_weights; // a backbone's state_dict trained elsewhere; empty: train here
    QComboBox* m_family; // 0: the exits of one backbone; N: the backbone searched too, over N members of its family
    QComboBox* m_familyWeights; // FamilyWeights: each member trained, or all taken out of one supernet
    QComboBox* m_cost;
    QDoubleSpinBox* m_target;
    QComboBox* m_mode;
    QComboBox* m_precision;
    QCheckBox* m_calibrate;
    QDoubleSpinBox* m_minutes;
    QSpinBox* m_generations;
    QSpinBox* m_population;
    QSpinBox* m_seed;
    QSpinBox* m_epochs;
    QSpinBox* m_threads;
    QLineEdit* m_session;
    QLabel* m_problems;
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_stop;
    QProgressBar* m_progress;
    QLabel* m_status;
    bool m_running = false;
    bool m_paused = false;
    bool m_showingSession = false;
    void setEditable(bool editable);
};

} // namespace earlybird::ui
