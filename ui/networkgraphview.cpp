#include "networkgraphview.h"

#include "selection.h"

#include "imagefile.h"

#include <algorithm>

#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QPainter>
#include <QWheelEvent>

namespace earlybird::ui {

namespace {
// Layout of the diagram, in scene units.
constexpr qreal kBlockWidth = 150;
constexpr qreal kBlockHeight = 64;
constexpr qreal kBlockGap = 40;
constexpr qreal kLayerWidth = 130;
constexpr qreal kLayerHeight = 44;
constexpr qreal kLayerGap = 18;
constexpr qreal kBranchDrop = 50;
// Widest edge, for an exit that takes every sample.
constexpr qreal kMaxEdgeWidth = 14;
const QColor kBackboneColour(222, 235, 247);
const QColor kBranchColour(229, 245, 224);
const QColor kClassifierColour(254, 230, 206);
const QColor kEdgeColour(0, 114, 178);

QString shapeText(const ImageShape& shape)
{
    return QStringLiteral("%1×%2×%3").arg(shape.channels).arg(shape.height).arg(shape.width);
}

QString macsText(std::int64_t macs)
{
    return macs >= 1000000 ? QStringLiteral("%1 M MACs").arg(double(macs) / 1e6, 0, 'f', 2)
                           : QStringLiteral("%1 k MACs").arg(double(macs) / 1e3, 0, 'f', 1);
}

void addBox(QGraphicsScene* scene, const QRectF& rect, const QColor& fill, const QStringList& lines, bool bold = false)
{
    auto* box = scene->addRect(rect, QPen(QColor(90, 90, 90)), QBrush(fill));
    box->setToolTip(lines.join(QLatin1Char('\n')));
    qreal y = rect.top() + 6;
    for (int i = 0; i < lines.size(); ++i) {
        auto* text = scene->addSimpleText(lines[i]);
        QFont font = text->font();
        font.setPointSizeF(i == 0 ? 9.5 : NetworkGraphView::kSmallestLabelPointSize);
        font.setBold(bold && i == 0);
        text->setFont(font);
        text->setPos(rect.left() + (rect.width() - text->boundingRect().width()) / 2, y);
        y += text->boundingRect().height() + 1;
    }
}
// An exit's box is sized for four lines (name, classifier, share leaving, cumulative MACs); each more takes this.
qreal extraHeight(const QStringList& lines)
{
    return 14.0 * std::max(0, int(lines.size()) - 4);
}
} // namespace

NetworkGraphView::NetworkGraphView(QWidget* parent)
    : QGraphicsView(parent)
{
    setScene(new QGraphicsScene(this));
    setRenderHint(QPainter::Antialiasing);
    setRenderHint(QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    clear();
}

bool NetworkGraphView::isEmpty() const
{
    return !m_hasArchitecture;
}

void NetworkGraphView::setSelection(Selection* selection)
{
    connect(selection, &Selection::candidateChanged, this, [this, selection] {
        const CandidateRecord* candidate = selection->candidate();
        if (!candidate) {
            clear();
            return;
        }
        // Until the candidate's outcomes are in: the exit rates its tuned thresholds gave on validation.
        setArchitecture(
            candidate->architecture, candidate->validation.exitRates(), candidate->exitCosts, selection->sessionCost());
    });
    connect(selection, &Selection::thresholdsChanged, this,
        [this, selection] { setExitRates(selection->shown().exitRates()); });
}

void NetworkGraphView::clear()
{
    m_hasArchitecture = false;
    m_highlighted = -1;
    scene()->clear();
    scene()->addSimpleText(tr("Select a candidate to see its network."));
}

void NetworkGraphView::setArchitecture(const Architecture& architecture, const std::vector<double>& exitRates,
    const std::vector<double>& exitCosts, const CostAxis& cost)
{
    m_architecture = architecture;
    m_exitRates = exitRates;
    m_exitCosts = exitCosts;
    m_cost = cost;
    m_hasArchitecture = true;
    m_highlighted = -1; // another network
    rebuild();
    fit();
}

void NetworkGraphView::setExitRates(const std::vector<double>& exitRates)
{
    if (!m_hasArchitecture)
        return;
    m_exitRates = exitRates;
    const QTransform keep = transform();
    rebuild();
    setTransform(keep);
}

void NetworkGraphView::highlightExit(int exit)
{
    m_highlighted = exit;
    if (!m_hasArchitecture)
        return;
    const QTransform keep = transform();
    rebuild();
    setTransform(keep);
    if (exit >= 0 && exit < int(m_exitAreas.size()))
        ensureVisible(m_exitAreas[std::size_t(exit)], 20, 20);
}

void NetworkGraphView::rebuild()
{
    QGraphicsScene* s = scene();
    s->clear();
    const NetworkCost cost = countNetworkCost(m_architecture);
    const qreal step = kBlockWidth + kBlockGap;
    // Input.
    addBox(s, QRectF(0, 0, kBlockWidth * 0.7, kBlockHeight), Qt::white,
        { tr("input"), shapeText(m_architecture.backbone.input) }, true);
    qreal x = kBlockWidth * 0.7 + kBlockGap;
    std::vector<qreal> blockRight;
    for (std::size_t i = 0; i < cost.blocks.size(); ++i) {
        const LayerCost& block = cost.blocks[i];
        s->addLine(x - kBlockGap, kBlockHeight / 2, x, kBlockHeight / 2, QPen(QColor(90, 90, 90), 2));
        addBox(s, QRectF(x, 0, kBlockWidth, kBlockHeight), kBackboneColour,
            { tr("%1  %2").arg(i).arg(QString::fromStdString(block.label)), shapeText(block.output),
                macsText(block.macs) },
            true);
        blockRight.push_back(x + kBlockWidth);
        x += step;
    }
    const auto rate = [&](std::size_t e) { return e < m_exitRates.size() ? m_exitRates[e] : -1.0; };
    const auto exitLabel = [&](std::size_t e, const ExitCost& exitCost) {
        QStringList lines { exitCost.isFinal ? tr("final exit") : tr("exit %1").arg(e) };
        if (rate(e) >= 0)
            lines << tr("%1% of samples leave").arg(100 * rate(e), 0, 'f', 1);
        lines << tr("cumulative %1").arg(macsText(exitCost.cumulativeMacs));
        if (m_cost.model != CostModel::Macs && e < m_exitCosts.size())
            lines << tr("cumulative %1").arg(m_cost.format(m_exitCosts[e]));
        return lines;
    };
    // Final classifier.
    const ExitCost& final = cost.exits.back();
    s->addLine(x - kBlockGap, kBlockHeight / 2, x, kBlockHeight / 2, QPen(QColor(90, 90, 90), 2));
    QStringList finalLines = exitLabel(cost.exits.size() - 1, final);
    finalLines.insert(1, QString::fromStdString(final.layers.back().label));
    addBox(
        s, QRectF(x, 0, kBlockWidth, kBlockHeight + 18 + extraHeight(finalLines)), kClassifierColour, finalLines, true);

    // Early exits hang below their blocks.
    m_exitAreas.clear();
    for (std::size_t e = 0; e + 1 < cost.exits.size(); ++e) {
        const ExitCost& exitCost = cost.exits[e];
        const qreal centre = blockRight[std::size_t(exitCost.position)] + kBlockGap / 2;
        const qreal share = std::max(0.0, rate(e));
        QPen edge(kEdgeColour, 1.5 + share * kMaxEdgeWidth);
        edge.setCapStyle(Qt::FlatCap);
        qreal y = kBlockHeight / 2;
        qreal next = kBlockHeight + kBranchDrop;
        for (std::size_t l = 0; l < exitCost.layers.size(); ++l) {
            const LayerCost& layer = exitCost.layers[l];
            const bool classifier = l + 1 == exitCost.layers.size();
            s->addLine(centre, y, centre, next, edge);
            QStringList lines { QString::fromStdString(layer.label), shapeText(layer.output), macsText(layer.macs) };
            if (classifier) {
                lines = exitLabel(e, exitCost);
                lines.insert(1, QString::fromStdString(layer.label));
            }
            const qreal height = classifier ? kLayerHeight + 30 + extraHeight(lines) : kLayerHeight;
            addBox(s, QRectF(centre - kLayerWidth / 2, next, kLayerWidth, height),
                classifier ? kClassifierColour : kBranchColour, lines, classifier);
            y = next + height;
            next = y + kLayerGap;
        }
        m_exitAreas.emplace_back(centre - kLayerWidth / 2 - 8, kBlockHeight + kBranchDrop - 8, kLayerWidth + 16,
            y - kBlockHeight - kBranchDrop + 16);
    }
    s->setSceneRect(s->itemsBoundingRect().adjusted(-20, -20, 20, 20));
    if (m_highlighted >= 0 && m_highlighted < int(m_exitAreas.size())) {
        QPen outline(QColor(214, 96, 0), 4);
        outline.setStyle(Qt::DashLine);
        s->addRect(m_exitAreas[std::size_t(m_highlighted)], outline)->setZValue(10);
    }
}

void NetworkGraphView::fit()
{
    // The whole network when its labels stay readable; otherwise the height (or, in a short view, a readable size)
    // with the input at the left and a scroll bar for the rest.
    const QRectF area = sceneRect();
    const QRectF view = viewport()->rect();
    if (area.isEmpty() || view.isEmpty())
        return;
    const qreal widthScale = view.width() / area.width();
    const qreal heightScale = view.height() / area.height();
    const qreal whole = std::min(widthScale, heightScale);
    const qreal readable = kReadablePointSize / kSmallestLabelPointSize;
    const qreal scale = whole >= readable ? whole : std::max(heightScale, readable);
    setTransform(QTransform::fromScale(scale, scale));
    // The top left stays in view: the input and the first blocks, where a reader starts.
    centerOn(area.left() + view.width() / scale / 2, area.top() + view.height() / scale / 2);
}

qreal NetworkGraphView::smallestLabelPointSize() const
{
    return kSmallestLabelPointSize * transform().m11();
}

void NetworkGraphView::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const qreal factor = event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15;
        scale(factor, factor);
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void NetworkGraphView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    if (m_hasArchitecture && transform().isIdentity())
        fit();
}

bool NetworkGraphView::exportTo(const QString& path, QString* error) const
{
    const QRectF area = scene()->sceneRect();
    return writeImageFile(
        path, area.size(), tr("Earlybird network"),
        [&](QPainter& painter, const QRectF& target) { scene()->render(&painter, target, area); }, error);
}

} // namespace earlybird::ui
