// buildKerasGraph: Keras Sequential and Functional configs (every dialect of FORMATS.md) as one
// data-flow graph, nested models as parents of their layers.

#include <algorithm>
#include <unordered_map>

#include "core/graph/graph_attributes.h"
#include "core/graph/graph_builder.h"
#include "core/model/checkpoint.h"
#include "core/model/keras_config.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

constexpr int kRefDepth = 64;  // nesting of a call's arguments that is searched for tensors

std::string stringField(const Json& j, const char* key) {
    const auto it = j.is_object() ? j.find(key) : j.end();
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& configOf(const Json& entry) {
    static const Json kEmpty = Json::object();
    const auto it = entry.is_object() ? entry.find("config") : entry.end();
    return it != entry.end() && it->is_object() ? *it : kEmpty;
}

/// The layers of one (possibly nested) model: names resolve inside it only.
struct Scope {
    std::unordered_map<std::string, GraphNodeId> byName;
    std::vector<GraphNodeId> layers;
    std::vector<GraphNodeId> inputs;   ///< leaf nodes that take the model's inputs
    std::vector<GraphNodeId> outputs;  ///< leaf nodes that make the model's outputs
};

class KerasGraphBuilder {
public:
    KerasGraphBuilder(Graph& graph, const GraphBuildOptions& options)
        : m_graph(graph),
          m_maxNodes(options.maxNodes ? options.maxNodes : limits().graphNodes),
          m_maxDepth(options.maxDepth ? options.maxDepth : limits().graphDepth) {}

    void build(const Json& modelConfig) {
        Scope scope;
        buildModel(modelConfig, kNoGraphNode, "", 0, scope);
        m_graph.inputs = scope.inputs;
        m_graph.outputs = scope.outputs;
    }

    [[nodiscard]] bool sequentialTop() const { return m_sequentialTop; }

private:
    bool roomForNode() {
        if (m_graph.nodes().size() < m_maxNodes) {
            return true;
        }
        if (!m_graph.truncated) {
            m_graph.truncated = true;
            m_graph.warnings.push_back("the graph was cut at " + std::to_string(m_maxNodes) +
                                       " nodes (limit graph-nodes; raise it with --limit "
                                       "graph-nodes=N)");
        }
        return false;
    }

    /// The leaf that receives argument `arg` of a call of `id` (a nested model's inner input).
    GraphNodeId inputOf(GraphNodeId id, std::size_t arg) const {
        const auto it = m_inputs.find(id);
        if (it == m_inputs.end() || it->second.empty()) {
            return id;
        }
        return it->second[std::min(arg, it->second.size() - 1)];
    }

    /// The leaf that makes output `index` of `id` (a nested model's inner output).
    GraphNodeId outputOf(GraphNodeId id, std::int64_t index) const {
        const auto it = m_outputs.find(id);
        if (it == m_outputs.end() || it->second.empty()) {
            return id;
        }
        const auto n = static_cast<std::int64_t>(it->second.size());
        return it->second[static_cast<std::size_t>(std::clamp<std::int64_t>(index, 0, n - 1))];
    }

    void buildModel(const Json& model, GraphNodeId parent, const std::string& prefix,
                    std::uint64_t depth, Scope& scope) {
        const KerasLayerList list = kerasLayerList(model);
        if (list.layers == nullptr) {
            return;
        }
        const Json& modelCfg = configOf(model);
        const bool sequential =
            stringField(model, "class_name") == "Sequential" || list.pointer == "/config";
        if (depth == 0) {
            m_sequentialTop = sequential;
        }
        std::vector<const Json*> entries;
        for (const auto& entry : *list.layers) {
            if (!entry.is_object()) {
                continue;
            }
            if (!roomForNode()) {
                break;
            }
            const GraphNodeId id = addLayer(entry, parent, prefix, depth, scope);
            entries.push_back(&entry);
            scope.layers.push_back(id);
        }
        if (sequential) {
            linkSequential(model, modelCfg, parent, prefix, depth, scope);
        } else {
            linkFunctional(entries, scope, prefix);
            for (const auto& ref : kerasTensorRefs(findOr(modelCfg, "input_layers"), kRefDepth)) {
                if (const auto it = scope.byName.find(ref.layer); it != scope.byName.end()) {
                    scope.inputs.push_back(inputOf(it->second, 0));
                }
            }
            for (const auto& ref : kerasTensorRefs(findOr(modelCfg, "output_layers"), kRefDepth)) {
                if (const auto it = scope.byName.find(ref.layer); it != scope.byName.end()) {
                    scope.outputs.push_back(outputOf(it->second, ref.tensorIndex));
                }
            }
            if (scope.inputs.empty()) {
                for (const GraphNodeId id : scope.layers) {
                    if (m_graph.node(id).className == "InputLayer") {
                        scope.inputs.push_back(id);
                    }
                }
            }
            if (scope.outputs.empty() && !scope.layers.empty()) {
                scope.outputs.push_back(outputOf(scope.layers.back(), 0));
            }
        }
    }

    static const Json& findOr(const Json& j, const char* key) {
        static const Json kNull;
        const auto it = j.find(key);
        return it != j.end() ? *it : kNull;
    }

    GraphNodeId addLayer(const Json& entry, GraphNodeId parent, const std::string& prefix,
                         std::uint64_t depth, Scope& scope) {
        const Json& cfg = configOf(entry);
        GraphNode node;
        node.name = kerasLayerName(entry);
        node.className = stringField(entry, "class_name");
        if (node.name.empty()) {
            node.name = (node.className.empty() ? "layer" : kerasSnakeCase(node.className)) + "@" +
                        std::to_string(scope.layers.size());
        }
        node.path = prefix + node.name;
        node.attributes = layerAttributes(cfg);
        for (const char* key : {"batch_shape", "batch_input_shape"}) {
            if (node.className == "InputLayer" && cfg.contains(key)) {
                setShape(node, cfg[key]);
            }
        }
        const bool nested = kerasLayerList(entry).layers != nullptr;
        node.kind = nested ? GraphNodeKind::Model : GraphNodeKind::Layer;
        const GraphNodeId id = m_graph.addNode(std::move(node), parent);
        if (!scope.byName.emplace(m_graph.node(id).name, id).second) {
            m_graph.warnings.push_back("two layers are named '" + m_graph.node(id).name +
                                       "'; references go to the first");
        }
        if (!nested) {
            return id;
        }
        if (depth + 1 >= m_maxDepth) {
            m_graph.truncated = true;
            m_graph.warnings.push_back("model '" + m_graph.node(id).path +
                                       "' is nested more than " + std::to_string(m_maxDepth) +
                                       " deep; its layers are left out (limit graph-depth)");
            return id;
        }
        Scope inner;
        buildModel(entry, id, m_graph.node(id).path + "/", depth + 1, inner);
        m_inputs[id] = inner.inputs;
        m_outputs[id] = inner.outputs;
        return id;
    }

    void linkSequential(const Json& model, const Json& modelCfg, GraphNodeId parent,
                        const std::string& prefix, std::uint64_t depth, Scope& scope) {
        if (scope.layers.empty()) {
            return;
        }
        const GraphNodeId first = scope.layers.front();
        if (depth == 0 && m_graph.node(first).className != "InputLayer" && roomForNode()) {
            // Keras adds an InputLayer that the config does not list.
            GraphNode input;
            input.name = "input";
            input.path = prefix + "<input>";
            input.className = "InputLayer";
            input.kind = GraphNodeKind::Input;
            const Json& firstCfg = configOf(*kerasLayerList(model).layers->begin());
            if (firstCfg.contains("batch_input_shape")) {
                setShape(input, firstCfg["batch_input_shape"]);
            } else if (modelCfg.contains("build_input_shape")) {
                setShape(input, modelCfg["build_input_shape"]);
            }
            const GraphNodeId in = m_graph.addNode(std::move(input), parent);
            m_graph.addEdge(in, inputOf(first, 0));
            m_graph.sortChildren([in](GraphNodeId a, GraphNodeId b) { return a == in && b != in; });
            scope.inputs.push_back(in);
        } else {
            scope.inputs.push_back(inputOf(first, 0));
        }
        for (std::size_t i = 1; i < scope.layers.size(); ++i) {
            m_graph.addEdge(outputOf(scope.layers[i - 1], 0), inputOf(scope.layers[i], 0));
        }
        scope.outputs.push_back(outputOf(scope.layers.back(), 0));
    }

    void linkFunctional(const std::vector<const Json*>& entries, const Scope& scope,
                        const std::string& prefix) {
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const GraphNodeId to = scope.layers[i];
            for (const auto& call : kerasInboundNodes(*entries[i], kRefDepth)) {
                for (std::size_t arg = 0; arg < call.size(); ++arg) {
                    const auto& ref = call[arg];
                    const auto it = scope.byName.find(ref.layer);
                    if (it == scope.byName.end()) {
                        if (m_graph.warnings.size() < kMaxWarnings) {
                            m_graph.warnings.push_back(
                                "layer '" + prefix + m_graph.node(to).name +
                                "' takes an input from '" + ref.layer +
                                "', which the model does not define; edge dropped");
                        }
                        continue;
                    }
                    const GraphNodeId from = outputOf(it->second, ref.tensorIndex);
                    m_graph.addEdge(from, inputOf(to, arg));
                    GraphNode& producer = m_graph.node(from);
                    if (!producer.hasOutputShape && ref.tensorIndex == 0 && ref.shape.is_array()) {
                        setShape(producer, ref.shape);
                    }
                }
            }
        }
    }

    static constexpr std::size_t kMaxWarnings = 100;

    Graph& m_graph;
    std::uint64_t m_maxNodes;
    std::uint64_t m_maxDepth;
    bool m_sequentialTop = false;
    /// Nested models: the leaves that take each of their inputs, and that make their outputs.
    std::unordered_map<GraphNodeId, std::vector<GraphNodeId>> m_inputs;
    std::unordered_map<GraphNodeId, std::vector<GraphNodeId>> m_outputs;
};

