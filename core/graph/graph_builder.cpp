// buildGraph: picks the builder by what the checkpoint holds, and adds the classes of torch
// modules from a whole-model pickle's object tree.

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>

#include "core/diff/config_diff.h"
#include "core/graph/graph_builder.h"
#include "core/model/checkpoint.h"
#include "core/model/keras_config.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

constexpr std::size_t kTreeDepth = 200;  // the object tree is itself cut at 200 levels

bool isTorchModuleClass(std::string_view type) {
    return type.starts_with("torch.nn.") && !type.starts_with("torch.nn.parameter") &&
           type != "torch.nn.Parameter";
}

/// The path of `n` below `root` as the key graph spells it: parts joined with '.'.
std::string dottedPath(const Node& root, const Node* n) {
    std::vector<const Node*> chain;
    for (; n != nullptr && n != &root; n = n->parent()) {
        chain.push_back(n);
    }
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        std::string part;
        for (const char c : (*it)->name()) {
            if (c == '/' || c == '.') {
                if (!part.empty()) {
                    out += (out.empty() ? "" : ".") + part;
                    part.clear();
                }
            } else {
                part += c;
            }
        }
        if (!part.empty()) {
            out += (out.empty() ? "" : ".") + part;
        }
    }
    return out;
}

/// Whole-model pickles: every Object node of the tree whose path is a node of the graph gives
/// that node its class; torch modules without tensors (ReLU, Dropout) become nodes of their own
/// below their parent module. Returns the class of the outermost module, "" when none.
std::string addModuleClasses(const Checkpoint& c, Graph& graph, std::uint64_t maxNodes) {
    std::vector<std::size_t> order(graph.nodes().size(), SIZE_MAX);  // object-tree order
    std::size_t visited = 0;
    struct Item {
        const Node* node;
        std::size_t depth;
    };
    std::string outermost;
    // Items hold no paths (a wide tree under a deep one would copy them a million times);
    // paths are spelled from the nodes' parents when an object needs one.
    std::vector<Item> stack{{&c.root(), 0}};
    while (!stack.empty()) {
        Item item = std::move(stack.back());
        stack.pop_back();
        const Node& n = *item.node;
        // The tree's root takes the type of the pickled root object but stays a group.
        if (n.kind() == NodeKind::Object || (item.depth == 0 && !n.typeName().empty())) {
            const std::string path = dottedPath(c.root(), &n);
            GraphNodeId id = graph.find(path);
            const bool module = isTorchModuleClass(n.typeName());
            if (id == kNoGraphNode && module && !path.empty() && graph.nodes().size() < maxNodes) {
                const bool top = n.parent() == &c.root();
                const GraphNodeId parent =
                    top ? kNoGraphNode : graph.find(dottedPath(c.root(), n.parent()));
                if (parent != kNoGraphNode || top) {
                    GraphNode node;
                    node.name = n.name();
                    node.path = path;
                    id = graph.addNode(std::move(node), parent);
                }
            }
            if (id != kNoGraphNode) {
                order.resize(graph.nodes().size(), SIZE_MAX);
                order[id] = std::min(order[id], visited++);
            }
            if (id != kNoGraphNode && graph.node(id).className.empty()) {
                graph.node(id).className = n.typeName();
                graph.node(id).kind = GraphNodeKind::Layer;
            }
            if (outermost.empty() && (module || id != kNoGraphNode || path.empty())) {
                outermost = n.typeName();
            }
        }
        if (item.depth >= kTreeDepth || n.lazy()) {
            continue;  // a lazy node holds plain groups and values only: no modules
        }
        // Children in reverse so that they are visited in tree order.
        for (auto it = n.children().rbegin(); it != n.children().rend(); ++it) {
            if ((*it)->kind() == NodeKind::Object || (*it)->kind() == NodeKind::Group) {
                stack.push_back({it->get(), item.depth + 1});
            }
        }
    }
    order.resize(graph.nodes().size(), SIZE_MAX);
    // Modules without tensors were added last; put every module where the model declares it.
    graph.sortChildren([&](GraphNodeId a, GraphNodeId b) { return order[a] < order[b]; });
    return outermost;
}

Graph kerasLayersOnly(const Checkpoint& c, const GraphBuildOptions& options) {
    const std::uint64_t maxNodes = options.maxNodes ? options.maxNodes : limits().graphNodes;
    Graph graph;
    graph.setKind(GraphKind::Hierarchy);
    graph.setSource("Keras weights without a model config: layers only");
    for (const Layer& l : c.layers()) {
        if (graph.nodes().size() >= maxNodes) {
            graph.truncated = true;
            graph.warnings.push_back("the graph was cut at " + std::to_string(maxNodes) +
                                     " nodes (limit graph-nodes)");
            break;
        }
        GraphNode node;
        node.name = l.name;
        node.path = l.name;
        node.className = l.className;
        node.params = l.params;
        node.tensors = l.weightPaths;
        graph.addNode(std::move(node));
    }
    return graph;
}

}  // namespace

Graph buildGraph(const Checkpoint& checkpoint, const GraphBuildOptions& options) {
    if (checkpoint.format() == "onnx") {
        return buildOnnxGraph(checkpoint, options);
    }
    if (configPresent(checkpoint.config()) &&
        kerasLayerList(checkpoint.config()).layers != nullptr) {
        return buildKerasGraph(checkpoint.config(), &checkpoint, options);
    }
    if (!checkpoint.layers().empty() && checkpoint.format().starts_with("keras")) {
        return kerasLayersOnly(checkpoint, options);
    }
    const auto nodes = checkpoint.tensorNodes();
    bool parameterMarks = false;  // whole-model pickles tell parameters from buffers
    for (const Node* n : nodes) {
        parameterMarks = parameterMarks || n->typeName() == "torch.nn.Parameter";
    }
    std::vector<KeyedTensor> tensors;
    tensors.reserve(nodes.size());
    for (const Node* n : nodes) {
        KeyedTensor t;
        t.path = n->path();
        t.numel = n->tensor() ? n->tensor()->numel() : 0;
        const auto dot = t.path.find_last_of("./");
        const std::string leaf = dot == std::string::npos ? t.path : t.path.substr(dot + 1);
        t.buffer =
            isWellKnownTorchBuffer(leaf) || (parameterMarks && n->typeName() == "torch.Tensor");
        tensors.push_back(std::move(t));
    }
    Graph graph = buildKeyGraph(tensors, options);
    const bool torch = checkpoint.format().starts_with("torch");
    if (!checkpoint.pickleStreams().empty()) {
        const std::uint64_t maxNodes = options.maxNodes ? options.maxNodes : limits().graphNodes;
        const std::string model = addModuleClasses(checkpoint, graph, maxNodes);
        bool modules = false;
        for (const auto& node : graph.nodes()) {
            modules = modules || isTorchModuleClass(node.className);
        }
        if (modules) {
            graph.setSource("torch module tree of " + model + ": hierarchy only");
            return graph;
        }
    }
    graph.setSource(torch ? "state_dict keys: hierarchy only" : "tensor keys: hierarchy only");
    return graph;
}

}  // namespace ckpt::core
