#pragma once
// Draws a laid-out architecture graph (core::GraphLayout) with QGraphicsView: boxes for layers
// and collapsed models, frames for expanded nested models, Graphviz's splines for edges. Pan by
// dragging, zoom with the wheel (around the pointer) or +/-, fit with 0; a click selects a node,
// a double click on a nested model collapses or expands it.

#include <QColor>
#include <QGraphicsView>
#include <QString>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/graph/graph.h"
#include "core/graph/graph_layout.h"

namespace ckpt::ui {

/// How one node is painted beyond its name: a fill, a second line and a tooltip (the graph
/// diff tints and annotates nodes; the plain graph leaves them empty).
struct GraphNodeLook {
    QColor fill;        ///< invalid: the default for its kind
    QString note;       ///< an extra line ("rel_l2 3.1e-02"); empty for none
    QString tooltip;    ///< appended to the node's own tooltip
    bool bold = false;  ///< a thicker frame (changed nodes)
};

/// How one edge is painted: colour and dash (rewired edges in the graph diff).
struct GraphEdgeLook {
    QColor color;  ///< invalid: the default
    bool dashed = false;
};

/// The view; it shares the graph it draws.
class GraphView : public QGraphicsView {
    Q_OBJECT

public:
    explicit GraphView(QWidget* parent = nullptr);
    ~GraphView() override;

    /// Draws `layout` of `graph`; `nodeLooks` and `edgeLooks` (indexed like the graph's nodes
    /// and edges; shorter vectors leave the rest default) colour it. A null graph clears it.
    void setDrawing(std::shared_ptr<const core::Graph> graph, const core::GraphLayout& layout,
                    std::vector<GraphNodeLook> nodeLooks = {},
                    std::vector<GraphEdgeLook> edgeLooks = {});
    [[nodiscard]] const std::shared_ptr<const core::Graph>& graph() const { return m_graph; }

    /// Selects `id` (a box or a frame) and, when `center`, scrolls it into the middle; false
    /// when it is not drawn (hidden inside a collapsed model).
    bool selectNode(core::GraphNodeId id, bool center = true);
    /// The selected node, or kNoGraphNode.
    [[nodiscard]] core::GraphNodeId selectedNode() const;
    /// True when `id` is drawn as a box or a frame.
    [[nodiscard]] bool isDrawn(core::GraphNodeId id) const;
    /// The scene rectangle of a drawn node (box or frame); empty when not drawn.
    [[nodiscard]] QRectF nodeRect(core::GraphNodeId id) const;

    /// Zooms to show the whole graph (never above 100 %).
    void fitAll();
    /// The first view of a new drawing: the whole graph when it is readable so, else a
    /// readable zoom at its top.
    void showReadable();
    /// Multiplies the zoom by `factor` around the view's centre.
    void zoomBy(double factor);
    /// The current zoom (1 = 100 %).
    [[nodiscard]] double zoom() const;

signals:
    /// The user selected `id` (kNoGraphNode: the selection was cleared).
    void nodeSelected(core::GraphNodeId id);
    /// The user double-clicked `id`: a layer (open its tensors) or a nested model (fold it).
    void nodeActivated(core::GraphNodeId id);
    /// The zoom changed (1 = 100 %).
    void zoomChanged(double zoom);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    core::GraphNodeId nodeAt(const QPoint& viewPos) const;
    void onSceneSelection();

    std::shared_ptr<const core::Graph> m_graph;
    std::unordered_map<core::GraphNodeId, QGraphicsItem*> m_items;
    bool m_selecting = false;
};

}  // namespace ckpt::ui
