#include "ui/widgets/graph_view.h"

#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QStyleOptionGraphicsItem>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "ui/util/format.h"

namespace ckpt::ui {

namespace {

using core::GraphNode;
using core::GraphNodeId;
using core::GraphNodeKind;

constexpr int kIdRole = 0;
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 8.0;

QColor defaultFill(const GraphNode& node, bool collapsed) {
    if (collapsed) {
        return QColor(0xff, 0xf1, 0xcc);
    }
    switch (node.kind) {
        case GraphNodeKind::Input:
            return QColor(0xe3, 0xf4, 0xe6);
        case GraphNodeKind::Group:
            return QColor(0xf1, 0xf3, 0xf4);
        case GraphNodeKind::Model:
            return QColor(0xff, 0xf1, 0xcc);
        case GraphNodeKind::Layer:
            break;
    }
    return QColor(0xe4, 0xee, 0xfd);
}

/// The short class name: "torch.nn.modules.conv.Conv2d" -> "Conv2d".
QString shortClass(const std::string& name) {
    const auto dot = name.rfind('.');
    return fmt::qs(dot == std::string::npos ? name : name.substr(dot + 1));
}

QString nodeTooltip(const GraphNode& node, const GraphNodeLook& look) {
    QStringList lines;
    lines << QStringLiteral("<b>%1</b>").arg(fmt::qs(node.path).toHtmlEscaped());
    if (!node.className.empty()) {
        lines << fmt::qs(node.className).toHtmlEscaped();
    }
    if (node.hasOutputShape) {
        lines << QObject::tr("output %1").arg(fmt::qs(core::graphShapeText(node)));
    }
    for (const auto& [key, value] : node.attributes) {
        lines << QStringLiteral("%1: %2").arg(fmt::qs(key).toHtmlEscaped(),
                                              fmt::qs(value).toHtmlEscaped());
    }
    if (node.params > 0) {
        lines << QObject::tr("%1 parameters").arg(fmt::count(node.params));
    }
    if (node.buffers > 0) {
        lines << QObject::tr("%1 buffer values").arg(fmt::count(node.buffers));
    }
    if (!node.tensors.empty()) {
        lines << QObject::tr("%n tensor(s)", nullptr, static_cast<int>(node.tensors.size()));
    }
    if (!look.tooltip.isEmpty()) {
        lines << look.tooltip;
    }
    return lines.join(QStringLiteral("<br>"));
}

/// A layer or a collapsed model: a rounded box with its name, class and size.
class BoxItem : public QGraphicsItem {
public:
    BoxItem(const GraphNode& node, const core::GraphNodeBox& box, const GraphNodeLook& look)
        : m_rect(box.center.x - box.width / 2, box.center.y - box.height / 2, box.width,
                 box.height),
          m_fill(look.fill.isValid() ? look.fill : defaultFill(node, box.collapsed)),
          m_bold(look.bold),
          m_collapsed(box.collapsed) {
        m_lines << fmt::qs(node.name);
        QStringList second;
        if (!node.className.empty()) {
            second << shortClass(node.className);
        }
        if (box.collapsed) {
            second << QObject::tr("%n inside", nullptr, static_cast<int>(node.children.size()));
        }
        if (!second.isEmpty()) {
            m_lines << second.join(QStringLiteral(" · "));
        }
        QStringList third;
        if (node.hasOutputShape) {
            third << fmt::qs(core::graphShapeText(node));
        }
        if (node.params > 0) {
            third << fmt::count(node.params);
        }
        if (!third.isEmpty()) {
            m_lines << third.join(QStringLiteral(" · "));
        }
        if (!look.note.isEmpty()) {
            m_lines << look.note;
        }
        setFlag(ItemIsSelectable);
        setCacheMode(DeviceCoordinateCache);
        setToolTip(nodeTooltip(node, look));
        setZValue(2);
    }

    [[nodiscard]] QRectF boundingRect() const override { return m_rect.adjusted(-2, -2, 2, 2); }

