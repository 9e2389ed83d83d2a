#include "core/export/keras_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/model/keras_config.h"
#include "core/model/keras_layout.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

std::string attrString(const Node& node, const char* key) {
    const auto it = node.attributes().find(key);
    return it != node.attributes().end() && it->is_string() ? it->get<std::string>()
                                                            : std::string();
}

bool looksLikeVersion(const std::string& v) {
    return !v.empty() && std::isdigit(static_cast<unsigned char>(v[0])) &&
           v.find(' ') == std::string::npos;
}

/// The h5 root of the checkpoint: the root, or the weights member of a .keras archive.
const Node* h5RootOf(const Checkpoint& c, std::string& prefix) {
    if (c.format() != "keras-archive") {
        prefix.clear();
        return &c.root();
    }
    for (const char* m : {"model.weights.h5", "variables.h5"}) {
        if (const Node* n = c.root().findChild(m)) {
            prefix = std::string(m) + "/";
            return n;
        }
    }
    return nullptr;
}

void collectTensors(const Node& node, std::vector<const Node*>& out) {
    if (node.kind() == NodeKind::Tensor) {
        out.push_back(&node);
    }
    if (node.lazy()) {
        return;  // plain groups and values only
    }
    for (const auto& c : node.children()) {
        collectTensors(*c, out);
    }
}

std::string className(const Checkpoint& c, const std::string& layer) {
    for (const auto& l : c.layers()) {
        if (l.name == layer) {
            return l.className;
        }
    }
    return {};
}

void legacyPlan(const Checkpoint& c, const Node& h5Root, KerasPlan& plan) {
    const Node* weightsRoot = h5Root.findChild("model_weights");
    if (weightsRoot == nullptr) {
        weightsRoot = &h5Root;
    }
    const auto names =
        nodeNameList(*weightsRoot, "layer_names").value_or(std::vector<std::string>{});
    for (const auto& name : names) {
        KerasPlanLayer layer{name, className(c, name), {}, {}};
        if (const Node* group = weightsRoot->findChild(name)) {
            for (const auto& wn :
                 nodeNameList(*group, "weight_names").value_or(std::vector<std::string>{})) {
                const Node* t = group->find(wn);
                if (t != nullptr && t->kind() == NodeKind::Tensor) {
                    layer.weights.push_back({wn, "vars/" + std::to_string(layer.weights.size()),
                                             t->path(), t->tensor().get()});
                }
            }
        }
        plan.layers.push_back(std::move(layer));
    }
    if (const Node* opt = h5Root.findChild("optimizer_weights")) {
        for (const auto& wn :
             nodeNameList(*opt, "weight_names").value_or(std::vector<std::string>{})) {
            const Node* t = opt->find(wn);
            if (t != nullptr && t->kind() == NodeKind::Tensor) {
                plan.optimizer.push_back({wn, "vars/" + std::to_string(plan.optimizer.size()),
                                          t->path(), t->tensor().get()});
            }
        }
    }
}

void varsPlan(const Checkpoint& c, const Node& h5Root, const std::string& prefix, KerasPlan& plan) {
    for (const auto& l : c.layers()) {
        KerasPlanLayer layer{l.name, l.className, {}, {}};
        for (std::size_t i = 0; i < l.weightPaths.size(); ++i) {
            const Node* t = c.findTensor(l.weightPaths[i]);
            if (t == nullptr) {
                continue;
            }
            // prefix + "layers/<group>/<rest>" (or _layer_checkpoint_dependencies, or the
            // Windows "layers\<group>" spelling)
            std::string rel = l.weightPaths[i].substr(prefix.size());
            std::string group, rest;
            for (const char* top : {"layers/", "_layer_checkpoint_dependencies/", "layers\\",
                                    "_layer_checkpoint_dependencies\\"}) {
                if (rel.rfind(top, 0) == 0) {
                    const std::string tail = rel.substr(std::string(top).size());
                    const auto slash = tail.find('/');
                    group = tail.substr(0, slash);
                    rest = slash == std::string::npos ? "vars/0" : tail.substr(slash + 1);
                    break;
                }
            }
            if (group.empty()) {
                rest = "vars/" + std::to_string(i);
            } else if (layer.varsGroup.empty()) {
                layer.varsGroup = group;
            }
            const std::string var = kerasVariableName(l.className, i, l.weightPaths.size());
            layer.weights.push_back({l.name + "/" + var, rest, t->path(), t->tensor().get()});
        }
        plan.layers.push_back(std::move(layer));
    }
    if (const Node* vars = h5Root.find("optimizer/vars")) {
        std::vector<std::pair<long, const Node*>> numbered;
        for (const auto& ch : vars->children()) {
            if (ch->kind() == NodeKind::Tensor) {
                long k = 0;
                try {
                    k = std::stol(ch->name());
                } catch (const std::exception&) {
                    k = 1L << 30;
                }
                numbered.emplace_back(k, ch.get());
            }
        }
        std::stable_sort(numbered.begin(), numbered.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [k, t] : numbered) {
            plan.optimizer.push_back(
                {"optimizer/" + t->name(), "vars/" + t->name(), t->path(), t->tensor().get()});
        }
    }
}

}  // namespace

