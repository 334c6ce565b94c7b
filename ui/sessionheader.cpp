#include "sessionheader.h"

#include "sessioncontroller.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QVBoxLayout>

namespace earlybird::ui {

namespace {

// A folder as the header names it: its own name (the path's last part); the whole path is in the tooltip.
QString folderName(const QString& folder)
{
    const QString name = QFileInfo(QDir::cleanPath(folder)).fileName();
    return name.isEmpty() ? folder : name;
}

} // namespace

SessionHeader::SessionHeader(SessionController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_banner(new QLabel(this))
    , m_label(new QLabel(this))
{
    m_banner->setObjectName(QStringLiteral("followBanner"));
    m_banner->setWordWrap(true);
    m_banner->setMargin(6);
    m_banner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fff4ce; color: #3b2f00; border: 1px solid #e0c060; border-radius: 3px; }"));
    m_banner->hide();
    // The label wraps rather than widen the window or cut its end off.
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_banner);
    layout->addWidget(m_label);
    connect(controller, &SessionController::sessionChanged, this, &SessionHeader::update);
    connect(controller, &SessionController::aboutToReset, this, &SessionHeader::update);
    update();
}

QString SessionHeader::text() const
{
    return m_label->text();
}

void SessionHeader::showPreparing(const QString& folder)
{
    m_label->setText(tr("%1 · preparing: loading the data, training or loading the backbone, caching features")
                         .arg(folderName(folder)));
    m_label->setToolTip(folder);
}

void SessionHeader::update()
{
    const SessionInfo& info = m_controller->session();
    m_banner->setVisible(!info.writer.isEmpty());
    m_banner->setText(tr("Following a running search: %1 is writing this session. It is read-only here, and "
                         "candidates appear as they are saved.")
                          .arg(info.writer));
    if (info.folder.isEmpty()) {
        m_label->setText(tr("No session: set up a search on the left and press Start, or File ▸ Open session."));
        m_label->setToolTip(QString());
        return;
    }
    QString backbone = tr("%1 M MACs").arg(info.backboneMacs / 1e6, 0, 'f', 2);
    if (info.cost.model != CostModel::Macs)
        backbone += QStringLiteral(", ") + info.cost.format(info.cost.backboneCost);
    m_label->setText(tr("<b>%1</b> · %2 backbone %3, %4% test · target %5 (%6× backbone, %7 mode)")
                         .arg(folderName(info.folder).toHtmlEscaped(), info.backboneName.toHtmlEscaped(), backbone)
                         .arg(100 * info.backboneTestAccuracy, 0, 'f', 2)
                         .arg(info.cost.format(info.target))
                         .arg(info.cost.fraction(info.target), 0, 'f', 2)
                         .arg(QString::fromStdString(nameOf(info.mode))));
    m_label->setToolTip(tr("Session folder: %1").arg(info.folder));
}

} // namespace earlybird::ui
