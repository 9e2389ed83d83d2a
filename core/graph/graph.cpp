#include "core/graph/graph.h"

#include <algorithm>

namespace ckpt::core {

const char* graphNodeKindName(GraphNodeKind k) {
    switch (k) {
        case GraphNodeKind::Layer:
            return "layer";
        case GraphNodeKind::Model:
            return "model";
        case GraphNodeKind::Input:
            return "input";
        case GraphNodeKind::Group:
            return "group";
    }
    return "layer";
}

GraphNodeId Graph::addNode(GraphNode node, GraphNodeId parent) {
    const auto id = static_cast<GraphNodeId>(m_nodes.size());
    if (m_byPath.contains(node.path)) {
        const std::string base = node.path;
        for (std::size_t n = 2;; ++n) {
            node.path = base + "#" + std::to_string(n);
            if (!m_byPath.contains(node.path)) {
                break;
            }
        }
    }
    node.parent = parent < m_nodes.size() ? parent : kNoGraphNode;
    node.depth = node.parent == kNoGraphNode ? 0 : m_nodes[node.parent].depth + 1;
    m_byPath.emplace(node.path, id);
    if (node.parent != kNoGraphNode) {
        m_nodes[node.parent].children.push_back(id);
    } else {
        m_roots.push_back(id);
    }
    m_nodes.push_back(std::move(node));
    return id;
}

void Graph::addEdge(GraphNodeId from, GraphNodeId to) {
    if (from < m_nodes.size() && to < m_nodes.size()) {
        m_edges.push_back({from, to});
    }
}

void Graph::sortChildren(const std::function<bool(GraphNodeId, GraphNodeId)>& less) {
    std::stable_sort(m_roots.begin(), m_roots.end(), less);
    for (auto& n : m_nodes) {
        std::stable_sort(n.children.begin(), n.children.end(), less);
    }
}

GraphNodeId Graph::find(const std::string& path) const {
    const auto it = m_byPath.find(path);
    return it == m_byPath.end() ? kNoGraphNode : it->second;
}

bool Graph::contains(GraphNodeId ancestor, GraphNodeId id) const {
    // Parents always have smaller ids than their children (addNode), so this ends.
    while (id < m_nodes.size()) {
        if (id == ancestor) {
            return true;
        }
        id = m_nodes[id].parent;
    }
    return false;
}

std::string graphShapeText(const GraphNode& node) {
    if (!node.hasOutputShape) {
        return {};
    }
    std::string out = "(";
    for (std::size_t i = 0; i < node.outputShape.size(); ++i) {
        out += i ? ", " : "";
        out += node.outputShape[i] < 0 ? "None" : std::to_string(node.outputShape[i]);
    }
    if (node.outputShape.size() == 1) {
        out += ",";
    }
    return out + ")";
}

}  // namespace ckpt::core
