#pragma once
/// The architecture of a checkpoint as a graph: one node per layer or module, data-flow edges
/// where the file states them, and nesting (a model inside a model, a module inside a module).
/// A plain value: no references into the Checkpoint it was built from.

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ckpt::core {

/// Index of a node in Graph::nodes().
using GraphNodeId = std::uint32_t;
inline constexpr GraphNodeId kNoGraphNode = std::numeric_limits<GraphNodeId>::max();

/// What the edges of a graph mean.
enum class GraphKind : std::uint8_t {
    DataFlow,   ///< edges are tensors flowing from layer to layer (a Keras model config)
    Hierarchy,  ///< no edges: only the nesting of modules is known (state_dict keys)
};

/// What a node stands for.
enum class GraphNodeKind : std::uint8_t {
    Layer,  ///< a Keras layer or a torch module
    Model,  ///< a model nested in the model (Keras Sequential/Functional layer); has children
    Input,  ///< the input Keras adds to a Sequential model whose config lists no InputLayer
    Group,  ///< a level of a dotted or '/'-separated key that is no module of its own
};

/// "layer", "model", "input", "group".
[[nodiscard]] const char* graphNodeKindName(GraphNodeKind k);

/// One layer, module or group.
struct GraphNode {
    std::string name;       ///< its own name: "dense_1", "conv1", "0"
    std::string path;       ///< unique in the graph: "model_1/dense_3", "layer1.0.conv1"
    std::string className;  ///< "Dense", "torch.nn.modules.conv.Conv2d"; "" when unknown
    GraphNodeKind kind = GraphNodeKind::Layer;
    /// Key settings from the config, in a fixed order: ("units", "64"), ("activation", "relu").
    std::vector<std::pair<std::string, std::string>> attributes;
    /// Output shape when the config states it (InputLayer batch shapes, Keras 3 tensor shapes);
    /// -1 stands for a free dimension (None). Empty when unknown (see hasOutputShape).
    std::vector<std::int64_t> outputShape;
    bool hasOutputShape = false;
    std::uint64_t params = 0;   ///< parameter elements of this node and all its descendants
    std::uint64_t buffers = 0;  ///< torch buffers (running statistics), counted apart
    /// Paths of the checkpoint's tensors that belong to this node itself (not to children).
    std::vector<std::string> tensors;
    GraphNodeId parent = kNoGraphNode;
    std::vector<GraphNodeId> children;  ///< in config or key order
    std::uint32_t depth = 0;            ///< 0 for top-level nodes
};

/// A data-flow edge: a tensor made by `from` is an input of `to`. Self loops are kept.
struct GraphEdge {
    GraphNodeId from = kNoGraphNode;
    GraphNodeId to = kNoGraphNode;
};

/// Nodes, edges and what they were read from. Build one with buildGraph (graph_builder.h).
class Graph {
public:
    /// Adds a node below `parent` (kNoGraphNode: top level) and returns its id; sets its depth
    /// and links it into its parent's children. A path already taken gets "#2", "#3"... appended
    /// (paths stay unique); change no path after adding.
    GraphNodeId addNode(GraphNode node, GraphNodeId parent = kNoGraphNode);
    /// Adds an edge between two existing nodes.
    void addEdge(GraphNodeId from, GraphNodeId to);

    [[nodiscard]] const std::vector<GraphNode>& nodes() const { return m_nodes; }
    [[nodiscard]] std::vector<GraphNode>& nodes() { return m_nodes; }
    [[nodiscard]] const GraphNode& node(GraphNodeId id) const { return m_nodes[id]; }
    [[nodiscard]] GraphNode& node(GraphNodeId id) { return m_nodes[id]; }
    [[nodiscard]] const std::vector<GraphEdge>& edges() const { return m_edges; }
    /// Top-level nodes in order.
    [[nodiscard]] const std::vector<GraphNodeId>& roots() const { return m_roots; }
    /// Stable-sorts the top-level nodes and every node's children by `less`.
    void sortChildren(const std::function<bool(GraphNodeId, GraphNodeId)>& less);
    /// The node whose path is `path`, or kNoGraphNode.
    [[nodiscard]] GraphNodeId find(const std::string& path) const;
    /// True when `ancestor` is `id` or one of its parents.
    [[nodiscard]] bool contains(GraphNodeId ancestor, GraphNodeId id) const;

    [[nodiscard]] GraphKind kind() const { return m_kind; }
    void setKind(GraphKind k) { m_kind = k; }
    /// True for data-flow graphs; hierarchy graphs have no edges.
    [[nodiscard]] bool edgesAreDataFlow() const { return m_kind == GraphKind::DataFlow; }
    /// What the graph was read from: "Keras functional config", "state_dict keys: hierarchy
    /// only", ...
    [[nodiscard]] const std::string& source() const { return m_source; }
    void setSource(std::string s) { m_source = std::move(s); }

    /// Inputs and outputs of the outermost model, when its config names them.
    std::vector<GraphNodeId> inputs;
    std::vector<GraphNodeId> outputs;
    /// Problems met while building (unknown layers referenced, limits reached); never fatal.
    std::vector<std::string> warnings;
    /// True when the graph-nodes or graph-depth limit cut the graph short.
    bool truncated = false;

private:
    std::vector<GraphNode> m_nodes;
    std::vector<GraphEdge> m_edges;
    std::vector<GraphNodeId> m_roots;
    GraphKind m_kind = GraphKind::Hierarchy;
    std::string m_source;
    std::unordered_map<std::string, GraphNodeId> m_byPath;
};

/// "(None, 28, 28, 1)"; "" when the node has no output shape.
[[nodiscard]] std::string graphShapeText(const GraphNode& node);

}  // namespace ckpt::core
