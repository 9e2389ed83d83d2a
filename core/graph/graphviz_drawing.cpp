#include "core/graph/graphviz_drawing.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <map>
#include <unordered_set>

#include "core/util/error.h"
#include "core/util/escape.h"
#include "core/util/limits.h"

namespace ckpt::core::graphviz {
namespace {

std::string& errorText() {
    static std::string text;
    return text;
}

int collectError(char* message) {
    std::string& text = errorText();
    if (message != nullptr && text.size() < 4096) {
        text += message;
    }
    return 0;
}

/// The process's one Graphviz context (plugins loaded once); used under graphvizLock() only.
GVC_t* context() {
    static GVC_t* gvc = [] {
        agseterrf(collectError);
        agseterr(AGERR);  // warnings ("Warning: ... font") are not failures
        return gvContext();
    }();
    return gvc;
}

/// Graphviz label text: the name made printable (escapeText), its backslashes kept literal
/// (Graphviz reads \N, \G, \n... in labels as escapes).
std::string labelPart(const std::string& s) {
    std::string out;
    for (const char c : escapeText(s)) {
        out += c;
        if (c == '\\') {
            out += '\\';
        }
    }
    return out;
}

std::string digits(std::uint64_t n) {
    std::string s = std::to_string(n);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) {
        s.insert(static_cast<std::size_t>(i), ",");
    }
    return s;
}

std::string shortClass(const std::string& className) {
    const auto dot = className.rfind('.');
    return dot == std::string::npos ? className : className.substr(dot + 1);
}

std::string nodeLabel(const GraphNode& n, const GraphNodeStyle* style) {
    std::string label = labelPart(n.name);
    const std::string cls = shortClass(n.className);
    if (!cls.empty() && cls != n.name) {
        label += "\\n" + labelPart(cls);
    }
    if (const std::string shape = graphShapeText(n); !shape.empty()) {
        label += "\\n" + shape;
    }
    if (n.params > 0) {
        label += "\\n" + digits(n.params) + " params";
    }
    if (n.buffers > 0) {
        label += "\\n" + digits(n.buffers) + " buffer elements";
    }
    if (style != nullptr && !style->extraLabel.empty()) {
        label += "\\n" + labelPart(style->extraLabel);
    }
    return label;
}

void set(void* obj, const char* name, const std::string& value, const char* def = "") {
    agsafeset(obj, const_cast<char*>(name), const_cast<char*>(value.c_str()),
              const_cast<char*>(def));
}

}  // namespace

std::unique_lock<std::mutex> graphvizLock() {
    static std::mutex mutex;
    return std::unique_lock<std::mutex>(mutex);
}

Visibility visibility(const Graph& graph, const GraphLayoutOptions& options) {
    const auto& nodes = graph.nodes();
    Visibility v;
    v.box.assign(nodes.size(), 0);
    v.cluster.assign(nodes.size(), 0);
    v.rep.assign(nodes.size(), kNoGraphNode);
    const std::unordered_set<GraphNodeId> collapsed(options.collapsed.begin(),
                                                    options.collapsed.end());
    // Parents come before their children (Graph::addNode), so one pass in id order suffices.
    for (GraphNodeId id = 0; id < nodes.size(); ++id) {
        const GraphNode& n = nodes[id];
        if (n.parent != kNoGraphNode && v.rep[n.parent] != kNoGraphNode) {
            v.rep[id] = v.rep[n.parent];  // hidden inside a collapsed ancestor
            continue;
        }
        const bool fold =
            collapsed.contains(id) || (options.maxDepth != 0 && n.depth + 1 >= options.maxDepth);
        if (!n.children.empty() && !fold) {
            v.cluster[id] = 1;
        } else {
            v.box[id] = 1;
            v.rep[id] = id;
            ++v.boxes;
        }
    }
    return v;
}

struct Drawing::Impl {
    const Graph& graph;
    Visibility vis;
    Agraph_t* g = nullptr;
    bool laidOut = false;
    std::vector<Agnode_t*> agNodes;
    std::vector<Agraph_t*> agClusters;
    struct Path {
        GraphNodeId from;
        GraphNodeId to;
        std::vector<std::size_t> edges;
        Agedge_t* e;
    };
    std::vector<Path> paths;

