#include "core/model/keras_config.h"

#include <algorithm>
#include <cctype>

namespace ckpt::core {
namespace {

std::string jsonString(const Json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool isIndex(const Json& j) {
    return j.is_number_integer() || j.is_number_unsigned();
}

/// A Keras 1/2 tensor reference: [name, node_index, tensor_index] with an optional kwargs dict.
bool legacyRef(const Json& j, KerasTensorRef& out) {
    if (!j.is_array() || (j.size() != 3 && j.size() != 4) || !j[0].is_string() || !isIndex(j[1]) ||
        !isIndex(j[2])) {
        return false;
    }
    out.layer = j[0].get<std::string>();
    out.nodeIndex = j[1].get<std::int64_t>();
    out.tensorIndex = j[2].get<std::int64_t>();
    return true;
}

/// Appends the tensor references found in `j`. Keras 3 call records name tensors only as
/// __keras_tensor__ objects (a plain [str, int, int] list there is an argument value); Keras 1/2
/// nodes name them as lists, and a reference's kwargs may name more.
void collectRefs(const Json& j, bool legacyLists, int depth, int maxDepth,
                 std::vector<KerasTensorRef>& out) {
    if (depth > maxDepth) {
        return;
    }
    if (j.is_object()) {
        const auto cls = j.find("class_name");
        if (cls != j.end() && cls->is_string() && *cls == "__keras_tensor__") {
            const auto cfg = j.find("config");
            if (cfg != j.end() && cfg->is_object()) {
                const auto history = cfg->find("keras_history");
                KerasTensorRef ref;
                if (history != cfg->end() && legacyRef(*history, ref)) {
                    const auto shape = cfg->find("shape");
                    if (shape != cfg->end() && shape->is_array()) {
                        ref.shape = *shape;
                    }
                    out.push_back(std::move(ref));
                }
            }
            return;
        }
        for (const auto& [key, value] : j.items()) {
            collectRefs(value, legacyLists, depth + 1, maxDepth, out);
        }
        return;
    }
    if (!j.is_array()) {
        return;
    }
    KerasTensorRef ref;
    if (legacyLists && legacyRef(j, ref)) {
        out.push_back(std::move(ref));
        if (j.size() == 4 && j[3].is_object()) {
            collectRefs(j[3], legacyLists, depth + 1, maxDepth, out);
        }
        return;
    }
    for (const auto& item : j) {
        collectRefs(item, legacyLists, depth + 1, maxDepth, out);
    }
}

}  // namespace

std::vector<std::vector<KerasTensorRef>> kerasInboundNodes(const Json& layerEntry, int maxDepth) {
    std::vector<std::vector<KerasTensorRef>> calls;
    if (!layerEntry.is_object()) {
        return calls;
    }
    const auto nodes = layerEntry.find("inbound_nodes");
    if (nodes == layerEntry.end() || !nodes->is_array()) {
        return calls;
    }
    for (const auto& node : *nodes) {
        std::vector<KerasTensorRef> refs;
        // Keras 3: {"args": [...], "kwargs": {...}}; Keras 1/2 (and Keras 3's "legacy"): lists.
        collectRefs(node, !node.is_object(), 0, maxDepth, refs);
        calls.push_back(std::move(refs));
    }
    return calls;
}

std::vector<KerasTensorRef> kerasTensorRefs(const Json& value, int maxDepth) {
    std::vector<KerasTensorRef> refs;
    collectRefs(value, true, 0, maxDepth, refs);
    return refs;
}

KerasLayerList kerasLayerList(const Json& modelConfig) {
    if (!modelConfig.is_object()) {
        return {};
    }
    const auto cfg = modelConfig.find("config");
    if (cfg != modelConfig.end()) {
        if (cfg->is_array()) {
            return {&*cfg, "/config"};
        }
        if (cfg->is_object()) {
            const auto l = cfg->find("layers");
            if (l != cfg->end() && l->is_array()) {
                return {&*l, "/config/layers"};
            }
        }
    }
    const auto l = modelConfig.find("layers");
    if (l != modelConfig.end() && l->is_array()) {
        return {&*l, "/layers"};
    }
    return {};
}

std::vector<KerasLayerSpec> kerasLayerSpecs(const Json& modelConfig) {
    std::vector<KerasLayerSpec> out;
    const Json* layers = kerasLayerList(modelConfig).layers;
    if (layers == nullptr) {
        return out;
    }
    for (const auto& l : *layers) {
        if (!l.is_object()) {
            continue;
        }
        KerasLayerSpec spec;
        spec.className = jsonString(l, "class_name");
        const auto lc = l.find("config");
        if (lc != l.end() && lc->is_object()) {
            spec.config = *lc;
        }
        spec.name = jsonString(l, "name");
        if (spec.name.empty()) {
            spec.name = jsonString(spec.config, "name");
        }
        const auto t = spec.config.find("trainable");
        if (t != spec.config.end() && t->is_boolean()) {
            spec.trainable = t->get<bool>();
        }
        out.push_back(std::move(spec));
    }
    return out;
}

std::string kerasLayerName(const Json& layerEntry) {
    if (!layerEntry.is_object()) {
        return {};
    }
    std::string name = jsonString(layerEntry, "name");
    if (name.empty()) {
        const auto c = layerEntry.find("config");
        if (c != layerEntry.end() && c->is_object()) {
            name = jsonString(*c, "name");
        }
    }
    return name;
}

const Json* kerasLayerByName(const Json& modelConfig, std::string_view name) {
    const Json* layers = kerasLayerList(modelConfig).layers;
    if (layers == nullptr) {
        return nullptr;
    }
    for (const auto& l : *layers) {
        if (kerasLayerName(l) == name) {
            return &l;
        }
    }
    return nullptr;
}

std::string kerasSnakeCase(const std::string& className) {
    std::string name;
    for (const char c : className) {  // \W+ removed
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
            name += c;
        }
    }
    const auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
    const auto lower = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
    // (.)([A-Z][a-z]+) -> \1_\2
    std::string step;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (i > 0 && upper(name[i]) && i + 1 < name.size() && lower(name[i + 1])) {
            step += '_';
        }
        step += name[i];
    }
    // ([a-z])([A-Z]) -> \1_\2
    std::string out;
    for (std::size_t i = 0; i < step.size(); ++i) {
        if (i > 0 && lower(step[i - 1]) && upper(step[i])) {
            out += '_';
        }
        out += step[i];
    }
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace ckpt::core
