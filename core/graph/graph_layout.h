#pragma once
/// Layout and drawing of an architecture graph by Graphviz (cgraph + gvc, the `dot` layout).
///
/// Graphviz keeps global state (its error handler, its layout and plugin data) and is not
/// thread-safe in every version (Debian 12 ships 2.43): every call into it, from layoutGraph and
/// renderGraph alike, is serialised by one process-wide mutex. Layouts of different graphs from
/// different threads are therefore safe but run one at a time.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/util/progress.h"

namespace ckpt::core {

/// A point in Graphviz points (1/72 inch), origin top-left, y growing downwards (Qt's
/// convention; Graphviz's own y grows upwards and is flipped on the way out).
struct GraphPoint {
    double x = 0.0;
    double y = 0.0;
};

/// How a node is drawn; renderGraph only (layoutGraph ignores colours).
struct GraphNodeStyle {
    std::string fillColor;   ///< "#ffe8b0"; "" keeps the default
    std::string extraLabel;  ///< one more label line ("rel_l2 3.1e-02"); already plain text
    bool bold = false;
};
/// How an edge is drawn; renderGraph only.
struct GraphEdgeStyle {
    std::string color;  ///< "#c0392b"; "" keeps the default
    bool dashed = false;
};
/// Per-node and per-edge styles, indexed like Graph::nodes() and Graph::edges() (shorter vectors
/// leave the rest default).
struct GraphStyle {
    std::vector<GraphNodeStyle> nodes;
    std::vector<GraphEdgeStyle> edges;
};

struct GraphLayoutOptions {
    /// Levels shown: nodes at depth maxDepth - 1 that have children are drawn collapsed (one
    /// box). 0 shows every level.
    std::uint32_t maxDepth = 0;
    /// Nested nodes drawn as one box whatever their depth; their descendants are hidden and
    /// their edges attach to the box.
    std::vector<GraphNodeId> collapsed;
    /// "TB" (top to bottom, default) or "LR".
    std::string rankdir = "TB";
    /// Boxes the layout may place; 0 takes limits().graphLayoutNodes.
    std::uint64_t maxBoxes = 0;
    /// Called between the phases (build, layout, read back or render), done/total in phases;
    /// returning false stops with CancelledError. Graphviz's own layout cannot be interrupted.
    ProgressFn progress;
};

/// A node drawn as a box (a leaf, or a collapsed nested node).
struct GraphNodeBox {
    GraphNodeId id = kNoGraphNode;
    GraphPoint center;
    double width = 0.0;      ///< points
    double height = 0.0;     ///< points
    bool collapsed = false;  ///< a nested node drawn as one box
};

/// One drawn edge between two boxes; several graph edges may share it (a shared layer called
/// twice by the same layer, edges merged by collapsing).
struct GraphEdgePath {
    GraphNodeId from = kNoGraphNode;  ///< the box the edge leaves (a collapsed ancestor of the
                                      ///< graph edge's own end when that end is hidden)
    GraphNodeId to = kNoGraphNode;
    std::vector<std::size_t> edges;  ///< indexes into Graph::edges() drawn by this path
    /// Cubic B-spline control points as Graphviz gives them: 1 + 3n points.
    std::vector<GraphPoint> points;
    bool hasArrow = false;
    GraphPoint arrowTip;  ///< where the arrow head points, when hasArrow
};

/// A nested node drawn expanded: the frame around its children (a Graphviz cluster).
struct GraphClusterBox {
    GraphNodeId id = kNoGraphNode;
    GraphPoint topLeft;
    double width = 0.0;
    double height = 0.0;
};

/// Where everything goes. Sizes in points; the bounding box is (0, 0)-(width, height).
struct GraphLayout {
    double width = 0.0;
    double height = 0.0;
    std::vector<GraphNodeBox> nodes;
    std::vector<GraphEdgePath> edges;
    std::vector<GraphClusterBox> clusters;  ///< outer clusters before the ones inside them
};

/// Output formats of renderGraph.
enum class GraphFormat : std::uint8_t {
    Svg,  ///< Graphviz's SVG renderer
    Png,  ///< the cairo plugin of Debian's `graphviz` package, 96 dpi
    Dot,  ///< DOT text with the layout's positions (pos, bb attributes)
};

/// Lays out the visible part of `graph` with `dot`: leaves and collapsed nodes as boxes, expanded
/// nested nodes as clusters around their children. Data-flow edges are routed between the
/// visible boxes; a hierarchy graph's siblings are stacked in order (by invisible edges).
/// Throws LimitError (graph-layout-nodes) when more boxes would be placed than allowed,
/// CancelledError when progress asks to stop.
[[nodiscard]] GraphLayout layoutGraph(const Graph& graph, const GraphLayoutOptions& options = {});

/// Lays out and draws `graph` (what layoutGraph places, labelled with name, class, output shape
/// and parameters) through Graphviz's renderers; `style` (may be null) colours nodes and edges.
/// Returns the file's bytes. Throws like layoutGraph, and UnsupportedError when the renderer is
/// not installed (PNG without Graphviz's cairo plugin).
[[nodiscard]] std::string renderGraph(const Graph& graph, GraphFormat format,
                                      const GraphLayoutOptions& options = {},
                                      const GraphStyle* style = nullptr);

/// The format for a file name's extension (".svg", ".png", ".dot"/".gv"); false when none fits.
[[nodiscard]] bool graphFormatForPath(const std::string& path, GraphFormat& format);

}  // namespace ckpt::core