std::string kerasVariableName(const std::string& cls, std::size_t index, std::size_t count) {
    static const std::map<std::string, std::vector<std::string>> known{
        {"Dense", {"kernel", "bias"}},
        {"Conv1D", {"kernel", "bias"}},
        {"Conv2D", {"kernel", "bias"}},
        {"Conv3D", {"kernel", "bias"}},
        {"Conv2DTranspose", {"kernel", "bias"}},
        {"Embedding", {"embeddings"}},
        {"BatchNormalization", {"gamma", "beta", "moving_mean", "moving_variance"}},
        {"LayerNormalization", {"gamma", "beta"}},
        {"LSTM", {"kernel", "recurrent_kernel", "bias"}},
        {"GRU", {"kernel", "recurrent_kernel", "bias"}},
        {"SimpleRNN", {"kernel", "recurrent_kernel", "bias"}},
    };
    const auto it = known.find(cls);
    if (it != known.end() && (count == it->second.size() ||
                              (count + 1 == it->second.size() && cls != "BatchNormalization"))) {
        return it->second[index];
    }
    return "variable_" + std::to_string(index);
}

KerasPlan makeKerasPlan(const Checkpoint& c) {
    static const std::set<std::string> kKeras{"keras-h5", "keras-h5-weights", "keras3-weights-h5",
                                              "keras-archive"};
    if (kKeras.count(c.format()) == 0) {
        throw UnsupportedError(
            "Keras exports need a Keras source (.h5, .weights.h5, .keras); "
            "this is " +
                c.format() + ": export it to safetensors instead",
            {c.filePath(), c.format(), {}, {}});
    }
    KerasPlan plan;
    std::string prefix;
    const Node* h5Root = h5RootOf(c, prefix);
    if (h5Root == nullptr) {
        throw UnsupportedError("the archive has no model.weights.h5 member to export",
                               {c.filePath(), c.format(), {}, {}});
    }
    plan.varsSource = hasVarsLayout(*h5Root);
    if (plan.varsSource) {
        varsPlan(c, *h5Root, prefix, plan);
    } else {
        legacyPlan(c, *h5Root, plan);
    }
    plan.config = c.config();
    plan.legacyConfig = c.format() == "keras-h5";
    const Node& root = c.root();
    plan.modelConfigText = attrString(root, "model_config");
    plan.trainingConfigText = attrString(root, "training_config");
    plan.kerasVersion = attrString(root, "keras_version");
    plan.backend = attrString(root, "backend");
    const Json& meta = c.metadata();
    if (plan.kerasVersion.empty() && meta.contains("keras_version") &&
        meta["keras_version"].is_string() &&
        looksLikeVersion(meta["keras_version"].get<std::string>())) {
        plan.kerasVersion = meta["keras_version"].get<std::string>();
    }
    if (plan.backend.empty() && meta.contains("backend") && meta["backend"].is_string()) {
        plan.backend = meta["backend"].get<std::string>();
    }
    if (meta.contains("model_name") && meta["model_name"].is_string()) {
        plan.modelName = meta["model_name"].get<std::string>();
    }
    if (const Node* m = root.findChild("metadata.json");
        m != nullptr && c.format() == "keras-archive") {
        plan.archiveMetadata = Json::parse(m->value(), nullptr, false);
        if (plan.archiveMetadata.is_discarded()) {
            plan.archiveMetadata = nullptr;
        }
    }

    std::set<std::string> covered;
    for (const auto& l : plan.layers) {
        for (const auto& w : l.weights) {
            covered.insert(w.sourcePath);
        }
    }
    for (const auto& w : plan.optimizer) {
        covered.insert(w.sourcePath);
    }
    std::vector<const Node*> all;
    collectTensors(root, all);
    for (const Node* t : all) {
        if (covered.count(t->path()) == 0) {
            plan.uncovered.push_back(t->path() + ": not a weight of any layer or of the optimizer");
        }
    }
    return plan;
}

std::vector<std::string> kerasVarsGroupNames(const KerasPlan& plan) {
    std::set<std::string> used;
    for (const auto& l : plan.layers) {
        if (!l.varsGroup.empty()) {
            used.insert(l.varsGroup);
        }
    }
    std::vector<std::string> out;
    for (const auto& l : plan.layers) {
        if (!l.varsGroup.empty()) {
            out.push_back(l.varsGroup);
            continue;
        }
        std::string base = l.className.empty() ? l.name : kerasSnakeCase(l.className);
        std::replace(base.begin(), base.end(), '/', '_');
        std::string name = base;
        for (int i = 1; used.count(name) != 0; ++i) {
            name = base + "_" + std::to_string(i);
        }
        used.insert(name);
        out.push_back(name);
    }
    return out;
}

}  // namespace ckpt::core