    void paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) override {
        const bool selected = (option->state & QStyle::State_Selected) != 0;
        p->setRenderHint(QPainter::Antialiasing);
        QPen pen(selected ? QColor(0x1a, 0x73, 0xe8) : QColor(0x5f, 0x63, 0x68));
        pen.setWidthF(selected ? 2.5 : (m_bold ? 2.0 : 1.0));
        if (m_collapsed) {
            pen.setStyle(Qt::DashLine);
        }
        p->setPen(pen);
        p->setBrush(m_fill);
        p->drawRoundedRect(m_rect, 4, 4);
        const double lod = option->levelOfDetailFromTransform(p->worldTransform());
        if (lod < 0.35) {
            return;  // too small to read: the box alone
        }
        // Graphviz sized the box for its own font; Qt's is wider: the name gets a little more
        // room than the other lines, and every line is elided in the middle if it still does
        // not fit.
        QFont font = p->font();
        const double lineHeight = 12;
        double y = m_rect.center().y() - lineHeight * static_cast<double>(m_lines.size()) / 2;
        for (int i = 0; i < m_lines.size(); ++i) {
            font.setBold(i == 0);
            font.setPixelSize(i == 0 ? 10 : 9);
            p->setFont(font);
            const QFontMetricsF metrics(font);
            const QString text =
                metrics.elidedText(m_lines[i], Qt::ElideMiddle, m_rect.width() - 4);
            p->setPen(i == 0 ? QColor(0x20, 0x21, 0x24) : QColor(0x3c, 0x40, 0x43));
            p->drawText(QRectF(m_rect.left() + 2, y, m_rect.width() - 4, lineHeight),
                        Qt::AlignCenter, text);
            y += lineHeight;
        }
    }

private:
    QRectF m_rect;
    QColor m_fill;
    bool m_bold;
    bool m_collapsed;
    QStringList m_lines;
};

/// An expanded nested model: a frame around its children with its name on top.
class FrameItem : public QGraphicsItem {
public:
    FrameItem(const GraphNode& node, const core::GraphClusterBox& box, const GraphNodeLook& look)
        : m_rect(box.topLeft.x, box.topLeft.y, box.width, box.height),
          m_title(node.className.empty() ? fmt::qs(node.name)
                                         : QStringLiteral("%1 · %2").arg(
                                               fmt::qs(node.name), shortClass(node.className))),
          m_fill(look.fill) {
        if (node.params > 0) {
            m_title += QStringLiteral(" · ") + fmt::count(node.params);
        }
        setFlag(ItemIsSelectable);
        setToolTip(nodeTooltip(node, look));
        setZValue(static_cast<double>(node.depth) * 0.01);
    }

    [[nodiscard]] QRectF boundingRect() const override {
        return m_rect.adjusted(-2, -2, std::max(2.0, titleWidth() + 12 - m_rect.width()), 2);
    }
    [[nodiscard]] QPainterPath shape() const override {
        // Only the frame's title strip takes clicks: the boxes inside stay clickable.
        QPainterPath path;
        path.addRect(QRectF(m_rect.left(), m_rect.top(), m_rect.width(), 18));
        return path;
    }

    void paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) override {
        const bool selected = (option->state & QStyle::State_Selected) != 0;
        p->setRenderHint(QPainter::Antialiasing);
        QPen pen(selected ? QColor(0x1a, 0x73, 0xe8) : QColor(0x9a, 0xa0, 0xa6));
        pen.setWidthF(selected ? 2.5 : 1.0);
        p->setPen(pen);
        QColor fill = m_fill.isValid() ? m_fill : QColor(0xfa, 0xfa, 0xf7);
        fill.setAlpha(m_fill.isValid() ? 90 : 160);
        p->setBrush(fill);
        p->drawRoundedRect(m_rect, 6, 6);
        p->setFont(titleFont());
        p->setPen(QColor(0x3c, 0x40, 0x43));
        // The title runs on past a narrow frame rather than being cut.
        p->drawText(QRectF(m_rect.left() + 6, m_rect.top() + 2,
                           std::max(m_rect.width() - 12, titleWidth()), 16),
                    Qt::AlignLeft | Qt::AlignVCenter, m_title);
    }

private:
    [[nodiscard]] static QFont titleFont() {
        QFont font;
        font.setPixelSize(11);
        font.setBold(true);
        return font;
    }
    [[nodiscard]] double titleWidth() const {
        return QFontMetricsF(titleFont()).horizontalAdvance(m_title);
    }

