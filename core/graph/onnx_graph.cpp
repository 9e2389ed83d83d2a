// buildOnnxGraph: the ops of an ONNX model as a data-flow graph, read back from the tree the
// ONNX reader wrote (core/model/onnx_tree.h): one node per op, one per graph input that is not
// an initializer, an edge wherever a value made by one feeds another, and each initializer
// attached as a weight to the first op that reads it.

#include <unordered_map>
#include <unordered_set>

#include "core/graph/graph_builder.h"
#include "core/model/checkpoint.h"
#include "core/model/onnx_tree.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

/// Settings of an op shown on its box, at most this many.
constexpr std::size_t kOnnxShownAttributes = 12;
/// Inputs that no op, graph input or initializer makes: named one by one up to this many.
constexpr std::size_t kOnnxListedDangling = 10;

std::vector<std::string> onnxNames(const Json& attributes, const char* key) {
    std::vector<std::string> out;
    const auto it = attributes.find(key);
    if (it == attributes.end() || !it->is_array()) {
        return out;
    }
    for (const auto& v : *it) {
        out.push_back(v.is_string() ? v.get<std::string>() : std::string());
    }
    return out;
}

/// A shape attribute as GraphNode::outputShape wants it: -1 for a symbolic or unknown dim.
bool onnxShape(const Json& attributes, std::vector<std::int64_t>& out) {
    const auto it = attributes.find("shape");
    if (it == attributes.end() || !it->is_array()) {
        return false;
    }
    out.clear();
    for (const auto& d : *it) {
        out.push_back(d.is_number_integer() ? d.get<std::int64_t>() : -1);
    }
    return true;
}

}  // namespace

Graph buildOnnxGraph(const Checkpoint& checkpoint, const GraphBuildOptions& options) {
    const std::uint64_t maxNodes = options.maxNodes ? options.maxNodes : limits().graphNodes;
    Graph graph;
    graph.setKind(GraphKind::DataFlow);
    const Json& meta = checkpoint.metadata();
    const auto opset = meta.is_object() ? meta.find("opset") : meta.end();
    graph.setSource("ONNX graph" + (opset != meta.end() && opset->is_string()
                                        ? " (opset " + opset->get<std::string>() + ")"
                                        : std::string()));
    const Node& root = checkpoint.root();

    // Value name -> its shape, from graph inputs, outputs and value_info.
    std::unordered_map<std::string, const Json*> valueAttributes;
    for (const char* group : {onnx_tree::kValueInfo, onnx_tree::kOutputs, onnx_tree::kInputs}) {
        if (const Node* g = root.findChild(group)) {
            for (const auto& v : g->children()) {
                valueAttributes[v->name()] = &v->attributes();
            }
        }
    }
    // Initializers by name: below the root, or below the module groups the app makes of
    // dotted names (fc1 > fc1.weight); not the reader's own groups.
    std::unordered_map<std::string, std::uint64_t> weights;
    const auto readerGroup = [](const Node& n) {
        return n.name().rfind("graph.", 0) == 0 || n.name() == onnx_tree::kOpsets ||
               n.name() == onnx_tree::kProps;
    };
    const auto collect = [&](const Node& parent, const auto& self) -> void {
        for (const auto& n : parent.children()) {
            if (n->kind() == NodeKind::Tensor) {
                if (n->tensor()) {
                    weights.emplace(n->name(), n->tensor()->numel());
                }
            } else if (&parent != &root || !readerGroup(*n)) {
                self(*n, self);
            }
        }
    };
    collect(root, collect);

    const auto room = [&] {
        if (graph.nodes().size() < maxNodes) {
            return true;
        }
        if (!graph.truncated) {
            graph.truncated = true;
            graph.warnings.push_back("the graph was cut at " + std::to_string(maxNodes) +
                                     " nodes (limit graph-nodes; raise it with --limit "
                                     "graph-nodes=N)");
        }
        return false;
    };

    std::unordered_map<std::string, GraphNodeId> producer;
    if (const Node* inputs = root.findChild(onnx_tree::kInputs)) {
        for (const auto& in : inputs->children()) {
            const Json& a = in->attributes();
            if (a.value("initializer", false) || !room()) {
                continue;  // an initializer listed as an input (IR < 4) is a weight
            }
            GraphNode node;
            node.name = in->name();
            node.path = in->name();
            node.className = "Input";
            node.kind = GraphNodeKind::Input;
            node.hasOutputShape = onnxShape(a, node.outputShape);
            const GraphNodeId id = graph.addNode(std::move(node));
            producer.emplace(in->name(), id);
            graph.inputs.push_back(id);
        }
    }

    std::vector<std::pair<GraphNodeId, std::vector<std::string>>> consumers;
    std::unordered_set<std::string> attached;
    if (const Node* ops = root.findChild(onnx_tree::kNodes)) {
        for (const auto& op : ops->children()) {
            if (!room()) {
                break;
            }
            const Json& a = op->attributes();
            GraphNode node;
            node.name = op->name();
            node.path = op->name();
            node.className = op->typeName();
            if (const auto at = a.find("attributes"); at != a.end() && at->is_object()) {
                for (const auto& [k, v] : at->items()) {
                    if (node.attributes.size() == kOnnxShownAttributes) {
                        break;
                    }
                    node.attributes.emplace_back(k,
                                                 v.is_string() ? v.get<std::string>() : v.dump());
                }
            }
            std::vector<std::string> inputs = onnxNames(a, "inputs");
            for (const auto& in : inputs) {
                const auto w = weights.find(in);
                if (w != weights.end() && attached.insert(in).second) {
                    node.tensors.push_back(in);
                    node.params += w->second;
                }
            }
            const std::vector<std::string> outputs = onnxNames(a, "outputs");
            if (!outputs.empty()) {
                const auto v = valueAttributes.find(outputs.front());
                node.hasOutputShape =
                    v != valueAttributes.end() && onnxShape(*v->second, node.outputShape);
            }
            const GraphNodeId id = graph.addNode(std::move(node));
            for (const auto& out : outputs) {
                if (!out.empty()) {
                    producer.insert_or_assign(out, id);
                }
            }
            consumers.emplace_back(id, std::move(inputs));
        }
    }

    // Edges once every op is known (a file need not list its ops in order).
    std::size_t dangling = 0;
    for (const auto& [id, inputs] : consumers) {
        std::unordered_set<GraphNodeId> from;
        for (const auto& in : inputs) {
            if (in.empty() || weights.count(in) != 0) {
                continue;
            }
            const auto p = producer.find(in);
            if (p != producer.end()) {
                if (from.insert(p->second).second) {
                    graph.addEdge(p->second, id);
                }
            } else if (!graph.truncated && dangling++ < kOnnxListedDangling) {
                graph.warnings.push_back("input '" + in + "' of op '" + graph.node(id).name +
                                         "' is made by no op, graph input or initializer");
            }
        }
    }
    if (dangling > kOnnxListedDangling) {
        graph.warnings.push_back(std::to_string(dangling - kOnnxListedDangling) +
                                 " more inputs that nothing makes");
    }
    if (const Node* outputs = root.findChild(onnx_tree::kOutputs)) {
        for (const auto& out : outputs->children()) {
            if (const auto p = producer.find(out->name()); p != producer.end()) {
                graph.outputs.push_back(p->second);
            }
        }
    }
    return graph;
}

}  // namespace ckpt::core
