#include "core/graph/graph_json.h"

#include <cmath>

namespace ckpt::core {
namespace {

Json idOrNull(GraphNodeId id) {
    return id == kNoGraphNode ? Json() : Json(id);
}

}  // namespace

Json graphJson(const Graph& graph) {
    Json out = Json::object();
    out["kind"] = graph.edgesAreDataFlow() ? "data_flow" : "hierarchy";
    out["source"] = graph.source();
    out["truncated"] = graph.truncated;
    out["warnings"] = graph.warnings;
    out["inputs"] = graph.inputs;
    out["outputs"] = graph.outputs;
    Json nodes = Json::array();
    for (GraphNodeId id = 0; id < graph.nodes().size(); ++id) {
        const GraphNode& n = graph.node(id);
        Json j = Json::object();
        j["id"] = id;
        j["name"] = n.name;
        j["path"] = n.path;
        j["class_name"] = n.className;
        j["kind"] = graphNodeKindName(n.kind);
        j["parent"] = idOrNull(n.parent);
        j["depth"] = n.depth;
        j["params"] = n.params;
        j["buffers"] = n.buffers;
        if (n.hasOutputShape) {
            Json shape = Json::array();
            for (const auto d : n.outputShape) {
                shape.push_back(d < 0 ? Json() : Json(d));
            }
            j["output_shape"] = std::move(shape);
        }
        Json attributes = Json::object();
        for (const auto& [k, v] : n.attributes) {
            attributes[k] = v;
        }
        j["attributes"] = std::move(attributes);
        j["tensors"] = n.tensors;
        nodes.push_back(std::move(j));
    }
    out["nodes"] = std::move(nodes);
    Json edges = Json::array();
    for (const auto& e : graph.edges()) {
        edges.push_back({{"from", e.from}, {"to", e.to}});
    }
    out["edges"] = std::move(edges);
    return out;
}

Json graphDiffJson(const GraphDiff& diff) {
    Json out = graphJson(diff.graph);
    for (std::size_t i = 0; i < diff.nodes.size() && i < out["nodes"].size(); ++i) {
        const GraphNodeDiff& d = diff.nodes[i];
        Json j = Json::object();
        j["state"] = graphDiffStateName(d.state);
        j["a"] = idOrNull(d.a);
        j["b"] = idOrNull(d.b);
        j["max_rel_l2"] = std::isnan(d.maxRelL2) ? Json() : Json(d.maxRelL2);
        j["max_rel_l2_key"] = d.maxRelL2Key;
        j["tensors"] = d.tensors;
        j["tensors_changed"] = d.tensorsChanged;
        Json changes = Json::array();
        for (const auto& c : d.configChanges) {
            changes.push_back({{"kind", configChangeKindName(c.kind)},
                               {"path", c.path},
                               {"old", c.oldValue},
                               {"new", c.newValue}});
        }
        j["config_changes"] = std::move(changes);
        out["nodes"][i]["diff"] = std::move(j);
    }
    for (std::size_t i = 0; i < diff.edges.size() && i < out["edges"].size(); ++i) {
        out["edges"][i]["state"] = graphDiffStateName(diff.edges[i]);
    }
    return out;
}

}  // namespace ckpt::core
