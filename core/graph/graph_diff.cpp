#include "core/graph/graph_diff.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace ckpt::core {
namespace {

using Owners = std::unordered_map<std::string, GraphNodeId>;

Owners tensorOwners(const Graph& g) {
    Owners out;
    for (GraphNodeId id = 0; id < g.nodes().size(); ++id) {
        for (const auto& path : g.node(id).tensors) {
            out.emplace(path, id);
        }
    }
    return out;
}

GraphNodeId ownerOf(const Owners& owners, const std::string& path) {
    const auto it = path.empty() ? owners.end() : owners.find(path);
    return it == owners.end() ? kNoGraphNode : it->second;
}

class Alignment {
public:
    Alignment(const Graph& a, const Graph& b)
        : m_a(a), m_b(b), pa(a.nodes().size(), kNoGraphNode), pb(b.nodes().size(), kNoGraphNode) {}

    /// Pairs x (in A) with y (in B) when neither is paired yet; then their parents likewise.
    void pair(GraphNodeId x, GraphNodeId y) {
        while (x != kNoGraphNode && y != kNoGraphNode && pa[x] == kNoGraphNode &&
               pb[y] == kNoGraphNode) {
            pa[x] = y;
            pb[y] = x;
            x = m_a.node(x).parent;
            y = m_b.node(y).parent;
        }
    }

    const Graph& m_a;
    const Graph& m_b;
    std::vector<GraphNodeId> pa;  ///< A's node -> B's node
    std::vector<GraphNodeId> pb;  ///< B's node -> A's node
};

}  // namespace

const char* graphDiffStateName(GraphDiffState s) {
    switch (s) {
        case GraphDiffState::Same:
            return "same";
        case GraphDiffState::Changed:
            return "changed";
        case GraphDiffState::Added:
            return "added";
        case GraphDiffState::Removed:
            return "removed";
    }
    return "same";
}