    Impl(const Graph& gr, const GraphLayoutOptions& options, const GraphStyle* style)
        : graph(gr), vis(visibility(gr, options)) {
        const std::uint64_t maxBoxes =
            options.maxBoxes ? options.maxBoxes : limits().graphLayoutNodes;
        if (vis.boxes > maxBoxes) {
            throw LimitError("the graph has " + std::to_string(vis.boxes) +
                                 " boxes to lay out; show fewer levels (--depth N) or collapse "
                                 "nested nodes",
                             "graph-layout-nodes", maxBoxes);
        }
        char name[] = "architecture";
        g = agopen(name, Agdirected, nullptr);
        set(g, "rankdir", options.rankdir == "LR" ? "LR" : "TB");
        set(g, "nodesep", "0.25");
        set(g, "ranksep", "0.35");
        set(g, "fontname", "DejaVu Sans");
        set(g, "fontsize", "10");
        agattr(g, AGNODE, const_cast<char*>("shape"), const_cast<char*>("box"));
        agattr(g, AGNODE, const_cast<char*>("style"), const_cast<char*>("rounded,filled"));
        agattr(g, AGNODE, const_cast<char*>("fillcolor"), const_cast<char*>("#ffffff"));
        agattr(g, AGNODE, const_cast<char*>("fontname"), const_cast<char*>("DejaVu Sans"));
        agattr(g, AGNODE, const_cast<char*>("fontsize"), const_cast<char*>("10"));
        agattr(g, AGEDGE, const_cast<char*>("color"), const_cast<char*>("#555555"));
        agattr(g, AGEDGE, const_cast<char*>("arrowsize"), const_cast<char*>("0.7"));
        agattr(g, AGEDGE, const_cast<char*>("style"), const_cast<char*>("solid"));
        agattr(g, AGRAPH, const_cast<char*>("style"), const_cast<char*>("rounded"));
        agattr(g, AGRAPH, const_cast<char*>("color"), const_cast<char*>("#888888"));
        agattr(g, AGRAPH, const_cast<char*>("label"), const_cast<char*>(""));
        addNodes(style);
        addEdges(style);
        if (!graph.edgesAreDataFlow()) {
            stackSiblings();
        }
    }

    ~Impl() {
        if (g != nullptr) {
            if (laidOut) {
                gvFreeLayout(context(), g);
            }
            agclose(g);
        }
    }

    Agraph_t* containerOf(const GraphNode& n) const {
        return n.parent != kNoGraphNode && agClusters[n.parent] != nullptr ? agClusters[n.parent]
                                                                           : g;
    }

    void addNodes(const GraphStyle* style) {
        const auto& nodes = graph.nodes();
        agNodes.assign(nodes.size(), nullptr);
        agClusters.assign(nodes.size(), nullptr);
        for (GraphNodeId id = 0; id < nodes.size(); ++id) {
            const GraphNode& n = nodes[id];
            const GraphNodeStyle* s =
                style != nullptr && id < style->nodes.size() ? &style->nodes[id] : nullptr;
            if (vis.cluster[id]) {
                std::string sub = "cluster_" + std::to_string(id);
                Agraph_t* c = agsubg(containerOf(n), sub.data(), 1);
                set(c, "label", nodeLabel(n, s));
                if (s != nullptr && !s->fillColor.empty()) {
                    set(c, "style", "rounded,filled");
                    set(c, "fillcolor", s->fillColor);
                }
                agClusters[id] = c;
            } else if (vis.box[id]) {
                std::string node = "n" + std::to_string(id);
                Agnode_t* a = agnode(containerOf(n), node.data(), 1);
                set(a, "label", nodeLabel(n, s));
                if (!n.children.empty()) {
                    set(a, "peripheries", "2", "1");  // a collapsed nested node
                }
                if (s != nullptr && !s->fillColor.empty()) {
                    set(a, "fillcolor", s->fillColor);
                }
                if (s != nullptr && s->bold) {
                    set(a, "penwidth", "2", "1");
                }
                agNodes[id] = a;
            }
        }
    }

    void addEdges(const GraphStyle* style) {
        std::map<std::pair<GraphNodeId, GraphNodeId>, std::size_t> index;
        const auto& edges = graph.edges();
        for (std::size_t i = 0; i < edges.size(); ++i) {
            const GraphNodeId from = vis.rep[edges[i].from];
            const GraphNodeId to = vis.rep[edges[i].to];
            if (from == kNoGraphNode || to == kNoGraphNode ||
                (from == to && edges[i].from != edges[i].to)) {
                continue;  // inside one collapsed box
            }
            const auto [it, added] = index.emplace(std::make_pair(from, to), paths.size());
            if (added) {
                Agedge_t* e = agedge(g, agNodes[from], agNodes[to], nullptr, 1);
                paths.push_back({from, to, {}, e});
            }
            paths[it->second].edges.push_back(i);
            const GraphEdgeStyle* s =
                style != nullptr && i < style->edges.size() ? &style->edges[i] : nullptr;
            if (s != nullptr && !s->color.empty()) {
                set(paths[it->second].e, "color", s->color);
                set(paths[it->second].e, "style", s->dashed ? "dashed" : "bold");
            }
        }
    }