    QRectF m_rect;
    QString m_title;
    QColor m_fill;
};

QPainterPath splinePath(const std::vector<core::GraphPoint>& points) {
    QPainterPath path;
    if (points.empty()) {
        return path;
    }
    path.moveTo(points[0].x, points[0].y);
    for (std::size_t i = 1; i + 2 < points.size(); i += 3) {
        path.cubicTo(points[i].x, points[i].y, points[i + 1].x, points[i + 1].y, points[i + 2].x,
                     points[i + 2].y);
    }
    return path;
}

QPolygonF arrowHead(const QPointF& from, const QPointF& tip) {
    const QPointF d = tip - from;
    const double len = std::hypot(d.x(), d.y());
    if (len < 1e-6) {
        return {};
    }
    const QPointF u = d / len;
    const QPointF n(-u.y(), u.x());
    const double size = std::min(8.0, len);
    const QPointF base = tip - u * size;
    return QPolygonF({tip, base + n * size * 0.45, base - n * size * 0.45});
}

}  // namespace

GraphView::GraphView(QWidget* parent) : QGraphicsView(parent) {
    setScene(new QGraphicsScene(this));
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setBackgroundBrush(QColor(0xfd, 0xfd, 0xfd));
    setFocusPolicy(Qt::StrongFocus);
    connect(scene(), &QGraphicsScene::selectionChanged, this, &GraphView::onSceneSelection);
}

GraphView::~GraphView() = default;

void GraphView::setDrawing(std::shared_ptr<const core::Graph> graph,
                           const core::GraphLayout& layout, std::vector<GraphNodeLook> nodeLooks,
                           std::vector<GraphEdgeLook> edgeLooks) {
    const bool wasSelecting = m_selecting;
    m_selecting = true;
    scene()->clear();
    m_items.clear();
    m_graph = std::move(graph);
    m_selecting = wasSelecting;
    if (!m_graph) {
        scene()->setSceneRect(QRectF());
        return;
    }
    const auto lookOf = [&](GraphNodeId id) {
        return id < nodeLooks.size() ? nodeLooks[id] : GraphNodeLook{};
    };
    const auto& nodes = m_graph->nodes();
    for (const auto& cluster : layout.clusters) {
        if (cluster.id >= nodes.size()) {
            continue;
        }
        auto* item = new FrameItem(nodes[cluster.id], cluster, lookOf(cluster.id));
        item->setData(kIdRole, cluster.id);
        scene()->addItem(item);
        m_items[cluster.id] = item;
    }
    for (const auto& box : layout.nodes) {
        if (box.id >= nodes.size()) {
            continue;
        }
        auto* item = new BoxItem(nodes[box.id], box, lookOf(box.id));
        item->setData(kIdRole, box.id);
        scene()->addItem(item);
        m_items[box.id] = item;
    }
    for (const auto& edge : layout.edges) {
        GraphEdgeLook look;
        for (const std::size_t e : edge.edges) {
            if (e < edgeLooks.size() && edgeLooks[e].color.isValid()) {
                look = edgeLooks[e];
            }
        }
        QPen pen(look.color.isValid() ? look.color : QColor(0x70, 0x75, 0x7a));
        pen.setWidthF(look.color.isValid() ? 1.8 : 1.1);
        if (look.dashed) {
            pen.setStyle(Qt::DashLine);
        }
        auto* path = scene()->addPath(splinePath(edge.points), pen);
        path->setZValue(1);
        if (edge.hasArrow && !edge.points.empty()) {
            const QPointF tip(edge.arrowTip.x, edge.arrowTip.y);
            const QPointF from(edge.points.back().x, edge.points.back().y);
            auto* head =
                scene()->addPolygon(arrowHead(from, tip), QPen(pen.color()), QBrush(pen.color()));
            head->setZValue(1);
        }
    }
    scene()->setSceneRect(QRectF(-20, -20, layout.width + 40, layout.height + 40));
}

