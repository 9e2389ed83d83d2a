#pragma once
/// Two versions of an architecture as one union graph: every node and edge of A and of B once,
/// each marked same, changed, added or removed, with the config changes and the weight metrics
/// of the diff that compared the two checkpoints.

#include <cstdint>
#include <string>
#include <vector>

#include "core/diff/diff_report.h"
#include "core/graph/graph.h"
#include "core/graph/graph_layout.h"

namespace ckpt::core {

/// What happened to a node or an edge between A and B.
enum class GraphDiffState : std::uint8_t {
    Same,     ///< in both, no config change and no tensor beyond tolerance
    Changed,  ///< in both, with a config change or a tensor that differs
    Added,    ///< only in B
    Removed,  ///< only in A
};

/// "same", "changed", "added", "removed".
[[nodiscard]] const char* graphDiffStateName(GraphDiffState s);

/// One node of the union graph.
struct GraphNodeDiff {
    GraphDiffState state = GraphDiffState::Same;
    GraphNodeId a = kNoGraphNode;  ///< the node in A's graph, if any
    GraphNodeId b = kNoGraphNode;  ///< the node in B's graph, if any
    /// Config changes that name this layer (path, old -> new), as the DiffReport has them.
    std::vector<ConfigChange> configChanges;
    /// The largest rel_l2 of the node's own tensor pairs; NaN when none was compared.
    double maxRelL2 = TensorMetrics::kNaN;
    std::string maxRelL2Key;         ///< the pairing key of that tensor
    std::size_t tensors = 0;         ///< tensor rows of this node
    std::size_t tensorsChanged = 0;  ///< rows whose status is not Equal
};

/// The union graph and a state per node and per edge (indexed like its nodes and edges).
/// An edge only in A or only in B is a rewired connection (Removed / Added).
struct GraphDiff {
    Graph graph;
    std::vector<GraphNodeDiff> nodes;
    std::vector<GraphDiffState> edges;
};

/// Aligns `a` and `b` and marks what `report` (diffCheckpoints of the same two checkpoints)
/// found. Nodes are paired by the diff's own pairing first: a renamed layer (a layer_renamed
/// config change), then the owners of each tensor pair (a's aPath with b's bPath); the rest by
/// path. The union keeps A's nesting for paired and removed nodes, B's for added ones.
[[nodiscard]] GraphDiff diffGraphs(const Graph& a, const Graph& b, const DiffReport& report);

/// Colours for drawing a graph diff with renderGraph: added green, removed red, changed amber
/// (with "rel_l2 x" on the label when metrics exist), rewired edges green (added) or red dashed
/// (removed).
[[nodiscard]] GraphStyle graphDiffStyle(const GraphDiff& diff);

}  // namespace ckpt::core
