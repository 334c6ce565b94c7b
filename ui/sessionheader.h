#pragma once

#include <QWidget>

class QLabel;

namespace earlybird::ui {

class SessionController;
struct SearchRequest;

// The lines above the chart: which session is on screen (its folder's name, the whole path as a tooltip), its
// backbone and target; and, while another process writes it, a banner saying whom the window follows. A view of the
// SessionController.
class SessionHeader : public QWidget {
    Q_OBJECT
public:
    explicit SessionHeader(SessionController* controller, QWidget* parent = nullptr);

    QString text() const;
    // While a search prepares (no session yet), what is happening.
    void showPreparing(const QString& folder);

private:
    void update();

    SessionController* m_controller;
    QLabel* m_banner;
    QLabel* m_label;
};

} // namespace earlybird::ui
