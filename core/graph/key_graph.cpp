// buildKeyGraph: the hierarchy of dotted and '/'-separated tensor keys (torch state_dicts,
// safetensors, npz, pickles), with parameters and buffers summed per node.

#include <unordered_set>

#include "core/graph/graph_builder.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

constexpr const char* kTopLevel = "(top level)";

/// The parts of a key: split at '/' and '.', empty parts dropped.
std::vector<std::string> keyParts(const std::string& path) {
    std::vector<std::string> parts;
    std::string part;
    for (const char c : path) {
        if (c == '/' || c == '.') {
            if (!part.empty()) {
                parts.push_back(std::move(part));
                part.clear();
            }
        } else {
            part += c;
        }
    }
    if (!part.empty()) {
        parts.push_back(std::move(part));
    }
    return parts;
}

}  // namespace

bool isWellKnownTorchBuffer(const std::string& tensorName) {
    return tensorName == "running_mean" || tensorName == "running_var" ||
           tensorName == "num_batches_tracked";
}

Graph buildKeyGraph(const std::vector<KeyedTensor>& tensors, const GraphBuildOptions& options) {
    const std::uint64_t maxNodes = options.maxNodes ? options.maxNodes : limits().graphNodes;
    const std::uint64_t maxDepth = options.maxDepth ? options.maxDepth : limits().graphDepth;
    Graph graph;
    graph.setKind(GraphKind::Hierarchy);
    graph.setSource("tensor keys: hierarchy only");
    std::unordered_set<GraphNodeId> owners;
    bool depthWarned = false;
    for (const KeyedTensor& t : tensors) {
        auto parts = keyParts(t.path);
        if (parts.empty()) {
            continue;
        }
        parts.pop_back();  // the tensor's own name
        if (parts.size() > maxDepth) {
            // Deeper levels are folded into the last one kept.
            std::string rest;
            for (std::size_t i = maxDepth - 1; i < parts.size(); ++i) {
                rest += (rest.empty() ? "" : ".") + parts[i];
            }
            parts.resize(maxDepth - 1);
            parts.push_back(std::move(rest));
            if (!depthWarned) {
                depthWarned = true;
                graph.truncated = true;
                graph.warnings.push_back("keys nested more than " + std::to_string(maxDepth) +
                                         " levels are folded (limit graph-depth)");
            }
        }
        if (parts.empty()) {
            parts.emplace_back(kTopLevel);
        }
        GraphNodeId at = kNoGraphNode;
        std::string path;
        for (const auto& part : parts) {
            path += (path.empty() ? "" : ".") + part;
            GraphNodeId next = graph.find(path);
            if (next == kNoGraphNode) {
                if (graph.nodes().size() >= maxNodes) {
                    if (!graph.truncated || graph.warnings.empty() ||
                        graph.warnings.back().find("graph-nodes") == std::string::npos) {
                        graph.warnings.push_back(
                            "the graph was cut at " + std::to_string(maxNodes) +
                            " nodes (limit graph-nodes; raise it with --limit graph-nodes=N)");
                    }
                    graph.truncated = true;
                    break;
                }
                GraphNode node;
                node.name = part;
                node.path = path;
                node.kind = GraphNodeKind::Group;
                next = graph.addNode(std::move(node), at);
            }
            at = next;
        }
        if (at == kNoGraphNode || graph.node(at).path != path) {
            continue;  // cut by the node limit
        }
        GraphNode& owner = graph.node(at);
        owner.kind = GraphNodeKind::Layer;
        owner.tensors.push_back(t.path);
        owners.insert(at);
        for (GraphNodeId a = at; a != kNoGraphNode; a = graph.node(a).parent) {
            (t.buffer ? graph.node(a).buffers : graph.node(a).params) += t.numel;
        }
    }
    return graph;
}

}  // namespace ckpt::core
