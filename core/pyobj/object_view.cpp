#include "core/pyobj/object_view.h"

#include "core/model/checkpoint.h"
#include "core/pickle/value_access.h"
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
        if (n->lazy()) {
            continue;  // plain values only
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

/// Calls and objects the pickles built but nobody holds: made, then POPped (or left behind by a
/// failing stream). They ran on load all the same, so they are shown under "<discarded>".
void addDiscarded(const ValueGraph& g, const std::vector<ValueId>& roots, const Recognitions& r,
                  ObjectTreeBuilder& builder, Checkpoint& checkpoint) {
    constexpr std::size_t kMaxShown = 1000;
    std::vector<bool> held(g.size(), false);
    for (ValueId id = 0; id < g.size(); ++id) {
        g.forEachChild(id, [&held](ValueId c) {
            if (c < held.size()) {
                held[c] = true;
            }
        });
    }
    for (const ValueId root : roots) {
        if (root < held.size()) {
            held[root] = true;
        }
    }
    std::vector<ValueId> islands;
    for (ValueId id = 0; id < g.size(); ++id) {
        if (held[id] || (g.kind(id) != ValueKind::Call && g.kind(id) != ValueKind::Object)) {
            continue;
        }
        const auto callee = pickle::calleeName(g, id);
        if (callee &&
            (isJoblibWrapper(callee->module, callee->name) ||
             (callee->module == "builtins" && callee->name == "setattr") ||
             (isCloudpickleModule(callee->module) && callee->name.ends_with("_setstate")))) {
            continue;  // replaced by their array, or state setters shown on their object
        }
        if (r.tensors.contains(id)) {
            continue;
        }
        islands.push_back(id);
    }
    if (islands.empty()) {
        return;
    }
    auto& group = checkpoint.root().addChild(NodeKind::Group, "<discarded>");
    group.setTypeName("discarded values");
    group.attributes()["count"] = islands.size();
    for (std::size_t i = 0; i < islands.size() && i < kMaxShown; ++i) {
        builder.buildChild(islands[i], group, std::to_string(i));
    }
    checkpoint.addWarning(std::to_string(islands.size()) +
                          " calls or objects are built and then dropped by the pickle (see "
                          "<discarded>); they would still run on load");
}

}  // namespace

std::string picklerOf(const ValueGraph& g) {
    bool joblib = false;
    for (const ValueId id : g.nonPlainIds()) {
        if (g.kind(id) != ValueKind::Global) {
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
    buildObjectView(g, std::vector<ValueId>{root}, r, checkpoint, options);
}

void buildObjectView(const ValueGraph& g, const std::vector<ValueId>& roots, Recognitions& r,
                     Checkpoint& checkpoint, const ObjectViewOptions& options) {
    scanGraph(g, r, options.scan);
    std::vector<std::string> treeWarnings;
    if (options.tree || !r.tensors.empty() || !r.archives.empty()) {
        ObjectTreeBuilder builder(g, r, options.limits);
        builder.enableLazy(options.graph);
        for (std::size_t i = 0; i < roots.size(); ++i) {
            if (i == 0) {
                builder.build(roots[0], checkpoint.root());
            } else {
                builder.buildChild(roots[i], checkpoint.root(),
                                   "<pickle" + std::to_string(i) + ">");
            }
        }
        addDiscarded(g, roots, r, builder, checkpoint);
        treeWarnings = builder.warnings();
    }
    for (const auto& w : r.warnings) {
        checkpoint.addWarning(w);
    }
    for (const auto& w : treeWarnings) {
        checkpoint.addWarning(w);
    }
    for (const auto& [id, a] : r.archives) {
        if (a.checkpoint) {
            // Pickles inside the nested file (a pickle passed to loads()) reach the validator.
            for (PickleStream stream : a.checkpoint->pickleStreams()) {
                stream.member = "nested " + a.format + " at offset " +
                                std::to_string(g[id].offset) +
                                (stream.member.empty() ? "" : ": " + stream.member);
                checkpoint.addPickleStream(std::move(stream));
            }
            // What the nested file could not read (a file nested deeper still) is said here
            // too: otherwise bytes left unscanned would go unmentioned.
            const std::string in =
                "in the nested " + a.format + " at offset " + std::to_string(g[id].offset);
            for (const auto& w : a.checkpoint->warnings()) {
                checkpoint.addWarning(in + ": " + w);
            }
            for (const auto& u : a.checkpoint->uncheckedParts()) {
                checkpoint.addUncheckedPart({in + ": " + u.where, u.why});
            }
        }
        if (!a.error.empty()) {
            const std::string what = "a nested " +
                                     (a.format.empty() ? std::string("file") : a.format) +
                                     " at offset " + std::to_string(g[id].offset);
            checkpoint.addWarning(what + " could not be read: " + a.error);
            checkpoint.addUncheckedPart({what, a.error});
        }
    }
    liftKerasModel(r, checkpoint);
}

}  // namespace ckpt::core::pyobj
