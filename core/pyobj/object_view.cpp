#include "core/pyobj/object_view.h"

#include "core/model/checkpoint.h"
#include "core/pickle/value_graph.h"
#include "core/pyobj/joblib_arrays.h"
#include "core/pyobj/reconstructors.h"

namespace ckpt::core::pyobj {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

/// Archive nodes of the tree whose nested format is `format`, in tree order.
std::vector<Node*> archiveNodes(Node& root, const std::string& format) {
    std::vector<Node*> out;
    std::vector<Node*> stack{&root};
    while (!stack.empty()) {
        Node* n = stack.back();
        stack.pop_back();
        if (n->kind() == NodeKind::Archive && n->typeName() == format) {
            out.push_back(n);
            continue;
        }
        for (auto it = n->children().rbegin(); it != n->children().rend(); ++it) {
            stack.push_back(it->get());
        }
    }
    return out;
}

void liftKerasModel(Recognitions& r, Checkpoint& c) {
    if (!c.layers().empty()) {
        return;
    }
    const auto nodes = archiveNodes(c.root(), "keras-archive");
    if (nodes.size() != 1) {
        return;
    }
    const Checkpoint* nested = nullptr;
    for (const auto& [id, a] : r.archives) {
        if (a.checkpoint && a.checkpoint->format() == "keras-archive") {
            nested = a.checkpoint.get();
        }
    }
    if (nested == nullptr) {
        return;
    }
    const std::string prefix = nodes.front()->path() + "/";
    for (Layer layer : nested->layers()) {
        for (auto& w : layer.weightPaths) {
            w = prefix + w;
        }
        c.layers().push_back(std::move(layer));
    }
    if (c.config().is_null()) {
        c.config() = nested->config();
    }
    if (c.trainingConfig().is_null()) {
        c.trainingConfig() = nested->trainingConfig();
    }
    for (const auto& [k, v] : nested->metadata().items()) {
        if (!c.metadata().contains(k)) {
            c.metadata()[k] = v;
        }
    }
}

}  // namespace

std::string picklerOf(const ValueGraph& g) {
    bool joblib = false;
    for (ValueId id = 0; id < g.size(); ++id) {
        if (g[id].kind != ValueKind::Global) {
            continue;
        }
        const auto name = g.global(id);
        if (isDillModule(name.module)) {
            return "dill";
        }
        if (isCloudpickleModule(name.module)) {
            return "cloudpickle";
        }
        joblib = joblib || isJoblibWrapper(name.module, name.name);
    }
    return joblib ? "joblib" : "";
}

void buildObjectView(const ValueGraph& g, ValueId root, Recognitions& r, Checkpoint& checkpoint,
                     const ObjectViewOptions& options) {
    scanGraph(g, r, options.scan);
    ObjectTreeBuilder builder(g, r, options.limits);
    builder.build(root, checkpoint.root());
    for (const auto& w : r.warnings) {
        checkpoint.addWarning(w);
    }
    for (const auto& w : builder.warnings()) {
        checkpoint.addWarning(w);
    }
    for (const auto& [id, a] : r.archives) {
        if (!a.error.empty()) {
            checkpoint.addWarning(
                "a nested " + (a.format.empty() ? std::string("file") : a.format) + " at offset " +
                std::to_string(g[id].offset) + " could not be read: " + a.error);
        }
    }
    liftKerasModel(r, checkpoint);
}

}  // namespace ckpt::core::pyobj