/// Weights and parameter counts from the checkpoint's layer summary: a top-level layer by name;
/// a nested model's weights go to the descendant whose name is a part of the weight's path.
void attachWeights(Graph& graph, const Checkpoint& checkpoint) {
    const std::vector<Layer>& layers = checkpoint.layers();
    std::unordered_map<std::string, GraphNodeId> top;
    for (const GraphNodeId id : graph.roots()) {
        top.emplace(graph.node(id).name, id);
    }
    std::size_t unmatched = 0;
    for (const Layer& layer : layers) {
        const auto it = top.find(layer.name);
        if (it == top.end()) {
            unmatched += layer.weightPaths.empty() ? 0 : 1;
            continue;
        }
        GraphNode& node = graph.node(it->second);
        node.params = layer.params;
        if (node.children.empty()) {
            node.tensors = layer.weightPaths;
            continue;
        }
        for (const auto& path : layer.weightPaths) {
            GraphNodeId owner = it->second;
            // Descend while a child's name is a part of the path ("model_1/dense_3/kernel:0").
            for (bool descended = true; descended;) {
                descended = false;
                for (const GraphNodeId c : graph.node(owner).children) {
                    const std::string& name = graph.node(c).name;
                    const auto at = path.find(name);
                    const bool part =
                        at != std::string::npos && (at == 0 || path[at - 1] == '/') &&
                        (at + name.size() == path.size() || path[at + name.size()] == '/');
                    if (part) {
                        owner = c;
                        descended = true;
                        break;
                    }
                }
            }
            GraphNode& ownerNode = graph.node(owner);
            ownerNode.tensors.push_back(path);
            if (owner != it->second) {
                const Node* t = checkpoint.findTensor(path);
                const std::uint64_t n = t != nullptr && t->tensor() ? t->tensor()->numel() : 0;
                // Each model between the owner and the top layer counts it too.
                for (GraphNodeId a = owner; a != it->second; a = graph.node(a).parent) {
                    graph.node(a).params += n;
                }
            }
        }
    }
    if (unmatched > 0) {
        graph.warnings.push_back(std::to_string(unmatched) +
                                 " layers with weights match no layer of the config");
    }
}

}  // namespace

Graph buildKerasGraph(const Json& modelConfig, const Checkpoint* weights,
                      const GraphBuildOptions& options) {
    Graph graph;
    graph.setKind(GraphKind::DataFlow);
    KerasGraphBuilder builder(graph, options);
    builder.build(modelConfig);
    graph.setSource(builder.sequentialTop() ? "Keras Sequential config"
                                            : "Keras functional config");
    if (weights != nullptr) {
        attachWeights(graph, *weights);
    }
    return graph;
}

}  // namespace ckpt::core