    GraphNodeId firstBox(GraphNodeId id) const {
        while (!vis.box[id] && !graph.node(id).children.empty()) {
            id = graph.node(id).children.front();
        }
        return vis.box[id] ? id : kNoGraphNode;
    }
    GraphNodeId lastBox(GraphNodeId id) const {
        while (!vis.box[id] && !graph.node(id).children.empty()) {
            id = graph.node(id).children.back();
        }
        return vis.box[id] ? id : kNoGraphNode;
    }

    /// Hierarchy graphs have no edges: siblings are chained by invisible edges so that dot
    /// stacks them in order instead of putting every module on one rank.
    void stackSiblings() {
        const auto chain = [&](const std::vector<GraphNodeId>& ids) {
            for (std::size_t i = 1; i < ids.size(); ++i) {
                const GraphNodeId a = lastBox(ids[i - 1]);
                const GraphNodeId b = firstBox(ids[i]);
                if (a != kNoGraphNode && b != kNoGraphNode) {
                    Agedge_t* e = agedge(g, agNodes[a], agNodes[b], nullptr, 1);
                    set(e, "style", "invis");
                }
            }
        };
        chain(graph.roots());
        for (GraphNodeId id = 0; id < graph.nodes().size(); ++id) {
            if (vis.cluster[id]) {
                chain(graph.node(id).children);
            }
        }
    }
};

Drawing::Drawing(const Graph& graph, const GraphLayoutOptions& options, const GraphStyle* style)
    : m_impl(std::make_unique<Impl>(graph, options, style)) {}

Drawing::~Drawing() = default;

void Drawing::layout() {
    errorText().clear();
    if (gvLayout(context(), m_impl->g, "dot") != 0) {
        throw CorruptDataError("Graphviz could not lay out the graph: " + errorText());
    }
    m_impl->laidOut = true;
}

GraphLayout Drawing::readBack() const {
    const Impl& d = *m_impl;
    GraphLayout out;
    const boxf bb = GD_bb(d.g);
    out.width = bb.UR.x - bb.LL.x;
    out.height = bb.UR.y - bb.LL.y;
    const auto point = [&](pointf p) { return GraphPoint{p.x - bb.LL.x, bb.UR.y - p.y}; };
    for (GraphNodeId id = 0; id < d.agNodes.size(); ++id) {
        if (Agnode_t* n = d.agNodes[id]) {
            out.nodes.push_back({id, point(ND_coord(n)), ND_width(n) * 72.0, ND_height(n) * 72.0,
                                 !d.graph.node(id).children.empty()});
        }
        if (Agraph_t* c = d.agClusters[id]) {
            const boxf cb = GD_bb(c);
            out.clusters.push_back(
                {id, point({cb.LL.x, cb.UR.y}), cb.UR.x - cb.LL.x, cb.UR.y - cb.LL.y});
        }
    }
    for (const auto& p : d.paths) {
        GraphEdgePath path{p.from, p.to, p.edges, {}, false, {}};
        if (const splines* spl = ED_spl(p.e)) {
            for (int b = 0; b < spl->size; ++b) {
                const bezier& bz = spl->list[b];
                for (int i = 0; i < bz.size; ++i) {
                    path.points.push_back(point(bz.list[i]));
                }
                if (bz.eflag) {
                    path.hasArrow = true;
                    path.arrowTip = point(bz.ep);
                }
            }
        }
        out.edges.push_back(std::move(path));
    }
    return out;
}

std::string Drawing::render(GraphFormat format) {
    const char* name = format == GraphFormat::Svg   ? "svg"
                       : format == GraphFormat::Png ? "png"
                                                    : "dot";
    errorText().clear();
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(context(), m_impl->g, name, &data, &length) != 0 || data == nullptr) {
        if (data != nullptr) {
            gvFreeRenderData(data);
        }
        const std::string message = errorText();
        if (message.find("not recognized") != std::string::npos) {
            throw UnsupportedError(std::string("Graphviz has no renderer for ") + name +
                                   " on this system (Debian's graphviz package brings the "
                                   "cairo plugin for PNG)");
        }
        throw CorruptDataError(std::string("Graphviz could not render ") + name + ": " + message);
    }
    std::string bytes(data, length);
    gvFreeRenderData(data);
    return bytes;
}

}  // namespace ckpt::core::graphviz