bool GraphView::isDrawn(GraphNodeId id) const {
    return m_items.count(id) != 0;
}

QRectF GraphView::nodeRect(GraphNodeId id) const {
    const auto it = m_items.find(id);
    return it == m_items.end() ? QRectF() : it->second->sceneBoundingRect();
}

bool GraphView::selectNode(GraphNodeId id, bool center) {
    const auto it = m_items.find(id);
    if (it == m_items.end()) {
        return false;
    }
    {
        const bool wasSelecting = m_selecting;
        m_selecting = true;
        scene()->clearSelection();
        it->second->setSelected(true);
        m_selecting = wasSelecting;
    }
    if (center) {
        const QRectF rect = it->second->sceneBoundingRect();
        // A frame bigger than the view: show its top-left corner (its title).
        if (rect.width() * zoom() > viewport()->width() ||
            rect.height() * zoom() > viewport()->height()) {
            centerOn(rect.topLeft() + QPointF(viewport()->width() / (2 * zoom()) - 10,
                                              viewport()->height() / (2 * zoom()) - 10));
        } else {
            centerOn(rect.center());
        }
    }
    return true;
}

GraphNodeId GraphView::selectedNode() const {
    const auto items = scene()->selectedItems();
    if (items.isEmpty()) {
        return core::kNoGraphNode;
    }
    return items.first()->data(kIdRole).value<GraphNodeId>();
}

void GraphView::fitAll() {
    if (scene()->items().isEmpty()) {
        return;
    }
    fitInView(sceneRect(), Qt::KeepAspectRatio);
    if (zoom() > 1.0) {
        setTransform(QTransform());
        centerOn(sceneRect().center());
    }
    emit zoomChanged(zoom());
}

void GraphView::showReadable() {
    constexpr double kReadable = 0.8;  // 11 px text stays legible down to about this
    fitAll();
    if (zoom() >= kReadable || scene()->items().isEmpty()) {
        return;
    }
    setTransform(QTransform::fromScale(kReadable, kReadable));
    const QRectF shown = mapToScene(viewport()->rect()).boundingRect();
    centerOn(sceneRect().center().x(), sceneRect().top() + shown.height() / 2 - 4);
    verticalScrollBar()->setValue(verticalScrollBar()->minimum());
    emit zoomChanged(zoom());
}

void GraphView::zoomBy(double factor) {
    const double target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    const double applied = target / zoom();
    const auto anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    scale(applied, applied);
    setTransformationAnchor(anchor);
    emit zoomChanged(zoom());
}

double GraphView::zoom() const {
    return transform().m11();
}

void GraphView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    const double target = std::clamp(zoom() * std::pow(1.2, steps), kMinZoom, kMaxZoom);
    const double applied = target / zoom();
    scale(applied, applied);  // around the pointer (AnchorUnderMouse)
    emit zoomChanged(zoom());
    event->accept();
}

void GraphView::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoomBy(1.25);
            return;
        case Qt::Key_Minus:
            zoomBy(0.8);
            return;
        case Qt::Key_0:
            fitAll();
            return;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            if (selectedNode() != core::kNoGraphNode) {
                emit nodeActivated(selectedNode());
                return;
            }
            break;
        default:
            break;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::mouseDoubleClickEvent(QMouseEvent* event) {
    const GraphNodeId id = nodeAt(event->pos());
    if (id != core::kNoGraphNode) {
        emit nodeActivated(id);
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

GraphNodeId GraphView::nodeAt(const QPoint& viewPos) const {
    for (QGraphicsItem* item : items(viewPos)) {
        if (item->flags().testFlag(QGraphicsItem::ItemIsSelectable)) {
            return item->data(kIdRole).value<GraphNodeId>();
        }
    }
    return core::kNoGraphNode;
}

void GraphView::onSceneSelection() {
    if (!m_selecting) {
        emit nodeSelected(selectedNode());
    }
}

}  // namespace ckpt::ui