GraphDiff diffGraphs(const Graph& a, const Graph& b, const DiffReport& report) {
    Alignment align(a, b);
    for (const auto& c : report.config.changes) {
        if (c.kind == ConfigChangeKind::LayerRenamed && c.newValue.is_string()) {
            align.pair(a.find(c.layer), b.find(c.newValue.get<std::string>()));
        }
    }
    const Owners ownersA = tensorOwners(a);
    const Owners ownersB = tensorOwners(b);
    for (const auto& t : report.tensors) {
        align.pair(ownerOf(ownersA, t.aPath), ownerOf(ownersB, t.bPath));
    }
    for (GraphNodeId x = 0; x < a.nodes().size(); ++x) {
        if (align.pa[x] == kNoGraphNode) {
            const GraphNodeId y = b.find(a.node(x).path);
            if (y != kNoGraphNode && align.pb[y] == kNoGraphNode) {
                align.pa[x] = y;
                align.pb[y] = x;
            }
        }
    }

    GraphDiff out;
    Graph& u = out.graph;
    u.setKind(a.kind() == GraphKind::DataFlow || b.kind() == GraphKind::DataFlow
                  ? GraphKind::DataFlow
                  : GraphKind::Hierarchy);
    u.setSource("A: " + a.source() + "; B: " + b.source());
    std::vector<GraphNodeId> ua(a.nodes().size(), kNoGraphNode);
    std::vector<GraphNodeId> ub(b.nodes().size(), kNoGraphNode);
    // Parents have smaller ids than their children, so they are in the union first.
    for (GraphNodeId x = 0; x < a.nodes().size(); ++x) {
        GraphNode n = a.node(x);
        n.children.clear();
        const GraphNodeId parent = n.parent == kNoGraphNode ? kNoGraphNode : ua[n.parent];
        ua[x] = u.addNode(std::move(n), parent);
        GraphNodeDiff d;
        d.a = x;
        d.b = align.pa[x];
        d.state = d.b == kNoGraphNode ? GraphDiffState::Removed : GraphDiffState::Same;
        if (d.b != kNoGraphNode) {
            ub[d.b] = ua[x];
        }
        out.nodes.push_back(std::move(d));
    }
    for (GraphNodeId y = 0; y < b.nodes().size(); ++y) {
        if (align.pb[y] != kNoGraphNode) {
            continue;
        }
        GraphNode n = b.node(y);
        n.children.clear();
        const GraphNodeId parent = n.parent == kNoGraphNode ? kNoGraphNode : ub[n.parent];
        ub[y] = u.addNode(std::move(n), parent);
        GraphNodeDiff d;
        d.b = y;
        d.state = GraphDiffState::Added;
        out.nodes.push_back(std::move(d));
    }

    // Edges: a pair of ends present k times in A and m times in B gives min(k, m) same edges
    // and the rest removed (A) or added (B).
    std::map<std::pair<GraphNodeId, GraphNodeId>, std::pair<std::size_t, std::size_t>> counts;
    for (const auto& e : a.edges()) {
        ++counts[{ua[e.from], ua[e.to]}].first;
    }
    for (const auto& e : b.edges()) {
        ++counts[{ub[e.from], ub[e.to]}].second;
    }
    const auto emit = [&](const GraphEdge& e, bool fromA) {
        auto& [inA, inB] = counts[{e.from, e.to}];
        if (inA > 0 && inB > 0) {
            --inA;
            --inB;
            u.addEdge(e.from, e.to);
            out.edges.push_back(GraphDiffState::Same);
        } else if (fromA && inA > 0) {
            --inA;
            u.addEdge(e.from, e.to);
            out.edges.push_back(GraphDiffState::Removed);
        } else if (!fromA && inB > 0) {
            --inB;
            u.addEdge(e.from, e.to);
            out.edges.push_back(GraphDiffState::Added);
        }
    };
    for (const auto& e : a.edges()) {
        emit({ua[e.from], ua[e.to]}, true);
    }
    for (const auto& e : b.edges()) {
        emit({ub[e.from], ub[e.to]}, false);
    }

    // Config changes and tensor metrics on the nodes they concern.
    for (const auto& c : report.config.changes) {
        const bool added = c.kind == ConfigChangeKind::LayerAdded;
        const GraphNodeId id = added ? b.find(c.layer) : a.find(c.layer);
        const GraphNodeId target = id == kNoGraphNode ? kNoGraphNode : (added ? ub[id] : ua[id]);
        if (target != kNoGraphNode && c.kind != ConfigChangeKind::LayerAdded &&
            c.kind != ConfigChangeKind::LayerRemoved) {
            out.nodes[target].configChanges.push_back(c);
        }
    }
    for (const auto& t : report.tensors) {
        GraphNodeId id = ownerOf(ownersA, t.aPath);
        GraphNodeId target = id == kNoGraphNode ? kNoGraphNode : ua[id];
        if (target == kNoGraphNode) {
            id = ownerOf(ownersB, t.bPath);
            target = id == kNoGraphNode ? kNoGraphNode : ub[id];
        }
        if (target == kNoGraphNode) {
            continue;
        }
        GraphNodeDiff& d = out.nodes[target];
        ++d.tensors;
        d.tensorsChanged += t.status == TensorDiffStatus::Equal ? 0 : 1;
        if (t.metrics && !std::isnan(t.metrics->relL2) &&
            (std::isnan(d.maxRelL2) || t.metrics->relL2 > d.maxRelL2)) {
            d.maxRelL2 = t.metrics->relL2;
            d.maxRelL2Key = t.key;
        }
    }
    for (GraphNodeId id = 0; id < out.nodes.size(); ++id) {
        GraphNodeDiff& d = out.nodes[id];
        if (d.state == GraphDiffState::Same && (!d.configChanges.empty() || d.tensorsChanged)) {
            d.state = GraphDiffState::Changed;
        }
    }
    // A nested node whose content differs is changed too (it may be drawn collapsed). Children
    // have larger ids than their parents: walk backwards.
    for (GraphNodeId id = static_cast<GraphNodeId>(out.nodes.size()); id-- > 0;) {
        const GraphNodeId parent = u.node(id).parent;
        if (parent != kNoGraphNode && out.nodes[id].state != GraphDiffState::Same &&
            out.nodes[parent].state == GraphDiffState::Same) {
            out.nodes[parent].state = GraphDiffState::Changed;
        }
    }
    return out;
}

GraphStyle graphDiffStyle(const GraphDiff& diff) {
    GraphStyle style;
    for (const auto& d : diff.nodes) {
        GraphNodeStyle s;
        switch (d.state) {
            case GraphDiffState::Same:
                break;
            case GraphDiffState::Changed:
                s.fillColor = "#ffe8b0";
                s.bold = !d.configChanges.empty();
                break;
            case GraphDiffState::Added:
                s.fillColor = "#d4f7d4";
                break;
            case GraphDiffState::Removed:
                s.fillColor = "#f9d0d0";
                break;
        }
        if (!std::isnan(d.maxRelL2) && d.tensorsChanged > 0) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "rel_l2 %.3g", d.maxRelL2);
            s.extraLabel = buf;
        }
        if (!d.configChanges.empty()) {
            s.extraLabel += (s.extraLabel.empty() ? "" : ", ") +
                            std::to_string(d.configChanges.size()) + " config change" +
                            (d.configChanges.size() == 1 ? "" : "s");
        }
        style.nodes.push_back(std::move(s));
    }
    for (const auto state : diff.edges) {
        GraphEdgeStyle s;
        if (state == GraphDiffState::Added) {
            s.color = "#1e8449";
        } else if (state == GraphDiffState::Removed) {
            s.color = "#c0392b";
            s.dashed = true;
        }
        style.edges.push_back(std::move(s));
    }
    return style;
}

}  // namespace ckpt::core
